/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The reconciliation table of DESIGN.md section 5, row by row, with every
 * limit and filter.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>

#include "roam/sync.h"
#include "test_util.h"

#define DAY CR_FILETIME_DAY
#define NOW (200000 * DAY)

enum { NONE = 0, LIVE, DEAD };

struct sync_case {
	const char *name;
	unsigned type;
	/* local */
	const char *l_sha;	/* NULL: absent */
	uint64_t l_time;
	size_t l_size;
	bool l_affiliated;
	bool l_protects;
	bool l_smartcard;
	/* remote */
	int r_kind;
	const char *r_sha;
	uint64_t r_time;
	/* state */
	const char *s_sha;	/* NULL: absent */
	/* expected, up to two actions */
	enum cr_sync_verb verb1;
	enum cr_sync_rule rule1;
	enum cr_sync_event event1;
	int n_actions;
	enum cr_sync_verb verb2;
	enum cr_sync_rule rule2;
};

#define A "AAAA"
#define B "BBBB"
#define C "CCCC"

static const struct sync_case cases[] = {
	{ "same content: in sync", 7, A, NOW, 100, true, true, false,
	  LIVE, A, NOW, NULL,
	  CR_SYNC_KEEP, CR_RULE_SAME, CR_EVENT_NONE, 1 },
	{ "same content, state differs: still in sync", 7, A, NOW, 100,
	  true, true, false, LIVE, A, NOW, B,
	  CR_SYNC_KEEP, CR_RULE_SAME, CR_EVENT_NONE, 1 },
	{ "local changed (S = R): upload", 7, B, NOW, 100, true, true, false,
	  LIVE, A, NOW - DAY, A,
	  CR_SYNC_UPLOAD, CR_RULE_LOCAL_CHANGED, CR_EVENT_NONE, 1 },
	{ "AD changed (S = L): download", 7, A, NOW, 100, true, true, false,
	  LIVE, B, NOW - DAY, A,
	  CR_SYNC_DOWNLOAD, CR_RULE_REMOTE_CHANGED, CR_EVENT_NONE, 1 },
	{ "conflict, local newer: upload, 501", 7, B, NOW, 100, true, true,
	  false, LIVE, C, NOW - DAY, A,
	  CR_SYNC_UPLOAD, CR_RULE_CONFLICT_LOCAL_WINS, CR_EVENT_CONFLICT, 1 },
	{ "conflict, AD newer: download, 501", 7, B, NOW - DAY, 100, true,
	  true, false, LIVE, C, NOW, A,
	  CR_SYNC_DOWNLOAD, CR_RULE_CONFLICT_REMOTE_WINS, CR_EVENT_CONFLICT,
	  1 },
	{ "conflict, tie: AD wins", 7, B, NOW, 100, true, true, false,
	  LIVE, C, NOW, NULL,
	  CR_SYNC_DOWNLOAD, CR_RULE_CONFLICT_REMOTE_WINS, CR_EVENT_CONFLICT,
	  1 },
	{ "conflict without state, local newer", 7, B, NOW, 100, true, true,
	  false, LIVE, C, NOW - 1, NULL,
	  CR_SYNC_UPLOAD, CR_RULE_CONFLICT_LOCAL_WINS, CR_EVENT_CONFLICT, 1 },
	{ "conflict, local newer but too big: skip 1011", 7, B, NOW, 70000,
	  true, true, false, LIVE, C, NOW - 1, NULL,
	  CR_SYNC_SKIP, CR_RULE_TOO_BIG, CR_EVENT_TOO_BIG, 1 },
	{ "new local item: upload", 3, A, NOW, 100, true, true, false,
	  NONE, NULL, 0, NULL,
	  CR_SYNC_UPLOAD, CR_RULE_NEW_LOCAL, CR_EVENT_NONE, 1 },
	{ "removed from AD: trash local", 3, A, NOW, 100, true, true, false,
	  NONE, NULL, 0, A,
	  CR_SYNC_TRASH_LOCAL, CR_RULE_REMOVED_FROM_AD, CR_EVENT_NONE, 1 },
	{ "new remote item: download", 3, NULL, 0, 0, false, false, false,
	  LIVE, A, NOW, NULL,
	  CR_SYNC_DOWNLOAD, CR_RULE_NEW_REMOTE, CR_EVENT_NONE, 1 },
	{ "deleted locally: tombstone", 3, NULL, 0, 0, false, false, false,
	  LIVE, A, NOW, A,
	  CR_SYNC_TOMBSTONE, CR_RULE_DELETED_LOCALLY, CR_EVENT_NONE, 1 },
	{ "tombstone newer than local: trash", 3, A, NOW - DAY, 100, true,
	  true, false, DEAD, NULL, NOW, A,
	  CR_SYNC_TRASH_LOCAL, CR_RULE_TOMBSTONE_WINS, CR_EVENT_NONE, 1 },
	{ "tombstone newer, no state: trash", 3, A, NOW - DAY, 100, true,
	  true, false, DEAD, NULL, NOW, NULL,
	  CR_SYNC_TRASH_LOCAL, CR_RULE_TOMBSTONE_WINS, CR_EVENT_NONE, 1 },
	{ "re-created after the tombstone: upload over it", 3, A, NOW, 100,
	  true, true, false, DEAD, NULL, NOW - DAY, A,
	  CR_SYNC_UPLOAD, CR_RULE_RECREATED, CR_EVENT_NONE, 1 },
	{ "tombstone, no local, state: forget", 3, NULL, 0, 0, false, false,
	  false, DEAD, NULL, NOW - DAY, A,
	  CR_SYNC_FORGET, CR_RULE_TOMBSTONE_ONLY, CR_EVENT_NONE, 1 },
	{ "tombstone, no local, no state: nothing", 3, NULL, 0, 0, false,
	  false, false, DEAD, NULL, NOW - DAY, NULL,
	  CR_SYNC_KEEP, CR_RULE_SAME, CR_EVENT_NONE, 0 },
	{ "expired tombstone alone: erode", 3, NULL, 0, 0, false, false,
	  false, DEAD, NULL, NOW - 61 * DAY, NULL,
	  CR_SYNC_ERODE, CR_RULE_TOMBSTONE_EXPIRED, CR_EVENT_NONE, 1 },
	{ "expired tombstone with state: forget and erode", 3, NULL, 0, 0,
	  false, false, false, DEAD, NULL, NOW - 61 * DAY, A,
	  CR_SYNC_FORGET, CR_RULE_TOMBSTONE_ONLY, CR_EVENT_NONE, 2,
	  CR_SYNC_ERODE, CR_RULE_TOMBSTONE_EXPIRED },
	{ "tombstone 59 days old is kept", 3, NULL, 0, 0, false, false,
	  false, DEAD, NULL, NOW - 59 * DAY, NULL,
	  CR_SYNC_KEEP, CR_RULE_SAME, CR_EVENT_NONE, 0 },
	{ "expired tombstone newer than local: trash and erode", 3, A,
	  NOW - 90 * DAY, 100, true, true, false, DEAD, NULL, NOW - 61 * DAY,
	  A, CR_SYNC_TRASH_LOCAL, CR_RULE_TOMBSTONE_WINS, CR_EVENT_NONE, 2,
	  CR_SYNC_ERODE, CR_RULE_TOMBSTONE_EXPIRED },
	{ "state only: forget", 3, NULL, 0, 0, false, false, false,
	  NONE, NULL, 0, A,
	  CR_SYNC_FORGET, CR_RULE_STATE_ONLY, CR_EVENT_NONE, 1 },
	{ "master key differs: both kept, 501", 0, A, NOW, 100, false, true,
	  false, LIVE, B, NOW - DAY, B,
	  CR_SYNC_SKIP, CR_RULE_MASTERKEY_CONFLICT, CR_EVENT_CONFLICT, 1 },
	{ "master key differs, AD changed: still both kept", 0, A, NOW, 100,
	  false, true, false, LIVE, B, NOW, A,
	  CR_SYNC_SKIP, CR_RULE_MASTERKEY_CONFLICT, CR_EVENT_CONFLICT, 1 },
	{ "master key deleted locally: restored, never tombstoned", 0, NULL,
	  0, 0, false, false, false, LIVE, A, NOW, A,
	  CR_SYNC_DOWNLOAD, CR_RULE_MASTERKEY_DELETED_LOCALLY, CR_EVENT_NONE,
	  1 },
	{ "token too big: skip 1011", 7, A, NOW, 65536, true, true, false,
	  NONE, NULL, 0, NULL,
	  CR_SYNC_SKIP, CR_RULE_TOO_BIG, CR_EVENT_TOO_BIG, 1 },
	{ "token exactly the maximum size: upload", 7, A, NOW, 65535, true,
	  true, false, NONE, NULL, 0, NULL,
	  CR_SYNC_UPLOAD, CR_RULE_NEW_LOCAL, CR_EVENT_NONE, 1 },
	{ "changed token too big: skip 1011", 7, B, NOW, 65536, true, true,
	  false, LIVE, A, NOW - DAY, A,
	  CR_SYNC_SKIP, CR_RULE_TOO_BIG, CR_EVENT_TOO_BIG, 1 },
	{ "key without certificate stays local", 1, A, NOW, 100, false,
	  true, false, NONE, NULL, 0, NULL,
	  CR_SYNC_SKIP, CR_RULE_FILTERED, CR_EVENT_NONE, 1 },
	{ "CNG key without certificate stays local", 9, A, NOW, 100, false,
	  true, false, NONE, NULL, 0, NULL,
	  CR_SYNC_SKIP, CR_RULE_FILTERED, CR_EVENT_NONE, 1 },
	{ "key with its certificate roams", 1, A, NOW, 100, true, true,
	  false, NONE, NULL, 0, NULL,
	  CR_SYNC_UPLOAD, CR_RULE_NEW_LOCAL, CR_EVENT_NONE, 1 },
	{ "unused master key stays local", 0, A, NOW, 100, false, false,
	  false, NONE, NULL, 0, NULL,
	  CR_SYNC_SKIP, CR_RULE_FILTERED, CR_EVENT_NONE, 1 },
	{ "smart card certificate stays local", 3, A, NOW, 100, true, true,
	  true, NONE, NULL, 0, NULL,
	  CR_SYNC_SKIP, CR_RULE_FILTERED, CR_EVENT_NONE, 1 },
	{ "filters do not stop an item that already roams", 1, B, NOW, 100,
	  false, false, false, LIVE, A, NOW - DAY, A,
	  CR_SYNC_UPLOAD, CR_RULE_LOCAL_CHANGED, CR_EVENT_NONE, 1 },
};

