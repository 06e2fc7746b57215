/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: serialized certificate-store elements
 * (cr_certelem_parse) and the key-provider info inside them.
 *
 * Oracles: a decoded element serializes back to exactly its input; a
 * decoded key-provider info, built again, decodes to the same names.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "format/certelem.h"
#include "util/error.h"

/* a token's data: DIMSRoamingMaxTokenSize is at most 100000 */
#define MAX_LENGTH (128 * 1024)

static int fuzz_one_input(const uint8_t *data, size_t size);

static bool same_name(const char *a, const char *b)
{
	if (a == NULL || b == NULL) {
		return a == b;
	}
	return strcmp(a, b) == 0;
}

static void check_key_prov(TALLOC_CTX *mem_ctx,
			   const struct cr_key_prov_info *k)
{
	struct cr_key_prov_info *again = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	rc = cr_key_prov_info_build(mem_ctx, k, &buf, &len, NULL);
	if (rc != 0) {
		abort();
	}
	rc = cr_key_prov_info_parse(mem_ctx, buf, len, &again, NULL);
	if (rc != 0 || !same_name(k->container, again->container) ||
	    !same_name(k->provider, again->provider) ||
	    k->prov_type != again->prov_type || k->flags != again->flags ||
	    k->key_spec != again->key_spec) {
		abort();
	}
}

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem_ctx = NULL;
	struct cr_certelem *e = NULL;
	struct cr_x509_info *info = NULL;
	uint8_t *out = NULL;
	size_t out_len = 0;
	int rc;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem_ctx = talloc_new(NULL);
	rc = cr_certelem_parse(mem_ctx, data, size, &e, NULL, NULL);
	if (rc != 0) {
		goto done;
	}
	rc = cr_certelem_serialize(mem_ctx, e, &out, &out_len, NULL);
	if (rc != 0 || out_len != size || memcmp(out, data, size) != 0) {
		abort();
	}
	if (e->key_prov != NULL) {
		check_key_prov(mem_ctx, e->key_prov);
	}
	/* GnuTLS may refuse the DER; it must not crash on it */
	(void)cr_x509_info(mem_ctx, e->cert, e->cert_len, &info, NULL);
done:
	talloc_free(mem_ctx);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int ret = fuzz_one_input(data, size);

	/* an input is a whole caller: its messages go with it */
	cr_err_drain();
	return ret;
}
