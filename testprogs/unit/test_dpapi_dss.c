/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CryptoAPI DSS key blobs: a GnuTLS DSA-1024 key through the private
 * ("DSS2") and public ("DSS1") blobs and back to the same PKCS#8, the
 * seed kept, and malformed blobs refused by name.  Version-3 ("DSS4")
 * blobs and the DSS provider's key containers: testdata/dsa's key into a
 * container whose every field is checked against the key's own values,
 * decrypted back to the same PKCS#8 matching the certificate, the private
 * key blob re-encrypted byte for byte; broken containers refused naming
 * the container and the problem.
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
#include "dpapi/capi_dss.h"
#include "dpapi/dssblob.h"
#include "dpapi/keyfile.h"
#include "dpapi/privkey.h"
#include "util/cursor.h"
#include "test_util.h"

static struct cr_privkey *dsa_key(TALLOC_CTX *mem, gnutls_datum_t *der)
{
	gnutls_x509_privkey_t xk = NULL;
	struct cr_privkey *k = NULL;
	char *err = NULL;

	assert_int_equal(gnutls_x509_privkey_init(&xk), 0);
	assert_int_equal(gnutls_x509_privkey_generate(xk, GNUTLS_PK_DSA, 1024,
						      0), 0);
	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(xk,
		GNUTLS_X509_FMT_DER, NULL, GNUTLS_PKCS_PLAIN, der), 0);
	assert_int_equal(cr_privkey_from_x509(mem, xk, &k, &err), 0);
	gnutls_x509_privkey_deinit(xk);
	assert_int_equal(k->alg, GNUTLS_PK_DSA);
	return k;
}

static void test_dpapi_dss_roundtrip(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	gnutls_datum_t der = { NULL, 0 };
	struct cr_privkey *k = dsa_key(mem, &der);
	struct cr_dsa_key *priv = NULL;
	struct cr_dsa_key *pub = NULL;
	struct cr_privkey *back = NULL;
	struct cr_dss_seed seed;
	struct cr_dss_seed got;
	uint8_t *pb = NULL;
	uint8_t *kb = NULL;
	uint8_t *again = NULL;
	size_t pb_len = 0;
	size_t kb_len = 0;
	size_t again_len = 0;
	uint8_t *p8 = NULL;
	size_t p8_len = 0;
	char *err = NULL;

	memset(&seed, 0x5a, sizeof(seed));
	assert_int_equal(cr_dss_blob_build(mem, k->dsa, true, &seed, &kb,
					   &kb_len, &err), 0);
	assert_int_equal(kb_len, 16 + 128 + 20 + 128 + 20 + 24);
	assert_memory_equal(kb, "\x07\x02\x00\x00\x00\x22\x00\x00" "DSS2", 12);
	assert_int_equal(cr_dss_blob_build(mem, k->dsa, false, NULL, &pb,
					   &pb_len, &err), 0);
	assert_int_equal(pb_len, 16 + 3 * 128 + 20 + 24);
	assert_memory_equal(pb, "\x06\x02\x00\x00\x00\x22\x00\x00" "DSS1", 12);
	assert_int_equal(cr_dss_blob_parse(mem, kb, kb_len, &priv, &got,
					   &err), 0);
	assert_memory_equal(&got, &seed, sizeof(seed));
	assert_int_equal(priv->y.len, 0);
	assert_int_equal(cr_dss_blob_parse(mem, pb, pb_len, &pub, &got, &err),
			 0);
	assert_int_equal(got.counter, CR_DSS_SEED_NONE);
	assert_int_equal(pub->x.len, 0);
	/* y from the public blob, x from the private one: the same key */
	priv->y = pub->y;
	assert_int_equal(cr_privkey_wrap_dsa(mem, priv, &back), 0);
	assert_int_equal(cr_privkey_to_pkcs8(mem, back, false, &p8, &p8_len,
					     &err), 0);
	assert_int_equal(p8_len, der.size);
	assert_memory_equal(p8, der.data, der.size);
	assert_string_equal(cr_privkey_describe(mem, back), "DSA-1024");
	assert_int_equal(cr_dss_blob_build(mem, priv, true, &seed, &again,
					   &again_len, &err), 0);
	assert_int_equal(again_len, kb_len);
	assert_memory_equal(again, kb, kb_len);
	/* another public key's y is refused by GnuTLS */
	priv->y.data[5] ^= 1;
	assert_int_equal(cr_privkey_to_pkcs8(mem, back, false, &p8, &p8_len,
					     &err), EBADMSG);
	print_message("%s\n", err);
	gnutls_free(der.data);
	talloc_free(mem);
}