struct sync_test_ctx {
	TALLOC_CTX *mem;
};

static int setup(void **state)
{
	struct sync_test_ctx *t = NULL;

	cr_test_leak_begin();
	t = talloc_zero(NULL, struct sync_test_ctx);
	assert_non_null(t);
	t->mem = talloc_new(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	talloc_free(*state);
	cr_test_leak_end();
	return 0;
}

static struct cr_sync_policy default_policy(void)
{
	return (struct cr_sync_policy) {
		.tombstone_days = 60,
		.max_tokens = 2000,
		.max_token_size = 65535,
		.now = NOW,
	};
}

static struct cr_sync_result *run_case(TALLOC_CTX *mem,
				       const struct sync_case *c,
				       const struct cr_sync_policy *p)
{
	struct cr_sync_local l = {
		.type = c->type, .id = "ID", .sha1 = c->l_sha,
		.filetime = c->l_time, .token_size = c->l_size,
		.affiliated = c->l_affiliated,
		.protects_roamed_key = c->l_protects,
		.smart_card = c->l_smartcard,
	};
	struct cr_sync_remote r = {
		.type = c->type, .id = "id", .sha1 = c->r_sha,
		.filetime = c->r_time, .tombstone = (c->r_kind == DEAD),
	};
	struct cr_sync_state s = {
		.type = c->type, .id = "Id", .sha1 = c->s_sha,
	};
	struct cr_sync_result *res = NULL;
	int rc;

	rc = cr_sync_reconcile(mem, &l, c->l_sha ? 1 : 0,
			       &r, c->r_kind != NONE ? 1 : 0,
			       &s, c->s_sha ? 1 : 0, p, &res);
	assert_int_equal(rc, 0);
	return res;
}

static void test_sync_table(void **state)
{
	struct sync_test_ctx *t = talloc_get_type_abort(*state,
						struct sync_test_ctx);
	struct cr_sync_policy p = default_policy();
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct sync_case *c = &cases[i];
		struct cr_sync_result *res = run_case(t->mem, c, &p);

		printf("case %zu: %s\n", i, c->name);
		assert_false(res->stopped);
		assert_int_equal(res->num_actions, c->n_actions);
		if (c->n_actions >= 1) {
			assert_string_equal(
				cr_sync_verb_name(res->actions[0].verb),
				cr_sync_verb_name(c->verb1));
			assert_string_equal(
				cr_sync_rule_name(res->actions[0].rule),
				cr_sync_rule_name(c->rule1));
			assert_int_equal(res->actions[0].event, c->event1);
			/* identity is case-insensitive: one group */
			assert_int_equal(res->actions[0].type, c->type);
		}
		if (c->n_actions >= 2) {
			assert_string_equal(
				cr_sync_verb_name(res->actions[1].verb),
				cr_sync_verb_name(c->verb2));
			assert_string_equal(
				cr_sync_rule_name(res->actions[1].rule),
				cr_sync_rule_name(c->rule2));
		}
	}
}

