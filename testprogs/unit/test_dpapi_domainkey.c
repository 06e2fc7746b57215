/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Domain key sections (MS-BKRP client wrap): unwrap Nemesis v3 and v2 with
 * their backup keys, PVK round trip, and master keys this code creates
 * unwrapping both with the password and with the backup private key.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <talloc.h>
#include <gnutls/x509.h>

#include "dpapi/domainkey.h"
#include "dpapi/masterkey.h"
#include "dpapi/pvk.h"
#include "test_util.h"

#define NEMESIS_SID "S-1-5-21-3821320868-1508310791-3575676346-1103"
#define NEMESIS_MK "36bd60cb9e7e52433169db00e93ed0a82d3c30c65d948bd8596fb3" \
	"2c267671020b02026b0ae03479dd18374adbdd7658f45cce6ed2a45319eff7a96c" \
	"411c85f5"
#define NEMESIS_LK "7a195283d32f84a262408fc5e8247f57bee69f26598163c6491645" \
	"5b5e77f29c"
#define OLD_MK "5481855be27d3e1d59384ff7d41ea170ef77137cf92b71313a46657ab8" \
	"544d51da470f85bc4339e98ca02c9ead990784c108aaac3b8485f7a767e1b6e37f" \
	"92ef"

struct test_ctx {
	TALLOC_CTX *mem;
	gnutls_privkey_t nemesis;
	gnutls_privkey_t old;
	struct cr_rsa_key *nemesis_rsa;
};

static gnutls_privkey_t load_pvk(struct test_ctx *t, const char *rel,
				 struct cr_rsa_key **rsa_out)
{
	struct cr_rsa_key *rsa = NULL;
	gnutls_privkey_t pk = NULL;
	uint8_t *data = NULL;
	uint8_t *again = NULL;
	size_t len = 0;
	size_t again_len = 0;
	uint32_t spec = 0;
	char *err = NULL;

	data = cr_test_read(t->mem, rel, &len);
	assert_non_null(data);
	assert_int_equal(cr_pvk_parse(t->mem, data, len, &rsa, &spec, &err),
			 0);
	assert_int_equal(spec, 1);
	assert_int_equal(cr_rsa_key_bits(rsa), 2048);
	/* PVK files come back byte for byte */
	assert_int_equal(cr_pvk_build(t->mem, rsa, spec, &again, &again_len,
				      &err), 0);
	assert_int_equal(again_len, len);
	assert_memory_equal(again, data, len);
	assert_int_equal(cr_rsa_key_to_privkey(rsa, &pk, &err, t->mem), 0);
	if (rsa_out != NULL) {
		*rsa_out = rsa;
	}
	return pk;
}

static int setup(void **state)
{
	struct test_ctx *t = NULL;

	cr_test_leak_begin();
	t = talloc_zero(NULL, struct test_ctx);
	t->mem = talloc_new(t);
	t->nemesis = load_pvk(t, "nemesis/backupkey.pvk", &t->nemesis_rsa);
	t->old = load_pvk(t, "nemesis/old_format/backupkey.pvk", NULL);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct test_ctx *t = *state;

	gnutls_privkey_deinit(t->nemesis);
	gnutls_privkey_deinit(t->old);
	talloc_free(t);
	cr_test_leak_end();
	return 0;
}

static struct cr_mkf *load_mkf(TALLOC_CTX *mem, const char *rel)
{
	struct cr_mkf *mkf = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char *err = NULL;

	data = cr_test_read(mem, rel, &len);
	assert_non_null(data);
	assert_int_equal(cr_mkf_parse(mem, data, len, rel, &mkf, &err), 0);
	return mkf;
}

