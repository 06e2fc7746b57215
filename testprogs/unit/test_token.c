/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for roaming tokens and DN-Binary values: the real DSInternals
 * samples field by field and bit for bit, tombstones, updates that keep
 * the extra bytes, every length boundary, and a table of hostile inputs
 * each refused for its own reason.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>

#include "util/cursor.h"
#include "util/encoding.h"
#include "test_util.h"
#include "format/token.h"

#define OWNER_DN "CN=Administrator,CN=Users,DC=Adatum,DC=com"
#define CERT_ID "3B83BFA7037F6A79B3F3D17D229E1BC097F35B51"
#define CAPI_ID "701577141985b6923998dcca035c007a_" \
		"f8b7bbef-d227-4ac7-badd-3a238a7f741e"
#define CNG_KEY_ID "F606B9A77244FCD95DB5E541A51D397B5BB1F079"
#define SHA1_EMPTY "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"

/* The CVE-2022-30170 proof of concept token, as published (roaming.md). */
static const char poc_hex[] =
	"25335c2e2e5c2e2e5c57696e646f77735c5374617274204d656e755c50726f67"
	"72616d735c537461727475705c6d616c6963696f75732e626174"
	"0000000000000000000000000000000000000000000000000000000000000000"
	"000000000000"
	"f0a1f04c9c1ad801" "0000" "0000"
	"f52f696ec0f1d3b13e9d9d553adbb491ca6cc7a3" "19000000"
	"406563686f206f66660d0a73746172742063616c632e657865";

struct test_ctx {
	TALLOC_CTX *mem;
};

static int setup(void **state)
{
	struct test_ctx *ctx = NULL;

	cr_test_leak_begin();
	ctx = talloc_zero(NULL, struct test_ctx);
	assert_non_null(ctx);
	ctx->mem = talloc_new(ctx);
	assert_non_null(ctx->mem);
	*state = ctx;
	return 0;
}

static int teardown(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);

	/* everything a test made hangs off ctx->mem; nothing else grew */
	talloc_free(ctx->mem);
	ctx->mem = NULL;
	talloc_free(ctx);
	cr_test_leak_end();
	return 0;
}

static uint8_t *from_hex(TALLOC_CTX *mem_ctx, const char *hex, size_t *len)
{
	uint8_t *out = NULL;

	assert_int_equal(cr_hex_decode(mem_ctx, hex, strlen(hex), &out, NULL),
			 0);
	*len = strlen(hex) / 2;
	return out;
}

static void assert_sha1_hex(TALLOC_CTX *mem_ctx, const uint8_t *h,
			    const char *hex)
{
	assert_string_equal(cr_hex_upper(mem_ctx, h, CR_SHA1_LEN), hex);
}

static struct cr_token *parse_ok(TALLOC_CTX *mem_ctx, const uint8_t *buf,
				 size_t len)
{
	struct cr_token *t = NULL;
	enum cr_token_problem p = CR_TOKEN_TOO_LARGE;
	char *err = NULL;
	int rc = cr_token_parse(mem_ctx, buf, len, &t, &p, &err);

	if (rc != 0) {
		fail_msg("parse failed: %s", err ? err : "?");
	}
	assert_int_equal(p, CR_TOKEN_OK);
	assert_null(err);
	return t;
}

static void assert_roundtrip(TALLOC_CTX *mem_ctx, const struct cr_token *t,
			     const uint8_t *buf, size_t len)
{
	uint8_t *out = NULL;
	size_t out_len = 0;

	assert_int_equal(cr_token_serialize(mem_ctx, t, &out, &out_len, NULL),
			 0);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, buf, len);
	assert_int_equal(t->raw_len, len);
	assert_memory_equal(t->raw, buf, len);
}

static void test_token_sample_capi_rsa_key(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	size_t len = 0;
	uint8_t *buf = cr_test_read_or_fail(
		ctx->mem, "dsinternals/capi-rsa-key.token", &len);
	struct cr_token *t = parse_ok(ctx->mem, buf, len);

	assert_int_equal(len, 2213);
	assert_int_equal(t->type, CR_TOKEN_CAPI_RSA_KEY);
	assert_string_equal(cr_token_type_name(t->type), "RSAPrivateKey");
	assert_string_equal(t->identifier, CAPI_ID);
	assert_string_equal(t->id_escaped, CAPI_ID);
	assert_int_equal(t->id_problem, CR_TOKEN_OK);
	assert_int_equal(t->filetime, 0x01d229794220f98dULL);
	assert_string_equal(cr_filetime_iso8601(ctx->mem, t->filetime),
			    "2016-10-18T19:53:12Z");
	assert_int_equal(t->flags, 0);
	assert_int_equal(t->extra_length, 0);
	assert_int_equal(t->data_length, 2081);
	assert_ptr_equal(t->data, t->raw + CR_TOKEN_HEADER_SIZE);
	/* a CAPI container file: version 2, 37-byte container name */
	assert_int_equal(cr_le32(t->data), 2);
	assert_int_equal(cr_le32(t->data + 8), 37);
	assert_sha1_hex(ctx->mem, t->sha1,
			"D41B2B4879E46B1F93F1BDFE8D86F75EAAD3420E");
	assert_memory_equal(t->sha1, t->data_sha1, CR_SHA1_LEN);
	assert_true(t->sha1_valid);
	assert_false(cr_token_is_tombstone(t));
	assert_string_equal(cr_token_type_attribute(t->type),
			    "msPKIAccountCredentials");
	assert_string_equal(cr_token_identity(ctx->mem, t), "1\\" CAPI_ID);
	assert_string_equal(cr_token_content_hash(ctx->mem, t),
			    "D41B2B4879E46B1F93F1BDFE8D86F75EAAD3420E");
	assert_int_equal(cr_token_check(ctx->mem, t, NULL, NULL), 0);
	assert_roundtrip(ctx->mem, t, buf, len);
}