static void test_sync_policy_switches_filters_off(void **state)
{
	struct sync_test_ctx *t = talloc_get_type_abort(*state,
						struct sync_test_ctx);
	struct cr_sync_policy p = default_policy();
	const struct sync_case key = {
		"", 1, A, NOW, 100, false, false, false, NONE, NULL, 0, NULL,
	};
	const struct sync_case mk = {
		"", 0, A, NOW, 100, false, false, false, NONE, NULL, 0, NULL,
	};
	const struct sync_case sc = {
		"", 3, A, NOW, 100, true, true, true, NONE, NULL, 0, NULL,
	};
	struct cr_sync_result *res = NULL;

	p.roam_unaffiliated_keys = true;
	p.roam_unused_dpapi_keys = true;
	p.roam_smart_card_certificates = true;
	res = run_case(t->mem, &key, &p);
	assert_int_equal(res->actions[0].verb, CR_SYNC_UPLOAD);
	res = run_case(t->mem, &mk, &p);
	assert_int_equal(res->actions[0].verb, CR_SYNC_UPLOAD);
	res = run_case(t->mem, &sc, &p);
	assert_int_equal(res->actions[0].verb, CR_SYNC_UPLOAD);
}

static void test_sync_tombstone_days_from_policy(void **state)
{
	struct sync_test_ctx *t = talloc_get_type_abort(*state,
						struct sync_test_ctx);
	struct cr_sync_policy p = default_policy();
	const struct sync_case c = {
		"", 3, NULL, 0, 0, false, false, false, DEAD, NULL,
		NOW - 2 * DAY, NULL,
	};
	struct cr_sync_result *res = NULL;

	res = run_case(t->mem, &c, &p);
	assert_int_equal(res->num_actions, 0);
	p.tombstone_days = 1;
	res = run_case(t->mem, &c, &p);
	assert_int_equal(res->num_actions, 1);
	assert_int_equal(res->actions[0].verb, CR_SYNC_ERODE);
}

