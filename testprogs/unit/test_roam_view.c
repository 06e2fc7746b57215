/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The roaming view taken as data: hand-built L (local store), R (AD) and
 * S (state) in, the arrays sync.c reads, its actions and the next state
 * out.  No AD, no store on disk.
 */
#include "config.h"

#include "test_util.h"

#include "format/token.h"
#include "roam/report.h"
#include "roam/sync.h"
#include "roam/view.h"
#include "store/localstore.h"
#include "store/state.h"

#define NOW (200000 * CR_FILETIME_DAY)
#define GUID_A "0f0e0d0c-0b0a-0908-0706-050403020100"
#define GUID_B "1f0e0d0c-0b0a-0908-0706-050403020100"
#define GUID_C "2f0e0d0c-0b0a-0908-0706-050403020100"
/* certificate identities (thumbprints) */
#define TP_W "5757575757575757575757575757575757575757"
#define TP_X "5858585858585858585858585858585858585858"
#define TP_Y "5959595959595959595959595959595959595959"
#define TP_Z "5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A"

static struct cr_token *mk_token(TALLOC_CTX *mem_ctx, const char *id,
				 uint64_t filetime, const char *data)
{
	struct cr_token *t = NULL;
	int ret;

	ret = cr_token_build(mem_ctx, CR_TOKEN_DPAPI_MASTER_KEY, id, filetime,
			     0, (const uint8_t *)data, strlen(data), NULL, 0,
			     &t, NULL);
	assert_int_equal(ret, 0);
	return t;
}

static struct cr_roam_view *new_view(TALLOC_CTX *mem_ctx)
{
	struct cr_roam_view *v = talloc_zero(mem_ctx, struct cr_roam_view);

	assert_non_null(v);
	v->local = talloc_zero(v, struct cr_store_view);
	assert_non_null(v->local);
	return v;
}

static void add_local(struct cr_roam_view *v, struct cr_token *t)
{
	struct cr_store_view *l = v->local;

	l->tokens = talloc_realloc(l, l->tokens, struct cr_store_token,
				   l->num_tokens + 1);
	assert_non_null(l->tokens);
	l->tokens[l->num_tokens].token = talloc_steal(l->tokens, t);
	l->tokens[l->num_tokens].relpath = NULL;
	l->num_tokens++;
}

static void add_remote_value(struct cr_roam_view *v, struct cr_token *t,
			     const char *value)
{
	v->remote = talloc_realloc(v, v->remote, struct cr_roam_remote,
				   v->num_remote + 1);
	assert_non_null(v->remote);
	v->remote[v->num_remote] = (struct cr_roam_remote) {
		.attr = t->type == CR_TOKEN_DPAPI_MASTER_KEY
			? CR_AD_MASTERKEYS : CR_AD_CREDENTIALS,
		.value = value,
		.token = talloc_steal(v->remote, t),
	};
	v->num_remote++;
}

static void add_remote(struct cr_roam_view *v, struct cr_token *t)
{
	add_remote_value(v, t, "value");
}

static struct cr_token *mk_typed(TALLOC_CTX *mem_ctx, unsigned type,
				 const char *id, uint64_t filetime,
				 const char *data)
{
	struct cr_token *t = NULL;

	assert_int_equal(cr_token_build(mem_ctx, type, id, filetime, 0,
					(const uint8_t *)data, strlen(data),
					NULL, 0, &t, NULL), 0);
	return t;
}

static struct cr_token *mk_tombstone(TALLOC_CTX *mem_ctx,
				     const struct cr_token *old,
				     uint64_t filetime)
{
	struct cr_token *t = NULL;

	assert_int_equal(cr_token_tombstone(mem_ctx, old, filetime, &t, NULL),
			 0);
	return t;
}

static struct cr_state *new_state(TALLOC_CTX *mem_ctx, size_t n)
{
	struct cr_state *s = talloc_zero(mem_ctx, struct cr_state);

	assert_non_null(s);
	s->items = talloc_zero_array(s, struct cr_state_item, n + 1);
	assert_non_null(s->items);
	return s;
}