static void test_token_sample_cng_certificate(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	size_t len = 0;
	uint8_t *buf = cr_test_read_or_fail(
		ctx->mem, "dsinternals/cng-certificate.token", &len);
	struct cr_token *t = parse_ok(ctx->mem, buf, len);

	assert_int_equal(len, 2338);
	assert_int_equal(t->type, CR_TOKEN_CNG_CERT);
	assert_string_equal(cr_token_type_name(t->type), "CNGCertificate");
	assert_true(cr_token_type_is_certificate(t->type));
	assert_string_equal(t->identifier, CERT_ID);
	assert_string_equal(cr_filetime_iso8601(ctx->mem, t->filetime),
			    "2017-03-13T08:58:31Z");
	assert_int_equal(t->flags, 0);
	assert_int_equal(t->data_length, 2206);
	assert_int_equal(t->extra_length, 0);
	assert_sha1_hex(ctx->mem, t->sha1,
			"E76B79D2C7A156F99355453C46F2B18AF34F3692");
	assert_true(t->sha1_valid);
	assert_int_equal(t->id_problem, CR_TOKEN_OK);
	assert_string_equal(cr_token_identity(ctx->mem, t), "7\\" CERT_ID);
	assert_roundtrip(ctx->mem, t, buf, len);
}

static void test_token_sample_unreadable_cng_key(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	size_t len = 0;
	uint8_t *buf = cr_test_read_or_fail(
		ctx->mem, "dsinternals/unreadable-cng-key.token", &len);
	struct cr_token *t = parse_ok(ctx->mem, buf, len);
	static const uint8_t zero[CR_SHA1_LEN] = { 0 };

	assert_int_equal(len, CR_TOKEN_HEADER_SIZE);
	assert_int_equal(t->type, CR_TOKEN_CNG_KEY);
	assert_string_equal(t->identifier, CNG_KEY_ID);
	assert_int_equal(t->filetime, 0);
	assert_string_equal(cr_filetime_iso8601(ctx->mem, t->filetime),
			    "1601-01-01T00:00:00Z");
	assert_int_equal(t->flags, CR_TOKEN_FLAG_UNREADABLE);
	assert_int_equal(t->data_length, 0);
	assert_memory_equal(t->sha1, zero, CR_SHA1_LEN);
	/* all-zero hash with no data: valid by convention (token.h) */
	assert_true(t->sha1_valid);
	assert_sha1_hex(ctx->mem, t->data_sha1, SHA1_EMPTY);
	assert_int_equal(cr_token_check(ctx->mem, t, NULL, NULL), 0);
	assert_roundtrip(ctx->mem, t, buf, len);
}

static void test_token_types(void **state)
{
	static const struct {
		unsigned type;
		const char *name;
		const char *attr;
		bool cert;
	} types[] = {
		{ 0, "DPAPIMasterKey", CR_ATTR_MASTER_KEYS, false },
		{ 1, "RSAPrivateKey", CR_ATTR_CREDENTIALS, false },
		{ 2, "DSAPrivateKey", CR_ATTR_CREDENTIALS, false },
		{ 3, "CryptoApiCertificate", CR_ATTR_CREDENTIALS, true },
		{ 4, "CryptoApiRequest", CR_ATTR_CREDENTIALS, true },
		{ 5, NULL, NULL, false },
		{ 6, NULL, NULL, false },
		{ 7, "CNGCertificate", CR_ATTR_CREDENTIALS, true },
		{ 8, "CNGRequest", CR_ATTR_CREDENTIALS, true },
		{ 9, "CNGPrivateKey", CR_ATTR_CREDENTIALS, false },
		{ 10, NULL, NULL, false },
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const char *name = cr_token_type_name(types[i].type);
		const char *attr = cr_token_type_attribute(types[i].type);

		print_message("type %u\n", types[i].type);
		assert_int_equal(cr_token_type_known(types[i].type),
				 types[i].name != NULL);
		assert_int_equal(cr_token_type_is_certificate(types[i].type),
				 types[i].cert);
		if (types[i].name == NULL) {
			assert_null(name);
			assert_null(attr);
			continue;
		}
		assert_string_equal(name, types[i].name);
		assert_string_equal(attr, types[i].attr);
	}
	assert_string_equal(cr_token_problem_name(CR_TOKEN_ID_DOTDOT),
			    "id-dotdot");
	assert_string_equal(cr_token_problem_name(CR_TOKEN_PROBLEM_COUNT),
			    "unknown-problem");
}

static void test_token_dnbinary_samples(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	static const char *const files[] = {
		"dsinternals/capi-rsa-key.token",
		"dsinternals/cng-certificate.token",
		"dsinternals/unreadable-cng-key.token",
	};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len = 0;
		uint8_t *buf = cr_test_read_or_fail(ctx->mem, files[i], &len);
		char *value = NULL;
		char *lower = NULL;
		char *expect = NULL;
		uint8_t *bin = NULL;
		size_t bin_len = 0;
		char *dn = NULL;
		enum cr_token_problem p = CR_TOKEN_TOO_LARGE;
		size_t hex_at;
		size_t k;

		print_message("%s\n", files[i]);
		assert_int_equal(cr_dnbinary_build(ctx->mem, buf, len,
						   OWNER_DN, &value, NULL), 0);
		expect = talloc_asprintf(ctx->mem, "B:%zu:%s:%s", len * 2,
					 cr_hex_upper(ctx->mem, buf, len),
					 OWNER_DN);
		assert_string_equal(value, expect);

		/* upper case, as AD returns it */
		assert_int_equal(cr_dnbinary_parse(ctx->mem, value,
						   strlen(value), &bin,
						   &bin_len, &dn, &p, NULL),
				 0);
		assert_int_equal(p, CR_TOKEN_OK);
		assert_int_equal(bin_len, len);
		assert_memory_equal(bin, buf, len);
		assert_string_equal(dn, OWNER_DN);

		/* lower case, as the Mandiant PoC wrote it */
		lower = talloc_strdup(ctx->mem, value);
		hex_at = (size_t)(strchr(value + 2, ':') - value) + 1;
		for (k = hex_at; k < hex_at + 2 * len; k++) {
			if (lower[k] >= 'A' && lower[k] <= 'F') {
				lower[k] = (char)(lower[k] - 'A' + 'a');
			}
		}
		assert_string_not_equal(lower, value);
		assert_int_equal(cr_dnbinary_parse(ctx->mem, lower,
						   strlen(lower), &bin,
						   &bin_len, &dn, NULL, NULL),
				 0);
		assert_memory_equal(bin, buf, len);
		assert_string_equal(dn, OWNER_DN);
		parse_ok(ctx->mem, bin, bin_len);
	}
}

