/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The PKCS#11 token of the agent, driven through its function list as a
 * client would: a store holding an RSA and an EC certificate with their
 * DPAPI-protected keys under a master key that only the password opens.
 * Locked at first (CKF_LOGIN_REQUIRED, no private key), a wrong password
 * is CKR_PIN_INCORRECT, the right one brings the keys; signatures made
 * through the token verify with GnuTLS against the certificate, RSA
 * decryption returns what GnuTLS encrypted, private values are
 * CKR_ATTRIBUTE_SENSITIVE.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "dpapi/dpapi.h"
#include "keys/keyring.h"
#include "p11/module.h"
#include "p11/token.h"
#include "store/localstore.h"
#include "store/material.h"
#include "format/token.h"
#include "test_util.h"

#define SID "S-1-5-21-1004336348-1177238915-682003330-1105"
#define PASSWORD "Roaming-Passw0rd"

struct fx {
	struct cr_test_ctx *t;
	char *dir;
	struct cr_p11_token *tok;
	CK_FUNCTION_LIST *f;
	uint8_t *rsa_der;
	size_t rsa_der_len;
	uint8_t *ec_der;
	size_t ec_der_len;
};

static void make_pair(TALLOC_CTX *mem, gnutls_pk_algorithm_t alg,
		      unsigned bits, uint8_t **cert, size_t *cert_len,
		      uint8_t **key, size_t *key_len)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = { NULL, 0 };
	static const uint8_t serial[] = { 0x00, 0x9a, 0x18 };
	time_t now = time(NULL);

	assert_int_equal(gnutls_x509_privkey_init(&xk), 0);
	assert_int_equal(gnutls_x509_privkey_generate(xk, alg, bits, 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_set_version(crt, 3), 0);
	assert_int_equal(gnutls_x509_crt_set_serial(crt, serial,
						    sizeof(serial)), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(crt, now), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(crt,
		now + 86400), 0);
	assert_int_equal(gnutls_x509_crt_set_dn(crt,
		alg == GNUTLS_PK_RSA ? "CN=alice rsa" : "CN=alice ec", NULL),
		0);
	assert_int_equal(gnutls_x509_crt_set_key(crt, xk), 0);
	assert_int_equal(gnutls_x509_crt_set_key_usage(crt,
		GNUTLS_KEY_DIGITAL_SIGNATURE | (alg == GNUTLS_PK_RSA ?
		GNUTLS_KEY_KEY_ENCIPHERMENT : 0)), 0);
	assert_int_equal(gnutls_x509_crt_sign2(crt, crt, xk,
					       GNUTLS_DIG_SHA256, 0), 0);
	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
						 &d), 0);
	*cert = talloc_memdup(mem, d.data, d.size);
	*cert_len = d.size;
	gnutls_free(d.data);
	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(xk,
		GNUTLS_X509_FMT_DER, NULL, GNUTLS_PKCS_PLAIN, &d), 0);
	*key = talloc_memdup(mem, d.data, d.size);
	*key_len = d.size;
	gnutls_free(d.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(xk);
}

/* A certificate and its key as tokens of the store, under mk. */
static void put_pair(struct fx *x, struct cr_store *store,
		     gnutls_pk_algorithm_t alg, unsigned bits,
		     const struct cr_guid *g, const uint8_t *mk,
		     uint8_t **der, size_t *der_len)
{
	TALLOC_CTX *mem = talloc_new(x->t->mem);
	struct cr_material_pair *pair = NULL;
	struct cr_token *ct = NULL;
	struct cr_token *kt = NULL;
	uint8_t *cert = NULL;
	uint8_t *key = NULL;
	size_t cert_len = 0;
	size_t key_len = 0;
	char *err = NULL;

	make_pair(mem, alg, bits, &cert, &cert_len, &key, &key_len);
	assert_int_equal(cr_material_pair_from_files(mem, "c.crt", cert,
		cert_len, "c.key", key, key_len, &pair, &err), 0);
	assert_int_equal(cr_material_make_tokens(mem, pair, g, mk, 64,
		"0a0b0c0d-0000-0000-0000-000000000000", 0x01da000000000000ULL,
		&ct, &kt, &err), 0);
	assert_int_equal(cr_store_put_token(store, ct, &err), 0);
	assert_int_equal(cr_store_put_token(store, kt, &err), 0);
	*der = talloc_memdup(x, cert, cert_len);
	*der_len = cert_len;
	talloc_free(mem);
}

