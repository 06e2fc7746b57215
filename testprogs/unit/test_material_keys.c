/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Certificates with EC keys through material.c both ways: a PEM
 * certificate and PKCS#8 key become a CNG certificate (type 7, key
 * provider info naming the Software KSP) and a CNG key (type 9, MIB1 +
 * key file under the master key), which decrypt back to the same key;
 * ECDSA or ECDH as the certificate's key usage says; a key that is not
 * the certificate's is refused naming both files.  A DSA key becomes a
 * CAPI certificate (type 3) naming the Enhanced DSS and Diffie-Hellman
 * provider (PROV_DSS_DH, AT_SIGNATURE) and a DSS container (type 2) named
 * as Windows names containers; a DSA key the provider cannot hold is
 * refused naming the certificate.
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

#include "format/certelem.h"
#include "dpapi/dpapi.h"
#include "dpapi/capi_dss.h"
#include "store/material.h"
#include "format/token.h"
#include "test_util.h"

struct pair_files {
	uint8_t *cert;		/* PEM */
	size_t cert_len;
	uint8_t *key;		/* PKCS#8 PEM */
	size_t key_len;
};

/* A self-signed certificate for a fresh key of alg/bits. */
static void make_pair(TALLOC_CTX *mem, gnutls_pk_algorithm_t alg,
		      unsigned bits, unsigned usage, struct pair_files *out)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = { NULL, 0 };
	static const uint8_t serial[] = { 0x19 };
	time_t now = time(NULL);

	assert_int_equal(gnutls_x509_privkey_init(&xk), 0);
	assert_int_equal(gnutls_x509_privkey_generate(xk, alg, bits, 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_set_version(crt, 3), 0);
	assert_int_equal(gnutls_x509_crt_set_serial(crt, serial, 1), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(crt, now), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(crt,
		now + 86400), 0);
	assert_int_equal(gnutls_x509_crt_set_dn(crt, "CN=issue19", NULL), 0);
	assert_int_equal(gnutls_x509_crt_set_key(crt, xk), 0);
	assert_int_equal(gnutls_x509_crt_set_key_usage(crt, usage), 0);
	assert_int_equal(gnutls_x509_crt_sign2(crt, crt, xk,
					       GNUTLS_DIG_SHA256, 0), 0);
	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d),
			 0);
	out->cert = talloc_memdup(mem, d.data, d.size);
	out->cert_len = d.size;
	gnutls_free(d.data);
	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(xk,
		GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &d), 0);
	out->key = talloc_memdup(mem, d.data, d.size);
	out->key_len = d.size;
	gnutls_free(d.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(xk);
}