static void test_token_dnbinary_no_nul_needed(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	/* the length bounds the parse: the "garbage" after it is not read */
	const char s[] = "B:4:ABcd:CN=x,DC=y" "GARBAGE";
	uint8_t *bin = NULL;
	size_t bin_len = 0;
	char *dn = NULL;

	assert_int_equal(cr_dnbinary_parse(ctx->mem, s, strlen(s) - 7, &bin,
					   &bin_len, &dn, NULL, NULL), 0);
	assert_int_equal(bin_len, 2);
	assert_int_equal(bin[0], 0xab);
	assert_int_equal(bin[1], 0xcd);
	assert_string_equal(dn, "CN=x,DC=y");
	/* a DN may itself hold ':' */
	assert_int_equal(cr_dnbinary_parse(ctx->mem, "B:2:00:CN=a:b", 13,
					   &bin, &bin_len, &dn, NULL, NULL),
			 0);
	assert_string_equal(dn, "CN=a:b");
	/* zero-length binary is valid DN-Binary syntax */
	assert_int_equal(cr_dnbinary_parse(ctx->mem, "B:0::CN=x", 9, &bin,
					   &bin_len, &dn, NULL, NULL), 0);
	assert_int_equal(bin_len, 0);
	assert_int_equal(cr_dnbinary_build(ctx->mem, bin, 0, "", &dn, NULL),
			 EINVAL);
	assert_null(dn);
}

static void test_token_dnbinary_hostile(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	static const struct {
		const char *in;
		size_t len;	/* 0: strlen */
		enum cr_token_problem expect;
	} cases[] = {
		{ "", 0, CR_DNB_BAD_PREFIX },
		{ "B", 0, CR_DNB_BAD_PREFIX },
		{ "b:2:00:CN=x", 0, CR_DNB_BAD_PREFIX },
		{ "X:2:00:CN=x", 0, CR_DNB_BAD_PREFIX },
		{ "B:", 0, CR_DNB_BAD_COUNT },
		{ "B::00:CN=x", 0, CR_DNB_BAD_COUNT },
		{ "B:x:00:CN=x", 0, CR_DNB_BAD_COUNT },
		{ "B:-2:00:CN=x", 0, CR_DNB_BAD_COUNT },
		{ "B:+2:00:CN=x", 0, CR_DNB_BAD_COUNT },
		{ "B:02:00:CN=x", 0, CR_DNB_BAD_COUNT },
		{ "B:2", 0, CR_DNB_BAD_COUNT },
		{ "B:2 :00:CN=x", 0, CR_DNB_BAD_COUNT },
		{ "B:99999999999999999999999:00:CN=x", 0, CR_DNB_BAD_COUNT },
		{ "B:3:000:CN=x", 0, CR_DNB_ODD_COUNT },
		{ "B:1:0:CN=x", 0, CR_DNB_ODD_COUNT },
		{ "B:4:00:CN=x", 0, CR_DNB_COUNT_MISMATCH },
		{ "B:2:0000:CN=x", 0, CR_DNB_COUNT_MISMATCH },
		{ "B:2:00", 0, CR_DNB_COUNT_MISMATCH },
		{ "B:2000:00:CN=x", 0, CR_DNB_COUNT_MISMATCH },
		{ "B:2:0g:CN=x", 0, CR_DNB_BAD_HEX },
		{ "B:2:g0:CN=x", 0, CR_DNB_BAD_HEX },
		{ "B:2: 0:CN=x", 0, CR_DNB_BAD_HEX },
		{ "B:2:00:", 0, CR_DNB_EMPTY_DN },
		{ "B:2:00:CN=x\n", 0, CR_DNB_BAD_DN },
		{ "B:2:00:CN=x\x7f", 0, CR_DNB_BAD_DN },
		{ "B:2:00:CN\0=x", 10, CR_DNB_BAD_DN },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		enum cr_token_problem p = CR_TOKEN_OK;
		uint8_t *bin = (uint8_t *)&p;
		size_t bin_len = 99;
		char *dn = (char *)&p;
		char *err = NULL;
		int rc;

		print_message("case %zu: '%.*s'\n", i, (int)len, cases[i].in);
		rc = cr_dnbinary_parse(ctx->mem, cases[i].in, len, &bin,
				       &bin_len, &dn, &p, &err);
		assert_int_equal(rc, EBADMSG);
		assert_int_equal(p, cases[i].expect);
		assert_null(bin);
		assert_null(dn);
		assert_int_equal(bin_len, 0);
		assert_non_null(err);
		assert_non_null(strstr(err, "DN-Binary"));
		assert_non_null(strstr(err, "offset"));
	}
}

