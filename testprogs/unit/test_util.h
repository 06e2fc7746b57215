/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Helpers shared by the unit tests (header only: the build makes one binary
 * per test file, linking nothing but the library and cmocka).
 */
#ifndef CREDROAM_TEST_UTIL_H
#define CREDROAM_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>

#include "util/encoding.h"
#include "util/error.h"
#include "util/stackframe.h"

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

/* cr_test_read() of a file the test cannot go on without. */
static inline uint8_t *cr_test_read_or_fail(TALLOC_CTX *mem_ctx,
					    const char *rel, size_t *len)
{
	uint8_t *buf = cr_test_read(mem_ctx, rel, len);

	if (buf == NULL) {
		fail_msg("cannot read test data '%s' (run from the top of the "
			 "tree or set CREDROAM_TESTDATA)", rel);
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

/*
 * The fixture of every unit test (cr_unit_test): whatever the test
 * allocates with talloc, on t->mem or anywhere else, must be freed when it
 * ends.  Null tracking makes every top-level talloc chunk a child of one
 * context whose block count is compared before and after.  Error
 * messages live in the library's message context (util/error.h); a test
 * that receives one owns it, so the fixture frees the messages before it
 * counts.
 */
struct cr_test_ctx {
	TALLOC_CTX *mem;
};

/* talloc blocks alive when the running test started */
static size_t cr_test_leak_baseline;

static inline void cr_test_warm_up(void)
{
	TALLOC_CTX *frame = NULL;
	char *msg = NULL;

	/* first uses that allocate for good: the stackframe stack, the
	 * message context */
	frame = talloc_stackframe();
	TALLOC_FREE(frame);
	cr_seterr(&msg, "warm up");
	cr_err_clear(&msg);
}

/* The first thing every test's setup does. */
static inline void cr_test_leak_begin(void)
{
	talloc_enable_null_tracking();
	cr_test_warm_up();
	cr_test_leak_baseline = talloc_total_blocks(NULL);
	if (getenv("CR_TEST_LEAK_DEBUG") != NULL) {
		talloc_report_full(NULL, stderr);
	}
}

/* The last thing every test's teardown does. */
static inline void cr_test_leak_end(void)
{
	size_t now;

	cr_err_drain();
	now = talloc_total_blocks(NULL);
	if (now != cr_test_leak_baseline) {
		talloc_report_full(NULL, stderr);
		fail_msg("%zd talloc blocks leaked by this test",
			 (ssize_t)(now - cr_test_leak_baseline));
	}
}

static inline int cr_test_setup(void **state)
{
	struct cr_test_ctx *t = NULL;

	cr_test_leak_begin();
	t = talloc_zero(NULL, struct cr_test_ctx);
	assert_non_null(t);
	t->mem = talloc_new(t);
	assert_non_null(t->mem);
	*state = t;
	return 0;
}

static inline int cr_test_teardown(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);

	talloc_free(t);
	cr_test_leak_end();
	return 0;
}

#define cr_unit_test(f) \
	cmocka_unit_test_setup_teardown(f, cr_test_setup, cr_test_teardown)

/* Fail the test unless s contains part. */
static inline void cr_assert_contains(const char *s, const char *part)
{
	if (s == NULL || strstr(s, part) == NULL) {
		fail_msg("'%s' lacks '%s'", (s != NULL) ? s : "(null)", part);
	}
}

#endif
