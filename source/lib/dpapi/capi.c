/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CryptoAPI key containers; see capi.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <gnutls/crypto.h>

#include "util/cursor.h"
#include "dpapi/stackframe.h"
#include "dpapi/take.h"
#include "dpapi/blob.h"
#include "dpapi/capi.h"
#include "dpapi/pvk.h"
#include "util/error.h"
#include "util/secret.h"

#define CR_RSA1_MAGIC 0x31415352U
#define CR_RSA2_MAGIC 0x32415352U
#define CR_CAPI_HEADER_LEN 40
/* The smallest RSA key rsaenh makes. */
#define CR_CAPI_RSA_MIN_BITS 384

static const char *cr_capi_spec_name[2] = { "signature", "exchange" };

int cr_capi_key_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		      struct cr_capi_key **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_capi_key *k = NULL;
	struct cr_cursor c;
	size_t i;
	int ret;

	*out = NULL;
	k = talloc_zero(frame, struct cr_capi_key);
	if (k == NULL || len > CR_CAPI_KEY_MAX) {
		ret = (k == NULL) ? ENOMEM : EBADMSG;
		cr_seterr(errmsg, "CAPI key container of %zu bytes "
			  "refused", len);
		goto done;
	}
	cr_cursor_init(&c, data, len);
	k->version = cr_get_le32(&c, "dwVersion");
	k->reserved = cr_get_le32(&c, "reserved");
	k->name_len = cr_get_le32(&c, "dwNameLen");
	k->pub_len[0] = cr_get_le32(&c, "dwSiPublicKeyLen");
	k->priv_len[0] = cr_get_le32(&c, "dwSiPrivateKeyLen");
	k->pub_len[1] = cr_get_le32(&c, "dwExPublicKeyLen");
	k->priv_len[1] = cr_get_le32(&c, "dwExPrivateKeyLen");
	k->hash_len = cr_get_le32(&c, "dwHashLen");
	k->flag_len[0] = cr_get_le32(&c, "dwSiExportFlagLen");
	k->flag_len[1] = cr_get_le32(&c, "dwExExportFlagLen");
	k->name_raw = cr_dpapi_take(k, &c, k->name_len, "name");
	k->hash = cr_dpapi_take(k, &c, k->hash_len, "hash");
	for (i = 0; i < 2; i++) {
		k->pub[i] = cr_dpapi_take(k, &c, k->pub_len[i], "public key");
		k->priv[i] = cr_dpapi_take(k, &c, k->priv_len[i],
					  "private key");
		k->flag[i] = cr_dpapi_take(k, &c, k->flag_len[i],
					  "export flag");
	}
	if (!cr_cursor_ok(&c)) {
		ret = (c.status == ENOMEM) ? ENOMEM : EBADMSG;
		cr_seterr(errmsg, "CAPI key container: %s runs past "
			  "the end at offset %zu (%zu bytes)", c.fail_what,
			  c.fail_off, len);
		goto done;
	}
	if (cr_cursor_left(&c) != 0) {
		ret = EBADMSG;
		cr_seterr(errmsg, "CAPI key container: %zu trailing "
			  "bytes", cr_cursor_left(&c));
		goto done;
	}
	if (k->version != 2 || k->name_len == 0 ||
	    k->name_raw[k->name_len - 1] != '\0') {
		ret = EBADMSG;
		cr_seterr(errmsg, "not a CAPI key container "
			  "(version %u)", k->version);
		goto done;
	}
	k->name = talloc_strdup(k, (const char *)k->name_raw);
	if (k->name == NULL) {
		ret = ENOMEM;
		goto done;
	}
	/* the DPAPI blobs must be whole, so later steps cannot be fooled */
	for (i = 0; i < 4; i++) {
		struct cr_dpapi_blob *b = NULL;
		uint8_t *p = (i < 2) ? k->priv[i] : k->flag[i - 2];
		uint32_t n = (i < 2) ? k->priv_len[i] : k->flag_len[i - 2];

		if (n == 0) {
			continue;
		}
		ret = cr_dpapi_blob_parse(frame, p, n, &b, errmsg);
		if (ret != 0) {
			cr_wraperr(errmsg, "CAPI key container: %s "
				   "%s", cr_capi_spec_name[i % 2],
				   i < 2 ? "private key" : "export flag");
			goto done;
		}
	}
	*out = talloc_move(mem_ctx, &k);
	ret = 0;
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