static void add_state(struct cr_state *s, const struct cr_token *t)
{
	struct cr_state_item *it = &s->items[s->num_items++];

	it->type = t->type;
	it->id = talloc_strdup(s, t->identifier);
	it->sha1 = cr_token_content_hash(s, t);
}

static const struct cr_sync_policy policy = {
	.tombstone_days = 60,
	.max_tokens = 2000,
	.max_token_size = 65535,
	.roam_unaffiliated_keys = true,
	.roam_unused_dpapi_keys = true,
	.roam_smart_card_certificates = true,
	.now = NOW,
};

/* Two AD values of one identity: the newer roams, the older is reported
 * and goes to sync.c marked (its place in R stays, without a token). */
static void test_roam_view_duplicates_newer_wins(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct cr_roam_report *report = talloc_zero(mem,
						    struct cr_roam_report);
	struct cr_roam_view *v = new_view(mem);
	struct cr_state *s = new_state(mem, 0);
	struct cr_roam_sync_input *in = NULL;

	add_remote(v, mk_token(mem, GUID_A, NOW - 10, "old"));
	add_remote(v, mk_token(mem, GUID_A, NOW, "new"));
	add_remote(v, mk_token(mem, GUID_B, NOW, "other"));
	assert_int_equal(cr_roam_view_drop_duplicates(v, report), 0);
	assert_null(v->remote[0].token);
	assert_non_null(v->remote[1].token);
	assert_int_equal(report->num_problems, 1);
	cr_assert_contains(report->problems[0].message, "in AD twice");

	assert_int_equal(cr_roam_view_sync_input(mem, v, s, NULL, 0, &in), 0);
	assert_int_equal(in->num_remote, 3);
	assert_true(in->remote[0].duplicate);
	assert_int_equal(in->remote[0].value_index, 0);
	assert_false(in->remote[1].duplicate);
	assert_int_equal(in->remote[1].value_index, 1);
	assert_false(in->remote[2].duplicate);
	assert_int_equal(in->remote[2].value_index, 2);
	talloc_free(mem);
}

/*
 * What one machine's run sees after two machines of the user changed
 * tokens through two DCs and replication merged the linked values
 * (issue 20).  mem1 wrote at dc1, mem2 at dc2:
 *   X  deleted on both: two tombstones (mem1's older);
 *   W  changed on both: mem1's copy (in mem1's L and S) and mem2's newer;
 *   Y  imported on mem1, Z imported on mem2;
 *   M  a master key both machines hold in two differing copies.
 * `order` says in which order the DC returns the values; the run must
 * decide the same whatever it is.  Returns the values removed from AD as
 * one string.
 */
static char *merged_run(TALLOC_CTX *mem, const size_t order[7],
			struct cr_sync_result **pres)
{
	struct cr_roam_report *report = talloc_zero(mem,
						    struct cr_roam_report);
	struct cr_roam_view *v = new_view(mem);
	struct cr_state *s = new_state(mem, 4);
	struct cr_token *x = mk_typed(mem, 3, TP_X, NOW - 100, "x");
	struct cr_token *w_mine = mk_typed(mem, 3, TP_W, NOW - 50, "w1");
	struct cr_token *w_theirs = mk_typed(mem, 3, TP_W, NOW - 40, "w2");
	struct cr_token *y = mk_typed(mem, 3, TP_Y, NOW - 30, "y");
	struct cr_token *z = mk_typed(mem, 3, TP_Z, NOW - 20, "z");
	struct cr_token *m1 = mk_token(mem, GUID_A, NOW - 90, "mk1");
	struct cr_token *m2 = mk_token(mem, GUID_A, NOW - 80, "mk2");
	struct cr_token *values[7] = {
		mk_tombstone(mem, x, NOW - 12), mk_tombstone(mem, x, NOW - 11),
		w_mine, w_theirs, y, z, m1,
	};
	const char *names[7] = {
		"x-tomb-dc1", "x-tomb-dc2", "w-dc1", "w-dc2", "y", "z",
		"m-dc1",
	};
	struct cr_roam_sync_input *in = NULL;
	char *eroded = talloc_strdup(mem, "");
	size_t i;

