/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the user changed in certs/ since the last run; see local_changes.h.
 *
 * Only files this machine knows nothing of are imported: a certificate
 * named by its thumbprint that roams already is ours.  An import writes
 * deterministic identities (container name from the thumbprint), so a run
 * killed half way and repeated writes the same tokens again.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "dpapi/dpapi.h"
#include "keys/preferred.h"
#include "roam/local_changes.h"
#include "store/material.h"
#include "util/error.h"
#include "util/secret.h"
#include "util/stackframe.h"

/* What the steps of this file share, besides the session. */
struct local_step {
	struct cr_roam_session *s;
	const struct cr_roam_view *v;
	struct cr_roam_local_changes *out;
};

static bool has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name);
	size_t s = strlen(suffix);

	return n > s && strcasecmp(name + n - s, suffix) == 0;
}

static bool is_thumbprint(const char *s, size_t n)
{
	size_t i;

	if (n != 40) {
		return false;
	}
	for (i = 0; i < n; i++) {
		bool hex = (s[i] >= '0' && s[i] <= '9') ||
			   (s[i] >= 'A' && s[i] <= 'F');
		if (!hex) {
			return false;
		}
	}
	return true;
}

static bool name_listed(char **names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(names[i], name) == 0) {
			return true;
		}
	}
	return false;
}

/* Put a token into roaming/, counting it as a local change. */
static int put_local(struct local_step *st, const struct cr_token *t,
		     char **errmsg)
{
	int ret = cr_store_put_token(st->s->store, t, errmsg);

	if (ret == 0) {
		st->out->changed = true;
	}
	return ret;
}

/* The preferred master key; a new one (and Preferred) written first. */
static int preferred_masterkey(TALLOC_CTX *mem_ctx, struct local_step *st,
			       struct cr_preferred_key **ppref,
			       char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_roam_masterkeys *mks = NULL;
	struct cr_preferred_key *pref = NULL;
	int ret;

	*ppref = NULL;
	ret = cr_roam_view_masterkeys(frame, st->v, &mks);
	if (ret != 0) {
		goto done;
	}
	ret = cr_keys_preferred(frame, st->s->keys, mks->local,
				mks->num_local, mks->remote, mks->num_remote,
				st->s->now, &pref, errmsg);
	if (ret != 0) {
		goto done;
	}
	/* the key before the Preferred naming it (preferred.h) */
	if (pref->new_key != NULL) {
		ret = put_local(st, pref->new_key, errmsg);
	}
	if (ret == 0 && pref->new_preferred != NULL) {
		ret = put_local(st, pref->new_preferred, errmsg);
	}
	if (ret != 0) {
		goto done;
	}
	*ppref = talloc_move(mem_ctx, &pref);
done:
	TALLOC_FREE(frame);
	return ret;
}

