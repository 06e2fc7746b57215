/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DPAPI blobs: Nemesis (AES-256/SHA-512, with and without entropy) and the
 * old 3DES/SHA-1 blob, byte-exact re-encryption, wrong key/entropy, round
 * trips and malformed input.
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

#include "dpapi/alg.h"
#include "dpapi/blob.h"
#include "test_util.h"

#define NEMESIS_MK "36bd60cb9e7e52433169db00e93ed0a82d3c30c65d948bd8596fb3" \
	"2c267671020b02026b0ae03479dd18374adbdd7658f45cce6ed2a45319eff7a96c" \
	"411c85f5"
#define OLD_MK "5481855be27d3e1d59384ff7d41ea170ef77137cf92b71313a46657ab8" \
	"544d51da470f85bc4339e98ca02c9ead990784c108aaac3b8485f7a767e1b6e37f" \
	"92ef"

static int setup(void **state)
{
	cr_test_leak_begin();
	*state = talloc_new(NULL);
	return 0;
}

static int teardown(void **state)
{
	talloc_free(*state);
	cr_test_leak_end();
	return 0;
}

static const struct {
	const char *file;
	const char *mk;
	const char *entropy;	/* hex */
	const char *plain;
	uint32_t alg_crypt;
	uint32_t alg_hash;
} kat[] = {
	{ "nemesis/blob_without_entropy.bin", NEMESIS_MK, "", "test",
	  CR_CALG_AES_256, CR_CALG_SHA_512 },
	{ "nemesis/blob_with_entropy.bin", NEMESIS_MK, "0102030405", "test",
	  CR_CALG_AES_256, CR_CALG_SHA_512 },
	{ "nemesis/old_format/dpapi_blob.bin", OLD_MK, "", "This is a test.",
	  CR_CALG_3DES, CR_CALG_SHA1 },
};

static void test_dpapi_blob_kat(void **state)
{
	TALLOC_CTX *mem = *state;
	size_t i;

	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		struct cr_dpapi_blob *b = NULL;
		struct cr_dpapi_blob *again = NULL;
		struct cr_dpapi_protect opt;
		uint8_t *data = NULL;
		uint8_t *mk = NULL;
		uint8_t *ent = NULL;
		uint8_t *plain = NULL;
		uint8_t *out = NULL;
		uint8_t k20[20];
		size_t len = 0;
		size_t ent_len = 0;
		size_t plain_len = 0;
		size_t out_len = 0;
		char *err = NULL;

		print_message("case %zu: %s\n", i, kat[i].file);
		data = cr_test_read(mem, kat[i].file, &len);
		assert_non_null(data);
		mk = cr_test_hex(mem, kat[i].mk, NULL);
		ent = cr_test_hex(mem, kat[i].entropy, &ent_len);
		assert_int_equal(cr_dpapi_blob_parse(mem, data, len, &b, &err),
				 0);
		assert_int_equal(b->alg_crypt, kat[i].alg_crypt);
		assert_int_equal(b->alg_hash, kat[i].alg_hash);
		assert_int_equal(cr_dpapi_blob_serialize(mem, b, &out,
							 &out_len, &err), 0);
		assert_int_equal(out_len, len);
		assert_memory_equal(out, data, len);

		assert_int_equal(cr_dpapi_blob_decrypt(mem, b, mk, 64, ent,
			ent_len, &plain, &plain_len, &err), 0);
		assert_int_equal(plain_len, strlen(kat[i].plain));
		assert_memory_equal(plain, kat[i].plain, plain_len);

		/* the SHA-1 of the master key works in its place */
		assert_true(cr_sha1(mk, 64, k20));
		assert_int_equal(cr_dpapi_blob_decrypt(mem, b, k20, 20, ent,
			ent_len, &plain, &plain_len, &err), 0);

		/* wrong entropy, missing entropy, wrong key */
		assert_int_equal(cr_dpapi_blob_decrypt(mem, b, mk, 64,
			(const uint8_t *)"x", 1, &plain, &plain_len, &err),
			EACCES);
		assert_non_null(strstr(err, "HMAC check failed"));
		assert_null(plain);
		if (ent_len > 0) {
			assert_int_equal(cr_dpapi_blob_decrypt(mem, b, mk, 64,
				NULL, 0, &plain, &plain_len, &err), EACCES);
		}
		mk[5] ^= 1;
		assert_int_equal(cr_dpapi_blob_decrypt(mem, b, mk, 64, ent,
			ent_len, &plain, &plain_len, &err), EACCES);
		mk[5] ^= 1;

		/* same salt and nonce: the encoder reproduces Windows */
		memset(&opt, 0, sizeof(opt));
		opt.alg_crypt = b->alg_crypt;
		opt.alg_crypt_len = b->alg_crypt_len;
		opt.alg_hash = b->alg_hash;
		opt.alg_crypt_len = b->alg_crypt_len;
		opt.description = cr_dpapi_blob_description(mem, b);
		opt.flags = b->flags;
		opt.salt = b->salt;
		opt.salt_len = b->salt_len;
		opt.hmac2 = b->hmac2;
		opt.hmac2_len = b->hmac2_len;
		assert_int_equal(cr_dpapi_protect(mem, &b->mk_guid, mk, 64,
			(const uint8_t *)kat[i].plain, strlen(kat[i].plain),
			ent, ent_len, &opt, &out, &out_len, &err), 0);
		assert_int_equal(out_len, len);
		assert_memory_equal(out, data, len);
		assert_int_equal(cr_dpapi_blob_parse(mem, out, out_len, &again,
						     &err), 0);
	}
}