/* Build n local items (and optionally n remote ones) named by index. */
static void many(TALLOC_CTX *mem, size_t n, struct cr_sync_local **pl,
		 struct cr_sync_remote **pr)
{
	struct cr_sync_local *l = talloc_zero_array(mem,
					struct cr_sync_local, n);
	struct cr_sync_remote *r = talloc_zero_array(mem,
					struct cr_sync_remote, n);
	size_t i;

	for (i = 0; i < n; i++) {
		char *id = talloc_asprintf(mem, "%040zX", i);

		l[i] = (struct cr_sync_local) {
			.type = 7, .id = id, .sha1 = A, .filetime = NOW,
			.token_size = 100, .affiliated = true,
			.protects_roamed_key = true,
		};
		r[i] = (struct cr_sync_remote) {
			.type = 7, .id = id, .sha1 = A, .filetime = NOW,
		};
	}
	*pl = l;
	*pr = r;
}

static void test_sync_too_many_local_stops_new_uploads(void **state)
{
	struct sync_test_ctx *t = talloc_get_type_abort(*state,
						struct sync_test_ctx);
	struct cr_sync_policy p = default_policy();
	struct cr_sync_local *l = NULL;
	struct cr_sync_remote *r = NULL;
	struct cr_sync_result *res = NULL;
	size_t i, uploads = 0, skips = 0, keeps = 0;

	p.max_tokens = 10;
	many(t->mem, 11, &l, &r);
	/* 5 already roam, 6 are new: 11 live local items > 10 */
	assert_int_equal(cr_sync_reconcile(t->mem, l, 11, r, 5, NULL, 0, &p,
					   &res), 0);
	for (i = 0; i < res->num_actions; i++) {
		uploads += res->actions[i].verb == CR_SYNC_UPLOAD;
		keeps += res->actions[i].verb == CR_SYNC_KEEP;
		if (res->actions[i].verb == CR_SYNC_SKIP) {
			assert_int_equal(res->actions[i].event,
					 CR_EVENT_TOO_MANY_LOCAL);
			skips++;
		}
	}
	assert_int_equal(keeps, 5);
	assert_int_equal(uploads, 0);
	assert_int_equal(skips, 6);

	/* exactly the maximum is fine */
	assert_int_equal(cr_sync_reconcile(t->mem, l, 10, r, 5, NULL, 0, &p,
					   &res), 0);
	for (i = 0, uploads = 0; i < res->num_actions; i++) {
		uploads += res->actions[i].verb == CR_SYNC_UPLOAD;
	}
	assert_int_equal(uploads, 5);
}