static void test_dpapi_dss_malformed(void **state)
{
	struct cr_test_ctx *t = *state;
	static const struct {
		const char *what;
		size_t off;
		uint8_t value;
		long delta;
		const char *says;
	} cases[] = {
		{ "empty", SIZE_MAX, 0, -336, "shorter than its 16-byte" },
		{ "one short", SIZE_MAX, 0, -1, "its header says 336" },
		{ "trailing", SIZE_MAX, 0, 1, "is 337 bytes" },
		{ "RSA blob", 5, 0xa4, 0, "aiKeyAlg 0xa400" },
		{ "version 3", 1, 3, 0, "bVersion 3" },
		{ "public magic", 11, '1', 0, "magic 0x31535344" },
		{ "bitlen 1256", 12, 0xe8, 0, "bitlen 1256" },
		{ "bitlen 2048", 13, 0x08, 0, "bitlen 2048" },
		{ "short p", 16 + 127, 0, 0, "p is shorter" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TALLOC_CTX *mem = talloc_new(t->mem);
		gnutls_datum_t der = { NULL, 0 };
		struct cr_privkey *k = dsa_key(mem, &der);
		struct cr_dsa_key *bad_key = NULL;
		uint8_t *good = NULL;
		size_t n = 0;
		size_t m;
		uint8_t *bad = NULL;
		char *err = NULL;

		print_message("case %zu: %s\n", i, cases[i].what);
		assert_int_equal(cr_dss_blob_build(mem, k->dsa, true, NULL,
						   &good, &n, &err), 0);
		m = (size_t)((long)n + cases[i].delta);
		bad = talloc_zero_size(mem, m + 1);
		memcpy(bad, good, m < n ? m : n);
		if (cases[i].off != SIZE_MAX) {
			bad[cases[i].off] = cases[i].value;
		}
		assert_int_equal(cr_dss_blob_parse(mem, bad, m, &bad_key, NULL,
						   &err), EBADMSG);
		print_message("  -> %s\n", err);
		cr_assert_contains(err, cases[i].says);
		gnutls_free(der.data);
		talloc_free(mem);
	}
}

/* Little-endian, zero-padded to n: the key's value as CryptoAPI has it. */
static void put_le(uint8_t *out, const gnutls_datum_t *be, size_t n)
{
	size_t i;
	size_t len = be->size;
	const uint8_t *v = be->data;

	/* GnuTLS may add a leading zero for a positive number */
	while (len > 0 && v[0] == 0) {
		v++;
		len--;
	}
	assert_true(len <= n);
	memset(out, 0, n);
	for (i = 0; i < len; i++) {
		out[i] = v[len - 1 - i];
	}
}

struct dss_fixture {
	uint8_t *key_pem;
	size_t key_len;
	struct cr_privkey *key;
	uint8_t cert_id[20];
	/* the key's values, little-endian, as the container must hold them */
	uint8_t p[128], q[20], g[128], y[128], x[20];
	uint8_t mk[64];
	struct cr_guid guid;
};

static void dss_fixture(TALLOC_CTX *mem, struct dss_fixture *f)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t v[5];
	gnutls_datum_t in;
	uint8_t *cert = NULL;
	size_t cert_len = 0;
	size_t id_len = sizeof(f->cert_id);
	char *err = NULL;
	size_t i;

	f->key_pem = cr_test_read_or_fail(mem, "dsa/key.pem", &f->key_len);
	cert = cr_test_read_or_fail(mem, "dsa/cert.pem", &cert_len);
	assert_int_equal(cr_privkey_from_pkcs8(mem, f->key_pem, f->key_len,
					       &f->key, &err), 0);
	in = (gnutls_datum_t){ .data = f->key_pem,
			       .size = (unsigned)f->key_len };
	assert_int_equal(gnutls_x509_privkey_init(&xk), 0);
	assert_int_equal(gnutls_x509_privkey_import(xk, &in,
						    GNUTLS_X509_FMT_PEM), 0);
	assert_int_equal(gnutls_x509_privkey_export_dsa_raw(xk, &v[0], &v[1],
		&v[2], &v[3], &v[4]), 0);
	put_le(f->p, &v[0], sizeof(f->p));
	put_le(f->q, &v[1], sizeof(f->q));
	put_le(f->g, &v[2], sizeof(f->g));
	put_le(f->y, &v[3], sizeof(f->y));
	put_le(f->x, &v[4], sizeof(f->x));
	for (i = 0; i < 5; i++) {
		gnutls_free(v[i].data);
	}
	gnutls_x509_privkey_deinit(xk);
	in = (gnutls_datum_t){ .data = cert, .size = (unsigned)cert_len };
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_PEM),
			 0);
	assert_int_equal(gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1,
		f->cert_id, &id_len), 0);
	gnutls_x509_crt_deinit(crt);
	memset(f->mk, 0x33, sizeof(f->mk));
	memset(&f->guid, 0x44, sizeof(f->guid));
}

