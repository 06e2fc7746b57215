/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Three-way reconciliation; see sync.h and DESIGN.md section 5.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/stackframe.h"
#include "roam/sync.h"
#include "format/token.h"

enum cr_sync_side { SIDE_LOCAL, SIDE_REMOTE, SIDE_STATE };

struct sync_key {
	unsigned type;
	const char *id;
	enum cr_sync_side side;
	size_t index;
};

struct sync_group {
	unsigned type;
	const char *id;
	const struct cr_sync_local *l;
	const struct cr_sync_remote *r;
	const struct cr_sync_state *s;
};

/* Identifiers compare without case: Windows' stores are file names on a
 * case-insensitive file system, so "ABC" and "abc" are one item. */
static int key_cmp(const void *a, const void *b)
{
	const struct sync_key *ka = a;
	const struct sync_key *kb = b;
	int c;

	if (ka->type != kb->type) {
		return (ka->type < kb->type) ? -1 : 1;
	}
	c = strcasecmp(ka->id, kb->id);
	if (c != 0) {
		return c;
	}
	return (int)ka->side - (int)kb->side;
}

struct sync_ctx {
	const struct cr_sync_policy *policy;
	struct cr_sync_result *result;
	size_t cap;
	bool local_full;
};

static int emit(struct sync_ctx *ctx, const struct sync_group *g,
		enum cr_sync_verb verb, enum cr_sync_rule rule,
		enum cr_sync_event event)
{
	struct cr_sync_result *res = ctx->result;
	struct cr_sync_action *a = NULL;

	if (res->num_actions == ctx->cap) {
		size_t cap = ctx->cap ? ctx->cap * 2 : 16;
		struct cr_sync_action *grown = talloc_realloc(
			res, res->actions, struct cr_sync_action, cap);

		if (grown == NULL) {
			return ENOMEM;
		}
		res->actions = grown;
		ctx->cap = cap;
	}
	a = &res->actions[res->num_actions++];
	*a = (struct cr_sync_action) {
		.verb = verb,
		.rule = rule,
		.event = event,
		.type = g->type,
		.id = g->id,
		.local = g->l,
		.remote = g->r,
		.state = g->s,
	};
	return 0;
}


static bool is_preferred(const char *id)
{
	return strcasecmp(id, CR_TOKEN_PREFERRED_ID) == 0;
}

/*
 * Windows' filters: what stays local unless the policy says otherwise.
 * "Preferred" names the key in use, so it is never an unused master key.
 */
static bool filtered(const struct cr_sync_policy *p,
		     const struct cr_sync_local *l)
{
	bool unused_masterkey = l->type == CR_TOKEN_DPAPI_MASTER_KEY &&
				!is_preferred(l->id) &&
				!l->protects_roamed_key;

	if (cr_token_type_is_key(l->type) && !l->affiliated &&
	    !p->roam_unaffiliated_keys) {
		return true;
	}
	if (unused_masterkey && !p->roam_unused_dpapi_keys) {
		return true;
	}
	if (cr_token_type_is_certificate(l->type) && l->smart_card &&
	    !p->roam_smart_card_certificates) {
		return true;
	}
	return false;
}

/* An upload, subject to size; a new item also to the filters and count. */
static int upload(struct sync_ctx *ctx, const struct sync_group *g,
		  enum cr_sync_rule rule, bool new_item,
		  enum cr_sync_event event)
{
	const struct cr_sync_policy *p = ctx->policy;

	if (new_item && filtered(p, g->l)) {
		return emit(ctx, g, CR_SYNC_SKIP, CR_RULE_FILTERED,
			    CR_EVENT_NONE);
	}
	if (g->l->token_size > p->max_token_size) {
		return emit(ctx, g, CR_SYNC_SKIP, CR_RULE_TOO_BIG,
			    CR_EVENT_TOO_BIG);
	}
	if (new_item && ctx->local_full) {
		return emit(ctx, g, CR_SYNC_SKIP, CR_RULE_TOO_MANY_LOCAL,
			    CR_EVENT_TOO_MANY_LOCAL);
	}
	return emit(ctx, g, CR_SYNC_UPLOAD, rule, event);
}

static bool expired(const struct cr_sync_policy *p,
		    const struct cr_sync_remote *r)
{
	uint64_t age = (uint64_t)p->tombstone_days * CR_FILETIME_DAY;

	return r->tombstone && p->now > r->filetime &&
	       p->now - r->filetime > age;
}

static bool same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}