static void test_sync_too_many_in_ad_stops_roaming(void **state)
{
	struct sync_test_ctx *t = talloc_get_type_abort(*state,
						struct sync_test_ctx);
	struct cr_sync_policy p = default_policy();
	struct cr_sync_local *l = NULL;
	struct cr_sync_remote *r = NULL;
	struct cr_sync_result *res = NULL;

	p.max_tokens = 5;
	many(t->mem, 11, &l, &r);
	assert_int_equal(cr_sync_reconcile(t->mem, l, 1, r, 11, NULL, 0, &p,
					   &res), 0);
	assert_true(res->stopped);
	assert_int_equal(res->stop_event, CR_EVENT_TOO_MANY_AD);
	assert_int_equal(res->num_actions, 0);

	/* 10 = 2 x 5 still roams */
	assert_int_equal(cr_sync_reconcile(t->mem, l, 1, r, 10, NULL, 0, &p,
					   &res), 0);
	assert_false(res->stopped);
}

static void test_sync_groups_by_type_and_id(void **state)
{
	struct sync_test_ctx *t = talloc_get_type_abort(*state,
						struct sync_test_ctx);
	struct cr_sync_policy p = default_policy();
	/* same identifier, different types: two items */
	const struct cr_sync_local l[2] = {
		{ .type = 3, .id = "X", .sha1 = A, .filetime = NOW,
		  .token_size = 1, .affiliated = true },
		{ .type = 7, .id = "X", .sha1 = A, .filetime = NOW,
		  .token_size = 1, .affiliated = true },
	};
	const struct cr_sync_remote r[1] = {
		{ .type = 7, .id = "x", .sha1 = A, .filetime = NOW },
	};
	struct cr_sync_result *res = NULL;

	assert_int_equal(cr_sync_reconcile(t->mem, l, 2, r, 1, NULL, 0, &p,
					   &res), 0);
	assert_int_equal(res->num_actions, 2);
	assert_int_equal(res->actions[0].type, 3);
	assert_int_equal(res->actions[0].verb, CR_SYNC_UPLOAD);
	assert_int_equal(res->actions[1].type, 7);
	assert_int_equal(res->actions[1].verb, CR_SYNC_KEEP);
}