static void test_dpapi_domainkey_nemesis(void **state)
{
	struct test_ctx *t = *state;
	static const struct {
		const char *file;
		uint32_t version;
		const char *mk;
		const char *sid;
	} cases[] = {
		{ "nemesis/masterkey_domain.bin", 3, NEMESIS_MK, NEMESIS_SID },
		{ "nemesis/old_format/ab998260-e99d-4871-8f4b-d922b2848ce6", 2,
		  OLD_MK, "S-1-5-21-937929760-3187473010-80948926-2115" },
	};
	size_t i;

	for (i = 0; i < 2; i++) {
		struct cr_mkf *mkf = load_mkf(t->mem, cases[i].file);
		struct cr_domainkey_plain *p = NULL;
		gnutls_privkey_t right = (i == 0) ? t->nemesis : t->old;
		gnutls_privkey_t wrong = (i == 0) ? t->old : t->nemesis;
		uint8_t *mk = NULL;
		char *err = NULL;

		print_message("case %zu: %s\n", i, cases[i].file);
		if (cr_mkf_decrypt_backupkey(t->mem, mkf, right, &mk, &p,
					     &err) != 0) {
			fail_msg("%s", err);
		}
		assert_string_equal(cr_hex_lower(t->mem, mk, 64),
				    cases[i].mk);
		assert_int_equal(p->version, cases[i].version);
		assert_string_equal(p->access_sid, cases[i].sid);
		if (i == 0) {
			assert_string_equal(cr_hex_lower(t->mem, p->nonce, 32),
					    NEMESIS_LK);
		}
		assert_int_equal(cr_mkf_decrypt_backupkey(t->mem, mkf, wrong,
							  &mk, &p, &err),
				 EACCES);
		assert_null(mk);
		print_message("  wrong key -> %s\n", err);
	}
}

/* A self-signed certificate shaped like the DC's (GUID in the unique IDs). */
static uint8_t *make_cert(struct test_ctx *t, const struct cr_guid *g,
			  size_t *len)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t der = { NULL, 0 };
	uint8_t serial[16];
	uint8_t *out = NULL;
	char *err = NULL;
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < 16; i++) {
		serial[i] = g->b[15 - i] & 0x7f;
	}
	assert_int_equal(cr_rsa_key_to_x509(t->nemesis_rsa, &xk, &err,
					    t->mem), 0);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_set_version(crt, 3), 0);
	assert_int_equal(gnutls_x509_crt_set_serial(crt, serial, 16), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(crt, now), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(crt,
		now + 365 * 86400), 0);
	assert_int_equal(gnutls_x509_crt_set_dn_by_oid(crt,
		GNUTLS_OID_X520_COMMON_NAME, 0, "corp.local", 10), 0);
	assert_int_equal(gnutls_x509_crt_set_key(crt, xk), 0);
	assert_int_equal(gnutls_x509_crt_set_issuer_unique_id(crt, g->b, 16),
			 0);
	assert_int_equal(gnutls_x509_crt_set_subject_unique_id(crt, g->b, 16),
			 0);
	assert_int_equal(gnutls_x509_crt_sign2(crt, crt, xk, GNUTLS_DIG_SHA256,
					       0), 0);
	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
						 &der), 0);
	out = talloc_memdup(t->mem, der.data, der.size);
	*len = der.size;
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(xk);
	return out;
}

static void test_dpapi_domainkey_create(void **state)
{
	struct test_ctx *t = *state;
	struct cr_backup_pubkey *bk = NULL;
	struct cr_guid g;
	uint8_t *cert = NULL;
	size_t cert_len = 0;
	uint32_t version;
	char *err = NULL;

	assert_true(cr_guid_parse("7efa51b1-2523-45bf-acba-2e15ecf4f1e7", &g));
	cert = make_cert(t, &g, &cert_len);
	assert_int_equal(cr_backup_pubkey_from_cert(t->mem, cert, cert_len,
						    &bk, &err), 0);
	assert_memory_equal(bk->guid.b, g.b, 16);

	for (version = 2; version <= 3; version++) {
		struct cr_mkf_params p = {
			.sid = NEMESIS_SID,
			.backup = bk,
			.domainkey_version = version,
		};
		uint8_t prekey[20];
		struct cr_mkf *mkf = NULL;
		struct cr_mkf *parsed = NULL;
		struct cr_domainkey_plain *plain = NULL;
		enum cr_dpapi_derivation how = CR_DPAPI_DERIV_PREKEY;
		uint8_t *mk = NULL;
		uint8_t *mk2 = NULL;
		uint8_t *lk = NULL;
		uint8_t *bytes = NULL;
		size_t len = 0;

		print_message("domain key version %u\n", version);
		assert_int_equal(cr_dpapi_prekey_password(
			CR_DPAPI_DERIV_NT_PBKDF2, "Qwerty12345", NEMESIS_SID,
			prekey), 0);
		p.prekey = prekey;
		p.prekey_len = sizeof(prekey);
		assert_int_equal(cr_mkf_create(t->mem, &p, &mkf, &mk, &err),
				 0);
		assert_int_equal(cr_mkf_serialize(t->mem, mkf, &bytes, &len,
						  &err), 0);
		/* the shape of a Windows 10/11 domain user's file */
		assert_int_equal(len, version == 3 ? 876 : 128 + 176 + 144 +
				 372);
		assert_int_equal(cr_mkf_parse(t->mem, bytes, len, "new",
					      &parsed, &err), 0);
		assert_int_equal(parsed->mk->rounds, 8000);
		assert_int_equal(parsed->dk->version, version);

		assert_int_equal(cr_mkf_decrypt_password(t->mem, parsed,
			"Qwerty12345", NEMESIS_SID, &mk2, &how, &err), 0);
		assert_int_equal(how, CR_DPAPI_DERIV_NT_PBKDF2);
		assert_memory_equal(mk, mk2, 64);

		assert_int_equal(cr_mkf_decrypt_backupkey(t->mem, parsed,
			t->nemesis, &mk2, &plain, &err), 0);
		assert_memory_equal(mk, mk2, 64);
		assert_string_equal(plain->access_sid, NEMESIS_SID);
		assert_int_equal(cr_mkf_decrypt_localkey(t->mem, parsed,
			NEMESIS_SID, NULL, 0, &lk, &err), 0);
		/* Windows keeps the access-check nonce equal to the LK */
		assert_memory_equal(plain->nonce, lk, 32);
	}
}