static void test_token_tombstone(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	size_t len = 0;
	uint8_t *buf = cr_test_read_or_fail(
		ctx->mem, "dsinternals/capi-rsa-key.token", &len);
	struct cr_token *live = parse_ok(ctx->mem, buf, len);
	struct cr_token *tomb = NULL;
	const uint64_t when = 0x01D81A9C4CF0A1F0ULL;
	struct cr_token *again = NULL;

	assert_int_equal(cr_token_tombstone(ctx->mem, live, when, &tomb, NULL),
			 0);
	assert_int_equal(tomb->type, live->type);
	assert_string_equal(tomb->identifier, live->identifier);
	assert_memory_equal(tomb->id_field, live->id_field,
			    CR_TOKEN_ID_FIELD_SIZE);
	assert_int_equal(tomb->flags, CR_TOKEN_FLAG_TOMBSTONE);
	assert_true(cr_token_is_tombstone(tomb));
	assert_int_equal(tomb->filetime, when);
	assert_int_equal(tomb->data_length, 0);
	assert_int_equal(tomb->extra_length, 0);
	assert_int_equal(tomb->raw_len, CR_TOKEN_HEADER_SIZE);
	assert_sha1_hex(ctx->mem, tomb->sha1, SHA1_EMPTY);
	assert_true(tomb->sha1_valid);
	assert_string_equal(cr_token_identity(ctx->mem, tomb),
			    cr_token_identity(ctx->mem, live));
	/* exactly the bytes a reader of AD gets back */
	again = parse_ok(ctx->mem, tomb->raw, tomb->raw_len);
	assert_roundtrip(ctx->mem, again, tomb->raw, tomb->raw_len);
	assert_memory_equal(tomb->raw, "%1\\", 3);
	assert_int_equal(cr_le16(tomb->raw + CR_TOKEN_OFF_FLAGS), 1);
	assert_int_equal(cr_le64(tomb->raw + CR_TOKEN_OFF_FILETIME), when);
	assert_int_equal(cr_le32(tomb->raw + CR_TOKEN_OFF_DATA_LEN), 0);
}

static void test_token_update_keeps_extra(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	const uint8_t extra[] = { 0xde, 0xad, 0xbe, 0xef, 0x00 };
	const uint8_t old_data[] = "old key file";
	const uint8_t new_data[] = "new key file, longer than the old";
	struct cr_token *old = NULL;
	struct cr_token *upd = NULL;
	struct cr_token *tomb = NULL;
	struct cr_token *revived = NULL;
	uint8_t sha1[CR_SHA1_LEN];

	assert_int_equal(cr_token_build(ctx->mem, CR_TOKEN_CNG_KEY, CNG_KEY_ID,
					100, CR_TOKEN_FLAG_KNOWN_TYPE,
					old_data, sizeof(old_data), extra,
					sizeof(extra), &old, NULL), 0);
	assert_int_equal(old->extra_length, sizeof(extra));
	assert_memory_equal(old->extra, extra, sizeof(extra));
	assert_int_equal(old->raw_len, CR_TOKEN_HEADER_SIZE +
			 sizeof(old_data) + sizeof(extra));
	/* the extra bytes come last, after the data */
	assert_memory_equal(old->raw + old->raw_len - sizeof(extra), extra,
			    sizeof(extra));

	assert_int_equal(cr_token_update_data(ctx->mem, old, new_data,
					      sizeof(new_data), 200, &upd,
					      NULL), 0);
	assert_int_equal(upd->filetime, 200);
	assert_int_equal(upd->data_length, sizeof(new_data));
	assert_memory_equal(upd->data, new_data, sizeof(new_data));
	assert_true(cr_sha1(new_data, sizeof(new_data), sha1));
	assert_memory_equal(upd->sha1, sha1, CR_SHA1_LEN);
	assert_true(upd->sha1_valid);
	assert_int_equal(upd->flags, CR_TOKEN_FLAG_KNOWN_TYPE);
	assert_int_equal(upd->extra_length, sizeof(extra));
	assert_memory_equal(upd->extra, extra, sizeof(extra));
	assert_string_equal(upd->identifier, CNG_KEY_ID);

	/* tombstone keeps them; re-creating over it clears the flag */
	assert_int_equal(cr_token_tombstone(ctx->mem, upd, 300, &tomb, NULL),
			 0);
	assert_int_equal(tomb->extra_length, sizeof(extra));
	assert_memory_equal(tomb->extra, extra, sizeof(extra));
	assert_int_equal(cr_token_update_data(ctx->mem, tomb, old_data,
					      sizeof(old_data), 400, &revived,
					      NULL), 0);
	assert_false(cr_token_is_tombstone(revived));
	assert_int_equal(revived->flags, 0);
	assert_memory_equal(revived->extra, extra, sizeof(extra));
}

