/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for the session keyring (keyring.c): pre-keys and master
 * keys go in and come out unchanged, GUIDs match in any case, another
 * SID sees nothing, and forgetting removes exactly this SID's keys, and
 * kills them (a copy linked into another keyring dies too); a cached
 * master key is used only for the master key file it was cached for.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <keyutils.h>
#include <stdio.h>
#include <talloc.h>

#include "keys/keyring.h"
#include "test_util.h"

#define SID_A "S-1-5-21-1111-2222-3333-1103"
#define SID_B "S-1-5-21-1111-2222-3333-1104"
#define GUID "3122e12a-d3c6-4ba3-8f26-18557026918d"

/* stand-ins for a master key file's bytes */
static const uint8_t MKF[] = "master key file 3122e12a, as roamed";
static const uint8_t MKF_OTHER[] = "another file under the same GUID";

static void test_prekeys_roundtrip(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct cr_prekey *pk = NULL;
	struct cr_prekey *got = NULL;
	size_t n = 0;
	size_t m = 0;
	size_t i;

	assert_int_equal(cr_prekeys_from_password(mem, "Us3r.Pass-123", SID_A,
						  &pk, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_int_equal(cr_keyring_put_prekeys(SID_A, pk, n, 60, NULL), 0);
	assert_int_equal(cr_keyring_get_prekeys(mem, SID_A, &got, &m, NULL),
			 0);
	assert_int_equal(m, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(got[i].kind, pk[i].kind);
		assert_memory_equal(got[i].key, pk[i].key,
				    CR_DPAPI_PREKEY_LEN);
	}
	assert_int_equal(cr_keyring_get_prekeys(mem, SID_B, &got, &m, NULL),
			 ENOENT);
	assert_int_equal(cr_prekeys_from_password(mem, "x", "not-a-sid", &pk,
						  &n, NULL), EINVAL);
	talloc_free(mem);
}

static void test_masterkey_and_forget(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t mk[64];
	uint8_t *got = NULL;
	size_t len = 0;
	size_t removed = 0;

	memset(mk, 0x5a, sizeof(mk));
	assert_int_equal(cr_keyring_put_masterkey(SID_A, GUID, MKF, sizeof(MKF),
						  mk, sizeof(mk),
						  60, NULL), 0);
	assert_int_equal(cr_keyring_put_masterkey(SID_B, GUID, MKF, sizeof(MKF),
						  mk, sizeof(mk),
						  60, NULL), 0);
	assert_int_equal(cr_keyring_get_masterkey(mem, SID_A,
		"3122E12A-D3C6-4BA3-8F26-18557026918D", MKF, sizeof(MKF), &got,
		&len, NULL), 0);
	assert_int_equal(len, sizeof(mk));
	assert_memory_equal(got, mk, sizeof(mk));
	assert_int_equal(cr_keyring_forget(SID_A, &removed, NULL), 0);
	assert_true(removed >= 1);
	assert_int_equal(cr_keyring_get_masterkey(mem, SID_A, GUID, MKF,
						  sizeof(MKF), &got, &len,
						  NULL), ENOENT);
	assert_int_equal(cr_keyring_get_prekeys(mem, SID_A, NULL, NULL, NULL),
			 ENOENT);
	assert_int_equal(cr_keyring_get_masterkey(mem, SID_B, GUID, MKF,
						  sizeof(MKF), &got, &len,
						  NULL), 0);
	assert_int_equal(cr_keyring_forget(SID_B, NULL, NULL), 0);
	assert_int_equal(cr_keyring_put_masterkey(SID_A, "short", MKF,
						  sizeof(MKF), mk, 64, 60,
						  NULL), EINVAL);
	talloc_free(mem);
}

/*
 * Someone linked our key into another keyring (or held on to its serial):
 * forgetting must kill the key itself, not just our link to it.
 */
static void test_forget_kills_linked_copies(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct cr_prekey *pk = NULL;
	key_serial_t key;
	key_serial_t elsewhere;
	char buf[128];
	size_t n = 0;
	long rc;

	(void)state;
	assert_int_equal(cr_prekeys_from_password(mem, "Us3r.Pass-123", SID_A,
						  &pk, &n, NULL), 0);
	assert_int_equal(cr_keyring_put_prekeys(SID_A, pk, n, 60, NULL), 0);
	key = request_key("user", "credroam:prekeys:" SID_A, NULL,
			  KEY_SPEC_USER_KEYRING);
	assert_true(key > 0);
	elsewhere = add_key("keyring", "test_keyring.elsewhere", NULL, 0,
			    KEY_SPEC_PROCESS_KEYRING);
	assert_true(elsewhere > 0);
	assert_int_equal(keyctl_link(key, elsewhere), 0);

	assert_int_equal(cr_keyring_forget(SID_A, NULL, NULL), 0);
	rc = keyctl_read(key, buf, sizeof(buf));
	printf("# the linked copy after forget: %ld (%s)\n", rc,
	       rc < 0 ? strerror(errno) : "still readable");
	assert_true(rc < 0);
	assert_int_equal(keyctl_search(elsewhere, "user",
				       "credroam:prekeys:" SID_A, 0), -1);
	keyctl_invalidate(elsewhere);
	talloc_free(mem);
}

/*
 * A master key in the keyring is trusted for the file it was cached for
 * only: another file under the same GUID (a token rewritten in AD), or an
 * entry planted without that binding, is refused.
 */
static void test_masterkey_bound_to_file(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t mk[64];
	uint8_t *got = NULL;
	size_t len = 0;
	key_serial_t planted;

	(void)state;
	memset(mk, 0x3c, sizeof(mk));
	assert_int_equal(cr_keyring_put_masterkey(SID_A, GUID, MKF,
						  sizeof(MKF), mk, sizeof(mk),
						  60, NULL), 0);
	assert_int_equal(cr_keyring_get_masterkey(mem, SID_A, GUID, MKF,
						  sizeof(MKF), &got, &len,
						  NULL), 0);
	assert_int_equal(len, sizeof(mk));
	assert_memory_equal(got, mk, sizeof(mk));
	got = NULL;
	assert_int_equal(cr_keyring_get_masterkey(mem, SID_A, GUID, MKF_OTHER,
						  sizeof(MKF_OTHER), &got,
						  &len, NULL), EKEYREJECTED);
	assert_null(got);

	/* 64 bytes under the right name, as an earlier version cached it */
	planted = add_key("user", "credroam:mk:" SID_A ":" GUID, mk,
			  sizeof(mk), KEY_SPEC_USER_KEYRING);
	assert_true(planted > 0);
	assert_int_equal(cr_keyring_get_masterkey(mem, SID_A, GUID, MKF,
						  sizeof(MKF), &got, &len,
						  NULL), EKEYREJECTED);
	assert_null(got);
	assert_int_equal(cr_keyring_forget(SID_A, NULL, NULL), 0);
	talloc_free(mem);
}

int main(void)
{
	key_serial_t ring = keyctl_get_keyring_ID(KEY_SPEC_USER_KEYRING, 1);

	if (ring < 0 && (errno == ENOSYS || errno == EPERM)) {
		/* containers that filter keyctl(2): the run copes (it
		 * only loses the cache); there is nothing to test here */
		printf("1..0 # SKIP no kernel keyring here: %s\n",
		       strerror(errno));
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_prekeys_roundtrip),
		cr_unit_test(test_masterkey_and_forget),
		cr_unit_test(test_forget_kills_linked_copies),
		cr_unit_test(test_masterkey_bound_to_file),
	};

	return cmocka_run_group_tests_name("credroam.unittests.keyring",
					   tests, NULL, NULL);
}
