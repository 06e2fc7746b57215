/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One roaming run; see roam.h and DESIGN.md sections 3 to 5.
 *
 * The order of the steps is what makes a killed run safe to repeat:
 * local changes the user made in certs/ become tokens in roaming/ first
 * (deterministic names, so a repeat writes the same identities), then the
 * reconciliation's local writes, then its AD writes, then the timestamp,
 * then the usable files, and the state last.  Whatever happened before a
 * kill is seen by the next run as "already in sync" or "changed on one
 * side", never as a loss.
 */
#include "config.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ad/adconn.h"
#include "ad/adstore.h"
#include "format/certelem.h"
#include "dpapi/dpapi.h"
#include "util/encoding.h"
#include "util/error.h"
#include "util/fault.h"
#include "keys/keys.h"
#include "store/localstore.h"
#include "store/material.h"
#include "roam/roam.h"
#include "roam/roam_private.h"
#include "util/secret.h"
#include "util/stackframe.h"
#include "store/state.h"
#include "format/token.h"
#include "ad/who.h"

#define MAX_CONFLICT_RETRIES 3
#define POLICY_OFF_FILE "policy-off"
/* the machine GUID part of a key file name that no machine made */
#define NULL_GUID "00000000-0000-0000-0000-000000000000"

/* Tokens of both sides, with the arrays sync.c reads. */
struct roam_remote {
	enum cr_ad_attr attr;
	const char *value;	/* the DN-Binary string as read */
	struct cr_token *token;
};

struct roam_view {
	struct cr_store_view *local;
	struct roam_remote *remote;
	size_t num_remote;
	struct cr_sync_local *sl;
	struct cr_sync_remote *sr;
	struct cr_sync_state *ss;
	size_t num_ss;
};

/* ---- small helpers ---------------------------------------------------- */

void cr_roam_problem(struct cr_roam_report *r, unsigned event,
		     const char *what, const char *fmt, ...)
{
	struct cr_roam_problem *p = NULL;
	va_list ap;

	p = talloc_realloc(r, r->problems, struct cr_roam_problem,
			   r->num_problems + 1);
	if (p == NULL) {
		return;
	}
	r->problems = p;
	p = &p[r->num_problems++];
	p->event = event;
	p->what = talloc_strdup(r->problems, what);
	va_start(ap, fmt);
	p->message = talloc_vasprintf(r->problems, fmt, ap);
	va_end(ap);
}

static void note_action(struct cr_roam_report *r,
			const struct cr_sync_action *a, bool ok)
{
	struct cr_roam_done *d = NULL;

	d = talloc_realloc(r, r->actions, struct cr_roam_done,
			   r->num_actions + 1);
	if (d == NULL) {
		return;
	}
	r->actions = d;
	d = &d[r->num_actions++];
	d->verb = a->verb;
	d->rule = a->rule;
	d->type = a->type;
	d->id = talloc_strdup(r->actions, a->id);
	d->ok = ok;
}

static const struct cr_token *find_local(const struct cr_store_view *v,
					 unsigned type, const char *id)
{
	size_t i;

	for (i = 0; i < v->num_tokens; i++) {
		const struct cr_token *t = v->tokens[i].token;
		if (t->type == type && strcasecmp(t->identifier, id) == 0) {
			return t;
		}
	}
	return NULL;
}

static const struct cr_token *find_remote(const struct roam_view *v,
					  unsigned type, const char *id)
{
	size_t i;

	for (i = 0; i < v->num_remote; i++) {
		const struct cr_token *t = v->remote[i].token;
		if (t != NULL && t->type == type &&
		    strcasecmp(t->identifier, id) == 0 &&
		    !cr_token_is_tombstone(t)) {
			return t;
		}
	}
	return NULL;
}

const struct cr_token *cr_roam_find_token(struct roam_ctx *c,
					  const struct cr_store_view *local,
					  unsigned type, const char *id)
{
	const struct cr_token *t = find_local(local, type, id);

	if (t == NULL && c->view != NULL) {
		t = find_remote(c->view, type, id);
	}
	return t;
}

/* ---- AD side ------------------------------------------------------------ */