static void test_token_build_and_boundaries(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	struct cr_token *t = NULL;
	char *err = NULL;
	char id92[CR_TOKEN_ID_MAX_LEN + 2];
	uint8_t *big = NULL;

	/* every type's form, built and read back */
	assert_int_equal(cr_token_build(ctx->mem, 0, "Preferred", 1, 0,
					(const uint8_t *)"x", 1, NULL, 0, &t,
					NULL), 0);
	assert_string_equal(cr_token_type_attribute(t->type),
			    "msPKIDPAPIMasterKeys");
	assert_int_equal(cr_token_build(ctx->mem, 0,
					"ed93694f-5a6d-46e2-b821-219f2c0ecd4d",
					1, 0, NULL, 0, NULL, 0, &t, NULL), 0);
	assert_int_equal(cr_token_build(ctx->mem, 0,
					"ED93694F-5A6D-46E2-B821-219F2C0ECD4D",
					1, 0, NULL, 0, NULL, 0, &t, NULL), 0);
	assert_int_equal(cr_token_build(ctx->mem, 1, CAPI_ID, 1, 0, NULL, 0,
					NULL, 0, &t, NULL), 0);
	assert_int_equal(cr_token_build(ctx->mem, 2, CAPI_ID, 1, 0, NULL, 0,
					NULL, 0, &t, NULL), 0);
	assert_int_equal(cr_token_build(ctx->mem, 3, CERT_ID, 1, 0, NULL, 0,
					NULL, 0, &t, NULL), 0);
	assert_int_equal(cr_token_build(ctx->mem, 4, CERT_ID, 1, 0, NULL, 0,
					NULL, 0, &t, NULL), 0);
	assert_int_equal(cr_token_build(ctx->mem, 8, CERT_ID, 1, 0, NULL, 0,
					NULL, 0, &t, NULL), 0);
	assert_int_equal(cr_token_build(ctx->mem, 9,
			 "b6af1ef9000000000000000000000000000a0620",
			 1, 0, NULL, 0, NULL, 0, &t, NULL), 0);

	/* builders refuse what the parser would flag */
	assert_int_equal(cr_token_build(ctx->mem, 3,
			 "..\\..\\Windows\\Start Menu\\Programs\\Startup\\"
			 "malicious.bat", 1, 0, NULL, 0, NULL, 0, &t, &err),
			 EINVAL);
	assert_null(t);
	assert_non_null(strstr(err, "'..' in identifier"));
	assert_non_null(strstr(err, "..\\\\..\\\\Windows"));
	assert_int_equal(cr_token_build(ctx->mem, 5, CERT_ID, 1, 0, NULL, 0,
					NULL, 0, &t, NULL), EINVAL);
	assert_int_equal(cr_token_build(ctx->mem, 10, CERT_ID, 1, 0, NULL, 0,
					NULL, 0, &t, NULL), EINVAL);
	assert_int_equal(cr_token_build(ctx->mem, 7, NULL, 1, 0, NULL, 0,
					NULL, 0, &t, NULL), EINVAL);

	/* identifier of 92 characters: fits, 93: does not */
	memset(id92, 'A', sizeof(id92));
	id92[CR_TOKEN_ID_MAX_LEN] = '\0';
	assert_int_equal(cr_token_check_identifier(7, id92, 92, NULL),
			 CR_TOKEN_ID_FORM);
	assert_int_equal(cr_token_check_identifier(7, id92, 93, NULL),
			 CR_TOKEN_ID_TOO_LONG);
	assert_int_equal(cr_token_check_identifier(7, CERT_ID, 40, NULL),
			 CR_TOKEN_OK);

	/* data too big for any token */
	big = talloc_zero_array(ctx->mem, uint8_t, CR_TOKEN_MAX_SIZE);
	assert_non_null(big);
	assert_int_equal(cr_token_build(ctx->mem, 7, CERT_ID, 1, 0, big,
					CR_TOKEN_MAX_SIZE -
					CR_TOKEN_HEADER_SIZE + 1, NULL, 0, &t,
					NULL), EINVAL);
	assert_int_equal(cr_token_build(ctx->mem, 7, CERT_ID, 1, 0, big,
					CR_TOKEN_MAX_SIZE -
					CR_TOKEN_HEADER_SIZE, NULL, 0, &t,
					NULL), 0);
	assert_int_equal(t->raw_len, CR_TOKEN_MAX_SIZE);
}

static void test_token_identifier_forms(void **state)
{
	static const struct {
		unsigned type;
		const char *id;
		enum cr_token_problem expect;
	} cases[] = {
		{ 0, "Preferred", CR_TOKEN_OK },
		{ 0, "preferred", CR_TOKEN_ID_FORM },
		{ 0, "ed93694f-5a6d-46e2-b821-219f2c0ecd4d", CR_TOKEN_OK },
		{ 0, "ED93694F-5A6D-46E2-B821-219F2C0ECD4D", CR_TOKEN_OK },
		{ 0, "ED93694f-5a6d-46e2-b821-219f2c0ecd4d", CR_TOKEN_ID_FORM },
		{ 0, "{ed93694f-5a6d-46e2-b821-219f2c0ecd4d}",
		  CR_TOKEN_ID_FORM },
		{ 0, "ed93694f5a6d46e2b821219f2c0ecd4d", CR_TOKEN_ID_FORM },
		{ 0, CERT_ID, CR_TOKEN_ID_FORM },
		{ 1, CAPI_ID, CR_TOKEN_OK },
		{ 2, CAPI_ID, CR_TOKEN_OK },
		{ 1, "701577141985B6923998DCCA035C007A_"
		     "f8b7bbef-d227-4ac7-badd-3a238a7f741e", CR_TOKEN_ID_FORM },
		{ 1, "701577141985b6923998dcca035c007a-"
		     "f8b7bbef-d227-4ac7-badd-3a238a7f741e", CR_TOKEN_ID_FORM },
		{ 1, "701577141985b6923998dcca035c007a", CR_TOKEN_ID_FORM },
		{ 3, CERT_ID, CR_TOKEN_OK },
		{ 4, CERT_ID, CR_TOKEN_OK },
		{ 7, CERT_ID, CR_TOKEN_OK },
		{ 8, CERT_ID, CR_TOKEN_OK },
		{ 7, "3b83bfa7037f6a79b3f3d17d229e1bc097f35b51",
		  CR_TOKEN_ID_FORM },
		{ 7, "3B83BFA7037F6A79B3F3D17D229E1BC097F35B5",
		  CR_TOKEN_ID_FORM },
		{ 7, "3B83BFA7037F6A79B3F3D17D229E1BC097F35B51A",
		  CR_TOKEN_ID_FORM },
		{ 7, "3B83BFA7037F6A79B3F3D17D229E1BC097F35G51",
		  CR_TOKEN_ID_FORM },
		{ 9, CNG_KEY_ID, CR_TOKEN_OK },
		{ 9, "f606b9a77244fcd95db5e541a51d397b5bb1f079", CR_TOKEN_OK },
		{ 9, CAPI_ID, CR_TOKEN_ID_FORM },
		{ 5, CERT_ID, CR_TOKEN_UNKNOWN_TYPE },
		{ 6, CERT_ID, CR_TOKEN_UNKNOWN_TYPE },
		{ 7, "", CR_TOKEN_ID_EMPTY },
		{ 7, "a/b", CR_TOKEN_ID_SLASH },
		{ 7, "a\\b", CR_TOKEN_ID_SLASH },
		{ 7, "C:x", CR_TOKEN_ID_COLON },
		{ 7, "x..y", CR_TOKEN_ID_DOTDOT },
		{ 7, "...", CR_TOKEN_ID_DOTDOT },
		{ 7, "a\tb", CR_TOKEN_ID_CONTROL },
		{ 7, "a\x7f", CR_TOKEN_ID_CONTROL },
		{ 7, "caf\xc3\xa9", CR_TOKEN_ID_NON_ASCII },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu: %u '%s'\n", i, cases[i].type,
			      cases[i].id);
		assert_int_equal(cr_token_check_identifier(cases[i].type,
				 cases[i].id, strlen(cases[i].id), NULL),
				 cases[i].expect);
	}
}

