/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The token's other direction: what an application writes into it
 * becomes roaming tokens; see token.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "format/token.h"
#include "keys/keys.h"
#include "keys/preferred.h"
#include "p11/token.h"
#include "store/localstore.h"
#include "store/material.h"
#include "store/state.h"
#include "util/encoding.h"
#include "util/error.h"
#include "util/secret.h"
#include "util/stackframe.h"

/* Largest value of a written attribute: a certificate, a label. */
#define MAX_CERT_LEN (64 * 1024)
#define MAX_LABEL_LEN 256
/* an RSA number of at most 16384 bits */
#define MAX_RSA_BYTES 2048
#define MAX_PENDING 64

static const CK_ATTRIBUTE *attr(const CK_ATTRIBUTE *tmpl, CK_ULONG count,
				CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG i;

	for (i = 0; tmpl != NULL && i < count; i++) {
		if (tmpl[i].type == type) {
			return &tmpl[i];
		}
	}
	return NULL;
}

/* A CK_ULONG attribute; false when absent or malformed. */
static bool attr_ulong(const CK_ATTRIBUTE *tmpl, CK_ULONG count,
		       CK_ATTRIBUTE_TYPE type, CK_ULONG *v)
{
	const CK_ATTRIBUTE *a = attr(tmpl, count, type);

	if (a == NULL || a->pValue == NULL || a->ulValueLen != sizeof(*v)) {
		return false;
	}
	memcpy(v, a->pValue, sizeof(*v));
	return true;
}

/* A byte string of 1..max bytes as a datum; false otherwise. */
static bool attr_datum(const CK_ATTRIBUTE *tmpl, CK_ULONG count,
		       CK_ATTRIBUTE_TYPE type, size_t max, gnutls_datum_t *d)
{
	const CK_ATTRIBUTE *a = attr(tmpl, count, type);

	if (a == NULL || a->pValue == NULL || a->ulValueLen == 0 ||
	    a->ulValueLen > max) {
		return false;
	}
	d->data = a->pValue;
	d->size = (unsigned)a->ulValueLen;
	return true;
}

static char *attr_label(TALLOC_CTX *mem_ctx, const CK_ATTRIBUTE *tmpl,
			CK_ULONG count)
{
	const CK_ATTRIBUTE *a = attr(tmpl, count, CKA_LABEL);

	if (a == NULL || a->pValue == NULL || a->ulValueLen == 0 ||
	    a->ulValueLen > MAX_LABEL_LEN ||
	    memchr(a->pValue, '\0', a->ulValueLen) != NULL) {
		return NULL;
	}
	return talloc_strndup(mem_ctx, a->pValue, a->ulValueLen);
}

bool cr_p11_token_hidden(const struct cr_p11_token *tok,
			 const uint8_t id[20])
{
	size_t i;

	for (i = 0; i < tok->num_destroyed; i++) {
		if (memcmp(tok->destroyed[i].b, id, 20) == 0) {
			return true;
		}
	}
	return false;
}

static void unhide(struct cr_p11_token *tok, const uint8_t id[20])
{
	size_t i;

	for (i = 0; i < tok->num_destroyed; i++) {
		if (memcmp(tok->destroyed[i].b, id, 20) == 0) {
			tok->destroyed[i] =
				tok->destroyed[tok->num_destroyed - 1];
			tok->num_destroyed--;
			return;
		}
	}
}

int cr_p11_token_pending_objects(struct cr_p11_token *tok,
				 TALLOC_CTX *mem_ctx,
				 struct cr_p11_object ***objs, size_t *count)
{
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < tok->num_pending; i++) {
		const struct cr_p11_pending *p = &tok->pending[i];

		if (p->key != NULL) {
			ret = cr_p11_objects_add_key(mem_ctx, p->key, p->label,
						     objs, count, NULL);
		} else {
			ret = cr_p11_objects_add(mem_ctx, p->der, p->der_len,
						 p->label, NULL, objs, count,
						 NULL);
		}
		if (ret == ENOMEM) {
			return ret;
		}
		ret = 0;
	}
	return ret;
}

static int add_pending(struct cr_p11_token *tok, struct cr_p11_pending *p)
{
	struct cr_p11_pending *a = NULL;

	if (tok->num_pending >= MAX_PENDING) {
		return ENOSPC;
	}
	a = talloc_realloc(tok, tok->pending, struct cr_p11_pending,
			   tok->num_pending + 1);
	if (a == NULL) {
		return ENOMEM;
	}
	tok->pending = a;
	a[tok->num_pending] = *p;
	talloc_steal(a, p->der);
	talloc_steal(a, p->key);
	talloc_steal(a, p->label);
	tok->num_pending++;
	return 0;
}