static int setup(void **state)
{
	struct fx *x = NULL;
	struct cr_test_ctx *t = NULL;
	struct cr_store *store = NULL;
	struct cr_prekey *prekeys = NULL;
	struct cr_mkf *mkf = NULL;
	struct cr_token *mt = NULL;
	struct cr_guid g;
	uint8_t *mk = NULL;
	uint8_t *mkf_bytes = NULL;
	size_t mkf_len = 0;
	size_t count = 0;
	size_t i;
	char tmpl[] = "/tmp/test_p11.XXXXXX";
	char *err = NULL;
	struct cr_mkf_params mp = { .sid = SID };
	struct cr_p11_token_params tp = {
		.user = "ROAM\\alice",
		.sid = SID,
	};

	cr_test_setup(state);
	t = *state;
	x = talloc_zero(t->mem, struct fx);
	assert_non_null(x);
	x->t = t;
	assert_non_null(mkdtemp(tmpl));
	x->dir = talloc_strdup(x, tmpl);
	assert_int_equal(cr_store_open(x, x->dir, true, &store, &err), 0);

	/* a master key that only the password opens (no domain section) */
	assert_int_equal(cr_prekeys_from_password(x, PASSWORD, SID, &prekeys,
						  &count, &err), 0);
	for (i = 0; i < count; i++) {
		if (prekeys[i].kind == CR_DPAPI_DERIV_NT_PBKDF2) {
			mp.prekey = prekeys[i].key;
			mp.prekey_len = CR_DPAPI_PREKEY_LEN;
		}
	}
	assert_non_null(mp.prekey);
	mp.rounds = 1000;
	assert_int_equal(cr_mkf_create(x, &mp, &mkf, &mk, &err), 0);
	assert_int_equal(cr_mkf_serialize(x, mkf, &mkf_bytes, &mkf_len, &err),
			 0);
	assert_true(cr_guid_parse(mkf->guid, &g));
	assert_int_equal(cr_token_build(x, CR_TOKEN_DPAPI_MASTER_KEY,
		mkf->guid, 0x01da000000000000ULL, 0, mkf_bytes, mkf_len,
		NULL, 0, &mt, &err), 0);
	assert_int_equal(cr_store_put_token(store, mt, &err), 0);
	put_pair(x, store, GNUTLS_PK_RSA, 2048, &g, mk, &x->rsa_der,
		 &x->rsa_der_len);
	put_pair(x, store, GNUTLS_PK_ECDSA, 256, &g, mk, &x->ec_der,
		 &x->ec_der_len);
	TALLOC_FREE(store);
	TALLOC_FREE(prekeys);

	tp.store_path = x->dir;
	assert_int_equal(cr_p11_token_new(x, &tp, &x->tok, &err), 0);
	x->f = cr_p11_module(x->tok);
	assert_int_equal(x->f->C_Initialize(NULL), CKR_OK);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	struct cr_test_ctx *t = x->t;
	char *cmd = NULL;

	assert_int_equal(x->f->C_Finalize(NULL), CKR_OK);
	if (getenv("CR_TEST_P11_KEEP") != NULL) {
		/* a store to try clients on: credroam agent --store DIR */
		print_message("kept %s (password %s, sid %s)\n", x->dir,
			      PASSWORD, SID);
	} else {
		cmd = talloc_asprintf(x, "rm -rf '%s'", x->dir);
		assert_int_equal(system(cmd), 0);
	}
	*state = t;
	return cr_test_teardown(state);
}

static CK_SESSION_HANDLE open_session(struct fx *x)
{
	CK_SESSION_HANDLE h = 0;

	assert_int_equal(x->f->C_OpenSession(CR_P11_SLOT_ID,
		CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_OK);
	return h;
}

/* How many objects of class (and key type, unless ~0) there are. */
static size_t find(struct fx *x, CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls,
		   CK_KEY_TYPE kt, CK_OBJECT_HANDLE *first)
{
	CK_ATTRIBUTE tmpl[2] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
	};
	CK_OBJECT_HANDLE found[16];
	CK_ULONG n = 0;

	assert_int_equal(x->f->C_FindObjectsInit(h, tmpl,
		kt == (CK_KEY_TYPE)~0UL ? 1 : 2), CKR_OK);
	assert_int_equal(x->f->C_FindObjects(h, found, 16, &n), CKR_OK);
	assert_int_equal(x->f->C_FindObjectsFinal(h), CKR_OK);
	if (n > 0 && first != NULL) {
		*first = found[0];
	}
	return n;
}

static void login(struct fx *x, CK_SESSION_HANDLE h)
{
	assert_int_equal(x->f->C_Login(h, CKU_USER,
		(unsigned char *)PASSWORD, strlen(PASSWORD)), CKR_OK);
}