static void test_sync_empty(void **state)
{
	struct sync_test_ctx *t = talloc_get_type_abort(*state,
						struct sync_test_ctx);
	struct cr_sync_policy p = default_policy();
	struct cr_sync_result *res = NULL;

	assert_int_equal(cr_sync_reconcile(t->mem, NULL, 0, NULL, 0, NULL, 0,
					   &p, &res), 0);
	assert_int_equal(res->num_actions, 0);
	assert_false(res->stopped);
}

/* "Preferred" only names the key in use: it follows the normal rules,
 * so machines that each picked one converge on the newer choice. */
static void test_sync_preferred_follows_rules(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	const struct cr_sync_local l = {
		.type = 0, .id = "Preferred", .sha1 = B, .filetime = NOW,
		.token_size = 156, .protects_roamed_key = true,
	};
	const struct cr_sync_remote r = {
		.type = 0, .id = "Preferred", .sha1 = C,
		.filetime = NOW - DAY,
	};
	const struct cr_sync_state s = { .type = 0, .id = "Preferred",
					 .sha1 = A };
	struct cr_sync_policy p = {
		.tombstone_days = 60, .max_tokens = 2000,
		.max_token_size = 65535, .now = NOW,
	};
	struct cr_sync_result *res = NULL;

	assert_int_equal(cr_sync_reconcile(mem, &l, 1, &r, 1, &s, 1, &p,
					   &res), 0);
	assert_int_equal(res->num_actions, 1);
	assert_int_equal(res->actions[0].verb, CR_SYNC_UPLOAD);
	assert_int_equal(res->actions[0].rule, CR_RULE_CONFLICT_LOCAL_WINS);
	talloc_free(mem);
}

/* "Preferred" names the key in use: never filtered as an unused key. */
static void test_sync_preferred_never_unused(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	const struct cr_sync_local l[] = {
		{ .type = 0, .id = "Preferred", .sha1 = A, .filetime = NOW,
		  .token_size = 156 },
		{ .type = 0, .id = "0f0e0d0c-0b0a-0908-0706-050403020100",
		  .sha1 = B, .filetime = NOW, .token_size = 500 },
	};
	struct cr_sync_policy p = {
		.tombstone_days = 60, .max_tokens = 2000,
		.max_token_size = 65535, .now = NOW,
	};
	struct cr_sync_result *res = NULL;

	assert_int_equal(cr_sync_reconcile(mem, l, 2, NULL, 0, NULL, 0, &p,
					   &res), 0);
	assert_int_equal(res->num_actions, 2);
	assert_int_equal(res->actions[0].verb, CR_SYNC_SKIP);
	assert_int_equal(res->actions[0].rule, CR_RULE_FILTERED);
	assert_string_equal(res->actions[1].id, "Preferred");
	assert_int_equal(res->actions[1].verb, CR_SYNC_UPLOAD);
	talloc_free(mem);
}

