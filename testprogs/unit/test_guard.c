/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for credroam_guard: the decision (names, values, counts,
 * timestamps) and the ldb module itself on top of a local tdb, driven
 * through ldb_add()/ldb_modify() as the DC's stack would drive it.
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
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>
#include <ldb.h>

#include "util/encoding.h"
#include "guard.h"
#include "guard_module.h"
#include "format/token.h"
#include "test_util.h"

#define ALICE "CN=alice,CN=Users,DC=roam,DC=test"
#define BOB "CN=bob,CN=Users,DC=roam,DC=test"
#define CERT_ID "3B83BFA7037F6A79B3F3D17D229E1BC097F35B51"
#define CERT_ID2 "F606B9A77244FCD95DB5E541A51D397B5BB1F079"
#define MK_ID "ed93694f-5a6d-46e2-b821-219f2c0ecd4d"

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
	struct ldb_context *ldb;
	char *dir;
	char *url;
};

/*
 * ldb_init() dlopens every module of Samba's ldb directory with
 * RTLD_DEEPBIND, which AddressSanitizer refuses; ldb has a switch.
 */
static void no_deepbind(void)
{
	assert_int_equal(setenv("LDB_MODULES_DISABLE_DEEPBIND", "1", 1), 0);
}

static int setup(void **state)
{
	struct test_ctx *ctx = NULL;

	cr_test_leak_begin();
	ctx = talloc_zero(NULL, struct test_ctx);
	no_deepbind();
	assert_non_null(ctx);
	ctx->mem = talloc_new(ctx);
	ctx->ldb = ldb_init(ctx, NULL);
	assert_non_null(ctx->ldb);
	*state = ctx;
	return 0;
}

static int teardown(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);

	if (ctx->url != NULL) {
		unlink(ctx->url + strlen("tdb://"));
	}
	if (ctx->dir != NULL) {
		rmdir(ctx->dir);
	}
	talloc_free(ctx);
	cr_test_leak_end();
	return 0;
}

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

static char *good_value(TALLOC_CTX *mem_ctx, unsigned type, const char *id,
			const char *data, const char *dn)
{
	size_t len = 0;
	uint8_t *bin = token_bytes(mem_ctx, type, id, data, &len);

	return dnb(mem_ctx, bin, len, dn);
}

static struct ldb_val val(const char *s)
{
	struct ldb_val v = { .length = strlen(s) };

	/* ldb_val is not const; these values are only read */
	memcpy(&v.data, &s, sizeof(s));
	return v;
}

static void test_guard_classify(void **state)
{
	static const struct {
		const char *name;
		enum cr_guard_attr want;
	} cases[] = {
		{ "msPKIAccountCredentials", CR_GUARD_ATTR_CREDENTIALS },
		{ "MSPKIACCOUNTCREDENTIALS", CR_GUARD_ATTR_CREDENTIALS },
		{ "mspkiaccountcredentials;binary",
		  CR_GUARD_ATTR_CREDENTIALS },
		{ "msPKIAccountCredentials;range=0-*",
		  CR_GUARD_ATTR_CREDENTIALS },
		{ "1.2.840.113556.1.4.1894", CR_GUARD_ATTR_CREDENTIALS },
		{ "OID.1.2.840.113556.1.4.1894", CR_GUARD_ATTR_CREDENTIALS },
		{ "oid.1.2.840.113556.1.4.1894;binary",
		  CR_GUARD_ATTR_CREDENTIALS },
		{ "msPKIDPAPIMasterKeys", CR_GUARD_ATTR_MASTER_KEYS },
		{ "mspkidpapimasterkeys", CR_GUARD_ATTR_MASTER_KEYS },
		{ "1.2.840.113556.1.4.1893", CR_GUARD_ATTR_MASTER_KEYS },
		{ "msPKIRoamingTimeStamp", CR_GUARD_ATTR_TIMESTAMP },
		{ "1.2.840.113556.1.4.1892", CR_GUARD_ATTR_TIMESTAMP },
		{ "msPKIAccountCredential", CR_GUARD_ATTR_OTHER },
		{ "msPKIAccountCredentialsX", CR_GUARD_ATTR_OTHER },
		{ "1.2.840.113556.1.4.18944", CR_GUARD_ATTR_OTHER },
		{ "1.2.840.113556.1.4.189", CR_GUARD_ATTR_OTHER },
		{ "OID.", CR_GUARD_ATTR_OTHER },
		{ "", CR_GUARD_ATTR_OTHER },
		{ ";binary", CR_GUARD_ATTR_OTHER },
		{ "description", CR_GUARD_ATTR_OTHER },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %zu: '%s'\n", i, cases[i].name);
		assert_int_equal(cr_guard_classify(cases[i].name),
				 cases[i].want);
	}
	assert_int_equal(cr_guard_classify(NULL), CR_GUARD_ATTR_OTHER);
}

static void test_guard_timestamp(void **state)
{
	uint8_t old[16], out[16];
	unsigned i;

	for (i = 0; i < 16; i++) {
		old[i] = (uint8_t)(0xa0 + i);
	}
	cr_guard_timestamp(old, 16, 0x0102030405060708ULL, out);
	for (i = 0; i < 8; i++) {
		assert_int_equal(out[i], 0xa8 + i);
	}
	assert_int_equal(out[8], 0x08);
	assert_int_equal(out[15], 0x01);
	/* absent or the wrong size: zeros, then now */
	cr_guard_timestamp(NULL, 0, 1, out);
	for (i = 0; i < 8; i++) {
		assert_int_equal(out[i], 0);
	}
	assert_int_equal(out[8], 1);
	cr_guard_timestamp(old, 15, 1, out);
	assert_int_equal(out[0], 0);
}

