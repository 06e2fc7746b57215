/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: DN-Binary values (cr_dnbinary_parse), then the token
 * inside them.
 *
 * Oracle: building the value again from its binary and DN gives the
 * input back, except that hex comes out in upper case.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "format/token.h"
#include "util/error.h"

/* a whole token in hex plus a long DN */
#define MAX_LENGTH (2 * 128 * 1024 + 4096)

static int fuzz_one_input(const uint8_t *data, size_t size);

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem_ctx = NULL;
	const char *s = (const char *)data;
	uint8_t *bin = NULL;
	size_t bin_len = 0;
	char *dn = NULL;
	char *value = NULL;
	struct cr_token *t = NULL;
	char prefix[32];
	size_t hex_start;
	size_t i;
	int rc;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem_ctx = talloc_new(NULL);
	/* the parser takes a length: no NUL-terminated copy needed */
	rc = cr_dnbinary_parse(mem_ctx, s, size, &bin, &bin_len, &dn, NULL,
			       NULL);
	if (rc != 0) {
		goto done;
	}
	rc = cr_dnbinary_build(mem_ctx, bin, bin_len, dn, &value, NULL);
	if (rc != 0 || strlen(value) != size) {
		abort();
	}
	snprintf(prefix, sizeof(prefix), "B:%zu:", bin_len * 2);
	hex_start = strlen(prefix);
	if (memcmp(value, s, hex_start) != 0) {
		abort();
	}
	for (i = hex_start; i < size; i++) {
		bool in_hex = i < hex_start + bin_len * 2;
		char want = in_hex ? (char)toupper((unsigned char)s[i]) : s[i];

		if (value[i] != want) {
			abort();
		}
	}
	(void)cr_token_parse(mem_ctx, bin, bin_len, &t, NULL, NULL);
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
