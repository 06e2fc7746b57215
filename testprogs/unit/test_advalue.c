/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for the AD value judge (format/advalue.h) and the DN
 * comparison under it (format/dn.h), which must agree with ldb's
 * ldb_dn_compare() on the DNs the guard meets.
 */
#include "config.h"

#include <errno.h>
#include <ldb.h>

#include "test_util.h"
#include "format/advalue.h"
#include "format/dn.h"
#include "format/token.h"
#include "util/error.h"

#define ALICE "CN=alice,CN=Users,DC=roam,DC=test"
#define BOB "CN=bob,CN=Users,DC=roam,DC=test"
#define CERT_ID "3B83BFA7037F6A79B3F3D17D229E1BC097F35B51"
#define MK_ID "ed93694f-5a6d-46e2-b821-219f2c0ecd4d"

/* The token bytes of a fresh token of type with id and data. */
static uint8_t *token_bytes(TALLOC_CTX *mem_ctx, unsigned type,
			    const char *id, const char *data, size_t *len)
{
	struct cr_token *t = NULL;
	uint8_t *buf = NULL;

	assert_int_equal(cr_token_build(mem_ctx, type, id,
					0x01D29BD7FD571034ULL, 0,
					(const uint8_t *)data, strlen(data),
					NULL, 0, &t, NULL), 0);
	assert_int_equal(cr_token_serialize(mem_ctx, t, &buf, len, NULL), 0);
	talloc_free(t);
	return buf;
}

static char *dnb(TALLOC_CTX *mem_ctx, const uint8_t *bin, size_t len,
		 const char *dn)
{
	char *v = NULL;

	assert_int_equal(cr_dnbinary_build(mem_ctx, bin, len, dn, &v, NULL),
			 0);
	return v;
}

/*
 * ldb_init() dlopens every module of Samba's ldb directory with
 * RTLD_DEEPBIND, which AddressSanitizer refuses; ldb has a switch.
 */
static struct ldb_context *plain_ldb(TALLOC_CTX *mem_ctx)
{
	struct ldb_context *ldb = NULL;

	assert_int_equal(setenv("LDB_MODULES_DISABLE_DEEPBIND", "1", 1), 0);
	ldb = ldb_init(mem_ctx, NULL);
	assert_non_null(ldb);
	return ldb;
}

/* ldb's answer: both valid plain DNs and ldb_dn_compare() says equal. */
static bool ldb_says_equal(TALLOC_CTX *mem_ctx, struct ldb_context *ldb,
			   const char *a, const char *b)
{
	struct ldb_dn *da = ldb_dn_new(mem_ctx, ldb, a);
	struct ldb_dn *db = ldb_dn_new(mem_ctx, ldb, b);
	bool equal = false;

	assert_non_null(da);
	assert_non_null(db);
	if (ldb_dn_validate(da) && ldb_dn_validate(db) &&
	    !ldb_dn_has_extended(da) && !ldb_dn_has_extended(db)) {
		equal = (ldb_dn_compare(da, db) == 0);
	}
	talloc_free(da);
	talloc_free(db);
	return equal;
}

