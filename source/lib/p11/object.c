/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The token's objects; see object.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "p11/object.h"
#include "util/error.h"
#include "util/stackframe.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The private values of a key: never attributes, always "sensitive". */
static const CK_ATTRIBUTE_TYPE sensitive_types[] = {
	CKA_VALUE, CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2,
	CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT,
};

struct builder {
	struct cr_p11_object *o;
	bool failed;
};

static void add(struct builder *b, CK_ATTRIBUTE_TYPE type,
		const void *value, size_t len)
{
	struct cr_p11_object *o = b->o;
	struct cr_p11_attr *attrs = NULL;

	if (b->failed) {
		return;
	}
	attrs = talloc_realloc(o, o->attrs, struct cr_p11_attr,
			       o->num_attrs + 1);
	if (attrs == NULL) {
		b->failed = true;
		return;
	}
	o->attrs = attrs;
	attrs[o->num_attrs].type = type;
	attrs[o->num_attrs].len = len;
	/* one more byte, NUL: a label reads as a string */
	attrs[o->num_attrs].value = talloc_zero_size(attrs, len + 1);
	if (attrs[o->num_attrs].value == NULL) {
		b->failed = true;
		return;
	}
	if (len > 0) {
		memcpy(attrs[o->num_attrs].value, value, len);
	}
	o->num_attrs++;
}

static void add_bool(struct builder *b, CK_ATTRIBUTE_TYPE type, bool v)
{
	CK_BBOOL x = v ? CK_TRUE : CK_FALSE;

	add(b, type, &x, sizeof(x));
}

static void add_ulong(struct builder *b, CK_ATTRIBUTE_TYPE type, CK_ULONG v)
{
	add(b, type, &v, sizeof(v));
}

static void add_datum(struct builder *b, CK_ATTRIBUTE_TYPE type,
		      const gnutls_datum_t *d)
{
	add(b, type, d->data, d->size);
}

static struct cr_p11_object *new_object(TALLOC_CTX *mem_ctx,
					CK_OBJECT_CLASS cls, bool priv,
					struct builder *b)
{
	struct cr_p11_object *o = talloc_zero(mem_ctx, struct cr_p11_object);

	b->o = o;
	b->failed = o == NULL;
	if (o == NULL) {
		return NULL;
	}
	o->cls = cls;
	o->private_obj = priv;
	add_ulong(b, CKA_CLASS, cls);
	add_bool(b, CKA_TOKEN, true);
	add_bool(b, CKA_PRIVATE, priv);
	add_bool(b, CKA_MODIFIABLE, false);
	add_bool(b, CKA_COPYABLE, false);
	add_bool(b, CKA_DESTROYABLE, true);
	return o;
}

/* CKA_SERIAL_NUMBER is the DER INTEGER, not its content octets. */
static void add_serial(struct builder *b, gnutls_x509_crt_t crt)
{
	uint8_t serial[64];
	uint8_t der[sizeof(serial) + 2];
	size_t len = sizeof(serial);

	if (gnutls_x509_crt_get_serial(crt, serial, &len) != 0 ||
	    len == 0 || len > 127) {
		return;
	}
	der[0] = 0x02;
	der[1] = (uint8_t)len;
	memcpy(der + 2, serial, len);
	add(b, CKA_SERIAL_NUMBER, der, len + 2);
}