static void drop_pending(struct cr_p11_token *tok, size_t i)
{
	struct cr_p11_pending *p = &tok->pending[i];

	TALLOC_FREE(p->der);
	TALLOC_FREE(p->key);
	TALLOC_FREE(p->label);
	tok->pending[i] = tok->pending[tok->num_pending - 1];
	tok->num_pending--;
}

/* The master keys the store holds (type 0, "Preferred" among them). */
static int local_masterkeys(TALLOC_CTX *mem_ctx,
			    const struct cr_store_view *v,
			    const struct cr_token ***out, size_t *n)
{
	const struct cr_token **a = NULL;
	size_t i;

	*n = 0;
	a = talloc_array(mem_ctx, const struct cr_token *, v->num_tokens + 1);
	if (a == NULL) {
		return ENOMEM;
	}
	for (i = 0; i < v->num_tokens; i++) {
		const struct cr_token *t = v->tokens[i].token;

		if (t->type == CR_TOKEN_DPAPI_MASTER_KEY &&
		    (t->flags & CR_TOKEN_FLAG_TOMBSTONE) == 0) {
			a[(*n)++] = t;
		}
	}
	*out = a;
	return 0;
}

/*
 * Write a certificate and its key to roaming/ as credroam import's run
 * does (local_changes.c): the preferred master key (a new one written
 * first), the key container, then the certificate element.
 */
static int persist(struct cr_p11_token *tok, const struct cr_p11_pending *c,
		   const struct cr_p11_pending *k, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_store *store = NULL;
	struct cr_store_view *view = NULL;
	const struct cr_token **mks = NULL;
	struct cr_preferred_key *pref = NULL;
	struct cr_material_pair pair = { NULL };
	struct cr_token *ct = NULL;
	struct cr_token *kt = NULL;
	struct cr_keys *keys = tok->login_keys ? tok->login_keys : tok->keys;
	uint8_t tp[CR_SHA1_LEN];
	char *machine_guid = NULL;
	uint64_t now = cr_filetime_now();
	size_t n = 0;
	int ret;

	if (keys == NULL) {
		cr_seterr(errmsg, "no master key is at hand");
		ret = EACCES;
		goto done;
	}
	ret = cr_store_open(frame, tok->p.store_path, true, &store, errmsg);
	if (ret == 0) {
		ret = cr_store_load(frame, store, &view, errmsg);
	}
	if (ret == 0) {
		ret = local_masterkeys(frame, view, &mks, &n);
	}
	if (ret == 0) {
		ret = cr_keys_preferred(frame, keys, mks, n, NULL, 0, now,
					&pref, errmsg);
	}
	if (ret == 0 && pref->new_key != NULL) {
		ret = cr_store_put_token(store, pref->new_key, errmsg);
	}
	if (ret == 0 && pref->new_preferred != NULL) {
		ret = cr_store_put_token(store, pref->new_preferred, errmsg);
	}
	if (ret == 0) {
		ret = cr_material_store_machine_guid(frame, store, true,
						     &machine_guid, errmsg);
	}
	if (ret != 0) {
		goto done;
	}
	gnutls_hash_fast(GNUTLS_DIG_SHA1, c->der, c->der_len, tp);
	pair.der = c->der;
	pair.der_len = c->der_len;
	pair.thumbprint = cr_hex_upper(frame, tp, sizeof(tp));
	pair.key = k->key;
	if (pair.thumbprint == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_material_make_tokens(frame, &pair, &pref->guid, pref->mk,
				      pref->mk_len, machine_guid, now, &ct,
				      &kt, errmsg);
	/* the key before its certificate, as local_changes.c writes them */
	if (ret == 0) {
		ret = cr_store_put_token(store, kt, errmsg);
	}
	if (ret == 0) {
		ret = cr_store_put_token(store, ct, errmsg);
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

/* A certificate and its key both pending: to roaming/, and a run. */
static CK_RV settle(struct cr_p11_token *tok, const uint8_t id[20])
{
	size_t ci = tok->num_pending;
	size_t ki = tok->num_pending;
	size_t i;
	int ret;

	for (i = 0; i < tok->num_pending; i++) {
		if (memcmp(tok->pending[i].id, id, 20) != 0) {
			continue;
		}
		if (tok->pending[i].der != NULL) {
			ci = i;
		} else {
			ki = i;
		}
	}
	if (ci == tok->num_pending || ki == tok->num_pending) {
		return CKR_OK;
	}
	ret = persist(tok, &tok->pending[ci], &tok->pending[ki], NULL);
	if (ret != 0) {
		return ret == EACCES ? CKR_USER_NOT_LOGGED_IN
				     : CKR_DEVICE_ERROR;
	}
	drop_pending(tok, ci > ki ? ci : ki);
	drop_pending(tok, ci > ki ? ki : ci);
	if (tok->changed != NULL) {
		tok->changed(tok->changed_data);
	}
	return CKR_OK;
}

/* After a write: the objects again, and the handle of (class, id). */
static CK_RV reload_find(struct cr_p11_token *tok, CK_OBJECT_CLASS cls,
			 const uint8_t id[20], CK_OBJECT_HANDLE *h)
{
	CK_ATTRIBUTE want[2] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, (uint8_t *)id, 20 },
	};
	size_t i;

	if (cr_p11_token_reload(tok, true, NULL) != 0) {
		return CKR_DEVICE_ERROR;
	}
	for (i = 0; i < tok->num_objs; i++) {
		if (cr_p11_object_matches(tok->objs[i], want, 2)) {
			*h = tok->objs[i]->handle;
			return CKR_OK;
		}
	}
	return CKR_DEVICE_ERROR;
}

static CK_RV create_cert(TALLOC_CTX *mem_ctx, const CK_ATTRIBUTE *tmpl,
			 CK_ULONG count, struct cr_p11_pending *p)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t der;
	gnutls_datum_t out = { NULL, 0 };
	CK_ULONG ctype = CKC_X_509;
	size_t id_len = sizeof(p->id);
	CK_RV rv = CKR_OK;

	if ((attr(tmpl, count, CKA_CERTIFICATE_TYPE) != NULL &&
	     !attr_ulong(tmpl, count, CKA_CERTIFICATE_TYPE, &ctype)) ||
	    ctype != CKC_X_509) {
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	if (!attr_datum(tmpl, count, CKA_VALUE, MAX_CERT_LEN, &der)) {
		return CKR_TEMPLATE_INCOMPLETE;
	}
	if (gnutls_x509_crt_init(&crt) != 0) {
		return CKR_HOST_MEMORY;
	}
	if (gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER) != 0 ||
	    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &out) != 0 ||
	    gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, p->id,
				       &id_len) != 0) {
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
		goto done;
	}
	p->der = talloc_memdup(mem_ctx, out.data, out.size);
	p->der_len = out.size;
	rv = p->der != NULL ? CKR_OK : CKR_HOST_MEMORY;