/* How each hostile value is refused, and by which rule. */
static void test_guard_check_value(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	TALLOC_CTX *mem = ctx->mem;
	struct cr_guard_limits limits = { .max_token_size = 400,
					  .max_tokens = 10 };
	struct ldb_dn *alice = ldb_dn_new(mem, ctx->ldb, ALICE);
	size_t len = 0, poc_len = 0;
	uint8_t *bin = token_bytes(mem, 7, CERT_ID, "hello", &len);
	uint8_t *poc = NULL;
	uint8_t *bad_hash = talloc_memdup(mem, bin, len);
	uint8_t *lying = talloc_memdup(mem, bin, len);
	char big[301];
	const struct {
		const char *name;
		const char *value;
		enum cr_guard_attr attr;
		int ret;
		const char *msg;
	} *c, cases[] = {
		{ "valid certificate token", NULL, 0, 0, NULL },
		{ "CVE-2022-30170 PoC", "poc", CR_GUARD_ATTR_MASTER_KEYS,
		  EINVAL, "'..'" },
		{ "PoC in credentials", "poc", CR_GUARD_ATTR_CREDENTIALS,
		  EINVAL, "'..'" },
		{ "hash mismatch", "hash", CR_GUARD_ATTR_CREDENTIALS,
		  EBADMSG, "SHA-1" },
		{ "lying data length", "lying", CR_GUARD_ATTR_CREDENTIALS,
		  EBADMSG, "runs past" },
		{ "oversize token", "big", CR_GUARD_ATTR_CREDENTIALS,
		  EINVAL, "credroam:max token size" },
		{ "not DN-Binary", "hello", CR_GUARD_ATTR_CREDENTIALS,
		  EBADMSG, "'B:'" },
		{ "odd count", "B:3:ABC:" ALICE, CR_GUARD_ATTR_CREDENTIALS,
		  EBADMSG, "odd" },
		{ "count lies", "B:8:AB:" ALICE, CR_GUARD_ATTR_CREDENTIALS,
		  EBADMSG, "count says" },
		{ "another object's DN", "bob", CR_GUARD_ATTR_CREDENTIALS,
		  EINVAL, "not the object itself" },
		{ "DN with GUID", "guid", CR_GUARD_ATTR_CREDENTIALS,
		  EINVAL, "<GUID=" },
		{ "DN that is not a DN", "notdn", CR_GUARD_ATTR_CREDENTIALS,
		  EBADMSG, "is not a DN" },
		{ "certificate in master keys", "cert",
		  CR_GUARD_ATTR_MASTER_KEYS, EINVAL,
		  "belongs in msPKIAccountCredentials" },
		{ "master key in credentials", "mk",
		  CR_GUARD_ATTR_CREDENTIALS, EINVAL,
		  "belongs in msPKIDPAPIMasterKeys" },
		{ "valid master key", "mk", CR_GUARD_ATTR_MASTER_KEYS, 0,
		  NULL },
		{ "same DN, other case", "lower", CR_GUARD_ATTR_CREDENTIALS, 0,
		  NULL },
	};
	size_t i;

	assert_non_null(alice);
	assert_int_equal(cr_hex_decode(mem, poc_hex, strlen(poc_hex), &poc,
				       NULL), 0);
	poc_len = strlen(poc_hex) / 2;
	bad_hash[CR_TOKEN_OFF_SHA1 + 3] ^= 0x10;
	lying[CR_TOKEN_OFF_DATA_LEN] += 1;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *v = NULL;
		char *identity = NULL;
		char *msg = NULL;
		struct ldb_val lv;
		int ret;

		c = &cases[i];
		print_message("case %zu: %s\n", i, c->name);
		if (c->value == NULL) {
			v = dnb(mem, bin, len, ALICE);
		} else if (strcmp(c->value, "poc") == 0) {
			v = dnb(mem, poc, poc_len, ALICE);
		} else if (strcmp(c->value, "hash") == 0) {
			v = dnb(mem, bad_hash, len, ALICE);
		} else if (strcmp(c->value, "lying") == 0) {
			v = dnb(mem, lying, len, ALICE);
		} else if (strcmp(c->value, "big") == 0) {
			v = good_value(mem, 7, CERT_ID, big, ALICE);
		} else if (strcmp(c->value, "bob") == 0) {
			v = dnb(mem, bin, len, BOB);
		} else if (strcmp(c->value, "guid") == 0) {
			v = dnb(mem, bin, len, "<GUID=ed93694f-5a6d-46e2-b821-"
				"219f2c0ecd4d>;" ALICE);
		} else if (strcmp(c->value, "notdn") == 0) {
			v = dnb(mem, bin, len, "alice");
		} else if (strcmp(c->value, "cert") == 0) {
			v = dnb(mem, bin, len, ALICE);
		} else if (strcmp(c->value, "mk") == 0) {
			v = good_value(mem, 0, MK_ID, "key", ALICE);
		} else if (strcmp(c->value, "lower") == 0) {
			v = dnb(mem, bin, len, "cn=Alice,cn=users,dc=ROAM,"
				"dc=test");
		} else {
			v = c->value;
		}
		lv = val(v);
		ret = cr_guard_check_value(mem, ctx->ldb, &limits,
					   c->attr ? c->attr :
					   CR_GUARD_ATTR_CREDENTIALS, alice,
					   &lv, &identity, &msg);
		if (ret != c->ret) {
			fail_msg("case %zu (%s): got %d (%s), want %d", i,
				 c->name, ret, msg ? msg : "", c->ret);
		}
		if (c->ret == 0) {
			assert_non_null(identity);
			continue;
		}
		assert_null(identity);
		assert_non_null(msg);
		if (strstr(msg, c->msg) == NULL) {
			fail_msg("case %zu (%s): '%s' not in '%s'", i, c->name,
				 c->msg, msg);
		}
	}
}

