/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The token's state; see token.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <gnutls/x509.h>

#include "ad/adconn.h"
#include "dpapi/dpapi.h"
#include "keys/keyring.h"
#include "keys/keys.h"
#include "p11/token.h"
#include "store/localstore.h"
#include "store/material.h"
#include "util/encoding.h"
#include "util/error.h"
#include "util/secret.h"
#include "util/stackframe.h"

/* A DC that did not answer is asked again after this long. */
#define DC_RETRY_SECONDS 60

static int token_destructor(struct cr_p11_token *tok)
{
	cr_p11_token_wipe(tok);
	pthread_mutex_destroy(&tok->lock);
	return 0;
}

/* "credroam ROAM\alice", cut at a character boundary, blank padded. */
static void make_label(char out[33], const char *user)
{
	char full[96];
	size_t n;

	snprintf(full, sizeof(full), "credroam %s", user);
	n = strlen(full);
	if (n > 32) {
		n = 32;
		while (n > 0 && ((uint8_t)full[n] & 0xC0) == 0x80) {
			n--;
		}
	}
	memset(out, ' ', 32);
	memcpy(out, full, n);
	out[32] = '\0';
}

int cr_p11_token_new(TALLOC_CTX *mem_ctx,
		     const struct cr_p11_token_params *params,
		     struct cr_p11_token **ptok, char **errmsg)
{
	struct cr_p11_token *tok = NULL;

	*ptok = NULL;
	tok = talloc_zero(mem_ctx, struct cr_p11_token);
	if (tok == NULL) {
		return ENOMEM;
	}
	if (pthread_mutex_init(&tok->lock, NULL) != 0) {
		TALLOC_FREE(tok);
		return ENOMEM;
	}
	talloc_set_destructor(tok, token_destructor);
	tok->p.store_path = talloc_strdup(tok, params->store_path);
	tok->p.user = talloc_strdup(tok, params->user);
	tok->p.sid = talloc_strdup(tok, params->sid);
	tok->p.dc = params->dc ? talloc_strdup(tok, params->dc) : NULL;
	tok->p.use_keyring = params->use_keyring;
	tok->p.use_dc = params->use_dc;
	if (tok->p.store_path == NULL || tok->p.user == NULL ||
	    tok->p.sid == NULL) {
		TALLOC_FREE(tok);
		return ENOMEM;
	}
	make_label(tok->label, tok->p.user);
	tok->next_handle = 1;
	*ptok = tok;
	return 0;
}

static int new_keys(struct cr_p11_token *tok)
{
	TALLOC_FREE(tok->keys);
	tok->keys = cr_keys_new(tok, tok->p.sid, tok->conn,
				tok->p.use_keyring);
	if (tok->keys == NULL) {
		return ENOMEM;
	}
	cr_keys_load_keyring(tok->keys, NULL);
	return 0;
}

/* Once per DC_RETRY_SECONDS: the DC, so that MS-BKRP can open keys. */
static bool connect_dc(struct cr_p11_token *tok)
{
	struct cr_ad_params params = { .dc = tok->p.dc };
	char *err = NULL;
	time_t now = time(NULL);
	int ret;

	if (!tok->p.use_dc || tok->conn != NULL ||
	    (tok->dc_tried != 0 && now - tok->dc_tried < DC_RETRY_SECONDS)) {
		return false;
	}
	ret = cr_adconn_connect(tok, &params, &tok->conn, &err);
	cr_err_clear(&err);
	if (ret != 0) {
		tok->dc_tried = now;
		return false;
	}
	return new_keys(tok) == 0;
}

static const struct cr_token *find_mkf(const struct cr_store_view *v,
				       const char *guid)
{
	size_t i;

	for (i = 0; i < v->num_tokens; i++) {
		const struct cr_token *t = v->tokens[i].token;

		if (t->type == CR_TOKEN_DPAPI_MASTER_KEY &&
		    (t->flags & CR_TOKEN_FLAG_TOMBSTONE) == 0 &&
		    strcasecmp(t->identifier, guid) == 0) {
			return t;
		}
	}
	return NULL;
}

/*
 * The master key of k: from the C_Login password first, then the
 * keyring (or the DC).  EACCES when none opens it.
 */