done:
	gnutls_free(out.data);
	gnutls_x509_crt_deinit(crt);
	return rv;
}

static CK_RV create_rsa_key(TALLOC_CTX *mem_ctx, CK_ATTRIBUTE *tmpl,
			    CK_ULONG count, struct cr_p11_pending *p)
{
	static const CK_ATTRIBUTE_TYPE secret[] = {
		CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2,
		CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT,
	};
	gnutls_x509_privkey_t xk = NULL;
	gnutls_datum_t m, e, d, pp, q;
	CK_ULONG kt = 0;
	CK_RV rv = CKR_OK;
	CK_ULONG i;
	size_t j;

	if (!attr_ulong(tmpl, count, CKA_KEY_TYPE, &kt) || kt != CKK_RSA) {
		/* an EC key would need its public point, which the
		 * template does not carry: generate it here instead */
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
		goto wipe;
	}
	if (!attr_datum(tmpl, count, CKA_MODULUS, MAX_RSA_BYTES, &m) ||
	    !attr_datum(tmpl, count, CKA_PUBLIC_EXPONENT, 16, &e) ||
	    !attr_datum(tmpl, count, CKA_PRIVATE_EXPONENT, MAX_RSA_BYTES,
			&d) ||
	    !attr_datum(tmpl, count, CKA_PRIME_1, MAX_RSA_BYTES, &pp) ||
	    !attr_datum(tmpl, count, CKA_PRIME_2, MAX_RSA_BYTES, &q)) {
		rv = CKR_TEMPLATE_INCOMPLETE;
		goto wipe;
	}
	if (gnutls_x509_privkey_init(&xk) != 0) {
		rv = CKR_HOST_MEMORY;
		goto wipe;
	}
	/* GnuTLS computes the CRT values itself (and checks the key) */
	if (gnutls_x509_privkey_import_rsa_raw2(xk, &m, &e, &d, &pp, &q, NULL,
						NULL, NULL) != 0 ||
	    cr_privkey_from_x509(mem_ctx, xk, &p->key, NULL) != 0 ||
	    cr_privkey_key_id(p->key, p->id, NULL, mem_ctx) != 0) {
		TALLOC_FREE(p->key);
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	}
	gnutls_x509_privkey_deinit(xk);
wipe:
	/* the RPC buffers held the key: nothing of it stays there */
	for (i = 0; i < count; i++) {
		for (j = 0; j < sizeof(secret) / sizeof(secret[0]); j++) {
			if (tmpl[i].type == secret[j] &&
			    tmpl[i].pValue != NULL) {
				credroam_wipe(tmpl[i].pValue,
					      tmpl[i].ulValueLen);
			}
		}
	}
	return rv;
}