int cr_capi_key_serialize(TALLOC_CTX *mem_ctx, const struct cr_capi_key *k,
			  uint8_t **out, size_t *out_len, char **errmsg)
{
	struct cr_buf o;
	size_t i;

	*out = NULL;
	*out_len = 0;
	cr_buf_init(&o, mem_ctx, false);
	cr_put_le32(&o, k->version);
	cr_put_le32(&o, k->reserved);
	cr_put_le32(&o, k->name_len);
	cr_put_le32(&o, k->pub_len[0]);
	cr_put_le32(&o, k->priv_len[0]);
	cr_put_le32(&o, k->pub_len[1]);
	cr_put_le32(&o, k->priv_len[1]);
	cr_put_le32(&o, k->hash_len);
	cr_put_le32(&o, k->flag_len[0]);
	cr_put_le32(&o, k->flag_len[1]);
	cr_put_bytes(&o, k->name_raw, k->name_len);
	cr_put_bytes(&o, k->hash, k->hash_len);
	for (i = 0; i < 2; i++) {
		cr_put_bytes(&o, k->pub[i], k->pub_len[i]);
		cr_put_bytes(&o, k->priv[i], k->priv_len[i]);
		cr_put_bytes(&o, k->flag[i], k->flag_len[i]);
	}
	if (o.oom) {
		talloc_free(o.data);
		cr_seterr(errmsg, "out of memory");
		return ENOMEM;
	}
	*out = o.data;
	*out_len = o.len;
	return 0;
}

/* The RSA1 public section: header + n; returns n or NULL. */
static const uint8_t *cr_capi_rsa1_modulus(const uint8_t *p, uint32_t len,
					   uint32_t *n_len)
{
	uint32_t keylen;

	if (len < 20 || cr_le32(p) != CR_RSA1_MAGIC) {
		return NULL;
	}
	keylen = cr_le32(p + 4);
	if (keylen != len - 20) {
		return NULL;
	}
	*n_len = keylen;
	return p + 20;
}

int cr_capi_rsa2_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		       struct cr_rsa_key **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_rsa_key *k = NULL;
	uint32_t keylen, bits;
	uint8_t e[4];
	size_t need;
	size_t i;
	int ret = EBADMSG;

	*out = NULL;
	if (len < 20 || cr_le32(data) != CR_RSA2_MAGIC) {
		cr_seterr(errmsg, "decrypted CAPI key is not RSA2");
		goto done;
	}
	keylen = cr_le32(data + 4);
	bits = cr_le32(data + 8);
	if (bits == 0 || bits % 16 != 0 || bits > CR_RSA_MAX_BITS ||
	    keylen != bits / 8 + 8) {
		cr_seterr(errmsg, "decrypted CAPI key: %u-byte fields "
			  "for %u bits", keylen, bits);
		goto done;
	}
	need = 20 + (size_t)keylen * 2 + (size_t)keylen / 2 * 5;
	if (len < need || len - need > keylen) {
		cr_seterr(errmsg, "decrypted CAPI key is %zu bytes, "
			  "%zu expected", len, need);
		goto done;
	}
	for (i = need; i < len; i++) {
		if (data[i] != 0) {
			cr_seterr(errmsg, "decrypted CAPI key has a "
				  "non-zero tail");
			goto done;
		}
	}
	k = talloc_zero(frame, struct cr_rsa_key);
	if (k == NULL) {
		ret = ENOMEM;
		goto done;
	}
	memcpy(e, data + 16, 4);
	ret = cr_bn_from_le(k, &k->e, e, 4);
	if (ret == 0) {
		ret = cr_rsa_key_from_capi_fields(k, data + 20, keylen,
						  keylen / 2);
	}
	if (ret != 0) {
		goto done;
	}
	*out = talloc_move(mem_ctx, &k);
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