static void test_dpapi_blob_roundtrip(void **state)
{
	TALLOC_CTX *mem = *state;
	static const uint32_t suites[2][2] = {
		{ CR_CALG_AES_256, CR_CALG_SHA_512 },
		{ CR_CALG_3DES, CR_CALG_SHA1 },
	};
	uint8_t *mk = cr_test_hex(mem, NEMESIS_MK, NULL);
	struct cr_guid g;
	size_t s;
	size_t n;

	memset(&g, 0x42, sizeof(g));
	for (s = 0; s < 2; s++) {
		for (n = 0; n <= 33; n += 11) {
			struct cr_dpapi_protect opt = {
				.alg_crypt = suites[s][0],
				.alg_hash = suites[s][1],
				.description = "Clé privée",
			};
			uint8_t in[33];
			uint8_t *out = NULL;
			uint8_t *plain = NULL;
			size_t out_len = 0;
			size_t plain_len = 0;
			char *err = NULL;
			struct cr_dpapi_blob *b = NULL;

			print_message("suite %zu, %zu bytes\n", s, n);
			memset(in, (int)n, sizeof(in));
			assert_int_equal(cr_dpapi_protect(mem, &g, mk, 64, in,
				n, (const uint8_t *)"e", 1, &opt, &out,
				&out_len, &err), 0);
			assert_int_equal(cr_dpapi_unprotect(mem, out, out_len,
				mk, 64, (const uint8_t *)"e", 1, &plain,
				&plain_len, &err), 0);
			assert_int_equal(plain_len, n);
			assert_memory_equal(plain, in, n);
			assert_int_equal(cr_dpapi_unprotect(mem, out, out_len,
				mk, 64, NULL, 0, &plain, &plain_len, &err),
				EACCES);
			assert_int_equal(cr_dpapi_blob_parse(mem, out, out_len,
							     &b, &err), 0);
			assert_string_equal(cr_dpapi_blob_description(mem, b),
					    "Clé privée");
		}
	}
}