static int unlock_mk(struct cr_p11_token *tok, const struct cr_token *mkf,
		     const char *gs, const uint8_t **mk, size_t *mk_len)
{
	const char *how = NULL;
	int ret = EACCES;

	if (tok->login_keys != NULL) {
		ret = cr_keys_unlock(tok->login_keys, gs, mkf->data,
				     mkf->data_length, mk, mk_len, NULL,
				     NULL);
		if (ret == 0) {
			return 0;
		}
	}
	if (tok->keys == NULL || tok->keyring_gone) {
		return EACCES;
	}
	ret = cr_keys_unlock(tok->keys, gs, mkf->data, mkf->data_length, mk,
			     mk_len, &how, NULL);
	if (ret != 0 && connect_dc(tok)) {
		ret = cr_keys_unlock(tok->keys, gs, mkf->data,
				     mkf->data_length, mk, mk_len, &how,
				     NULL);
	}
	if (ret == 0 && tok->p.use_keyring) {
		tok->keyring_seen = true;
	}
	return ret != 0 ? EACCES : 0;
}

/* Decrypt key token k if it holds mc's key; EACCES: no master key. */
static int try_key(TALLOC_CTX *mem_ctx, struct cr_p11_token *tok,
		   const struct cr_store_view *v,
		   const struct cr_material_cert *mc, const struct cr_token *k,
		   struct cr_privkey **key)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_token *mkf = NULL;
	struct cr_guid guid;
	const uint8_t *mk = NULL;
	size_t mk_len = 0;
	uint8_t key_id[20];
	char *gs = NULL;
	int ret;

	*key = NULL;
	ret = cr_material_key_mk_guid(k, &guid, NULL);
	if (ret != 0) {
		goto done;
	}
	gs = cr_guid_string(frame, &guid);
	mkf = gs != NULL ? find_mkf(v, gs) : NULL;
	if (mkf == NULL) {
		ret = ENOENT;
		goto done;
	}
	ret = unlock_mk(tok, mkf, gs, &mk, &mk_len);
	if (ret != 0) {
		goto done;
	}
	ret = cr_material_key_decrypt(frame, k, mk, mk_len, key, key_id,
				      NULL, NULL, NULL);
	if (ret == 0 && memcmp(key_id, mc->key_id, sizeof(key_id)) != 0) {
		ret = EINVAL;
	}
	if (ret == 0) {
		*key = talloc_move(mem_ctx, key);
	}
done:
	if (ret != 0) {
		TALLOC_FREE(*key);
	}
	TALLOC_FREE(frame);
	return ret;
}

/* The certificate's common name, else its thumbprint. */
static char *cert_label(TALLOC_CTX *mem_ctx,
			const struct cr_material_cert *mc)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t in = { .data = mc->der, .size = (unsigned)mc->der_len };
	char cn[128];
	size_t len = sizeof(cn);
	char *label = NULL;

	if (gnutls_x509_crt_init(&crt) == 0 &&
	    gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_DER) == 0 &&
	    gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
					  0, 0, cn, &len) == 0 && len > 0) {
		label = talloc_strndup(mem_ctx, cn, len);
	}
	gnutls_x509_crt_deinit(crt);
	if (label == NULL) {
		label = talloc_strdup(mem_ctx, mc->thumbprint);
	}
	return label;
}

static void note_problem(struct cr_p11_token *tok, const char *what,
			 const char *why)
{
	if (tok->problem == NULL) {
		tok->problem = talloc_asprintf(tok, "%s: %s", what,
					       why ? why : "unreadable");
	}
}