/* A message of one element (op, attr, values...) for ALICE. */
static struct ldb_message *one_change(TALLOC_CTX *mem_ctx,
				      struct ldb_context *ldb, unsigned op,
				      const char *attr, unsigned n, ...)
{
	struct ldb_message *msg = ldb_msg_new(mem_ctx);
	struct ldb_message_element *el = NULL;
	va_list ap;
	unsigned i;

	assert_non_null(msg);
	msg->dn = ldb_dn_new(msg, ldb, ALICE);
	assert_int_equal(ldb_msg_add_empty(msg, attr, op, &el), 0);
	el->values = talloc_array(msg, struct ldb_val, n ? n : 1);
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		el->values[i] = val(va_arg(ap, const char *));
	}
	va_end(ap);
	el->num_values = n;
	return msg;
}

/* Another element (even of the same attribute) at the end of msg. */
static void add_element(struct ldb_message *msg, unsigned op,
			const char *attr, const char *value)
{
	struct ldb_message_element *el = NULL;

	assert_int_equal(ldb_msg_add_empty(msg, attr, op, &el), 0);
	el->values = talloc_array(msg, struct ldb_val, 1);
	assert_non_null(el->values);
	el->values[0] = val(value);
	el->num_values = 1;
}

/* A modify reviewed with everything current holds. */
static int review_modify(struct test_ctx *ctx,
			 const struct cr_guard_limits *limits,
			 const struct ldb_message *msg, struct ldb_dn *owner,
			 const struct ldb_message *current,
			 struct cr_guard_review **r, char **err)
{
	return cr_guard_review(ctx->mem, ctx->ldb, limits, msg, false, owner,
			       current, NULL, r, err);
}

static void test_guard_review_counts(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	TALLOC_CTX *mem = ctx->mem;
	struct cr_guard_limits limits = { .max_token_size = 1000,
					  .max_tokens = 2 };
	struct ldb_dn *alice = ldb_dn_new(mem, ctx->ldb, ALICE);
	const char *a = good_value(mem, 7, CERT_ID, "a", ALICE);
	const char *b = good_value(mem, 7, CERT_ID2, "b", ALICE);
	const char *c = good_value(mem, 3, CERT_ID, "c", ALICE);
	struct ldb_message *current = NULL;
	struct ldb_message *msg = NULL;
	struct cr_guard_review *r = NULL;
	char *err = NULL;

	/* stored: a and b, the limit */
	current = one_change(mem, ctx->ldb, 0, "msPKIAccountCredentials", 2,
			     a, b);
	/* a third one is refused */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_ADD,
			 "mspkiaccountcredentials", 1, c);
	assert_int_equal(review_modify(ctx, &limits, msg, alice, current, &r,
				       &err), EINVAL);
	assert_non_null(strstr(err, "would hold 3 values"));
	/* delete one and add one in the same modify: fine */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_DELETE,
			 "msPKIAccountCredentials", 1, a);
	add_element(msg, LDB_FLAG_MOD_ADD, "msPKIAccountCredentials", c);
	assert_int_equal(review_modify(ctx, &limits, msg, alice, current, &r,
				       &err), 0);
	assert_true(r->guarded);
	assert_false(r->sets_timestamp);
	assert_int_equal(r->count_after[0], 2);
	assert_int_equal(r->num_added, 1);
	assert_string_equal(r->added[0], "3\\" CERT_ID);
	assert_int_equal(r->num_removed, 1);
	assert_string_equal(r->removed[0], "7\\" CERT_ID);
	/* deleting a value that is not there does not make room */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_DELETE,
			 "msPKIAccountCredentials", 1, c);
	add_element(msg, LDB_FLAG_MOD_ADD, "msPKIAccountCredentials", c);
	assert_int_equal(review_modify(ctx, &limits, msg, alice, current, &r,
				       &err), EINVAL);
	/* a replace that keeps a value reports only the change */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_REPLACE,
			 "1.2.840.113556.1.4.1894", 2, a, c);
	assert_int_equal(review_modify(ctx, &limits, msg, alice, current, &r,
				       &err), 0);
	assert_int_equal(r->num_added, 1);
	assert_int_equal(r->num_removed, 1);
	assert_string_equal(r->removed[0], "7\\" CERT_ID2);
	/* an over-full attribute may shrink, not grow */
	limits.max_tokens = 1;
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_DELETE,
			 "msPKIAccountCredentials", 0);
	assert_int_equal(review_modify(ctx, &limits, msg, alice, current, &r,
				       &err), 0);
	assert_int_equal(r->count_after[0], 0);
	assert_int_equal(r->num_removed, 2);
	/* too many values in one element: refused before any decoding */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_REPLACE,
			 "msPKIAccountCredentials", 2, "x", "y");
	assert_int_equal(review_modify(ctx, &limits, msg, alice, NULL, &r,
				       &err), EINVAL);
	assert_non_null(strstr(err, "names 2 values to add or replace"));
	/* other attributes are not the guard's business */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_REPLACE, "description",
			 1, "B:2:00:x");
	assert_int_equal(review_modify(ctx, &limits, msg, alice, NULL, &r,
				       &err), 0);
	assert_false(r->guarded);
	/* an object we cannot name cannot be checked */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_ADD,
			 "msPKIAccountCredentials", 1, a);
	assert_int_equal(review_modify(ctx, &limits, msg,
				       ldb_dn_new(mem, ctx->ldb,
						  "<GUID=ed93694f-5a6d-46e2-"
						  "b821-219f2c0ecd4d>"),
				       NULL, &r, &err), EINVAL);
	assert_non_null(strstr(err, "cannot tell"));
	/* an unknown modification type */
	msg->elements[0].flags = 0;
	assert_int_equal(review_modify(ctx, &limits, msg, alice, NULL, &r,
				       &err), EINVAL);
}

