/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The preferred master key; see preferred.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "dpapi/dpapi.h"
#include "keys/preferred.h"
#include "util/error.h"
#include "util/stackframe.h"

struct masterkey_tokens {
	const struct cr_token * const *local;
	size_t num_local;
	const struct cr_token * const *remote;
	size_t num_remote;
};

static const struct cr_token *find_in(const struct cr_token * const *list,
				      size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcasecmp(list[i]->identifier, id) == 0) {
			return list[i];
		}
	}
	return NULL;
}

/* The master key token of this identifier: the local one, else AD's. */
static const struct cr_token *find_mk(const struct masterkey_tokens *mks,
				      const char *id)
{
	const struct cr_token *t = find_in(mks->local, mks->num_local, id);

	if (t == NULL) {
		t = find_in(mks->remote, mks->num_remote, id);
	}
	return t;
}

/*
 * The key the Preferred names, while it has not expired (or has, but no
 * password is at hand to make the next one).  *in_use false: none to use
 * (unreadable Preferred, its key gone, or time for the next one).
 */
static int unlock_named(struct cr_keys *keys,
			const struct masterkey_tokens *mks,
			const struct cr_token *pref, uint64_t now,
			struct cr_preferred_key *out, bool *in_use,
			char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_token *mkf = NULL;
	struct cr_dpapi_preferred p;
	char *gs = NULL;
	int ret;

	*in_use = false;
	ret = cr_dpapi_preferred_parse(frame, pref->data, pref->data_length,
				       &p, NULL);
	if (ret != 0) {
		ret = 0;
		goto done;
	}
	gs = cr_guid_string(frame, &p.guid);
	if (gs == NULL) {
		ret = ENOMEM;
		goto done;
	}
	mkf = find_mk(mks, gs);
	*in_use = mkf != NULL &&
		  (p.expires > now || !cr_keys_have_prekeys(keys));
	if (!*in_use) {
		goto done;
	}
	ret = cr_keys_unlock(keys, gs, mkf->data, mkf->data_length, &out->mk,
			     &out->mk_len, NULL, errmsg);
	if (ret == 0) {
		out->guid = p.guid;
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

/*
 * The newest local master key that opens: a run killed between writing
 * a new key and its Preferred left it.  ENOENT: none.
 */
static int adopt_newest(struct cr_keys *keys,
			const struct masterkey_tokens *mks,
			struct cr_preferred_key *out)
{
	const struct cr_token *best = NULL;
	size_t i;
	int ret;

	for (i = 0; i < mks->num_local; i++) {
		const struct cr_token *t = mks->local[i];
		struct cr_guid g;
		bool is_guid = cr_guid_parse(t->identifier, &g);

		if (!is_guid) {
			continue;
		}
		if (best == NULL || t->filetime > best->filetime) {
			best = t;
		}
	}
	if (best == NULL || !cr_keys_have_prekeys(keys)) {
		return ENOENT;
	}
	ret = cr_keys_unlock(keys, best->identifier, best->data,
			     best->data_length, &out->mk, &out->mk_len, NULL,
			     NULL);
	if (ret != 0) {
		return ENOENT;
	}
	cr_guid_parse(best->identifier, &out->guid);
	return 0;
}

/* A new master key (made and unlocked by keys) and its token. */
static int make_new_key(TALLOC_CTX *mem_ctx, struct cr_keys *keys,
			uint64_t now, struct cr_preferred_key *out,
			char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t *file = NULL;
	size_t file_len = 0;
	char *gs = NULL;
	int ret;

	ret = cr_keys_create(frame, keys, &out->guid, &file, &file_len,
			     errmsg);
	if (ret != 0) {
		goto done;
	}
	gs = cr_guid_string(frame, &out->guid);
	if (gs == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_token_build(mem_ctx, CR_TOKEN_DPAPI_MASTER_KEY, gs, now, 0,
			     file, file_len, NULL, 0, &out->new_key, errmsg);
done:
	TALLOC_FREE(frame);
	return ret;
}

/* The Preferred token naming out->guid for the next 90 days. */
static int make_preferred(TALLOC_CTX *mem_ctx, const struct cr_token *old,
			  uint64_t now, struct cr_preferred_key *out,
			  char **errmsg)
{
	struct cr_dpapi_preferred p = {
		.guid = out->guid,
		.expires = now + CR_PREFERRED_LIFETIME_DAYS * CR_FILETIME_DAY,
	};
	uint8_t data[CR_DPAPI_PREFERRED_LEN];

	cr_dpapi_preferred_build(&p, data);
	if (old != NULL) {
		return cr_token_update_data(mem_ctx, old, data, sizeof(data),
					    now, &out->new_preferred, errmsg);
	}
	return cr_token_build(mem_ctx, CR_TOKEN_DPAPI_MASTER_KEY,
			      CR_TOKEN_PREFERRED_ID, now, 0, data,
			      sizeof(data), NULL, 0, &out->new_preferred,
			      errmsg);
}

/*
 * The next preferred key: the adopted one, else a new one; then the
 * Preferred naming it.
 */
static int make_next(struct cr_preferred_key *out, struct cr_keys *keys,
		     const struct cr_token *old_pref, bool adopted,
		     uint64_t now, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *gs = NULL;
	int ret = 0;

	if (!adopted) {
		ret = make_new_key(out, keys, now, out, errmsg);
	}
	if (ret == 0) {
		ret = make_preferred(out, old_pref, now, out, errmsg);
	}
	if (ret != 0) {
		goto done;
	}
	gs = cr_guid_string(frame, &out->guid);
	if (gs == NULL) {
		ret = ENOMEM;
		goto done;
	}
	out->mk = cr_keys_find(keys, gs, &out->mk_len);
	ret = out->mk != NULL ? 0 : ENOENT;
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_keys_preferred(TALLOC_CTX *mem_ctx, struct cr_keys *keys,
		      const struct cr_token * const *local, size_t num_local,
		      const struct cr_token * const *remote,
		      size_t num_remote, uint64_t now,
		      struct cr_preferred_key **presult, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct masterkey_tokens mks = {
		.local = local,
		.num_local = num_local,
		.remote = remote,
		.num_remote = num_remote,
	};
	const struct cr_token *pref = NULL;
	struct cr_preferred_key *out = NULL;
	bool in_use = false;
	bool adopted = false;
	int ret = ENOMEM;

	*presult = NULL;
	out = talloc_zero(frame, struct cr_preferred_key);
	if (out == NULL) {
		goto done;
	}
	pref = find_mk(&mks, CR_TOKEN_PREFERRED_ID);
	if (pref != NULL) {
		ret = unlock_named(keys, &mks, pref, now, out, &in_use,
				   errmsg);
	} else {
		/* No Preferred anywhere, yet maybe a key: adopt the newest
		 * we can open rather than make another. */
		adopted = adopt_newest(keys, &mks, out) == 0;
		ret = 0;
	}
	/* None in use yet, or it expired and a password lets us make the
	 * next one. */
	if (ret == 0 && !in_use) {
		ret = make_next(out, keys, pref, adopted, now, errmsg);
	}
	if (ret != 0) {
		goto done;
	}
	*presult = talloc_move(mem_ctx, &out);
done:
	TALLOC_FREE(frame);
	return ret;
}
