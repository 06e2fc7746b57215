/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * certs/ made to match roaming/; see materialize.h.
 *
 * Decrypting a key costs a master key (a DC round trip without the
 * password), so a key already written (or found to open) from the same
 * token is not decrypted again.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gnutls/x509.h>

#include "dpapi/dpapi.h"
#include "roam/materialize.h"
#include "store/material.h"
#include "util/error.h"
#include "util/secret.h"
#include "util/stackframe.h"

/* Write certs/<name> unless it holds exactly these bytes already. */
static int write_if_different(struct cr_store *store, const char *name,
			      const uint8_t *data, size_t len, mode_t mode,
			      bool *written, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t *old = NULL;
	size_t old_len = 0;
	int ret;

	*written = false;
	ret = cr_store_read_cert_file(frame, store, name, &old, &old_len,
				      NULL);
	if (ret == 0) {
		credroam_keep_secret(old);
	}
	if (ret == 0 && old_len == len && memcmp(old, data, len) == 0) {
		goto done;
	}
	ret = cr_store_write_cert_file(store, name, data, len, mode, errmsg);
	*written = ret == 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

/*
 * Decrypt t with its master key; 0 and the PEM when it is mc's key (pem
 * NULL: only whether it opens; no PEM is made).
 */
static int try_key(struct cr_keys *keys, const struct cr_roam_view *v,
		   const struct cr_material_cert *mc, const struct cr_token *t,
		   TALLOC_CTX *mem_ctx, char **pem, size_t *pem_len,
		   char **why)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_token *mkf = NULL;
	struct cr_privkey *key = NULL;
	struct cr_guid guid;
	const uint8_t *mk = NULL;
	size_t mk_len = 0;
	uint8_t key_id[20];
	char *gs = NULL;
	int ret;

	ret = cr_material_key_mk_guid(t, &guid, why);
	if (ret != 0) {
		goto done;
	}
	gs = cr_guid_string(frame, &guid);
	mkf = cr_roam_view_find_token(v, CR_TOKEN_DPAPI_MASTER_KEY, gs);
	if (mkf == NULL) {
		cr_seterr(why, "its master key %s does not roam", gs);
		ret = ENOENT;
		goto done;
	}
	ret = cr_keys_unlock(keys, gs, mkf->data, mkf->data_length, &mk,
			     &mk_len, NULL, why);
	if (ret == 0) {
		ret = cr_material_key_decrypt(frame, t, mk, mk_len, &key,
					      key_id, pem, pem_len, why);
	}
	if (ret == 0 && memcmp(key_id, mc->key_id, sizeof(key_id)) != 0) {
		cr_seterr(why, "key %s is not the certificate's",
			  t->id_escaped);
		ret = EINVAL;
	}
	if (ret == 0 && pem != NULL) {
		*pem = talloc_steal(mem_ctx, *pem);
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

/*
 * The key of this token opened before (a key file written from it, or
 * found to open for the token) and the token has not changed since.
 */
static bool key_opened_before(const struct cr_roam_session *s,
			      const struct cr_state *next,
			      const struct cr_state_cert *old,
			      const struct cr_token *k)
{
	const struct cr_state_item *sk = NULL;
	const struct cr_state_item *sk_now = NULL;

	if (old == NULL || !old->key_written || old->key_id == NULL ||
	    strcasecmp(old->key_id, k->identifier) != 0) {
		return false;
	}
	sk = cr_state_find(s->state, k->type, k->identifier);
	sk_now = cr_state_find(next, k->type, k->identifier);
	return sk != NULL && sk_now != NULL &&
	       strcmp(sk->sha1, sk_now->sha1) == 0;
}

/*
 * materialize = files: the key's PKCS#8 PEM into certs/<tp>.key (0600),
 * unless it was written before from the same token.  out->key_written
 * when the file holds the key; *why says why not.
 */
static int key_to_file(struct cr_roam_session *s,
		       const struct cr_roam_view *v,
		       const struct cr_material_cert *mc,
		       const struct cr_token *k, const struct cr_state_cert *old,
		       const struct cr_state *next, const char *keyname,
		       bool key_exists, struct cr_state_cert *out, char **why,
		       char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *pem = NULL;
	size_t pem_len = 0;
	bool written = false;
	int ret;

	if (key_exists && key_opened_before(s, next, old, k)) {
		out->key_written = true;
		ret = 0;
		goto done;
	}
	cr_err_clear(why);
	ret = try_key(s->keys, v, mc, k, frame, &pem, &pem_len, why);
	if (ret != 0) {
		ret = 0;
		goto done;
	}
	credroam_keep_secret(pem);
	ret = write_if_different(s->store, keyname, (const uint8_t *)pem,
				 pem_len, 0600, &written, errmsg);
	if (ret != 0) {
		goto done;
	}
	s->report->keys_written += written ? 1 : 0;
	out->key_written = true;
done:
	TALLOC_FREE(frame);
	return ret;
}

/*
 * materialize = token: no key file.  The key is checked to open (its
 * container decrypts to the certificate's key; no PEM is made, the key
 * is wiped) once per version of its token, so that status and the next
 * runs know the token serves it; only then is a key file that an older
 * run or an import left in certs/ wiped and removed: until the token can
 * serve a key, that file is the only copy programs can use.
 * out->key_written: the key opens.
 */
static int key_to_token(struct cr_roam_session *s,
			const struct cr_roam_view *v,
			const struct cr_material_cert *mc,
			const struct cr_token *k,
			const struct cr_state_cert *old,
			const struct cr_state *next, const char *keyname,
			bool key_exists, struct cr_state_cert *out, char **why,
			char **errmsg)
{
	bool before;
	int ret = 0;

	before = key_opened_before(s, next, old, k);
	if (!before) {
		cr_err_clear(why);
		ret = try_key(s->keys, v, mc, k, NULL, NULL, NULL, why);
		if (ret != 0) {
			/* a key file stays: it is the only usable copy */
			return 0;
		}
		s->report->keys_written++;
	}
	out->key_written = true;
	if (key_exists) {
		ret = cr_store_trash_cert_file(s->store, keyname, errmsg);
		if (ret == ENOENT) {
			ret = 0;
		} else if (ret == 0) {
			s->report->keys_wiped++;
		}
	}
	return ret;
}

/*
 * The agent's token serves RSA and EC keys.  A key of another kind (DSA,
 * from a CAPI DSS container) keeps its key file under materialize = token
 * too: without it the key would be usable nowhere.
 */
static bool token_serves_key_of(const struct cr_material_cert *mc)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = {
		.data = mc->der, .size = (unsigned)mc->der_len,
	};
	int algo = GNUTLS_PK_UNKNOWN;

	if (gnutls_x509_crt_init(&crt) != 0) {
		return true;
	}
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) == 0) {
		algo = gnutls_x509_crt_get_pk_algorithm(crt, NULL);
	}
	gnutls_x509_crt_deinit(crt);
	return algo != GNUTLS_PK_DSA;
}