/* An element of n values (junk, or distinct valid tokens from salt). */
static void add_many(struct ldb_message *msg, unsigned op, const char *attr,
		     unsigned n, const char *salt)
{
	struct ldb_message_element *el = NULL;
	unsigned j;

	assert_int_equal(ldb_msg_add_empty(msg, attr, op, &el), 0);
	el->values = talloc_array(msg, struct ldb_val, n ? n : 1);
	assert_non_null(el->values);
	for (j = 0; j < n; j++) {
		el->values[j] = val(salt == NULL ? "x" :
			good_value(msg, 7, CERT_ID,
				   talloc_asprintf(msg, "%s%u", salt, j),
				   ALICE));
	}
	el->num_values = n;
}

/*
 * The bound counts every element of a token attribute, deletes apart,
 * from the message alone: junk values show that nothing is decoded.
 */
static void test_guard_bound(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	TALLOC_CTX *mem = ctx->mem;
	struct cr_guard_limits limits = { .max_token_size = 1000,
					  .max_tokens = 5 };
	struct ldb_dn *alice = ldb_dn_new(mem, ctx->ldb, ALICE);
	struct cr_guard_review *r = NULL;
	struct cr_guard_size size;
	struct ldb_message *msg = NULL;
	char *err = NULL;

	/* two replaces of 3: six to write, more than 5 */
	msg = ldb_msg_new(mem);
	msg->dn = alice;
	add_many(msg, LDB_FLAG_MOD_REPLACE, "msPKIAccountCredentials", 3,
		 NULL);
	add_many(msg, LDB_FLAG_MOD_REPLACE, "1.2.840.113556.1.4.1894", 3,
		 NULL);
	assert_int_equal(cr_guard_bound(mem, &limits, msg, false, &size,
					&err), EINVAL);
	assert_non_null(strstr(err, "msPKIAccountCredentials: the change "
			       "names 6 values to add or replace, more than "
			       "the limit of 5"));
	/* the review starts with it: the same refusal, not a junk value */
	assert_int_equal(review_modify(ctx, &limits, msg, alice, NULL, &r,
				       &err), EINVAL);
	assert_non_null(strstr(err, "names 6 values"));
	/* 5 to write and 5 to delete: within; both attributes apart */
	msg = ldb_msg_new(mem);
	msg->dn = alice;
	add_many(msg, LDB_FLAG_MOD_ADD, "msPKIAccountCredentials", 2, NULL);
	add_many(msg, LDB_FLAG_MOD_REPLACE, "msPKIAccountCredentials", 3,
		 NULL);
	add_many(msg, LDB_FLAG_MOD_DELETE, "msPKIAccountCredentials", 5,
		 NULL);
	add_many(msg, LDB_FLAG_MOD_ADD, "msPKIDPAPIMasterKeys", 5, NULL);
	add_many(msg, LDB_FLAG_MOD_REPLACE, "description", 9, NULL);
	assert_int_equal(cr_guard_bound(mem, &limits, msg, false, &size,
					&err), 0);
	assert_int_equal(size.values, 15);
	assert_int_equal(size.bytes, 15);
	assert_true(cr_guard_size_is_small(&size));
	size.values = CR_GUARD_SMALL_VALUES + 1;
	assert_false(cr_guard_size_is_small(&size));
	size = (struct cr_guard_size) { 1, CR_GUARD_SMALL_BYTES + 1 };
	assert_false(cr_guard_size_is_small(&size));
	/* a sixth delete is too many */
	add_many(msg, LDB_FLAG_MOD_DELETE, "mspkiaccountcredentials", 1, NULL);
	assert_int_equal(cr_guard_bound(mem, &limits, msg, false, &size,
					&err), EINVAL);
	assert_non_null(strstr(err, "names 6 values to delete"));
	/* in an add every value is written */
	msg = ldb_msg_new(mem);
	msg->dn = alice;
	add_many(msg, LDB_FLAG_MOD_DELETE, "msPKIDPAPIMasterKeys", 3, NULL);
	add_many(msg, LDB_FLAG_MOD_DELETE, "msPKIDPAPIMasterKeys", 3, NULL);
	assert_int_equal(cr_guard_bound(mem, &limits, msg, false, &size,
					&err), EINVAL);
	assert_non_null(strstr(err, "msPKIDPAPIMasterKeys: the change names "
			       "6 values to delete"));
	assert_int_equal(cr_guard_bound(mem, &limits, msg, true, &size,
					&err), EINVAL);
	assert_non_null(strstr(err, "msPKIDPAPIMasterKeys: the change names "
			       "6 values to add or replace"));
}

/*
 * Thousands of values over several elements: the model keeps every
 * value's copies apart (the index replaced a linear search).
 */
