/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CAPI key containers: parse, serialize back, same bytes required; try to
 * decrypt with a fixed master key (the DSS provider's containers through
 * capi_dss.c).  Inputs starting "RSA2" also go to the
 * decrypted-key parser, whose keys must survive GnuTLS and, for RSA-2048,
 * rebuild to an identical plaintext.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "dpapi/capi.h"
#include "dpapi/capi_dss.h"
#include "util/error.h"

/* A 2048-bit container is 2-3 KiB; RSA-16384 stays well below this. */
#define MAX_LENGTH 32768

static int fuzz_one_input(const uint8_t *data, size_t size);

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	static const uint8_t mk[64] = { 9 };
	TALLOC_CTX *mem = NULL;
	struct cr_capi_key *k = NULL;
	struct cr_rsa_key *rsa = NULL;
	struct cr_dsa_key *dsa = NULL;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint32_t flag = 0;
	char *err = NULL;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem = talloc_new(NULL);
	if (size >= 4 && memcmp(data, "RSA2", 4) == 0 &&
	    cr_capi_rsa2_parse(mem, data, size, &rsa, &err) == 0) {
		struct cr_rsa_key *full = NULL;

		/*
		 * A 2048-bit key with the 140-byte tail rebuilds to the
		 * input.  Accepted difference: the datalen DWORD at 12, which
		 * the parser does not interpret (the writer sets bits/8 - 1).
		 */
		if (cr_rsa_key_bits(rsa) == 2048 && size == 1348 &&
		    cr_capi_rsa2_build(mem, rsa, &out, &out_len, &err) == 0 &&
		    (out_len != size || memcmp(out, data, 12) != 0 ||
		     memcmp(out + 16, data + 16, size - 16) != 0)) {
			abort();
		}
		(void)cr_rsa_key_complete(mem, rsa, &full, &err);
	}
	if (cr_capi_key_parse(mem, data, size, &k, &err) != 0) {
		goto done;
	}
	if (cr_capi_key_serialize(mem, k, &out, &out_len, &err) != 0 ||
	    out_len != size || memcmp(out, data, size) != 0) {
		abort();
	}
	if (cr_capi_dss_container(k)) {
		(void)cr_capi_dss_decrypt(mem, k, CR_CAPI_ANY, mk, sizeof(mk),
					  &dsa, &flag, &err);
	} else {
		(void)cr_capi_key_decrypt(mem, k, CR_CAPI_ANY, mk, sizeof(mk),
					  &rsa, &flag, &err);
	}
	(void)cr_capi_file_name(mem, k->name, "m");
done:
	talloc_free(mem);
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