static int both_live(struct sync_ctx *ctx, const struct sync_group *g)
{
	const struct cr_sync_local *l = g->l;
	const struct cr_sync_remote *r = g->r;
	bool local_wins;

	if (same(l->sha1, r->sha1)) {
		return emit(ctx, g, CR_SYNC_KEEP, CR_RULE_SAME, CR_EVENT_NONE);
	}
	/* A master key is never overwritten either way: both are kept.
	 * "Preferred" only names the key in use; it follows the rules. */
	if (g->type == CR_TOKEN_DPAPI_MASTER_KEY && !is_preferred(g->id)) {
		return emit(ctx, g, CR_SYNC_SKIP, CR_RULE_MASTERKEY_CONFLICT,
			    CR_EVENT_CONFLICT);
	}
	if (g->s != NULL && same(g->s->sha1, r->sha1)) {
		return upload(ctx, g, CR_RULE_LOCAL_CHANGED, false,
			      CR_EVENT_NONE);
	}
	if (g->s != NULL && same(g->s->sha1, l->sha1)) {
		return emit(ctx, g, CR_SYNC_DOWNLOAD, CR_RULE_REMOTE_CHANGED,
			    CR_EVENT_NONE);
	}
	/* Both changed since they last agreed: newer wins, AD wins a tie. */
	local_wins = l->filetime > r->filetime;
	if (local_wins) {
		return upload(ctx, g, CR_RULE_CONFLICT_LOCAL_WINS, false,
			      CR_EVENT_CONFLICT);
	}
	return emit(ctx, g, CR_SYNC_DOWNLOAD, CR_RULE_CONFLICT_REMOTE_WINS,
		    CR_EVENT_CONFLICT);
}

static int local_and_tombstone(struct sync_ctx *ctx,
			       const struct sync_group *g)
{
	int ret;

	if (g->l->filetime > g->r->filetime) {
		/* re-created after the deletion: the upload replaces the
		 * tombstone, so there is nothing left to erode */
		return upload(ctx, g, CR_RULE_RECREATED, true,
			      CR_EVENT_NONE);
	}
	ret = emit(ctx, g, CR_SYNC_TRASH_LOCAL, CR_RULE_TOMBSTONE_WINS,
		   CR_EVENT_NONE);
	if (ret == 0 && expired(ctx->policy, g->r)) {
		ret = emit(ctx, g, CR_SYNC_ERODE, CR_RULE_TOMBSTONE_EXPIRED,
			   CR_EVENT_NONE);
	}
	return ret;
}

static int reconcile_group(struct sync_ctx *ctx, const struct sync_group *g)
{
	bool live_r = (g->r != NULL && !g->r->tombstone);
	bool dead_r = (g->r != NULL && g->r->tombstone);
	int ret = 0;

	if (g->l != NULL && live_r) {
		return both_live(ctx, g);
	}
	if (g->l != NULL && dead_r) {
		return local_and_tombstone(ctx, g);
	}
	if (g->l != NULL) {
		if (g->s == NULL) {
			return upload(ctx, g, CR_RULE_NEW_LOCAL, true,
				      CR_EVENT_NONE);
		}
		return emit(ctx, g, CR_SYNC_TRASH_LOCAL,
			    CR_RULE_REMOVED_FROM_AD, CR_EVENT_NONE);
	}
	if (live_r) {
		if (g->s == NULL) {
			return emit(ctx, g, CR_SYNC_DOWNLOAD,
				    CR_RULE_NEW_REMOTE, CR_EVENT_NONE);
		}
		if (g->type == CR_TOKEN_DPAPI_MASTER_KEY) {
			/* losing a master key loses every key under it */
			return emit(ctx, g, CR_SYNC_DOWNLOAD,
				    CR_RULE_MASTERKEY_DELETED_LOCALLY,
				    CR_EVENT_NONE);
		}
		return emit(ctx, g, CR_SYNC_TOMBSTONE,
			    CR_RULE_DELETED_LOCALLY, CR_EVENT_NONE);
	}
	if (dead_r) {
		if (g->s != NULL) {
			ret = emit(ctx, g, CR_SYNC_FORGET,
				   CR_RULE_TOMBSTONE_ONLY, CR_EVENT_NONE);
		}
		if (ret == 0 && expired(ctx->policy, g->r)) {
			ret = emit(ctx, g, CR_SYNC_ERODE,
				   CR_RULE_TOMBSTONE_EXPIRED, CR_EVENT_NONE);
		}
		return ret;
	}
	return emit(ctx, g, CR_SYNC_FORGET, CR_RULE_STATE_ONLY,
		    CR_EVENT_NONE);
}

/*
 * An older copy of an identity AD holds twice: removed, so that AD ends
 * with one value per identity.  Every machine removes the same copy
 * (cr_sync_drop_duplicates()); one that finds it gone re-reads.  A master
 * key is never removed: a differing copy may be the only one some key
 * needs.
 */
