/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CAPI key containers: the Windows 10 container from the mimikatz wiki
 * (decrypt, the key matches its certificate, the decrypted "RSA2" layout
 * rebuilt byte for byte and re-encrypted to Windows' exact blob), the
 * DSInternals roaming token, PKCS#8 round trips, malformed input.
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

#include "dpapi/blob.h"
#include "dpapi/capi.h"
#include "dpapi/privkey.h"
#include "util/cursor.h"
#include "test_util.h"

#define KIWI_DIR "mimikatz-efs/"
#define KIWI_CONTAINER "79e1ac78150e8bea8ad238e14d63145b_4f8e7ec6-a506-4d31-" \
	"9d5a-1e4cbed4997b"
#define KIWI_MK "d3fb9169447509d9a2d3d4f6fc0e84b4733a676add274094f91452b8f" \
	"e4984ab8fe02326c8be8931122514b90f8d850205bb1a84db54fc72d1cffb52137" \
	"7bafc"

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

static struct cr_capi_key *load(TALLOC_CTX *mem, const uint8_t *data,
				size_t len)
{
	struct cr_capi_key *k = NULL;
	uint8_t *again = NULL;
	size_t again_len = 0;
	char *err = NULL;

	if (cr_capi_key_parse(mem, data, len, &k, &err) != 0) {
		fail_msg("%s", err);
	}
	assert_int_equal(cr_capi_key_serialize(mem, k, &again, &again_len,
					       &err), 0);
	assert_int_equal(again_len, len);
	assert_memory_equal(again, data, len);
	return k;
}

static void test_dpapi_capi_mimikatz(void **state)
{
	TALLOC_CTX *mem = *state;
	size_t len = 0;
	uint8_t *data = cr_test_read(mem, KIWI_DIR KIWI_CONTAINER, &len);
	uint8_t *mk = cr_test_hex(mem, KIWI_MK, NULL);
	struct cr_capi_key *k = NULL;
	struct cr_rsa_key *rsa = NULL;
	struct cr_dpapi_blob *b = NULL;
	struct cr_dpapi_protect opt;
	uint8_t *plain = NULL;
	uint8_t *rebuilt = NULL;
	uint8_t *blob = NULL;
	size_t plain_len = 0;
	size_t rebuilt_len = 0;
	size_t blob_len = 0;
	uint32_t flag = 0;
	char *err = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d;
	gnutls_datum_t m = { NULL, 0 };
	gnutls_datum_t e = { NULL, 0 };

	assert_non_null(data);
	k = load(mem, data, len);
	assert_string_equal(k->name, "ffb75517-bc6c-4a40-8f8b-e2c555e30e34");
	assert_string_equal(cr_capi_file_name(mem, k->name,
		"4f8e7ec6-a506-4d31-9d5a-1e4cbed4997b"), KIWI_CONTAINER);

	assert_int_equal(cr_capi_key_decrypt(mem, k, CR_CAPI_ANY, mk, 64, &rsa,
					     &flag, &err), 0);
	assert_int_equal(flag, 1);
	assert_int_equal(cr_rsa_key_bits(rsa), 2048);

	/* the public half is the certificate's */
	der = cr_test_read(mem,
		KIWI_DIR "B53C6DE283C00203587A03DD3D0BF66E16969A55.der",
		&der_len);
	d = (gnutls_datum_t) { .data = der, .size = (unsigned)der_len };
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER),
			 0);
	assert_int_equal(gnutls_x509_crt_get_pk_rsa_raw(crt, &m, &e), 0);
	assert_true(m.size >= rsa->n.len);
	assert_memory_equal(m.data + m.size - rsa->n.len, rsa->n.data,
			    rsa->n.len);
	gnutls_free(m.data);
	gnutls_free(e.data);
	gnutls_x509_crt_deinit(crt);

	/*
	 * The layout proof: rebuild the 1348-byte plaintext from the parsed
	 * key, compare with Windows' plaintext, and re-encrypt it with the
	 * blob's salt and nonce to Windows' exact bytes.
	 */
	assert_int_equal(cr_dpapi_blob_parse(mem, k->priv[1], k->priv_len[1],
					     &b, &err), 0);
	assert_int_equal(cr_dpapi_blob_decrypt(mem, b, mk, 64, NULL, 0, &plain,
					       &plain_len, &err), 0);
	assert_int_equal(plain_len, 1348);
	assert_int_equal(cr_capi_rsa2_build(mem, rsa, &rebuilt, &rebuilt_len,
					    &err), 0);
	assert_int_equal(rebuilt_len, plain_len);
	assert_memory_equal(rebuilt, plain, plain_len);
	memset(&opt, 0, sizeof(opt));
	opt.description = cr_dpapi_blob_description(mem, b);
	opt.salt = b->salt;
	opt.salt_len = b->salt_len;
	opt.hmac2 = b->hmac2;
	opt.hmac2_len = b->hmac2_len;
	assert_string_equal(opt.description, "Clé privée CryptoAPI");
	assert_int_equal(cr_dpapi_protect(mem, &b->mk_guid, mk, 64, rebuilt,
		rebuilt_len, NULL, 0, &opt, &blob, &blob_len, &err), 0);
	assert_int_equal(blob_len, k->priv_len[1]);
	assert_memory_equal(blob, k->priv[1], blob_len);

	/* wrong master key */
	mk[0] ^= 1;
	assert_int_equal(cr_capi_key_decrypt(mem, k, CR_CAPI_ANY, mk, 64, &rsa,
					     &flag, &err), EACCES);
	assert_non_null(strstr(err, "HMAC check failed"));
	assert_int_equal(cr_capi_key_decrypt(mem, k, CR_CAPI_SIGNATURE, mk, 64,
					     &rsa, &flag, &err), ENOENT);
}

