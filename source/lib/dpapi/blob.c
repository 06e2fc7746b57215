/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DPAPI blobs; see blob.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <gnutls/crypto.h>

#include "util/cursor.h"
#include "dpapi/stackframe.h"
#include "dpapi/alg.h"
#include "dpapi/blob.h"
#include "dpapi/take.h"
#include "util/utf16.h"
#include "util/error.h"
#include "util/secret.h"

/* df9d8cd0-1501-11d1-8c7a-00c04fc297eb, the only DPAPI provider */
static const struct cr_guid cr_dpapi_provider = { {
	0xd0, 0x8c, 0x9d, 0xdf, 0x01, 0x15, 0xd1, 0x11,
	0x8c, 0x7a, 0x00, 0xc0, 0x4f, 0xc2, 0x97, 0xeb,
} };

#define CR_BLOB_SALT_LEN 32

/* Read a length-prefixed field; the cursor bounds the length. */
static uint8_t *cr_blob_field(TALLOC_CTX *mem_ctx, struct cr_cursor *c,
			      uint32_t *len, const char *what)
{
	*len = cr_get_le32(c, what);
	return cr_dpapi_take(mem_ctx, c, *len, what);
}

int cr_dpapi_blob_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
			struct cr_dpapi_blob **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_dpapi_blob *b = NULL;
	struct cr_cursor c;
	int ret;

	*out = NULL;
	if (len > CR_DPAPI_BLOB_MAX) {
		ret = EBADMSG;
		cr_seterr(errmsg, "DPAPI blob of %zu bytes is too "
			  "large", len);
		goto done;
	}
	b = talloc_zero(frame, struct cr_dpapi_blob);
	if (b == NULL) {
		ret = ENOMEM;
		goto done;
	}
	cr_cursor_init(&c, data, len);
	b->version = cr_get_le32(&c, "dwVersion");
	cr_get_copy(&c, b->provider.b, 16, "guidProvider");
	b->mk_version = cr_get_le32(&c, "dwMasterKeyVersion");
	cr_get_copy(&c, b->mk_guid.b, 16, "guidMasterKey");
	b->flags = cr_get_le32(&c, "dwFlags");
	b->description = cr_blob_field(b, &c, &b->description_len,
				       "szDescription");
	b->alg_crypt = cr_get_le32(&c, "algCrypt");
	b->alg_crypt_len = cr_get_le32(&c, "dwAlgCryptLen");
	b->salt = cr_blob_field(b, &c, &b->salt_len, "pbSalt");
	b->hmac_key = cr_blob_field(b, &c, &b->hmac_key_len, "pbHmacKey");
	b->alg_hash = cr_get_le32(&c, "algHash");
	b->alg_hash_len = cr_get_le32(&c, "dwAlgHashLen");
	b->hmac2 = cr_blob_field(b, &c, &b->hmac2_len, "pbHmac2Key");
	b->data = cr_blob_field(b, &c, &b->data_len, "pbData");
	b->sign = cr_blob_field(b, &c, &b->sign_len, "pbSign");
	if (!cr_cursor_ok(&c)) {
		ret = (c.status == ENOMEM) ? ENOMEM : EBADMSG;
		cr_seterr(errmsg, "DPAPI blob: %s runs past the end "
			  "at offset %zu (%zu bytes)", c.fail_what, c.fail_off,
			  len);
		goto done;
	}
	if (cr_cursor_left(&c) != 0) {
		ret = EBADMSG;
		cr_seterr(errmsg, "DPAPI blob: %zu trailing bytes",
			  cr_cursor_left(&c));
		goto done;
	}
	if (b->version != 1 ||
	    memcmp(b->provider.b, cr_dpapi_provider.b, 16) != 0) {
		ret = EBADMSG;
		cr_seterr(errmsg, "not a DPAPI blob (version %u, "
			  "unknown provider)", b->version);
		goto done;
	}
	*out = talloc_move(mem_ctx, &b);
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