static int erode_duplicate(struct sync_ctx *ctx,
			   const struct cr_sync_remote *r)
{
	struct sync_group g = {
		.type = r->type,
		.id = r->id,
		.r = r,
	};

	if (!r->duplicate) {
		return 0;
	}
	if (r->type == CR_TOKEN_DPAPI_MASTER_KEY && !is_preferred(r->id)) {
		return 0;
	}
	return emit(ctx, &g, CR_SYNC_ERODE, CR_RULE_DUPLICATE,
		    CR_EVENT_NONE);
}

static void put_group_member(struct sync_group *g, const struct sync_key *k,
			     const struct cr_sync_local *local,
			     const struct cr_sync_remote *remote,
			     const struct cr_sync_state *state)
{
	switch (k->side) {
	case SIDE_LOCAL:
		g->l = &local[k->index];
		break;
	case SIDE_REMOTE:
		g->r = &remote[k->index];
		break;
	case SIDE_STATE:
		g->s = &state[k->index];
		break;
	}
}

int cr_sync_reconcile(TALLOC_CTX *mem_ctx,
		      const struct cr_sync_local *local, size_t num_local,
		      const struct cr_sync_remote *remote, size_t num_remote,
		      const struct cr_sync_state *state, size_t num_state,
		      const struct cr_sync_policy *policy,
		      struct cr_sync_result **presult)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct sync_ctx ctx = { .policy = policy };
	struct sync_key *keys = NULL;
	size_t n = 0;
	size_t i;
	int ret = 0;

	*presult = NULL;
	ctx.result = talloc_zero(frame, struct cr_sync_result);
	if (ctx.result == NULL ||
	    num_local > SIZE_MAX / 4 || num_remote > SIZE_MAX / 4 ||
	    num_state > SIZE_MAX / 4) {
		ret = ENOMEM;
		goto done;
	}
	ctx.result->live_local = num_local;
	ctx.result->ad_values = num_remote;

	/* More values in AD than twice the maximum: stop, touch nothing. */
	if (num_remote > 2 * (size_t)policy->max_tokens) {
		ctx.result->stopped = true;
		ctx.result->stop_event = CR_EVENT_TOO_MANY_AD;
		goto out;
	}
	ctx.local_full = (num_local > policy->max_tokens);

	keys = talloc_array(frame, struct sync_key,
			    num_local + num_remote + num_state + 1);
	if (keys == NULL) {
		ret = ENOMEM;
		goto done;
	}
	for (i = 0; i < num_local; i++) {
		keys[n++] = (struct sync_key) {
			local[i].type, local[i].id, SIDE_LOCAL, i };
	}
	for (i = 0; i < num_remote; i++) {
		if (remote[i].duplicate) {
			continue;
		}
		keys[n++] = (struct sync_key) {
			remote[i].type, remote[i].id, SIDE_REMOTE, i };
	}
	for (i = 0; i < num_state; i++) {
		keys[n++] = (struct sync_key) {
			state[i].type, state[i].id, SIDE_STATE, i };
	}
	qsort(keys, n, sizeof(keys[0]), key_cmp);

	i = 0;
	while (i < n) {
		struct sync_group g = {
			.type = keys[i].type,
			.id = keys[i].id,
		};
		size_t j = i;

		while (j < n && keys[j].type == g.type &&
		       strcasecmp(keys[j].id, g.id) == 0) {
			put_group_member(&g, &keys[j], local, remote, state);
			j++;
		}
		ret = reconcile_group(&ctx, &g);
		if (ret != 0) {
			goto done;
		}
		i = j;
	}
	for (i = 0; i < num_remote; i++) {
		ret = erode_duplicate(&ctx, &remote[i]);
		if (ret != 0) {
			goto done;
		}
	}
out:
	*presult = talloc_move(mem_ctx, &ctx.result);
done:
	TALLOC_FREE(frame);
	return ret;
}

/* Which of two AD copies of one identity roams (see sync.h). */
static bool second_copy_wins(const struct cr_sync_remote *a,
			     const struct cr_sync_remote *b)
{
	const char *ha = a->sha1 != NULL ? a->sha1 : "";
	const char *hb = b->sha1 != NULL ? b->sha1 : "";

	if (a->filetime != b->filetime) {
		return b->filetime > a->filetime;
	}
	if (a->tombstone != b->tombstone) {
		return b->tombstone;
	}
	return strcasecmp(hb, ha) > 0;
}

size_t cr_sync_drop_duplicates(const struct cr_sync_remote *remote,
				size_t num_remote, bool *dropped)
{
	size_t num_dropped = 0;
	size_t i;
	size_t j;

	for (i = 0; i < num_remote; i++) {
		const struct cr_sync_remote *a = &remote[i];

		for (j = i + 1; !dropped[i] && j < num_remote; j++) {
			const struct cr_sync_remote *b = &remote[j];
			bool same_identity = a->type == b->type &&
					     strcasecmp(a->id, b->id) == 0;

			if (dropped[j] || !same_identity) {
				continue;
			}
			if (second_copy_wins(a, b)) {
				dropped[i] = true;
			} else {
				dropped[j] = true;
			}
			num_dropped++;
		}
	}
	return num_dropped;
}