CK_RV cr_p11_token_create(struct cr_p11_token *tok, CK_ATTRIBUTE *tmpl,
			  CK_ULONG count, CK_OBJECT_HANDLE *handle)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_p11_pending p = { NULL };
	CK_OBJECT_CLASS cls = 0;
	CK_BBOOL on_token = CK_TRUE;
	const CK_ATTRIBUTE *a = NULL;
	CK_RV rv;

	if (!attr_ulong(tmpl, count, CKA_CLASS, &cls)) {
		rv = CKR_TEMPLATE_INCOMPLETE;
		goto done;
	}
	a = attr(tmpl, count, CKA_TOKEN);
	if (a != NULL && a->pValue != NULL && a->ulValueLen == 1) {
		on_token = *(const CK_BBOOL *)a->pValue;
	}
	if (on_token != CK_TRUE) {
		/* session objects would not roam: not what this token is */
		rv = CKR_TEMPLATE_INCONSISTENT;
		goto done;
	}
	if (cls == CKO_CERTIFICATE) {
		rv = create_cert(frame, tmpl, count, &p);
	} else if (cls == CKO_PRIVATE_KEY) {
		rv = create_rsa_key(frame, tmpl, count, &p);
	} else {
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
	}
	if (rv != CKR_OK) {
		goto done;
	}
	p.label = attr_label(frame, tmpl, count);
	if (p.label == NULL) {
		p.label = talloc_strdup(frame, "credroam");
	}
	unhide(tok, p.id);
	if (add_pending(tok, &p) != 0) {
		rv = CKR_DEVICE_MEMORY;
		goto done;
	}
	rv = settle(tok, p.id);
	if (rv == CKR_OK) {
		rv = reload_find(tok, cls, p.id, handle);
	}
done:
	TALLOC_FREE(frame);
	return rv;
}

CK_RV cr_p11_token_generate(struct cr_p11_token *tok, const CK_MECHANISM *m,
			    const CK_ATTRIBUTE *pub, CK_ULONG pub_count,
			    const CK_ATTRIBUTE *priv, CK_ULONG priv_count,
			    CK_OBJECT_HANDLE *pub_handle,
			    CK_OBJECT_HANDLE *priv_handle)
{
	TALLOC_CTX *frame = talloc_stackframe();
	static const uint8_t f4[] = { 0x01, 0x00, 0x01 };
	struct cr_p11_pending p = { NULL };
	gnutls_x509_privkey_t xk = NULL;
	const CK_ATTRIBUTE *e = NULL;
	CK_ULONG bits = 2048;
	CK_RV rv = CKR_OK;

	if (m->mechanism != CKM_RSA_PKCS_KEY_PAIR_GEN) {
		rv = CKR_MECHANISM_INVALID;
		goto done;
	}
	if (attr(pub, pub_count, CKA_MODULUS_BITS) != NULL &&
	    !attr_ulong(pub, pub_count, CKA_MODULUS_BITS, &bits)) {
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
		goto done;
	}
	e = attr(pub, pub_count, CKA_PUBLIC_EXPONENT);
	if (bits < 2048 || bits > 16384 ||
	    (e != NULL && (e->pValue == NULL || e->ulValueLen != sizeof(f4) ||
			   memcmp(e->pValue, f4, sizeof(f4)) != 0))) {
		/* GnuTLS makes e = 65537 keys of at least 2048 bits */
		rv = CKR_TEMPLATE_INCONSISTENT;
		goto done;
	}
	if (gnutls_x509_privkey_init(&xk) != 0) {
		rv = CKR_HOST_MEMORY;
		goto done;
	}
	if (gnutls_x509_privkey_generate(xk, GNUTLS_PK_RSA, bits, 0) != 0 ||
	    cr_privkey_from_x509(frame, xk, &p.key, NULL) != 0 ||
	    cr_privkey_key_id(p.key, p.id, NULL, frame) != 0) {
		rv = CKR_FUNCTION_FAILED;
		goto done;
	}
	p.label = attr_label(frame, priv, priv_count);
	if (p.label == NULL) {
		p.label = attr_label(frame, pub, pub_count);
	}
	if (p.label == NULL) {
		p.label = talloc_strdup(frame, "credroam");
	}
	if (add_pending(tok, &p) != 0) {
		rv = CKR_DEVICE_MEMORY;
		goto done;
	}
	rv = reload_find(tok, CKO_PUBLIC_KEY, p.id, pub_handle);
	if (rv == CKR_OK) {
		rv = reload_find(tok, CKO_PRIVATE_KEY, p.id, priv_handle);
	}
done:
	if (xk != NULL) {
		gnutls_x509_privkey_deinit(xk);
	}
	TALLOC_FREE(frame);
	return rv;
}