static void load_remote_values(struct roam_ctx *c, struct roam_view *v,
			       const struct cr_ad_values *vals)
{
	size_t i;

	for (i = 0; i < vals->count; i++) {
		TALLOC_CTX *frame = talloc_stackframe();
		const char *value = vals->values[i];
		struct roam_remote *rr = NULL;
		struct cr_token *token = NULL;
		uint8_t *bin = NULL;
		size_t bin_len = 0;
		char *dn = NULL;
		char *err = NULL;
		char *what = talloc_asprintf(frame, "AD value %zu of %s", i,
					     cr_ad_attr_name(vals->attr));
		const char *want_attr = NULL;
		int ret;

		ret = cr_dnbinary_parse(frame, value, strlen(value), &bin,
					&bin_len, &dn, NULL, &err);
		if (ret == 0) {
			ret = cr_token_parse(frame, bin, bin_len, &token, NULL,
					     &err);
		}
		if (ret == 0) {
			ret = cr_token_check(frame, token, NULL, &err);
		}
		if (ret != 0) {
			cr_roam_problem(c->report, CR_EVENT_AD_READ, what,
					"left alone: %s",
					err ? err : strerror(ret));
			TALLOC_FREE(frame);
			continue;
		}
		want_attr = cr_token_type_attribute(token->type);
		if (want_attr == NULL ||
		    strcasecmp(want_attr, cr_ad_attr_name(vals->attr)) != 0) {
			cr_roam_problem(c->report, CR_EVENT_AD_READ, what,
					"left alone: a type %u token belongs "
					"in %s", token->type,
					want_attr ? want_attr : "no attribute");
			TALLOC_FREE(frame);
			continue;
		}
		if (strcasecmp(dn, c->report->dn) != 0) {
			cr_roam_problem(c->report, CR_EVENT_AD_READ, what,
					"left alone: its DN part names '%s', "
					"not this user", dn);
			TALLOC_FREE(frame);
			continue;
		}
		rr = talloc_realloc(v, v->remote, struct roam_remote,
				    v->num_remote + 1);
		if (rr == NULL) {
			TALLOC_FREE(frame);
			return;
		}
		v->remote = rr;
		rr[v->num_remote].attr = vals->attr;
		rr[v->num_remote].value = value;
		rr[v->num_remote].token = talloc_steal(rr, token);
		v->num_remote++;
		TALLOC_FREE(frame);
	}
}

/* Keep the newest of duplicate identities in AD; report the others. */
static void drop_remote_duplicates(struct roam_ctx *c, struct roam_view *v)
{
	size_t i;
	size_t j;

	for (i = 0; i < v->num_remote; i++) {
		struct cr_token *a = v->remote[i].token;
		for (j = i + 1; a != NULL && j < v->num_remote; j++) {
			struct cr_token *b = v->remote[j].token;
			size_t loser;

			if (b == NULL || a->type != b->type ||
			    strcasecmp(a->identifier, b->identifier) != 0) {
				continue;
			}
			loser = (b->filetime > a->filetime) ? i : j;
			cr_roam_problem(c->report, 0, "AD",
					"token %u\\%s is in AD twice; the "
					"newer copy roams, the older one is "
					"left alone", a->type, a->id_escaped);
			v->remote[loser].token = NULL;
			if (loser == i) {
				break;
			}
		}
	}
}

static int read_remote(struct roam_ctx *c, struct roam_view *v,
		       char **errmsg)
{
	int ret;

	ret = cr_adstore_read_tokens(c->conn, c->user, errmsg);
	if (ret != 0) {
		return ret;
	}
	TALLOC_FREE(v->remote);
	v->num_remote = 0;
	load_remote_values(c, v, &c->user->mkeys);
	load_remote_values(c, v, &c->user->creds);
	drop_remote_duplicates(c, v);
	return 0;
}

/*
 * Does AD's live content equal these items (type, id, content hash)?
 * Tells a change nobody announced (a run killed between its token writes
 * and its timestamp write, a tool that forgot the timestamp) from none.
 */
static bool remote_matches(const struct roam_view *v,
			   const struct cr_state_item *items, size_t n)
{
	TALLOC_CTX *frame = talloc_stackframe();
	size_t live = 0;
	size_t i;
	size_t j;
	bool same = true;

	for (i = 0; same && i < v->num_remote; i++) {
		const struct cr_token *t = v->remote[i].token;
		char *sha1 = NULL;
		bool found = false;

		if (t == NULL || cr_token_is_tombstone(t)) {
			continue;
		}
		live++;
		sha1 = cr_token_content_hash(frame, t);
		for (j = 0; !found && j < n; j++) {
			found = items[j].type == t->type &&
				strcasecmp(items[j].id, t->identifier) == 0 &&
				sha1 != NULL &&
				strcmp(items[j].sha1, sha1) == 0;
		}
		same = found;
	}
	TALLOC_FREE(frame);
	return same && live == n;
}

/* ---- upload filters -------------------------------------------------- */

struct cert_facts {
	char **key_prefixes;	/* 32-hex MD5 part of key file names */
	size_t num_prefixes;
	bool any_cng;
	char **mk_guids;	/* master keys that protect some key */
	size_t num_guids;
};

static void facts_add_cert(TALLOC_CTX *mem_ctx, struct cert_facts *f,
			   const struct cr_token *t)
{
	struct cr_certelem *elem = NULL;
	char *name = NULL;
	char **p = NULL;

	if (cr_certelem_parse(mem_ctx, t->data, t->data_length, &elem, NULL,
			      NULL) != 0 || elem->key_prov == NULL ||
	    elem->key_prov->container == NULL) {
		return;
	}
	if (elem->key_prov->prov_type == CR_PROV_NONE) {
		f->any_cng = true;
		name = cr_cng_file_name(mem_ctx, elem->key_prov->container,
					NULL_GUID);
	} else {
		name = cr_capi_file_name(mem_ctx, elem->key_prov->container,
					 NULL_GUID);
	}
	if (name == NULL || strlen(name) < 32) {
		return;
	}
	p = talloc_realloc(mem_ctx, f->key_prefixes, char *,
			   f->num_prefixes + 1);
	if (p == NULL) {
		return;
	}
	f->key_prefixes = p;
	p[f->num_prefixes++] = talloc_strndup(p, name, 32);
}

