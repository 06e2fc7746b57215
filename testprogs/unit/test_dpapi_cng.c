/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CNG key files and MIB1: the Windows Chrome system key (decrypts under the
 * Nemesis SYSTEM-user master key, both entropies checked), the DSInternals
 * roamed RSA key (MIB1 + key file + embedded master key, parse only), an
 * RSA private key through a CNG file and back, BCRYPT blobs, file names.
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
#include <gnutls/x509.h>

#include "util/cursor.h"
#include "dpapi/blob.h"
#include "dpapi/cng.h"
#include "dpapi/masterkey.h"
#include "dpapi/privkey.h"
#include "test_util.h"

#define CHROME_KEY "nemesis/chrome/7096db7aeb75c0d3497ecd56d355a695_" \
	"f26c165b-53c8-414e-8abb-ec5f0f52df22"

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

static struct cr_cng_key *load_key(TALLOC_CTX *mem, const uint8_t *data,
				   size_t len)
{
	struct cr_cng_key *k = NULL;
	uint8_t *again = NULL;
	size_t again_len = 0;
	char *err = NULL;

	if (cr_cng_key_parse(mem, data, len, &k, &err) != 0) {
		fail_msg("%s", err);
	}
	assert_int_equal(cr_cng_key_serialize(mem, k, &again, &again_len,
					      &err), 0);
	assert_int_equal(again_len, len);
	assert_memory_equal(again, data, len);
	return k;
}

static void test_dpapi_cng_chrome(void **state)
{
	TALLOC_CTX *mem = *state;
	size_t len = 0;
	uint8_t *data = cr_test_read(mem, CHROME_KEY, &len);
	uint8_t *mkf_data = NULL;
	struct cr_mkf *mkf = NULL;
	struct cr_cng_key *k = NULL;
	struct cr_cng_property *props = NULL;
	size_t nprops = 0;
	uint8_t *pk = cr_test_hex(mem,
		"4e25d96d26879ded571f5d48a6887455d28f66f5", NULL);
	uint8_t *mk = NULL;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	size_t mkf_len = 0;
	struct cr_rsa_key *rsa = NULL;
	char *err = NULL;

	assert_non_null(data);
	k = load_key(mem, data, len);
	assert_string_equal(k->name, "Google Chromekey1");
	assert_string_equal(cr_cng_file_name(mem, k->name,
		"f26c165b-53c8-414e-8abb-ec5f0f52df22"),
		"7096db7aeb75c0d3497ecd56d355a695_f26c165b-53c8-414e-8abb-"
		"ec5f0f52df22");

	mkf_data = cr_test_read(mem, "nemesis/masterkey_systemuser.bin",
				&mkf_len);
	assert_int_equal(cr_mkf_parse(mem, mkf_data, mkf_len, "systemuser",
				      &mkf, &err), 0);
	assert_int_equal(cr_mkf_decrypt_prekey(mem, mkf, pk, 20, &mk, &err),
			 0);

	assert_int_equal(cr_cng_key_decrypt_blob(mem, k, mk, 64, &plain,
						 &plain_len, &err), 0);
	assert_string_equal(cr_hex_lower(mem, plain, plain_len),
		"4b44424d0100000020000000442ad62f22c9bc1bf2c9a67a4cfc5ac0d3b6"
		"60b4e431f6b2232c8a730fbc1e21");
	/* an AES key is not RSA */
	assert_int_equal(cr_cng_key_decrypt(mem, k, mk, 64, &rsa, &err),
			 EBADMSG);

	assert_int_equal(cr_cng_key_decrypt_properties(mem, k, mk, 64, &plain,
						       &plain_len, &err), 0);
	assert_int_equal(plain_len, 74);
	assert_int_equal(cr_cng_properties_parse(mem, plain, plain_len,
						 &props, &nprops, &err), 0);
	assert_int_equal(nprops, 2);
	assert_string_equal(props[0].name, "Export Policy");
	assert_int_equal(props[0].type, 3);

	/* the two entropies are not interchangeable */
	{
		struct cr_cng_key swapped = *k;

		swapped.priv_key = k->priv_props;
		swapped.priv_key_len = k->priv_props_len;
		assert_int_equal(cr_cng_key_decrypt_blob(mem, &swapped, mk, 64,
			&plain, &plain_len, &err), EACCES);
		assert_non_null(strstr(err, "HMAC check failed"));
	}
}