static void test_dpapi_blob_malformed(void **state)
{
	TALLOC_CTX *mem = *state;
	size_t len = 0;
	uint8_t *good = cr_test_read(mem, "nemesis/blob_with_entropy.bin",
				     &len);
	static const struct {
		const char *what;
		size_t off;
		uint8_t value;
		long delta;
	} cases[] = {
		{ "empty", SIZE_MAX, 0, -230 },
		{ "truncated sign", SIZE_MAX, 0, -1 },
		{ "trailing byte", SIZE_MAX, 0, 1 },
		{ "version 2", 0, 2, 0 },
		{ "other provider", 4, 0, 0 },
		{ "description length lies", 44, 0xff, 0 },
		{ "description length huge", 47, 0x80, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = (size_t)((long)len + cases[i].delta);
		uint8_t *bad = talloc_zero_size(mem, n + 1);
		struct cr_dpapi_blob *b = NULL;
		char *err = NULL;

		print_message("case %zu: %s\n", i, cases[i].what);
		memcpy(bad, good, n < len ? n : len);
		if (cases[i].off != SIZE_MAX) {
			bad[cases[i].off] = cases[i].value;
		}
		assert_int_equal(cr_dpapi_blob_parse(mem, bad, n, &b, &err),
				 EBADMSG);
		assert_null(b);
		print_message("  -> %s\n", err);
	}
}

/*
 * Strong-password blobs made by testdata/dpapi-strong/make_blobs.py (an
 * independent Python implementation of the mimikatz/DPAPIck3 rule): they
 * decrypt with the password, fail without it or with another one, and our
 * encoder given the same salt and nonce rebuilds them byte for byte.
 */
static void test_dpapi_blob_strong_password(void **state)
{
	TALLOC_CTX *mem = *state;
	static const char *files[] = {
		"dpapi-strong/sha512_aes256.blob",
		"dpapi-strong/sha1_3des.blob",
	};
	static const char password[] = "Str0ng p\xc3\xa4ssword";
	static const char plain_text[] = "strong password protected secret";
	static const uint8_t entropy[] = "credroam strong";	/* with NUL */
	uint8_t mk[64];
	uint8_t salt[32];
	uint8_t hmac2[32];
	size_t i;

	for (i = 0; i < 64; i++) {
		mk[i] = (uint8_t)i;
	}
	for (i = 0; i < 32; i++) {
		salt[i] = (uint8_t)(0x40 + i);
		hmac2[i] = (uint8_t)(0x80 + i);
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct cr_dpapi_blob *b = NULL;
		struct cr_dpapi_protect opt = {
			.description = "strong",
			.flags = 8,
			.salt = salt,
			.salt_len = sizeof(salt),
			.hmac2 = hmac2,
			.hmac2_len = sizeof(hmac2),
			.strong_password = password,
		};
		uint8_t *data = NULL;
		uint8_t *plain = NULL;
		uint8_t *again = NULL;
		size_t len = 0;
		size_t plain_len = 0;
		size_t again_len = 0;
		char *err = NULL;
		int ret;

		print_message("%s\n", files[i]);
		data = cr_test_read(mem, files[i], &len);
		assert_non_null(data);
		assert_int_equal(cr_dpapi_blob_parse(mem, data, len, &b, &err),
				 0);
		assert_int_equal(cr_dpapi_blob_decrypt_strong(mem, b, mk, 64,
			entropy, sizeof(entropy), password, &plain, &plain_len,
			&err), 0);
		assert_int_equal(plain_len, strlen(plain_text));
		assert_memory_equal(plain, plain_text, plain_len);

		/* the sign passes without the password; the content must not */
		ret = cr_dpapi_blob_decrypt(mem, b, mk, 64, entropy,
					    sizeof(entropy), &plain,
					    &plain_len, &err);
		assert_true(ret == EBADMSG ||
			    (ret == 0 && (plain_len != strlen(plain_text) ||
			     memcmp(plain, plain_text, plain_len) != 0)));
		ret = cr_dpapi_blob_decrypt_strong(mem, b, mk, 64, entropy,
						   sizeof(entropy),
						   "Str0ng passw0rd", &plain,
						   &plain_len, &err);
		assert_true(ret == EBADMSG ||
			    (ret == 0 && (plain_len != strlen(plain_text) ||
			     memcmp(plain, plain_text, plain_len) != 0)));
		/* a wrong master key still fails the sign */
		mk[0] ^= 1;
		assert_int_equal(cr_dpapi_blob_decrypt_strong(mem, b, mk, 64,
			entropy, sizeof(entropy), password, &plain, &plain_len,
			&err), EACCES);
		mk[0] ^= 1;

		opt.alg_hash = b->alg_hash;
		opt.alg_crypt = b->alg_crypt;
		opt.alg_crypt_len = b->alg_crypt_len;
		assert_int_equal(cr_dpapi_protect(mem, &b->mk_guid, mk, 64,
			(const uint8_t *)plain_text, strlen(plain_text),
			entropy, sizeof(entropy), &opt, &again, &again_len,
			&err), 0);
		assert_int_equal(again_len, len);
		assert_memory_equal(again, data, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dpapi_blob_kat, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dpapi_blob_roundtrip,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_dpapi_blob_strong_password, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpapi_blob_malformed,
						setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.dpapi_blob",
					   tests, NULL, NULL);
}