	add_local(v, talloc_steal(v, w_mine));
	add_local(v, talloc_steal(v, y));
	add_local(v, talloc_steal(v, m2));
	add_state(s, v->local->tokens[0].token);
	add_state(s, v->local->tokens[1].token);
	add_state(s, v->local->tokens[2].token);
	for (i = 0; i < 7; i++) {
		struct cr_token *t = values[order[i]];

		if (t == w_mine) {
			t = mk_typed(mem, 3, TP_W, NOW - 50, "w1");
		}
		add_remote_value(v, t, names[order[i]]);
	}
	/* M's other copy: the one mem2 wrote */
	add_remote_value(v, mk_token(mem, GUID_A, NOW - 80, "mk2"), "m-dc2");
	assert_int_equal(cr_roam_view_drop_duplicates(v, report), 0);
	assert_int_equal(cr_roam_view_sync_input(mem, v, s, NULL, 0, &in), 0);
	assert_int_equal(cr_sync_reconcile(mem, in->local, in->num_local,
					   in->remote, in->num_remote,
					   in->state, in->num_state, &policy,
					   pres), 0);
	for (i = 0; i < (*pres)->num_actions; i++) {
		const struct cr_sync_action *a = &(*pres)->actions[i];

		/* nothing this machine holds is taken for removed */
		assert_int_not_equal(a->verb, CR_SYNC_TRASH_LOCAL);
		assert_int_not_equal(a->verb, CR_SYNC_TOMBSTONE);
		if (a->verb != CR_SYNC_ERODE) {
			continue;
		}
		assert_int_equal(a->rule, CR_RULE_DUPLICATE);
		eroded = talloc_asprintf_append(
			eroded, "%s ", v->remote[a->remote->value_index].value);
	}
	return eroded;
}

static const struct cr_sync_action *action_for(
	const struct cr_sync_result *res, unsigned type, const char *id)
{
	size_t i;

	for (i = 0; i < res->num_actions; i++) {
		const struct cr_sync_action *a = &res->actions[i];

		if (a->type == type && strcmp(a->id, id) == 0 &&
		    a->verb != CR_SYNC_ERODE) {
			return a;
		}
	}
	return NULL;
}

static void test_roam_view_replication_merge(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	const size_t dc1_order[7] = { 0, 1, 2, 3, 4, 5, 6 };
	const size_t dc2_order[7] = { 6, 5, 3, 1, 4, 2, 0 };
	struct cr_sync_result *res = NULL;
	struct cr_sync_result *res2 = NULL;
	const struct cr_sync_action *a = NULL;
	char *eroded = NULL;

	/* the older copy of each, never a master key: one value each; the
	 * same copies whatever order the DC returns them in */
	eroded = merged_run(mem, dc1_order, &res);
	assert_int_equal(strlen(eroded), strlen("x-tomb-dc1 w-dc1 "));
	cr_assert_contains(eroded, "x-tomb-dc1 ");
	cr_assert_contains(eroded, "w-dc1 ");
	eroded = merged_run(mem, dc2_order, &res2);
	assert_int_equal(strlen(eroded), strlen("x-tomb-dc1 w-dc1 "));
	cr_assert_contains(eroded, "x-tomb-dc1 ");
	cr_assert_contains(eroded, "w-dc1 ");

	a = action_for(res, 3, TP_W);
	assert_non_null(a);
	assert_int_equal(a->verb, CR_SYNC_DOWNLOAD);	/* the newer copy */
	assert_int_equal(action_for(res, 3, TP_Y)->verb, CR_SYNC_KEEP);
	assert_int_equal(action_for(res, 3, TP_Z)->verb, CR_SYNC_DOWNLOAD);
	assert_null(action_for(res, 3, TP_X));		/* forgotten already */
	a = action_for(res, 0, GUID_A);
	assert_non_null(a);
	assert_int_equal(a->verb, CR_SYNC_KEEP);	/* its own copy roams */
	talloc_free(mem);
}

