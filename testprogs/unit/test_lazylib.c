/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for loading a library on first use (lazylib.c): the table is
 * filled from the library, and a missing library or symbol is an error
 * that names it and what needed it.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>
#include <talloc.h>

#include "util/lazylib.h"
#include "test_util.h"

static void test_lazylib_fills_table(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct {
		__typeof__(strcasecmp) *casecmp;
	} api = { NULL };
	const struct cr_lazy_sym syms[] = {
		{ "strcasecmp", (void **)&api.casecmp },
		{ NULL, NULL },
	};
	char *err = NULL;

	assert_int_equal(cr_lazylib_load(mem, "libc.so.6", syms, "a test",
					 &err), 0);
	assert_null(err);
	assert_non_null(api.casecmp);
	assert_int_equal(api.casecmp("SYSVOL", "sysvol"), 0);
	/* the libraries the tree loads this way are there */
	assert_int_equal(cr_lazylib_load(mem, CR_LIBSMBCLIENT_SONAME,
					 &syms[1], "a test", &err), 0);
	assert_int_equal(cr_lazylib_load(mem, CR_LIBDCERPC_SONAME,
					 &syms[1], "a test", &err), 0);
	assert_int_equal(cr_lazylib_load(mem, CR_LIBKRB5_SONAME,
					 &syms[1], "a test", &err), 0);
	talloc_free(mem);
}

static void test_lazylib_errors(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	void *addr = NULL;
	const struct cr_lazy_sym syms[] = {
		{ "credroam_no_such_symbol", &addr },
		{ NULL, NULL },
	};
	char *err = NULL;

	assert_int_equal(cr_lazylib_load(mem, "libcredroam-none.so.9", syms,
					 "reading SYSVOL", &err), ENOENT);
	assert_non_null(strstr(err, "reading SYSVOL needs "
			       "libcredroam-none.so.9"));
	err = NULL;
	assert_int_equal(cr_lazylib_load(mem, "libc.so.6", syms, "a test",
					 &err), ENOENT);
	assert_non_null(strstr(err, "a test needs credroam_no_such_symbol "
			       "from libc.so.6"));
	assert_null(addr);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_lazylib_fills_table),
		cr_unit_test(test_lazylib_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