static void test_guard_review_many(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	TALLOC_CTX *mem = ctx->mem;
	struct cr_guard_limits limits = { .max_token_size = 1000,
					  .max_tokens = 8000 };
	struct ldb_dn *alice = ldb_dn_new(mem, ctx->ldb, ALICE);
	const char *a = good_value(mem, 7, CERT_ID, "a", ALICE);
	const char *b = good_value(mem, 7, CERT_ID2, "b", ALICE);
	struct ldb_message *current = NULL;
	struct ldb_message *msg = NULL;
	struct ldb_message_element *el = NULL;
	struct cr_guard_review *r = NULL;
	char *err = NULL;

	current = one_change(mem, ctx->ldb, 0, "msPKIAccountCredentials", 2,
			     a, b);
	msg = ldb_msg_new(mem);
	msg->dn = alice;
	/* v0 .. v2999, then v0 .. v2998 and a: v2999 and b are gone */
	add_many(msg, LDB_FLAG_MOD_REPLACE, "msPKIAccountCredentials", 3000,
		 "v");
	add_many(msg, LDB_FLAG_MOD_REPLACE, "msPKIAccountCredentials", 3000,
		 "v");
	el = &msg->elements[1];
	el->values[2999] = val(a);
	/* v0 .. v9 deleted, v2999 back, a junk delete that removes nothing */
	add_many(msg, LDB_FLAG_MOD_DELETE, "msPKIAccountCredentials", 10,
		 "v");
	add_element(msg, LDB_FLAG_MOD_ADD, "msPKIAccountCredentials",
		    (const char *)msg->elements[0].values[2999].data);
	add_element(msg, LDB_FLAG_MOD_DELETE, "msPKIAccountCredentials",
		    "junk");
	assert_int_equal(review_modify(ctx, &limits, msg, alice, current, &r,
				       &err), 0);
	assert_int_equal(r->count_after[0], 2991);
	assert_int_equal(r->num_removed, 1);
	assert_string_equal(r->removed[0], "7\\" CERT_ID2);
	assert_int_equal(r->num_added, 2990);
	/* a value twice in one replace is two copies; deletes take both */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_REPLACE,
			 "msPKIAccountCredentials", 3, a, b, b);
	add_element(msg, LDB_FLAG_MOD_DELETE, "msPKIAccountCredentials", b);
	assert_int_equal(review_modify(ctx, &limits, msg, alice, current, &r,
				       &err), 0);
	assert_int_equal(r->count_after[0], 2);
	assert_int_equal(r->num_added + r->num_removed, 0);
	add_element(msg, LDB_FLAG_MOD_DELETE, "msPKIAccountCredentials", b);
	assert_int_equal(review_modify(ctx, &limits, msg, alice, current, &r,
				       &err), 0);
	assert_int_equal(r->count_after[0], 1);
	assert_int_equal(r->num_removed, 1);
	/* a bad value in the last element is still found */
	msg = ldb_msg_new(mem);
	msg->dn = alice;
	add_many(msg, LDB_FLAG_MOD_REPLACE, "msPKIAccountCredentials", 2000,
		 "w");
	add_many(msg, LDB_FLAG_MOD_ADD, "msPKIAccountCredentials", 3, "z");
	msg->elements[1].values[2] = val(good_value(mem, 7, CERT_ID, "z",
						    BOB));
	assert_int_equal(review_modify(ctx, &limits, msg, alice, current, &r,
				       &err), EINVAL);
	assert_non_null(strstr(err, "msPKIAccountCredentials value 3: DN "
			       "part"));
}

/* A delete element of n distinct values at the end of msg. */
/* One element of n distinct tokens ("v0", "v1", ...) with op. */
static void add_tokens(struct ldb_message *msg, unsigned op, unsigned n)
{
	struct ldb_message_element *el = NULL;
	unsigned j;

	assert_int_equal(ldb_msg_add_empty(msg, "msPKIAccountCredentials",
					   op, &el), 0);
	el->values = talloc_array(msg, struct ldb_val, n);
	assert_non_null(el->values);
	for (j = 0; j < n; j++) {
		el->values[j] = val(good_value(msg, 7, CERT_ID,
					       talloc_asprintf(msg, "v%u", j),
					       ALICE));
	}
	el->num_values = n;
}

/* What each kind of change needs read before it can be reviewed. */
static void test_guard_plan(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	TALLOC_CTX *mem = ctx->mem;
	const char *a = good_value(mem, 7, CERT_ID, "a", ALICE);
	const char *c = good_value(mem, 3, CERT_ID, "c", ALICE);
	const char *mk = good_value(mem, 0, MK_ID, "k", ALICE);
	struct ldb_message *msg = NULL;
	struct cr_guard_needs n;

	/* the client's update with its timestamp: nothing */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_DELETE,
			 "msPKIAccountCredentials", 1, a);
	add_element(msg, LDB_FLAG_MOD_ADD, "msPKIAccountCredentials", c);
	add_element(msg, LDB_FLAG_MOD_REPLACE, "msPKIRoamingTimeStamp",
		    "0123456789abcdef");
	assert_int_equal(cr_guard_plan(msg, false, false, &n), 0);
	assert_false(cr_guard_needs_any(&n));
	/* the same permissive: a delete may miss, so the values */
	assert_int_equal(cr_guard_plan(msg, false, true, &n), 0);
	assert_true(n.values[0]);
	assert_true(n.values[1]);
	/* without its timestamp: the old one, only */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_DELETE,
			 "msPKIAccountCredentials", 1, a);
	add_element(msg, LDB_FLAG_MOD_ADD, "msPKIAccountCredentials", c);
	assert_int_equal(cr_guard_plan(msg, false, false, &n), 0);
	assert_true(n.timestamp);
	assert_false(n.values[0] || n.values[1] || n.dn);
	/* one value deleted twice makes room for one */
	add_element(msg, LDB_FLAG_MOD_DELETE, "msPKIAccountCredentials", a);
	add_element(msg, LDB_FLAG_MOD_ADD, "msPKIAccountCredentials", mk);
	assert_int_equal(cr_guard_plan(msg, false, false, &n), 0);
	assert_true(n.values[0]);
	assert_false(n.values[1]);
	/*
	 * Thousands of distinct deletes make room for as many adds (the
	 * biggest change of a full object: no stored value read), not for
	 * one more.
	 */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_ADD,
			 "msPKIAccountCredentials", 1, c);
	add_tokens(msg, LDB_FLAG_MOD_DELETE, 3000);
	assert_int_equal(cr_guard_plan(msg, false, false, &n), 0);
	assert_false(n.values[0] || n.values[1]);
	add_tokens(msg, LDB_FLAG_MOD_ADD, 3000);
	assert_int_equal(cr_guard_plan(msg, false, false, &n), 0);
	assert_true(n.values[0]);
	assert_false(n.values[1]);
	/* a value that is not DN-Binary removes nothing */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_DELETE,
			 "msPKIAccountCredentials", 1, "junk");
	add_element(msg, LDB_FLAG_MOD_ADD, "msPKIAccountCredentials", c);
	assert_int_equal(cr_guard_plan(msg, false, false, &n), 0);
	assert_true(n.values[0]);
	/* an add, a replace, a delete of everything */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_ADD,
			 "msPKIDPAPIMasterKeys", 1, mk);
	assert_int_equal(cr_guard_plan(msg, false, false, &n), 0);
	assert_true(n.values[1]);
	assert_false(n.values[0]);
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_REPLACE,
			 "msPKIAccountCredentials", 1, a);
	assert_int_equal(cr_guard_plan(msg, false, false, &n), 0);
	assert_true(n.values[0]);
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_DELETE,
			 "msPKIAccountCredentials", 0);
	assert_int_equal(cr_guard_plan(msg, false, false, &n), 0);
	assert_true(n.values[0]);
	/* an object named by GUID: its DN */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_DELETE,
			 "msPKIAccountCredentials", 1, a);
	msg->dn = ldb_dn_new(msg, ctx->ldb,
			     "<GUID=ed93694f-5a6d-46e2-b821-219f2c0ecd4d>");
	assert_int_equal(cr_guard_plan(msg, false, false, &n), 0);
	assert_true(n.dn);
	/* a new object, another attribute: nothing */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_ADD,
			 "msPKIAccountCredentials", 1, a);
	assert_int_equal(cr_guard_plan(msg, true, false, &n), 0);
	assert_false(cr_guard_needs_any(&n));
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_REPLACE, "description",
			 1, "x");
	assert_int_equal(cr_guard_plan(msg, false, false, &n), 0);
	assert_false(cr_guard_needs_any(&n));
}

