/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A master key cached in the kernel keyring is trusted only once its
 * master key file confirms it (issue 17 item 5): anyone who can write the
 * user's keyring can bind an entry to the file's bytes (the SHA-256
 * binding of keyring.h stops only stale entries), so the file decides.
 * The MASTERKEY_BLOB's HMAC (HMAC(HMAC(pre-key, R2), master key)) is keyed
 * with the pre-key, so the file confirms a key to the password's pre-key
 * or to the DC (domain key section), never to the master key alone.  A
 * planted wrong key is refused and overwritten; a right one is confirmed;
 * without a pre-key or a DC a cached key is not used at all.
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

#include "dpapi/dpapi.h"
#include "keys/keys.h"
#include "keys/keyring.h"
#include "util/error.h"
#include "test_util.h"

/* a SID of its own: the keyring is shared with other tests */
#define SID "S-1-5-21-1111-2222-3333-1717"
#define PASSWORD "Planted.Key-17"

struct mkfile {
	uint8_t *data;
	size_t len;
	char *guid;
	uint8_t *mk;
};

static void make_mkf(TALLOC_CTX *mem, struct mkfile *out)
{
	struct cr_mkf_params p = { .sid = SID };
	uint8_t prekey[CR_DPAPI_PREKEY_LEN];
	struct cr_mkf *mkf = NULL;

	assert_int_equal(cr_dpapi_prekey_password(CR_DPAPI_DERIV_NT_PBKDF2,
						  PASSWORD, SID, prekey), 0);
	p.prekey = prekey;
	p.prekey_len = sizeof(prekey);
	p.rounds = 1000;
	assert_int_equal(cr_mkf_create(mem, &p, &mkf, &out->mk, NULL), 0);
	assert_int_equal(cr_mkf_serialize(mem, mkf, &out->data, &out->len,
					  NULL), 0);
	out->guid = talloc_strdup(mem, mkf->guid);
	assert_non_null(out->guid);
}

static void test_planted_keyring_key_refused(void **state)
{
	struct cr_test_ctx *t = *state;
	struct mkfile f;
	uint8_t planted[CR_DPAPI_MK_LEN];
	struct cr_keys *keys = NULL;
	const uint8_t *mk = NULL;
	uint8_t *cached = NULL;
	size_t cached_len = 0;
	const char *how = NULL;
	size_t len = 0;

	cr_keyring_forget(SID, NULL, NULL);
	make_mkf(t->mem, &f);
	memset(planted, 0x41, sizeof(planted));
	assert_int_equal(cr_keyring_put_masterkey(SID, f.guid, f.data, f.len,
						  planted, sizeof(planted),
						  60, NULL), 0);

	/* with the password: the file refuses the planted key */
	keys = cr_keys_new(t->mem, SID, NULL, true);
	assert_non_null(keys);
	assert_int_equal(cr_keys_add_password(keys, PASSWORD, NULL), 0);
	assert_int_equal(cr_keys_unlock(keys, f.guid, f.data, f.len, &mk,
					&len, &how, NULL), 0);
	assert_int_equal(len, CR_DPAPI_MK_LEN);
	assert_memory_equal(mk, f.mk, CR_DPAPI_MK_LEN);
	assert_memory_not_equal(mk, planted, CR_DPAPI_MK_LEN);
	assert_string_equal(how, "keyring refused");
	/* and the entry now holds the file's key */
	assert_int_equal(cr_keyring_get_masterkey(t->mem, SID, f.guid, f.data,
						  f.len, &cached,
						  &cached_len, NULL), 0);
	assert_memory_equal(cached, f.mk, CR_DPAPI_MK_LEN);
	TALLOC_FREE(keys);

	/* a right entry is confirmed */
	keys = cr_keys_new(t->mem, SID, NULL, true);
	assert_int_equal(cr_keys_load_keyring(keys, NULL), 0);
	assert_int_equal(cr_keys_unlock(keys, f.guid, f.data, f.len, &mk,
					&len, &how, NULL), 0);
	assert_memory_equal(mk, f.mk, CR_DPAPI_MK_LEN);
	assert_string_equal(how, "keyring");
	TALLOC_FREE(keys);

	/* no pre-key, no DC: the planted key is not used */
	cr_keyring_forget(SID, NULL, NULL);
	assert_int_equal(cr_keyring_put_masterkey(SID, f.guid, f.data, f.len,
						  planted, sizeof(planted),
						  60, NULL), 0);
	keys = cr_keys_new(t->mem, SID, NULL, true);
	mk = NULL;
	assert_int_equal(cr_keys_unlock(keys, f.guid, f.data, f.len, &mk,
					&len, &how, NULL), EACCES);
	assert_null(mk);
	TALLOC_FREE(keys);
	cr_keyring_forget(SID, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_planted_keyring_key_refused),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.keys", tests,
					   NULL, NULL);
}