static void test_dpapi_cng_dsinternals_mib1(void **state)
{
	TALLOC_CTX *mem = *state;
	size_t len = 0;
	uint8_t *tok = cr_test_read(mem, "dsinternals/cng-rsa-key.token",
				    &len);
	struct cr_mib1 *m = NULL;
	struct cr_cng_key *k = NULL;
	struct cr_rsa_key *pub = NULL;
	struct cr_dpapi_blob *b = NULL;
	struct cr_mkf *mkf = NULL;
	uint8_t *again = NULL;
	size_t again_len = 0;
	uint8_t sha[20];
	char *err = NULL;
	uint32_t n;
	size_t i;

	assert_non_null(tok);
	n = cr_le32(tok + 0x80);
	assert_int_equal(n, len - 132);
	/* the token's own hash proves the copy of the DSInternals hex */
	assert_true(cr_sha1(tok + 132, n, sha));
	assert_memory_equal(sha, tok + 0x6c, 20);

	assert_int_equal(cr_mib1_parse(mem, tok + 132, n, &m, &err), 0);
	assert_int_equal(cr_mib1_serialize(mem, m, &again, &again_len, &err),
			 0);
	assert_int_equal(again_len, n);
	assert_memory_equal(again, tok + 132, n);
	assert_string_equal(m->name,
		"te-SWSmartcardLogon-3462dcbf-1252-4619-ad7f-9296e1f2b426");
	assert_int_equal(m->key_file_len, 1541);
	assert_int_equal(m->mk[0].len, 468);
	assert_string_equal(cr_guid_string(mem, &m->mk[0].guid),
			    "563e7e10-0351-4855-8f9a-5c6ba86a2c04");
	for (i = 1; i < CR_MIB1_MASTER_KEYS; i++) {
		assert_int_equal(m->mk[i].len, 0);
	}
	assert_int_equal(cr_mkf_parse(mem, m->mk[0].data, m->mk[0].len, "mib1",
				      &mkf, &err), 0);
	assert_string_equal(mkf->guid, "563e7e10-0351-4855-8f9a-5c6ba86a2c04");
	assert_int_equal(mkf->policy, 5);

	k = load_key(mem, m->key_file, m->key_file_len);
	assert_string_equal(k->name, m->name);
	assert_int_equal(k->type, 0x00030001);
	assert_int_equal(k->num_props, 2);
	assert_string_equal(k->props[0].name, "Modified");
	assert_int_equal(k->props[1].type, 10);
	assert_int_equal(cr_bcrypt_rsa_parse(mem, k->props[1].value,
		k->props[1].value_len, &pub, &err), 0);
	assert_int_equal(cr_rsa_key_bits(pub), 2048);
	assert_int_equal(cr_dpapi_blob_parse(mem, k->priv_key, k->priv_key_len,
					     &b, &err), 0);
	assert_string_equal(cr_dpapi_blob_description(mem, b), "Private Key");
	/* 539-byte BCRYPT_RSAPRIVATE_BLOB + 3DES padding */
	assert_int_equal(b->data_len, 544);
	assert_memory_equal(b->mk_guid.b, m->mk[0].guid.b, 16);
	assert_string_equal(cr_cng_file_name(mem,
		"Microsoft Connected Devices Platform device certificate",
		"x"), "de7cf8a7901d2ad13e5c67c29e5d1662_x");
}

