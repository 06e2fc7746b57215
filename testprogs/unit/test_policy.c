/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for the credential roaming policy: GPO application order,
 * deletions, ranges, credroam.conf parsing and override, the reason-off
 * sentences and the admin-side Registry.pol update.
 */
#include "config.h"

#include <errno.h>
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
#include <talloc.h>

#include "gpo/policy.h"
#include "format/preg.h"
#include "test_util.h"

#define AE POLICY_KEY

/* Merge with an optional conf and return the effective policy. */
static struct policy *effective(TALLOC_CTX *mem, const struct policy *gpo,
				const struct credroam_conf *conf)
{
	struct policy *eff = NULL;
	char *err = NULL;
	int rc;

	rc = policy_merge(mem, gpo, conf, &eff, &err);
	assert_int_equal(rc, 0);
	assert_non_null(eff);
	return eff;
}

static struct credroam_conf *conf_from(TALLOC_CTX *mem, const char *text)
{
	struct credroam_conf *conf = NULL;
	char *err = NULL;
	int rc;

	rc = credroam_conf_parse(mem, text, strlen(text), "test.conf", &conf,
				 &err);
	if (rc != 0) {
		fail_msg("conf parse failed: %s", err);
	}
	return conf;
}

static void test_policy_defaults(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct policy *gpo = policy_new(mem);
	struct policy *eff = NULL;
	char *why = NULL;
	uint32_t min;
	uint32_t max;

	assert_non_null(gpo);
	eff = effective(mem, gpo, NULL);
	assert_false(policy_roaming_on(eff));
	assert_int_equal(eff->v[POLICY_TOMBSTONE_DAYS].value, 60);
	assert_int_equal(eff->v[POLICY_MAX_NUM_TOKENS].value, 2000);
	assert_int_equal(eff->v[POLICY_MAX_TOKEN_SIZE].value, 65535);
	assert_int_equal(eff->v[POLICY_AE_POLICY].value, 0);
	assert_int_equal(eff->v[POLICY_ROAM_SMART_CARD_CERTS].value, 0);
	assert_false(eff->v[POLICY_DIMS_ROAMING].set);
	assert_string_equal(eff->v[POLICY_MAX_TOKEN_SIZE].source, "default");
	assert_string_equal(policy_value_name(POLICY_MAX_NUM_TOKENS),
			    "DIMSRoamingMaxNumTokens");
	assert_int_equal(policy_default(POLICY_TOMBSTONE_DAYS), 60);
	policy_range(POLICY_MAX_TOKEN_SIZE, &min, &max);
	assert_int_equal(min, 1);
	assert_int_equal(max, 100000);
	why = policy_reason_off(mem, eff);
	printf("reason: %s\n", why);
	cr_assert_contains(why, "no GPO sets DIMSRoaming under HKCU\\Software\\"
			   "Policies\\Microsoft\\Cryptography\\AutoEnrollment");
	cr_assert_contains(why, "/etc/samba/credroam.conf does not say "
			   "'roaming = yes'");
	talloc_free(mem);
}

static const struct range_case {
	enum policy_id id;
	uint32_t configured;
	bool invalid;
	uint32_t value;
} range_cases[] = {
	{ POLICY_TOMBSTONE_DAYS, 0, true, 60 },
	{ POLICY_TOMBSTONE_DAYS, 1, false, 1 },
	{ POLICY_TOMBSTONE_DAYS, 3650, false, 3650 },
	{ POLICY_TOMBSTONE_DAYS, 3651, true, 60 },
	{ POLICY_MAX_NUM_TOKENS, 0, true, 2000 },
	{ POLICY_MAX_NUM_TOKENS, 10000, false, 10000 },
	{ POLICY_MAX_NUM_TOKENS, 10001, true, 2000 },
	{ POLICY_MAX_TOKEN_SIZE, 100000, false, 100000 },
	{ POLICY_MAX_TOKEN_SIZE, 100001, true, 65535 },
	{ POLICY_MAX_TOKEN_SIZE, 0xffffffff, true, 65535 },
	{ POLICY_DIMS_ROAMING, 0xffffffff, false, 0xffffffff },
	{ POLICY_AE_POLICY, 0x8000, false, 0x8000 },
	{ POLICY_ROAM_UNUSED_DPAPI_KEYS, 1, false, 1 },
	{ POLICY_ROAM_UNUSED_DPAPI_KEYS, 2, true, 0 },
};

