/*
 * What the user changed in certs/ since the last run; see roam_private.h.
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
#include "error.h"
#include "material.h"
#include "roam_private.h"
#include "secret.h"
#include "stackframe.h"

#define PREFERRED_LIFETIME_DAYS 90
#define MACHINE_GUID_FILE "machine-guid"

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
static int put_local(struct roam_ctx *c, const struct cr_token *t,
		     char **errmsg)
{
	int ret = cr_store_put_token(c->store, t, errmsg);

	if (ret == 0) {
		c->local_changed = true;
	}
	return ret;
}

/*
 * The newest master key of the user that opens (local or AD); 0 and the
 * key, or ENOENT.
 */
static int adopt_masterkey(struct roam_ctx *c,
			   const struct cr_store_view *local,
			   struct cr_guid *guid, const uint8_t **mk,
			   size_t *mk_len)
{
	const struct cr_token *best = NULL;
	size_t i;

	for (i = 0; i < local->num_tokens; i++) {
		const struct cr_token *t = local->tokens[i].token;
		struct cr_guid g;

		if (t->type != CR_TOKEN_DPAPI_MASTER_KEY ||
		    !cr_guid_parse(t->identifier, &g)) {
			continue;
		}
		if (best == NULL || t->filetime > best->filetime) {
			best = t;
		}
	}
	if (best == NULL || !cr_keys_have_prekeys(c->keys) ||
	    cr_keys_unlock(c->keys, best->identifier, best->data,
			   best->data_length, mk, mk_len, NULL, NULL) != 0) {
		return ENOENT;
	}
	cr_guid_parse(best->identifier, guid);
	return 0;
}

/* The preferred master key, made (with its Preferred file) if needed. */
static int preferred_masterkey(struct roam_ctx *c,
			       const struct cr_store_view *local,
			       struct cr_guid *guid, const uint8_t **mk,
			       size_t *mk_len, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_token *pref = NULL;
	const struct cr_token *mkf = NULL;
	struct cr_dpapi_preferred p;
	uint8_t pref_data[CR_DPAPI_PREFERRED_LEN];
	struct cr_token *mk_token = NULL;
	struct cr_token *pref_token = NULL;
	uint8_t *file = NULL;
	size_t file_len = 0;
	char *gs = NULL;
	bool have = false;
	int ret;

	pref = cr_roam_find_token(c, local, CR_TOKEN_DPAPI_MASTER_KEY,
				  PREFERRED_ID);
	if (pref != NULL &&
	    cr_dpapi_preferred_parse(frame, pref->data, pref->data_length,
				     &p, NULL) == 0) {
		gs = cr_guid_string(frame, &p.guid);
		mkf = cr_roam_find_token(c, local, CR_TOKEN_DPAPI_MASTER_KEY,
					 gs);
		have = mkf != NULL;
	}
	if (have && (p.expires > c->now || !cr_keys_have_prekeys(c->keys))) {
		ret = cr_keys_unlock(c->keys, gs, mkf->data, mkf->data_length,
				     mk, mk_len, NULL, errmsg);
		if (ret == 0) {
			*guid = p.guid;
		}
		goto done;
	}
	if (pref == NULL) {
		/* No Preferred anywhere, yet maybe a key: a run killed
		 * between writing a new key and its Preferred.  Adopt the
		 * newest key we can open rather than make another. */
		ret = adopt_masterkey(c, local, guid, mk, mk_len);
		if (ret == 0) {
			goto write_preferred;
		}
	}
	/* None yet, or it expired and a password lets us make the next. */
	ret = cr_keys_create(frame, c->keys, guid, &file, &file_len, errmsg);
	if (ret != 0) {
		goto done;
	}
	gs = cr_guid_string(frame, guid);
	ret = cr_token_build(frame, CR_TOKEN_DPAPI_MASTER_KEY, gs, c->now, 0,
			     file, file_len, NULL, 0, &mk_token, errmsg);
	if (ret != 0) {
		goto done;
	}
	ret = put_local(c, mk_token, errmsg);
	if (ret != 0) {
		goto done;
	}
write_preferred:
	p.guid = *guid;
	p.expires = c->now + PREFERRED_LIFETIME_DAYS * CR_FILETIME_DAY;
	cr_dpapi_preferred_build(&p, pref_data);
	if (pref != NULL) {
		ret = cr_token_update_data(frame, pref, pref_data,
					   sizeof(pref_data), c->now,
					   &pref_token, errmsg);
	} else {
		ret = cr_token_build(frame, CR_TOKEN_DPAPI_MASTER_KEY,
				     PREFERRED_ID, c->now, 0, pref_data,
				     sizeof(pref_data), NULL, 0, &pref_token,
				     errmsg);
	}
	/* The key file went first: a Preferred naming a missing key would
	 * be worse than a key file without a Preferred (adopted above). */
	if (ret == 0) {
		ret = put_local(c, pref_token, errmsg);
	}
	if (ret == 0) {
		gs = cr_guid_string(frame, guid);
		*mk = cr_keys_find(c->keys, gs, mk_len);
		ret = *mk != NULL ? 0 : ENOENT;
	}
done:
	if (ret != 0 && errmsg != NULL && *errmsg != NULL) {
		*errmsg = talloc_steal(c, *errmsg);
	}
	TALLOC_FREE(frame);
	return ret;
}