/* An RSA key in a CNG file: RSA2 (no d) and RSA3 both come back whole. */
static void test_dpapi_cng_rsa_roundtrip(void **state)
{
	TALLOC_CTX *mem = *state;
	size_t len = 0;
	uint8_t *data = cr_test_read(mem, CHROME_KEY, &len);
	struct cr_cng_key *k = load_key(mem, data, len);
	gnutls_x509_privkey_t xk = NULL;
	gnutls_datum_t der = { NULL, 0 };
	struct cr_rsa_key *rsa = NULL;
	struct cr_rsa_key *back = NULL;
	struct cr_privkey *pk = NULL;
	struct cr_guid g;
	uint8_t mk[64];
	uint8_t *full = NULL;
	uint8_t *p8 = NULL;
	size_t full_len = 0;
	size_t p8_len = 0;
	size_t blob_len = 0;
	char *err = NULL;
	int pass;

	memset(mk, 3, sizeof(mk));
	memset(&g, 4, sizeof(g));
	assert_int_equal(gnutls_x509_privkey_init(&xk), 0);
	assert_int_equal(gnutls_x509_privkey_generate(xk, GNUTLS_PK_RSA, 2048,
						      0), 0);
	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(xk,
		GNUTLS_X509_FMT_DER, NULL, GNUTLS_PKCS_PLAIN, &der), 0);
	assert_int_equal(cr_rsa_key_from_x509(mem, xk, &rsa, &err), 0);
	assert_int_equal(cr_bcrypt_rsa_build_full(mem, rsa, &full, &full_len,
						  &err), 0);
	for (pass = 0; pass < 2; pass++) {
		size_t blen = full_len;

		if (pass == 1) {
			/* BCRYPT_RSAPRIVATE_BLOB: header, e, n, p, q only */
			blen = 24 + rsa->e.len + 256 + rsa->p.len + rsa->q.len;
			cr_store_le32(full, 0x32415352);
		}
		print_message("pass %d: %zu-byte BCRYPT blob\n", pass, blen);
		assert_int_equal(cr_dpapi_protect(mem, &g, mk, 64, full, blen,
			(const uint8_t *)CR_CNG_PRIVATE_KEY_ENTROPY,
			sizeof(CR_CNG_PRIVATE_KEY_ENTROPY), NULL, &k->priv_key,
			&blob_len, &err), 0);
		k->priv_key_len = (uint32_t)blob_len;
		assert_int_equal(cr_cng_key_decrypt(mem, k, mk, 64, &back,
						    &err), 0);
		assert_int_equal(cr_privkey_wrap_rsa(mem, back, &pk), 0);
		assert_int_equal(cr_privkey_to_pkcs8(mem, pk, false, &p8,
						     &p8_len, &err), 0);
		if (pass == 0) {
			assert_int_equal(p8_len, der.size);
			assert_memory_equal(p8, der.data, der.size);
		} else {
			/* d is recomputed (maybe mod lambda): same key */
			assert_int_equal(back->n.len, rsa->n.len);
			assert_memory_equal(back->n.data, rsa->n.data,
					    rsa->n.len);
			assert_memory_equal(back->p.data, rsa->p.data,
					    rsa->p.len);
			assert_memory_equal(back->q.data, rsa->q.data,
					    rsa->q.len);
		}
	}
	gnutls_free(der.data);
	gnutls_x509_privkey_deinit(xk);
}

static void test_dpapi_cng_malformed(void **state)
{
	TALLOC_CTX *mem = *state;
	size_t len = 0;
	uint8_t *tok = cr_test_read(mem, "dsinternals/cng-rsa-key.token",
				    &len);
	const uint8_t *mib = tok + 132;
	size_t n = len - 132;
	static const struct {
		const char *what;
		size_t off;
		uint8_t value;
		long delta;
	} cases[] = {
		{ "empty", SIZE_MAX, 0, -2205 },
		{ "one short", SIZE_MAX, 0, -1 },
		{ "trailing", SIZE_MAX, 0, 1 },
		{ "magic", 0, 'X', 0 },
		{ "name length lies", 4, 0xff, 0 },
		{ "master key length lies", 24, 0xd5, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t m = (size_t)((long)n + cases[i].delta);
		uint8_t *bad = talloc_zero_size(mem, m + 1);
		struct cr_mib1 *p = NULL;
		char *err = NULL;

		print_message("case %zu: %s\n", i, cases[i].what);
		memcpy(bad, mib, m < n ? m : n);
		if (cases[i].off != SIZE_MAX) {
			bad[cases[i].off] = cases[i].value;
		}
		assert_int_equal(cr_mib1_parse(mem, bad, m, &p, &err),
				 EBADMSG);
		print_message("  -> %s\n", err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dpapi_cng_chrome, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_dpapi_cng_dsinternals_mib1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpapi_cng_rsa_roundtrip,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpapi_cng_malformed,
						setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.dpapi_cng",
					   tests, NULL, NULL);
}
