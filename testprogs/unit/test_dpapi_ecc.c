/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Elliptic-curve keys: BCRYPT_ECCKEY_BLOB with a published known answer
 * (the RFC 6979 A.2.5 P-256 key), every magic through GnuTLS and back
 * byte for byte, malformed blobs refused by name, CNG key files for EC
 * keys made, parsed, decrypted and matched, and the key-provider info of a
 * CNG certificate byte-identical to the one Windows wrote (DSInternals).
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
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "format/certelem.h"
#include "util/cursor.h"
#include "dpapi/blob.h"
#include "dpapi/cng.h"
#include "dpapi/cngkey.h"
#include "dpapi/eccblob.h"
#include "dpapi/keyfile.h"
#include "dpapi/privkey.h"
#include "test_util.h"

/* RFC 6979 A.2.5: the P-256 key (private x, public Ux, Uy). */
#define RFC6979_D "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B" \
	"120F6721"
#define RFC6979_UX "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE66962" \
	"2E60F29FB6"
#define RFC6979_UY "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C2" \
	"94D4462299"

/* "ECS2", cbKey 32, X, Y, d. */
static uint8_t *rfc6979_blob(TALLOC_CTX *mem, size_t *len)
{
	char *hex = talloc_asprintf(mem, "4543533220000000%s%s%s", RFC6979_UX,
				    RFC6979_UY, RFC6979_D);
	uint8_t *b = cr_test_hex(mem, hex, len);

	talloc_free(hex);
	return b;
}

static gnutls_x509_privkey_t gen_key(gnutls_pk_algorithm_t alg,
				     unsigned bits)
{
	gnutls_x509_privkey_t xk = NULL;

	assert_int_equal(gnutls_x509_privkey_init(&xk), 0);
	assert_int_equal(gnutls_x509_privkey_generate(xk, alg, bits, 0), 0);
	return xk;
}

/* Sign with the key, verify with a public key made from the raw point. */
static void sign_verify(const struct cr_privkey *k)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	gnutls_x509_privkey_t xk = NULL;
	gnutls_privkey_t pk = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t msg = { (unsigned char *)"roam", 4 };
	gnutls_datum_t sig = { NULL, 0 };
	gnutls_datum_t x = { k->ec->x.data, (unsigned)k->ec->x.len };
	gnutls_datum_t y = { k->ec->y.data, (unsigned)k->ec->y.len };
	char *err = NULL;

	assert_int_equal(cr_privkey_to_x509(k, &xk, &err, mem), 0);
	assert_int_equal(gnutls_privkey_init(&pk), 0);
	assert_int_equal(gnutls_privkey_import_x509(pk, xk,
		GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE), 0);
	assert_int_equal(gnutls_privkey_sign_data(pk, GNUTLS_DIG_SHA256, 0,
						  &msg, &sig), 0);
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_ecc_raw(pub, k->ec->curve, &x,
						      &y), 0);
	assert_true(gnutls_pubkey_verify_data2(pub,
		gnutls_pk_to_sign(GNUTLS_PK_ECDSA, GNUTLS_DIG_SHA256), 0,
		&msg, &sig) >= 0);
	gnutls_free(sig.data);
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(pk);
	talloc_free(mem);
}