static void test_policy_ranges(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	size_t i;

	for (i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]); i++) {
		const struct range_case *c = &range_cases[i];
		TALLOC_CTX *mem = talloc_new(t->mem);
		struct preg_file *f = preg_new(mem);
		struct policy *gpo = policy_new(mem);
		struct policy *eff = NULL;
		const struct policy_value *v = NULL;
		char *err = NULL;

		printf("case %zu: %s = %u\n", i, policy_value_name(c->id),
		       c->configured);
		assert_int_equal(preg_add_dword(f, AE, policy_value_name(c->id),
						c->configured, &err), 0);
		assert_int_equal(policy_apply_preg(gpo, f, "GPO-A", &err), 0);
		eff = effective(mem, gpo, NULL);
		v = &eff->v[c->id];
		assert_true(v->set);
		assert_int_equal(v->invalid, c->invalid);
		assert_int_equal(v->value, c->value);
		assert_int_equal(v->configured, c->configured);
		assert_string_equal(v->source, "GPO-A");
		if (c->invalid) {
			cr_assert_contains(v->note, "from GPO-A is outside");
			cr_assert_contains(v->note, "using the default");
		}
		talloc_free(mem);
	}
}

static void test_policy_gpo_order(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct preg_file *a = preg_new(mem);
	struct preg_file *b = preg_new(mem);
	struct policy *gpo = policy_new(mem);
	struct policy *eff = NULL;
	char *err = NULL;

	/* key compared without regard to case; other keys ignored */
	assert_int_equal(preg_add_dword(a, "software\\policies\\microsoft\\"
					"cryptography\\autoenrollment",
					"dimsroaming", 1, &err), 0);
	assert_int_equal(preg_add_dword(a, AE, "DIMSRoamingTombstoneDays", 30,
					&err), 0);
	assert_int_equal(preg_add_dword(a, AE "\\Sub", "AEPolicy", 7, &err),
			 0);
	assert_int_equal(preg_add_dword(a, AE, "OfflineExpirationPercent",
					10, &err), 0);
	assert_int_equal(preg_add_dword(b, AE, "DIMSRoamingTombstoneDays", 90,
					&err), 0);
	assert_int_equal(preg_add_dword(b, AE, "DIMSRoamingMaxNumTokens", 5,
					&err), 0);
	/* within one file the last entry wins as well */
	assert_int_equal(preg_add_dword(b, AE, "DIMSRoamingMaxNumTokens", 6,
					&err), 0);

	assert_int_equal(policy_apply_preg(gpo, a, "Default Domain Policy "
					   "{31B2F340-016D-11D2-945F-"
					   "00C04FB984F9}", &err), 0);
	assert_int_equal(policy_apply_preg(gpo, b, "Roaming OU", &err), 0);
	eff = effective(mem, gpo, NULL);
	assert_true(policy_roaming_on(eff));
	assert_null(policy_reason_off(mem, eff));
	cr_assert_contains(eff->v[POLICY_DIMS_ROAMING].source,
			   "Default Domain Policy {31B2F340");
	assert_int_equal(eff->v[POLICY_TOMBSTONE_DAYS].value, 90);
	assert_string_equal(eff->v[POLICY_TOMBSTONE_DAYS].source,
			    "Roaming OU");
	assert_int_equal(eff->v[POLICY_MAX_NUM_TOKENS].value, 6);
	assert_false(eff->v[POLICY_AE_POLICY].set);
	talloc_free(mem);
}