static void test_p11_locked_then_login(void **state)
{
	struct fx *x = *state;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE h = open_session(x);
	const char wrong[] = "Roaming-Passw0rd!";

	assert_int_equal(x->f->C_GetTokenInfo(CR_P11_SLOT_ID, &ti), CKR_OK);
	assert_memory_equal(ti.label, "credroam ROAM\\alice             ",
			    32);
	assert_true((ti.flags & CKF_LOGIN_REQUIRED) != 0);
	assert_int_equal(find(x, h, CKO_CERTIFICATE, ~0UL, NULL), 2);
	assert_int_equal(find(x, h, CKO_PRIVATE_KEY, ~0UL, NULL), 0);

	assert_int_equal(x->f->C_Login(h, CKU_USER, (unsigned char *)wrong,
		strlen(wrong)), CKR_PIN_INCORRECT);
	assert_int_equal(find(x, h, CKO_PRIVATE_KEY, ~0UL, NULL), 0);
	login(x, h);
	assert_int_equal(find(x, h, CKO_PRIVATE_KEY, ~0UL, NULL), 2);
	assert_int_equal(find(x, h, CKO_PUBLIC_KEY, ~0UL, NULL), 2);
	assert_int_equal(x->f->C_GetTokenInfo(CR_P11_SLOT_ID, &ti), CKR_OK);
	assert_true((ti.flags & CKF_LOGIN_REQUIRED) == 0);
	assert_int_equal(x->f->C_Login(h, CKU_USER, (unsigned char *)"x", 1),
			 CKR_USER_ALREADY_LOGGED_IN);
	assert_int_equal(x->f->C_CloseSession(h), CKR_OK);
	assert_int_equal(x->f->C_CloseSession(h), CKR_SESSION_HANDLE_INVALID);
}

static void test_p11_attributes(void **state)
{
	struct fx *x = *state;
	CK_SESSION_HANDLE h = open_session(x);
	CK_OBJECT_HANDLE cert = 0;
	CK_OBJECT_HANDLE priv = 0;
	uint8_t cert_id[20];
	uint8_t key_id[20];
	uint8_t value[4096];
	uint8_t secret[1024];
	CK_BBOOL sensitive = CK_FALSE;
	CK_BBOOL extractable = CK_TRUE;
	CK_ATTRIBUTE ca[] = {
		{ CKA_ID, cert_id, sizeof(cert_id) },
		{ CKA_VALUE, value, sizeof(value) },
	};
	CK_ATTRIBUTE ka[] = {
		{ CKA_ID, key_id, sizeof(key_id) },
		{ CKA_SENSITIVE, &sensitive, sizeof(sensitive) },
		{ CKA_EXTRACTABLE, &extractable, sizeof(extractable) },
		{ CKA_PRIVATE_EXPONENT, secret, sizeof(secret) },
	};
	CK_ATTRIBUTE ku[] = {
		{ CKA_VALUE, secret, sizeof(secret) },
	};
	CK_ATTRIBUTE bad[] = {
		{ CKA_MODULUS, value, 4 },
	};

	login(x, h);
	assert_int_equal(find(x, h, CKO_CERTIFICATE, ~0UL, &cert), 2);
	assert_int_equal(find(x, h, CKO_PRIVATE_KEY, CKK_RSA, &priv), 1);
	/* the RSA certificate: the one whose id is the RSA key's */
	assert_int_equal(x->f->C_GetAttributeValue(h, priv, ka, 3), CKR_OK);
	assert_true(sensitive == CK_TRUE);
	assert_true(extractable == CK_FALSE);
	{
		CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
		CK_ATTRIBUTE by_id[] = {
			{ CKA_CLASS, &cls, sizeof(cls) },
			{ CKA_ID, key_id, sizeof(key_id) },
		};
		CK_ULONG n = 0;

		assert_int_equal(x->f->C_FindObjectsInit(h, by_id, 2),
				 CKR_OK);
		assert_int_equal(x->f->C_FindObjects(h, &cert, 1, &n),
				 CKR_OK);
		assert_int_equal(n, 1);
		assert_int_equal(x->f->C_FindObjectsFinal(h), CKR_OK);
	}
	assert_int_equal(x->f->C_GetAttributeValue(h, cert, ca, 2), CKR_OK);
	assert_int_equal(ca[1].ulValueLen, x->rsa_der_len);
	assert_memory_equal(value, x->rsa_der, x->rsa_der_len);
	assert_memory_equal(cert_id, key_id, 20);
	/* the private values are sensitive; the rest is still answered */
	ka[0].ulValueLen = sizeof(key_id);
	assert_int_equal(x->f->C_GetAttributeValue(h, priv, ka, 4),
			 CKR_ATTRIBUTE_SENSITIVE);
	assert_int_equal(ka[3].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(ka[0].ulValueLen, 20);
	assert_int_equal(x->f->C_GetAttributeValue(h, priv, ku, 1),
			 CKR_ATTRIBUTE_SENSITIVE);
	/* a short buffer */
	assert_int_equal(x->f->C_GetAttributeValue(h, priv, bad, 1),
			 CKR_BUFFER_TOO_SMALL);
	assert_int_equal(x->f->C_GetAttributeValue(h, 9999, bad, 1),
			 CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(x->f->C_CloseSession(h), CKR_OK);
}

static void pubkey_of(const uint8_t *der, size_t len, gnutls_pubkey_t *pub)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = { (uint8_t *)der, (unsigned)len };

	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER),
			 0);
	assert_int_equal(gnutls_pubkey_init(pub), 0);
	assert_int_equal(gnutls_pubkey_import_x509(*pub, crt, 0), 0);
	gnutls_x509_crt_deinit(crt);
}