/* A real roaming token (type 1): 132-byte header, then the container. */
static void test_dpapi_capi_dsinternals_token(void **state)
{
	TALLOC_CTX *mem = *state;
	size_t len = 0;
	uint8_t *tok = cr_test_read(mem, "dsinternals/capi-rsa-key.token",
				    &len);
	struct cr_capi_key *k = NULL;
	struct cr_dpapi_blob *b = NULL;
	char *err = NULL;
	uint32_t data_len;
	char ident[94];

	assert_non_null(tok);
	assert_true(len > 132);
	data_len = cr_le32(tok + 0x80);
	assert_int_equal(data_len, len - 132);
	assert_int_equal(data_len, 2081);
	memcpy(ident, tok + 3, 93);
	ident[93] = '\0';
	k = load(mem, tok + 132, data_len);
	assert_string_equal(k->name, "472576b9-14d6-44c3-bfaf-bccd074d4695");
	assert_int_equal(k->pub_len[1], 284);
	assert_int_equal(k->priv_len[1], 1532);
	assert_int_equal(k->flag_len[1], 168);
	assert_int_equal(k->priv_len[0], 0);
	/* the token's identifier is the container's file name */
	assert_string_equal(cr_capi_file_name(mem, k->name,
		"f8b7bbef-d227-4ac7-badd-3a238a7f741e"), ident);
	assert_int_equal(cr_dpapi_blob_parse(mem, k->priv[1], k->priv_len[1],
					     &b, &err), 0);
	assert_string_equal(cr_dpapi_blob_description(mem, b),
			    "CryptoAPI Private Key");
	/* 1348-byte plaintext + 4 bytes of 3DES padding */
	assert_int_equal(b->data_len, 1352);
	assert_int_equal(cr_dpapi_blob_parse(mem, k->flag[1], k->flag_len[1],
					     &b, &err), 0);
	assert_string_equal(cr_dpapi_blob_description(mem, b), "Export Flag");
}