/*
 * The GUID that names this machine's key containers, as Windows'
 * MachineGuid does: /etc/machine-id where the machine has one.  A machine
 * without (a container, a debootstrap) gets one made up once and kept in
 * the store, as Windows setup makes MachineGuid once.  A dry run makes one
 * up without keeping it, so it and the run agree.
 */
static int machine_guid(struct roam_ctx *c, char **errmsg)
{
	TALLOC_CTX *frame = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char *g = NULL;
	char *err = NULL;
	size_t i;
	int ret;

	if (c->machine_guid != NULL) {
		return 0;
	}
	frame = talloc_stackframe();
	ret = cr_material_machine_guid(c, &c->machine_guid, &err);
	if (ret != ENOENT) {
		if (ret != 0) {
			cr_seterr(c, errmsg, "%s",
				  err != NULL ? err : strerror(ret));
		}
		goto done;
	}
	ret = cr_store_read_root_file(frame, c->store, MACHINE_GUID_FILE,
				      &data, &len, errmsg);
	if (ret == 0) {
		bool ok = len >= 36;
		for (i = 0; ok && i < 36; i++) {
			bool dash = i == 8 || i == 13 || i == 18 || i == 23;
			char ch = (char)data[i];
			bool hex = (ch >= '0' && ch <= '9') ||
				   (ch >= 'a' && ch <= 'f');
			ok = dash ? (ch == '-') : hex;
		}
		if (!ok) {
			cr_seterr(c, errmsg, "'%s/%s' is not a lower-case "
				  "GUID", c->store->root, MACHINE_GUID_FILE);
			ret = EBADMSG;
			goto done;
		}
		c->machine_guid = talloc_strndup(c, (char *)data, 36);
		ret = c->machine_guid != NULL ? 0 : ENOMEM;
		goto done;
	}
	if (ret != ENOENT) {
		goto done;
	}
	ret = cr_material_new_machine_guid(frame, &g);
	if (ret == 0 && !c->opts->dry_run) {
		char *line = talloc_asprintf(frame, "%s\n", g);
		ret = line != NULL ? 0 : ENOMEM;
		if (ret == 0) {
			ret = cr_store_write_root_file(c->store,
						       MACHINE_GUID_FILE,
						       (uint8_t *)line,
						       strlen(line), errmsg);
		}
	}
	if (ret == 0) {
		c->machine_guid = talloc_move(c, &g);
	}
done:
	TALLOC_FREE(err);
	TALLOC_FREE(frame);
	return ret;
}