/* The region the sign covers: dwMasterKeyVersion through pbData. */
static void cr_blob_put_signed(struct cr_buf *o, const struct cr_dpapi_blob *b)
{
	cr_put_le32(o, b->mk_version);
	cr_put_bytes(o, b->mk_guid.b, 16);
	cr_put_le32(o, b->flags);
	cr_put_le32(o, b->description_len);
	cr_put_bytes(o, b->description, b->description_len);
	cr_put_le32(o, b->alg_crypt);
	cr_put_le32(o, b->alg_crypt_len);
	cr_put_le32(o, b->salt_len);
	cr_put_bytes(o, b->salt, b->salt_len);
	cr_put_le32(o, b->hmac_key_len);
	cr_put_bytes(o, b->hmac_key, b->hmac_key_len);
	cr_put_le32(o, b->alg_hash);
	cr_put_le32(o, b->alg_hash_len);
	cr_put_le32(o, b->hmac2_len);
	cr_put_bytes(o, b->hmac2, b->hmac2_len);
	cr_put_le32(o, b->data_len);
	cr_put_bytes(o, b->data, b->data_len);
}

int cr_dpapi_blob_serialize(TALLOC_CTX *mem_ctx,
			    const struct cr_dpapi_blob *b, uint8_t **out,
			    size_t *out_len, char **errmsg)
{
	struct cr_buf o;

	*out = NULL;
	*out_len = 0;
	cr_buf_init(&o, mem_ctx, false);
	cr_put_le32(&o, b->version);
	cr_put_bytes(&o, b->provider.b, 16);
	cr_blob_put_signed(&o, b);
	cr_put_le32(&o, b->sign_len);
	cr_put_bytes(&o, b->sign, b->sign_len);
	if (o.oom) {
		talloc_free(o.data);
		cr_seterr(errmsg, "out of memory");
		return ENOMEM;
	}
	*out = o.data;
	*out_len = o.len;
	return 0;
}

char *cr_dpapi_blob_description(TALLOC_CTX *mem_ctx,
				const struct cr_dpapi_blob *b)
{
	char *s = NULL;
	int rc;

	rc = cr_utf16le_decode(mem_ctx, b->description,
			       b->description_len & ~1U, &s);
	if (rc != 0) {
		return talloc_strdup(mem_ctx, "");
	}
	return s;
}

/*
 * The keyed hash DPAPI uses for both the session key and the sign.  For
 * SHA-1, Microsoft appends entropy and data to the *outer* hash instead of
 * the message (not RFC 2104); SHA-2 blobs use real HMAC.
 */
static int cr_blob_hmac(const struct cr_dpapi_hash *h, const uint8_t *key,
			size_t key_len, const uint8_t *nonce, size_t nonce_len,
			const uint8_t *entropy, size_t entropy_len,
			const uint8_t *extra, size_t extra_len, uint8_t *out)
{
	uint8_t pad[CR_DPAPI_MAX_BLOCK];
	uint8_t inner[CR_DPAPI_MAX_HASH];
	gnutls_hash_hd_t hd = NULL;
	gnutls_hmac_hd_t md = NULL;
	size_t i;
	int rc = 0;

	if (h->alg != CR_CALG_SHA1) {
		rc = gnutls_hmac_init(&md, h->mac, key, key_len);
		if (rc < 0) {
			return EIO;
		}
		rc |= gnutls_hmac(md, nonce, nonce_len);
		if (entropy_len > 0) {
			rc |= gnutls_hmac(md, entropy, entropy_len);
		}
		if (extra_len > 0) {
			rc |= gnutls_hmac(md, extra, extra_len);
		}
		gnutls_hmac_deinit(md, out);
		return rc < 0 ? EIO : 0;
	}
	if (key_len > h->block_len) {
		return EINVAL;
	}
	memset(pad, 0, sizeof(pad));
	memcpy(pad, key, key_len);
	for (i = 0; i < h->block_len; i++) {
		pad[i] ^= 0x36;
	}
	rc = gnutls_hash_init(&hd, h->digest);
	if (rc < 0) {
		goto done;
	}
	rc |= gnutls_hash(hd, pad, h->block_len);
	rc |= gnutls_hash(hd, nonce, nonce_len);
	gnutls_hash_deinit(hd, inner);
	for (i = 0; i < h->block_len; i++) {
		pad[i] ^= 0x36 ^ 0x5c;
	}
	if (rc == 0) {
		rc = gnutls_hash_init(&hd, h->digest);
	}
	if (rc < 0) {
		goto done;
	}
	rc |= gnutls_hash(hd, pad, h->block_len);
	rc |= gnutls_hash(hd, inner, h->len);
	if (entropy_len > 0) {
		rc |= gnutls_hash(hd, entropy, entropy_len);
	}
	if (extra_len > 0) {
		rc |= gnutls_hash(hd, extra, extra_len);
	}
	gnutls_hash_deinit(hd, out);
done:
	credroam_wipe(pad, sizeof(pad));
	credroam_wipe(inner, sizeof(inner));
	return rc < 0 ? EIO : 0;
}