CK_RV cr_p11_token_destroy(struct cr_p11_token *tok, CK_OBJECT_HANDLE h)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_p11_object *o = cr_p11_token_object(tok, h);
	const struct cr_p11_attr *id = NULL;
	struct cr_store *store = NULL;
	struct cr_p11_id *d = NULL;
	const struct cr_p11_object *cert = NULL;
	const struct cr_p11_object *key = NULL;
	struct cr_state *state = NULL;
	char *warning = NULL;
	char *hex = NULL;
	char *name = NULL;
	size_t i;
	CK_RV rv = CKR_OK;
	int ret;

	if (o == NULL) {
		rv = CKR_OBJECT_HANDLE_INVALID;
		goto done;
	}
	id = cr_p11_object_attr(o, CKA_ID);
	if (id == NULL || id->len != 20) {
		rv = CKR_ACTION_PROHIBITED;
		goto done;
	}
	for (i = 0; i < tok->num_pending; i++) {
		if (memcmp(tok->pending[i].id, id->value, 20) == 0) {
			drop_pending(tok, i);
			goto reload;
		}
	}
	/* the certificate of this id: its file leaves certs/ */
	for (i = 0; i < tok->num_objs; i++) {
		const struct cr_p11_object *c = tok->objs[i];

		if (c->token_id != NULL && c->cls == CKO_PRIVATE_KEY &&
		    memcmp(cr_p11_object_attr(c, CKA_ID)->value, id->value,
			   20) == 0) {
			key = c;
		}
	}
	for (i = 0; i < tok->num_objs; i++) {
		const struct cr_p11_object *c = tok->objs[i];
		const struct cr_p11_attr *cid = cr_p11_object_attr(c, CKA_ID);
		const struct cr_p11_attr *v = cr_p11_object_attr(c,
								 CKA_VALUE);
		uint8_t tp[CR_SHA1_LEN];

		if (c->cls != CKO_CERTIFICATE || cid == NULL || v == NULL ||
		    cid->len != 20 || memcmp(cid->value, id->value, 20) != 0) {
			continue;
		}
		gnutls_hash_fast(GNUTLS_DIG_SHA1, v->value, v->len, tp);
		hex = cr_hex_upper(frame, tp, sizeof(tp));
		name = hex ? talloc_asprintf(frame, "%s.crt", hex) : NULL;
		cert = c;
		break;
	}
	if (name == NULL || cert->token_id == NULL) {
		rv = CKR_ACTION_PROHIBITED;
		goto done;
	}
	ret = cr_store_open(frame, tok->p.store_path, false, &store, NULL);
	if (ret == 0) {
		ret = cr_state_load(frame, store, &state, &warning, NULL);
	}
	if (ret == 0 && cr_state_find_cert(state, hex) != NULL) {
		/* synced before: the run sees the file gone and makes
		 * tombstones (local_changes.c) */
		ret = cr_store_trash_cert_file(store, name, NULL);
		ret = ret == ENOENT ? 0 : ret;
	} else if (ret == 0) {
		/* never synced: its tokens simply go */
		ret = cr_store_trash_token(store, cert->token_type,
					   cert->token_id, NULL);
		if (ret == 0 && key != NULL) {
			ret = cr_store_trash_token(store, key->token_type,
						   key->token_id, NULL);
		}
		ret = ret == ENOENT ? 0 : ret;
	}
	if (ret != 0) {
		rv = CKR_DEVICE_ERROR;
		goto done;
	}
	d = talloc_realloc(tok, tok->destroyed, struct cr_p11_id,
			   tok->num_destroyed + 1);
	if (d == NULL) {
		rv = CKR_HOST_MEMORY;
		goto done;
	}
	tok->destroyed = d;
	memcpy(d[tok->num_destroyed++].b, id->value, 20);
	if (tok->changed != NULL) {
		tok->changed(tok->changed_data);
	}
reload:
	if (cr_p11_token_reload(tok, true, NULL) != 0) {
		rv = CKR_DEVICE_ERROR;
	}
done:
	TALLOC_FREE(frame);
	return rv;
}