/* The published key: parse, it is on the curve, it signs, it rebuilds. */
static void test_dpapi_ecc_known_answer(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	size_t len = 0;
	uint8_t *blob = rfc6979_blob(mem, &len);
	uint8_t *again = NULL;
	size_t again_len = 0;
	uint8_t *p8 = NULL;
	size_t p8_len = 0;
	struct cr_ec_key *ec = NULL;
	struct cr_privkey *k = NULL;
	struct cr_privkey *back = NULL;
	char *err = NULL;

	assert_int_equal(len, 8 + 3 * 32);
	assert_int_equal(cr_bcrypt_ecc_parse(mem, blob, len, &ec, &err), 0);
	assert_int_equal(ec->curve, GNUTLS_ECC_CURVE_SECP256R1);
	assert_false(ec->ecdh);
	assert_int_equal(cr_bcrypt_ecc_build(mem, ec, true, &again,
					     &again_len, &err), 0);
	assert_int_equal(again_len, len);
	assert_memory_equal(again, blob, len);
	assert_int_equal(cr_privkey_wrap_ec(mem, ec, &k), 0);
	sign_verify(k);
	assert_string_equal(cr_privkey_describe(mem, k), "ECDSA P-256");
	/* through PKCS#8 (named curve) and back: the same blob */
	assert_int_equal(cr_privkey_to_pkcs8(mem, k, true, &p8, &p8_len, &err),
			 0);
	cr_assert_contains((const char *)p8, "-----BEGIN PRIVATE KEY-----");
	assert_int_equal(cr_privkey_from_pkcs8(mem, p8, p8_len, &back, &err),
			 0);
	assert_int_equal(back->alg, GNUTLS_PK_ECDSA);
	assert_int_equal(cr_bcrypt_ecc_build(mem, back->ec, true, &again,
					     &again_len, &err), 0);
	assert_memory_equal(again, blob, len);
	/* the public blob is the first 72 bytes with magic ECS1 */
	assert_int_equal(cr_bcrypt_ecc_build(mem, ec, false, &again,
					     &again_len, &err), 0);
	assert_int_equal(again_len, 72);
	assert_memory_equal(again, "ECS1", 4);
	assert_memory_equal(again + 4, blob + 4, 68);
	talloc_free(mem);
}