/* What L and R hold alike once the action is done, or NULL if nothing. */
static const char *agreed_sha1(const struct cr_sync_action *a)
{
	switch (a->verb) {
	case CR_SYNC_KEEP:
	case CR_SYNC_UPLOAD:
		return a->local != NULL ? a->local->sha1 : NULL;
	case CR_SYNC_DOWNLOAD:
		return a->remote != NULL ? a->remote->sha1 : NULL;
	case CR_SYNC_SKIP:
		/*
		 * A master key that differs from AD's copy is kept on
		 * purpose: remember AD's, so that AD is not taken for
		 * changed again at every run.  Any other skip keeps what
		 * was agreed until the reason goes away.
		 */
		if (a->rule == CR_RULE_MASTERKEY_CONFLICT &&
		    a->remote != NULL) {
			return a->remote->sha1;
		}
		return a->state != NULL ? a->state->sha1 : NULL;
	default:
		return NULL;
	}
}

int cr_sync_next_state(TALLOC_CTX *mem_ctx, const struct cr_sync_result *res,
		       struct cr_sync_state **pnext, size_t *pnum_next)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_sync_state *next = NULL;
	size_t n = 0;
	size_t i;
	int ret = ENOMEM;

	*pnext = NULL;
	*pnum_next = 0;
	next = talloc_zero_array(frame, struct cr_sync_state,
				 res->num_actions + 1);
	if (next == NULL) {
		goto done;
	}
	for (i = 0; i < res->num_actions; i++) {
		const struct cr_sync_action *a = &res->actions[i];
		const char *sha1 = agreed_sha1(a);
		char *id = NULL;
		char *sha1_copy = NULL;

		if (sha1 == NULL) {
			continue;
		}
		id = talloc_strdup(next, a->id);
		sha1_copy = talloc_strdup(next, sha1);
		if (id == NULL || sha1_copy == NULL) {
			goto done;
		}
		next[n].type = a->type;
		next[n].id = id;
		next[n].sha1 = sha1_copy;
		n++;
	}
	*pnext = talloc_move(mem_ctx, &next);
	*pnum_next = n;
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

const char *cr_sync_verb_name(enum cr_sync_verb verb)
{
	static const char * const names[] = {
		[CR_SYNC_KEEP] = "keep",
		[CR_SYNC_UPLOAD] = "upload",
		[CR_SYNC_DOWNLOAD] = "download",
		[CR_SYNC_TRASH_LOCAL] = "trash-local",
		[CR_SYNC_TOMBSTONE] = "tombstone",
		[CR_SYNC_ERODE] = "erode",
		[CR_SYNC_FORGET] = "forget",
		[CR_SYNC_SKIP] = "skip",
	};

	if ((size_t)verb >= sizeof(names) / sizeof(names[0])) {
		return "?";
	}
	return names[verb];
}

const char *cr_sync_rule_name(enum cr_sync_rule rule)
{
	static const char * const names[] = {
		[CR_RULE_SAME] = "same",
		[CR_RULE_LOCAL_CHANGED] = "local-changed",
		[CR_RULE_REMOTE_CHANGED] = "remote-changed",
		[CR_RULE_CONFLICT_LOCAL_WINS] = "conflict-local-wins",
		[CR_RULE_CONFLICT_REMOTE_WINS] = "conflict-remote-wins",
		[CR_RULE_MASTERKEY_CONFLICT] = "masterkey-conflict",
		[CR_RULE_NEW_LOCAL] = "new-local",
		[CR_RULE_REMOVED_FROM_AD] = "removed-from-ad",
		[CR_RULE_NEW_REMOTE] = "new-remote",
		[CR_RULE_DELETED_LOCALLY] = "deleted-locally",
		[CR_RULE_MASTERKEY_DELETED_LOCALLY] =
			"masterkey-deleted-locally",
		[CR_RULE_TOMBSTONE_WINS] = "tombstone-wins",
		[CR_RULE_RECREATED] = "recreated",
		[CR_RULE_TOMBSTONE_ONLY] = "tombstone-only",
		[CR_RULE_TOMBSTONE_EXPIRED] = "tombstone-expired",
		[CR_RULE_STATE_ONLY] = "state-only",
		[CR_RULE_FILTERED] = "filtered",
		[CR_RULE_TOO_BIG] = "too-big",
		[CR_RULE_TOO_MANY_LOCAL] = "too-many-local",
		[CR_RULE_DUPLICATE] = "duplicate",
	};

	if ((size_t)rule >= sizeof(names) / sizeof(names[0])) {
		return "?";
	}
	return names[rule];
}
