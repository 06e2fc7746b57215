/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The roaming view: L, R and S gathered, and the facts the upload filters
 * need; see view.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "dpapi/dpapi.h"
#include "format/advalue.h"
#include "format/certelem.h"
#include "roam/view.h"
#include "store/material.h"
#include "util/encoding.h"
#include "util/error.h"
#include "util/stackframe.h"

/* the machine GUID part of a key file name that no machine made */
#define NULL_GUID "00000000-0000-0000-0000-000000000000"
/* the MD5 hex of the container name that starts a CAPI key's id */
#define KEY_PREFIX_LEN 32
#define GUID_STRING_LEN 36

int cr_roam_view_load_local(struct cr_roam_view *v, struct cr_store *store,
			    char **errmsg)
{
	TALLOC_FREE(v->local);
	return cr_store_load(v, store, &v->local, errmsg);
}

/*
 * The token of an AD value, or NULL with the reason reported.  What is
 * acceptable is decided once, by cr_ad_value_judge() (format/advalue.h),
 * for the run, the guard, `credroam token` and samba-tool alike.
 */
static struct cr_token *usable_remote(TALLOC_CTX *mem_ctx,
				      const struct cr_ad_values *vals,
				      size_t i, const char *user_dn,
				      struct cr_roam_report *report)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char *value = vals->values[i];
	const char *attr = cr_ad_attr_name(vals->attr);
	const struct cr_ad_value_rules rules = {
		.attribute = attr,
		.owner_dn = user_dn,
	};
	struct cr_ad_value *judged = NULL;
	struct cr_token *token = NULL;
	char *err = NULL;
	int ret;

	ret = cr_ad_value_judge(frame, value, strlen(value), &rules, &judged,
				&err);
	if (ret != 0) {
		const char *why = (judged != NULL && judged->refusal != NULL)
			? judged->refusal
			: (err != NULL ? err : strerror(ret));
		char *what = talloc_asprintf(frame, "AD value %zu of %s", i,
					     attr);

		cr_roam_problem(report, CR_EVENT_AD_READ, what,
				"left alone: %s", why);
		goto done;
	}
	token = talloc_move(mem_ctx, &judged->token);
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return token;
}

int cr_roam_view_add_remote(struct cr_roam_view *v,
			    const struct cr_ad_values *vals, const char *dn,
			    struct cr_roam_report *report)
{
	size_t i;

	for (i = 0; i < vals->count; i++) {
		struct cr_roam_remote *remote = NULL;
		struct cr_token *token = NULL;

		token = usable_remote(v, vals, i, dn, report);
		if (token == NULL) {
			continue;
		}
		remote = talloc_realloc(v, v->remote, struct cr_roam_remote,
					v->num_remote + 1);
		if (remote == NULL) {
			TALLOC_FREE(token);
			return ENOMEM;
		}
		v->remote = remote;
		/* every field set: realloc'ed memory is not zeroed, and a
		 * stray duplicate mark would remove a value from AD */
		remote[v->num_remote] = (struct cr_roam_remote) {
			.attr = vals->attr,
			.value = vals->values[i],
			.token = talloc_steal(remote, token),
			.duplicate = NULL,
		};
		v->num_remote++;
	}
	return 0;
}

