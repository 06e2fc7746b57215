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

static void add_remote(struct cr_roam_view *v, struct cr_token *t)
{
	v->remote = talloc_realloc(v, v->remote, struct cr_roam_remote,
				   v->num_remote + 1);
	assert_non_null(v->remote);
	v->remote[v->num_remote].attr = CR_AD_MASTERKEYS;
	v->remote[v->num_remote].value = "value";
	v->remote[v->num_remote].token = talloc_steal(v->remote, t);
	v->num_remote++;
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
 * and left alone (its place in R stays, without a token). */
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
	assert_int_equal(in->num_remote, 2);
	assert_int_equal(in->remote[0].value_index, 1);
	assert_int_equal(in->remote[1].value_index, 2);
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
		cr_unit_test(test_roam_view_left_out_of_local),
		cr_unit_test(test_roam_view_to_next_state),
		cr_unit_test(test_roam_view_find_token),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.roam_view",
					   tests, NULL, NULL);
}