/* A dry run's simulated removals are not part of L. */
static void test_roam_view_left_out_of_local(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct cr_roam_view *v = new_view(mem);
	struct cr_state *s = new_state(mem, 0);
	struct cr_state_item gone = {
		.type = CR_TOKEN_DPAPI_MASTER_KEY, .id = (char *)GUID_A,
	};
	struct cr_roam_sync_input *in = NULL;

	add_local(v, mk_token(mem, GUID_A, NOW, "a"));
	add_local(v, mk_token(mem, GUID_B, NOW, "b"));
	assert_int_equal(cr_roam_view_sync_input(mem, v, s, &gone, 1, &in),
			 0);
	assert_int_equal(in->num_local, 1);
	assert_string_equal(in->local[0].id, GUID_B);
	assert_int_equal(in->local[0].token_size,
			 v->local->tokens[1].token->raw_len);
	talloc_free(mem);
}

/* L, R and S in; the actions and the next state out. */
static void test_roam_view_to_next_state(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct cr_roam_view *v = new_view(mem);
	struct cr_state *s = new_state(mem, 2);
	struct cr_token *local_only = mk_token(mem, GUID_A, NOW, "a");
	struct cr_token *remote_only = mk_token(mem, GUID_B, NOW, "b");
	struct cr_token *forgotten = mk_token(mem, GUID_C, NOW, "c");
	struct cr_roam_sync_input *in = NULL;
	struct cr_sync_result *res = NULL;
	struct cr_sync_state *next = NULL;
	size_t num_next = 0;

	add_state(s, forgotten);	/* S only: forget */
	add_local(v, local_only);	/* new local: upload */
	add_remote(v, remote_only);	/* new remote: download */
	assert_int_equal(cr_roam_view_sync_input(mem, v, s, NULL, 0, &in), 0);
	assert_int_equal(cr_sync_reconcile(mem, in->local, in->num_local,
					   in->remote, in->num_remote,
					   in->state, in->num_state, &policy,
					   &res), 0);
	assert_int_equal(res->num_actions, 3);
	assert_int_equal(res->actions[0].verb, CR_SYNC_UPLOAD);
	assert_int_equal(res->actions[1].verb, CR_SYNC_DOWNLOAD);
	assert_int_equal(res->actions[2].verb, CR_SYNC_FORGET);

	assert_int_equal(cr_sync_next_state(mem, res, &next, &num_next), 0);
	assert_int_equal(num_next, 2);
	assert_string_equal(next[0].id, GUID_A);
	assert_string_equal(next[0].sha1,
			    cr_token_content_hash(mem, local_only));
	assert_string_equal(next[1].id, GUID_B);
	assert_string_equal(next[1].sha1,
			    cr_token_content_hash(mem, remote_only));
	talloc_free(mem);
}

/* A live token: the local one first, else AD's; never a tombstone. */
static void test_roam_view_find_token(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct cr_roam_view *v = new_view(mem);
	struct cr_token *local = mk_token(mem, GUID_A, NOW, "local");
	struct cr_token *remote = mk_token(mem, GUID_A, NOW, "remote");
	struct cr_token *dead = NULL;

	assert_int_equal(cr_token_tombstone(mem, mk_token(mem, GUID_B, NOW,
							  "x"),
					    NOW, &dead, NULL), 0);
	add_local(v, local);
	add_remote(v, remote);
	add_remote(v, dead);
	assert_ptr_equal(cr_roam_view_find_token(v, 0, GUID_A), local);
	assert_null(cr_roam_view_find_token(v, 0, GUID_B));
	assert_null(cr_roam_view_find_token(v, 3, GUID_A));
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_roam_view_duplicates_newer_wins),
		cr_unit_test(test_roam_view_replication_merge),
		cr_unit_test(test_roam_view_left_out_of_local),
		cr_unit_test(test_roam_view_to_next_state),
		cr_unit_test(test_roam_view_find_token),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.roam_view",
					   tests, NULL, NULL);
}