static int cert_object(TALLOC_CTX *mem_ctx, gnutls_x509_crt_t crt,
		       const uint8_t *der, size_t len, const char *label,
		       const uint8_t id[20], struct cr_p11_object **out)
{
	struct builder b;
	gnutls_datum_t subject = { NULL, 0 };
	gnutls_datum_t issuer = { NULL, 0 };
	int ret = 0;

	*out = new_object(mem_ctx, CKO_CERTIFICATE, false, &b);
	if (gnutls_x509_crt_get_raw_dn(crt, &subject) != 0 ||
	    gnutls_x509_crt_get_raw_issuer_dn(crt, &issuer) != 0) {
		ret = EBADMSG;
		goto done;
	}
	add_ulong(&b, CKA_CERTIFICATE_TYPE, CKC_X_509);
	add_ulong(&b, CKA_CERTIFICATE_CATEGORY, 1);	/* token user */
	add_bool(&b, CKA_TRUSTED, false);
	add(&b, CKA_ID, id, 20);
	add(&b, CKA_LABEL, label, strlen(label));
	add_datum(&b, CKA_SUBJECT, &subject);
	add_datum(&b, CKA_ISSUER, &issuer);
	add_serial(&b, crt);
	add(&b, CKA_VALUE, der, len);
	ret = b.failed ? ENOMEM : 0;
done:
	gnutls_free(subject.data);
	gnutls_free(issuer.data);
	return ret;
}

/* What the public and the private key object share. */
static int key_common(struct builder *b, gnutls_pubkey_t pub,
		      gnutls_x509_crt_t crt, const char *label,
		      const uint8_t id[20], gnutls_pk_algorithm_t *alg,
		      unsigned *bits, bool pubobj)
{
	gnutls_datum_t m = { NULL, 0 };
	gnutls_datum_t e = { NULL, 0 };
	gnutls_datum_t subject = { NULL, 0 };
	int rc;

	*alg = gnutls_pubkey_get_pk_algorithm(pub, bits);
	if (*alg == GNUTLS_PK_RSA) {
		add_ulong(b, CKA_KEY_TYPE, CKK_RSA);
		rc = gnutls_pubkey_export_rsa_raw2(pub, &m, &e,
						   GNUTLS_EXPORT_FLAG_NO_LZ);
		if (rc != 0) {
			return EBADMSG;
		}
		add_datum(b, CKA_MODULUS, &m);
		add_datum(b, CKA_PUBLIC_EXPONENT, &e);
		if (pubobj) {
			add_ulong(b, CKA_MODULUS_BITS, *bits);
		}
	} else if (*alg == GNUTLS_PK_ECDSA) {
		add_ulong(b, CKA_KEY_TYPE, CKK_EC);
		/* m: DER ECParameters (named curve), e: DER ECPoint */
		rc = gnutls_pubkey_export_ecc_x962(pub, &m, &e);
		if (rc != 0) {
			return EINVAL;
		}
		add_datum(b, CKA_EC_PARAMS, &m);
		if (pubobj) {
			add_datum(b, CKA_EC_POINT, &e);
		}
	} else {
		return EINVAL;
	}
	gnutls_free(m.data);
	gnutls_free(e.data);
	if (crt != NULL && gnutls_x509_crt_get_raw_dn(crt, &subject) == 0) {
		add_datum(b, CKA_SUBJECT, &subject);
		gnutls_free(subject.data);
	}
	add(b, CKA_ID, id, 20);
	add(b, CKA_LABEL, label, strlen(label));
	add_bool(b, CKA_LOCAL, false);
	add_ulong(b, CKA_KEY_GEN_MECHANISM, CK_UNAVAILABLE_INFORMATION);
	add_bool(b, CKA_DERIVE, false);
	return 0;
}

static int key_destructor(struct cr_p11_key *k)
{
	if (k->priv != NULL) {
		/* frees (and GnuTLS clears) the key's numbers */
		gnutls_privkey_deinit(k->priv);
		k->priv = NULL;
	}
	return 0;
}