static void test_dpapi_capi_roundtrip(void **state)
{
	TALLOC_CTX *mem = *state;
	gnutls_x509_privkey_t xk = NULL;
	gnutls_datum_t der = { NULL, 0 };
	struct cr_rsa_key *rsa = NULL;
	struct cr_rsa_key *back = NULL;
	struct cr_privkey *pk = NULL;
	struct cr_capi_key *k = NULL;
	struct cr_capi_key *parsed = NULL;
	struct cr_guid g;
	uint8_t mk[64];
	uint8_t *bytes = NULL;
	uint8_t *p8 = NULL;
	size_t len = 0;
	size_t p8_len = 0;
	uint32_t flag = 0;
	char *err = NULL;

	memset(mk, 0x5a, sizeof(mk));
	memset(&g, 0x11, sizeof(g));
	assert_int_equal(gnutls_x509_privkey_init(&xk), 0);
	assert_int_equal(gnutls_x509_privkey_generate(xk, GNUTLS_PK_RSA, 2048,
						      0), 0);
	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(xk,
		GNUTLS_X509_FMT_DER, NULL, GNUTLS_PKCS_PLAIN, &der), 0);
	assert_int_equal(cr_privkey_from_pkcs8(mem, der.data, der.size, &pk,
					       &err), 0);
	rsa = pk->rsa;
	assert_int_equal(cr_capi_key_create(mem,
		"0c7f3b4e-1234-4abc-8def-0123456789ab", rsa, &g, mk, 64, &k,
		&err), 0);
	assert_int_equal(cr_capi_key_serialize(mem, k, &bytes, &len, &err), 0);
	/* same shape as Windows 10's: 284 public, 1616 private, 252 flag */
	assert_int_equal(k->pub_len[1], 284);
	assert_int_equal(k->priv_len[1], 1616);
	assert_int_equal(k->flag_len[1], 252);
	assert_int_equal(cr_capi_key_parse(mem, bytes, len, &parsed, &err), 0);
	assert_int_equal(cr_capi_key_decrypt(mem, parsed, CR_CAPI_EXCHANGE, mk,
					     64, &back, &flag, &err), 0);
	assert_int_equal(flag, 1);
	assert_int_equal(cr_privkey_wrap_rsa(mem, back, &pk), 0);
	assert_int_equal(cr_privkey_to_pkcs8(mem, pk, false, &p8, &p8_len,
					     &err), 0);
	/* the PKCS#8 that comes out is the one that went in */
	assert_int_equal(p8_len, der.size);
	assert_memory_equal(p8, der.data, der.size);
	gnutls_free(der.data);
	gnutls_x509_privkey_deinit(xk);
}

/* A self-signed certificate for xk, as a CA would issue for the key. */
static gnutls_x509_crt_t make_cert(gnutls_x509_privkey_t xk)
{
	gnutls_x509_crt_t crt = NULL;
	static const uint8_t serial[] = { 0x01, 0x23 };

	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_set_version(crt, 3), 0);
	assert_int_equal(gnutls_x509_crt_set_serial(crt, serial,
						    sizeof(serial)), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(crt, 1700000000),
			 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(crt, 1800000000),
			 0);
	assert_int_equal(gnutls_x509_crt_set_dn(crt, "CN=capi size test",
						NULL), 0);
	assert_int_equal(gnutls_x509_crt_set_key(crt, xk), 0);
	assert_int_equal(gnutls_x509_crt_sign2(crt, crt, xk,
					       GNUTLS_DIG_SHA256, 0), 0);
	return crt;
}

/* The key that came back signs what the certificate's key verifies. */
static void assert_key_matches_cert(TALLOC_CTX *mem, const uint8_t *p8,
				    size_t p8_len, gnutls_x509_crt_t crt)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_privkey_t pk = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t d = { .data = (uint8_t *)(uintptr_t)p8,
			     .size = (unsigned)p8_len };
	gnutls_datum_t msg = { .data = (uint8_t *)"roamed", .size = 6 };
	gnutls_datum_t sig = { NULL, 0 };
	uint8_t id1[64];
	uint8_t id2[64];
	size_t id1_len = sizeof(id1);
	size_t id2_len = sizeof(id2);

	(void)mem;
	assert_int_equal(gnutls_x509_privkey_init(&xk), 0);
	assert_int_equal(gnutls_x509_privkey_import2(xk, &d,
		GNUTLS_X509_FMT_DER, NULL, GNUTLS_PKCS_PLAIN), 0);
	assert_int_equal(gnutls_x509_privkey_get_key_id(xk,
		GNUTLS_KEYID_USE_SHA256, id1, &id1_len), 0);
	assert_int_equal(gnutls_x509_crt_get_key_id(crt,
		GNUTLS_KEYID_USE_SHA256, id2, &id2_len), 0);
	assert_int_equal(id1_len, id2_len);
	assert_memory_equal(id1, id2, id1_len);
	assert_int_equal(gnutls_privkey_init(&pk), 0);
	assert_int_equal(gnutls_privkey_import_x509(pk, xk,
		GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE), 0);
	assert_int_equal(gnutls_privkey_sign_data2(pk, GNUTLS_SIGN_RSA_SHA256,
						   0, &msg, &sig), 0);
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_x509(pub, crt, 0), 0);
	assert_int_equal(gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_RSA_SHA256,
						    0, &msg, &sig), 0);
	gnutls_free(sig.data);
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(pk);
}