static void sign(struct fx *x, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key,
		 CK_MECHANISM *m, const uint8_t *in, size_t in_len,
		 uint8_t *sig, CK_ULONG *sig_len)
{
	CK_ULONG want = 0;

	assert_int_equal(x->f->C_SignInit(h, m, key), CKR_OK);
	assert_int_equal(x->f->C_Sign(h, (uint8_t *)in, in_len, NULL, &want),
			 CKR_OK);
	assert_true(want <= *sig_len);
	assert_int_equal(x->f->C_Sign(h, (uint8_t *)in, in_len, sig,
				      sig_len), CKR_OK);
	assert_int_equal(*sig_len, want);
}

static void test_p11_sign_rsa(void **state)
{
	struct fx *x = *state;
	CK_SESSION_HANDLE h = open_session(x);
	CK_OBJECT_HANDLE key = 0;
	gnutls_pubkey_t pub = NULL;
	const uint8_t msg[] = "a message to sign through the token";
	gnutls_datum_t data = { (uint8_t *)msg, sizeof(msg) };
	uint8_t hash[32];
	gnutls_datum_t hd = { hash, sizeof(hash) };
	/* DigestInfo prefix of SHA-256 (RFC 8017 9.2 note 1) */
	static const uint8_t di_prefix[] = {
		0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
		0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
	};
	uint8_t di[sizeof(di_prefix) + 32];
	uint8_t s1[512];
	uint8_t s2[512];
	CK_ULONG l1 = sizeof(s1);
	CK_ULONG l2 = sizeof(s2);
	CK_MECHANISM m_sha = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_MECHANISM m_raw = { CKM_RSA_PKCS, NULL, 0 };
	CK_RSA_PKCS_PSS_PARAMS pss = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
	CK_MECHANISM m_pss = { CKM_SHA256_RSA_PKCS_PSS, &pss, sizeof(pss) };
	CK_MECHANISM m_pss_h = { CKM_RSA_PKCS_PSS, &pss, sizeof(pss) };
	CK_RSA_PKCS_PSS_PARAMS bad_pss = { CKM_SHA256, CKG_MGF1_SHA256, 20 };
	CK_MECHANISM m_bad = { CKM_RSA_PKCS_PSS, &bad_pss, sizeof(bad_pss) };

	login(x, h);
	assert_int_equal(find(x, h, CKO_PRIVATE_KEY, CKK_RSA, &key), 1);
	pubkey_of(x->rsa_der, x->rsa_der_len, &pub);

	sign(x, h, key, &m_sha, msg, sizeof(msg), s1, &l1);
	assert_int_equal(l1, 256);
	assert_true(gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_RSA_SHA256, 0,
					       &data, &(gnutls_datum_t){ s1,
					       l1 }) >= 0);
	/* CKM_RSA_PKCS over the DigestInfo is the same signature */
	assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, msg, sizeof(msg),
					  hash), 0);
	memcpy(di, di_prefix, sizeof(di_prefix));
	memcpy(di + sizeof(di_prefix), hash, 32);
	sign(x, h, key, &m_raw, di, sizeof(di), s2, &l2);
	assert_int_equal(l2, l1);
	assert_memory_equal(s1, s2, l1);
	/* in parts */
	l2 = sizeof(s2);
	assert_int_equal(x->f->C_SignInit(h, &m_sha, key), CKR_OK);
	assert_int_equal(x->f->C_SignUpdate(h, (uint8_t *)msg, 10), CKR_OK);
	assert_int_equal(x->f->C_SignUpdate(h, (uint8_t *)msg + 10,
					    sizeof(msg) - 10), CKR_OK);
	assert_int_equal(x->f->C_SignFinal(h, s2, &l2), CKR_OK);
	assert_memory_equal(s1, s2, l1);
	/* a buffer too small keeps the operation */
	l2 = 10;
	assert_int_equal(x->f->C_SignInit(h, &m_sha, key), CKR_OK);
	assert_int_equal(x->f->C_Sign(h, (uint8_t *)msg, sizeof(msg), s2,
				      &l2), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(l2, 256);
	assert_int_equal(x->f->C_Sign(h, (uint8_t *)msg, sizeof(msg), s2,
				      &l2), CKR_OK);
	/* PSS, hash-and-sign and on a hash */
	l1 = sizeof(s1);
	sign(x, h, key, &m_pss, msg, sizeof(msg), s1, &l1);
	assert_true(gnutls_pubkey_verify_data2(pub,
		GNUTLS_SIGN_RSA_PSS_RSAE_SHA256, 0, &data,
		&(gnutls_datum_t){ s1, l1 }) >= 0);
	l1 = sizeof(s1);
	sign(x, h, key, &m_pss_h, hash, sizeof(hash), s1, &l1);
	assert_true(gnutls_pubkey_verify_hash2(pub,
		GNUTLS_SIGN_RSA_PSS_RSAE_SHA256, 0, &hd,
		&(gnutls_datum_t){ s1, l1 }) >= 0);
	assert_int_equal(x->f->C_SignInit(h, &m_bad, key),
			 CKR_MECHANISM_PARAM_INVALID);
	gnutls_pubkey_deinit(pub);
	assert_int_equal(x->f->C_CloseSession(h), CKR_OK);
}