static int make_key(TALLOC_CTX *mem_ctx, const struct cr_privkey *key,
		    unsigned bits, struct cr_p11_key **out, char **errmsg)
{
	gnutls_x509_privkey_t xk = NULL;
	struct cr_p11_key *k = NULL;
	int ret;

	*out = NULL;
	k = talloc_zero(mem_ctx, struct cr_p11_key);
	if (k == NULL) {
		return ENOMEM;
	}
	talloc_set_destructor(k, key_destructor);
	ret = cr_privkey_to_x509(key, &xk, errmsg, k);
	if (ret != 0) {
		TALLOC_FREE(k);
		return ret;
	}
	if (gnutls_privkey_init(&k->priv) != 0 ||
	    gnutls_privkey_import_x509(k->priv, xk,
			GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE) != 0) {
		gnutls_x509_privkey_deinit(xk);
		TALLOC_FREE(k);
		return ENOMEM;
	}
	k->alg = key->alg;
	if (key->alg == GNUTLS_PK_RSA) {
		k->sig_len = (bits + 7) / 8;
	} else {
		k->sig_len = 2 * cr_ec_curve_bytes(key->ec->curve);
	}
	*out = k;
	return 0;
}

/* crt NULL: a key without its certificate yet (C_GenerateKeyPair). */
static int key_objects(TALLOC_CTX *mem_ctx, gnutls_x509_crt_t crt,
		       const char *label, const uint8_t id[20],
		       const struct cr_privkey *key,
		       struct cr_p11_object **pub_out,
		       struct cr_p11_object **priv_out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	gnutls_x509_privkey_t xk = NULL;
	gnutls_pubkey_t pub = NULL;
	struct cr_p11_object *po = NULL;
	struct cr_p11_object *ko = NULL;
	struct builder b;
	gnutls_pk_algorithm_t alg = GNUTLS_PK_UNKNOWN;
	unsigned bits = 0;
	bool rsa;
	bool sign;
	int ret;

	*pub_out = NULL;
	*priv_out = NULL;
	if (gnutls_pubkey_init(&pub) != 0) {
		ret = ENOMEM;
		goto done;
	}
	if (crt != NULL) {
		ret = gnutls_pubkey_import_x509(pub, crt, 0) == 0 ? 0
								  : EBADMSG;
	} else {
		ret = cr_privkey_to_x509(key, &xk, errmsg, frame);
		if (ret == 0) {
			gnutls_privkey_t pk = NULL;

			ret = gnutls_privkey_init(&pk) == 0 &&
			      gnutls_privkey_import_x509(pk, xk, 0) == 0 &&
			      gnutls_pubkey_import_privkey(pub, pk, 0, 0) == 0
				? 0 : EBADMSG;
			gnutls_privkey_deinit(pk);
		}
	}
	if (ret != 0) {
		cr_seterr(errmsg, "the public key does not load");
		goto done;
	}
	if (key->alg != GNUTLS_PK_RSA && key->alg != GNUTLS_PK_ECDSA) {
		cr_seterr(errmsg, "a %s key has no mechanism here",
			  gnutls_pk_get_name(key->alg));
		ret = EINVAL;
		goto done;
	}
	rsa = key->alg == GNUTLS_PK_RSA;
	/* a CNG key-agreement key signs nothing (ECDH is not carried) */
	sign = rsa || !key->ec->ecdh;

	po = new_object(frame, CKO_PUBLIC_KEY, false, &b);
	ret = key_common(&b, pub, crt, label, id, &alg, &bits, true);
	if (ret == 0 && alg != key->alg) {
		ret = EINVAL;
	}
	if (ret != 0) {
		cr_seterr(errmsg, "the certificate's %s key is not one the "
			  "token offers", gnutls_pk_get_name(alg));
		goto done;
	}
	add_bool(&b, CKA_VERIFY, sign);
	add_bool(&b, CKA_VERIFY_RECOVER, false);
	add_bool(&b, CKA_ENCRYPT, rsa);
	add_bool(&b, CKA_WRAP, false);
	add_bool(&b, CKA_TRUSTED, false);
	if (b.failed) {
		ret = ENOMEM;
		goto done;
	}

	ko = new_object(frame, CKO_PRIVATE_KEY, true, &b);
	ret = key_common(&b, pub, crt, label, id, &alg, &bits, false);
	if (ret != 0) {
		goto done;
	}
	add_bool(&b, CKA_SENSITIVE, true);
	add_bool(&b, CKA_EXTRACTABLE, false);
	add_bool(&b, CKA_ALWAYS_SENSITIVE, true);
	add_bool(&b, CKA_NEVER_EXTRACTABLE, true);
	add_bool(&b, CKA_SIGN, sign);
	add_bool(&b, CKA_SIGN_RECOVER, false);
	add_bool(&b, CKA_DECRYPT, rsa);
	add_bool(&b, CKA_UNWRAP, false);
	add_bool(&b, CKA_WRAP_WITH_TRUSTED, false);
	add_bool(&b, CKA_ALWAYS_AUTHENTICATE, false);
	if (b.failed) {
		ret = ENOMEM;
		goto done;
	}
	ret = make_key(ko, key, bits, &ko->key, errmsg);
	if (ret != 0) {
		goto done;
	}
	*pub_out = talloc_move(mem_ctx, &po);
	*priv_out = talloc_move(mem_ctx, &ko);
done:
	gnutls_pubkey_deinit(pub);
	if (xk != NULL) {
		gnutls_x509_privkey_deinit(xk);
	}
	TALLOC_FREE(frame);
	return ret;
}