static void test_policy_deletions(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct preg_file *a = preg_new(mem);
	struct preg_file *b = preg_new(mem);
	struct preg_file *c = preg_new(mem);
	struct preg_file *d = preg_new(mem);
	struct preg_file *e = preg_new(mem);
	struct policy *gpo = policy_new(mem);
	struct policy *eff = NULL;
	char *why = NULL;
	char *err = NULL;

	assert_int_equal(preg_add_dword(a, AE, "DIMSRoaming", 1, &err), 0);
	assert_int_equal(preg_add_dword(a, AE, "AEPolicy", 7, &err), 0);
	assert_int_equal(preg_add_dword(a, AE, "DIMSRoamingMaxTokenSize",
					4096, &err), 0);
	/* B deletes one value of A's */
	assert_int_equal(preg_add_sz(b, AE, "**del.DIMSRoaming", " ", &err),
			 0);
	assert_int_equal(policy_apply_preg(gpo, a, "GPO-A", &err), 0);
	assert_int_equal(policy_apply_preg(gpo, b, "GPO-B", &err), 0);
	eff = effective(mem, gpo, NULL);
	assert_false(policy_roaming_on(eff));
	assert_false(eff->v[POLICY_DIMS_ROAMING].set);
	assert_string_equal(eff->v[POLICY_DIMS_ROAMING].deleted_by, "GPO-B");
	assert_int_equal(eff->v[POLICY_AE_POLICY].value, 7);
	why = policy_reason_off(mem, eff);
	printf("reason: %s\n", why);
	assert_string_equal(why, "DIMSRoaming was deleted by **del. in GPO "
			    "'GPO-B', and no later GPO sets it");

	/* C sets it again, with **soft. for a value that exists */
	assert_int_equal(preg_add_dword(c, AE, "**soft.DIMSRoaming", 1, &err),
			 0);
	assert_int_equal(preg_add_dword(c, AE, "**soft.AEPolicy", 3, &err),
			 0);
	assert_int_equal(policy_apply_preg(gpo, c, "GPO-C", &err), 0);
	eff = effective(mem, gpo, NULL);
	assert_true(policy_roaming_on(eff));
	assert_string_equal(eff->v[POLICY_DIMS_ROAMING].source, "GPO-C");
	assert_null(eff->v[POLICY_DIMS_ROAMING].deleted_by);
	assert_int_equal(eff->v[POLICY_AE_POLICY].value, 7);
	assert_string_equal(eff->v[POLICY_AE_POLICY].source, "GPO-A");

	/* D: **delvals. clears the key, then sets one value again */
	assert_int_equal(preg_add_sz(d, AE, "**delvals.", " ", &err), 0);
	assert_int_equal(preg_add_dword(d, AE, "DIMSRoamingTombstoneDays", 7,
					&err), 0);
	assert_int_equal(policy_apply_preg(gpo, d, "GPO-D", &err), 0);
	eff = effective(mem, gpo, NULL);
	assert_false(policy_roaming_on(eff));
	assert_false(eff->v[POLICY_AE_POLICY].set);
	assert_int_equal(eff->v[POLICY_MAX_TOKEN_SIZE].value, 65535);
	assert_int_equal(eff->v[POLICY_TOMBSTONE_DAYS].value, 7);
	why = policy_reason_off(mem, eff);
	cr_assert_contains(why, "deleted by **delvals. in GPO 'GPO-D'");

	/* E: **DeleteValues and **DeleteKeys */
	assert_int_equal(preg_add_dword(e, AE, "DIMSRoaming", 1, &err), 0);
	assert_int_equal(preg_add_dword(e, AE, "AEPolicy", 1, &err), 0);
	assert_int_equal(preg_add_sz(e, AE, "**DeleteValues",
				     "Other;dimsroaming", &err), 0);
	assert_int_equal(policy_apply_preg(gpo, e, "GPO-E", &err), 0);
	eff = effective(mem, gpo, NULL);
	assert_false(policy_roaming_on(eff));
	assert_true(eff->v[POLICY_AE_POLICY].set);
	cr_assert_contains(policy_reason_off(mem, eff),
			   "deleted by **DeleteValues in GPO 'GPO-E'");

	TALLOC_FREE(e);
	e = preg_new(mem);
	assert_int_equal(preg_add_sz(e, "Software\\Policies\\Microsoft\\"
				     "Cryptography", "**DeleteKeys",
				     "Software\\Policies\\Microsoft\\"
				     "Cryptography\\PolicyServers", &err), 0);
	assert_int_equal(policy_apply_preg(gpo, e, "GPO-F", &err), 0);
	eff = effective(mem, gpo, NULL);
	assert_true(eff->v[POLICY_AE_POLICY].set);
	TALLOC_FREE(e);
	e = preg_new(mem);
	assert_int_equal(preg_add_sz(e, "Software\\Policies\\Microsoft",
				     "**DeleteKeys", "Software\\Policies\\"
				     "Microsoft\\Cryptography", &err), 0);
	assert_int_equal(policy_apply_preg(gpo, e, "GPO-G", &err), 0);
	eff = effective(mem, gpo, NULL);
	assert_false(eff->v[POLICY_AE_POLICY].set);
	assert_string_equal(eff->v[POLICY_AE_POLICY].deleted_by, "GPO-G");

	/* **SecureKey and deletions for other keys change nothing */
	TALLOC_FREE(e);
	e = preg_new(mem);
	assert_int_equal(preg_add_dword(e, AE, "DIMSRoaming", 1, &err), 0);
	assert_int_equal(preg_add_dword(e, AE, "**SecureKey", 1, &err), 0);
	assert_int_equal(preg_add_sz(e, AE "\\Other", "**delvals.", " ",
				     &err), 0);
	assert_int_equal(preg_add_sz(e, "Software\\X", "**del.DIMSRoaming",
				     " ", &err), 0);
	assert_int_equal(policy_apply_preg(gpo, e, "GPO-H", &err), 0);
	eff = effective(mem, gpo, NULL);
	assert_true(policy_roaming_on(eff));
	talloc_free(mem);
}