static void test_p11_sign_ec(void **state)
{
	struct fx *x = *state;
	CK_SESSION_HANDLE h = open_session(x);
	CK_OBJECT_HANDLE key = 0;
	gnutls_pubkey_t pub = NULL;
	const uint8_t msg[] = "an ECDSA signature";
	gnutls_datum_t data = { (uint8_t *)msg, sizeof(msg) };
	gnutls_datum_t r;
	gnutls_datum_t s;
	gnutls_datum_t der = { NULL, 0 };
	uint8_t sig[132];
	CK_ULONG len = sizeof(sig);
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };
	CK_MECHANISM m_rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_MECHANISM m_dec = { CKM_RSA_PKCS, NULL, 0 };

	login(x, h);
	assert_int_equal(find(x, h, CKO_PRIVATE_KEY, CKK_EC, &key), 1);
	pubkey_of(x->ec_der, x->ec_der_len, &pub);
	sign(x, h, key, &m, msg, sizeof(msg), sig, &len);
	assert_int_equal(len, 64);
	r.data = sig;
	r.size = 32;
	s.data = sig + 32;
	s.size = 32;
	assert_int_equal(gnutls_encode_rs_value(&der, &r, &s), 0);
	assert_true(gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_ECDSA_SHA256,
					       0, &data, &der) >= 0);
	gnutls_free(der.data);
	assert_int_equal(x->f->C_SignInit(h, &m_rsa, key),
			 CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(x->f->C_DecryptInit(h, &m_dec, key),
			 CKR_KEY_TYPE_INCONSISTENT);
	gnutls_pubkey_deinit(pub);
	assert_int_equal(x->f->C_CloseSession(h), CKR_OK);
}

static void test_p11_decrypt(void **state)
{
	struct fx *x = *state;
	CK_SESSION_HANDLE h = open_session(x);
	CK_OBJECT_HANDLE key = 0;
	gnutls_pubkey_t pub = NULL;
	const uint8_t secret[] = "a session key";
	gnutls_datum_t pt = { (uint8_t *)secret, sizeof(secret) };
	gnutls_datum_t ct = { NULL, 0 };
	uint8_t out[512];
	CK_ULONG len = 0;
	CK_MECHANISM m = { CKM_RSA_PKCS, NULL, 0 };
	CK_MECHANISM oaep = { CKM_RSA_PKCS_OAEP, NULL, 0 };

	login(x, h);
	assert_int_equal(find(x, h, CKO_PRIVATE_KEY, CKK_RSA, &key), 1);
	pubkey_of(x->rsa_der, x->rsa_der_len, &pub);
	assert_int_equal(gnutls_pubkey_encrypt_data(pub, 0, &pt, &ct), 0);
	assert_int_equal(x->f->C_DecryptInit(h, &m, key), CKR_OK);
	assert_int_equal(x->f->C_Decrypt(h, ct.data, ct.size, NULL, &len),
			 CKR_OK);
	assert_int_equal(len, 256);
	assert_int_equal(x->f->C_Decrypt(h, ct.data, ct.size, out, &len),
			 CKR_OK);
	assert_int_equal(len, sizeof(secret));
	assert_memory_equal(out, secret, sizeof(secret));
	/* garbage does not decrypt */
	ct.data[5] ^= 0x40;
	len = sizeof(out);
	assert_int_equal(x->f->C_DecryptInit(h, &m, key), CKR_OK);
	assert_int_equal(x->f->C_Decrypt(h, ct.data, ct.size, out, &len),
			 CKR_ENCRYPTED_DATA_INVALID);
	assert_int_equal(x->f->C_DecryptInit(h, &oaep, key),
			 CKR_MECHANISM_INVALID);
	gnutls_free(ct.data);
	gnutls_pubkey_deinit(pub);
	assert_int_equal(x->f->C_CloseSession(h), CKR_OK);
}

static void test_p11_mechanisms(void **state)
{
	struct fx *x = *state;
	CK_MECHANISM_TYPE list[32];
	CK_ULONG n = 0;
	CK_MECHANISM_INFO info;
	CK_SLOT_ID slots[2];
	CK_ULONG ns = 2;

	assert_int_equal(x->f->C_GetSlotList(CK_TRUE, slots, &ns), CKR_OK);
	assert_int_equal(ns, 1);
	assert_int_equal(x->f->C_GetMechanismList(CR_P11_SLOT_ID, NULL, &n),
			 CKR_OK);
	assert_int_equal(n, 14);
	n = 2;
	assert_int_equal(x->f->C_GetMechanismList(CR_P11_SLOT_ID, list, &n),
			 CKR_BUFFER_TOO_SMALL);
	n = 32;
	assert_int_equal(x->f->C_GetMechanismList(CR_P11_SLOT_ID, list, &n),
			 CKR_OK);
	assert_int_equal(list[0], CKM_RSA_PKCS);
	assert_int_equal(x->f->C_GetMechanismInfo(CR_P11_SLOT_ID,
		CKM_RSA_PKCS, &info), CKR_OK);
	assert_true((info.flags & (CKF_SIGN | CKF_DECRYPT)) ==
		    (CKF_SIGN | CKF_DECRYPT));
	assert_int_equal(x->f->C_GetMechanismInfo(CR_P11_SLOT_ID,
		CKM_ECDSA, &info), CKR_OK);
	assert_true((info.flags & CKF_EC_NAMEDCURVE) != 0);
	assert_int_equal(x->f->C_GetMechanismInfo(CR_P11_SLOT_ID,
		CKM_RSA_PKCS_OAEP, &info), CKR_MECHANISM_INVALID);
	assert_int_equal(x->f->C_GetMechanismInfo(7, CKM_RSA_PKCS, &info),
			 CKR_SLOT_ID_INVALID);
}

