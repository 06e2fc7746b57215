/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Our block in NSS's pkcs11.txt (source/tools/register_nss.c): added once,
 * a stale or repeated one replaced, removed cleanly, every other entry
 * kept byte for byte.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../source/tools/register_nss.c"
#include "test_util.h"

#define MOD "/usr/lib/x86_64-linux-gnu/pkcs11/credroam-pkcs11.so"
#define INTERNAL \
	"library=\n" \
	"name=NSS Internal PKCS #11 Module\n" \
	"parameters=configdir='sql:/home/a/.pki/nssdb' certPrefix=''\n" \
	"NSS=Flags=internal,critical trustOrder=75\n"
#define OPENSC \
	"library=/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so\n" \
	"name=OpenSC smartcard framework (0.23)\n"
#define OURS "library=" MOD "\nname=credroam\n"

static void edit(TALLOC_CTX *mem, const char *in, bool add, const char *want,
		 bool want_present, bool want_changed)
{
	char *out = NULL;
	bool present = false;
	bool changed = false;

	assert_int_equal(cr_reg_nss_edit(mem, in, strlen(in), MOD, add, &out,
					 &present, &changed), 0);
	assert_string_equal(out, want);
	assert_int_equal(present, want_present);
	assert_int_equal(changed, want_changed);
	TALLOC_FREE(out);
}

static void test_register_nss_edit(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);

	printf("case 0: add to certutil's file\n");
	edit(t->mem, INTERNAL "\n", true, INTERNAL "\n" OURS "\n", false,
	     true);
	printf("case 1: add again: nothing changes\n");
	edit(t->mem, INTERNAL "\n" OURS "\n", true, INTERNAL "\n" OURS "\n",
	     true, false);
	printf("case 2: remove: back to the original bytes\n");
	edit(t->mem, INTERNAL "\n" OURS "\n", false, INTERNAL "\n", true,
	     true);
	printf("case 3: ours between others, stale path: replaced at the "
	       "end, the others untouched\n");
	edit(t->mem, INTERNAL "\nlibrary=/old.so\nname=credroam\n\n" OPENSC
	     "\n", true, INTERNAL "\n" OPENSC "\n" OURS "\n", false, true);
	printf("case 4: a repeat is dropped\n");
	edit(t->mem, INTERNAL "\n" OURS "\n" OURS "\n", true,
	     INTERNAL "\n" OURS "\n", true, true);
	printf("case 5: no final newline, CRLF lines elsewhere\n");
	edit(t->mem, "library=\r\nname=x\r\nNSS=a", true,
	     "library=\r\nname=x\r\nNSS=a\n\n" OURS "\n", false, true);
	printf("case 6: remove when absent: nothing\n");
	edit(t->mem, INTERNAL "\n" OPENSC, false, INTERNAL "\n" OPENSC,
	     false, false);
	printf("case 7: empty file\n");
	edit(t->mem, "", true, OURS "\n", false, true);
	printf("case 8: a name that only starts like ours is not ours\n");
	edit(t->mem, "library=/x.so\nname=credroam2\n\n", false,
	     "library=/x.so\nname=credroam2\n\n", false, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_register_nss_edit),
	};

	return cmocka_run_group_tests_name(
		"credroam.unittests.register_nss", tests, NULL, NULL);
}