static void facts_add_key(TALLOC_CTX *mem_ctx, struct cert_facts *f,
			  const struct cr_token *t)
{
	struct cr_guid g;
	char **p = NULL;

	if (cr_material_key_mk_guid(t, &g, NULL) != 0) {
		return;
	}
	p = talloc_realloc(mem_ctx, f->mk_guids, char *, f->num_guids + 1);
	if (p == NULL) {
		return;
	}
	f->mk_guids = p;
	p[f->num_guids++] = cr_guid_string(p, &g);
}

static bool has_string(char **list, size_t n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (list[i] != NULL && strncasecmp(list[i], s, len) == 0) {
			return true;
		}
	}
	return false;
}

static bool is_smart_card_cert(TALLOC_CTX *mem_ctx, const struct cr_token *t)
{
	struct cr_certelem *elem = NULL;

	if (cr_certelem_parse(mem_ctx, t->data, t->data_length, &elem, NULL,
			      NULL) != 0 || elem->key_prov == NULL ||
	    elem->key_prov->provider == NULL) {
		return false;
	}
	return strcasestr(elem->key_prov->provider, "smart card") != NULL;
}

static void collect_facts(TALLOC_CTX *mem_ctx, const struct roam_view *v,
			  struct cert_facts *f)
{
	size_t i;

	for (i = 0; i < v->local->num_tokens; i++) {
		const struct cr_token *t = v->local->tokens[i].token;
		if (cr_token_type_is_certificate(t->type)) {
			facts_add_cert(mem_ctx, f, t);
		} else if (cr_token_type_is_key(t->type)) {
			facts_add_key(mem_ctx, f, t);
		}
	}
	for (i = 0; i < v->num_remote; i++) {
		const struct cr_token *t = v->remote[i].token;
		if (t == NULL || cr_token_is_tombstone(t)) {
			continue;
		}
		if (cr_token_type_is_certificate(t->type)) {
			facts_add_cert(mem_ctx, f, t);
		} else if (cr_token_type_is_key(t->type)) {
			facts_add_key(mem_ctx, f, t);
		}
	}
}

/* ---- the three views for sync.c ------------------------------------- */

/* In a dry run, a token the user's local changes would have removed. */
static bool dry_removed(const struct roam_ctx *c, const struct cr_token *t)
{
	size_t i;

	for (i = 0; i < c->num_dry_removed; i++) {
		const struct cr_state_item *r = &c->dry_removed[i];

		if (r->type == t->type && r->id != NULL &&
		    strcasecmp(r->id, t->identifier) == 0) {
			return true;
		}
	}
	return false;
}

static int build_sync_arrays(struct roam_ctx *c, struct roam_view *v)
{
	TALLOC_CTX *facts_ctx = talloc_new(v);
	struct cert_facts facts = { .key_prefixes = NULL };
	size_t i;
	size_t n = 0;
	size_t nl = 0;

	if (facts_ctx == NULL) {
		return ENOMEM;
	}
	collect_facts(facts_ctx, v, &facts);
	TALLOC_FREE(v->sl);
	TALLOC_FREE(v->sr);
	TALLOC_FREE(v->ss);
	v->sl = talloc_zero_array(v, struct cr_sync_local,
				  v->local->num_tokens + 1);
	v->sr = talloc_zero_array(v, struct cr_sync_remote,
				  v->num_remote + 1);
	v->ss = talloc_zero_array(v, struct cr_sync_state,
				  c->state->num_items + 1);
	if (v->sl == NULL || v->sr == NULL || v->ss == NULL) {
		TALLOC_FREE(facts_ctx);
		return ENOMEM;
	}
	for (i = 0; i < v->local->num_tokens; i++) {
		const struct cr_token *t = v->local->tokens[i].token;
		struct cr_sync_local *l = &v->sl[nl];

		if (dry_removed(c, t)) {
			continue;
		}
		nl++;
		l->type = t->type;
		l->id = t->identifier;
		l->sha1 = cr_token_content_hash(v->sl, t);
		l->filetime = t->filetime;
		l->token_size = t->raw_len;
		if (cr_token_type_is_key(t->type)) {
			l->affiliated = (t->type == CR_TOKEN_CNG_KEY)
				? facts.any_cng
				: has_string(facts.key_prefixes,
					     facts.num_prefixes,
					     t->identifier, 32);
		}
		if (t->type == CR_TOKEN_DPAPI_MASTER_KEY) {
			l->protects_roamed_key =
				strcasecmp(t->identifier, PREFERRED_ID) == 0 ||
				has_string(facts.mk_guids, facts.num_guids,
					   t->identifier, 36);
		}
		if (cr_token_type_is_certificate(t->type)) {
			l->smart_card = is_smart_card_cert(facts_ctx, t);
		}
	}
	for (i = 0; i < v->num_remote; i++) {
		const struct cr_token *t = v->remote[i].token;
		struct cr_sync_remote *r = &v->sr[n];

		if (t == NULL) {
			continue;
		}
		r->type = t->type;
		r->id = t->identifier;
		r->sha1 = cr_token_content_hash(v->sr, t);
		r->filetime = t->filetime;
		r->tombstone = cr_token_is_tombstone(t);
		r->value_index = i;
		n++;
	}
	v->num_ss = c->state->num_items;
	for (i = 0; i < c->state->num_items; i++) {
		v->ss[i].type = c->state->items[i].type;
		v->ss[i].id = c->state->items[i].id;
		v->ss[i].sha1 = c->state->items[i].sha1;
	}
	c->num_sr = n;
	c->num_sl = nl;
	TALLOC_FREE(facts_ctx);
	return 0;
}