static void test_advalue_dn_equal(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	struct ldb_context *ldb = plain_ldb(t->mem);
	static const struct {
		const char *a;
		const char *b;
		bool equal;
		bool like_ldb;	/* ldb_dn_compare() answers the same */
	} cases[] = {
		{ ALICE, ALICE, true, true },
		{ ALICE, "cn=Alice,cn=users,dc=ROAM,dc=test", true, true },
		{ ALICE, "CN=alice, CN=Users, DC=roam, DC=test", true, true },
		{ ALICE, "CN=alice ,CN=Users,DC=roam , DC=test", true, true },
		{ ALICE, " CN=alice,CN=Users,DC=roam,DC=test ", true, true },
		{ ALICE, "CN= alice,CN=Users,DC=roam,DC=test", true, true },
		{ ALICE, "CN=al\\69ce,CN=Users,DC=roam,DC=test", true, true },
		{ ALICE, "CN=alice\\20,CN=Users,DC=roam,DC=test", true, true },
		{ ALICE, "CN=alice\\ ,CN=Users,DC=roam,DC=test", true, true },
		{ ALICE, BOB, false, true },
		{ ALICE, "CN=alice,CN=Users,DC=roam", false, true },
		{ ALICE, "CN=alice,CN=Users,DC=roam,DC=test,DC=x", false,
		  true },
		{ ALICE, "OU=alice,CN=Users,DC=roam,DC=test", false, true },
		{ ALICE, "CN=alicex,CN=Users,DC=roam,DC=test", false, true },
		{ ALICE, "CN=alic,CN=Users,DC=roam,DC=test", false, true },
		/* escapes: \2C, \2c and \, are the same ',' */
		{ "CN=Smith\\, John,CN=Users,DC=roam,DC=test",
		  "CN=Smith\\2C John,CN=Users,DC=roam,DC=test", true, true },
		{ "CN=Smith\\, John,CN=Users,DC=roam,DC=test",
		  "cn=smith\\2c john,cn=users,dc=roam,dc=test", true, true },
		/* an escaped ',' is not a separator */
		{ "CN=a\\,CN=b,DC=x", "CN=a,CN=b,DC=x", false, true },
		{ "CN=a\\2CCN=b,DC=x", "CN=a,CN=b,DC=x", false, true },
		{ "CN=a\\#b,DC=x", "CN=a#b,DC=x", true, true },
		{ "CN=a\\3Cb\\3E,DC=x", "CN=a\\<b\\>,DC=x", true, true },
		{ "CN=a\\+b,DC=x", "CN=a\\2Bb,DC=x", true, true },
		{ "CN=a\\=b,DC=x", "CN=a\\3db,DC=x", true, true },
		/* runs of spaces inside a value count as one */
		{ "CN=alice  smith,DC=x", "CN=alice smith,DC=x", true, true },
		{ "CN=alice smith,DC=x", "CN=alicesmith,DC=x", false, true },
		/* UTF-8 byte for byte */
		{ "CN=j\xc3\xa9r\xc3\xb4me,DC=x",
		  "CN=J\xc3\xa9R\xc3\xb4ME,DC=x", true, true },
		{ "CN=",  "CN=", true, true },
		/* extended DNs are never equal, not even to themselves */
		{ "<GUID=ed93694f-5a6d-46e2-b821-219f2c0ecd4d>;" ALICE, ALICE,
		  false, true },
		{ "<SID=S-1-5-21-1-2-3-1104>;" ALICE,
		  "<SID=S-1-5-21-1-2-3-1104>;" ALICE, false, false },
		/* not DNs: never equal */
		{ "alice", "alice", false, true },
		{ "CN=alice;CN=Users", "CN=alice;CN=Users", false, true },
		{ "CN=a+OU=b,DC=x", "CN=a+OU=b,DC=x", false, true },
		{ "CN=a,", "CN=a,", false, true },
		{ "CN =a", "CN =a", false, true },
		/* where ldb is more lenient: we refuse */
		{ "", "", false, false },	/* ldb: the root DSE */
		{ "CN=a\\zz", "CN=a\\zz", false, false },
		{ "CN=a\\", "CN=a\\", false, false },
		{ "C N=a", "C N=a", false, false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got;

		print_message("case %zu: '%s' vs '%s'\n", i, cases[i].a,
			      cases[i].b);
		got = cr_dn_equal(cases[i].a, strlen(cases[i].a), cases[i].b,
				  strlen(cases[i].b));
		assert_int_equal(got, cases[i].equal);
		got = cr_dn_equal(cases[i].b, strlen(cases[i].b), cases[i].a,
				  strlen(cases[i].a));
		assert_int_equal(got, cases[i].equal);
		if (cases[i].like_ldb) {
			assert_int_equal(ldb_says_equal(t->mem, ldb,
							cases[i].a,
							cases[i].b),
					 cases[i].equal);
		}
	}
	talloc_free(ldb);
	assert_int_equal(cr_err_count(), 0);
}

static void test_advalue_dn_canonical(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	static const struct {
		const char *dn;
		size_t len;	/* 0: strlen */
		int ret;
		const char *want;	/* canonical form or message part */
	} cases[] = {
		{ ALICE, 0, 0, "CN=ALICE,CN=USERS,DC=ROAM,DC=TEST" },
		{ "cn=Smith\\, John , dc=x", 0, 0, "CN=SMITH\\2C JOHN,DC=X" },
		{ "CN=#1", 0, 0, "CN=\\231" },
		{ "CN=a\\0Ab", 0, 0, "CN=A\\0AB" },
		{ "x-1=y", 0, 0, "X-1=Y" },
		/* bounded: the length, not the NUL, ends the DN */
		{ "CN=ab,DC=x", 4, 0, "CN=A" },
		{ "CN=a\\2", 0, EBADMSG, "neither" },
		{ "CN=a\\00b", 0, EBADMSG, "escaped NUL" },
		{ "CN=a\\", 0, EBADMSG, "at the end" },
		{ "CN=a\\", 5, EBADMSG, "at the end" },
		{ "CN=a", 3, 0, "CN=" },
		{ "CN", 0, EBADMSG, "'=' expected" },
		{ "1.2.3=x", 0, EBADMSG, "start with a letter" },
		{ "CN=a;b", 0, EBADMSG, "unescaped special" },
		{ "CN=a\"b\"", 0, EBADMSG, "unescaped special" },
		{ "CN=a,,DC=x", 0, EBADMSG, "start with a letter at offset 5" },
		{ "<GUID=1>;CN=x", 0, EBADMSG, "extended" },
		{ "   ", 0, EBADMSG, "start with a letter" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len
					  : strlen(cases[i].dn);
		char *canon = NULL;
		char *err = NULL;
		int ret;

		print_message("case %zu: '%.*s'\n", i, (int)len, cases[i].dn);
		ret = cr_dn_canonical(t->mem, cases[i].dn, len, &canon, &err);
		assert_int_equal(ret, cases[i].ret);
		if (ret == 0) {
			assert_string_equal(canon, cases[i].want);
			assert_null(err);
		} else {
			assert_null(canon);
			cr_assert_contains(err, cases[i].want);
		}
		TALLOC_FREE(canon);
		cr_err_clear(&err);
	}
	assert_int_equal(cr_err_count(), 0);
}

enum advalue_input {
	IN_CERT,		/* a valid certificate token */
	IN_MK,			/* a valid master key token */
	IN_POC,			/* id ..\..\x.bat */
	IN_HASH,		/* stored SHA-1 wrong */
	IN_LYING,		/* data length runs past the end */
	IN_LITERAL,		/* the text as given */
	IN_BIG,			/* 20000 bytes of "B:AAAA..." */
};

static void test_advalue_judge(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	static const struct {
		const char *name;
		enum advalue_input in;
		const char *dn;		/* DN part, or the value */
		const char *suffix;	/* appended to the value */
		const char *attr;
		const char *owner;
		size_t max;
		bool text;
		int ret;
		enum cr_token_problem problem;
		bool token;		/* v->token set */
		const char *msg;
	} cases[] = {
		{ "valid, no rules", IN_CERT, ALICE, "", NULL, NULL, 0, false,
		  0, CR_TOKEN_OK, true, NULL },
		{ "valid, all rules", IN_CERT, ALICE, "", CR_ATTR_CREDENTIALS,
		  ALICE, 1000, false, 0, CR_TOKEN_OK, true, NULL },
		{ "owner in another case", IN_CERT, "cn=Alice, cn=users,"
		  "dc=ROAM,dc=test", "", CR_ATTR_CREDENTIALS, ALICE, 0, false,
		  0, CR_TOKEN_OK, true, NULL },
		{ "attribute in another case", IN_MK, ALICE, "",
		  "mspkidpapimasterkeys", ALICE, 0, false, 0, CR_TOKEN_OK,
		  true, NULL },
		{ "another object's DN", IN_CERT, BOB, "", CR_ATTR_CREDENTIALS,
		  ALICE, 0, false, EINVAL, CR_AD_DN_NOT_OWNER, true,
		  "not the object itself" },
		{ "foreign DN, owner not checked", IN_CERT, BOB, "", NULL,
		  NULL, 0, false, 0, CR_TOKEN_OK, true, NULL },
		{ "DN with GUID", IN_CERT, "<GUID=ed93694f-5a6d-46e2-b821-"
		  "219f2c0ecd4d>;" ALICE, "", NULL, NULL, 0, false, EINVAL,
		  CR_AD_DN_EXTENDED, true, "<GUID=" },
		{ "DN with SID, owner checked", IN_CERT, "<SID=S-1-5-21-1-2-3-"
		  "1104>;" ALICE, "", NULL, ALICE, 0, false, EINVAL,
		  CR_AD_DN_EXTENDED, true, "only a plain DN" },
		{ "DN that is not a DN", IN_CERT, "alice", "", NULL, NULL, 0,
		  false, EBADMSG, CR_DNB_BAD_DN, true, "is not a DN" },
		{ "certificate in master keys", IN_CERT, ALICE, "",
		  CR_ATTR_MASTER_KEYS, ALICE, 0, false, EINVAL,
		  CR_AD_WRONG_ATTRIBUTE, true,
		  "belongs in msPKIAccountCredentials" },
		{ "master key in credentials", IN_MK, ALICE, "",
		  CR_ATTR_CREDENTIALS, ALICE, 0, false, EINVAL,
		  CR_AD_WRONG_ATTRIBUTE, true,
		  "belongs in msPKIDPAPIMasterKeys" },
		{ "token over the limit", IN_CERT, ALICE, "", NULL, NULL, 100,
		  false, EINVAL, CR_AD_VALUE_TOO_BIG, false,
		  "larger than the limit of 100" },
		{ "value far over the limit", IN_BIG, NULL, "", NULL, NULL, 1,
		  false, EINVAL, CR_AD_VALUE_TOO_BIG, false, "too long" },
		{ "CVE-2022-30170 identifier", IN_POC, ALICE, "", NULL, ALICE,
		  0, false, EINVAL, CR_TOKEN_ID_DOTDOT, true, "refused" },
		{ "hash mismatch", IN_HASH, ALICE, "", NULL, NULL, 0, false,
		  EBADMSG, CR_TOKEN_HASH_MISMATCH, true, "SHA-1" },
		{ "lying data length", IN_LYING, ALICE, "", NULL, NULL, 0,
		  false, EBADMSG, CR_TOKEN_DATA_PAST_END, false, "runs past" },
		{ "not DN-Binary", IN_LITERAL, "hello", "", NULL, NULL, 0,
		  false, EBADMSG, CR_DNB_BAD_PREFIX, false, "'B:'" },
		{ "odd count", IN_LITERAL, "B:3:ABC:" ALICE, "", NULL, NULL, 0,
		  false, EBADMSG, CR_DNB_ODD_COUNT, false, "odd" },
		{ "header truncated", IN_LITERAL, "B:8:DEADBEEF:" ALICE, "",
		  NULL, NULL, 0, false, EBADMSG, CR_TOKEN_HEADER_TRUNCATED,
		  false, "header truncated" },
		/* text: one line end is not part of the value */
		{ "text, \\n", IN_CERT, ALICE, "\n", CR_ATTR_CREDENTIALS,
		  ALICE, 0, true, 0, CR_TOKEN_OK, true, NULL },
		{ "text, \\r\\n", IN_CERT, ALICE, "\r\n", NULL, ALICE, 0,
		  true, 0, CR_TOKEN_OK, true, NULL },
		{ "text, two line ends", IN_CERT, ALICE, "\n\n", NULL, NULL,
		  0, true, EBADMSG, CR_DNB_BAD_DN, false, "control" },
		{ "text, \\r alone", IN_CERT, ALICE, "\r", NULL, NULL, 0, true,
		  EBADMSG, CR_DNB_BAD_DN, false, "control" },
		{ "AD value with \\n", IN_CERT, ALICE, "\n", NULL, NULL, 0,
		  false, EBADMSG, CR_DNB_BAD_DN, false, "control" },
	};
	size_t cert_len = 0, mk_len = 0;
	uint8_t *cert = token_bytes(t->mem, 7, CERT_ID, "hello", &cert_len);
	uint8_t *mk = token_bytes(t->mem, 0, MK_ID, "key", &mk_len);
	uint8_t *poc = talloc_memdup(t->mem, cert, cert_len);
	uint8_t *hash = talloc_memdup(t->mem, cert, cert_len);
	uint8_t *lying = talloc_memdup(t->mem, cert, cert_len);
	static const char poc_id[] = "..\\..\\Startup\\x.bat";
	size_t i;

	assert_non_null(poc);
	assert_non_null(hash);
	assert_non_null(lying);
	memset(poc + CR_TOKEN_OFF_ID, 0, CR_TOKEN_ID_FIELD_SIZE);
	memcpy(poc + CR_TOKEN_OFF_ID, poc_id, strlen(poc_id));
	hash[CR_TOKEN_OFF_SHA1 + 3] ^= 0x10;
	lying[CR_TOKEN_OFF_DATA_LEN] += 1;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cr_ad_value_rules rules = {
			.attribute = cases[i].attr,
			.owner_dn = cases[i].owner,
			.max_token_size = cases[i].max,
			.text = cases[i].text,
		};
		struct cr_ad_value *v = NULL;
		char *value = NULL;
		char *err = NULL;
		int ret;

		print_message("case %zu: %s\n", i, cases[i].name);
		switch (cases[i].in) {
		case IN_CERT:
			value = dnb(t->mem, cert, cert_len, cases[i].dn);
			break;
		case IN_MK:
			value = dnb(t->mem, mk, mk_len, cases[i].dn);
			break;
		case IN_POC:
			value = dnb(t->mem, poc, cert_len, cases[i].dn);
			break;
		case IN_HASH:
			value = dnb(t->mem, hash, cert_len, cases[i].dn);
			break;
		case IN_LYING:
			value = dnb(t->mem, lying, cert_len, cases[i].dn);
			break;
		case IN_LITERAL:
			value = talloc_strdup(t->mem, cases[i].dn);
			break;
		case IN_BIG:
			value = talloc_zero_array(t->mem, char, 20001);
			assert_non_null(value);
			memset(value, 'A', 20000);
			value[1] = ':';
			value[0] = 'B';
			break;
		}
		value = talloc_strdup_append(value, cases[i].suffix);
		assert_non_null(value);
		ret = cr_ad_value_judge(t->mem, value, strlen(value), &rules,
					&v, &err);
		if (ret != cases[i].ret) {
			fail_msg("case %zu (%s): got %d (%s), want %d", i,
				 cases[i].name, ret, err ? err : "",
				 cases[i].ret);
		}
		assert_non_null(v);
		assert_int_equal(v->problem, cases[i].problem);
		assert_int_equal(v->token != NULL, cases[i].token ||
				 ret == 0);
		if (ret == 0) {
			assert_null(v->refusal);
			assert_null(err);
			assert_non_null(v->dn);
			assert_int_equal(v->len, strlen(value) -
					 strlen(cases[i].suffix));
		} else {
			cr_assert_contains(v->refusal, cases[i].msg);
			assert_string_equal(err, v->refusal);
		}
		if (cases[i].in == IN_BIG) {
			assert_null(v->dn);
		}
		TALLOC_FREE(v);
		TALLOC_FREE(value);
		cr_err_clear(&err);
	}
	talloc_free(cert);
	talloc_free(mk);
	talloc_free(poc);
	talloc_free(hash);
	talloc_free(lying);
	assert_int_equal(cr_err_count(), 0);
}

/* A token without its wrapper, as `credroam token decode` reads one. */
static void test_advalue_token_judge(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	size_t len = 0;
	uint8_t *cert = token_bytes(t->mem, 7, CERT_ID, "hello", &len);
	struct cr_ad_value_rules rules = {
		.attribute = CR_ATTR_MASTER_KEYS,
		.owner_dn = BOB,	/* ignored: no DN part */
		.text = true,		/* ignored: bytes */
	};
	struct cr_ad_value *v = NULL;
	char *err = NULL;
	int ret;

	print_message("case 0: valid, no rules\n");
	ret = cr_ad_token_judge(t->mem, cert, len, NULL, &v, &err);
	assert_int_equal(ret, 0);
	assert_non_null(v->token);
	assert_null(v->dn);
	TALLOC_FREE(v);

	print_message("case 1: wrong attribute\n");
	ret = cr_ad_token_judge(t->mem, cert, len, &rules, &v, &err);
	assert_int_equal(ret, EINVAL);
	assert_int_equal(v->problem, CR_AD_WRONG_ATTRIBUTE);
	assert_non_null(v->token);
	cr_assert_contains(err, "belongs in msPKIAccountCredentials");
	TALLOC_FREE(v);

	print_message("case 2: too big\n");
	rules.attribute = NULL;
	rules.max_token_size = len - 1;
	ret = cr_ad_token_judge(t->mem, cert, len, &rules, &v, &err);
	assert_int_equal(ret, EINVAL);
	assert_int_equal(v->problem, CR_AD_VALUE_TOO_BIG);
	assert_null(v->token);
	TALLOC_FREE(v);

	print_message("case 3: truncated\n");
	ret = cr_ad_token_judge(t->mem, cert, 100, NULL, &v, &err);
	assert_int_equal(ret, EBADMSG);
	assert_int_equal(v->problem, CR_TOKEN_HEADER_TRUNCATED);
	assert_string_equal(err, v->refusal);
	TALLOC_FREE(v);

	cr_err_clear(&err);
	talloc_free(cert);
	assert_int_equal(cr_err_count(), 0);
}

static void test_advalue_problem_names(void **state)
{
	static const struct {
		enum cr_token_problem p;
		const char *name;
	} cases[] = {
		{ CR_AD_DN_EXTENDED, "dn-extended" },
		{ CR_AD_DN_NOT_OWNER, "dn-not-owner" },
		{ CR_AD_WRONG_ATTRIBUTE, "wrong-attribute" },
		{ CR_AD_VALUE_TOO_BIG, "value-too-big" },
		{ CR_TOKEN_PROBLEM_COUNT, "unknown-problem" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu: %s\n", i, cases[i].name);
		assert_string_equal(cr_token_problem_name(cases[i].p),
				    cases[i].name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_advalue_dn_equal),
		cr_unit_test(test_advalue_dn_canonical),
		cr_unit_test(test_advalue_judge),
		cr_unit_test(test_advalue_token_judge),
		cr_unit_test(test_advalue_problem_names),
	};

	struct ldb_context *warm = NULL;

	/* ldb registers its backends and tevent its event backends once,
	 * for good: let that happen before the fixture counts blocks */
	talloc_enable_null_tracking();
	warm = plain_ldb(NULL);
	TALLOC_FREE(warm);
	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.advalue",
					   tests, NULL, NULL);
}