/* CryptDeriveKey: stretch a short hash to the cipher's key length. */
static int cr_blob_derive_key(const struct cr_dpapi_hash *h,
			      const struct cr_dpapi_cipher *c,
			      const uint8_t *sess, uint8_t *key)
{
	uint8_t b[CR_DPAPI_MAX_BLOCK];
	uint8_t x[2 * CR_DPAPI_MAX_HASH];
	size_t i;
	int rc;

	if (h->len >= c->key_len) {
		memcpy(key, sess, c->key_len);
		return 0;
	}
	memset(b, 0, sizeof(b));
	memcpy(b, sess, h->len);
	for (i = 0; i < h->block_len; i++) {
		b[i] ^= 0x36;
	}
	rc = gnutls_hash_fast(h->digest, b, h->block_len, x);
	for (i = 0; i < h->block_len; i++) {
		b[i] ^= 0x36 ^ 0x5c;
	}
	if (rc == 0) {
		rc = gnutls_hash_fast(h->digest, b, h->block_len, x + h->len);
	}
	memcpy(key, x, c->key_len);
	credroam_wipe(b, sizeof(b));
	credroam_wipe(x, sizeof(x));
	return rc < 0 ? EIO : 0;
}

/*
 * The blob's cipher key: keyed hash of salt, entropy and, for a blob
 * protected with a strong password, the password's hash (SHA-512 for
 * SHA-512 blobs, SHA-1 for SHA-1 blobs, of its UTF-16LE form without a NUL:
 * mimikatz kull_m_dpapi_unprotect_blob, DPAPIck3 CryptSessionKeyXP/Win7),
 * then CryptDeriveKey.  EINVAL for a password that is not UTF-8 or a hash
 * with no known password rule.
 */
static int cr_blob_session_key(const struct cr_dpapi_blob *b,
			       const struct cr_dpapi_hash *h,
			       const struct cr_dpapi_cipher *c,
			       const uint8_t *k20, const uint8_t *entropy,
			       size_t entropy_len, const char *password,
			       uint8_t *key)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t sess[CR_DPAPI_MAX_HASH];
	uint8_t pw_hash[CR_DPAPI_MAX_HASH];
	size_t pw_hash_len = 0;
	uint8_t *w = NULL;
	size_t wlen = 0;
	int ret;

	if (password != NULL) {
		if (h->alg != CR_CALG_SHA1 && h->alg != CR_CALG_SHA_512) {
			ret = EINVAL;
			goto done;
		}
		ret = cr_utf16le_encode(frame, password, strlen(password),
					false, &w, &wlen);
		if (ret != 0) {
			ret = (ret == EILSEQ) ? EINVAL : ret;
			goto done;
		}
		if (gnutls_hash_fast(h->digest, w, wlen, pw_hash) < 0) {
			ret = EIO;
			goto done;
		}
		pw_hash_len = h->len;
	}
	ret = cr_blob_hmac(h, k20, 20, b->salt, b->salt_len, entropy,
			   entropy_len, pw_hash, pw_hash_len, sess);
	if (ret == 0) {
		ret = cr_blob_derive_key(h, c, sess, key);
	}
