/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Secrets are wiped: every chunk marked with credroam_keep_secret(), every
 * copy made by credroam_secret_dup(), every stack buffer given to
 * credroam_wipe(), and the master key and pre-key of a real decryption.
 *
 * The test binary defines gnutls_memset() itself, so the library's calls
 * (linked into this executable) reach this one: it records what it wipes
 * and whether the memory held the secret just before (the idea of Samba's
 * test_talloc_keep_secret.c, which interposes memset_explicit).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>

#include "dpapi/masterkey.h"
#include "dpapi/prekey.h"
#include "util/secret.h"
#include "test_util.h"

#define MAX_WIPES 64
#define NEMESIS_SID "S-1-5-21-3821320868-1508310791-3575676346-1103"
#define NEMESIS_MK_PREFIX "36bd60cb9e7e52433169db00e93ed0a8"

/* the bytes each wipe found, before it zeroed them */
static struct {
	uint8_t *before[MAX_WIPES];
	size_t len[MAX_WIPES];
	size_t count;
} wipes;

void gnutls_memset(void *data, int c, size_t size);

void gnutls_memset(void *data, int c, size_t size)
{
	volatile uint8_t *p = data;
	size_t i;

	if (wipes.count < MAX_WIPES) {
		wipes.before[wipes.count] = malloc(size);
		if (wipes.before[wipes.count] != NULL) {
			memcpy(wipes.before[wipes.count], data, size);
		}
		wipes.len[wipes.count] = size;
		wipes.count++;
	}
	for (i = 0; i < size; i++) {
		p[i] = (uint8_t)c;
	}
}

static void wipes_reset(void)
{
	size_t i;

	for (i = 0; i < wipes.count; i++) {
		free(wipes.before[i]);
	}
	memset(&wipes, 0, sizeof(wipes));
}

/* Did some wipe find these bytes in the memory it zeroed? */
static bool wiped(const uint8_t *secret, size_t n)
{
	size_t i;
	size_t off;

	for (i = 0; i < wipes.count; i++) {
		if (wipes.before[i] == NULL || wipes.len[i] < n) {
			continue;
		}
		for (off = 0; off + n <= wipes.len[i]; off++) {
			if (memcmp(wipes.before[i] + off, secret, n) == 0) {
				return true;
			}
		}
	}
	return false;
}

static void test_secret_chunk_wiped_when_parent_freed(void **state)
{
	struct cr_test_ctx *t = *state;
	static const uint8_t secret[16] = "0123456789abcde";
	TALLOC_CTX *parent = talloc_new(t->mem);
	uint8_t *chunk = talloc_memdup(parent, secret, sizeof(secret));

	assert_non_null(chunk);
	credroam_keep_secret(chunk);
	wipes_reset();
	TALLOC_FREE(parent);
	assert_int_equal(wipes.count, 1);
	assert_int_equal(wipes.len[0], sizeof(secret));
	assert_true(wiped(secret, sizeof(secret)));
	wipes_reset();
}

static void test_secret_dup_marks_the_copy(void **state)
{
	struct cr_test_ctx *t = *state;
	static const uint8_t secret[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t *copy = credroam_secret_dup(t->mem, secret, sizeof(secret));

	assert_non_null(copy);
	assert_memory_equal(copy, secret, sizeof(secret));
	wipes_reset();
	TALLOC_FREE(copy);
	assert_true(wiped(secret, sizeof(secret)));
	wipes_reset();
}

static void test_secret_wipe_stack_buffer(void **state)
{
	uint8_t buf[32];

	memset(buf, 0xA5, sizeof(buf));
	wipes_reset();
	credroam_wipe(buf, sizeof(buf));
	assert_int_equal(wipes.count, 1);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[31], 0);
	wipes_reset();
}

/*
 * A real decryption: the pre-key derived from the password (a stack
 * buffer of cr_mkf_decrypt_password) and the decrypted master key (a
 * result chunk) are both wiped: the pre-key before the call returns, the
 * master key when its owner frees it.
 */
static void test_secret_master_key_decryption(void **state)
{
	struct cr_test_ctx *t = *state;
	struct cr_mkf *mkf = NULL;
	enum cr_dpapi_derivation how = CR_DPAPI_DERIV_PREKEY;
	uint8_t prekey[CR_DPAPI_PREKEY_LEN];
	uint8_t *mk_prefix = NULL;
	uint8_t *mk = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char *err = NULL;

	data = cr_test_read_or_fail(t->mem, "nemesis/masterkey_domain.bin",
				    &len);
	assert_int_equal(cr_mkf_parse(t->mem, data, len, "masterkey_domain",
				      &mkf, &err), 0);
	assert_int_equal(cr_dpapi_prekey_password(CR_DPAPI_DERIV_NT_PBKDF2,
		"Qwerty12345", NEMESIS_SID, prekey), 0);

	wipes_reset();
	assert_int_equal(cr_mkf_decrypt_password(t->mem, mkf, "Qwerty12345",
		NEMESIS_SID, &mk, &how, &err), 0);
	assert_true(wiped(prekey, sizeof(prekey)));

	mk_prefix = cr_test_hex(t->mem, NEMESIS_MK_PREFIX, NULL);
	assert_memory_equal(mk, mk_prefix, 16);
	wipes_reset();
	TALLOC_FREE(mk);
	assert_true(wiped(mk_prefix, 16));
	wipes_reset();
	credroam_wipe(prekey, sizeof(prekey));
	wipes_reset();
	TALLOC_FREE(mk_prefix);
	TALLOC_FREE(mkf);
	TALLOC_FREE(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_secret_chunk_wiped_when_parent_freed),
		cr_unit_test(test_secret_dup_marks_the_copy),
		cr_unit_test(test_secret_wipe_stack_buffer),
		cr_unit_test(test_secret_master_key_decryption),
	};

	return cmocka_run_group_tests_name("credroam.unittests.secret", tests,
					   NULL, NULL);
}
