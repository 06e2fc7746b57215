/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CNG key files and MIB1 transport blobs (both kinds of type-9 payload),
 * plus property lists and BCRYPT RSA blobs: every accepted structure must
 * serialize back to its input.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "dpapi/cng.h"
#include "dpapi/cngkey.h"
#include "dpapi/keyfile.h"
#include "util/error.h"

/* Roamed CNG keys are ~2 KiB; MIB1 adds up to eight master key files. */
#define MAX_LENGTH 65536

static int fuzz_one_input(const uint8_t *data, size_t size);

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	static const uint8_t mk[64] = { 5 };
	TALLOC_CTX *mem = NULL;
	struct cr_cng_key *k = NULL;
	struct cr_mib1 *m = NULL;
	struct cr_cng_property *props = NULL;
	struct cr_rsa_key *rsa = NULL;
	struct cr_privkey *any = NULL;
	struct cr_dpapi_keyfile_info info;
	uint8_t *out = NULL;
	size_t out_len = 0;
	size_t n = 0;
	char *err = NULL;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem = talloc_new(NULL);
	if (cr_mib1_parse(mem, data, size, &m, &err) == 0) {
		if (cr_mib1_serialize(mem, m, &out, &out_len, &err) != 0 ||
		    out_len != size || memcmp(out, data, size) != 0) {
			abort();
		}
	}
	if (cr_cng_key_parse(mem, data, size, &k, &err) == 0) {
		if (cr_cng_key_serialize(mem, k, &out, &out_len, &err) != 0 ||
		    out_len != size || memcmp(out, data, size) != 0) {
			abort();
		}
		(void)cr_cng_key_decrypt(mem, k, mk, sizeof(mk), &rsa, &err);
		(void)cr_cng_key_decrypt_any(mem, k, mk, sizeof(mk), &any,
					     &err);
	}
	(void)cr_cng_properties_parse(mem, data, size, &props, &n, &err);
	if (cr_bcrypt_rsa_parse(mem, data, size, &rsa, &err) == 0 &&
	    rsa->d.len > 0) {
		/* a completed key must encode and decode again */
		if (cr_bcrypt_rsa_build_full(mem, rsa, &out, &out_len,
					     &err) == 0 &&
		    cr_bcrypt_rsa_parse(mem, out, out_len, &rsa, &err) != 0) {
			abort();
		}
	}
	(void)cr_dpapi_keyfile_decrypt(mem, data, size, mk, sizeof(mk), &rsa,
				       &info, &err);
	(void)cr_dpapi_keyfile_decrypt_any(mem, data, size, mk, sizeof(mk),
					   &any, &info, &err);
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