static int materialize_one(struct cr_roam_session *s,
			   const struct cr_roam_view *v,
			   struct cr_state *next, const struct cr_token *t,
			   struct cr_state_cert *out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_store_view *local = v->local;
	const struct cr_state_cert *old = NULL;
	struct cr_material_cert *mc = NULL;
	char *crt = NULL;
	char *keyname = NULL;
	char *why = NULL;
	bool written = false;
	bool key_exists;
	size_t i;
	int ret;

	ret = cr_material_cert_parse(frame, t, &mc, &why);
	if (ret != 0) {
		cr_roam_problem(s->report, 0, t->id_escaped,
				"certificate not made usable: %s",
				why ? why : strerror(ret));
		ret = 0;
		goto done;
	}
	out->thumbprint = talloc_strdup(next, mc->thumbprint);
	out->cert_type = t->type;
	crt = talloc_asprintf(frame, "%s.crt", mc->thumbprint);
	keyname = talloc_asprintf(frame, "%s.key", mc->thumbprint);
	if (out->thumbprint == NULL || crt == NULL || keyname == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = write_if_different(s->store, crt, (const uint8_t *)mc->pem,
				 strlen(mc->pem), 0644, &written, errmsg);
	if (ret != 0) {
		goto done;
	}
	s->report->certs_written += written ? 1 : 0;

	old = cr_state_find_cert(s->state, mc->thumbprint);
	key_exists = cr_store_cert_file_exists(s->store, keyname);
	for (i = 0; i < local->num_tokens; i++) {
		const struct cr_token *k = local->tokens[i].token;

		if (!cr_material_key_matches(mc, k)) {
			continue;
		}
		out->key_id = talloc_strdup(next, k->identifier);
		out->key_type = k->type;
		if (s->report->materialize == CR_MATERIALIZE_FILES ||
		    !token_serves_key_of(mc)) {
			ret = key_to_file(s, v, mc, k, old, next, keyname,
					  key_exists, out, &why, errmsg);
		} else {
			ret = key_to_token(s, v, mc, k, old, next, keyname,
					   key_exists, out, &why, errmsg);
		}
		if (ret != 0) {
			goto done;
		}
		if (out->key_written) {
			break;
		}
	}
	if (out->key_id != NULL && !out->key_written) {
		cr_roam_problem(s->report, 0, mc->thumbprint,
				"private key not made usable: %s",
				why ? why : "no key container matches");
	}
	ret = 0;
done:
	cr_err_clear(&why);
	TALLOC_FREE(frame);
	return ret;
}

int cr_roam_materialize_key(TALLOC_CTX *mem_ctx, struct cr_keys *keys,
			    const struct cr_roam_view *v,
			    const struct cr_token *cert, char **pem,
			    size_t *pem_len, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_store_view *local = v->local;
	struct cr_material_cert *mc = NULL;
	char *why = NULL;
	size_t i;
	int ret;

	*pem = NULL;
	*pem_len = 0;
	ret = cr_material_cert_parse(frame, cert, &mc, errmsg);
	if (ret != 0) {
		goto done;
	}
	ret = ENOENT;
	for (i = 0; i < local->num_tokens; i++) {
		const struct cr_token *k = local->tokens[i].token;

		if (!cr_material_key_matches(mc, k)) {
			continue;
		}
		cr_err_clear(&why);
		ret = try_key(keys, v, mc, k, mem_ctx, pem, pem_len, &why);
		if (ret == 0) {
			credroam_keep_secret(*pem);
			break;
		}
	}
	if (ret != 0) {
		cr_seterr(errmsg, "the private key of %s cannot be "
			  "decrypted here: %s", mc->thumbprint,
			  why ? why : "no key container matches");
	}
done:
	cr_err_clear(&why);
	TALLOC_FREE(frame);
	return ret;
}

/* Files of a certificate that no longer roams go to the trash. */
static int retire_files(struct cr_store *store, const char *thumbprint,
			char **errmsg)
{
	const char *exts[] = { ".crt", ".key", ".p12" };
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		char name[64];
		int ret;

		snprintf(name, sizeof(name), "%s%s", thumbprint, exts[i]);
		ret = cr_store_trash_cert_file(store, name, errmsg);
		if (ret != 0 && ret != ENOENT) {
			return ret;
		}
	}
	return 0;
}