static void test_policy_reason_off(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct preg_file *f = preg_new(mem);
	struct policy *gpo = policy_new(mem);
	struct policy *eff = NULL;
	char *why = NULL;
	char *err = NULL;

	/* bit 0x1 decides, other bits do not matter */
	assert_int_equal(preg_add_dword(f, AE, "DIMSRoaming", 2, &err), 0);
	assert_int_equal(policy_apply_preg(gpo, f, "Lab GPO", &err), 0);
	eff = effective(mem, gpo, NULL);
	why = policy_reason_off(mem, eff);
	printf("reason: %s\n", why);
	assert_string_equal(why, "DIMSRoaming is 0x2 in GPO 'Lab GPO' (bit "
			    "0x1, roam certificates and keys, is not set)");
	assert_int_equal(preg_replace_dword(f, 0, AE, "DIMSRoaming", 3, &err),
			 0);
	assert_int_equal(policy_apply_preg(gpo, f, "Lab GPO", &err), 0);
	eff = effective(mem, gpo, NULL);
	assert_true(policy_roaming_on(eff));

	/* a REG_SZ DIMSRoaming is not usable */
	preg_remove(f, 0);
	assert_int_equal(preg_add_sz(f, AE, "DIMSRoaming", "1", &err), 0);
	assert_int_equal(policy_apply_preg(gpo, f, "Typo GPO", &err), 0);
	eff = effective(mem, gpo, NULL);
	assert_false(policy_roaming_on(eff));
	assert_true(eff->v[POLICY_DIMS_ROAMING].invalid);
	why = policy_reason_off(mem, eff);
	printf("reason: %s\n", why);
	assert_string_equal(why, "credential roaming is off: DIMSRoaming in "
			    "GPO 'Typo GPO' is REG_SZ, not REG_DWORD");
	talloc_free(mem);
}