/* The objects of one certificate token. */
static int load_cert(TALLOC_CTX *mem_ctx, struct cr_p11_token *tok,
		     const struct cr_store_view *v, const struct cr_token *t,
		     struct cr_p11_object ***objs, size_t *count)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_material_cert *mc = NULL;
	struct cr_privkey *key = NULL;
	const struct cr_token *key_token = NULL;
	size_t first = *count;
	bool locked = false;
	char *label = NULL;
	char *err = NULL;
	size_t i;
	int ret;

	ret = cr_material_cert_parse(frame, t, &mc, &err);
	if (ret != 0) {
		note_problem(tok, t->id_escaped, err);
		ret = 0;
		goto done;
	}
	for (i = 0; i < v->num_tokens && key == NULL; i++) {
		const struct cr_token *k = v->tokens[i].token;

		if (!cr_material_key_matches(mc, k)) {
			continue;
		}
		ret = try_key(frame, tok, v, mc, k, &key);
		locked = locked || ret == EACCES;
		key_token = key != NULL ? k : NULL;
	}
	if (cr_p11_token_hidden(tok, mc->key_id)) {
		ret = 0;
		goto done;
	}
	label = cert_label(frame, mc);
	if (label == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_p11_objects_add(mem_ctx, mc->der, mc->der_len, label, key,
				 objs, count, &err);
	if (ret == ENOMEM) {
		goto done;
	}
	for (i = first; ret == 0 && i < *count; i++) {
		struct cr_p11_object *o = (*objs)[i];
		const struct cr_token *src = o->cls == CKO_CERTIFICATE ? t
					   : o->cls == CKO_PRIVATE_KEY
						? key_token : NULL;

		if (src != NULL) {
			o->token_type = src->type;
			o->token_id = talloc_strdup(o, src->identifier);
		}
	}
	if (ret != 0) {
		note_problem(tok, mc->thumbprint, err);
	} else if (key != NULL) {
		tok->num_keys++;
	} else if (locked) {
		tok->locked_keys++;
	}
	ret = 0;
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return ret;
}

/* Objects that stay the same keep their handles; others get new ones. */
static void assign_handles(struct cr_p11_token *tok,
			   struct cr_p11_object **objs, size_t n)
{
	size_t i;
	size_t j;

	for (i = 0; i < n; i++) {
		objs[i]->handle = 0;
		for (j = 0; j < tok->num_objs; j++) {
			if (cr_p11_object_same(objs[i], tok->objs[j])) {
				objs[i]->handle = tok->objs[j]->handle;
				break;
			}
		}
		if (objs[i]->handle == 0) {
			objs[i]->handle = tok->next_handle++;
		}
	}
}