int cr_roam_view_drop_duplicates(struct cr_roam_view *v,
				 struct cr_roam_report *report)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_sync_remote *sr = NULL;
	bool *dropped = NULL;
	size_t i;
	int ret = ENOMEM;

	sr = talloc_zero_array(frame, struct cr_sync_remote,
			       v->num_remote + 1);
	dropped = talloc_zero_array(frame, bool, v->num_remote + 1);
	if (sr == NULL || dropped == NULL) {
		goto done;
	}
	for (i = 0; i < v->num_remote; i++) {
		const struct cr_token *t = v->remote[i].token;

		if (t == NULL) {
			dropped[i] = true;	/* out of the game already */
			continue;
		}
		sr[i].type = t->type;
		sr[i].id = t->identifier;
		sr[i].filetime = t->filetime;
		sr[i].tombstone = cr_token_is_tombstone(t);
		sr[i].sha1 = cr_token_content_hash(sr, t);
		if (sr[i].sha1 == NULL) {
			goto done;
		}
	}
	cr_sync_drop_duplicates(sr, v->num_remote, dropped);
	for (i = 0; i < v->num_remote; i++) {
		const struct cr_token *t = v->remote[i].token;

		if (t == NULL || !dropped[i]) {
			continue;
		}
		cr_roam_problem(report, 0, "AD",
				"token %u\\%s is in AD twice (changed at two "
				"DCs, or by two machines at once); the newer "
				"copy roams", t->type, t->id_escaped);
		v->remote[i].duplicate = v->remote[i].token;
		v->remote[i].token = NULL;
	}
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_roam_view_read_remote(struct cr_roam_view *v, struct cr_adconn *conn,
			     struct cr_ad_user *user,
			     struct cr_roam_report *report, char **errmsg)
{
	int ret;

	ret = cr_adstore_read_tokens(conn, user, errmsg);
	if (ret != 0) {
		return ret;
	}
	TALLOC_FREE(v->remote);
	v->num_remote = 0;
	ret = cr_roam_view_add_remote(v, &user->mkeys, user->dn, report);
	if (ret == 0) {
		ret = cr_roam_view_add_remote(v, &user->creds, user->dn,
					      report);
	}
	if (ret == 0) {
		ret = cr_roam_view_drop_duplicates(v, report);
	}
	return ret;
}

const struct cr_token *cr_roam_view_find_local(const struct cr_roam_view *v,
					       unsigned type, const char *id)
{
	size_t i;

	for (i = 0; v->local != NULL && i < v->local->num_tokens; i++) {
		const struct cr_token *t = v->local->tokens[i].token;

		if (t->type == type && strcasecmp(t->identifier, id) == 0) {
			return t;
		}
	}
	return NULL;
}

static const struct cr_token *find_remote(const struct cr_roam_view *v,
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

const struct cr_token *cr_roam_view_find_token(const struct cr_roam_view *v,
					       unsigned type, const char *id)
{
	const struct cr_token *t = cr_roam_view_find_local(v, type, id);

	if (t == NULL) {
		t = find_remote(v, type, id);
	}
	return t;
}

bool cr_roam_view_remote_matches(const struct cr_roam_view *v,
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

/* ---- facts for the upload filters ------------------------------------ */

struct filter_facts {
	char **key_prefixes;	/* 32-hex MD5 part of key file names */
	size_t num_prefixes;
	bool any_cng;
	char **mk_guids;	/* master keys that protect some key */
	size_t num_guids;
};

static int add_string(TALLOC_CTX *mem_ctx, char ***list, size_t *n,
		      char *s)
{
	char **grown = NULL;

	if (s == NULL) {
		return ENOMEM;
	}
	grown = talloc_realloc(mem_ctx, *list, char *, *n + 1);
	if (grown == NULL) {
		return ENOMEM;
	}
	grown[(*n)++] = talloc_steal(grown, s);
	*list = grown;
	return 0;
}

/* A certificate names its key's container: the key is affiliated. */
static int facts_add_cert(TALLOC_CTX *mem_ctx, struct filter_facts *f,
			  const struct cr_token *t)
{
	struct cr_certelem *elem = NULL;
	const struct cr_key_prov_info *prov = NULL;
	char *name = NULL;
	int ret;

	ret = cr_certelem_parse(mem_ctx, t->data, t->data_length, &elem,
				NULL, NULL);
	if (ret != 0) {
		return 0;	/* no facts from it: its key stays local */
	}
	prov = elem->key_prov;
	if (prov == NULL || prov->container == NULL) {
		return 0;
	}
	if (prov->prov_type == CR_PROV_NONE) {
		f->any_cng = true;
		name = cr_cng_file_name(mem_ctx, prov->container, NULL_GUID);
	} else {
		name = cr_capi_file_name(mem_ctx, prov->container, NULL_GUID);
	}
	if (name == NULL || strlen(name) < KEY_PREFIX_LEN) {
		return 0;
	}
	return add_string(mem_ctx, &f->key_prefixes, &f->num_prefixes,
			  talloc_strndup(mem_ctx, name, KEY_PREFIX_LEN));
}

/* A key names the master key that protects it. */
static int facts_add_key(TALLOC_CTX *mem_ctx, struct filter_facts *f,
			 const struct cr_token *t)
{
	struct cr_guid g;
	int ret;

	ret = cr_material_key_mk_guid(t, &g, NULL);
	if (ret != 0) {
		return 0;
	}
	return add_string(mem_ctx, &f->mk_guids, &f->num_guids,
			  cr_guid_string(mem_ctx, &g));
}

static int facts_add(TALLOC_CTX *mem_ctx, struct filter_facts *f,
		     const struct cr_token *t)
{
	if (cr_token_type_is_certificate(t->type)) {
		return facts_add_cert(mem_ctx, f, t);
	}
	if (cr_token_type_is_key(t->type)) {
		return facts_add_key(mem_ctx, f, t);
	}
	return 0;
}

static int collect_facts(TALLOC_CTX *mem_ctx, const struct cr_roam_view *v,
			 struct filter_facts *f)
{
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < v->local->num_tokens; i++) {
		ret = facts_add(mem_ctx, f, v->local->tokens[i].token);
	}
	for (i = 0; ret == 0 && i < v->num_remote; i++) {
		const struct cr_token *t = v->remote[i].token;

		if (t == NULL || cr_token_is_tombstone(t)) {
			continue;
		}
		ret = facts_add(mem_ctx, f, t);
	}
	return ret;
}

static bool has_prefix_of(char **list, size_t n, const char *s, size_t len)
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
	int ret;

	ret = cr_certelem_parse(mem_ctx, t->data, t->data_length, &elem, NULL,
				NULL);
	if (ret != 0 || elem->key_prov == NULL ||
	    elem->key_prov->provider == NULL) {
		return false;
	}
	return strcasestr(elem->key_prov->provider, "smart card") != NULL;
}