/* Duplicate identities in AD: the newer roams, the first of a tie. */
static void test_sync_drop_duplicates(void **state)
{
	const struct cr_sync_remote r[] = {
		{ .type = 3, .id = "X", .filetime = 10 },
		{ .type = 3, .id = "x", .filetime = 20 },	/* newer */
		{ .type = 7, .id = "X", .filetime = 5 },	/* other type */
		{ .type = 3, .id = "Y", .filetime = 7 },	/* first: wins */
		{ .type = 3, .id = "Y", .filetime = 7 },
		{ .type = 3, .id = "Z", .filetime = 99 },	/* out already */
		{ .type = 3, .id = "Z", .filetime = 1 },
	};
	bool dropped[7] = { false, false, false, false, false, true, false };

	assert_int_equal(cr_sync_drop_duplicates(r, 7, dropped), 2);
	assert_true(dropped[0]);
	assert_false(dropped[1]);
	assert_false(dropped[2]);
	assert_false(dropped[3]);
	assert_true(dropped[4]);
	assert_false(dropped[6]);
}

/*
 * Equal FILETIMEs: a tombstone wins, then the greater content hash; the
 * same copy whichever comes first (every machine removes the same one).
 */
static void test_sync_drop_duplicates_tie_breaks(void **state)
{
	const struct cr_sync_remote live_tomb[] = {
		{ .type = 3, .id = "T", .sha1 = B, .filetime = 7 },
		{ .type = 3, .id = "T", .sha1 = A, .filetime = 7,
		  .tombstone = true },
	};
	const struct cr_sync_remote tomb_live[] = {
		live_tomb[1], live_tomb[0],
	};
	const struct cr_sync_remote ab[] = {
		{ .type = 3, .id = "H", .sha1 = A, .filetime = 7 },
		{ .type = 3, .id = "H", .sha1 = B, .filetime = 7 },
	};
	const struct cr_sync_remote ba[] = { ab[1], ab[0] };
	bool d[2] = { false, false };

	assert_int_equal(cr_sync_drop_duplicates(live_tomb, 2, d), 1);
	assert_true(d[0]);
	d[0] = d[1] = false;
	assert_int_equal(cr_sync_drop_duplicates(tomb_live, 2, d), 1);
	assert_true(d[1]);
	d[0] = d[1] = false;
	assert_int_equal(cr_sync_drop_duplicates(ab, 2, d), 1);
	assert_true(d[0]);		/* A < B: B roams */
	d[0] = d[1] = false;
	assert_int_equal(cr_sync_drop_duplicates(ba, 2, d), 1);
	assert_true(d[1]);
}

/* A marked older copy is removed from AD, a master key's never. */
static void test_sync_duplicates_eroded(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	const struct cr_sync_remote r[] = {
		{ .type = 3, .id = "C", .sha1 = A, .filetime = NOW - 2,
		  .duplicate = true, .value_index = 0 },
		{ .type = 3, .id = "C", .sha1 = B, .filetime = NOW - 1,
		  .value_index = 1 },
		{ .type = 0, .id = "0f0e0d0c-0b0a-0908-0706-050403020100",
		  .sha1 = A, .filetime = NOW - 2, .duplicate = true,
		  .value_index = 2 },
		{ .type = 0, .id = "0f0e0d0c-0b0a-0908-0706-050403020100",
		  .sha1 = B, .filetime = NOW - 1, .value_index = 3 },
		{ .type = 0, .id = "Preferred", .sha1 = A,
		  .filetime = NOW - 2, .duplicate = true, .value_index = 4 },
		{ .type = 0, .id = "Preferred", .sha1 = B,
		  .filetime = NOW - 1, .value_index = 5 },
	};
	struct cr_sync_policy p = default_policy();
	struct cr_sync_result *res = NULL;
	size_t i;
	size_t eroded = 0;

	assert_int_equal(cr_sync_reconcile(mem, NULL, 0, r, 6, NULL, 0, &p,
					   &res), 0);
	for (i = 0; i < res->num_actions; i++) {
		const struct cr_sync_action *a = &res->actions[i];

		if (a->verb == CR_SYNC_ERODE) {
			assert_int_equal(a->rule, CR_RULE_DUPLICATE);
			assert_true(a->remote->duplicate);
			assert_true(a->remote->value_index == 0 ||
				    a->remote->value_index == 4);
			eroded++;
		} else {
			/* the roaming copies: downloads, new remote */
			assert_int_equal(a->verb, CR_SYNC_DOWNLOAD);
			assert_false(a->remote->duplicate);
		}
	}
	assert_int_equal(eroded, 2);
	assert_int_equal(res->num_actions, 5);
	talloc_free(mem);
}