/* Import one certificate (and key) into roaming/. */
static int import_pair(struct local_step *st,
		       const struct cr_material_pair *pair, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_preferred_key *pref = NULL;
	struct cr_token *cert_token = NULL;
	struct cr_token *key_token = NULL;
	struct cr_guid guid = { { 0 } };
	const uint8_t *mk = NULL;
	size_t mk_len = 0;
	char *machine_guid = NULL;
	int ret;

	if (pair->key != NULL) {
		ret = preferred_masterkey(frame, st, &pref, errmsg);
		if (ret != 0) {
			goto done;
		}
		guid = pref->guid;
		mk = pref->mk;
		mk_len = pref->mk_len;
		ret = cr_material_store_machine_guid(frame, st->s->store,
						     !st->s->opts->dry_run,
						     &machine_guid, errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	ret = cr_material_make_tokens(frame, pair, &guid, mk, mk_len,
				      machine_guid, st->s->now, &cert_token,
				      &key_token, errmsg);
	if (ret != 0) {
		goto done;
	}
	/* The key before its certificate: a certificate that roams
	 * without its key would be useless on every machine. */
	if (key_token != NULL) {
		ret = put_local(st, key_token, errmsg);
	}
	if (ret == 0) {
		ret = put_local(st, cert_token, errmsg);
	}
	if (ret == 0) {
		st->s->report->imported++;
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

/* Move name to want, or to the trash when want exists already. */
static int settle_file(struct cr_store *store, const char *name,
		       const char *want, char **errmsg)
{
	int ret;

	if (strcmp(name, want) == 0) {
		return 0;
	}
	ret = cr_store_rename_cert_file(store, name, want, errmsg);
	if (ret == EEXIST) {
		ret = cr_store_trash_cert_file(store, name, errmsg);
	}
	return ret;
}

/*
 * The certificate roams already (a repeat of an interrupted import, or a
 * copy of a file we wrote): with its key, when this pair has one.
 */
static bool already_roams(const struct cr_roam_view *v,
			  const struct cr_material_pair *pair)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_token *t = NULL;
	struct cr_material_cert *mc = NULL;
	bool roams = false;
	int ret;

	t = cr_roam_view_find_token(v, CR_TOKEN_CAPI_CERT, pair->thumbprint);
	if (t == NULL) {
		/* an EC key's certificate is a CNG one */
		t = cr_roam_view_find_token(v, CR_TOKEN_CNG_CERT,
					    pair->thumbprint);
	}
	if (t != NULL && pair->key == NULL) {
		roams = true;
	} else if (t != NULL) {
		ret = cr_material_cert_parse(frame, t, &mc, NULL);
		roams = ret == 0 && mc->key_container != NULL;
	}
	TALLOC_FREE(frame);
	return roams;
}

/* Read a dropped certificate (and its key) into a pair; *err: why not. */
static int read_dropped(TALLOC_CTX *mem_ctx, struct cr_store *store,
			const char *what, const char *name,
			const char *key_name, bool with_key,
			struct cr_material_pair **pair, char **err)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t *cert = NULL;
	size_t cert_len = 0;
	uint8_t *key = NULL;
	size_t key_len = 0;
	int ret;

	ret = cr_store_read_cert_file(frame, store, name, &cert, &cert_len,
				      err);
	if (ret == 0 && with_key) {
		ret = cr_store_read_cert_file(frame, store, key_name, &key,
					      &key_len, err);
		credroam_keep_secret(key);
	}
	if (ret == 0) {
		ret = cr_material_pair_from_files(mem_ctx, what, cert,
						  cert_len, key_name, key,
						  key_len, pair, err);
	}
	TALLOC_FREE(frame);
	return ret;
}

static int import_dropped(struct local_step *st, char **names,
			  size_t num_names, const char *name, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_store *store = st->s->store;
	struct cr_roam_report *report = st->s->report;
	struct cr_material_pair *pair = NULL;
	size_t stem_len = strlen(name) - 4;
	char *stem = talloc_strndup(frame, name, stem_len);
	char *key_name = talloc_asprintf(frame, "%s.key", stem);
	char *what = talloc_asprintf(frame, "certs/%s", name);
	char *want_key = NULL;
	char *want_crt = NULL;
	char *err = NULL;
	bool with_key;
	int ret;

	if (stem == NULL || key_name == NULL || what == NULL) {
		ret = ENOMEM;
		goto done;
	}
	with_key = name_listed(names, num_names, key_name);
	ret = read_dropped(frame, store, what, name, key_name, with_key,
			   &pair, &err);
	if (ret != 0) {
		cr_roam_problem(report, 0, what, "not imported: %s",
				err ? err : strerror(ret));
		ret = 0;
		goto done;
	}
	if (st->s->opts->dry_run) {
		char *guid = NULL;

		/* what the run needs besides the files, checked the same */
		if (pair->key != NULL) {
			ret = cr_material_store_machine_guid(frame,
				st->s->store, !st->s->opts->dry_run, &guid,
				&err);
		}
		if (ret != 0) {
			cr_roam_problem(report, 0, what, "not imported: %s",
					err ? err : strerror(ret));
			ret = 0;
			goto done;
		}
		cr_roam_problem(report, 0, what, "would be imported as %s",
				pair->thumbprint);
		goto done;
	}
	if (!already_roams(st->v, pair)) {
		ret = import_pair(st, pair, &err);
		if (ret != 0) {
			cr_roam_problem(report, 0, what, "not imported: %s",
					err ? err : strerror(ret));
			ret = 0;
			goto done;
		}
	}
	want_key = talloc_asprintf(frame, "%s.key", pair->thumbprint);
	want_crt = talloc_asprintf(frame, "%s.crt", pair->thumbprint);
	if (want_key == NULL || want_crt == NULL) {
		ret = ENOMEM;
		goto done;
	}
	/*
	 * The key first: once the certificate has its thumbprint name it
	 * is ours and no later run looks at the dropped key file again,
	 * while a run killed between the two renames finds the dropped
	 * certificate still there and settles it on its own.
	 */
	if (with_key) {
		ret = settle_file(store, key_name, want_key, errmsg);
		if (ret == 0) {
			ret = cr_store_protect_cert_file(store, want_key,
							 errmsg);
		}
	}
	if (ret == 0) {
		ret = settle_file(store, name, want_crt, errmsg);
	}
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return ret;
}

/* What forget_deleted() would trash, for a dry run to leave out of L. */
static int dry_remove(struct cr_roam_local_changes *out, unsigned type,
		      const char *id)
{
	struct cr_state_item *list = NULL;
	char *id_copy = NULL;

	list = talloc_realloc(out, out->dry_removed, struct cr_state_item,
			      out->num_dry_removed + 1);
	if (list == NULL) {
		return ENOMEM;
	}
	out->dry_removed = list;
	id_copy = talloc_strdup(list, id);
	if (id_copy == NULL) {
		return ENOMEM;
	}
	list[out->num_dry_removed].type = type;
	list[out->num_dry_removed].id = id_copy;
	list[out->num_dry_removed].sha1 = NULL;
	out->num_dry_removed++;
	return 0;
}

/* Another certificate still in certs/ uses this key too. */
static bool key_shared(TALLOC_CTX *mem_ctx, const struct cr_state *state,
		       const struct cr_state_cert *sc, char **names,
		       size_t num_names)
{
	size_t i;

	for (i = 0; i < state->num_certs; i++) {
		const struct cr_state_cert *o = &state->certs[i];
		char *crt = NULL;

		if (o == sc || o->key_id == NULL ||
		    strcasecmp(o->key_id, sc->key_id) != 0) {
			continue;
		}
		crt = talloc_asprintf(mem_ctx, "%s.crt", o->thumbprint);
		if (crt != NULL && name_listed(names, num_names, crt)) {
			return true;
		}
	}
	return false;
}

/* The certificate of ours whose files the user removed: its tokens go. */
static int forget_deleted(struct local_step *st,
			  const struct cr_state_cert *sc, char **names,
			  size_t num_names, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_store *store = st->s->store;
	const char *exts[] = { ".key", ".p12" };
	bool shared = false;
	size_t i;
	int ret;

	ret = cr_store_trash_token(store, sc->cert_type, sc->thumbprint,
				   errmsg);
	if (ret != 0 && ret != ENOENT) {
		goto done;
	}
	if (sc->key_id != NULL) {
		shared = key_shared(frame, st->s->state, sc, names,
				    num_names);
	}
	if (sc->key_id != NULL && !shared) {
		ret = cr_store_trash_token(store, sc->key_type, sc->key_id,
					   errmsg);
		if (ret != 0 && ret != ENOENT) {
			goto done;
		}
	}
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		char *n = talloc_asprintf(frame, "%s%s", sc->thumbprint,
					  exts[i]);

		if (n == NULL) {
			ret = ENOMEM;
			goto done;
		}
		if (!name_listed(names, num_names, n)) {
			continue;
		}
		ret = cr_store_trash_cert_file(store, n, errmsg);
		if (ret != 0 && ret != ENOENT) {
			goto done;
		}
	}
	st->out->changed = true;
	st->s->report->deleted_locally++;
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

/* A certificate file this machine knows: in the state, or roaming. */
static bool cert_file_is_ours(TALLOC_CTX *mem_ctx, const struct local_step *st,
			      const char *name, size_t stem_len)
{
	char *tp = NULL;

	if (!is_thumbprint(name, stem_len)) {
		return false;
	}
	tp = talloc_strndup(mem_ctx, name, stem_len);
	if (tp == NULL) {
		return false;
	}
	return cr_state_find_cert(st->s->state, tp) != NULL ||
	       cr_roam_view_find_token(st->v, CR_TOKEN_CAPI_CERT, tp) !=
		       NULL ||
	       cr_roam_view_find_token(st->v, CR_TOKEN_CNG_CERT, tp) != NULL;
}

/* Certificates of ours the user removed from certs/. */
static int removed_certs(TALLOC_CTX *mem_ctx, struct local_step *st,
			 char **names, size_t num_names, char **errmsg)
{
	const struct cr_state *state = st->s->state;
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < state->num_certs; i++) {
		const struct cr_state_cert *sc = &state->certs[i];
		char *crt = talloc_asprintf(mem_ctx, "%s.crt", sc->thumbprint);

		if (crt == NULL) {
			return ENOMEM;
		}
		if (name_listed(names, num_names, crt)) {
			continue;
		}
		if (!st->s->opts->dry_run) {
			ret = forget_deleted(st, sc, names, num_names, errmsg);
			continue;
		}
		ret = dry_remove(st->out, sc->cert_type, sc->thumbprint);
		if (ret == 0 && sc->key_id != NULL) {
			ret = dry_remove(st->out, sc->key_type, sc->key_id);
		}
	}
	return ret;
}

int cr_roam_local_changes(TALLOC_CTX *mem_ctx, struct cr_roam_session *s,
			  const struct cr_roam_view *v,
			  struct cr_roam_local_changes **pchanges,
			  char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct local_step st = { .s = s, .v = v };
	char **names = NULL;
	size_t num_names = 0;
	size_t i;
	int ret = ENOMEM;

	*pchanges = NULL;
	st.out = talloc_zero(frame, struct cr_roam_local_changes);
	if (st.out == NULL) {
		goto done;
	}
	ret = cr_store_list_certs(frame, s->store, &names, &num_names,
				  errmsg);
	if (ret != 0) {
		goto done;
	}
	ret = removed_certs(frame, &st, names, num_names, errmsg);
	if (ret != 0) {
		goto done;
	}
	for (i = 0; i < num_names; i++) {
		const char *n = names[i];
		bool cert_file = has_suffix(n, ".crt") ||
				 has_suffix(n, ".pem") ||
				 has_suffix(n, ".cer");
		bool ours = false;

		if (!cert_file) {
			continue;
		}
		ours = cert_file_is_ours(frame, &st, n, strlen(n) - 4);
		if (ours) {
			continue;
		}
		ret = import_dropped(&st, names, num_names, n, errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	*pchanges = talloc_move(mem_ctx, &st.out);
done:
	TALLOC_FREE(frame);
	return ret;
}