/* ---- the arrays for sync.c ------------------------------------------- */

static bool left_out_of_view(const struct cr_state_item *left_out, size_t n,
			     const struct cr_token *t)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct cr_state_item *r = &left_out[i];

		if (r->type == t->type && r->id != NULL &&
		    strcasecmp(r->id, t->identifier) == 0) {
			return true;
		}
	}
	return false;
}

static void local_facts(TALLOC_CTX *mem_ctx, const struct filter_facts *f,
			const struct cr_token *t, struct cr_sync_local *l)
{
	if (t->type == CR_TOKEN_CNG_KEY) {
		/* CNG key names do not derive from the container */
		l->affiliated = f->any_cng;
	} else if (cr_token_type_is_key(t->type)) {
		l->affiliated = has_prefix_of(f->key_prefixes,
					      f->num_prefixes, t->identifier,
					      KEY_PREFIX_LEN);
	}
	if (t->type == CR_TOKEN_DPAPI_MASTER_KEY) {
		l->protects_roamed_key = has_prefix_of(f->mk_guids,
						       f->num_guids,
						       t->identifier,
						       GUID_STRING_LEN);
	}
	if (cr_token_type_is_certificate(t->type)) {
		l->smart_card = is_smart_card_cert(mem_ctx, t);
	}
}