/* A review of values it did not read: what is known is still right. */
static void test_guard_review_unread(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	TALLOC_CTX *mem = ctx->mem;
	/* 2: the bound lets the same value be deleted twice */
	struct cr_guard_limits limits = { .max_token_size = 1000,
					  .max_tokens = 2 };
	struct ldb_dn *alice = ldb_dn_new(mem, ctx->ldb, ALICE);
	const char *a = good_value(mem, 7, CERT_ID, "a", ALICE);
	const char *c = good_value(mem, 3, CERT_ID, "c", ALICE);
	struct cr_guard_needs read = { .timestamp = true };
	struct ldb_message *msg = NULL;
	struct cr_guard_review *r = NULL;
	char *err = NULL;

	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_DELETE,
			 "msPKIAccountCredentials", 1, a);
	add_element(msg, LDB_FLAG_MOD_ADD, "msPKIAccountCredentials", c);
	add_element(msg, LDB_FLAG_MOD_DELETE, "msPKIAccountCredentials", a);
	assert_int_equal(cr_guard_review(mem, ctx->ldb, &limits, msg, false,
					 alice, NULL, &read, &r, &err), 0);
	assert_false(r->counted[0]);
	assert_int_equal(r->num_removed, 1);
	assert_string_equal(r->removed[0], "7\\" CERT_ID);
	assert_int_equal(r->num_added, 1);
	assert_string_equal(r->added[0], "3\\" CERT_ID);
	/* the values of the new token are still checked */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_DELETE,
			 "msPKIAccountCredentials", 1, a);
	add_element(msg, LDB_FLAG_MOD_ADD, "msPKIAccountCredentials",
		    good_value(mem, 3, CERT_ID, "c", BOB));
	assert_int_equal(cr_guard_review(mem, ctx->ldb, &limits, msg, false,
					 alice, NULL, &read, &r, &err),
			 EINVAL);
	assert_non_null(strstr(err, "not the object itself"));
}

/* The module on a local tdb --------------------------------------- */

static void module_connect(struct test_ctx *ctx, const char *extra_opt)
{
	const char *opts[] = { "modules:" CR_GUARD_MODULE_NAME, extra_opt,
			       NULL };
	char tmpl[] = "/tmp/test_guard.XXXXXX";
	struct ldb_message *msg = NULL;

	assert_int_equal(cr_guard_register(), 0);
	assert_int_equal(cr_guard_register(), 0);	/* twice is fine */
	assert_non_null(mkdtemp(tmpl));
	ctx->dir = talloc_strdup(ctx, tmpl);
	ctx->url = talloc_asprintf(ctx, "tdb://%s/guard.ldb", tmpl);
	assert_int_equal(ldb_connect(ctx->ldb, ctx->url, 0, opts), 0);
	msg = ldb_msg_new(ctx->mem);
	msg->dn = ldb_dn_new(msg, ctx->ldb, ALICE);
	assert_int_equal(ldb_msg_add_string(msg, "objectClass", "user"), 0);
	assert_int_equal(ldb_add(ctx->ldb, msg), 0);
}

static const struct ldb_val *stored(struct test_ctx *ctx, const char *attr,
				    unsigned *count)
{
	const char *attrs[] = { attr, NULL };
	struct ldb_result *res = NULL;
	struct ldb_message_element *el = NULL;

	assert_int_equal(ldb_search(ctx->ldb, ctx->mem, &res,
				    ldb_dn_new(ctx->mem, ctx->ldb, ALICE),
				    LDB_SCOPE_BASE, attrs, NULL), 0);
	assert_int_equal(res->count, 1);
	el = ldb_msg_find_element(res->msgs[0], attr);
	if (count != NULL) {
		*count = el ? el->num_values : 0;
	}
	return el ? &el->values[0] : NULL;
}