/* Keys go with the token's wipe; a new store file makes it reload. */
static void test_p11_wipe_and_reload(void **state)
{
	struct fx *x = *state;
	CK_SESSION_HANDLE h = open_session(x);
	CK_TOKEN_INFO ti;

	login(x, h);
	assert_int_equal(find(x, h, CKO_PRIVATE_KEY, ~0UL, NULL), 2);
	pthread_mutex_lock(&x->tok->lock);
	cr_p11_token_wipe(x->tok);
	pthread_mutex_unlock(&x->tok->lock);
	/* the next call sees the store again: locked until a login */
	assert_int_equal(x->f->C_GetTokenInfo(CR_P11_SLOT_ID, &ti), CKR_OK);
	assert_true((ti.flags & CKF_LOGIN_REQUIRED) != 0);
	assert_int_equal(find(x, h, CKO_PRIVATE_KEY, ~0UL, NULL), 0);
	assert_int_equal(find(x, h, CKO_CERTIFICATE, ~0UL, NULL), 2);
	assert_int_equal(x->f->C_CloseSession(h), CKR_OK);
}

/*
 * Keys that came through the session keyring go when its entries go
 * (logoff, purge): the agent's poll wipes them; the token then needs a
 * login.
 */
static void test_p11_keyring_gone(void **state)
{
	struct fx *x = *state;
	struct cr_p11_token_params tp = {
		.store_path = x->dir,
		.user = "ROAM\\alice",
		.sid = SID,
		.use_keyring = true,
	};
	struct cr_p11_token *kt = NULL;
	struct cr_prekey *pk = NULL;
	size_t n = 0;
	char *err = NULL;
	int ret;

	assert_int_equal(cr_prekeys_from_password(x, PASSWORD, SID, &pk, &n,
						  &err), 0);
	ret = cr_keyring_put_prekeys(SID, pk, n, 600, &err);
	if (ret != 0) {
		print_message("no keyring here (%s): skipped\n", err);
		cr_err_clear(&err);
		skip();
	}
	assert_int_equal(cr_p11_token_new(x, &tp, &kt, &err), 0);
	pthread_mutex_lock(&kt->lock);
	assert_int_equal(cr_p11_token_reload(kt, true, &err), 0);
	assert_int_equal(kt->num_keys, 2);
	assert_false(cr_p11_token_login_required(kt));
	pthread_mutex_unlock(&kt->lock);
	/* nothing changed: the poll keeps everything */
	assert_false(cr_p11_token_poll(kt));
	assert_int_equal(kt->num_keys, 2);
	/* logoff */
	assert_int_equal(cr_keyring_forget(SID, NULL, &err), 0);
	assert_true(cr_p11_token_poll(kt));
	pthread_mutex_lock(&kt->lock);
	assert_int_equal(kt->num_keys, 0);
	assert_true(cr_p11_token_login_required(kt));
	pthread_mutex_unlock(&kt->lock);
	/* and they do not come back by themselves */
	assert_false(cr_p11_token_poll(kt));
	assert_int_equal(kt->num_keys, 0);
	/* a new logon puts pre-keys there again: the keys are back */
	assert_int_equal(cr_keyring_put_prekeys(SID, pk, n, 600, &err), 0);
	assert_true(cr_p11_token_poll(kt));
	assert_int_equal(kt->num_keys, 2);
	assert_int_equal(cr_keyring_forget(SID, NULL, &err), 0);
	TALLOC_FREE(kt);
	TALLOC_FREE(pk);
}

static void count_change(void *data)
{
	(*(int *)data)++;
}