static int append(TALLOC_CTX *mem_ctx, struct cr_p11_object ***objs,
		  size_t *count, struct cr_p11_object *o)
{
	struct cr_p11_object **a = NULL;

	a = talloc_realloc(mem_ctx, *objs, struct cr_p11_object *,
			   *count + 1);
	if (a == NULL) {
		return ENOMEM;
	}
	a[*count] = talloc_steal(a, o);
	*objs = a;
	(*count)++;
	return 0;
}

int cr_p11_objects_add(TALLOC_CTX *mem_ctx, const uint8_t *der, size_t len,
		       const char *label, const struct cr_privkey *key,
		       struct cr_p11_object ***objs, size_t *count,
		       char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t in = { .data = (unsigned char *)der,
			      .size = (unsigned)len };
	struct cr_p11_object *co = NULL;
	struct cr_p11_object *po = NULL;
	struct cr_p11_object *ko = NULL;
	uint8_t id[20];
	uint8_t key_id[20];
	size_t id_len = sizeof(id);
	int ret;

	if (len == 0 || len > UINT32_MAX || gnutls_x509_crt_init(&crt) != 0) {
		ret = len == 0 ? EINVAL : ENOMEM;
		goto done;
	}
	if (gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_DER) != 0 ||
	    gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, id,
				       &id_len) != 0 || id_len != 20) {
		cr_seterr(errmsg, "certificate '%s' does not load", label);
		ret = EBADMSG;
		goto done;
	}
	ret = cert_object(frame, crt, der, len, label, id, &co);
	if (ret != 0) {
		goto done;
	}
	ret = append(mem_ctx, objs, count, co);
	if (ret != 0 || key == NULL) {
		goto done;
	}
	ret = cr_privkey_key_id(key, key_id, errmsg, frame);
	if (ret == 0 && memcmp(key_id, id, sizeof(id)) != 0) {
		cr_seterr(errmsg, "the key is not the certificate's");
		ret = EINVAL;
	}
	if (ret == 0) {
		ret = key_objects(frame, crt, label, id, key, &po, &ko,
				  errmsg);
	}
	if (ret == 0) {
		ret = append(mem_ctx, objs, count, po);
	}
	if (ret == 0) {
		ret = append(mem_ctx, objs, count, ko);
	}
	if (ret != 0) {
		cr_wraperr(errmsg, "certificate '%s'", label);
	}
done:
	gnutls_x509_crt_deinit(crt);
	TALLOC_FREE(frame);
	return ret;
}

const struct cr_p11_attr *cr_p11_object_attr(const struct cr_p11_object *o,
					     CK_ATTRIBUTE_TYPE type)
{
	size_t i;

	for (i = 0; i < o->num_attrs; i++) {
		if (o->attrs[i].type == type) {
			return &o->attrs[i];
		}
	}
	return NULL;
}

