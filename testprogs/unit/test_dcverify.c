/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The verdict on a server's computer account (ad/dcverify.h): a writable
 * DC for everything, an RODC for MS-BKRP only, a member, a workstation or
 * a user account never, and never an account whose dNSHostName is not the
 * host the ticket was for.  The LDAP half runs in test_dcverify.sh.
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

#include "ad/dcverify.h"
#include "util/error.h"
#include "test_util.h"

#define DC "dc1.roam.test"

static void test_dcverify_judge(void **state)
{
	static const struct {
		uint32_t uac;
		const char *account_host;
		enum cr_dc_need need;
		int ret;
		enum cr_dc_kind kind;
		const char *msg;
	} cases[] = {
		/* a DC: SERVER_TRUST_ACCOUNT | TRUSTED_FOR_DELEGATION */
		{ 0x82000, DC, CR_DC_NEED_WRITE, 0, CR_DC_WRITABLE, NULL },
		{ 0x82000, "DC1.ROAM.TEST", CR_DC_NEED_BKRP, 0,
		  CR_DC_WRITABLE, NULL },
		/* an RODC: PARTIAL_SECRETS_ACCOUNT | WORKSTATION_TRUST */
		{ 0x04001000, DC, CR_DC_NEED_BKRP, 0, CR_DC_READONLY, NULL },
		{ 0x04001000, DC, CR_DC_NEED_WRITE, EACCES, CR_DC_NONE,
		  "read-only domain controller" },
		/* a member, a user, nothing */
		{ 0x1000, DC, CR_DC_NEED_BKRP, EACCES, CR_DC_NONE,
		  "is not a domain controller" },
		{ 0x200, DC, CR_DC_NEED_WRITE, EACCES, CR_DC_NONE,
		  "userAccountControl 0x00000200" },
		{ 0, NULL, CR_DC_NEED_BKRP, EACCES, CR_DC_NONE,
		  "is not a domain controller" },
		/* a DC's account that is not the host the ticket named */
		{ 0x82000, "dc2.roam.test", CR_DC_NEED_BKRP, EACCES,
		  CR_DC_NONE, "dNSHostName 'dc2.roam.test', not '" DC "'" },
		{ 0x82000, NULL, CR_DC_NEED_WRITE, EACCES, CR_DC_NONE,
		  "dNSHostName '(none)'" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum cr_dc_kind kind = CR_DC_WRITABLE;
		char *err = NULL;
		int ret;

		printf("case %zu\n", i);
		ret = cr_dcverify_judge("CN=X,OU=Domain Controllers,DC=roam,"
					"DC=test", cases[i].uac,
					cases[i].account_host, DC,
					cases[i].need, &kind, &err);
		assert_int_equal(ret, cases[i].ret);
		assert_int_equal(kind, cases[i].kind);
		if (cases[i].msg != NULL) {
			cr_assert_contains(err, cases[i].msg);
		} else {
			assert_null(err);
		}
		cr_err_clear(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_dcverify_judge),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.dcverify",
					   tests, NULL, NULL);
}
