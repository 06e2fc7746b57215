/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The objects of the credroam PKCS#11 token: for each roamed certificate a
 * CKO_CERTIFICATE, and for each key that could be decrypted a
 * CKO_PUBLIC_KEY and a CKO_PRIVATE_KEY.  All three share CKA_ID, the
 * SHA-1 of the certificate's DER SubjectPublicKeyInfo (GnuTLS' key id,
 * which material.c already compares a decrypted key with, and which
 * NSS, p11tool and OpenSC use to pair a certificate with its key).
 *
 * An object is a list of attributes plus, for a private key, the key in
 * GnuTLS; the private values (CKA_PRIVATE_EXPONENT, ...) are never
 * attributes at all: asking for them gives CKR_ATTRIBUTE_SENSITIVE.
 * Objects are built once per reload and never modified afterwards.
 */
#ifndef CREDROAM_P11_OBJECT_H
#define CREDROAM_P11_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gnutls/abstract.h>
#include <talloc.h>

#include "p11/pkcs11.h"
#include "dpapi/privkey.h"

struct cr_p11_attr {
	CK_ATTRIBUTE_TYPE type;
	uint8_t *value;
	size_t len;
};

/* A private key, usable only through the mechanisms of mech.h. */
struct cr_p11_key {
	gnutls_privkey_t priv;		/* wiped by its destructor */
	gnutls_pk_algorithm_t alg;	/* GNUTLS_PK_RSA or GNUTLS_PK_ECDSA */
	size_t sig_len;			/* modulus bytes; ECDSA: 2 * field */
};

struct cr_p11_object {
	CK_OBJECT_HANDLE handle;
	CK_OBJECT_CLASS cls;
	bool private_obj;		/* CKA_PRIVATE */
	struct cr_p11_attr *attrs;
	size_t num_attrs;
	struct cr_p11_key *key;		/* CKO_PRIVATE_KEY only */
	/* the roaming token it came from (certificate: its element;
	 * private key: its container); 0 and NULL for none */
	unsigned token_type;
	char *token_id;
};

/*
 * The objects of one certificate (DER) and its optional key (which must
 * be the certificate's): 1 or 3 objects, appended to *objs (a talloc
 * array on mem_ctx, may start NULL).  label: CKA_LABEL.  EINVAL for a
 * certificate or key the token cannot represent (DSA keys, other
 * curves): the certificate alone is still added then.
 */
int cr_p11_objects_add(TALLOC_CTX *mem_ctx, const uint8_t *der, size_t len,
		       const char *label, const struct cr_privkey *key,
		       struct cr_p11_object ***objs, size_t *count,
		       char **errmsg);

/*
 * A key that has no certificate yet (generated, or written before its
 * certificate): its public and private key objects, CKA_ID its key id.
 */
int cr_p11_objects_add_key(TALLOC_CTX *mem_ctx, const struct cr_privkey *key,
			   const char *label, struct cr_p11_object ***objs,
			   size_t *count, char **errmsg);

/* The attribute of type, or NULL. */
const struct cr_p11_attr *cr_p11_object_attr(const struct cr_p11_object *o,
					     CK_ATTRIBUTE_TYPE type);

/* Whether every attribute of the template has exactly that value. */
bool cr_p11_object_matches(const struct cr_p11_object *o,
			   const CK_ATTRIBUTE *tmpl, CK_ULONG count);

/*
 * C_GetAttributeValue on one object, with the spec's rules: each entry is
 * answered (length only when pValue is NULL); an unknown type gives
 * CKR_ATTRIBUTE_TYPE_INVALID, a private value CKR_ATTRIBUTE_SENSITIVE, a
 * short buffer CKR_BUFFER_TOO_SMALL, each with ulValueLen
 * CK_UNAVAILABLE_INFORMATION, and the other entries still answered.
 */
CK_RV cr_p11_object_get(const struct cr_p11_object *o, CK_ATTRIBUTE *tmpl,
			CK_ULONG count);

/* The same identity (class, CKA_ID, CKA_VALUE or CKA_MODULUS/EC point). */
bool cr_p11_object_same(const struct cr_p11_object *a,
			const struct cr_p11_object *b);

#endif