bool cr_p11_object_matches(const struct cr_p11_object *o,
			   const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	CK_ULONG i;

	for (i = 0; i < count; i++) {
		const struct cr_p11_attr *a = cr_p11_object_attr(o,
								  tmpl[i].type);

		if (a == NULL || a->len != tmpl[i].ulValueLen) {
			return false;
		}
		if (a->len > 0 && (tmpl[i].pValue == NULL ||
				   memcmp(a->value, tmpl[i].pValue,
					  a->len) != 0)) {
			return false;
		}
	}
	return true;
}

static bool is_sensitive(const struct cr_p11_object *o,
			 CK_ATTRIBUTE_TYPE type)
{
	size_t i;

	if (o->cls != CKO_PRIVATE_KEY) {
		return false;
	}
	for (i = 0; i < N_ELEMS(sensitive_types); i++) {
		if (sensitive_types[i] == type) {
			return true;
		}
	}
	return false;
}

CK_RV cr_p11_object_get(const struct cr_p11_object *o, CK_ATTRIBUTE *tmpl,
			CK_ULONG count)
{
	CK_RV rv = CKR_OK;
	CK_ULONG i;

	for (i = 0; i < count; i++) {
		const struct cr_p11_attr *a = NULL;

		if (is_sensitive(o, tmpl[i].type)) {
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_ATTRIBUTE_SENSITIVE;
			continue;
		}
		a = cr_p11_object_attr(o, tmpl[i].type);
		if (a == NULL) {
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			if (rv == CKR_OK) {
				rv = CKR_ATTRIBUTE_TYPE_INVALID;
			}
			continue;
		}
		if (tmpl[i].pValue == NULL) {
			tmpl[i].ulValueLen = a->len;
			continue;
		}
		if (tmpl[i].ulValueLen < a->len) {
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			if (rv == CKR_OK) {
				rv = CKR_BUFFER_TOO_SMALL;
			}
			continue;
		}
		memcpy(tmpl[i].pValue, a->value, a->len);
		tmpl[i].ulValueLen = a->len;
	}
	return rv;
}

bool cr_p11_object_same(const struct cr_p11_object *a,
			const struct cr_p11_object *b)
{
	static const CK_ATTRIBUTE_TYPE keys[] = {
		CKA_ID, CKA_VALUE, CKA_MODULUS, CKA_EC_PARAMS,
	};
	size_t i;

	if (a->cls != b->cls) {
		return false;
	}
	for (i = 0; i < N_ELEMS(keys); i++) {
		const struct cr_p11_attr *x = NULL;
		const struct cr_p11_attr *y = NULL;

		if (is_sensitive(a, keys[i])) {
			continue;
		}
		x = cr_p11_object_attr(a, keys[i]);
		y = cr_p11_object_attr(b, keys[i]);
		if ((x == NULL) != (y == NULL)) {
			return false;
		}
		if (x != NULL && (x->len != y->len ||
				  memcmp(x->value, y->value, x->len) != 0)) {
			return false;
		}
	}
	return true;
}

int cr_p11_objects_add_key(TALLOC_CTX *mem_ctx, const struct cr_privkey *key,
			   const char *label, struct cr_p11_object ***objs,
			   size_t *count, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_p11_object *po = NULL;
	struct cr_p11_object *ko = NULL;
	uint8_t id[20];
	int ret;

	ret = cr_privkey_key_id(key, id, errmsg, frame);
	if (ret == 0) {
		ret = key_objects(frame, NULL, label, id, key, &po, &ko,
				  errmsg);
	}
	if (ret == 0) {
		ret = append(mem_ctx, objs, count, po);
	}
	if (ret == 0) {
		ret = append(mem_ctx, objs, count, ko);
	}
	TALLOC_FREE(frame);
	return ret;
}