static void test_dpapi_dss_container_kat(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	static const uint8_t header[] = {
		/* BLOBHEADER */
		0x07, 0x03, 0x00, 0x00, 0x00, 0x22, 0x00, 0x00,
		'D', 'S', 'S', '4',
		0x00, 0x04, 0x00, 0x00,		/* bitlenP 1024 */
		0xa0, 0x00, 0x00, 0x00,		/* bitlenQ 160 */
		0x00, 0x00, 0x00, 0x00,		/* bitlenJ 0: no j */
		0xa0, 0x00, 0x00, 0x00,		/* bitlenX 160 */
		0xff, 0xff, 0xff, 0xff,		/* DSSSEED: no seed */
	};
	static const char name[] =
		"credroam-5DB60F0C739E23CEE4FDBBF29C93F55DF1442B46";
	struct dss_fixture f;
	struct cr_capi_key *c = NULL;
	struct cr_capi_key *back = NULL;
	struct cr_dsa_key *pub = NULL;
	struct cr_dss_v3 *info = NULL;
	struct cr_dpapi_blob *b = NULL;
	struct cr_privkey *key = NULL;
	struct cr_dpapi_keyfile_info kinfo;
	struct cr_dpapi_protect opt = {
		.description = "CryptoAPI Private Key",
	};
	uint8_t *file = NULL;
	size_t file_len = 0;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	uint8_t *again = NULL;
	size_t again_len = 0;
	uint8_t *pem = NULL;
	size_t pem_len = 0;
	uint8_t zero[20];
	uint8_t key_id[20];
	uint32_t flag = 0;
	const uint8_t *s = NULL;
	char *err = NULL;

	dss_fixture(mem, &f);
	assert_int_equal(cr_capi_dss_create(mem, name, f.key->dsa, &f.guid,
		f.mk, sizeof(f.mk), &c, &err), 0);
	assert_int_equal(cr_capi_key_serialize(mem, c, &file, &file_len,
					       &err), 0);
	/* the container header: the key pair in the signature slot */
	assert_int_equal(cr_le32(file), 2);
	assert_int_equal(cr_le32(file + 8), sizeof(name));
	assert_int_equal(cr_le32(file + 12), 52 + 3 * 128 + 20);
	assert_int_equal(cr_le32(file + 20), 0);	/* no exchange key */
	assert_int_equal(cr_le32(file + 24), 0);
	assert_int_equal(cr_le32(file + 28), 20);
	assert_int_equal(cr_le32(file + 36), 0);
	assert_string_equal((const char *)file + 40, name);
	memset(zero, 0, sizeof(zero));
	assert_memory_equal(file + 40 + sizeof(name), zero, 20);
	/* the public section, field by field from the key's own values */
	s = file + 40 + sizeof(name) + 20;
	assert_memory_equal(s, header, sizeof(header));
	assert_memory_equal(s + 32, zero, 20);			/* seed */
	assert_memory_equal(s + 52, f.p, 128);
	assert_memory_equal(s + 52 + 128, f.q, 20);
	assert_memory_equal(s + 52 + 148, f.g, 128);
	assert_memory_equal(s + 52 + 276, f.y, 128);
	/* parse back; the public section rebuilds to the same bytes */
	assert_int_equal(cr_capi_key_parse(mem, file, file_len, &back, &err),
			 0);
	assert_true(cr_capi_dss_container(back));
	assert_int_equal(cr_dss_v3_parse(mem, back->pub[0], back->pub_len[0],
					 false, &pub, &info, &err), 0);
	assert_int_equal(pub->x.len, 0);
	assert_int_equal(cr_dss_v3_build(mem, pub, false, info, &again,
					 &again_len, &err), 0);
	assert_int_equal(again_len, back->pub_len[0]);
	assert_memory_equal(again, back->pub[0], again_len);
	/* the private key decrypts to x alone; exportable */
	assert_int_equal(cr_capi_key_unprotect(mem, back, CR_CAPI_SIGNATURE,
		f.mk, sizeof(f.mk), &plain, &plain_len, &flag, &err), 0);
	assert_int_equal(plain_len, 20);
	assert_memory_equal(plain, f.x, 20);
	assert_int_equal(flag, 1);
	/* re-encrypted with the blob's salt and nonce: the same bytes */
	assert_int_equal(cr_dpapi_blob_parse(mem, back->priv[0],
		back->priv_len[0], &b, &err), 0);
	assert_string_equal(cr_dpapi_blob_description(mem, b),
			    "CryptoAPI Private Key");
	opt.salt = b->salt;
	opt.salt_len = b->salt_len;
	opt.hmac2 = b->hmac2;
	opt.hmac2_len = b->hmac2_len;
	assert_int_equal(cr_dpapi_protect(mem, &f.guid, f.mk, sizeof(f.mk),
		plain, plain_len, NULL, 0, &opt, &again, &again_len, &err), 0);
	assert_int_equal(again_len, back->priv_len[0]);
	assert_memory_equal(again, back->priv[0], again_len);
	/* the whole file: the same key, which is the certificate's */
	assert_int_equal(cr_dpapi_keyfile_decrypt_any(mem, file, file_len,
		f.mk, sizeof(f.mk), &key, &kinfo, &err), 0);
	assert_string_equal(kinfo.kind, "capi-dss");
	assert_string_equal(kinfo.name, name);
	assert_int_equal(kinfo.export_flag, 1);
	assert_string_equal(cr_privkey_describe(mem, key), "DSA-1024");
	assert_int_equal(cr_privkey_key_id(key, key_id, &err, mem), 0);
	assert_memory_equal(key_id, f.cert_id, 20);
	assert_int_equal(cr_privkey_to_pkcs8(mem, key, true, &pem, &pem_len,
					     &err), 0);
	assert_int_equal(pem_len, f.key_len);
	assert_memory_equal(pem, f.key_pem, f.key_len);
	/* the wrong master key fails the blob's check, naming the container */
	f.mk[0] ^= 1;
	assert_int_not_equal(cr_dpapi_keyfile_decrypt_any(mem, file, file_len,
		f.mk, sizeof(f.mk), &key, &kinfo, &err), 0);
	print_message("%s\n", err);
	cr_assert_contains(err, name);
	talloc_free(mem);
}