int cr_roam_import_pair(struct roam_ctx *c, const struct cr_store_view *local,
			const struct cr_material_pair *pair, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_token *cert_token = NULL;
	struct cr_token *key_token = NULL;
	struct cr_guid guid = { { 0 } };
	const uint8_t *mk = NULL;
	size_t mk_len = 0;
	int ret;

	if (pair->key != NULL) {
		ret = preferred_masterkey(c, local, &guid, &mk, &mk_len,
					  errmsg);
		if (ret != 0) {
			goto done;
		}
		ret = machine_guid(c, errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	ret = cr_material_make_tokens(frame, pair, &guid, mk, mk_len,
				      c->machine_guid, c->now, &cert_token,
				      &key_token, errmsg);
	if (ret != 0) {
		goto done;
	}
	/* The key before its certificate: a certificate that roams
	 * without its key would be useless on every machine. */
	if (key_token != NULL) {
		ret = put_local(c, key_token, errmsg);
	}
	if (ret == 0) {
		ret = put_local(c, cert_token, errmsg);
	}
	if (ret == 0) {
		c->report->imported++;
	}
done:
	if (ret != 0 && errmsg != NULL && *errmsg != NULL) {
		*errmsg = talloc_steal(c, *errmsg);
	}
	TALLOC_FREE(frame);
	return ret;
}

/* Move name to want, or to the trash when want exists already. */
static int settle_file(struct roam_ctx *c, const char *name,
		       const char *want, char **errmsg)
{
	int ret;

	if (strcmp(name, want) == 0) {
		return 0;
	}
	ret = cr_store_rename_cert_file(c->store, name, want, errmsg);
	if (ret == EEXIST) {
		ret = cr_store_trash_cert_file(c->store, name, errmsg);
	}
	return ret;
}

/*
 * The certificate roams already (a repeat of an interrupted import, or a
 * copy of a file we wrote): with its key, when this pair has one.
 */
static bool already_roams(struct roam_ctx *c,
			  const struct cr_store_view *local,
			  const struct cr_material_pair *pair)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_token *t = NULL;
	struct cr_material_cert *mc = NULL;
	bool roams = false;

	t = cr_roam_find_token(c, local, CR_TOKEN_CAPI_CERT,
			       pair->thumbprint);
	if (t != NULL) {
		roams = pair->key == NULL ||
			(cr_material_cert_parse(frame, t, &mc, NULL) == 0 &&
			 mc->key_container != NULL);
	}
	TALLOC_FREE(frame);
	return roams;
}

static int import_dropped(struct roam_ctx *c,
			  const struct cr_store_view *local, char **names,
			  size_t num_names, const char *name, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_material_pair *pair = NULL;
	size_t stem_len = strlen(name) - 4;
	char *stem = talloc_strndup(frame, name, stem_len);
	char *key_name = talloc_asprintf(frame, "%s.key", stem);
	char *what = talloc_asprintf(frame, "certs/%s", name);
	uint8_t *cert = NULL;
	size_t cert_len = 0;
	uint8_t *key = NULL;
	size_t key_len = 0;
	char *err = NULL;
	bool with_key;
	int ret;

	if (stem == NULL || key_name == NULL || what == NULL) {
		ret = ENOMEM;
		goto done;
	}
	with_key = name_listed(names, num_names, key_name);
	ret = cr_store_read_cert_file(frame, c->store, name, &cert, &cert_len,
				      &err);
	if (ret == 0 && with_key) {
		ret = cr_store_read_cert_file(frame, c->store, key_name, &key,
					      &key_len, &err);
		credroam_keep_secret(key);
	}
	if (ret == 0) {
		ret = cr_material_pair_from_files(frame, what, cert, cert_len,
						  key_name, key, key_len,
						  &pair, &err);
	}
	if (ret != 0) {
		cr_roam_problem(c->report, 0, what, "not imported: %s",
				err ? err : strerror(ret));
		ret = 0;
		goto done;
	}
	if (c->opts->dry_run) {
		/* what the run needs besides the files, checked the same */
		if (pair->key != NULL) {
			ret = machine_guid(c, &err);
		}
		if (ret != 0) {
			cr_roam_problem(c->report, 0, what, "not imported: %s",
					err ? err : strerror(ret));
			ret = 0;
			goto done;
		}
		cr_roam_problem(c->report, 0, what, "would be imported as %s",
				pair->thumbprint);
		goto done;
	}
	if (!already_roams(c, local, pair)) {
		ret = cr_roam_import_pair(c, local, pair, &err);
		if (ret != 0) {
			cr_roam_problem(c->report, 0, what, "not imported: %s",
					err ? err : strerror(ret));
			ret = 0;
			goto done;
		}
	}
	/*
	 * The key first: once the certificate has its thumbprint name it
	 * is ours and no later run looks at the dropped key file again,
	 * while a run killed between the two renames finds the dropped
	 * certificate still there and settles it on its own.
	 */
	if (with_key) {
		char *want = talloc_asprintf(frame, "%s.key",
					     pair->thumbprint);
		ret = settle_file(c, key_name, want, errmsg);
		if (ret == 0) {
			ret = cr_store_protect_cert_file(c->store, want,
							 errmsg);
		}
	}
	if (ret == 0) {
		ret = settle_file(c, name, talloc_asprintf(frame, "%s.crt",
							   pair->thumbprint),
				  errmsg);
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

/* What forget_deleted() would trash, for a dry run to leave out of L. */
static void dry_remove(struct roam_ctx *c, unsigned type, const char *id)
{
	struct cr_state_item *list = talloc_realloc(c, c->dry_removed,
						    struct cr_state_item,
						    c->num_dry_removed + 1);

	if (list == NULL) {
		return;
	}
	c->dry_removed = list;
	list[c->num_dry_removed].type = type;
	list[c->num_dry_removed].id = talloc_strdup(list, id);
	c->num_dry_removed++;
}

/* The certificate of ours whose files the user removed: its tokens go. */
static int forget_deleted(struct roam_ctx *c, const struct cr_state_cert *sc,
			  char **names, size_t num_names, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char *exts[] = { ".key", ".p12" };
	size_t i;
	int ret;

	ret = cr_store_trash_token(c->store, sc->cert_type, sc->thumbprint,
				   errmsg);
	if (ret != 0 && ret != ENOENT) {
		goto done;
	}
	if (sc->key_id != NULL) {
		bool shared = false;
		for (i = 0; i < c->state->num_certs; i++) {
			const struct cr_state_cert *o = &c->state->certs[i];
			if (o != sc && o->key_id != NULL &&
			    strcasecmp(o->key_id, sc->key_id) == 0 &&
			    name_listed(names, num_names,
					talloc_asprintf(frame, "%s.crt",
							o->thumbprint))) {
				shared = true;
			}
		}
		if (!shared) {
			ret = cr_store_trash_token(c->store, sc->key_type,
						   sc->key_id, errmsg);
			if (ret != 0 && ret != ENOENT) {
				goto done;
			}
		}
	}
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		char *n = talloc_asprintf(frame, "%s%s", sc->thumbprint,
					  exts[i]);
		if (name_listed(names, num_names, n)) {
			ret = cr_store_trash_cert_file(c->store, n, errmsg);
			if (ret != 0 && ret != ENOENT) {
				goto done;
			}
		}
	}
	c->local_changed = true;
	c->report->deleted_locally++;
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_roam_local_changes(struct roam_ctx *c,
			  const struct cr_store_view *local, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char **names = NULL;
	size_t num_names = 0;
	size_t i;
	int ret;

	ret = cr_store_list_certs(frame, c->store, &names, &num_names,
				  errmsg);
	if (ret != 0) {
		goto done;
	}
	for (i = 0; i < c->state->num_certs; i++) {
		const struct cr_state_cert *sc = &c->state->certs[i];
		char *crt = talloc_asprintf(frame, "%s.crt", sc->thumbprint);

		if (name_listed(names, num_names, crt)) {
			continue;
		}
		if (c->opts->dry_run) {
			dry_remove(c, sc->cert_type, sc->thumbprint);
			if (sc->key_id != NULL) {
				dry_remove(c, sc->key_type, sc->key_id);
			}
			continue;
		}
		ret = forget_deleted(c, sc, names, num_names, errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	for (i = 0; i < num_names; i++) {
		const char *n = names[i];
		bool cert_file = has_suffix(n, ".crt") ||
				 has_suffix(n, ".pem") ||
				 has_suffix(n, ".cer");
		size_t stem = strlen(n) - 4;

		if (!cert_file) {
			continue;
		}
		if (is_thumbprint(n, stem) &&
		    (cr_state_find_cert(c->state,
					talloc_strndup(frame, n, stem)) !=
			     NULL ||
		     cr_roam_find_token(c, local, CR_TOKEN_CAPI_CERT,
					talloc_strndup(frame, n, stem)) !=
			     NULL ||
		     cr_roam_find_token(c, local, CR_TOKEN_CNG_CERT,
					talloc_strndup(frame, n, stem)) !=
			     NULL)) {
			continue;	/* ours */
		}
		ret = import_dropped(c, local, names, num_names, n, errmsg);
		if (ret != 0) {
			goto done;
		}
	}
done:
	TALLOC_FREE(frame);
	return ret;
}