/*
 * PKCS#8 -> container -> PKCS#8 for one key: the bytes come back
 * identical, the fields have rsaenh's sizes, and the key still belongs to
 * its certificate.
 */
static void roundtrip_one(TALLOC_CTX *mem, gnutls_x509_privkey_t xk,
			  unsigned bits)
{
	gnutls_datum_t der = { NULL, 0 };
	gnutls_x509_crt_t crt = make_cert(xk);
	struct cr_rsa_key *rsa = NULL;
	struct cr_rsa_key *back = NULL;
	struct cr_privkey *pk = NULL;
	struct cr_capi_key *k = NULL;
	struct cr_capi_key *parsed = NULL;
	struct cr_guid g;
	uint8_t mk[64];
	uint8_t *bytes = NULL;
	uint8_t *plain = NULL;
	uint8_t *p8 = NULL;
	size_t len = 0;
	size_t plain_len = 0;
	size_t p8_len = 0;
	uint32_t keylen = bits / 8 + 8;
	uint32_t flag = 0;
	char *err = NULL;

	memset(mk, 0xa5, sizeof(mk));
	memset(&g, 0x22, sizeof(g));
	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(xk,
		GNUTLS_X509_FMT_DER, NULL, GNUTLS_PKCS_PLAIN, &der), 0);
	assert_int_equal(cr_privkey_from_pkcs8(mem, der.data, der.size, &pk,
					       &err), 0);
	rsa = pk->rsa;
	assert_int_equal(cr_rsa_key_bits(rsa), bits);
	if (cr_capi_key_create(mem, "b2f5e0c4-5f1e-4c1a-9a7e-3d2c1b0a9f8e",
			       rsa, &g, mk, 64, &k, &err) != 0) {
		fail_msg("%u bits: %s", bits, err);
	}
	/* RSA1 public key: 20-byte header, n in keylen bytes */
	assert_int_equal(k->pub_len[1], 20 + keylen);
	assert_int_equal(cr_le32(k->pub[1] + 4), keylen);
	assert_int_equal(cr_le32(k->pub[1] + 8), bits);
	assert_int_equal(cr_dpapi_unprotect(mem, k->priv[1], k->priv_len[1],
					    mk, 64, NULL, 0, &plain,
					    &plain_len, &err), 0);
	/* header, n and d in keylen, five halves, keylen/2 + 8 zero tail */
	assert_int_equal(plain_len, 20 + 2 * keylen + 5 * (keylen / 2) +
				    keylen / 2 + 8);
	assert_int_equal(cr_le32(plain + 4), keylen);
	assert_int_equal(cr_le32(plain + 8), bits);
	assert_int_equal(cr_le32(plain + 12), bits / 8 - 1);

	assert_int_equal(cr_capi_key_serialize(mem, k, &bytes, &len, &err), 0);
	assert_int_equal(cr_capi_key_parse(mem, bytes, len, &parsed, &err), 0);
	assert_int_equal(cr_capi_key_decrypt(mem, parsed, CR_CAPI_EXCHANGE, mk,
					     64, &back, &flag, &err), 0);
	assert_int_equal(flag, 1);
	assert_int_equal(cr_privkey_wrap_rsa(mem, back, &pk), 0);
	assert_int_equal(cr_privkey_to_pkcs8(mem, pk, false, &p8, &p8_len,
					     &err), 0);
	assert_int_equal(p8_len, der.size);
	assert_memory_equal(p8, der.data, der.size);
	assert_key_matches_cert(mem, p8, p8_len, crt);
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(crt);
}

