/*
 * Helpers shared by the test_dpapi_*.c unit tests (header only: the build
 * makes one binary per test file).
 */
#ifndef CREDROAM_DPAPI_TEST_UTIL_H
#define CREDROAM_DPAPI_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "encoding.h"

/*
 * Read testdata/<rel>: $CREDROAM_TESTDATA, else ./testdata (the top of the
 * tree), else ../testdata.
 */
static inline uint8_t *cr_test_read(TALLOC_CTX *mem_ctx, const char *rel,
				    size_t *len)
{
	const char *env = getenv("CREDROAM_TESTDATA");
	const char *dirs[3] = { env, "testdata", "../testdata" };
	uint8_t *buf = NULL;
	size_t i;

	*len = 0;
	for (i = 0; i < 3 && buf == NULL; i++) {
		char *path = NULL;
		FILE *f = NULL;
		long n;

		if (dirs[i] == NULL) {
			continue;
		}
		path = talloc_asprintf(mem_ctx, "%s/%s", dirs[i], rel);
		f = fopen(path, "rb");
		talloc_free(path);
		if (f == NULL) {
			continue;
		}
		if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
		    fseek(f, 0, SEEK_SET) == 0) {
			buf = talloc_size(mem_ctx, (size_t)n + 1);
			if (buf != NULL &&
			    fread(buf, 1, (size_t)n, f) == (size_t)n) {
				*len = (size_t)n;
			} else {
				TALLOC_FREE(buf);
			}
		}
		fclose(f);
	}
	if (buf == NULL) {
		fprintf(stderr, "cannot read testdata/%s\n", rel);
	}
	return buf;
}

/* Hex to bytes; aborts the test on bad input (a typo in a test table). */
static inline uint8_t *cr_test_hex(TALLOC_CTX *mem_ctx, const char *hex,
				   size_t *len)
{
	uint8_t *out = NULL;
	size_t n = strlen(hex);

	if (cr_hex_decode(mem_ctx, hex, n, &out, NULL) != 0) {
		fprintf(stderr, "bad hex in test: %s\n", hex);
		abort();
	}
	if (len != NULL) {
		*len = n / 2;
	}
	return out;
}

#endif