/* The S column: what each verb leaves L and R agreeing on. */
static void test_sync_next_state(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	const struct cr_sync_local l[] = {
		{ .type = 3, .id = "K", .sha1 = A },
		{ .type = 3, .id = "U", .sha1 = B },
		{ .type = 3, .id = "S", .sha1 = C },
	};
	const struct cr_sync_remote r[] = {
		{ .type = 3, .id = "D", .sha1 = B },
		{ .type = 0, .id = "M", .sha1 = C },
	};
	const struct cr_sync_state s[] = {
		{ .type = 3, .id = "S", .sha1 = A },
		{ .type = 0, .id = "M", .sha1 = A },
	};
	const struct cr_sync_action acts[] = {
		{ .verb = CR_SYNC_KEEP, .type = 3, .id = "K", .local = &l[0] },
		{ .verb = CR_SYNC_UPLOAD, .type = 3, .id = "U",
		  .local = &l[1] },
		{ .verb = CR_SYNC_DOWNLOAD, .type = 3, .id = "D",
		  .remote = &r[0] },
		{ .verb = CR_SYNC_SKIP, .rule = CR_RULE_TOO_BIG, .type = 3,
		  .id = "S", .local = &l[2], .state = &s[0] },
		{ .verb = CR_SYNC_SKIP, .rule = CR_RULE_MASTERKEY_CONFLICT,
		  .type = 0, .id = "M", .remote = &r[1], .state = &s[1] },
		{ .verb = CR_SYNC_TOMBSTONE, .type = 3, .id = "T" },
		{ .verb = CR_SYNC_FORGET, .type = 3, .id = "F" },
		{ .verb = CR_SYNC_SKIP, .rule = CR_RULE_FILTERED, .type = 1,
		  .id = "N", .local = &l[0] },
	};
	const struct cr_sync_result res = {
		.actions = (struct cr_sync_action *)acts,
		.num_actions = sizeof(acts) / sizeof(acts[0]),
	};
	const char *want_id[] = { "K", "U", "D", "S", "M" };
	const char *want_sha1[] = { A, B, B, A, C };
	struct cr_sync_state *next = NULL;
	size_t n = 0;
	size_t i;

	assert_int_equal(cr_sync_next_state(mem, &res, &next, &n), 0);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++) {
		printf("next state item %zu\n", i);
		assert_string_equal(next[i].id, want_id[i]);
		assert_string_equal(next[i].sha1, want_sha1[i]);
	}
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_sync_preferred_follows_rules),
		cr_unit_test(test_sync_preferred_never_unused),
		cr_unit_test(test_sync_drop_duplicates),
		cr_unit_test(test_sync_drop_duplicates_tie_breaks),
		cr_unit_test(test_sync_duplicates_eroded),
		cr_unit_test(test_sync_next_state),
		cmocka_unit_test_setup_teardown(test_sync_table, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_sync_policy_switches_filters_off, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_sync_tombstone_days_from_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_sync_too_many_local_stops_new_uploads, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_sync_too_many_in_ad_stops_roaming, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_sync_groups_by_type_and_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_empty, setup,
						teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.sync", tests,
					   NULL, NULL);
}
