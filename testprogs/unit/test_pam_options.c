/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for pam_credroam's options: defaults, credroam.conf [pam],
 * PAM-line arguments winning over it, and bad arguments that must never
 * fail a logon (a warning, the previous value kept).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>

#include "gpo/policy.h"
#include "test_util.h"

/* the module's option parser is not part of libcredroam */
#include "../../winbind_plugin/pam_credroam_opts.c"

static size_t list_len(const char **l)
{
	size_t n = 0;

	while (l != NULL && l[n] != NULL) {
		n++;
	}
	return n;
}

static struct pcr_opts *parse(TALLOC_CTX *mem, const struct credroam_conf *c,
			      const char **argv)
{
	struct pcr_opts *o = NULL;
	int argc = 0;

	while (argv != NULL && argv[argc] != NULL) {
		argc++;
	}
	assert_int_equal(pcr_opts_parse(mem, c, argc, argv, &o), 0);
	assert_non_null(o);
	return o;
}

static void test_pam_options_defaults(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	struct pcr_opts *o = parse(t->mem, NULL, NULL);

	assert_false(o->debug);
	assert_int_equal(o->budget_us, 2000000);
	assert_string_equal(o->credroam, "/usr/bin/credroam");
	assert_string_equal(o->rundir, "/run/credroam");
	assert_null(o->conf_path);
	assert_true(pcr_service_listed(o->services, "login"));
	assert_true(pcr_service_listed(o->services, "sshd"));
	assert_true(pcr_service_listed(o->services, "gdm-password"));
	assert_true(pcr_service_listed(o->services, "gdm-smartcard"));
	assert_true(pcr_service_listed(o->services, "lightdm"));
	assert_true(pcr_service_listed(o->services, "sddm"));
	assert_true(pcr_service_listed(o->services, "xrdp-sesman"));
	assert_false(pcr_service_listed(o->services, "lightdm-autologin"));
	assert_false(pcr_service_listed(o->services, "cron"));
	assert_false(pcr_service_listed(o->services, "sudo"));
	assert_true(pcr_service_listed(o->unlock_services, "xscreensaver"));
	assert_true(pcr_service_listed(o->unlock_services, "swaylock"));
	assert_false(pcr_service_listed(o->unlock_services, "login"));
	assert_int_equal(o->num_warnings, 0);
	TALLOC_FREE(o);
}

static void test_pam_options_conf_then_line(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	static const char text[] = "[pam]\n"
				   "debug = yes\n"
				   "time budget = 0.75\n"
				   "services = lightdm, sshd\n";
	const char *argv[] = { "budget=3.5", NULL };
	struct credroam_conf *conf = NULL;
	struct pcr_opts *o = NULL;

	assert_int_equal(credroam_conf_parse(t->mem, text, strlen(text),
					     "test.conf", &conf, NULL), 0);
	o = parse(t->mem, conf, NULL);
	assert_true(o->debug);
	assert_int_equal(o->budget_us, 750000);
	assert_true(pcr_service_listed(o->services, "lightdm"));
	assert_true(pcr_service_listed(o->services, "sshd"));
	assert_false(pcr_service_listed(o->services, "login"));
	TALLOC_FREE(o);

	/* the PAM line wins over the file */
	o = parse(t->mem, conf, argv);
	assert_int_equal(o->budget_us, 3500000);
	assert_true(o->debug);
	TALLOC_FREE(o);
	TALLOC_FREE(conf);
}

static void test_pam_options_line(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	const char *argv[] = {
		"debug", "budget=0", "services=login,xrdp-sesman",
		"unlock=mylock", "credroam=/opt/cr/bin/credroam",
		"conf=/etc/cr.conf", "rundir=/tmp/x", "materialize=files",
		"agent=no", NULL,
	};
	struct pcr_opts *o = parse(t->mem, NULL, argv);

	assert_true(o->debug);
	assert_int_equal(o->budget_us, 0);
	assert_int_equal(list_len(o->services), 2);
	assert_true(pcr_service_listed(o->services, "xrdp-sesman"));
	assert_false(pcr_service_listed(o->services, "sshd"));
	assert_int_equal(list_len(o->unlock_services), 1);
	assert_true(pcr_service_listed(o->unlock_services, "mylock"));
	assert_false(pcr_service_listed(o->unlock_services, "xscreensaver"));
	assert_string_equal(o->credroam, "/opt/cr/bin/credroam");
	assert_string_equal(o->conf_path, "/etc/cr.conf");
	assert_string_equal(o->rundir, "/tmp/x");
	assert_int_equal(o->materialize, CR_MATERIALIZE_FILES);
	assert_false(o->agent);
	assert_int_equal(o->num_warnings, 0);
	assert_string_equal(pcr_opts_conf_path(9, argv), "/etc/cr.conf");
	TALLOC_FREE(o);
}