/*
 * Hostile tokens, written by this test's own encoder (not the code under
 * test) from a valid base: type 7, the sample thumbprint, data "hello".
 */
struct hostile_case {
	const char *name;
	const char *hex;	/* whole token; the fields below are unused */
	int magic;		/* 0: '%'; NUL_BYTE for a NUL */
	int type_char;		/* 0: '7' */
	int sep;		/* 0: '\\' */
	const char *id;		/* NULL: CERT_ID */
	size_t id_len;		/* 0: strlen(id); up to 93 */
	uint8_t pad_junk_at;	/* 0: none; else index in the field */
	int64_t data_len;	/* 0: the true length; ZERO for 0 */
	int64_t extra_len;	/* stored extra length */
	size_t extra_present;	/* extra bytes actually written */
	bool bad_hash;
	bool zero_hash;
	size_t append;		/* bytes of garbage appended */
	int64_t keep;		/* 0: all; else truncate (ZERO for 0) */
	enum cr_token_problem expect;
	bool decodes;		/* parses; cr_token_check refuses */
};

/* designated zeroes mean "as in the base token"; these ask for a 0 */
#define NUL_BYTE 0x100
#define ZERO (-1)

static uint8_t byte_or(int v, uint8_t dflt)
{
	return (v == 0) ? dflt : (uint8_t)(v & 0xff);
}

static int64_t len_or(int64_t v, int64_t dflt)
{
	if (v == 0) {
		return dflt;
	}
	return (v == ZERO) ? 0 : v;
}

static uint8_t *hostile_bytes(TALLOC_CTX *mem_ctx,
			      const struct hostile_case *hc, size_t *len)
{
	static const uint8_t data[] = "hello";
	const size_t dlen = sizeof(data) - 1;
	const char *id = hc->id ? hc->id : CERT_ID;
	size_t id_len = hc->id_len ? hc->id_len : strlen(id);
	uint8_t field[CR_TOKEN_ID_FIELD_SIZE] = { 0 };
	uint8_t sha1[CR_SHA1_LEN];
	struct cr_buf b;
	size_t i;

	if (hc->hex != NULL) {
		return from_hex(mem_ctx, hc->hex, len);
	}
	memcpy(field, id, id_len);
	if (hc->pad_junk_at != 0) {
		field[hc->pad_junk_at] = 'X';
	}
	assert_true(cr_sha1(data, dlen, sha1));
	if (hc->bad_hash) {
		sha1[7] ^= 0x01;
	}
	if (hc->zero_hash) {
		memset(sha1, 0, sizeof(sha1));
	}
	cr_buf_init(&b, mem_ctx, false);
	cr_put_u8(&b, byte_or(hc->magic, '%'));
	cr_put_u8(&b, byte_or(hc->type_char, '7'));
	cr_put_u8(&b, byte_or(hc->sep, '\\'));
	cr_put_bytes(&b, field, sizeof(field));
	cr_put_le64(&b, 0x01D29BD7FD571034ULL);
	cr_put_le16(&b, 0);
	cr_put_le16(&b, (uint16_t)hc->extra_len);
	cr_put_bytes(&b, sha1, sizeof(sha1));
	cr_put_le32(&b, (uint32_t)len_or(hc->data_len, (int64_t)dlen));
	cr_put_bytes(&b, data, dlen);
	for (i = 0; i < hc->extra_present; i++) {
		cr_put_u8(&b, (uint8_t)i);
	}
	for (i = 0; i < hc->append; i++) {
		cr_put_u8(&b, 0);
	}
	assert_false(b.oom);
	*len = (size_t)len_or(hc->keep, (int64_t)b.len);
	assert_true(*len <= b.len);
	return b.data;
}

