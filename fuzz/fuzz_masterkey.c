/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Master key files (and the 24-byte Preferred file): parse, serialize back
 * and require the same bytes; decrypt cheap inputs with a fixed pre-key.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "dpapi/masterkey.h"
#include "util/error.h"

/* Real files are under 1 KiB; a domain key section stays far below this. */
#define MAX_LENGTH 8192
/* Keep decryption attempts fast: real files use thousands of rounds. */
#define MAX_FUZZ_ROUNDS 4

static int fuzz_one_input(const uint8_t *data, size_t size);

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	static const uint8_t prekey[20] = { 1, 2, 3, 4, 5 };
	TALLOC_CTX *mem = NULL;
	struct cr_mkf *mkf = NULL;
	struct cr_dpapi_preferred pref;
	uint8_t *out = NULL;
	uint8_t *mk = NULL;
	size_t out_len = 0;
	char *err = NULL;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem = talloc_new(NULL);
	if (size == CR_DPAPI_PREFERRED_LEN &&
	    cr_dpapi_preferred_parse(mem, data, size, &pref, &err) == 0) {
		uint8_t again[CR_DPAPI_PREFERRED_LEN];

		cr_dpapi_preferred_build(&pref, again);
		if (memcmp(again, data, size) != 0) {
			abort();
		}
	}
	if (cr_mkf_parse(mem, data, size, "fuzz", &mkf, &err) != 0) {
		goto done;
	}
	/* byte-exact: every accepted file must serialize to its input */
	if (cr_mkf_serialize(mem, mkf, &out, &out_len, &err) != 0 ||
	    out_len != size || memcmp(out, data, size) != 0) {
		abort();
	}
	if (mkf->mk != NULL && mkf->mk->rounds <= MAX_FUZZ_ROUNDS) {
		(void)cr_mkf_decrypt_prekey(mem, mkf, prekey, sizeof(prekey),
					    &mk, &err);
	}
	if (mkf->lk != NULL && mkf->lk->rounds <= MAX_FUZZ_ROUNDS) {
		(void)cr_mkf_decrypt_localkey(mem, mkf, "S-1-5-18", NULL, 0,
					      &mk, &err);
	}
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