int cr_roam_materialize(struct cr_roam_session *s,
			const struct cr_roam_view *v, struct cr_state *next,
			char **errmsg)
{
	const struct cr_store_view *local = v->local;
	struct cr_state_cert *certs = NULL;
	size_t n = 0;
	size_t i;
	int ret;

	certs = talloc_zero_array(next, struct cr_state_cert,
				  local->num_tokens + 1);
	if (certs == NULL) {
		return ENOMEM;
	}
	for (i = 0; i < local->num_tokens; i++) {
		const struct cr_token *t = local->tokens[i].token;

		if (t->type != CR_TOKEN_CAPI_CERT &&
		    t->type != CR_TOKEN_CNG_CERT) {
			continue;
		}
		ret = materialize_one(s, v, next, t, &certs[n], errmsg);
		if (ret != 0) {
			return ret;
		}
		if (certs[n].thumbprint != NULL) {
			n++;
		}
	}
	next->certs = certs;
	next->num_certs = n;
	for (i = 0; i < s->state->num_certs; i++) {
		const char *tp = s->state->certs[i].thumbprint;

		if (cr_state_find_cert(next, tp) != NULL) {
			continue;
		}
		ret = retire_files(s->store, tp, errmsg);
		if (ret != 0) {
			return ret;
		}
	}
	return 0;
}