/* ---- applying one action --------------------------------------------- */

static int ad_change(struct roam_ctx *c, const char *old_value,
		     const struct cr_token *new_token, const char *what,
		     char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *new_value = NULL;
	const char *attr = NULL;
	enum cr_ad_attr which;
	unsigned type = new_token != NULL ? new_token->type : 0;
	int ret;

	if (new_token != NULL) {
		ret = cr_dnbinary_build(frame, new_token->raw,
					new_token->raw_len, c->report->dn,
					&new_value, errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	if (new_token == NULL) {
		/* an erosion: the attribute of the old value */
		type = c->erode_type;
	}
	attr = cr_token_type_attribute(type);
	which = (attr != NULL && strcasecmp(attr, CR_ATTR_MASTERKEYS) == 0)
		? CR_AD_MASTERKEYS : CR_AD_CREDENTIALS;
	cr_fault_point("ad-modify", what);
	ret = cr_adstore_change_value(frame, c->conn, c->report->dn, which,
				      old_value, new_value, errmsg);
	if (ret == 0) {
		c->ad_written = true;
		cr_fault_point("ad-modify-done", what);
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

static int apply_local(struct roam_ctx *c, struct roam_view *v,
		       const struct cr_sync_action *a, char **errmsg)
{
	const struct cr_token *rt = NULL;

	switch (a->verb) {
	case CR_SYNC_DOWNLOAD:
		rt = v->remote[a->remote->value_index].token;
		c->report->downloaded++;
		return cr_store_put_token(c->store, rt, errmsg);
	case CR_SYNC_TRASH_LOCAL: {
		int ret = cr_store_trash_token(c->store, a->type, a->id,
					       errmsg);
		c->report->trashed++;
		return ret == ENOENT ? 0 : ret;
	}
	default:
		return 0;
	}
}

static int apply_remote(struct roam_ctx *c, struct roam_view *v,
			const struct cr_sync_action *a, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct roam_remote *rr = NULL;
	const struct cr_token *lt = NULL;
	struct cr_token *tomb = NULL;
	char *what = talloc_asprintf(frame, "%u\\%s", a->type, a->id);
	int ret = 0;

	if (a->remote != NULL) {
		rr = &v->remote[a->remote->value_index];
	}
	switch (a->verb) {
	case CR_SYNC_UPLOAD:
		lt = find_local(v->local, a->type, a->id);
		if (lt == NULL) {
			ret = ENOENT;
			break;
		}
		ret = ad_change(c, rr ? rr->value : NULL, lt, what, errmsg);
		c->report->uploaded += ret == 0 ? 1 : 0;
		break;
	case CR_SYNC_TOMBSTONE:
		ret = cr_token_tombstone(frame, rr->token, c->now, &tomb,
					 errmsg);
		if (ret == 0) {
			ret = ad_change(c, rr->value, tomb, what, errmsg);
		}
		c->report->tombstoned += ret == 0 ? 1 : 0;
		break;
	case CR_SYNC_ERODE:
		c->erode_type = a->type;
		ret = ad_change(c, rr->value, NULL, what, errmsg);
		c->report->eroded += ret == 0 ? 1 : 0;
		break;
	default:
		break;
	}
	TALLOC_FREE(frame);
	return ret;
}

static bool verb_is_local(enum cr_sync_verb verb)
{
	return verb == CR_SYNC_DOWNLOAD || verb == CR_SYNC_TRASH_LOCAL;
}

static bool verb_is_remote(enum cr_sync_verb verb)
{
	return verb == CR_SYNC_UPLOAD || verb == CR_SYNC_TOMBSTONE ||
	       verb == CR_SYNC_ERODE;
}

/* The new state's items: what L and R hold alike after the actions. */
static int next_state_items(struct roam_ctx *c,
			    const struct cr_sync_result *res)
{
	struct cr_state_item *items = NULL;
	size_t n = 0;
	size_t i;

	items = talloc_zero_array(c->next, struct cr_state_item,
				  res->num_actions + 1);
	if (items == NULL) {
		return ENOMEM;
	}
	for (i = 0; i < res->num_actions; i++) {
		const struct cr_sync_action *a = &res->actions[i];
		const char *sha1 = NULL;

		switch (a->verb) {
		case CR_SYNC_KEEP:
		case CR_SYNC_UPLOAD:
			sha1 = a->local != NULL ? a->local->sha1 : NULL;
			break;
		case CR_SYNC_DOWNLOAD:
			sha1 = a->remote != NULL ? a->remote->sha1 : NULL;
			break;
		case CR_SYNC_SKIP:
			/* keep what was agreed until the reason goes away;
			 * a master key that differs from AD's copy is kept
			 * on purpose: remember AD's, so that AD is not taken
			 * for changed again at every run */
			sha1 = a->state != NULL ? a->state->sha1 : NULL;
			if (a->rule == CR_RULE_MASTERKEY_CONFLICT &&
			    a->remote != NULL) {
				sha1 = a->remote->sha1;
			}
			break;
		default:
			break;
		}
		if (sha1 == NULL) {
			continue;
		}
		items[n].type = a->type;
		items[n].id = talloc_strdup(items, a->id);
		items[n].sha1 = talloc_strdup(items, sha1);
		n++;
	}
	c->next->items = items;
	c->next->num_items = n;
	return 0;
}

static void count_result(struct roam_ctx *c, const struct cr_sync_result *res)
{
	size_t i;

	c->report->local_tokens = res->live_local;
	c->report->ad_values = res->ad_values;
	for (i = 0; i < res->num_actions; i++) {
		const struct cr_sync_action *a = &res->actions[i];

		if (a->event == CR_EVENT_CONFLICT) {
			c->report->conflicts++;
		}
		if (a->event != CR_EVENT_NONE &&
		    a->event != CR_EVENT_CONFLICT) {
			cr_roam_problem(c->report, a->event,
				talloc_asprintf(c, "%u\\%s", a->type, a->id),
				"%s: %s", cr_sync_verb_name(a->verb),
				cr_sync_rule_name(a->rule));
		}
	}
}

/*
 * Reconcile and apply, re-reading AD after a write conflict.  Local writes
 * come before AD writes so that a token is never gone from both places.
 */
static int reconcile_and_apply(struct roam_ctx *c, struct roam_view *v,
			       char **errmsg)
{
	struct cr_sync_result *res = NULL;
	unsigned attempt;
	size_t i;
	int ret = 0;

	for (attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
		bool stale = false;

		if (attempt > 0) {
			c->report->retries++;
			TALLOC_FREE(c->report->actions);
			c->report->num_actions = 0;
			ret = read_remote(c, v, errmsg);
			if (ret == 0) {
				TALLOC_FREE(v->local);
				ret = cr_store_load(v, c->store, &v->local,
						    errmsg);
			}
			if (ret != 0) {
				return ret;
			}
		}
		ret = build_sync_arrays(c, v);
		if (ret != 0) {
			return ret;
		}
		TALLOC_FREE(res);
		ret = cr_sync_reconcile(v, v->sl, c->num_sl, v->sr,
					c->num_sr, v->ss, v->num_ss,
					&c->sync_policy, &res);
		if (ret != 0) {
			return ret;
		}
		if (res->stopped) {
			cr_roam_problem(c->report, res->stop_event, "AD",
				"%zu values in AD, more than twice "
				"DIMSRoamingMaxNumTokens (%u): roaming "
				"stopped for this user until an "
				"administrator cleans up (samba-tool "
				"credroam purge)", res->ad_values,
				c->sync_policy.max_tokens);
			c->stopped = true;
			return 0;
		}
		if (c->opts->dry_run) {
			for (i = 0; i < res->num_actions; i++) {
				note_action(c->report, &res->actions[i], true);
			}
			count_result(c, res);
			return 0;
		}
		for (i = 0; i < res->num_actions; i++) {
			const struct cr_sync_action *a = &res->actions[i];
			if (!verb_is_local(a->verb)) {
				continue;
			}
			ret = apply_local(c, v, a, errmsg);
			note_action(c->report, a, ret == 0);
			if (ret != 0) {
				return ret;
			}
		}
		for (i = 0; i < res->num_actions; i++) {
			const struct cr_sync_action *a = &res->actions[i];
			if (!verb_is_remote(a->verb)) {
				continue;
			}
			ret = apply_remote(c, v, a, errmsg);
			if (ret == ESTALE) {
				stale = true;
				break;
			}
			note_action(c->report, a, ret == 0);
			if (ret != 0) {
				cr_wraperr(errmsg, "writing %u\\%s to AD",
					   a->type, a->id);
				c->report->event = CR_EVENT_AD_WRITE;
				return ret;
			}
		}
		if (!stale) {
			for (i = 0; i < res->num_actions; i++) {
				const struct cr_sync_action *a =
					&res->actions[i];
				if (!verb_is_local(a->verb) &&
				    !verb_is_remote(a->verb)) {
					note_action(c->report, a, true);
				}
			}
			count_result(c, res);
			return next_state_items(c, res);
		}
	}
	cr_seterr(errmsg, "AD kept changing under this run (%u write "
		  "conflicts); try again", MAX_CONFLICT_RETRIES + 1);
	return ESTALE;
}

/* ---- the run --------------------------------------------------------- */

int cr_roam_bump_timestamp(struct roam_ctx *c, uint8_t new_ts[16],
			   char **errmsg)
{
	unsigned attempt;
	int ret = 0;

	for (attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
		struct cr_ad_user *now = NULL;

		ret = cr_adstore_bump_timestamp(c, c->conn, c->report->dn,
						c->user->has_timestamp
						? c->user->timestamp : NULL,
						c->now, new_ts, errmsg);
		if (ret != ESTALE) {
			return ret;
		}
		c->bump_retried = true;
		/* Someone moved it first: another machine, or a guarded DC
		 * that moves it with every token change.  Move it on from
		 * what it is now. */
		ret = cr_adstore_lookup_dn(c, c->conn, c->report->dn,
					   c->report->sid, &now, errmsg);
		if (ret != 0) {
			return ret;
		}
		c->user->has_timestamp = now->has_timestamp;
		memcpy(c->user->timestamp, now->timestamp, CR_TIMESTAMP_LEN);
	}
	return ret;
}

static char *policy_digest(TALLOC_CTX *mem_ctx, const struct policy *p)
{
	uint8_t d[CR_SHA1_LEN];
	uint32_t vals[POLICY_NUM];
	size_t i;

	for (i = 0; i < POLICY_NUM; i++) {
		vals[i] = p->v[i].value;
	}
	cr_sha1(vals, sizeof(vals), d);
	return cr_hex_upper(mem_ctx, d, sizeof(d));
}

static void fill_sync_policy(struct roam_ctx *c)
{
	const struct policy *p = c->report->policy;

	c->sync_policy = (struct cr_sync_policy) {
		.tombstone_days = p->v[POLICY_TOMBSTONE_DAYS].value,
		.max_tokens = p->v[POLICY_MAX_NUM_TOKENS].value,
		.max_token_size = p->v[POLICY_MAX_TOKEN_SIZE].value,
		.roam_unaffiliated_keys =
			p->v[POLICY_ROAM_UNAFFILIATED_KEYS].value != 0,
		.roam_unused_dpapi_keys =
			p->v[POLICY_ROAM_UNUSED_DPAPI_KEYS].value != 0,
		.roam_smart_card_certificates =
			p->v[POLICY_ROAM_SMART_CARD_CERTS].value != 0,
		.now = c->now,
	};
}

static int compute_policy(struct roam_ctx *c, char **errmsg)
{
	struct credroam_conf *conf = NULL;
	struct policy *gpo_policy = NULL;
	char *cache = NULL;
	int ret;

	ret = credroam_conf_load(c, c->opts->conf_path != NULL
				    ? c->opts->conf_path : CREDROAM_CONF_PATH,
				 &conf, errmsg);
	if (ret != 0) {
		return ret;
	}
	cache = talloc_asprintf(c, "%s/gpo-cache", c->store->root);
	ret = cr_gpo_user_policy(c->report, c->conn, c->report->dn, cache,
				 &c->report->gpo, errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "reading your Group Policy");
		return ret;
	}
	gpo_policy = c->report->gpo->policy;
	ret = policy_merge(c->report, gpo_policy, conf, &c->report->policy,
			   errmsg);
	if (ret != 0) {
		return ret;
	}
	c->report->roaming_on = policy_roaming_on(c->report->policy);
	if (!c->report->roaming_on) {
		c->report->off_reason = policy_reason_off(c->report,
							  c->report->policy);
	}
	fill_sync_policy(c);
	return 0;
}

int cr_roam_find_user(struct roam_ctx *c, char **errmsg)
{
	int ret = ENOENT;

	if (c->state->dn != NULL && c->state->sid != NULL &&
	    strcmp(c->state->sid, c->report->sid) == 0) {
		ret = cr_adstore_lookup_dn(c, c->conn, c->state->dn,
					   c->report->sid, &c->user, NULL);
	}
	if (ret == ENOENT) {
		ret = cr_adstore_lookup(c, c->conn, c->report->sid, &c->user,
					errmsg);
	}
	if (ret != 0) {
		return ret;
	}
	c->report->dn = talloc_strdup(c->report, c->user->dn);
	return c->report->dn != NULL ? 0 : ENOMEM;
}

/* AD's timestamp is what the state recorded (both absent counts). */
static bool timestamp_unchanged(const struct roam_ctx *c)
{
	if (!c->state->has_timestamp || !c->user->has_timestamp) {
		return c->state->has_timestamp == c->user->has_timestamp;
	}
	return memcmp(c->state->timestamp, c->user->timestamp,
		      CR_TIMESTAMP_LEN) == 0;
}

static bool fast_path_ok(struct roam_ctx *c, const char *fingerprint)
{
	const struct cr_state *s = c->state;
	size_t i;

	if (c->opts->full || s->sid == NULL || fingerprint == NULL ||
	    s->fingerprint == NULL || s->policy == NULL ||
	    strcmp(s->sid, c->report->sid) != 0 ||
	    strcmp(s->fingerprint, fingerprint) != 0 ||
	    strcmp(s->policy, policy_digest(c, c->report->policy)) != 0 ||
	    !s->has_timestamp || !c->user->has_timestamp ||
	    memcmp(s->timestamp, c->user->timestamp, 16) != 0) {
		return false;
	}
	/* A key that could not be decrypted before may be now. */
	for (i = 0; i < s->num_certs; i++) {
		if (s->certs[i].key_id != NULL && !s->certs[i].key_written &&
		    cr_keys_have_prekeys(c->keys)) {
			return false;
		}
	}
	return true;
}

static void write_policy_off(struct roam_ctx *c)
{
	const char *why = c->report->off_reason ? c->report->off_reason : "";

	cr_store_write_root_file(c->store, POLICY_OFF_FILE,
				 (const uint8_t *)why, strlen(why), NULL);
}

static void log_summary(struct roam_ctx *c)
{
	struct cr_roam_report *r = c->report;
	size_t i;

	if (r->event == 0) {
		r->event = CR_EVENT_OK;
		for (i = 0; i < r->num_problems; i++) {
			if (r->problems[i].event > r->event) {
				r->event = r->problems[i].event;
			}
		}
		if (r->conflicts > 0 && r->event == CR_EVENT_OK) {
			r->event = CR_EVENT_CONFLICT;
		}
	}
	if (r->busy) {
		r->summary = talloc_strdup(r, "another roaming run is in "
					   "progress; this one did nothing");
	} else if (!r->roaming_on) {
		r->summary = talloc_asprintf(r, "roaming is off: %s",
					     r->off_reason ? r->off_reason
							   : "by policy");
	} else if (r->fast_path) {
		r->summary = talloc_strdup(r, "nothing changed");
	} else {
		r->summary = talloc_asprintf(r,
			"%s%u uploaded, %u downloaded, %u deleted in AD "
			"(tombstones), %u tombstones removed, %u moved to "
			"trash, %u imported, %u certificates and %u keys "
			"made usable, %u conflicts, %zu problems",
			r->dry_run ? "dry run: would have " : "",
			r->uploaded, r->downloaded, r->tombstoned, r->eroded,
			r->trashed, r->imported, r->certs_written,
			r->keys_written, r->conflicts, r->num_problems);
	}
	if (r->dry_run || r->summary == NULL) {
		return;
	}
	syslog(LOG_AUTHPRIV | (r->event == CR_EVENT_OK ? LOG_INFO
							: LOG_WARNING),
	       "credroam: user %s (%s): event %u: %s [trigger %s]",
	       r->user ? r->user : "?", r->sid ? r->sid : "?", r->event,
	       r->summary, r->trigger ? r->trigger : "manual");
	for (i = 0; i < r->num_problems; i++) {
		syslog(LOG_AUTHPRIV | LOG_WARNING,
		       "credroam: user %s: event %u: %s: %s",
		       r->user ? r->user : "?", r->problems[i].event,
		       r->problems[i].what, r->problems[i].message);
	}
}

int cr_roam_open(struct roam_ctx *c, char **errmsg)
{
	struct cr_who *who = NULL;
	struct cr_ad_params params = {
		.dc = c->opts->dc,
	};
	char *path = NULL;
	char *warning = NULL;
	int ret;

	ret = cr_who_by_uid(c, getuid(), &who, errmsg);
	if (ret != 0) {
		return ret;
	}
	c->report->user = talloc_strdup(c->report, who->name);
	c->report->sid = talloc_strdup(c->report, who->sid);
	if (c->opts->store_path != NULL) {
		path = talloc_strdup(c, c->opts->store_path);
	} else {
		ret = cr_store_default_path(c, &path, errmsg);
		if (ret != 0) {
			return ret;
		}
	}
	c->report->store = talloc_strdup(c->report, path);
	ret = cr_store_open(c, path, true, &c->store, errmsg);
	if (ret != 0) {
		return ret;
	}
	ret = cr_store_lock(c->store, c->opts->wait, NULL);
	if (ret == EWOULDBLOCK) {
		c->report->busy = true;
		return 0;
	}
	if (ret != 0) {
		return ret;
	}
	ret = cr_state_load(c, c->store, &c->state, &warning, errmsg);
	if (ret != 0) {
		return ret;
	}
	if (warning != NULL) {
		cr_roam_problem(c->report, 0, "state", "%s", warning);
	}
	ret = cr_adconn_connect(c, &params, &c->conn, errmsg);
	if (ret != 0) {
		c->report->event = CR_EVENT_AD_READ;
		return ret;
	}
	c->report->dc = talloc_strdup(c->report, c->conn->dc);
	c->keys = cr_keys_new(c, who->sid, c->conn, !c->opts->no_keyring);
	if (c->keys == NULL) {
		return ENOMEM;
	}
	if (c->opts->password != NULL) {
		ret = cr_keys_add_password(c->keys, c->opts->password,
					   errmsg);
		if (ret != 0) {
			return ret;
		}
	} else {
		cr_keys_load_keyring(c->keys, NULL);
	}
	return 0;
}

static int run(struct roam_ctx *c, char **errmsg)
{
	struct roam_view *v = NULL;
	char *fp = NULL;
	uint8_t new_ts[CR_TIMESTAMP_LEN];
	int ret;

	ret = cr_roam_open(c, errmsg);
	if (ret != 0 || c->report->busy) {
		return ret;
	}
	ret = cr_roam_find_user(c, errmsg);
	if (ret != 0) {
		c->report->event = CR_EVENT_AD_READ;
		return ret;
	}
	ret = compute_policy(c, errmsg);
	if (ret != 0) {
		return ret;
	}
	if (!c->report->roaming_on) {
		if (!c->opts->dry_run) {
			write_policy_off(c);
		}
		return 0;
	}
	if (!c->opts->dry_run) {
		cr_store_unlink_root_file(c->store, POLICY_OFF_FILE, NULL);
	}
	ret = cr_store_fingerprint(c, c->store, &fp, errmsg);
	if (ret != 0) {
		return ret;
	}
	if (fast_path_ok(c, fp)) {
		c->report->fast_path = true;
		return 0;
	}

	v = talloc_zero(c, struct roam_view);
	if (v == NULL) {
		return ENOMEM;
	}
	c->view = v;
	ret = read_remote(c, v, errmsg);
	if (ret != 0) {
		c->report->event = CR_EVENT_AD_READ;
		return ret;
	}
	if (timestamp_unchanged(c) &&
	    !remote_matches(v, c->state->items, c->state->num_items)) {
		/* AD changed without the timestamp moving: move it, or the
		 * other machines' fast path never sees the change. */
		c->ad_written = true;
	}
	ret = cr_store_load(v, c->store, &v->local, errmsg);
	if (ret != 0) {
		return ret;
	}
	ret = cr_roam_local_changes(c, v->local, errmsg);
	if (ret != 0) {
		return ret;
	}
	if (c->local_changed) {
		TALLOC_FREE(v->local);
		ret = cr_store_load(v, c->store, &v->local, errmsg);
		if (ret != 0) {
			return ret;
		}
	}

	c->next = talloc_zero(c, struct cr_state);
	if (c->next == NULL) {
		return ENOMEM;
	}
	ret = reconcile_and_apply(c, v, errmsg);
	if (ret != 0 || c->opts->dry_run || c->stopped) {
		return ret;
	}
	for (size_t i = 0; i < v->local->num_problems; i++) {
		cr_roam_problem(c->report, 0, v->local->problems[i].relpath,
				"left alone: %s",
				v->local->problems[i].message);
	}

	if (c->ad_written) {
		cr_fault_point("ad-timestamp", NULL);
		ret = cr_roam_bump_timestamp(c, new_ts, errmsg);
		if (ret != 0) {
			c->report->event = CR_EVENT_AD_WRITE;
			return ret;
		}
		cr_fault_point("ad-timestamp-done", NULL);
		memcpy(c->next->timestamp, new_ts, CR_TIMESTAMP_LEN);
		c->next->has_timestamp = true;
		if (c->bump_retried) {
			/* Someone else moved the timestamp while we wrote:
			 * record ours only if AD holds exactly what we think,
			 * else the next run must look (not take the fast
			 * path past changes it never saw). */
			ret = read_remote(c, v, errmsg);
			if (ret != 0) {
				return ret;
			}
			c->next->has_timestamp = remote_matches(v,
				c->next->items, c->next->num_items);
		}
	} else if (c->user->has_timestamp) {
		memcpy(c->next->timestamp, c->user->timestamp,
		       CR_TIMESTAMP_LEN);
		c->next->has_timestamp = true;
	}

	TALLOC_FREE(v->local);
	ret = cr_store_load(v, c->store, &v->local, errmsg);
	if (ret != 0) {
		return ret;
	}
	ret = cr_roam_materialize(c, v->local, errmsg);
	if (ret != 0) {
		return ret;
	}

	c->next->sid = talloc_strdup(c->next, c->report->sid);
	c->next->dn = talloc_strdup(c->next, c->report->dn);
	c->next->policy = policy_digest(c->next, c->report->policy);
	c->next->synced = c->now;
	ret = cr_store_fingerprint(c->next, c->store, &c->next->fingerprint,
				   errmsg);
	if (ret != 0) {
		return ret;
	}
	return cr_state_save(c->store, c->next, errmsg);
}

struct roam_ctx *cr_roam_ctx_new(TALLOC_CTX *mem_ctx,
				 const struct cr_roam_options *opts)
{
	struct roam_ctx *c = talloc_zero(mem_ctx, struct roam_ctx);

	if (c == NULL) {
		return NULL;
	}
	c->opts = opts;
	c->now = cr_filetime_now();
	c->report = talloc_zero(c, struct cr_roam_report);
	if (c->report == NULL) {
		TALLOC_FREE(c);
		return NULL;
	}
	c->report->started = c->now;
	c->report->dry_run = opts->dry_run;
	c->report->trigger = talloc_strdup(c->report,
					   opts->trigger ? opts->trigger
							 : "manual");
	return c;
}

int cr_roam_run(TALLOC_CTX *mem_ctx, const struct cr_roam_options *opts,
		struct cr_roam_report **preport, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct roam_ctx *c = NULL;
	struct timespec t0;
	struct timespec t1;
	int ret;

	*preport = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c = cr_roam_ctx_new(frame, opts);
	if (c == NULL) {
		TALLOC_FREE(frame);
		return ENOMEM;
	}
	ret = run(c, errmsg);
	if (c->conn != NULL) {
		c->report->ldap_searches = c->conn->searches;
		c->report->ldap_modifies = c->conn->modifies;
	}
	if (c->keys != NULL) {
		c->report->bkrp_calls = cr_keys_bkrp_calls(c->keys);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	c->report->seconds = (double)(t1.tv_sec - t0.tv_sec) +
			     (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (ret != 0) {
		if (c->report->event == 0) {
			c->report->event = CR_EVENT_AD_READ;
		}
		c->report->summary = talloc_asprintf(c->report, "failed: %s",
			(errmsg && *errmsg) ? *errmsg : strerror(ret));
		syslog(LOG_AUTHPRIV | LOG_ERR,
		       "credroam: user %s: event %u: roaming run failed: %s",
		       c->report->user ? c->report->user : "?",
		       c->report->event, c->report->summary);
	} else {
		log_summary(c);
	}
	if (c->store != NULL && !c->report->busy && !opts->dry_run) {
		cr_roam_write_last_run(c->store, c->report);
	}
	*preport = talloc_steal(mem_ctx, c->report);
	TALLOC_FREE(frame);
	return ret;
}