/* Every curve and use: GnuTLS key -> blob -> key -> PKCS#8 identical. */
static void test_dpapi_ecc_all_magics(void **state)
{
	struct cr_test_ctx *t = *state;
	static const struct {
		gnutls_ecc_curve_t curve;
		bool ecdh;
		const char *priv;
		const char *pub;
		size_t cb;
	} cases[] = {
		{ GNUTLS_ECC_CURVE_SECP256R1, false, "ECS2", "ECS1", 32 },
		{ GNUTLS_ECC_CURVE_SECP384R1, false, "ECS4", "ECS3", 48 },
		{ GNUTLS_ECC_CURVE_SECP521R1, false, "ECS6", "ECS5", 66 },
		{ GNUTLS_ECC_CURVE_SECP256R1, true, "ECK2", "ECK1", 32 },
		{ GNUTLS_ECC_CURVE_SECP384R1, true, "ECK4", "ECK3", 48 },
		{ GNUTLS_ECC_CURVE_SECP521R1, true, "ECK6", "ECK5", 66 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TALLOC_CTX *mem = talloc_new(t->mem);
		gnutls_x509_privkey_t xk = NULL;
		gnutls_datum_t der = { NULL, 0 };
		struct cr_privkey *k = NULL;
		struct cr_ec_key *ec = NULL;
		struct cr_ec_key *pub = NULL;
		uint8_t *blob = NULL;
		size_t blob_len = 0;
		uint8_t *p8 = NULL;
		size_t p8_len = 0;
		char *err = NULL;

		print_message("case %zu: %s\n", i, cases[i].priv);
		xk = gen_key(GNUTLS_PK_ECDSA,
			     GNUTLS_CURVE_TO_BITS(cases[i].curve));
		assert_int_equal(gnutls_x509_privkey_export2_pkcs8(xk,
			GNUTLS_X509_FMT_DER, NULL, GNUTLS_PKCS_PLAIN, &der), 0);
		assert_int_equal(cr_privkey_from_x509(mem, xk, &k, &err), 0);
		assert_int_equal(k->ec->curve, cases[i].curve);
		k->ec->ecdh = cases[i].ecdh;
		assert_int_equal(cr_bcrypt_ecc_build(mem, k->ec, true, &blob,
						     &blob_len, &err), 0);
		assert_int_equal(blob_len, 8 + 3 * cases[i].cb);
		assert_memory_equal(blob, cases[i].priv, 4);
		assert_int_equal(cr_bcrypt_ecc_parse(mem, blob, blob_len, &ec,
						     &err), 0);
		assert_int_equal(ec->ecdh, cases[i].ecdh);
		assert_int_equal(cr_privkey_wrap_ec(mem, ec, &k), 0);
		assert_int_equal(cr_privkey_to_pkcs8(mem, k, false, &p8,
						     &p8_len, &err), 0);
		assert_int_equal(p8_len, der.size);
		assert_memory_equal(p8, der.data, der.size);
		sign_verify(k);
		assert_int_equal(cr_bcrypt_ecc_build(mem, ec, false, &blob,
						     &blob_len, &err), 0);
		assert_memory_equal(blob, cases[i].pub, 4);
		assert_int_equal(cr_bcrypt_ecc_parse(mem, blob, blob_len, &pub,
						     &err), 0);
		assert_int_equal(pub->k.len, 0);
		gnutls_free(der.data);
		gnutls_x509_privkey_deinit(xk);
		talloc_free(mem);
	}
}

static void test_dpapi_ecc_malformed(void **state)
{
	struct cr_test_ctx *t = *state;
	static const struct {
		const char *what;
		size_t off;		/* SIZE_MAX: none */
		uint8_t value;
		long delta;		/* length change */
		int parse;		/* expected from the parser */
		const char *says;
		const char *magic;	/* replaces the magic, or NULL */
	} cases[] = {
		{ "empty", SIZE_MAX, 0, -104, EBADMSG, "header" },
		{ "header only", SIZE_MAX, 0, -96, EBADMSG, "header says" },
		{ "one short", SIZE_MAX, 0, -1, EBADMSG, "header says 104" },
		{ "trailing byte", SIZE_MAX, 0, 1, EBADMSG, "is 105 bytes" },
		{ "cbKey lies", 4, 48, 0, EBADMSG, "cbKey 48" },
		{ "unknown magic", 3, '9', 0, EBADMSG, "'ECS9'" },
		{ "RSA magic", 0, 'R', 0, EBADMSG, "'RCS2'" },
		{ "generic ECDSA", SIZE_MAX, 0, 0, EINVAL, "generic", "ECDV" },
		{ "generic ECDH", SIZE_MAX, 0, 0, EINVAL, "generic", "ECKP" },
		{ "binary magic", 0, 0x01, 0, EBADMSG, "0x32534301" },
		{ "bad point", 8 + 32 + 5, 0x55, 0, 0, "inconsistent" },
		{ "wrong secret", 8 + 64 + 7, 0x55, 0, 0, "inconsistent" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TALLOC_CTX *mem = talloc_new(t->mem);
		size_t n = 0;
		uint8_t *good = rfc6979_blob(mem, &n);
		size_t m = (size_t)((long)n + cases[i].delta);
		uint8_t *bad = talloc_zero_size(mem, m + 1);
		struct cr_ec_key *ec = NULL;
		gnutls_x509_privkey_t xk = NULL;
		char *err = NULL;
		int ret;

		print_message("case %zu: %s\n", i, cases[i].what);
		memcpy(bad, good, m < n ? m : n);
		if (cases[i].off != SIZE_MAX) {
			bad[cases[i].off] = cases[i].value;
		}
		if (cases[i].magic != NULL) {
			memcpy(bad, cases[i].magic, 4);
		}
		ret = cr_bcrypt_ecc_parse(mem, bad, m, &ec, &err);
		assert_int_equal(ret, cases[i].parse);
		if (ret == 0) {
			/* well-formed, but GnuTLS refuses the key */
			assert_int_equal(cr_ec_key_to_x509(ec, &xk, &err, mem),
					 EBADMSG);
			assert_null(xk);
		} else {
			assert_null(ec);
		}
		print_message("  -> %s\n", err);
		cr_assert_contains(err, cases[i].says);
		talloc_free(mem);
	}
}

/* A new CNG key file for each curve: parse exactly, decrypt, match. */
static void test_dpapi_ecc_cng_file(void **state)
{
	struct cr_test_ctx *t = *state;
	static const gnutls_ecc_curve_t curves[] = {
		GNUTLS_ECC_CURVE_SECP256R1, GNUTLS_ECC_CURVE_SECP384R1,
		GNUTLS_ECC_CURVE_SECP521R1,
	};
	size_t i;

	for (i = 0; i < 2 * sizeof(curves) / sizeof(curves[0]); i++) {
		TALLOC_CTX *mem = talloc_new(t->mem);
		gnutls_x509_privkey_t xk = NULL;
		struct cr_privkey *k = NULL;
		struct cr_privkey *back = NULL;
		struct cr_cng_key *c = NULL;
		struct cr_cng_key *parsed = NULL;
		struct cr_dpapi_keyfile_info info;
		struct cr_rsa_key *rsa = NULL;
		struct cr_guid g;
		uint8_t mk[64];
		uint8_t *file = NULL;
		size_t file_len = 0;
		uint8_t *plain = NULL;
		size_t plain_len = 0;
		uint8_t *blob = NULL;
		size_t blob_len = 0;
		uint8_t *props = NULL;
		size_t props_len = 0;
		uint8_t *a = NULL;
		uint8_t *b = NULL;
		size_t a_len = 0;
		size_t b_len = 0;
		char *err = NULL;
		bool ecdh = i >= 3;

		memset(mk, 0x42, sizeof(mk));
		memset(&g, 0x17, sizeof(g));
		xk = gen_key(GNUTLS_PK_ECDSA,
			     GNUTLS_CURVE_TO_BITS(curves[i % 3]));
		assert_int_equal(cr_privkey_from_x509(mem, xk, &k, &err), 0);
		gnutls_x509_privkey_deinit(xk);
		k->ec->ecdh = ecdh;
		print_message("case %zu: %s\n", i,
			      cr_privkey_describe(mem, k));
		assert_int_equal(cr_cng_key_create(mem, "credroam-Test", k,
			0x01d9000000000000ULL, &g, mk, sizeof(mk), &c, &err),
			0);
		assert_int_equal(cr_cng_key_serialize(mem, c, &file, &file_len,
						      &err), 0);
		assert_int_equal(cr_cng_key_parse(mem, file, file_len, &parsed,
						  &err), 0);
		assert_string_equal(parsed->name, "credroam-Test");
		assert_int_equal(parsed->name_len, 26);
		assert_int_equal(parsed->type, CR_CNG_TYPE_EC);
		assert_int_equal(parsed->num_props, 2);
		assert_string_equal(parsed->props[0].name, "Modified");
		assert_int_equal(parsed->props[1].type,
				 CR_CNG_PROP_PUBLIC_BLOB);
		assert_memory_equal(parsed->props[1].value,
				    ecdh ? "ECK" : "ECS", 3);
		/* the decrypted blob is exactly the one we build */
		assert_int_equal(cr_cng_key_decrypt_blob(mem, parsed, mk, 64,
			&plain, &plain_len, &err), 0);
		assert_int_equal(cr_bcrypt_ecc_build(mem, k->ec, true, &blob,
						     &blob_len, &err), 0);
		assert_int_equal(plain_len, blob_len);
		assert_memory_equal(plain, blob, blob_len);
		assert_int_equal(cr_cng_key_decrypt_properties(mem, parsed, mk,
			64, &props, &props_len, &err), 0);
		assert_int_equal(props_len, 20 + 26 + 4);
		assert_int_equal(cr_le32(props + 4), 3);
		assert_int_equal(cr_le32(props + 46), 3);
		/* through the generic key-file reader */
		assert_int_equal(cr_dpapi_keyfile_decrypt_any(mem, file,
			file_len, mk, 64, &back, &info, &err), 0);
		assert_string_equal(info.kind, "cng");
		assert_int_equal(back->ec->ecdh, ecdh);
		assert_int_equal(cr_privkey_to_pkcs8(mem, k, false, &a, &a_len,
						     &err), 0);
		assert_int_equal(cr_privkey_to_pkcs8(mem, back, false, &b,
						     &b_len, &err), 0);
		assert_int_equal(a_len, b_len);
		assert_memory_equal(a, b, a_len);
		/* the RSA-only reader names what it found */
		assert_int_equal(cr_dpapi_keyfile_decrypt(mem, file, file_len,
			mk, 64, &rsa, &info, &err), EINVAL);
		print_message("  RSA reader: %s\n", err);
		cr_assert_contains(err, "not RSA");
		/* a wrong master key fails */
		mk[0] ^= 1;
		assert_int_not_equal(cr_cng_key_decrypt_any(mem, parsed, mk,
			64, &back, &err), 0);
		talloc_free(mem);
	}
}

/* A key file whose private key is not its public key is refused. */
static void test_dpapi_ecc_cng_mismatch(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	gnutls_x509_privkey_t xk = NULL;
	struct cr_privkey *k1 = NULL;
	struct cr_privkey *k2 = NULL;
	struct cr_privkey *back = NULL;
	struct cr_cng_key *c1 = NULL;
	struct cr_cng_key *c2 = NULL;
	struct cr_guid g;
	uint8_t mk[64];
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	size_t blen = 0;
	char *err = NULL;
	const char *aes = "KDBM";

	memset(mk, 1, sizeof(mk));
	memset(&g, 2, sizeof(g));
	xk = gen_key(GNUTLS_PK_ECDSA, 256);
	assert_int_equal(cr_privkey_from_x509(mem, xk, &k1, &err), 0);
	gnutls_x509_privkey_deinit(xk);
	xk = gen_key(GNUTLS_PK_ECDSA, 256);
	assert_int_equal(cr_privkey_from_x509(mem, xk, &k2, &err), 0);
	gnutls_x509_privkey_deinit(xk);
	assert_int_equal(cr_cng_key_create(mem, "a", k1, 0, &g, mk, 64, &c1,
					   &err), 0);
	assert_int_equal(cr_cng_key_create(mem, "b", k2, 0, &g, mk, 64, &c2,
					   &err), 0);
	/* c1's public part with c2's private key */
	c1->priv_key = c2->priv_key;
	c1->priv_key_len = c2->priv_key_len;
	assert_int_equal(cr_cng_key_decrypt_any(mem, c1, mk, 64, &back, &err),
			 EBADMSG);
	print_message("%s\n", err);
	cr_assert_contains(err, "CNG key 'a'");
	cr_assert_contains(err, "does not match");
	/* an AES key blob ("KDBM") is named, not dropped */
	assert_int_equal(cr_dpapi_protect(mem, &g, mk, 64,
		(const uint8_t *)aes, 4,
		(const uint8_t *)CR_CNG_PRIVATE_KEY_ENTROPY,
		sizeof(CR_CNG_PRIVATE_KEY_ENTROPY), NULL, &plain, &blen,
		&err), 0);
	c1->priv_key = plain;
	c1->priv_key_len = (uint32_t)blen;
	assert_int_equal(cr_cng_key_decrypt_any(mem, c1, mk, 64, &back, &err),
			 EINVAL);
	print_message("%s\n", err);
	cr_assert_contains(err, "0x4d42444b");
	(void)plain_len;
	talloc_free(mem);
}

/* The KSP key-provider info is byte for byte what Windows wrote. */
static void test_dpapi_ecc_ksp_prov_info(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	size_t len = 0;
	uint8_t *tok = cr_test_read_or_fail(mem,
		"dsinternals/cng-certificate.token", &len);
	struct cr_certelem *elem = NULL;
	struct cr_key_prov_info kpi = {
		.container = (char *)(uintptr_t)
			"te-TestTemplate-dda6a29b-3e38-4528-8785-7c95d30c631a",
		.provider = (char *)(uintptr_t)CR_MS_KEY_STORAGE_PROVIDER,
		.prov_type = CR_PROV_NONE,
		.key_spec = CR_AT_NONE,
	};
	uint8_t *built = NULL;
	size_t built_len = 0;
	size_t i;
	bool seen = false;
	char *err = NULL;

	assert_int_equal(cr_certelem_parse(mem, tok + 132, len - 132, &elem,
					   NULL, &err), 0);
	assert_non_null(elem->key_prov);
	assert_string_equal(elem->key_prov->provider,
			    CR_MS_KEY_STORAGE_PROVIDER);
	assert_int_equal(cr_key_prov_info_build(mem, &kpi, &built, &built_len,
						&err), 0);
	for (i = 0; i < elem->n_props; i++) {
		if (elem->props[i].id == CR_CERT_PROP_KEY_PROV_INFO) {
			assert_int_equal(elem->props[i].length, built_len);
			assert_memory_equal(elem->props[i].value, built,
					    built_len);
			seen = true;
		}
	}
	assert_true(seen);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_dpapi_ecc_known_answer),
		cr_unit_test(test_dpapi_ecc_all_magics),
		cr_unit_test(test_dpapi_ecc_malformed),
		cr_unit_test(test_dpapi_ecc_cng_file),
		cr_unit_test(test_dpapi_ecc_cng_mismatch),
		cr_unit_test(test_dpapi_ecc_ksp_prov_info),
	};

	return cmocka_run_group_tests_name("credroam.unittests.dpapi_ecc",
					   tests, NULL, NULL);
}