/* A DSS4 blob with j and a seed goes back to the same bytes. */
static void test_dpapi_dss_v3_with_j(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct dss_fixture f;
	struct cr_dss_v3 info;
	struct cr_dss_v3 *got = NULL;
	struct cr_dsa_key *k = NULL;
	uint8_t j[108];
	uint8_t *blob = NULL;
	size_t blob_len = 0;
	uint8_t *again = NULL;
	size_t again_len = 0;
	char *err = NULL;

	dss_fixture(mem, &f);
	memset(j, 0x6a, sizeof(j));
	memset(&info, 0, sizeof(info));
	info.seed.counter = 77;
	memset(info.seed.seed, 0x5e, sizeof(info.seed.seed));
	info.bitlen_j = 864;
	info.j = j;
	info.j_len = sizeof(j);
	info.bitlen_x = 160;
	assert_int_equal(cr_dss_v3_build(mem, f.key->dsa, true, &info, &blob,
					 &blob_len, &err), 0);
	assert_int_equal(blob_len, 52 + 3 * 128 + 20 + 108 + 20);
	assert_memory_equal(blob + 52 + 276, j, sizeof(j));
	assert_memory_equal(blob + 52 + 384, f.y, 128);
	assert_memory_equal(blob + 52 + 512, f.x, 20);
	assert_int_equal(cr_dss_v3_parse(mem, blob, blob_len, true, &k, &got,
					 &err), 0);
	assert_int_equal(got->seed.counter, 77);
	assert_int_equal(got->bitlen_j, 864);
	assert_int_equal(cr_dss_v3_build(mem, k, true, got, &again,
					 &again_len, &err), 0);
	assert_int_equal(again_len, blob_len);
	assert_memory_equal(again, blob, blob_len);
	talloc_free(mem);
}