/* A certificate for pub, issued by a throw-away CA. */
static void issue(TALLOC_CTX *mem, gnutls_pubkey_t pub, const char *cn,
		  uint8_t **der, size_t *der_len)
{
	gnutls_x509_privkey_t ca = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_x509_crt_t ca_crt = NULL;
	gnutls_datum_t d = { NULL, 0 };
	time_t now = time(NULL);
	static const uint8_t serial[] = { 0x42 };

	assert_int_equal(gnutls_x509_privkey_init(&ca), 0);
	assert_int_equal(gnutls_x509_privkey_generate(ca, GNUTLS_PK_RSA,
						      2048, 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&ca_crt), 0);
	assert_int_equal(gnutls_x509_crt_set_dn(ca_crt, "CN=test CA", NULL),
			 0);
	assert_int_equal(gnutls_x509_crt_set_key(ca_crt, ca), 0);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_set_version(crt, 3), 0);
	assert_int_equal(gnutls_x509_crt_set_serial(crt, serial, 1), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(crt, now), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(crt,
		now + 86400), 0);
	assert_int_equal(gnutls_x509_crt_set_dn(crt, cn, NULL), 0);
	assert_int_equal(gnutls_x509_crt_set_pubkey(crt, pub), 0);
	assert_int_equal(gnutls_x509_crt_sign2(crt, ca_crt, ca,
					       GNUTLS_DIG_SHA256, 0), 0);
	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
						 &d), 0);
	*der = talloc_memdup(mem, d.data, d.size);
	*der_len = d.size;
	gnutls_free(d.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_crt_deinit(ca_crt);
	gnutls_x509_privkey_deinit(ca);
}

static CK_OBJECT_HANDLE write_cert(struct fx *x, CK_SESSION_HANDLE h,
				   const uint8_t *der, size_t len)
{
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE ct = CKC_X_509;
	CK_BBOOL yes = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_CERTIFICATE_TYPE, &ct, sizeof(ct) },
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_VALUE, (uint8_t *)der, len },
		{ CKA_LABEL, (char *)"written", 7 },
	};
	CK_OBJECT_HANDLE oh = 0;

	assert_int_equal(x->f->C_CreateObject(h, t, 5, &oh), CKR_OK);
	return oh;
}

/*
 * Generated in the token, then its certificate written: both go to
 * roaming/ as tokens that open with the master key, and sign.  A key
 * written (as p11tool --write does) the same.  Destroyed: gone.
 */
static void test_p11_write(void **state)
{
	struct fx *x = *state;
	TALLOC_CTX *mem = talloc_new(x);
	CK_SESSION_HANDLE h = 0;
	CK_SESSION_HANDLE ro = open_session(x);
	CK_MECHANISM gen = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
	CK_ULONG bits = 2048;
	CK_ATTRIBUTE pub_t[] = {
		{ CKA_MODULUS_BITS, &bits, sizeof(bits) },
	};
	CK_OBJECT_HANDLE pubh = 0;
	CK_OBJECT_HANDLE privh = 0;
	CK_OBJECT_HANDLE cert = 0;
	uint8_t mod[512];
	uint8_t exp[8];
	CK_ATTRIBUTE pa[] = {
		{ CKA_MODULUS, mod, sizeof(mod) },
		{ CKA_PUBLIC_EXPONENT, exp, sizeof(exp) },
	};
	gnutls_datum_t m;
	gnutls_datum_t e;
	gnutls_pubkey_t pub = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	uint8_t sig[512];
	CK_ULONG sig_len = sizeof(sig);
	CK_MECHANISM sha = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	const uint8_t msg[] = "enrolled in the token";
	gnutls_datum_t data = { (uint8_t *)msg, sizeof(msg) };
	struct cr_store *store = NULL;
	struct cr_store_view *view = NULL;
	size_t before;
	size_t ntok = 0;
	int changes = 0;
	char *err = NULL;

	x->tok->changed = count_change;
	x->tok->changed_data = &changes;
	assert_int_equal(x->f->C_OpenSession(CR_P11_SLOT_ID,
		CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h), CKR_OK);
	login(x, h);
	assert_int_equal(x->f->C_GenerateKeyPair(ro, &gen, pub_t, 1, NULL, 0,
		&pubh, &privh), CKR_SESSION_READ_ONLY);
	assert_int_equal(x->f->C_GenerateKeyPair(h, &gen, pub_t, 1, NULL, 0,
		&pubh, &privh), CKR_OK);
	assert_int_equal(find(x, h, CKO_PRIVATE_KEY, CKK_RSA, NULL), 2);
	assert_int_equal(x->f->C_GetAttributeValue(h, pubh, pa, 2), CKR_OK);
	m.data = mod;
	m.size = pa[0].ulValueLen;
	e.data = exp;
	e.size = pa[1].ulValueLen;
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_rsa_raw(pub, &m, &e), 0);
	/* a certificate request would be signed with the new key */
	sign(x, h, privh, &sha, msg, sizeof(msg), sig, &sig_len);
	assert_true(gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_RSA_SHA256, 0,
		&data, &(gnutls_datum_t){ sig, sig_len }) >= 0);

	assert_int_equal(cr_store_open(mem, x->dir, false, &store, &err), 0);
	assert_int_equal(cr_store_load(mem, store, &view, &err), 0);
	before = view->num_tokens;
	issue(mem, pub, "CN=enrolled", &der, &der_len);
	cert = write_cert(x, h, der, der_len);
	assert_int_not_equal(cert, 0);
	assert_int_equal(changes, 1);
	assert_int_equal(cr_store_load(mem, store, &view, &err), 0);
	ntok = view->num_tokens;
	/* key, certificate, Preferred */
	assert_true(ntok >= before + 2);
	/* from the store now: the key opened with the master key */
	pthread_mutex_lock(&x->tok->lock);
	assert_int_equal(cr_p11_token_reload(x->tok, true, &err), 0);
	assert_int_equal(x->tok->num_pending, 0);
	pthread_mutex_unlock(&x->tok->lock);
	assert_int_equal(find(x, h, CKO_CERTIFICATE, ~0UL, NULL), 3);
	assert_int_equal(find(x, h, CKO_PRIVATE_KEY, CKK_RSA, NULL), 2);

	/* destroyed (never synced): its tokens leave roaming/ */
	assert_int_equal(x->f->C_DestroyObject(ro, cert),
			 CKR_SESSION_READ_ONLY);
	assert_int_equal(x->f->C_DestroyObject(h, cert), CKR_OK);
	assert_int_equal(changes, 2);
	assert_int_equal(find(x, h, CKO_CERTIFICATE, ~0UL, NULL), 2);
	assert_int_equal(cr_store_load(mem, store, &view, &err), 0);
	assert_int_equal(view->num_tokens, ntok - 2);

	gnutls_pubkey_deinit(pub);
	assert_int_equal(x->f->C_CloseSession(ro), CKR_OK);
	assert_int_equal(x->f->C_CloseSession(h), CKR_OK);
	talloc_free(mem);
}