static void test_material_keys_ec_roundtrip(void **state)
{
	struct cr_test_ctx *t = *state;
	static const struct {
		unsigned bits;
		unsigned usage;
		bool ecdh;
		const char *magic;
	} cases[] = {
		{ 256, GNUTLS_KEY_DIGITAL_SIGNATURE, false, "ECS1" },
		{ 384, GNUTLS_KEY_DIGITAL_SIGNATURE |
		       GNUTLS_KEY_KEY_AGREEMENT, false, "ECS3" },
		{ 521, GNUTLS_KEY_DIGITAL_SIGNATURE, false, "ECS5" },
		{ 256, GNUTLS_KEY_KEY_AGREEMENT, true, "ECK1" },
		{ 384, GNUTLS_KEY_KEY_AGREEMENT, true, "ECK3" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TALLOC_CTX *mem = talloc_new(t->mem);
		struct pair_files f;
		struct cr_material_pair *pair = NULL;
		struct cr_token *cert_tok = NULL;
		struct cr_token *key_tok = NULL;
		struct cr_token *parsed = NULL;
		struct cr_material_cert *mc = NULL;
		struct cr_privkey *key = NULL;
		struct cr_mib1 *mib = NULL;
		struct cr_cng_key *cng = NULL;
		struct cr_certelem *elem = NULL;
		struct cr_guid g;
		struct cr_guid g2;
		uint8_t mk[64];
		uint8_t key_id[20];
		char *pem = NULL;
		size_t pem_len = 0;
		char *err = NULL;

		print_message("case %zu: P-%u %s\n", i, cases[i].bits,
			      cases[i].magic);
		memset(mk, 0x33, sizeof(mk));
		memset(&g, 0x44, sizeof(g));
		make_pair(mem, GNUTLS_PK_ECDSA, cases[i].bits, cases[i].usage,
			  &f);
		assert_int_equal(cr_material_pair_from_files(mem, "c.crt",
			f.cert, f.cert_len, "c.key", f.key, f.key_len, &pair,
			&err), 0);
		assert_int_equal(pair->key->alg, GNUTLS_PK_ECDSA);
		assert_int_equal(cr_material_make_tokens(mem, pair, &g, mk,
			sizeof(mk), "0a0b0c0d-0000-0000-0000-000000000000",
			0x01da000000000000ULL, &cert_tok, &key_tok, &err), 0);
		assert_int_equal(cert_tok->type, CR_TOKEN_CNG_CERT);
		assert_int_equal(key_tok->type, CR_TOKEN_CNG_KEY);
		assert_int_equal(strlen(key_tok->identifier), 40);
		assert_int_equal(cr_token_check(mem, key_tok, NULL, &err), 0);
		/* the tokens go through the wire format */
		assert_int_equal(cr_token_parse(mem, cert_tok->raw,
			cert_tok->raw_len, &parsed, NULL, &err), 0);
		/* the element: KSP, no provider type, no key spec */
		assert_int_equal(cr_certelem_parse(mem, cert_tok->data,
			cert_tok->data_length, &elem, NULL, &err), 0);
		assert_string_equal(elem->key_prov->provider,
				    CR_MS_KEY_STORAGE_PROVIDER);
		assert_int_equal(elem->key_prov->prov_type, 0);
		assert_int_equal(elem->key_prov->key_spec, 0);
		assert_int_equal(elem->key_prov->flags, 0);
		assert_int_equal(cr_material_cert_parse(mem, cert_tok, &mc,
							&err), 0);
		assert_true(mc->cng);
		assert_string_equal(mc->key_container, talloc_asprintf(mem,
			"credroam-%s", pair->thumbprint));
		/* MIB1 names the container; the key file the same */
		assert_int_equal(cr_mib1_parse(mem, key_tok->data,
			key_tok->data_length, &mib, &err), 0);
		assert_string_equal(mib->name, mc->key_container);
		assert_int_equal(cr_cng_key_parse(mem, mib->key_file,
			mib->key_file_len, &cng, &err), 0);
		assert_string_equal(cng->name, mc->key_container);
		assert_memory_equal(cng->props[1].value, cases[i].magic, 4);
		/* and back: the master key, the key, its id, its PEM */
		assert_int_equal(cr_material_key_mk_guid(key_tok, &g2, &err),
				 0);
		assert_memory_equal(g2.b, g.b, 16);
		assert_int_equal(cr_material_key_decrypt(mem, key_tok, mk,
			sizeof(mk), &key, key_id, &pem, &pem_len, &err), 0);
		assert_int_equal(key->ec->ecdh, cases[i].ecdh);
		assert_memory_equal(key_id, mc->key_id, 20);
		assert_int_equal(pem_len, f.key_len);
		assert_memory_equal(pem, f.key, f.key_len);
		talloc_free(mem);
	}
}

static void test_material_keys_dsa_roundtrip(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	static const char machine[] = "0a0b0c0d-0000-0000-0000-000000000000";
	struct pair_files f;
	struct cr_material_pair *pair = NULL;
	struct cr_token *cert_tok = NULL;
	struct cr_token *key_tok = NULL;
	struct cr_material_cert *mc = NULL;
	struct cr_certelem *elem = NULL;
	struct cr_capi_key *capi = NULL;
	struct cr_privkey *key = NULL;
	struct cr_guid g;
	struct cr_guid g2;
	uint8_t mk[64];
	uint8_t key_id[20];
	char *pem = NULL;
	size_t pem_len = 0;
	char *err = NULL;

	memset(mk, 0x33, sizeof(mk));
	memset(&g, 0x44, sizeof(g));
	f.cert = cr_test_read_or_fail(mem, "dsa/cert.pem", &f.cert_len);
	f.key = cr_test_read_or_fail(mem, "dsa/key.pem", &f.key_len);
	assert_int_equal(cr_material_pair_from_files(mem, "d.crt", f.cert,
		f.cert_len, "d.key", f.key, f.key_len, &pair, &err), 0);
	assert_int_equal(pair->key->alg, GNUTLS_PK_DSA);
	assert_int_equal(cr_material_make_tokens(mem, pair, &g, mk, sizeof(mk),
		machine, 0x01da000000000000ULL, &cert_tok, &key_tok, &err), 0);
	assert_int_equal(cert_tok->type, CR_TOKEN_CAPI_CERT);
	assert_int_equal(key_tok->type, CR_TOKEN_CAPI_DSS_KEY);
	assert_int_equal(cr_token_check(mem, key_tok, NULL, &err), 0);
	/* the element names the DSS provider and the signature key */
	assert_int_equal(cr_certelem_parse(mem, cert_tok->data,
		cert_tok->data_length, &elem, NULL, &err), 0);
	assert_string_equal(elem->key_prov->provider,
		"Microsoft Enhanced DSS and Diffie-Hellman Cryptographic "
		"Provider");
	assert_int_equal(elem->key_prov->prov_type, 13);
	assert_int_equal(elem->key_prov->key_spec, 2);
	assert_int_equal(elem->key_prov->flags, 0);
	assert_int_equal(cr_material_cert_parse(mem, cert_tok, &mc, &err), 0);
	assert_false(mc->cng);
	assert_string_equal(mc->key_container,
		"credroam-5DB60F0C739E23CEE4FDBBF29C93F55DF1442B46");
	/* the token is named as Windows names the container's file */
	assert_string_equal(key_tok->identifier,
		cr_capi_file_name(mem, mc->key_container, machine));
	assert_int_equal(cr_capi_key_parse(mem, key_tok->data,
		key_tok->data_length, &capi, &err), 0);
	assert_true(cr_capi_dss_container(capi));
	assert_int_equal(capi->priv_len[1], 0);
	assert_true(capi->priv_len[0] > 0);
	/* and back: the master key, the key, its id, its PEM */
	assert_int_equal(cr_material_key_mk_guid(key_tok, &g2, &err), 0);
	assert_memory_equal(g2.b, g.b, 16);
	assert_int_equal(cr_material_key_decrypt(mem, key_tok, mk, sizeof(mk),
		&key, key_id, &pem, &pem_len, &err), 0);
	assert_int_equal(key->alg, GNUTLS_PK_DSA);
	assert_memory_equal(key_id, mc->key_id, 20);
	assert_int_equal(pem_len, f.key_len);
	assert_memory_equal(pem, f.key, f.key_len);
	talloc_free(mem);
}

static void test_material_keys_refused(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct pair_files a;
	struct pair_files b;
	struct cr_material_pair *pair = NULL;
	char *err = NULL;
	static const char ed[] = "-----BEGIN PRIVATE KEY-----\n"
		"MC4CAQAwBQYDK2VwBCIEILz/c9XNJ40Sg35z"
		"jgC5OwUOKDtSrATD50P6X5Mly4xn"
		"\n-----END PRIVATE KEY-----\n";

	make_pair(mem, GNUTLS_PK_ECDSA, 256, GNUTLS_KEY_DIGITAL_SIGNATURE,
		  &a);
	make_pair(mem, GNUTLS_PK_ECDSA, 256, GNUTLS_KEY_DIGITAL_SIGNATURE,
		  &b);
	assert_int_equal(cr_material_pair_from_files(mem, "a.crt", a.cert,
		a.cert_len, "b.key", b.key, b.key_len, &pair, &err), EINVAL);
	print_message("%s\n", err);
	cr_assert_contains(err, "'b.key' is not the key of the certificate "
			   "in 'a.crt'");
	TALLOC_FREE(err);
	/* an Ed25519 key is named, not taken for something else */
	assert_int_equal(cr_material_pair_from_files(mem, "a.crt", a.cert,
		a.cert_len, "ed.key", (const uint8_t *)ed, sizeof(ed) - 1,
		&pair, &err), EINVAL);
	print_message("%s\n", err);
	cr_assert_contains(err, "'ed.key'");
	cr_assert_contains(err, "EdDSA");
	TALLOC_FREE(err);
	/* a DSA key too large for the DSS provider, naming the certificate */
	{
		struct cr_token *ct = NULL;
		struct cr_token *kt = NULL;
		struct cr_guid g;
		uint8_t mk[64];

		memset(mk, 0x33, sizeof(mk));
		memset(&g, 0x44, sizeof(g));
		make_pair(mem, GNUTLS_PK_DSA, 2048,
			  GNUTLS_KEY_DIGITAL_SIGNATURE, &a);
		assert_int_equal(cr_material_pair_from_files(mem, "a.crt",
			a.cert, a.cert_len, "a.key", a.key, a.key_len, &pair,
			&err), 0);
		assert_int_equal(cr_material_make_tokens(mem, pair, &g, mk,
			sizeof(mk), "0a0b0c0d-0000-0000-0000-000000000000", 1,
			&ct, &kt, &err), EINVAL);
		print_message("%s\n", err);
		cr_assert_contains(err, pair->thumbprint);
		cr_assert_contains(err, "cannot go into a CAPI DSS container");
	}
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_material_keys_ec_roundtrip),
		cr_unit_test(test_material_keys_dsa_roundtrip),
		cr_unit_test(test_material_keys_refused),
	};

	return cmocka_run_group_tests_name("credroam.unittests.material_keys",
					   tests, NULL, NULL);
}