static const struct hostile_case hostile_cases[] = {
	/* truncated headers */
	{ "empty input", .keep = ZERO,
	  .expect = CR_TOKEN_HEADER_TRUNCATED },
	{ "only the magic", .keep = 1,
	  .expect = CR_TOKEN_HEADER_TRUNCATED },
	{ "cut inside the identifier", .keep = 50,
	  .expect = CR_TOKEN_HEADER_TRUNCATED },
	{ "header one byte short", .keep = CR_TOKEN_HEADER_SIZE - 1,
	  .expect = CR_TOKEN_HEADER_TRUNCATED },
	/* magic bytes and type */
	{ "magic is not '%'", .magic = '$', .expect = CR_TOKEN_BAD_MAGIC },
	{ "magic is NUL", .magic = NUL_BYTE, .expect = CR_TOKEN_BAD_MAGIC },
	{ "type is a letter", .type_char = 'A',
	  .expect = CR_TOKEN_BAD_TYPE_CHAR },
	{ "type just below '0'", .type_char = '/',
	  .expect = CR_TOKEN_BAD_TYPE_CHAR },
	{ "type just above '9'", .type_char = ':',
	  .expect = CR_TOKEN_BAD_TYPE_CHAR },
	{ "type is binary 7", .type_char = 7,
	  .expect = CR_TOKEN_BAD_TYPE_CHAR },
	{ "separator is '/'", .sep = '/',
	  .expect = CR_TOKEN_BAD_SEPARATOR },
	{ "separator is NUL", .sep = NUL_BYTE,
	  .expect = CR_TOKEN_BAD_SEPARATOR },
	/* lying lengths */
	{ "data length one over", .data_len = 6,
	  .expect = CR_TOKEN_DATA_PAST_END },
	{ "data length 0xffffffff", .data_len = 0xffffffff,
	  .expect = CR_TOKEN_DATA_PAST_END },
	{ "data length 0x80000000", .data_len = 0x80000000,
	  .expect = CR_TOKEN_DATA_PAST_END },
	{ "data cut by one byte", .keep = CR_TOKEN_HEADER_SIZE + 4,
	  .expect = CR_TOKEN_DATA_PAST_END },
	{ "data length one short", .data_len = 4,
	  .expect = CR_TOKEN_TRAILING_BYTES },
	{ "data length zero, data present", .data_len = ZERO,
	  .expect = CR_TOKEN_TRAILING_BYTES },
	{ "one trailing byte", .append = 1,
	  .expect = CR_TOKEN_TRAILING_BYTES },
	{ "a second token's worth trailing", .append = 200,
	  .expect = CR_TOKEN_TRAILING_BYTES },
	{ "extra length 1, no extra bytes", .extra_len = 1,
	  .expect = CR_TOKEN_EXTRA_PAST_END },
	{ "extra length 0xffff", .extra_len = 0xffff,
	  .extra_present = 3, .expect = CR_TOKEN_EXTRA_PAST_END },
	{ "extra one byte short", .extra_len = 3, .extra_present = 2,
	  .expect = CR_TOKEN_EXTRA_PAST_END },
	{ "extra length one short", .extra_len = 2, .extra_present = 3,
	  .expect = CR_TOKEN_TRAILING_BYTES },
	/* unsafe identifiers: decode, refused */
	{ "CVE-2022-30170 PoC token", .hex = poc_hex,
	  .expect = CR_TOKEN_ID_DOTDOT, .decodes = true },
	{ "PoC identifier in a type-7 token",
	  .id = "..\\..\\Windows\\Start Menu\\Programs\\Startup\\"
		"malicious.bat",
	  .expect = CR_TOKEN_ID_DOTDOT, .decodes = true },
	{ "empty identifier", .id = "", .expect = CR_TOKEN_ID_EMPTY,
	  .decodes = true },
	{ "93 characters, no NUL",
	  .id = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	  .id_len = 93, .expect = CR_TOKEN_ID_TOO_LONG, .decodes = true },
	{ "92 characters, then NUL",
	  .id = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	  .id_len = 92, .expect = CR_TOKEN_ID_FORM, .decodes = true },
	{ "junk after the NUL", .pad_junk_at = 41,
	  .expect = CR_TOKEN_ID_PADDING, .decodes = true },
	{ "junk in the last padding byte", .pad_junk_at = 92,
	  .expect = CR_TOKEN_ID_PADDING, .decodes = true },
	{ "NUL then a hidden name",
	  .id = CERT_ID "\0..\\evil", .id_len = 49,
	  .expect = CR_TOKEN_ID_PADDING, .decodes = true },
	{ "forward slash", .id = "3B83BFA7037F6A79B3F3/17D229E1BC097F35B51",
	  .expect = CR_TOKEN_ID_SLASH, .decodes = true },
	{ "backslash", .id = "3B83BFA7037F6A79B3F3\\17D229E1BC097F35B51",
	  .expect = CR_TOKEN_ID_SLASH, .decodes = true },
	{ "drive letter", .id = "C:3B83BFA7037F6A79B3F3D17D229E1BC097F35B",
	  .expect = CR_TOKEN_ID_COLON, .decodes = true },
	{ "NTFS stream", .id = "3B83BFA7037F6A79B3F3D17D229E1BC0:stream",
	  .expect = CR_TOKEN_ID_COLON, .decodes = true },
	{ "bare '..'", .id = "..", .expect = CR_TOKEN_ID_DOTDOT,
	  .decodes = true },
	{ "newline", .id = "3B83BFA7037F6A79B3F3\n17D229E1BC097F35B51",
	  .expect = CR_TOKEN_ID_CONTROL, .decodes = true },
	{ "terminal escape", .id = "\x1b[2J3B83BFA7037F6A79B3F3D17D229E1B",
	  .expect = CR_TOKEN_ID_CONTROL, .decodes = true },
	{ "DEL", .id = "3B83BFA7037F6A79B3F3\x7f" "17D229E1BC097F35B51",
	  .expect = CR_TOKEN_ID_CONTROL, .decodes = true },
	{ "non-ASCII", .id = "3B83BFA7037F6A79B3F3\xc3\xa9" "7D229E1BC097F35B5",
	  .expect = CR_TOKEN_ID_NON_ASCII, .decodes = true },
	{ "lower-case thumbprint",
	  .id = "3b83bfa7037f6a79b3f3d17d229e1bc097f35b51",
	  .expect = CR_TOKEN_ID_FORM, .decodes = true },
	{ "GUID in a certificate token",
	  .id = "ed93694f-5a6d-46e2-b821-219f2c0ecd4d",
	  .expect = CR_TOKEN_ID_FORM, .decodes = true },
	{ "thumbprint in a master-key token", .type_char = '0',
	  .expect = CR_TOKEN_ID_FORM, .decodes = true },
	{ "type 5", .type_char = '5', .expect = CR_TOKEN_UNKNOWN_TYPE,
	  .decodes = true },
	{ "type 6", .type_char = '6', .expect = CR_TOKEN_UNKNOWN_TYPE,
	  .decodes = true },
	/* hashes */
	{ "hash off by one bit", .bad_hash = true,
	  .expect = CR_TOKEN_HASH_MISMATCH, .decodes = true },
	{ "all-zero hash over data", .zero_hash = true,
	  .expect = CR_TOKEN_HASH_MISMATCH, .decodes = true },
};