done:
	credroam_wipe(sess, sizeof(sess));
	credroam_wipe(pw_hash, sizeof(pw_hash));
	TALLOC_FREE(frame);
	return ret;
}

/* K20 and the algorithms of a blob; EINVAL if unsupported. */
static int cr_blob_setup(const struct cr_dpapi_blob *b, const uint8_t *mk,
			 size_t mk_len, uint8_t k20[20],
			 const struct cr_dpapi_hash **h,
			 const struct cr_dpapi_cipher **c)
{
	*h = cr_dpapi_hash_by_alg(b->alg_hash);
	*c = cr_dpapi_cipher_by_alg(b->alg_crypt);
	if (*h == NULL || *c == NULL || b->alg_hash == CR_CALG_HMAC) {
		return EINVAL;
	}
	/* a 64-byte master key is used through its SHA-1 */
	if (mk_len == 20) {
		memcpy(k20, mk, 20);
		return 0;
	}
	return gnutls_hash_fast(GNUTLS_DIG_SHA1, mk, mk_len, k20) < 0 ? EIO
								     : 0;
}

/* Compute the sign over the serialized region into out (h->len bytes). */
static int cr_blob_sign(TALLOC_CTX *mem_ctx, const struct cr_dpapi_blob *b,
			const struct cr_dpapi_hash *h, const uint8_t *k20,
			const uint8_t *entropy, size_t entropy_len,
			uint8_t *out)
{
	struct cr_buf region;
	int ret;

	cr_buf_init(&region, mem_ctx, false);
	cr_blob_put_signed(&region, b);
	if (region.oom) {
		talloc_free(region.data);
		return ENOMEM;
	}
	ret = cr_blob_hmac(h, k20, 20, b->hmac2, b->hmac2_len, entropy,
			   entropy_len, region.data, region.len, out);
	talloc_free(region.data);
	return ret;
}

int cr_dpapi_blob_decrypt(TALLOC_CTX *mem_ctx, const struct cr_dpapi_blob *b,
			  const uint8_t *mk, size_t mk_len,
			  const uint8_t *entropy, size_t entropy_len,
			  uint8_t **plain, size_t *plain_len, char **errmsg)
{
	return cr_dpapi_blob_decrypt_strong(mem_ctx, b, mk, mk_len, entropy,
					    entropy_len, NULL, plain,
					    plain_len, errmsg);
}

int cr_dpapi_blob_decrypt_strong(TALLOC_CTX *mem_ctx,
				 const struct cr_dpapi_blob *b,
				 const uint8_t *mk, size_t mk_len,
				 const uint8_t *entropy, size_t entropy_len,
				 const char *password, uint8_t **plain,
				 size_t *plain_len, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_dpapi_hash *h = NULL;
	const struct cr_dpapi_cipher *c = NULL;
	uint8_t k20[20];
	uint8_t sign[CR_DPAPI_MAX_HASH];
	uint8_t key[32];
	uint8_t iv[16];
	uint8_t *buf = NULL;
	size_t pad;
	size_t i;
	int ret;

	*plain = NULL;
	*plain_len = 0;
	ret = cr_blob_setup(b, mk, mk_len, k20, &h, &c);
	if (ret != 0) {
		cr_seterr(errmsg, "DPAPI blob: unsupported "
			  "algorithms 0x%x/0x%x", b->alg_crypt, b->alg_hash);
		goto done;
	}
	ret = cr_blob_sign(frame, b, h, k20, entropy, entropy_len, sign);
	if (ret != 0) {
		goto done;
	}
	if (b->sign_len != h->len || !cr_dpapi_memeq(sign, b->sign, h->len)) {
		ret = EACCES;
		cr_seterr(errmsg, "DPAPI blob: HMAC check failed: "
			  "wrong master key or entropy");
		goto done;
	}
	if (b->data_len == 0 || b->data_len % c->block_len != 0) {
		ret = EBADMSG;
		cr_seterr(errmsg, "DPAPI blob: %u bytes of data is "
			  "not a %s ciphertext", b->data_len, c->name);
		goto done;
	}
	ret = cr_blob_session_key(b, h, c, k20, entropy, entropy_len,
				  password, key);
	if (ret == EINVAL) {
		cr_seterr(errmsg, "DPAPI blob: no strong password "
			  "rule for hash 0x%x, or the password is not UTF-8",
			  b->alg_hash);
		goto done;
	}
	buf = credroam_secret_dup(frame, b->data, b->data_len);
	if (ret == 0 && buf == NULL) {
		ret = ENOMEM;
	}
	memset(iv, 0, sizeof(iv));
	if (ret == 0) {
		ret = cr_dpapi_cbc(false, c, key, iv, buf, b->data_len);
	}
	if (ret != 0) {
		cr_seterr(errmsg, "DPAPI blob: decryption failed");
		goto done;
	}
	pad = buf[b->data_len - 1];
	for (i = 0; pad >= 1 && pad <= c->block_len && i < pad; i++) {
		if (buf[b->data_len - 1 - i] != pad) {
			break;
		}
	}
	if (pad < 1 || pad > c->block_len || i != pad) {
		ret = EBADMSG;
		/* the sign does not cover the strong password */
		cr_seterr(errmsg, "DPAPI blob: bad padding after a "
			  "valid HMAC%s", password != NULL ?
			  ": wrong strong password?" :
			  ": protected with a strong password?");
		goto done;
	}
	*plain = credroam_secret_dup(mem_ctx, buf, b->data_len - pad);
	if (*plain == NULL) {
		ret = ENOMEM;
		goto done;
	}
	*plain_len = b->data_len - pad;
done:
	if (ret == ENOMEM) {
		cr_seterr(errmsg, "out of memory");
	}
	credroam_wipe(k20, sizeof(k20));
	credroam_wipe(key, sizeof(key));
	TALLOC_FREE(frame);
	return ret;
}