static void test_policy_conf_parse(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct credroam_conf *conf = NULL;

	conf = conf_from(mem,
		"# credroam.conf\n"
		"  ; another comment\n"
		"\n"
		"[policy]\n"
		"roaming = yes\n"
		"Tombstone   Days\t=\t30\r\n"
		"max tokens = 10000\n"
		"max token size = 1\n"
		"roam unaffiliated keys = true\n"
		"roam unused dpapi keys = Off\n"
		"roam smart card certificates = 1\n"
		"override = no\n"
		"[PAM]\n"
		"debug = yes\n"
		"time budget = 0.25\n"
		"services = login, gdm-password sshd\tsudo-i\n"
		"[sync]\n"
		"dc = dc1.samdom.example.com\n"
		"materialize = Files\n"
		"timeout = 300");
	assert_true(conf->present);
	assert_true(conf->pol_set[POLICY_DIMS_ROAMING]);
	assert_int_equal(conf->pol[POLICY_DIMS_ROAMING], 1);
	assert_int_equal(conf->pol[POLICY_TOMBSTONE_DAYS], 30);
	assert_int_equal(conf->pol_line[POLICY_TOMBSTONE_DAYS], 6);
	assert_int_equal(conf->pol[POLICY_MAX_NUM_TOKENS], 10000);
	assert_int_equal(conf->pol[POLICY_MAX_TOKEN_SIZE], 1);
	assert_int_equal(conf->pol[POLICY_ROAM_UNAFFILIATED_KEYS], 1);
	assert_true(conf->pol_set[POLICY_ROAM_UNUSED_DPAPI_KEYS]);
	assert_int_equal(conf->pol[POLICY_ROAM_UNUSED_DPAPI_KEYS], 0);
	assert_int_equal(conf->pol[POLICY_ROAM_SMART_CARD_CERTS], 1);
	assert_false(conf->pol_set[POLICY_AE_POLICY]);
	assert_false(conf->override);
	assert_true(conf->pam_debug);
	assert_true(conf->time_budget > 0.2499 && conf->time_budget < 0.2501);
	assert_int_equal(conf->num_services, 4);
	assert_string_equal(conf->services[0], "login");
	assert_string_equal(conf->services[1], "gdm-password");
	assert_string_equal(conf->services[3], "sudo-i");
	assert_null(conf->services[4]);
	assert_string_equal(conf->dc, "dc1.samdom.example.com");
	assert_int_equal(conf->timeout, 300);
	assert_int_equal(conf->materialize, CR_MATERIALIZE_FILES);
	assert_int_equal(conf->num_warnings, 0);

	/* defaults */
	conf = conf_from(mem, "");
	assert_int_equal(conf->num_services, 7);
	assert_string_equal(conf->services[1], "sshd");
	assert_string_equal(conf->services[3], "gdm-smartcard");
	assert_string_equal(conf->services[6], "xrdp-sesman");
	assert_true(conf->time_budget > 1.999 && conf->time_budget < 2.001);
	assert_int_equal(conf->timeout, 5);
	assert_null(conf->dc);
	assert_false(conf->pam_debug);
	assert_int_equal(conf->materialize, CR_MATERIALIZE_DEFAULT);
	assert_string_equal(cr_materialize_name(conf->materialize), "token");

	/* warnings are not fatal */
	conf = conf_from(mem,
		"stray = 1\n"
		"[policy]\n"
		"bogus = 3\n"
		"roaming = no\n"
		"roaming = yes\n"
		"[other]\n"
		"x = y\n"
		"[pam]\n"
		"services =\n");
	assert_int_equal(conf->num_warnings, 4);
	assert_string_equal(conf->warnings[0],
			    "test.conf:1: 'stray' outside any section ignored");
	assert_string_equal(conf->warnings[1],
			    "test.conf:3: unknown key 'bogus' ignored");
	assert_string_equal(conf->warnings[2],
			    "test.conf:5: 'roaming' repeats line 4; this one "
			    "wins");
	assert_string_equal(conf->warnings[3],
			    "test.conf:6: unknown section [other] ignored");
	assert_null(conf->warnings[4]);
	assert_int_equal(conf->pol[POLICY_DIMS_ROAMING], 1);
	assert_int_equal(conf->num_services, 0);

	/* a UTF-8 byte order mark is skipped */
	conf = conf_from(mem, "\xef\xbb\xbf[sync]\ntimeout = 7\n");
	assert_int_equal(conf->timeout, 7);
	assert_int_equal(conf->num_warnings, 0);
	talloc_free(mem);
}