static void test_token_hostile(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	size_t n = sizeof(hostile_cases) / sizeof(hostile_cases[0]);
	size_t i;

	assert_true(n >= 30);
	for (i = 0; i < n; i++) {
		const struct hostile_case *hc = &hostile_cases[i];
		size_t len = 0;
		uint8_t *full = hostile_bytes(ctx->mem, hc, &len);
		/* an exact-size copy, so ASan sees any read past the end */
		uint8_t *buf = malloc(len > 0 ? len : 1);
		struct cr_token *t = (struct cr_token *)&len;
		enum cr_token_problem p = CR_TOKEN_OK;
		char *err = NULL;
		int rc;

		print_message("case %zu: %s (%zu bytes)\n", i, hc->name, len);
		assert_non_null(buf);
		memcpy(buf, full, len);
		rc = cr_token_parse(ctx->mem, buf, len, &t, &p, &err);
		if (!hc->decodes) {
			assert_int_equal(rc, EBADMSG);
			assert_int_equal(p, hc->expect);
			assert_null(t);
			assert_non_null(err);
			assert_non_null(strstr(err, "token"));
			free(buf);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(p, CR_TOKEN_OK);
		assert_non_null(t);
		/* the verdict is visible without cr_token_check ... */
		if (hc->expect == CR_TOKEN_HASH_MISMATCH) {
			assert_false(t->sha1_valid);
			assert_int_equal(t->id_problem, CR_TOKEN_OK);
		} else {
			assert_int_equal(t->id_problem, hc->expect);
		}
		/* ... and cr_token_check turns it into a refusal */
		rc = cr_token_check(ctx->mem, t, &p, &err);
		assert_int_equal(rc, hc->expect == CR_TOKEN_HASH_MISMATCH
				 ? EBADMSG : EINVAL);
		assert_int_equal(p, hc->expect);
		assert_non_null(strstr(err, t->id_escaped));
		/* a refused token is shown, never rewritten */
		assert_roundtrip(ctx->mem, t, buf, len);
		if (hc->expect != CR_TOKEN_HASH_MISMATCH) {
			struct cr_token *u = NULL;

			assert_int_equal(cr_token_tombstone(ctx->mem, t, 1, &u,
							    NULL), EINVAL);
			assert_null(u);
			assert_int_equal(cr_token_update_data(ctx->mem, t,
					 buf, 1, 1, &u, NULL), EINVAL);
			assert_null(u);
		}
		free(buf);
	}
}

static void test_token_messages(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	struct hostile_case over = { .data_len = 6 };
	struct hostile_case extra = { .extra_len = 9 };
	struct hostile_case trail = { .append = 2 };
	struct cr_token *t = NULL;
	size_t len = 0;
	uint8_t *buf = NULL;
	char *err = NULL;

	buf = hostile_bytes(ctx->mem, &over, &len);
	assert_int_equal(cr_token_parse(ctx->mem, buf, len, &t, NULL, &err),
			 EBADMSG);
	assert_string_equal(err, "token: data length 6 runs past the end "
			    "(5 bytes left) at offset 0x80");
	buf = hostile_bytes(ctx->mem, &extra, &len);
	assert_int_equal(cr_token_parse(ctx->mem, buf, len, &t, NULL, &err),
			 EBADMSG);
	assert_non_null(strstr(err, "extra length 9"));
	assert_non_null(strstr(err, "0x6a"));
	buf = hostile_bytes(ctx->mem, &trail, &len);
	assert_int_equal(cr_token_parse(ctx->mem, buf, len, &t, NULL, &err),
			 EBADMSG);
	assert_string_equal(err, "token: 2 trailing bytes after data and "
			    "extra at offset 0x89");

	buf = from_hex(ctx->mem, poc_hex, &len);
	t = parse_ok(ctx->mem, buf, len);
	assert_int_equal(t->type, 3);
	assert_string_equal(t->identifier, "..\\..\\Windows\\Start Menu\\"
			    "Programs\\Startup\\malicious.bat");
	assert_int_equal(t->data_length, 25);
	assert_memory_equal(t->data, "@echo off\r\nstart calc.exe", 25);
	assert_true(t->sha1_valid);
	assert_string_equal(cr_filetime_iso8601(ctx->mem, t->filetime),
			    "2022-02-05T14:26:01Z");
	assert_int_equal(cr_token_check(ctx->mem, t, NULL, &err), EINVAL);
	assert_string_equal(err, "token '3\\..\\\\..\\\\Windows\\\\Start Menu"
			    "\\\\Programs\\\\Startup\\\\malicious.bat' "
			    "refused: '..' in identifier");
}

static void test_token_too_large(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	uint8_t *buf = talloc_zero_array(ctx->mem, uint8_t,
					 CR_TOKEN_MAX_SIZE + 1);
	struct cr_token *t = NULL;
	enum cr_token_problem p = CR_TOKEN_OK;

	assert_non_null(buf);
	assert_int_equal(cr_token_parse(ctx->mem, buf, CR_TOKEN_MAX_SIZE + 1,
					&t, &p, NULL), EBADMSG);
	assert_int_equal(p, CR_TOKEN_TOO_LARGE);
	assert_int_equal(cr_token_parse(ctx->mem, NULL, 0, &t, &p, NULL),
			 EBADMSG);
	assert_int_equal(p, CR_TOKEN_HEADER_TRUNCATED);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	int failed;
	const struct CMUnitTest tests[] = {
		T(test_token_sample_capi_rsa_key),
		T(test_token_sample_cng_certificate),
		T(test_token_sample_unreadable_cng_key),
		T(test_token_types),
		T(test_token_dnbinary_samples),
		T(test_token_dnbinary_no_nul_needed),
		T(test_token_dnbinary_hostile),
		T(test_token_tombstone),
		T(test_token_update_keeps_extra),
		T(test_token_build_and_boundaries),
		T(test_token_identifier_forms),
		T(test_token_hostile),
		T(test_token_messages),
		T(test_token_too_large),
	};

	talloc_enable_null_tracking();
	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	failed = cmocka_run_group_tests_name("credroam.unittests.token",
					     tests, NULL, NULL);
	/* frees talloc's NULL context, which LeakSanitizer would flag */
	talloc_disable_null_tracking();
	return failed;
}