int cr_dpapi_blob_encrypt(TALLOC_CTX *mem_ctx, const struct cr_guid *mk_guid,
			  const uint8_t *mk, size_t mk_len,
			  const uint8_t *plain, size_t plain_len,
			  const uint8_t *entropy, size_t entropy_len,
			  const struct cr_dpapi_protect *opt,
			  struct cr_dpapi_blob **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_dpapi_hash *h = NULL;
	const struct cr_dpapi_cipher *c = NULL;
	struct cr_dpapi_blob *b = NULL;
	const char *desc = (opt && opt->description) ? opt->description : "";
	uint8_t k20[20];
	uint8_t key[32];
	uint8_t iv[16];
	size_t wlen = 0;
	size_t pad;
	int ret;

	*out = NULL;
	b = talloc_zero(frame, struct cr_dpapi_blob);
	if (b == NULL || plain_len > CR_DPAPI_BLOB_MAX) {
		ret = (b == NULL) ? ENOMEM : EINVAL;
		goto done;
	}
	b->version = 1;
	b->provider = cr_dpapi_provider;
	b->mk_version = 1;
	b->mk_guid = *mk_guid;
	b->flags = opt ? opt->flags : 0;
	b->alg_crypt = (opt && opt->alg_crypt) ? opt->alg_crypt
					       : CR_CALG_AES_256;
	b->alg_hash = (opt && opt->alg_hash) ? opt->alg_hash : CR_CALG_SHA_512;
	ret = cr_blob_setup(b, mk, mk_len, k20, &h, &c);
	if (ret != 0) {
		cr_seterr(errmsg, "cannot protect with algorithms "
			  "0x%x/0x%x", b->alg_crypt, b->alg_hash);
		goto done;
	}
	b->alg_crypt_len = (opt && opt->alg_crypt_len) ? opt->alg_crypt_len
						       : c->key_bits;
	b->alg_hash_len = (uint32_t)h->len * 8;
	ret = cr_utf16le_encode(b, desc, strlen(desc), true, &b->description,
				&wlen);
	if (ret != 0) {
		cr_seterr(errmsg, "description is not UTF-8");
		goto done;
	}
	b->description_len = (uint32_t)wlen;
	b->salt_len = (opt && opt->salt) ? opt->salt_len : CR_BLOB_SALT_LEN;
	b->hmac2_len = (opt && opt->hmac2) ? opt->hmac2_len : CR_BLOB_SALT_LEN;
	b->salt = talloc_size(b, b->salt_len + 1);
	b->hmac2 = talloc_size(b, b->hmac2_len + 1);
	b->hmac_key = talloc_size(b, 1);
	pad = c->block_len - plain_len % c->block_len;
	b->data_len = (uint32_t)(plain_len + pad);
	b->data = talloc_size(b, b->data_len);
	b->sign_len = (uint32_t)h->len;
	b->sign = talloc_size(b, b->sign_len);
	credroam_keep_secret(b->data);
	if (b->salt == NULL || b->hmac2 == NULL || b->hmac_key == NULL ||
	    b->data == NULL || b->sign == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (opt && opt->salt) {
		memcpy(b->salt, opt->salt, b->salt_len);
	} else if (!cr_dpapi_random(b->salt, b->salt_len)) {
		ret = EIO;
		goto done;
	}
	if (opt && opt->hmac2) {
		memcpy(b->hmac2, opt->hmac2, b->hmac2_len);
	} else if (!cr_dpapi_random(b->hmac2, b->hmac2_len)) {
		ret = EIO;
		goto done;
	}
	if (plain_len > 0) {
		memcpy(b->data, plain, plain_len);
	}
	memset(b->data + plain_len, (int)pad, pad);
	ret = cr_blob_session_key(b, h, c, k20, entropy, entropy_len,
				  opt ? opt->strong_password : NULL, key);
	if (ret == EINVAL) {
		cr_seterr(errmsg, "cannot protect with a strong "
			  "password under hash 0x%x, or it is not UTF-8",
			  b->alg_hash);
		goto done;
	}
	memset(iv, 0, sizeof(iv));
	if (ret == 0) {
		ret = cr_dpapi_cbc(true, c, key, iv, b->data, b->data_len);
	}
	if (ret == 0) {
		ret = cr_blob_sign(frame, b, h, k20, entropy, entropy_len,
				   b->sign);
	}
	if (ret != 0) {
		goto done;
	}
	*out = talloc_move(mem_ctx, &b);
done:
	if (ret == ENOMEM) {
		cr_seterr(errmsg, "out of memory");
	} else if (ret == EIO) {
		cr_seterr(errmsg, "DPAPI blob encryption failed");
	}
	credroam_wipe(k20, sizeof(k20));
	credroam_wipe(key, sizeof(key));
	TALLOC_FREE(frame);
	return ret;
}

int cr_dpapi_unprotect(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		       const uint8_t *mk, size_t mk_len,
		       const uint8_t *entropy, size_t entropy_len,
		       uint8_t **plain, size_t *plain_len, char **errmsg)
{
	struct cr_dpapi_blob *b = NULL;
	int ret;

	*plain = NULL;
	*plain_len = 0;
	ret = cr_dpapi_blob_parse(mem_ctx, data, len, &b, errmsg);
	if (ret != 0) {
		return ret;
	}
	ret = cr_dpapi_blob_decrypt(mem_ctx, b, mk, mk_len, entropy,
				    entropy_len, plain, plain_len, errmsg);
	talloc_free(b);
	return ret;
}

int cr_dpapi_protect(TALLOC_CTX *mem_ctx, const struct cr_guid *mk_guid,
		     const uint8_t *mk, size_t mk_len,
		     const uint8_t *plain, size_t plain_len,
		     const uint8_t *entropy, size_t entropy_len,
		     const struct cr_dpapi_protect *opt, uint8_t **out,
		     size_t *out_len, char **errmsg)
{
	struct cr_dpapi_blob *b = NULL;
	int ret;

	*out = NULL;
	*out_len = 0;
	ret = cr_dpapi_blob_encrypt(mem_ctx, mk_guid, mk, mk_len, plain,
				    plain_len, entropy, entropy_len, opt, &b,
				    errmsg);
	if (ret != 0) {
		return ret;
	}
	ret = cr_dpapi_blob_serialize(mem_ctx, b, out, out_len, errmsg);
	talloc_free(b);
	return ret;
}
