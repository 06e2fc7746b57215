/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The agent's socket folder (review M6): $XDG_RUNTIME_DIR is used only
 * when it is a real folder of ours that nobody else may use; the message
 * names the folder and the problem.  And the p11-kit address of a socket
 * path is percent-encoded (review L4): a newline cannot add a line to a
 * module file.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../source/tools/agent_socket.c"
#include "test_util.h"

static void expect_refused(struct cr_test_ctx *t, const char *dir,
			   const char *why)
{
	char *err = NULL;

	assert_int_equal(cr_agent_check_runtime_dir(dir, &err), EACCES);
	assert_non_null(err);
	assert_non_null(strstr(err, dir));
	assert_non_null(strstr(err, why));
	cr_err_clear(&err);
	(void)t;
}

static void test_p11_socket_runtime_dir(void **state)
{
	struct cr_test_ctx *t = *state;
	char tmpl[] = "/tmp/test_p11_socket.XXXXXX";
	char *link = NULL;
	char *path = NULL;
	char *err = NULL;
	char *cmd = NULL;

	assert_non_null(mkdtemp(tmpl));
	assert_int_equal(chmod(tmpl, 0700), 0);
	assert_int_equal(cr_agent_check_runtime_dir(tmpl, &err), 0);

	setenv("XDG_RUNTIME_DIR", tmpl, 1);
	assert_int_equal(cr_agent_default_socket(t->mem, &path, &err), 0);
	assert_non_null(strstr(path, "/credroam/pkcs11"));
	TALLOC_FREE(path);

	assert_int_equal(chmod(tmpl, 0750), 0);
	expect_refused(t, tmpl, "mode 0750");
	assert_int_equal(cr_agent_default_socket(t->mem, &path, &err),
			 EACCES);
	assert_null(path);
	cr_err_clear(&err);
	assert_int_equal(chmod(tmpl, 0701), 0);
	expect_refused(t, tmpl, "must be 0700");
	assert_int_equal(chmod(tmpl, 0700), 0);

	link = talloc_asprintf(t->mem, "%s.link", tmpl);
	assert_int_equal(symlink(tmpl, link), 0);
	expect_refused(t, link, "symbolic link");
	assert_int_equal(unlink(link), 0);
	if (getuid() != 0) {
		/* a folder of someone else: / belongs to root */
		expect_refused(t, "/", "belongs to uid 0");
	}
	assert_int_equal(cr_agent_check_runtime_dir("/nonexistent/x", &err),
			 ENOENT);
	assert_non_null(strstr(err, "/nonexistent/x"));
	cr_err_clear(&err);

	cmd = talloc_asprintf(t->mem, "rm -rf '%s'", tmpl);
	assert_int_equal(system(cmd), 0);
	unsetenv("XDG_RUNTIME_DIR");
}

static void test_p11_socket_address(void **state)
{
	struct cr_test_ctx *t = *state;
	char *a = cr_agent_address(t->mem, "/run/user/1000/credroam/pkcs11");

	assert_string_equal(a, "unix:path=/run/user/1000/credroam/pkcs11");
	a = cr_agent_address(t->mem, "/tmp/x\nmodule: /evil.so %");
	assert_string_equal(a,
		"unix:path=/tmp/x%0Amodule%3A%20/evil.so%20%25");
	assert_null(strchr(a, '\n'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_p11_socket_runtime_dir),
		cr_unit_test(test_p11_socket_address),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.p11_socket",
					   tests, NULL, NULL);
}