static uint64_t ts_now_part(const struct ldb_val *ts)
{
	uint64_t v = 0;
	int i;

	assert_non_null(ts);
	assert_int_equal(ts->length, 16);
	for (i = 7; i >= 0; i--) {
		v = (v << 8) | ts->data[8 + i];
	}
	return v;
}

static void test_guard_module(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	TALLOC_CTX *mem = ctx->mem;
	const char *a = good_value(mem, 7, CERT_ID, "a", ALICE);
	const char *b = good_value(mem, 7, CERT_ID2, "b", ALICE);
	const char *mk = good_value(mem, 0, MK_ID, "k", ALICE);
	uint8_t *poc = NULL;
	struct ldb_message *msg = NULL;
	const struct ldb_val *ts = NULL;
	uint8_t first[16];
	uint64_t before = cr_filetime_now();
	unsigned n = 0;
	int ret;

	module_connect(ctx, "credroam_max_tokens:2");
	assert_int_equal(cr_hex_decode(mem, poc_hex, strlen(poc_hex), &poc,
				       NULL), 0);

	/* a valid token goes in and the guard sets the timestamp */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_ADD,
			 "msPKIAccountCredentials", 1, a);
	assert_int_equal(ldb_modify(ctx->ldb, msg), 0);
	ts = stored(ctx, "msPKIRoamingTimeStamp", NULL);
	assert_true(ts_now_part(ts) >= before);
	assert_true(ts_now_part(ts) <= cr_filetime_now());
	memcpy(first, ts->data, 16);

	/* the PoC is refused, by name in any case and by OID */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_ADD,
			 "MSPKIACCOUNTCREDENTIALS;binary", 1,
			 dnb(mem, poc, strlen(poc_hex) / 2, ALICE));
	ret = ldb_modify(ctx->ldb, msg);
	assert_int_equal(ret, LDB_ERR_CONSTRAINT_VIOLATION);
	assert_non_null(strstr(ldb_errstring(ctx->ldb), "credroam_guard: "
				"refused on " ALICE));
	assert_non_null(strstr(ldb_errstring(ctx->ldb), "'..'"));
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_REPLACE,
			 "OID.1.2.840.113556.1.4.1893", 1,
			 dnb(mem, poc, strlen(poc_hex) / 2, ALICE));
	assert_int_equal(ldb_modify(ctx->ldb, msg),
			 LDB_ERR_CONSTRAINT_VIOLATION);
	stored(ctx, "msPKIAccountCredentials", &n);
	assert_int_equal(n, 1);
	stored(ctx, "msPKIDPAPIMasterKeys", &n);
	assert_int_equal(n, 0);

	/* the configured count limit holds */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_ADD,
			 "msPKIAccountCredentials", 1, b);
	assert_int_equal(ldb_modify(ctx->ldb, msg), 0);
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_ADD,
			 "msPKIAccountCredentials", 1,
			 good_value(mem, 3, CERT_ID, "c", ALICE));
	assert_int_equal(ldb_modify(ctx->ldb, msg),
			 LDB_ERR_CONSTRAINT_VIOLATION);
	assert_non_null(strstr(ldb_errstring(ctx->ldb), "would hold 3"));

	/* each change moves the timestamp: old 8..15 become 0..7 */
	ts = stored(ctx, "msPKIRoamingTimeStamp", NULL);
	assert_memory_equal(ts->data, first + 8, 8);

	/* a client that sets the timestamp itself keeps its value */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_ADD,
			 "msPKIDPAPIMasterKeys", 1, mk);
	add_element(msg, LDB_FLAG_MOD_REPLACE, "msPKIRoamingTimeStamp",
		    "0123456789abcdef");
	assert_int_equal(ldb_modify(ctx->ldb, msg), 0);
	ts = stored(ctx, "msPKIRoamingTimeStamp", NULL);
	assert_memory_equal(ts->data, "0123456789abcdef", 16);

	/* deletes are changes too */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_DELETE,
			 "msPKIAccountCredentials", 1, a);
	assert_int_equal(ldb_modify(ctx->ldb, msg), 0);
	ts = stored(ctx, "msPKIRoamingTimeStamp", NULL);
	assert_memory_equal(ts->data, "89abcdef", 8);

	/* other attributes pass untouched, no timestamp */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_REPLACE, "description",
			 1, "B:2:00:x");
	assert_int_equal(ldb_modify(ctx->ldb, msg), 0);
	ts = stored(ctx, "msPKIRoamingTimeStamp", NULL);
	assert_memory_equal(ts->data, "89abcdef", 8);

	/* an add of a new object is checked like a modify */
	msg = ldb_msg_new(mem);
	msg->dn = ldb_dn_new(msg, ctx->ldb, BOB);
	assert_int_equal(ldb_msg_add_string(msg, "msPKIAccountCredentials",
					    a), 0);
	assert_int_equal(ldb_add(ctx->ldb, msg),
			 LDB_ERR_CONSTRAINT_VIOLATION);
	assert_non_null(strstr(ldb_errstring(ctx->ldb),
			       "not the object itself"));
	msg->elements[0].values[0] = val(good_value(mem, 7, CERT_ID, "a",
						    BOB));
	assert_int_equal(ldb_add(ctx->ldb, msg), 0);

	/* special records pass */
	msg = ldb_msg_new(mem);
	msg->dn = ldb_dn_new(msg, ctx->ldb, "@TEST");
	assert_int_equal(ldb_msg_add_string(msg, "msPKIAccountCredentials",
					    "junk"), 0);
	assert_int_equal(ldb_add(ctx->ldb, msg), 0);
}

