/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CryptoAPI DSS key blobs: a GnuTLS DSA-1024 key through the private
 * ("DSS2") and public ("DSS1") blobs and back to the same PKCS#8, the
 * seed kept, and malformed blobs refused by name.
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

#include "dpapi/dssblob.h"
#include "dpapi/privkey.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_dpapi_dss_roundtrip),
		cr_unit_test(test_dpapi_dss_malformed),
	};

	return cmocka_run_group_tests_name("credroam.unittests.dpapi_dss",
					   tests, NULL, NULL);
}