int cr_p11_token_reload(struct cr_p11_token *tok, bool force,
			char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	TALLOC_CTX *objs_ctx = NULL;
	struct cr_store *store = NULL;
	struct cr_store_view *view = NULL;
	struct cr_p11_object **objs = NULL;
	size_t n = 0;
	char *fp = NULL;
	size_t i;
	int ret;

	ret = cr_store_open(frame, tok->p.store_path, false, &store, errmsg);
	if (ret == ENOENT) {
		cr_err_clear(errmsg);
		fp = talloc_strdup(frame, "");
		ret = fp != NULL ? 0 : ENOMEM;
	} else if (ret == 0) {
		ret = cr_store_fingerprint(frame, store, &fp, errmsg);
	}
	if (ret != 0) {
		goto done;
	}
	if (!force && tok->fingerprint != NULL &&
	    strcmp(tok->fingerprint, fp) == 0) {
		goto done;
	}
	if (store != NULL) {
		ret = cr_store_load(frame, store, &view, errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	if (tok->keys == NULL) {
		ret = new_keys(tok);
		if (ret != 0) {
			goto done;
		}
	} else if (!cr_keys_have_prekeys(tok->keys)) {
		/* a logon or unlock since may have left some */
		cr_keys_load_keyring(tok->keys, NULL);
	}
	objs_ctx = talloc_new(tok);
	if (objs_ctx == NULL) {
		ret = ENOMEM;
		goto done;
	}
	TALLOC_FREE(tok->problem);
	tok->num_keys = 0;
	tok->locked_keys = 0;
	for (i = 0; view != NULL && i < view->num_tokens; i++) {
		const struct cr_token *t = view->tokens[i].token;

		if ((t->type != CR_TOKEN_CAPI_CERT &&
		     t->type != CR_TOKEN_CNG_CERT) ||
		    (t->flags & CR_TOKEN_FLAG_TOMBSTONE) != 0) {
			continue;
		}
		ret = load_cert(objs_ctx, tok, view, t, &objs, &n);
		if (ret != 0) {
			TALLOC_FREE(objs_ctx);
			goto done;
		}
	}
	ret = cr_p11_token_pending_objects(tok, objs_ctx, &objs, &n);
	if (ret != 0) {
		TALLOC_FREE(objs_ctx);
		goto done;
	}
	if (objs != NULL) {
		talloc_steal(objs_ctx, objs);
	}
	assign_handles(tok, objs, n);
	TALLOC_FREE(tok->objs_ctx);
	tok->objs_ctx = objs_ctx;
	tok->objs = objs;
	tok->num_objs = n;
	tok->generation++;
	TALLOC_FREE(tok->fingerprint);
	tok->fingerprint = talloc_steal(tok, fp);
done:
	TALLOC_FREE(frame);
	return ret;
}

bool cr_p11_token_login_required(const struct cr_p11_token *tok)
{
	return tok->locked_keys > 0;
}

CK_RV cr_p11_token_login(struct cr_p11_token *tok, const uint8_t *pin,
			 size_t pin_len)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_keys *old = tok->login_keys;
	struct cr_keys *lk = NULL;
	char *password = NULL;
	unsigned locked = tok->locked_keys;
	CK_RV rv = CKR_PIN_INCORRECT;
	int ret;

	if (locked == 0) {
		rv = CKR_OK;
		goto done;
	}
	if (pin == NULL || pin_len == 0 || pin_len > 1024 ||
	    memchr(pin, '\0', pin_len) != NULL) {
		goto done;
	}
	password = talloc_strndup(frame, (const char *)pin, pin_len);
	if (password == NULL) {
		rv = CKR_HOST_MEMORY;
		goto done;
	}
	credroam_keep_secret(password);
	/* the agent's own: a wrong password never reaches the keyring */
	lk = cr_keys_new(tok, tok->p.sid, NULL, false);
	if (lk == NULL) {
		rv = CKR_HOST_MEMORY;
		goto done;
	}
	ret = cr_keys_add_password(lk, password, NULL);
	TALLOC_FREE(password);
	if (ret != 0) {
		TALLOC_FREE(lk);
		rv = CKR_FUNCTION_FAILED;
		goto done;
	}
	tok->login_keys = lk;
	ret = cr_p11_token_reload(tok, true, NULL);
	if (ret == 0 && tok->locked_keys < locked) {
		TALLOC_FREE(old);
		rv = CKR_OK;
		goto done;
	}
	tok->login_keys = old;
	TALLOC_FREE(lk);
	rv = ret == 0 ? CKR_PIN_INCORRECT : CKR_FUNCTION_FAILED;
done:
	TALLOC_FREE(frame);
	return rv;
}

void cr_p11_token_wipe(struct cr_p11_token *tok)
{
	/* the keys' destructors wipe what they hold */
	TALLOC_FREE(tok->objs_ctx);
	tok->objs = NULL;
	tok->num_objs = 0;
	tok->num_keys = 0;
	TALLOC_FREE(tok->keys);
	TALLOC_FREE(tok->login_keys);
	TALLOC_FREE(tok->fingerprint);
	TALLOC_FREE(tok->pending);
	tok->num_pending = 0;
	tok->keyring_seen = false;
}

struct cr_p11_object *cr_p11_token_object(const struct cr_p11_token *tok,
					  CK_OBJECT_HANDLE handle)
{
	size_t i;

	for (i = 0; i < tok->num_objs; i++) {
		if (tok->objs[i]->handle == handle) {
			return tok->objs[i];
		}
	}
	return NULL;
}

bool cr_p11_token_poll(struct cr_p11_token *tok)
{
	unsigned gen;
	size_t count = 0;
	bool force = false;
	bool changed;
	bool look;

	pthread_mutex_lock(&tok->lock);
	gen = tok->generation;
	look = tok->p.use_keyring && (tok->keyring_seen || tok->keyring_gone);
	if (look && cr_keyring_count(tok->p.sid, &count, NULL) == 0) {
		if (count == 0 && tok->keyring_seen) {
			/* logoff or purge: the session's secrets are gone,
			 * and the agent does not fetch them again */
			cr_p11_token_wipe(tok);
			TALLOC_FREE(tok->conn);
			tok->keyring_gone = true;
		} else if (count > 0 && tok->keyring_gone) {
			/* a new logon (pam_credroam) filled it again */
			tok->keyring_gone = false;
			TALLOC_FREE(tok->keys);
			force = true;
		}
	}
	cr_p11_token_reload(tok, force, NULL);
	changed = gen != tok->generation;
	pthread_mutex_unlock(&tok->lock);
	return changed;
}