static const struct bad_conf {
	const char *text;
	const char *err;
} bad_confs[] = {
	{ "[policy]\nroaming = maybe\n",
	  "test.conf:2: roaming = 'maybe': expected yes or no" },
	{ "[policy]\ntombstone days = 0\n",
	  "test.conf:2: tombstone days = '0': expected a number from 1 to "
	  "3650" },
	{ "[policy]\ntombstone days = 3651\n", "from 1 to 3650" },
	{ "[policy]\nmax tokens = 10001\n", "from 1 to 10000" },
	{ "[policy]\nmax token size = 100001\n", "from 1 to 100000" },
	{ "[policy]\nmax token size = -5\n", "max token size = '-5'" },
	{ "[policy]\nmax token size = 99999999999\n", "from 1 to 100000" },
	{ "[policy]\nmax token size = 0x10\n", "'0x10'" },
	{ "[policy]\nmax tokens = 10 20\n", "'10 20'" },
	{ "[policy]\nmax tokens =\n", "test.conf:2: max tokens: empty value" },
	{ "[policy\n", "test.conf:1: section header without ']'" },
	{ "[policy]\njust words\n", "test.conf:2: expected 'key = value'" },
	{ "[policy]\n= 3\n", "test.conf:2: missing key before '='" },
	{ "\n\n[pam]\ntime budget = 0\n", "test.conf:4: time budget = '0'" },
	{ "[pam]\ntime budget = 61\n", "at most 60" },
	{ "[pam]\ntime budget = 1.\n", "time budget = '1.'" },
	{ "[pam]\ntime budget = 1.1234567\n", "'1.1234567'" },
	{ "[pam]\ntime budget = .5\n", "'.5'" },
	{ "[pam]\ndebug = 2\n", "debug = '2': expected yes or no" },
	{ "[pam]\nservices = login ss;hd\n",
	  "services: 'ss;hd' is not a PAM service name" },
	{ "[sync]\ntimeout = 0\n", "timeout = '0': expected a number from 1 "
	  "to 300" },
	{ "[sync]\ndc = dc1 dc2\n", "dc = 'dc1 dc2': not a host name" },
	{ "[sync]\ndc = -oProxyCommand\n", "not a host name" },
	{ "[sync]\nmaterialize = pem\n", "materialize = 'pem': expected "
	  "token or files" },
};

static void test_policy_conf_bad(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	size_t i;

	for (i = 0; i < sizeof(bad_confs) / sizeof(bad_confs[0]); i++) {
		TALLOC_CTX *mem = talloc_new(t->mem);
		struct credroam_conf *conf = NULL;
		char *err = NULL;
		int rc;

		rc = credroam_conf_parse(mem, bad_confs[i].text,
					 strlen(bad_confs[i].text),
					 "test.conf", &conf, &err);
		printf("case %zu: rc=%d err=%s\n", i, rc,
		       (err != NULL) ? err : "(none)");
		assert_int_equal(rc, EINVAL);
		assert_null(conf);
		cr_assert_contains(err, bad_confs[i].err);
		talloc_free(mem);
	}
}