static int modify_permissive(struct ldb_context *ldb,
			     const struct ldb_message *msg)
{
	struct ldb_request *req = NULL;
	int ret;

	ret = ldb_build_mod_req(&req, ldb, ldb, msg, NULL, NULL,
				ldb_op_default_callback, NULL);
	assert_int_equal(ret, 0);
	assert_int_equal(ldb_request_add_control(
		req, LDB_CONTROL_PERMISSIVE_MODIFY_OID, false, NULL), 0);
	ret = ldb_request(ldb, req);
	if (ret == LDB_SUCCESS) {
		ret = ldb_wait(req->handle, LDB_WAIT_ALL);
	}
	talloc_free(req);
	return ret;
}

/*
 * The module reads nothing for a delete-and-add: a delete of a value
 * that is not there must fail in the database, or the read must happen.
 */
static void test_guard_module_unread(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	TALLOC_CTX *mem = ctx->mem;
	const char *a = good_value(mem, 7, CERT_ID, "a", ALICE);
	const char *b = good_value(mem, 7, CERT_ID2, "b", ALICE);
	const char *c = good_value(mem, 3, CERT_ID, "c", ALICE);
	struct ldb_message *msg = NULL;
	const struct ldb_val *ts = NULL;
	unsigned n = 0;

	module_connect(ctx, "credroam_max_tokens:2");
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_ADD,
			 "msPKIAccountCredentials", 2, a, b);
	assert_int_equal(ldb_modify(ctx->ldb, msg), 0);

	/* a missing value does not make room: the database says so */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_DELETE,
			 "msPKIAccountCredentials", 1, c);
	add_element(msg, LDB_FLAG_MOD_ADD, "msPKIAccountCredentials", c);
	assert_int_equal(ldb_modify(ctx->ldb, msg), LDB_ERR_NO_SUCH_ATTRIBUTE);
	/* permissive, it would: the guard reads and counts */
	assert_int_equal(modify_permissive(ctx->ldb, msg),
			 LDB_ERR_CONSTRAINT_VIOLATION);
	assert_non_null(strstr(ldb_errstring(ctx->ldb), "would hold 3"));
	stored(ctx, "msPKIAccountCredentials", &n);
	assert_int_equal(n, 2);

	/* the client's update, at the limit: done, timestamp kept */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_DELETE,
			 "msPKIAccountCredentials", 1, a);
	add_element(msg, LDB_FLAG_MOD_ADD, "msPKIAccountCredentials", c);
	add_element(msg, LDB_FLAG_MOD_REPLACE, "msPKIRoamingTimeStamp",
		    "0123456789abcdef");
	assert_int_equal(ldb_modify(ctx->ldb, msg), 0);
	stored(ctx, "msPKIAccountCredentials", &n);
	assert_int_equal(n, 2);
	ts = stored(ctx, "msPKIRoamingTimeStamp", NULL);
	assert_memory_equal(ts->data, "0123456789abcdef", 16);
	/* without the timestamp: the guard moves it on from the old one */
	msg = one_change(mem, ctx->ldb, LDB_FLAG_MOD_DELETE,
			 "msPKIAccountCredentials", 1, c);
	add_element(msg, LDB_FLAG_MOD_ADD, "msPKIAccountCredentials", a);
	assert_int_equal(ldb_modify(ctx->ldb, msg), 0);
	ts = stored(ctx, "msPKIRoamingTimeStamp", NULL);
	assert_memory_equal(ts->data, "89abcdef", 8);
}

/* The size limit from the connect options. */
static void test_guard_module_size_option(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	char data[200];
	struct ldb_message *msg = NULL;

	module_connect(ctx, "credroam_max_token_size:300");
	memset(data, 'd', sizeof(data) - 1);
	data[sizeof(data) - 1] = '\0';
	msg = one_change(ctx->mem, ctx->ldb, LDB_FLAG_MOD_ADD,
			 "msPKIAccountCredentials", 1,
			 good_value(ctx->mem, 7, CERT_ID, data, ALICE));
	assert_int_equal(ldb_modify(ctx->ldb, msg),
			 LDB_ERR_CONSTRAINT_VIOLATION);
	assert_non_null(strstr(ldb_errstring(ctx->ldb),
			       "limit of 300 bytes"));
	msg = one_change(ctx->mem, ctx->ldb, LDB_FLAG_MOD_ADD,
			 "msPKIAccountCredentials", 1,
			 good_value(ctx->mem, 7, CERT_ID, "small", ALICE));
	assert_int_equal(ldb_modify(ctx->ldb, msg), 0);
}

/*
 * The module test makes ldb dlopen() Samba's own ldb modules, whose
 * dynamic TLS blocks LeakSanitizer (gcc 12) cannot walk: its tracer
 * crashes at exit.  Leaks are still found without scanning TLS.
 */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "use_tls=0";
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_guard_classify),
		T(test_guard_timestamp),
		T(test_guard_check_value),
		T(test_guard_review_counts),
		T(test_guard_bound),
		T(test_guard_review_many),
		T(test_guard_plan),
		T(test_guard_review_unread),
		T(test_guard_module),
		T(test_guard_module_unread),
		T(test_guard_module_size_option),
#undef T
	};
	struct ldb_context *warm = NULL;

	/* ldb registers its backends, tevent its event backends and the
	 * guard its module once, for good: let that happen before the
	 * fixture counts blocks */
	talloc_enable_null_tracking();
	no_deepbind();
	warm = ldb_init(NULL, NULL);
	if (warm == NULL || cr_guard_register() != 0) {
		return 1;
	}
	TALLOC_FREE(warm);
	return cmocka_run_group_tests_name("credroam.unittests.guard", tests,
					   NULL, NULL);
}