/* A private key written as p11tool --write does, then its certificate. */
static void test_p11_write_key(void **state)
{
	struct fx *x = *state;
	TALLOC_CTX *mem = talloc_new(x);
	CK_SESSION_HANDLE h = 0;
	gnutls_x509_privkey_t xk = NULL;
	gnutls_datum_t m, e, d, p, q, u, e1, e2;
	gnutls_pubkey_t pub = NULL;
	gnutls_privkey_t pk = NULL;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE kt = CKK_RSA;
	CK_BBOOL yes = CK_TRUE;
	CK_OBJECT_HANDLE oh = 0;
	uint8_t *der = NULL;
	size_t der_len = 0;
	int changes = 0;

	x->tok->changed = count_change;
	x->tok->changed_data = &changes;
	assert_int_equal(gnutls_x509_privkey_init(&xk), 0);
	assert_int_equal(gnutls_x509_privkey_generate(xk, GNUTLS_PK_RSA,
						      2048, 0), 0);
	assert_int_equal(gnutls_x509_privkey_export_rsa_raw2(xk, &m, &e, &d,
		&p, &q, &u, &e1, &e2), 0);
	{
		CK_ATTRIBUTE t[] = {
			{ CKA_CLASS, &cls, sizeof(cls) },
			{ CKA_KEY_TYPE, &kt, sizeof(kt) },
			{ CKA_TOKEN, &yes, sizeof(yes) },
			{ CKA_MODULUS, m.data, m.size },
			{ CKA_PUBLIC_EXPONENT, e.data, e.size },
			{ CKA_PRIVATE_EXPONENT, d.data, d.size },
			{ CKA_PRIME_1, p.data, p.size },
			{ CKA_PRIME_2, q.data, q.size },
		};

		assert_int_equal(x->f->C_OpenSession(CR_P11_SLOT_ID,
			CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &h),
			CKR_OK);
		login(x, h);
		assert_int_equal(x->f->C_CreateObject(h, t, 8, &oh), CKR_OK);
		/* the key's secrets do not stay in the caller's buffers */
		assert_true(d.data[0] == 0 && d.data[d.size - 1] == 0);
		assert_int_equal(changes, 0);
	}
	assert_int_equal(gnutls_privkey_init(&pk), 0);
	assert_int_equal(gnutls_privkey_import_x509(pk, xk, 0), 0);
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_privkey(pub, pk, 0, 0), 0);
	issue(mem, pub, "CN=written key", &der, &der_len);
	write_cert(x, h, der, der_len);
	assert_int_equal(changes, 1);
	assert_int_equal(find(x, h, CKO_CERTIFICATE, ~0UL, NULL), 3);
	assert_int_equal(find(x, h, CKO_PRIVATE_KEY, CKK_RSA, NULL), 2);
	gnutls_free(m.data);
	gnutls_free(e.data);
	gnutls_free(d.data);
	gnutls_free(p.data);
	gnutls_free(q.data);
	gnutls_free(u.data);
	gnutls_free(e1.data);
	gnutls_free(e2.data);
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(pk);
	gnutls_x509_privkey_deinit(xk);
	assert_int_equal(x->f->C_CloseSession(h), CKR_OK);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_p11_locked_then_login,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_p11_attributes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_p11_sign_rsa, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_p11_sign_ec, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_p11_decrypt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_p11_mechanisms, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_p11_wipe_and_reload,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_p11_keyring_gone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_p11_write, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_p11_write_key, setup,
						teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.p11", tests,
					   NULL, NULL);
}
