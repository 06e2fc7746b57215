/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CNG key files of any key type; see cngkey.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "util/cursor.h"
#include "dpapi/stackframe.h"
#include "dpapi/blob.h"
#include "dpapi/cngkey.h"
#include "dpapi/eccblob.h"
#include "util/utf16.h"
#include "util/error.h"
#include "util/secret.h"

#define CR_BCRYPT_RSA_MAGIC(digit) \
	((uint32_t)'R' | (uint32_t)'S' << 8 | (uint32_t)'A' << 16 | \
	 (uint32_t)(digit) << 24)

/* NCRYPT_ALLOW_EXPORT_FLAG | NCRYPT_ALLOW_PLAINTEXT_EXPORT_FLAG */
#define CR_CNG_EXPORT_POLICY 3U
#define CR_CNG_PROP_TYPE_DWORD 3

static bool cr_bn_equal(const struct cr_bn *a, const struct cr_bn *b)
{
	return a->len == b->len &&
	       (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static bool cr_bcrypt_rsa_magic(uint32_t magic)
{
	return magic == CR_BCRYPT_RSA_MAGIC('1') ||
	       magic == CR_BCRYPT_RSA_MAGIC('2') ||
	       magic == CR_BCRYPT_RSA_MAGIC('3');
}

/* The unnamed public blob property, or NULL. */
static const struct cr_cng_property *cr_cng_public_blob(
	const struct cr_cng_key *k)
{
	size_t i;

	for (i = 0; i < k->num_props; i++) {
		if (k->props[i].type == CR_CNG_PROP_PUBLIC_BLOB &&
		    k->props[i].name != NULL && k->props[i].name[0] == '\0') {
			return &k->props[i];
		}
	}
	return NULL;
}

/* Does the private key match the public blob (when there is one)? */
static int cr_cng_check_public(TALLOC_CTX *mem_ctx,
			       const struct cr_cng_key *k,
			       const struct cr_privkey *key, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_cng_property *pub = cr_cng_public_blob(k);
	struct cr_rsa_key *rsa = NULL;
	struct cr_ec_key *ec = NULL;
	bool same = false;
	int ret = 0;

	if (pub == NULL) {
		goto done;
	}
	if (key->alg == GNUTLS_PK_RSA) {
		ret = cr_bcrypt_rsa_parse(frame, pub->value, pub->value_len,
					  &rsa, errmsg);
		same = ret == 0 && cr_bn_equal(&rsa->n, &key->rsa->n) &&
		       cr_bn_equal(&rsa->e, &key->rsa->e);
	} else {
		ret = cr_bcrypt_ecc_parse(frame, pub->value, pub->value_len,
					  &ec, errmsg);
		same = ret == 0 && ec->curve == key->ec->curve &&
		       ec->ecdh == key->ec->ecdh &&
		       cr_bn_equal(&ec->x, &key->ec->x) &&
		       cr_bn_equal(&ec->y, &key->ec->y);
	}
	if (ret != 0) {
		cr_wraperr(errmsg, "public key blob");
		goto done;
	}
	if (!same) {
		ret = EBADMSG;
		cr_seterr(errmsg, "the private key does not match the "
			  "file's public key");
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_cng_key_decrypt_any(TALLOC_CTX *mem_ctx, const struct cr_cng_key *k,
			   const uint8_t *mk, size_t mk_len,
			   struct cr_privkey **pkey, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_privkey *key = NULL;
	struct cr_rsa_key *rsa = NULL;
	struct cr_ec_key *ec = NULL;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	uint32_t magic;
	int ret;

	*pkey = NULL;
	ret = cr_cng_key_decrypt_blob(frame, k, mk, mk_len, &plain,
				      &plain_len, errmsg);
	if (ret != 0) {
		goto done;
	}
	magic = plain_len >= 4 ? cr_le32(plain) : 0;
	if (cr_bcrypt_rsa_magic(magic)) {
		ret = cr_bcrypt_rsa_parse(frame, plain, plain_len, &rsa,
					  errmsg);
		if (ret == 0 && rsa->d.len == 0) {
			ret = EBADMSG;
			cr_seterr(errmsg, "holds a public RSA key only");
		}
		if (ret == 0) {
			ret = cr_privkey_wrap_rsa(frame, rsa, &key);
		}
	} else if (cr_bcrypt_ecc_magic(magic)) {
		ret = cr_bcrypt_ecc_parse(frame, plain, plain_len, &ec,
					  errmsg);
		if (ret == 0 && ec->k.len == 0) {
			ret = EBADMSG;
			cr_seterr(errmsg, "holds a public EC key only");
		}
		if (ret == 0) {
			ret = cr_privkey_wrap_ec(frame, ec, &key);
		}
	} else {
		ret = EINVAL;
		cr_seterr(errmsg, "its private key blob (magic "
			  "0x%08x, %zu bytes) is neither an RSA nor an ECC key",
			  magic, plain_len);
	}
	if (ret == 0) {
		gnutls_x509_privkey_t xk = NULL;

		/* GnuTLS checks the key itself */
		ret = cr_privkey_to_x509(key, &xk, errmsg, frame);
		if (xk != NULL) {
			gnutls_x509_privkey_deinit(xk);
		}
	}
	if (ret == 0) {
		ret = cr_cng_check_public(frame, k, key, errmsg);
	}
	if (ret != 0) {
		cr_wraperr(errmsg, "CNG key '%s'", k->name);
		goto done;
	}
	*pkey = talloc_move(mem_ctx, &key);
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

/* One property record {len, type, 0, name len, value len, name, value}. */
static void cr_cng_put_property(struct cr_buf *o, uint32_t type,
				const uint8_t *name, size_t name_len,
				const uint8_t *value, size_t value_len)
{
	cr_put_le32(o, (uint32_t)(20 + name_len + value_len));
	cr_put_le32(o, type);
	cr_put_le32(o, 0);
	cr_put_le32(o, (uint32_t)name_len);
	cr_put_le32(o, (uint32_t)value_len);
	cr_put_bytes(o, name, name_len);
	cr_put_bytes(o, value, value_len);
}

/* A property name as UTF-16LE without terminator, on mem_ctx. */
static int cr_cng_name(TALLOC_CTX *mem_ctx, const char *name, uint8_t **w,
		       size_t *w_len)
{
	return cr_utf16le_encode(mem_ctx, name, strlen(name), false, w,
				 w_len);
}

int cr_cng_key_create(TALLOC_CTX *mem_ctx, const char *name,
		      const struct cr_privkey *key, uint64_t filetime,
		      const struct cr_guid *mk_guid, const uint8_t *mk,
		      size_t mk_len, struct cr_cng_key **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_dpapi_protect props_opt = {
		.description = "Private Key Properties",
	};
	struct cr_dpapi_protect key_opt = {
		.description = "Private Key",
	};
	struct cr_cng_key *c = NULL;
	struct cr_buf pub;
	struct cr_buf priv;
	uint8_t *w = NULL;
	size_t w_len = 0;
	uint8_t *blob = NULL;
	size_t blob_len = 0;
	uint8_t *pubblob = NULL;
	size_t pubblob_len = 0;
	uint8_t ft[8];
	uint8_t policy[4];
	size_t len = 0;
	gnutls_x509_privkey_t xk = NULL;
	int ret;

	*out = NULL;
	cr_buf_init(&pub, frame, false);
	cr_buf_init(&priv, frame, true);
	if (key->alg != GNUTLS_PK_ECDSA || key->ec == NULL) {
		ret = EINVAL;
		cr_seterr(errmsg, "only EC keys go into new CNG key "
			  "files (this is %s)",
			  cr_privkey_describe(frame, key));
		goto done;
	}
	/* never write a key GnuTLS would not accept back */
	ret = cr_privkey_to_x509(key, &xk, errmsg, frame);
	if (xk != NULL) {
		gnutls_x509_privkey_deinit(xk);
	}
	if (ret != 0) {
		goto done;
	}
	c = talloc_zero(frame, struct cr_cng_key);
	if (c == NULL) {
		ret = ENOMEM;
		goto done;
	}
	c->version = 1;
	c->type = CR_CNG_TYPE_EC;
	c->name = talloc_strdup(c, name);
	ret = cr_cng_name(c, name, &c->name_raw, &w_len);
	c->name_len = (uint32_t)w_len;
	if (ret != 0 || c->name == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_bcrypt_ecc_build(frame, key->ec, false, &pubblob,
				  &pubblob_len, errmsg);
	if (ret == 0) {
		ret = cr_bcrypt_ecc_build(frame, key->ec, true, &blob,
					  &blob_len, errmsg);
	}
	if (ret == 0) {
		ret = cr_cng_name(frame, "Modified", &w, &w_len);
	}
	if (ret != 0) {
		goto done;
	}
	cr_store_le64(ft, filetime);
	cr_cng_put_property(&pub, 0, w, w_len, ft, sizeof(ft));
	cr_cng_put_property(&pub, CR_CNG_PROP_PUBLIC_BLOB, NULL, 0, pubblob,
			    pubblob_len);
	ret = cr_cng_name(frame, "Export Policy", &w, &w_len);
	if (ret != 0) {
		goto done;
	}
	cr_store_le32(policy, CR_CNG_EXPORT_POLICY);
	cr_cng_put_property(&priv, CR_CNG_PROP_TYPE_DWORD, w, w_len, policy,
			    sizeof(policy));
	if (pub.oom || priv.oom) {
		ret = ENOMEM;
		goto done;
	}
	c->pub_props = talloc_move(c, &pub.data);
	c->pub_props_len = (uint32_t)pub.len;
	ret = cr_cng_properties_parse(c, c->pub_props, c->pub_props_len,
				      &c->props, &c->num_props, errmsg);
	if (ret == 0) {
		ret = cr_dpapi_protect(c, mk_guid, mk, mk_len, priv.data,
			priv.len, (const uint8_t *)CR_CNG_PROPERTIES_ENTROPY,
			sizeof(CR_CNG_PROPERTIES_ENTROPY), &props_opt,
			&c->priv_props, &len, errmsg);
		c->priv_props_len = (uint32_t)len;
	}
	if (ret == 0) {
		ret = cr_dpapi_protect(c, mk_guid, mk, mk_len, blob, blob_len,
			(const uint8_t *)CR_CNG_PRIVATE_KEY_ENTROPY,
			sizeof(CR_CNG_PRIVATE_KEY_ENTROPY), &key_opt,
			&c->priv_key, &len, errmsg);
		c->priv_key_len = (uint32_t)len;
	}
	if (ret != 0) {
		goto done;
	}
	*out = talloc_move(mem_ctx, &c);
done:
	if (ret != 0) {
		cr_wraperr(errmsg, "new CNG key '%s'", name);
	}
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}