static void test_pam_options_star(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	const char *argv[] = { "services=*", "unlock=", NULL };
	struct pcr_opts *o = parse(t->mem, NULL, argv);

	assert_true(pcr_service_listed(o->services, "anything"));
	assert_int_equal(list_len(o->unlock_services), 0);
	assert_false(pcr_service_listed(o->unlock_services, "xscreensaver"));
	TALLOC_FREE(o);
}

/* Bad arguments: a warning naming the argument, the old value kept. */
static void test_pam_options_bad(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	static const struct {
		const char *arg;
		const char *warning;
	} cases[] = {
		{ "budget=", "budget=''" },
		{ "budget=abc", "expected seconds" },
		{ "budget=-1", "expected seconds" },
		{ "budget=61", "expected seconds" },
		{ "budget=1.1234567", "expected seconds" },
		{ "budget=2.", "expected seconds" },
		{ "budget=2s", "expected seconds" },
		{ "services=log in", "not a PAM service name" },
		{ "services=a/b", "not a PAM service name" },
		{ "credroam=credroam", "expected an absolute path" },
		{ "credroam=", "expected an absolute path" },
		{ "conf=relative.conf", "expected an absolute path" },
		{ "rundir=/", "expected an absolute path" },
		{ "use_first_pass", "unknown option 'use_first_pass'" },
		{ "colour=blue", "unknown option 'colour'" },
		{ "materialize=pem", "expected token or files" },
		{ "agent=maybe", "expected yes or no" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[] = { cases[i].arg, NULL };
		struct pcr_opts *o = NULL;

		printf("case %zu: '%s'\n", i, cases[i].arg);
		o = parse(t->mem, NULL, argv);
		assert_int_equal(o->num_warnings, 1);
		if (strstr(o->warnings[0], cases[i].warning) == NULL) {
			fail_msg("case %zu: '%s' lacks '%s'", i,
				 o->warnings[0], cases[i].warning);
		}
		assert_int_equal(o->budget_us, 2000000);
		assert_string_equal(o->credroam, "/usr/bin/credroam");
		assert_string_equal(o->rundir, "/run/credroam");
		assert_int_equal(o->materialize, CR_MATERIALIZE_DEFAULT);
		assert_true(o->agent);
		assert_true(pcr_service_listed(o->services, "login"));
		TALLOC_FREE(o);
	}
}

static void test_pam_options_seconds(void **state)
{
	static const struct {
		const char *s;
		bool ok;
		uint64_t us;
	} cases[] = {
		{ "0", true, 0 },
		{ "2", true, 2000000 },
		{ "0.5", true, 500000 },
		{ "1.000001", true, 1000001 },
		{ "60", true, 60000000 },
		{ "60.000001", false, 0 },
		{ "", false, 0 },
		{ ".5", false, 0 },
		{ "1e3", false, 0 },
		{ "99999999999999999999", false, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t us = 12345;
		bool ok;

		printf("case %zu: '%s'\n", i, cases[i].s);
		ok = credroam_conf_parse_seconds(cases[i].s, PCR_MAX_BUDGET_US,
						 &us);
		assert_int_equal(ok, cases[i].ok);
		if (ok) {
			assert_int_equal(us, cases[i].us);
		} else {
			assert_int_equal(us, 12345);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_pam_options_defaults),
		cr_unit_test(test_pam_options_conf_then_line),
		cr_unit_test(test_pam_options_line),
		cr_unit_test(test_pam_options_star),
		cr_unit_test(test_pam_options_bad),
		cr_unit_test(test_pam_options_seconds),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.pam_options",
					   tests, NULL, NULL);
}