int cr_roam_view_sync_input(TALLOC_CTX *mem_ctx, const struct cr_roam_view *v,
			    const struct cr_state *state,
			    const struct cr_state_item *left_out,
			    size_t num_left_out,
			    struct cr_roam_sync_input **pinput)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct filter_facts facts = { .key_prefixes = NULL };
	struct cr_roam_sync_input *in = NULL;
	size_t i;
	int ret = ENOMEM;

	*pinput = NULL;
	in = talloc_zero(frame, struct cr_roam_sync_input);
	if (in == NULL) {
		goto done;
	}
	in->local = talloc_zero_array(in, struct cr_sync_local,
				      v->local->num_tokens + 1);
	in->remote = talloc_zero_array(in, struct cr_sync_remote,
				       v->num_remote + 1);
	in->state = talloc_zero_array(in, struct cr_sync_state,
				      state->num_items + 1);
	if (in->local == NULL || in->remote == NULL || in->state == NULL) {
		goto done;
	}
	ret = collect_facts(frame, v, &facts);
	if (ret != 0) {
		goto done;
	}
	ret = ENOMEM;
	for (i = 0; i < v->local->num_tokens; i++) {
		const struct cr_token *t = v->local->tokens[i].token;
		struct cr_sync_local *l = &in->local[in->num_local];
		bool removed = left_out_of_view(left_out, num_left_out, t);

		if (removed) {
			continue;
		}
		l->type = t->type;
		l->id = t->identifier;
		l->sha1 = cr_token_content_hash(in->local, t);
		l->filetime = t->filetime;
		l->token_size = t->raw_len;
		if (l->sha1 == NULL) {
			goto done;
		}
		local_facts(frame, &facts, t, l);
		in->num_local++;
	}
	for (i = 0; i < v->num_remote; i++) {
		const struct cr_token *t = v->remote[i].token;
		struct cr_sync_remote *r = &in->remote[in->num_remote];

		if (t == NULL) {
			t = v->remote[i].duplicate;
			r->duplicate = t != NULL;
		}
		if (t == NULL) {
			continue;
		}
		r->type = t->type;
		r->id = t->identifier;
		r->sha1 = cr_token_content_hash(in->remote, t);
		r->filetime = t->filetime;
		r->tombstone = cr_token_is_tombstone(t);
		r->value_index = i;
		if (r->sha1 == NULL) {
			goto done;
		}
		in->num_remote++;
	}
	for (i = 0; i < state->num_items; i++) {
		in->state[i].type = state->items[i].type;
		in->state[i].id = state->items[i].id;
		in->state[i].sha1 = state->items[i].sha1;
	}
	in->num_state = state->num_items;
	*pinput = talloc_move(mem_ctx, &in);
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

/* The live master key tokens of one side. */
static int masterkeys_of(TALLOC_CTX *mem_ctx, const struct cr_token **all,
			 size_t n, const struct cr_token ***pout,
			 size_t *pnum)
{
	const struct cr_token **out = NULL;
	size_t num = 0;
	size_t i;

	out = talloc_zero_array(mem_ctx, const struct cr_token *, n + 1);
	if (out == NULL) {
		return ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const struct cr_token *t = all[i];

		if (t == NULL || t->type != CR_TOKEN_DPAPI_MASTER_KEY ||
		    cr_token_is_tombstone(t)) {
			continue;
		}
		out[num++] = t;
	}
	*pout = out;
	*pnum = num;
	return 0;
}

int cr_roam_view_masterkeys(TALLOC_CTX *mem_ctx, const struct cr_roam_view *v,
			    struct cr_roam_masterkeys **pmks)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_roam_masterkeys *mks = NULL;
	const struct cr_token **local = NULL;
	const struct cr_token **remote = NULL;
	size_t i;
	int ret = ENOMEM;

	*pmks = NULL;
	mks = talloc_zero(frame, struct cr_roam_masterkeys);
	local = talloc_zero_array(frame, const struct cr_token *,
				  v->local->num_tokens + 1);
	remote = talloc_zero_array(frame, const struct cr_token *,
				   v->num_remote + 1);
	if (mks == NULL || local == NULL || remote == NULL) {
		goto done;
	}
	for (i = 0; i < v->local->num_tokens; i++) {
		local[i] = v->local->tokens[i].token;
	}
	for (i = 0; i < v->num_remote; i++) {
		remote[i] = v->remote[i].token;
	}
	ret = masterkeys_of(mks, local, v->local->num_tokens, &mks->local,
			    &mks->num_local);
	if (ret == 0) {
		ret = masterkeys_of(mks, remote, v->num_remote, &mks->remote,
				    &mks->num_remote);
	}
	if (ret != 0) {
		goto done;
	}
	*pmks = talloc_move(mem_ctx, &mks);
done:
	TALLOC_FREE(frame);
	return ret;
}