static void test_dpapi_dss_v3_malformed(void **state)
{
	struct cr_test_ctx *t = *state;
	static const struct {
		const char *what;
		size_t off;
		uint8_t value;
		long delta;
		const char *says;
	} cases[] = {
		{ "empty", SIZE_MAX, 0, -456, "not a version-3 DSS" },
		{ "one short", SIZE_MAX, 0, -1, "its header says 456" },
		{ "trailing", SIZE_MAX, 0, 1, "is 457 bytes" },
		{ "version 2", 1, 2, 0, "not a version-3 DSS" },
		{ "DSS3 magic", 11, '3', 0, "not a version-3 DSS" },
		{ "bitlenP 1056", 12, 0x20, 0, "bitlenP 1056" },
		{ "bitlenQ 416", 17, 0x01, 0, "bitlenQ 416" },
		{ "bitlenX 168", 24, 0xa8, 0, "bitlenX 168" },
		{ "bitlenJ 8 without j", 20, 8, 0, "its header says 457" },
		{ "short p", 52 + 127, 0, 0, "shorter than its bitlenP" },
		{ "short q", 52 + 128 + 19, 0, 0, "q shorter than 160 bits" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TALLOC_CTX *mem = talloc_new(t->mem);
		struct dss_fixture f;
		struct cr_dsa_key *bad_key = NULL;
		uint8_t *good = NULL;
		size_t n = 0;
		size_t m;
		uint8_t *bad = NULL;
		char *err = NULL;

		print_message("case %zu: %s\n", i, cases[i].what);
		dss_fixture(mem, &f);
		assert_int_equal(cr_dss_v3_build(mem, f.key->dsa, false, NULL,
						 &good, &n, &err), 0);
		m = (size_t)((long)n + cases[i].delta);
		bad = talloc_zero_size(mem, m + 1);
		memcpy(bad, good, m < n ? m : n);
		if (cases[i].off != SIZE_MAX) {
			bad[cases[i].off] = cases[i].value;
		}
		assert_int_equal(cr_dss_v3_parse(mem, bad, m, false, &bad_key,
						 NULL, &err), EBADMSG);
		print_message("  -> %s\n", err);
		cr_assert_contains(err, cases[i].says);
		talloc_free(mem);
	}
}

/* Containers the DSS reader must refuse, each naming it and the problem. */
static void test_dpapi_dss_container_refused(void **state)
{
	struct cr_test_ctx *t = *state;
	static const char dh_pub[12] = {
		0x06, 0x02, 0x00, 0x00, 0x01, 0xaa, 0x00, 0x00, 'D', 'H', '1',
		0x00,
	};
	static const char dss2_pub[12] = {
		0x07, 0x02, 0x00, 0x00, 0x00, 0x22, 0x00, 0x00, 'D', 'S', 'S',
		'2',
	};
	enum { DH_EXCHANGE, OLD_BLOB, LONG_X, OTHER_X, BIG_KEY };
	static const struct {
		const char *what;
		int kind;
		const char *says;
	} cases[] = {
		{ "a Diffie-Hellman exchange key", DH_EXCHANGE,
		  "exchange key is a key blob of bType 6, bVersion 2, "
		  "aiKeyAlg 0xaa01, magic 0x00314844 (Diffie-Hellman" },
		{ "a version-2 blob in the signature slot", OLD_BLOB,
		  "signature key is a key blob of bType 7, bVersion 2, "
		  "aiKeyAlg 0x2200, magic 0x32535344, not a DSA key" },
		{ "21 bytes of x", LONG_X, "decrypts to 21 bytes" },
		{ "another key's x", OTHER_X,
		  "signature private key does not match its public key" },
		{ "a DSA-2048 key", BIG_KEY,
		  "cannot go into a CAPI DSS container" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TALLOC_CTX *mem = talloc_new(t->mem);
		struct dss_fixture f;
		struct cr_capi_key *c = NULL;
		struct cr_dsa_key *k = NULL;
		uint8_t *pub = NULL;
		size_t pub_len = 0;
		uint8_t x[21];
		uint32_t flag = 0;
		enum cr_capi_keyspec spec = CR_CAPI_SIGNATURE;
		char *err = NULL;
		int ret;

		print_message("case %zu: %s\n", i, cases[i].what);
		dss_fixture(mem, &f);
		memcpy(x, f.x, 20);
		x[20] = 0;
		assert_int_equal(cr_dss_v3_build(mem, f.key->dsa, false, NULL,
						 &pub, &pub_len, &err), 0);
		switch (cases[i].kind) {
		case DH_EXCHANGE:
			spec = CR_CAPI_EXCHANGE;
			pub = (uint8_t *)dh_pub;
			pub_len = sizeof(dh_pub);
			break;
		case OLD_BLOB:
			pub = (uint8_t *)dss2_pub;
			pub_len = sizeof(dss2_pub);
			break;
		case OTHER_X:
			x[0] ^= 1;
			break;
		default:
			break;
		}
		if (cases[i].kind == BIG_KEY) {
			gnutls_x509_privkey_t xk = NULL;
			struct cr_dsa_key *big = NULL;

			assert_int_equal(gnutls_x509_privkey_init(&xk), 0);
			assert_int_equal(gnutls_x509_privkey_generate(xk,
				GNUTLS_PK_DSA, 2048, 0), 0);
			assert_int_equal(cr_dsa_key_from_x509(mem, xk, &big,
							      &err), 0);
			gnutls_x509_privkey_deinit(xk);
			ret = cr_capi_dss_create(mem, "big", big, &f.guid,
				f.mk, sizeof(f.mk), &c, &err);
			assert_int_equal(ret, EINVAL);
		} else {
			assert_int_equal(cr_capi_key_assemble(mem, "broken",
				spec == CR_CAPI_EXCHANGE ? CR_CAPI_EXCHANGE :
				CR_CAPI_SIGNATURE, pub, pub_len, x,
				cases[i].kind == LONG_X ? 21 : 20, &f.guid,
				f.mk, sizeof(f.mk), &c, &err), 0);
			assert_true(cr_capi_dss_container(c));
			ret = cr_capi_dss_decrypt(mem, c, CR_CAPI_ANY, f.mk,
				sizeof(f.mk), &k, &flag, &err);
			assert_int_not_equal(ret, 0);
			cr_assert_contains(err, "CAPI DSS container 'broken'");
		}
		print_message("  -> %s\n", err);
		cr_assert_contains(err, cases[i].says);
		talloc_free(mem);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_dpapi_dss_roundtrip),
		cr_unit_test(test_dpapi_dss_malformed),
		cr_unit_test(test_dpapi_dss_container_kat),
		cr_unit_test(test_dpapi_dss_v3_with_j),
		cr_unit_test(test_dpapi_dss_v3_malformed),
		cr_unit_test(test_dpapi_dss_container_refused),
	};

	return cmocka_run_group_tests_name("credroam.unittests.dpapi_dss",
					   tests, NULL, NULL);
}