static void test_policy_conf_nul_and_len(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct credroam_conf *conf = NULL;
	const char text[] = "[policy]\nroaming = yes\0junk\n";
	char *err = NULL;
	int rc;

	rc = credroam_conf_parse(mem, text, sizeof(text) - 1, "nul.conf",
				 &conf, &err);
	assert_int_equal(rc, EINVAL);
	assert_string_equal(err, "nul.conf:2: NUL byte in the line");
	/* the length is honoured: no NUL terminator needed */
	rc = credroam_conf_parse(mem, text, 15, "short.conf", &conf, &err);
	assert_int_equal(rc, EINVAL);
	cr_assert_contains(err, "short.conf:2: expected 'key = value'");
	rc = credroam_conf_parse(mem, text, 22, "cut.conf", &conf, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(conf->pol[POLICY_DIMS_ROAMING], 1);
	talloc_free(mem);
}

static void test_policy_conf_load(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct credroam_conf *conf = NULL;
	char dir[] = "/tmp/credroam-test-XXXXXX";
	char *path = NULL;
	char *err = NULL;
	FILE *fp = NULL;
	int rc;

	assert_non_null(mkdtemp(dir));
	path = talloc_asprintf(mem, "%s/credroam.conf", dir);

	rc = credroam_conf_load(mem, path, &conf, &err);
	assert_int_equal(rc, 0);
	assert_false(conf->present);
	assert_string_equal(conf->path, path);

	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("[policy]\nroaming = yes\nmax tokens = nine\n", fp);
	fclose(fp);
	rc = credroam_conf_load(mem, path, &conf, &err);
	assert_int_equal(rc, EINVAL);
	cr_assert_contains(err, "/credroam.conf:3: max tokens = 'nine'");

	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("[policy]\nroaming = yes\n", fp);
	fclose(fp);
	rc = credroam_conf_load(mem, path, &conf, &err);
	assert_int_equal(rc, 0);
	assert_true(conf->present);
	assert_true(conf->pol_set[POLICY_DIMS_ROAMING]);

	rc = credroam_conf_load(mem, dir, &conf, &err);
	assert_int_equal(rc, EIO);
	cr_assert_contains(err, "is not a regular file");

	unlink(path);
	rmdir(dir);
	talloc_free(mem);
}

static void test_policy_override(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct preg_file *f = preg_new(mem);
	struct policy *gpo = policy_new(mem);
	struct policy *none = policy_new(mem);
	struct policy *eff = NULL;
	struct credroam_conf *conf = NULL;
	char *why = NULL;
	char *err = NULL;

	assert_int_equal(preg_add_dword(f, AE, "DIMSRoaming", 1, &err), 0);
	assert_int_equal(preg_add_dword(f, AE, "DIMSRoamingMaxNumTokens", 50,
					&err), 0);
	assert_int_equal(policy_apply_preg(gpo, f, "GPO-A", &err), 0);

	/* without override the GPO wins, the file fills the gaps */
	conf = conf_from(mem, "[policy]\nroaming = no\nmax tokens = 9\n"
			 "tombstone days = 10\n");
	eff = effective(mem, gpo, conf);
	assert_true(policy_roaming_on(eff));
	assert_string_equal(eff->v[POLICY_DIMS_ROAMING].source, "GPO-A");
	assert_int_equal(eff->v[POLICY_MAX_NUM_TOKENS].value, 50);
	assert_int_equal(eff->v[POLICY_TOMBSTONE_DAYS].value, 10);
	assert_string_equal(eff->v[POLICY_TOMBSTONE_DAYS].source,
			    "credroam.conf");

	/* with override = yes the file wins */
	conf = conf_from(mem, "[policy]\nroaming = no\nmax tokens = 9\n"
			 "override = yes\n");
	eff = effective(mem, gpo, conf);
	assert_false(policy_roaming_on(eff));
	assert_string_equal(eff->v[POLICY_DIMS_ROAMING].source,
			    "credroam.conf");
	assert_int_equal(eff->v[POLICY_MAX_NUM_TOKENS].value, 9);
	why = policy_reason_off(mem, eff);
	printf("reason: %s\n", why);
	assert_string_equal(why, "credential roaming is forced off by "
			    "'roaming = no' with 'override = yes' in "
			    "test.conf");

	/* override without a value in the file leaves the GPO's */
	conf = conf_from(mem, "[policy]\noverride = yes\n");
	eff = effective(mem, gpo, conf);
	assert_true(policy_roaming_on(eff));

	/* no GPO: the file's values apply */
	conf = conf_from(mem, "[policy]\nroaming = yes\n");
	eff = effective(mem, none, conf);
	assert_true(policy_roaming_on(eff));
	assert_string_equal(eff->v[POLICY_DIMS_ROAMING].source,
			    "credroam.conf");
	conf = conf_from(mem, "[policy]\nroaming = no\n");
	eff = effective(mem, none, conf);
	why = policy_reason_off(mem, eff);
	printf("reason: %s\n", why);
	assert_string_equal(why, "no GPO sets DIMSRoaming and test.conf says "
			    "'roaming = no'");

	/* no GPO, a file without 'roaming' */
	conf = conf_from(mem, "[pam]\ndebug = yes\n");
	eff = effective(mem, none, conf);
	cr_assert_contains(policy_reason_off(mem, eff),
			   "test.conf does not say 'roaming = yes'");
	talloc_free(mem);
}

static int find_value(const struct preg_file *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->num_entries; i++) {
		if (strcmp(f->entries[i]->value, name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

static void test_policy_pol_update(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	const struct policy_change on[] = {
		{ .id = POLICY_DIMS_ROAMING, .value = 1 },
		{ .id = POLICY_TOMBSTONE_DAYS, .value = 60 },
	};
	const struct policy_change edit[] = {
		{ .id = POLICY_DIMS_ROAMING, .value = 0 },
		{ .id = POLICY_MAX_TOKEN_SIZE, .remove = true },
		{ .id = POLICY_ROAM_UNAFFILIATED_KEYS, .value = 1 },
	};
	const struct policy_change bad[] = {
		{ .id = POLICY_MAX_NUM_TOKENS, .value = 10001 },
	};
	struct preg_file *f = NULL;
	struct preg_file *g = NULL;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t *out2 = NULL;
	size_t out2_len = 0;
	char *err = NULL;
	int rc;

	/* a new file */
	rc = policy_pol_update(mem, NULL, 0, on, 2, &out, &out_len, &err);
	assert_int_equal(rc, 0);
	rc = preg_parse(mem, out, out_len, "new", &f, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(f->num_entries, 2);
	assert_string_equal(f->entries[0]->key, AE);
	assert_string_equal(f->entries[0]->value, "DIMSRoaming");
	assert_int_equal(f->entries[1]->num, 60);

	/* an existing file with other entries and deletions */
	assert_int_equal(preg_add_sz(f, "Software\\Other", "Keep", "me",
				     &err), 0);
	assert_int_equal(preg_add_sz(f, AE, "**del.RoamUnaffiliatedKeys", " ",
				     &err), 0);
	assert_int_equal(preg_add_dword(f, AE, "DIMSRoamingMaxTokenSize",
					999, &err), 0);
	assert_int_equal(preg_add_dword(f, AE, "dimsroaming", 1, &err), 0);
	TALLOC_FREE(out);
	rc = preg_write(mem, f, &out, &out_len, &err);
	assert_int_equal(rc, 0);
	rc = policy_pol_update(mem, out, out_len, edit, 3, &out2, &out2_len,
			       &err);
	assert_int_equal(rc, 0);
	rc = preg_parse(mem, out2, out2_len, "edited", &g, &err);
	assert_int_equal(rc, 0);
	/* DIMSRoaming replaced in place, its duplicate gone */
	assert_int_equal(find_value(g, "DIMSRoaming"), 0);
	assert_int_equal(g->entries[0]->num, 0);
	assert_int_equal(find_value(g, "dimsroaming"), -1);
	assert_int_equal(find_value(g, "DIMSRoamingTombstoneDays"), 1);
	assert_int_equal(find_value(g, "Keep"), 2);
	assert_string_equal(g->entries[2]->str, "me");
	/* the **del. became the value, at its position */
	assert_int_equal(find_value(g, "**del.RoamUnaffiliatedKeys"), -1);
	assert_int_equal(find_value(g, "RoamUnaffiliatedKeys"), 3);
	assert_int_equal(find_value(g, "DIMSRoamingMaxTokenSize"), -1);
	assert_int_equal(g->num_entries, 4);

	/* refusals */
	TALLOC_FREE(out2);
	rc = policy_pol_update(mem, out, out_len, bad, 1, &out2, &out2_len,
			       &err);
	assert_int_equal(rc, EINVAL);
	assert_null(out2);
	cr_assert_contains(err, "DIMSRoamingMaxNumTokens = 10001 is outside "
			   "1..10000");
	rc = policy_pol_update(mem, out, out_len - 1, on, 1, &out2, &out2_len,
			       &err);
	assert_int_equal(rc, EBADMSG);
	cr_assert_contains(err, "updating the credential roaming policy: "
			   "Registry.pol: entry");
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_policy_defaults),
		cr_unit_test(test_policy_ranges),
		cr_unit_test(test_policy_gpo_order),
		cr_unit_test(test_policy_deletions),
		cr_unit_test(test_policy_reason_off),
		cr_unit_test(test_policy_conf_parse),
		cr_unit_test(test_policy_conf_bad),
		cr_unit_test(test_policy_conf_nul_and_len),
		cr_unit_test(test_policy_conf_load),
		cr_unit_test(test_policy_override),
		cr_unit_test(test_policy_pol_update),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.policy", tests,
					   NULL, NULL);
}
