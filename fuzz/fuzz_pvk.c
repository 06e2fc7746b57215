/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * PVK files and PRIVATEKEYBLOBs.  Oracle: parse, build, parse, build must
 * give the same bytes twice (the first build may legitimately differ from
 * the input: aiKeyAlg and the reserved word are normalised).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "dpapi/pvk.h"
#include "util/error.h"

/* RSA-16384 PVK: 24 + 20 + 9 * 1024 bytes. */
#define MAX_LENGTH 10000

static int fuzz_one_input(const uint8_t *data, size_t size);

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL;
	struct cr_rsa_key *k = NULL;
	struct cr_rsa_key *k2 = NULL;
	uint8_t *a = NULL;
	uint8_t *b = NULL;
	size_t a_len = 0;
	size_t b_len = 0;
	uint32_t spec = 0;
	uint32_t alg = 0;
	char *err = NULL;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem = talloc_new(NULL);
	(void)cr_privatekeyblob_parse(mem, data, size, &k, &alg, &err);
	if (cr_pvk_parse(mem, data, size, &k, &spec, &err) != 0) {
		goto done;
	}
	if (cr_pvk_build(mem, k, spec, &a, &a_len, &err) != 0) {
		/* refused: a CRT field is zero or the key too big */
		goto done;
	}
	if (cr_pvk_parse(mem, a, a_len, &k2, &spec, &err) != 0 ||
	    cr_pvk_build(mem, k2, spec, &b, &b_len, &err) != 0 ||
	    a_len != b_len || memcmp(a, b, a_len) != 0) {
		abort();
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