static void test_dpapi_domainkey_raw_pubkey(void **state)
{
	struct test_ctx *t = *state;
	struct cr_backup_pubkey *bk = NULL;
	struct cr_domainkey *dk = NULL;
	struct cr_domainkey_plain *plain = NULL;
	gnutls_pubkey_t pub = NULL;
	struct cr_guid g;
	uint8_t mk[64];
	uint8_t nonce[32];
	char *err = NULL;

	memset(&g, 7, sizeof(g));
	memset(mk, 0, sizeof(mk));	/* a key starting with 00 survives */
	mk[63] = 1;
	memset(nonce, 0xab, sizeof(nonce));
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_privkey(pub, t->nemesis, 0, 0),
			 0);
	assert_int_equal(cr_backup_pubkey_from_raw(t->mem, &g, pub, &bk,
						   &err), 0);
	gnutls_pubkey_deinit(pub);
	assert_int_equal(cr_domainkey_create(t->mem, 3, bk, mk, 64, nonce,
		"S-1-5-32-544", &dk, &err), 0);
	assert_int_equal(cr_domainkey_decrypt(t->mem, dk, t->nemesis, &plain,
					      &err), 0);
	assert_memory_equal(plain->master_key, mk, 64);
	assert_memory_equal(plain->nonce, nonce, 32);
	assert_string_equal(plain->access_sid, "S-1-5-32-544");
	/* a damaged access check is caught by its hash */
	dk->access[dk->access_len - 1] ^= 1;
	assert_int_equal(cr_domainkey_decrypt(t->mem, dk, t->nemesis, &plain,
					      &err), EACCES);
}

static void test_dpapi_domainkey_dc_reply(void **state)
{
	struct test_ctx *t = *state;
	uint8_t reply[68];
	uint8_t *mk = NULL;
	size_t mk_len = 0;
	char *err = NULL;

	memset(reply, 0, sizeof(reply));
	reply[67] = 9;
	assert_int_equal(cr_domainkey_dc_reply(t->mem, reply, 68, &mk, &mk_len,
					       &err), 0);
	assert_int_equal(mk_len, 64);
	assert_int_equal(mk[0], 0);
	assert_int_equal(mk[63], 9);
	reply[0] = 1;
	assert_int_equal(cr_domainkey_dc_reply(t->mem, reply, 68, &mk, &mk_len,
					       &err), EBADMSG);
	assert_int_equal(cr_domainkey_dc_reply(t->mem, reply, 60, &mk, &mk_len,
					       &err), EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dpapi_domainkey_nemesis,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpapi_domainkey_create,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_dpapi_domainkey_raw_pubkey, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dpapi_domainkey_dc_reply,
						setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.dpapi_domainkey",
					   tests, NULL, NULL);
}