/* The sizes Windows makes CAPI keys in. */
static void test_dpapi_capi_sizes(void **state)
{
	TALLOC_CTX *mem = *state;
	static const unsigned sizes[] = { 1024, 2048, 3072, 4096 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		gnutls_x509_privkey_t xk = NULL;

		print_message("RSA-%u\n", sizes[i]);
		assert_int_equal(gnutls_x509_privkey_init(&xk), 0);
		assert_int_equal(gnutls_x509_privkey_generate(xk,
			GNUTLS_PK_RSA, sizes[i], 0), 0);
		roundtrip_one(mem, xk, sizes[i]);
		gnutls_x509_privkey_deinit(xk);
	}
}

/* Values shorter than their field are zero-padded and read back. */
static void test_dpapi_capi_short_fields(void **state)
{
	TALLOC_CTX *mem = *state;
	gnutls_x509_privkey_t xk = NULL;
	gnutls_datum_t pem = { NULL, 0 };
	struct cr_rsa_key *rsa = NULL;
	uint8_t *plain = NULL;
	size_t len = 0;
	char *err = NULL;

	pem.data = cr_test_read(mem, "capi-sizes/short-fields-1024.pem", &len);
	assert_non_null(pem.data);
	pem.size = (unsigned)len;
	assert_int_equal(gnutls_x509_privkey_init(&xk), 0);
	assert_int_equal(gnutls_x509_privkey_import2(xk, &pem,
		GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN), 0);
	assert_int_equal(cr_rsa_key_from_x509(mem, xk, &rsa, &err), 0);
	/* the point of this key: two CRT values a byte short of 64 */
	assert_true(rsa->dp.len < 64);
	assert_true(rsa->u.len < 64);
	roundtrip_one(mem, xk, 1024);
	gnutls_x509_privkey_deinit(xk);

	/* below rsaenh's smallest key (320 bits here): refused */
	rsa->n.len = 40;
	assert_int_equal(cr_capi_rsa2_build(mem, rsa, &plain, &len, &err),
			 EINVAL);
	assert_null(plain);
}

static void test_dpapi_capi_malformed(void **state)
{
	TALLOC_CTX *mem = *state;
	size_t len = 0;
	uint8_t *good = cr_test_read(mem, KIWI_DIR KIWI_CONTAINER, &len);
	static const struct {
		const char *what;
		size_t off;
		uint8_t value;
		long delta;
	} cases[] = {
		{ "empty", SIZE_MAX, 0, -2247 },
		{ "header only", SIZE_MAX, 0, -(2247 - 40) },
		{ "one short", SIZE_MAX, 0, -1 },
		{ "trailing", SIZE_MAX, 0, 1 },
		{ "version 3", 0, 3, 0 },
		{ "name not terminated", 40 + 36, 'x', 0 },
		{ "private length lies", 24, 0x4f, 0 },
		{ "blob inside damaged", 40 + 37 + 20 + 284, 9, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = (size_t)((long)len + cases[i].delta);
		uint8_t *bad = talloc_zero_size(mem, n + 1);
		struct cr_capi_key *k = NULL;
		char *err = NULL;

		print_message("case %zu: %s\n", i, cases[i].what);
		memcpy(bad, good, n < len ? n : len);
		if (cases[i].off != SIZE_MAX) {
			bad[cases[i].off] = cases[i].value;
		}
		assert_int_equal(cr_capi_key_parse(mem, bad, n, &k, &err),
				 EBADMSG);
		assert_null(k);
		print_message("  -> %s\n", err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dpapi_capi_mimikatz, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_dpapi_capi_dsinternals_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpapi_capi_roundtrip,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpapi_capi_sizes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dpapi_capi_short_fields,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpapi_capi_malformed,
						setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.dpapi_capi",
					   tests, NULL, NULL);
}