/*
 * Zero bytes rsaenh leaves after d.  140 for RSA-2048 is proven (spec/dpapi.md
 * 5.1b); the public samples are all 2048-bit, so for other sizes this
 * follows the rule that gives 140 there and grows with the key (keylen/2 +
 * 8, spec rule A) rather than a constant.  Every reader we know walks the
 * fields and ignores the tail (ours accepts up to keylen zero bytes).
 */
static size_t cr_capi_rsa2_tail(uint32_t keylen)
{
	return (size_t)keylen / 2 + 8;
}

int cr_capi_rsa2_build(TALLOC_CTX *mem_ctx, const struct cr_rsa_key *k,
		       uint8_t **out, size_t *out_len, char **errmsg)
{
	/* rsaenh sizes keys in whole 16-bit steps (each prime half a key) */
	unsigned bits = (cr_rsa_key_bits(k) + 15) / 16 * 16;
	uint32_t keylen = bits / 8 + 8;
	uint32_t e = 0;
	uint8_t *buf = NULL;
	size_t len;
	bool ok;

	*out = NULL;
	*out_len = 0;
	if (bits < CR_CAPI_RSA_MIN_BITS || bits > CR_RSA_MAX_BITS ||
	    !cr_bn_to_u32(&k->e, &e) || k->d.len == 0 || k->u.len == 0 ||
	    k->dp.len == 0 || k->dq.len == 0) {
		cr_seterr(errmsg, "only complete RSA keys of %u to %u "
			  "bits can go into a CAPI container (this one has %u "
			  "bits)", CR_CAPI_RSA_MIN_BITS, CR_RSA_MAX_BITS,
			  cr_rsa_key_bits(k));
		return EINVAL;
	}
	len = 20 + (size_t)keylen * 2 + (size_t)keylen / 2 * 5 +
	      cr_capi_rsa2_tail(keylen);
	buf = talloc_zero_size(mem_ctx, len);
	if (buf == NULL) {
		cr_seterr(errmsg, "out of memory");
		return ENOMEM;
	}
	credroam_keep_secret(buf);
	cr_store_le32(buf, CR_RSA2_MAGIC);
	cr_store_le32(buf + 4, keylen);
	cr_store_le32(buf + 8, bits);
	cr_store_le32(buf + 12, bits / 8 - 1);
	cr_store_le32(buf + 16, e);
	/* each value zero-padded to its field: short ones are common */
	ok = cr_rsa_key_to_capi_fields(k, buf + 20, keylen, keylen / 2);
	if (!ok) {
		talloc_free(buf);
		cr_seterr(errmsg, "RSA key field overflows");
		return EINVAL;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

enum cr_capi_keyspec cr_capi_key_slot(const struct cr_capi_key *k,
				      enum cr_capi_keyspec spec)
{
	if (spec != CR_CAPI_ANY) {
		return spec;
	}
	return (k->priv_len[1] > 0) ? CR_CAPI_EXCHANGE : CR_CAPI_SIGNATURE;
}

const char *cr_capi_slot_name(enum cr_capi_keyspec spec)
{
	return cr_capi_spec_name[spec == CR_CAPI_EXCHANGE ? 1 : 0];
}

int cr_capi_key_unprotect(TALLOC_CTX *mem_ctx, const struct cr_capi_key *k,
			  enum cr_capi_keyspec spec, const uint8_t *mk,
			  size_t mk_len, uint8_t **plain, size_t *plain_len,
			  uint32_t *export_flag, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t *p = NULL;
	size_t p_len = 0;
	size_t i = (spec == CR_CAPI_EXCHANGE) ? 1 : 0;
	int ret;

	*plain = NULL;
	*plain_len = 0;
	if (export_flag != NULL) {
		*export_flag = UINT32_MAX;
	}
	if (k->priv_len[i] == 0) {
		ret = ENOENT;
		cr_seterr(errmsg, "CAPI container '%s' has no %s key",
			  k->name, cr_capi_spec_name[i]);
		goto done;
	}
	ret = cr_dpapi_unprotect(frame, k->priv[i], k->priv_len[i], mk,
				 mk_len, NULL, 0, &p, &p_len, errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "CAPI container '%s' %s key",
			   k->name, cr_capi_spec_name[i]);
		goto done;
	}
	if (export_flag != NULL && k->flag_len[i] > 0) {
		const uint8_t *ent =
			(const uint8_t *)CR_CAPI_EXPORT_FLAG_ENTROPY;
		uint8_t *flag = NULL;
		size_t flag_len = 0;

		ret = cr_dpapi_unprotect(frame, k->flag[i], k->flag_len[i],
			mk, mk_len, ent, sizeof(CR_CAPI_EXPORT_FLAG_ENTROPY),
			&flag, &flag_len, errmsg);
		if (ret != 0 || flag_len != 4) {
			ret = (ret != 0) ? ret : EBADMSG;
			cr_wraperr(errmsg, "CAPI container '%s' "
				   "export flag", k->name);
			goto done;
		}
		*export_flag = cr_le32(flag);
	}
	*plain = talloc_move(mem_ctx, &p);
	*plain_len = p_len;
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_capi_key_decrypt(TALLOC_CTX *mem_ctx, const struct cr_capi_key *k,
			enum cr_capi_keyspec spec, const uint8_t *mk,
			size_t mk_len, struct cr_rsa_key **key,
			uint32_t *export_flag, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_rsa_key *rsa = NULL;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	const uint8_t *n = NULL;
	uint32_t n_len = 0;
	uint8_t *n_le = NULL;
	size_t i;
	int ret;

	*key = NULL;
	spec = cr_capi_key_slot(k, spec);
	i = (spec == CR_CAPI_EXCHANGE) ? 1 : 0;
	ret = cr_capi_key_unprotect(frame, k, spec, mk, mk_len, &plain,
				    &plain_len, export_flag, errmsg);
	if (ret != 0) {
		goto done;
	}
	ret = cr_capi_rsa2_parse(frame, plain, plain_len, &rsa, errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "CAPI container '%s' %s key",
			   k->name, cr_capi_spec_name[i]);
		goto done;
	}
	n = cr_capi_rsa1_modulus(k->pub[i], k->pub_len[i], &n_len);
	n_le = talloc_zero_size(frame, n_len + 1);
	if (n != NULL && (n_le == NULL || !cr_bn_to_le(&rsa->n, n_le, n_len) ||
			  memcmp(n_le, n, n_len) != 0)) {
		ret = EBADMSG;
		cr_seterr(errmsg, "CAPI container '%s': private key "
			  "does not match its public key", k->name);
		goto done;
	}
	ret = cr_rsa_key_complete(mem_ctx, rsa, key, errmsg);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_capi_key_assemble(TALLOC_CTX *mem_ctx, const char *name,
			 enum cr_capi_keyspec spec, const uint8_t *pub,
			 size_t pub_len, const uint8_t *plain,
			 size_t plain_len, const struct cr_guid *mk_guid,
			 const uint8_t *mk, size_t mk_len,
			 struct cr_capi_key **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_dpapi_protect priv_opt = {
		.description = "CryptoAPI Private Key",
	};
	struct cr_dpapi_protect flag_opt = {
		.description = "Export Flag",
	};
	static const uint8_t exportable[4] = { 1, 0, 0, 0 };
	struct cr_capi_key *c = NULL;
	size_t i = (spec == CR_CAPI_EXCHANGE) ? 1 : 0;
	size_t blen = 0;
	int ret;

	*out = NULL;
	c = talloc_zero(frame, struct cr_capi_key);
	if (c == NULL) {
		ret = ENOMEM;
		goto done;
	}
	c->version = 2;
	c->name_len = (uint32_t)strlen(name) + 1;
	c->name_raw = (uint8_t *)talloc_strdup(c, name);
	c->name = talloc_strdup(c, name);
	c->hash_len = 20;
	c->hash = talloc_zero_size(c, 20);
	c->pub_len[i] = (uint32_t)pub_len;
	c->pub[i] = talloc_memdup(c, pub, pub_len);
	if (c->name_raw == NULL || c->name == NULL || c->hash == NULL ||
	    c->pub[i] == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_dpapi_protect(c, mk_guid, mk, mk_len, plain, plain_len, NULL,
			       0, &priv_opt, &c->priv[i], &blen, errmsg);
	c->priv_len[i] = (uint32_t)blen;
	if (ret == 0) {
		ret = cr_dpapi_protect(c, mk_guid, mk, mk_len, exportable, 4,
			(const uint8_t *)CR_CAPI_EXPORT_FLAG_ENTROPY,
			sizeof(CR_CAPI_EXPORT_FLAG_ENTROPY), &flag_opt,
			&c->flag[i], &blen, errmsg);
		c->flag_len[i] = (uint32_t)blen;
	}
	if (ret != 0) {
		goto done;
	}
	*out = talloc_move(mem_ctx, &c);
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

int cr_capi_key_create(TALLOC_CTX *mem_ctx, const char *name,
		       const struct cr_rsa_key *k,
		       const struct cr_guid *mk_guid, const uint8_t *mk,
		       size_t mk_len, struct cr_capi_key **out,
		       char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_rsa_key *full = NULL;
	uint8_t *rsa2 = NULL;
	size_t rsa2_len = 0;
	uint8_t *pub = NULL;
	uint32_t keylen;
	int ret;

	*out = NULL;
	ret = cr_rsa_key_complete(frame, k, &full, errmsg);
	if (ret == 0) {
		ret = cr_capi_rsa2_build(frame, full, &rsa2, &rsa2_len,
					 errmsg);
	}
	if (ret != 0) {
		goto done;
	}
	/* the RSA1 public section: RSA2's header, then n */
	keylen = cr_le32(rsa2 + 4);
	pub = talloc_zero_size(frame, 20 + keylen);
	if (pub == NULL) {
		ret = ENOMEM;
		cr_seterr(errmsg, "out of memory");
		goto done;
	}
	memcpy(pub, rsa2, 20);
	cr_store_le32(pub, CR_RSA1_MAGIC);
	(void)cr_bn_to_le(&full->n, pub + 20, keylen);
	ret = cr_capi_key_assemble(mem_ctx, name, CR_CAPI_EXCHANGE, pub,
				   20 + keylen, rsa2, rsa2_len, mk_guid, mk,
				   mk_len, out, errmsg);
done:
	TALLOC_FREE(frame);
	return ret;
}

char *cr_capi_file_name(TALLOC_CTX *mem_ctx, const char *name,
			const char *machine_guid)
{
	uint8_t md5[16];

	/* the NUL is hashed too */
	if (gnutls_hash_fast(GNUTLS_DIG_MD5, name, strlen(name) + 1, md5) <
	    0) {
		return NULL;
	}
	return talloc_asprintf(mem_ctx, "%08x%08x%08x%08x_%s", cr_le32(md5),
			       cr_le32(md5 + 4), cr_le32(md5 + 8),
			       cr_le32(md5 + 12), machine_guid);
}
