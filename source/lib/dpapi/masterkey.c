/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Master key files; see masterkey.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <gnutls/crypto.h>

#include "util/cursor.h"
#include "dpapi/stackframe.h"
#include "dpapi/alg.h"
#include "dpapi/masterkey.h"
#include "dpapi/pbkdf2.h"
#include "util/utf16.h"
#include "util/error.h"
#include "util/secret.h"

#define CR_MK_BLOB_HEADER_LEN 32
#define CR_R3_LEN 16

static int cr_mk_blob_parse(TALLOC_CTX *mem_ctx, const uint8_t *data,
			    size_t len, struct cr_mk_blob **out)
{
	struct cr_cursor c;
	struct cr_mk_blob *b = NULL;

	*out = NULL;
	b = talloc_zero(mem_ctx, struct cr_mk_blob);
	if (b == NULL) {
		return ENOMEM;
	}
	cr_cursor_init(&c, data, len);
	b->version = cr_get_le32(&c, "dwVersion");
	cr_get_copy(&c, b->salt, sizeof(b->salt), "salt");
	b->rounds = cr_get_le32(&c, "IterationCount");
	b->alg_hash = cr_get_le32(&c, "KEYGENAlg");
	b->alg_crypt = cr_get_le32(&c, "EncryptionAlg");
	if (!cr_cursor_ok(&c)) {
		talloc_free(b);
		return EBADMSG;
	}
	b->ct_len = cr_cursor_left(&c);
	/* one spare byte: an empty ciphertext still gets a buffer */
	b->ct = talloc_size(b, b->ct_len + 1);
	if (b->ct == NULL) {
		talloc_free(b);
		return ENOMEM;
	}
	memcpy(b->ct, data + c.off, b->ct_len);
	*out = b;
	return 0;
}

static void cr_mk_blob_put(struct cr_buf *o, const struct cr_mk_blob *b)
{
	cr_put_le32(o, b->version);
	cr_put_bytes(o, b->salt, sizeof(b->salt));
	cr_put_le32(o, b->rounds);
	cr_put_le32(o, b->alg_hash);
	cr_put_le32(o, b->alg_crypt);
	cr_put_bytes(o, b->ct, b->ct_len);
}

int cr_mkf_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		 const char *name, struct cr_mkf **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_mkf *m = NULL;
	struct cr_cursor c;
	struct cr_guid g;
	uint64_t lens[4];
	const uint8_t *sec[4] = { NULL, NULL, NULL, NULL };
	char *guid = NULL;
	size_t i;
	int ret;

	*out = NULL;
	m = talloc_zero(frame, struct cr_mkf);
	if (m == NULL) {
		ret = ENOMEM;
		goto done;
	}
	cr_cursor_init(&c, data, len);
	m->version = cr_get_le32(&c, "dwVersion");
	m->modified = cr_get_le32(&c, "fModified");
	m->file_path = cr_get_le32(&c, "szFilePath");
	cr_get_copy(&c, m->guid_field, sizeof(m->guid_field),
		    "wszGuidMasterKey");
	m->policy = cr_get_le32(&c, "dwPolicy");
	for (i = 0; i < 4; i++) {
		lens[i] = cr_get_le64(&c, "section length");
	}
	for (i = 0; i < 4; i++) {
		if (lens[i] > cr_cursor_left(&c)) {
			cr_cursor_fail(&c, EBADMSG, "section length");
		}
		sec[i] = cr_get_bytes(&c, (size_t)lens[i], "section");
	}
	if (!cr_cursor_ok(&c)) {
		ret = EBADMSG;
		cr_seterr(errmsg, "master key file '%s': %s runs "
			  "past the end at offset %zu (%zu bytes)", name,
			  c.fail_what, c.fail_off, len);
		goto done;
	}
	if (cr_cursor_left(&c) != 0) {
		ret = EBADMSG;
		cr_seterr(errmsg, "master key file '%s': %zu "
			  "trailing bytes after the sections", name,
			  cr_cursor_left(&c));
		goto done;
	}
	if (m->version != 1 && m->version != 2) {
		ret = EBADMSG;
		cr_seterr(errmsg, "master key file '%s': unknown "
			  "version %u", name, m->version);
		goto done;
	}
	ret = cr_utf16le_decode(m, m->guid_field, 72, &guid);
	if (ret == ENOMEM) {
		goto done;
	}
	if (ret != 0 || !cr_guid_parse(guid, &g)) {
		ret = EBADMSG;
		cr_seterr(errmsg, "master key file '%s': no GUID in "
			  "its header", name);
		goto done;
	}
	m->guid = cr_guid_string(m, &g);
	if (m->guid == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (lens[0] > 0) {
		ret = cr_mk_blob_parse(m, sec[0], lens[0], &m->mk);
	}
	if (ret == 0 && lens[1] > 0) {
		ret = cr_mk_blob_parse(m, sec[1], lens[1], &m->lk);
	}
	if (ret != 0) {
		cr_seterr(errmsg, "master key file '%s': %s section "
			  "shorter than its 32-byte header", name,
			  m->mk == NULL ? "master key" : "local key");
		goto done;
	}
	if (lens[2] > 0) {
		m->credhist = talloc_memdup(m, sec[2], lens[2]);
		m->credhist_len = lens[2];
		if (m->credhist == NULL) {
			ret = ENOMEM;
			goto done;
		}
	}
	if (lens[3] > 0) {
		ret = cr_domainkey_parse(m, sec[3], lens[3], &m->dk, errmsg);
		if (ret != 0) {
			cr_wraperr(errmsg, "master key file '%s'",
				   name);
			goto done;
		}
	}
	*out = talloc_move(mem_ctx, &m);
	ret = 0;
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

int cr_mkf_serialize(TALLOC_CTX *mem_ctx, const struct cr_mkf *mkf,
		     uint8_t **out, size_t *out_len, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_buf o;
	uint8_t *dk = NULL;
	size_t dk_len = 0;
	int ret;

	*out = NULL;
	*out_len = 0;
	if (mkf->dk != NULL) {
		ret = cr_domainkey_serialize(frame, mkf->dk, &dk, &dk_len,
					     errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	cr_buf_init(&o, frame, false);
	cr_put_le32(&o, mkf->version);
	cr_put_le32(&o, mkf->modified);
	cr_put_le32(&o, mkf->file_path);
	cr_put_bytes(&o, mkf->guid_field, sizeof(mkf->guid_field));
	cr_put_le32(&o, mkf->policy);
	cr_put_le64(&o, mkf->mk ? CR_MK_BLOB_HEADER_LEN + mkf->mk->ct_len : 0);
	cr_put_le64(&o, mkf->lk ? CR_MK_BLOB_HEADER_LEN + mkf->lk->ct_len : 0);
	cr_put_le64(&o, mkf->credhist_len);
	cr_put_le64(&o, dk_len);
	if (mkf->mk != NULL) {
		cr_mk_blob_put(&o, mkf->mk);
	}
	if (mkf->lk != NULL) {
		cr_mk_blob_put(&o, mkf->lk);
	}
	cr_put_bytes(&o, mkf->credhist, mkf->credhist_len);
	cr_put_bytes(&o, dk, dk_len);
	if (o.oom) {
		ret = ENOMEM;
		cr_seterr(errmsg, "out of memory");
		goto done;
	}
	*out = talloc_steal(mem_ctx, o.data);
	*out_len = o.len;
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

/* HMAC-H(HMAC-H(prekey, R3), key): the check inside every MK blob. */
static int cr_mk_mac(const struct cr_dpapi_hash *h, const uint8_t *prekey,
		     size_t prekey_len, const uint8_t *r3, const uint8_t *key,
		     size_t key_len, uint8_t *mac)
{
	uint8_t k1[CR_DPAPI_MAX_HASH];
	int rc;

	rc = gnutls_hmac_fast(h->mac, prekey, prekey_len, r3, CR_R3_LEN, k1);
	if (rc == 0) {
		rc = gnutls_hmac_fast(h->mac, k1, h->len, key, key_len, mac);
	}
	credroam_wipe(k1, sizeof(k1));
	return rc < 0 ? EIO : 0;
}

static int cr_mk_algs(const struct cr_mk_blob *b,
		      const struct cr_dpapi_hash **h,
		      const struct cr_dpapi_cipher **c)
{
	*h = cr_dpapi_hash_by_alg(b->alg_hash);
	*c = cr_dpapi_cipher_by_alg(b->alg_crypt);
	if (*h == NULL || *c == NULL || (*h)->alg == CR_CALG_SHA_256) {
		return EINVAL;
	}
	return 0;
}

int cr_mk_blob_decrypt(TALLOC_CTX *mem_ctx, const struct cr_mk_blob *b,
		       const uint8_t *prekey, size_t prekey_len,
		       size_t key_len, uint8_t **key, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_dpapi_hash *h = NULL;
	const struct cr_dpapi_cipher *c = NULL;
	uint8_t kiv[32 + 16];
	uint8_t mac[CR_DPAPI_MAX_HASH];
	uint8_t *buf = NULL;
	uint8_t *k = NULL;
	int ret;

	*key = NULL;
	ret = cr_mk_algs(b, &h, &c);
	if (ret != 0) {
		cr_seterr(errmsg, "unsupported master key "
			  "algorithms 0x%x/0x%x", b->alg_hash, b->alg_crypt);
		goto done;
	}
	if (b->rounds == 0 || b->rounds > CR_DPAPI_MAX_ROUNDS) {
		ret = EINVAL;
		cr_seterr(errmsg, "refusing %u PBKDF2 rounds",
			  b->rounds);
		goto done;
	}
	if (b->ct_len % c->block_len != 0 ||
	    b->ct_len < CR_R3_LEN + h->len + key_len) {
		ret = EBADMSG;
		cr_seterr(errmsg, "master key ciphertext of %zu "
			  "bytes does not fit %s", b->ct_len, c->name);
		goto done;
	}
	ret = cr_dpapi_pbkdf2(h->mac, prekey, prekey_len, b->salt,
			      sizeof(b->salt), b->rounds, kiv,
			      c->key_len + c->block_len);
	if (ret != 0) {
		cr_seterr(errmsg, "PBKDF2 failed");
		goto done;
	}
	buf = credroam_secret_dup(frame, b->ct, b->ct_len);
	if (buf == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_dpapi_cbc(false, c, kiv, kiv + c->key_len, buf, b->ct_len);
	if (ret != 0) {
		cr_seterr(errmsg, "%s decryption failed", c->name);
		goto done;
	}
	/* the key is the tail; a 3DES blob pads between MAC and key */
	k = buf + b->ct_len - key_len;
	ret = cr_mk_mac(h, prekey, prekey_len, buf, k, key_len, mac);
	if (ret != 0) {
		goto done;
	}
	if (!cr_dpapi_memeq(mac, buf + CR_R3_LEN, h->len)) {
		ret = EACCES;
		cr_seterr(errmsg, "HMAC check failed: wrong key");
		goto done;
	}
	*key = credroam_secret_dup(mem_ctx, k, key_len);
	ret = (*key == NULL) ? ENOMEM : 0;
done:
	credroam_wipe(kiv, sizeof(kiv));
	credroam_wipe(mac, sizeof(mac));
	TALLOC_FREE(frame);
	return ret;
}

int cr_mk_blob_encrypt(TALLOC_CTX *mem_ctx, uint32_t alg_hash,
		       uint32_t alg_crypt, uint32_t rounds,
		       const uint8_t *salt, const uint8_t *r3,
		       const uint8_t *prekey, size_t prekey_len,
		       const uint8_t *key, size_t key_len,
		       struct cr_mk_blob **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_dpapi_hash *h = NULL;
	const struct cr_dpapi_cipher *c = NULL;
	struct cr_mk_blob *b = NULL;
	uint8_t kiv[32 + 16];
	size_t len;
	size_t pad;
	int ret;

	*out = NULL;
	b = talloc_zero(frame, struct cr_mk_blob);
	if (b == NULL) {
		ret = ENOMEM;
		goto done;
	}
	b->version = 2;
	b->rounds = rounds;
	b->alg_hash = alg_hash;
	b->alg_crypt = alg_crypt;
	ret = cr_mk_algs(b, &h, &c);
	if (ret != 0 || rounds == 0 || rounds > CR_DPAPI_MAX_ROUNDS) {
		ret = EINVAL;
		cr_seterr(errmsg, "unsupported master key "
			  "parameters");
		goto done;
	}
	len = CR_R3_LEN + h->len + key_len;
	pad = (c->block_len - len % c->block_len) % c->block_len;
	len += pad;
	b->ct = talloc_zero_size(b, len);
	if (b->ct == NULL) {
		ret = ENOMEM;
		goto done;
	}
	/* it holds the plaintext key until the CBC pass */
	credroam_keep_secret(b->ct);
	b->ct_len = len;
	if (salt != NULL) {
		memcpy(b->salt, salt, sizeof(b->salt));
	}
	if (r3 != NULL) {
		memcpy(b->ct, r3, CR_R3_LEN);
	}
	if ((salt == NULL && !cr_dpapi_random(b->salt, sizeof(b->salt))) ||
	    (r3 == NULL && !cr_dpapi_random(b->ct, CR_R3_LEN))) {
		ret = EIO;
		goto done;
	}
	memcpy(b->ct + len - key_len, key, key_len);
	ret = cr_mk_mac(h, prekey, prekey_len, b->ct, key, key_len,
			b->ct + CR_R3_LEN);
	if (ret == 0) {
		ret = cr_dpapi_pbkdf2(h->mac, prekey, prekey_len, b->salt,
				      sizeof(b->salt), rounds, kiv,
				      c->key_len + c->block_len);
	}
	if (ret == 0) {
		ret = cr_dpapi_cbc(true, c, kiv, kiv + c->key_len, b->ct,
				   len);
	}
	if (ret != 0) {
		cr_seterr(errmsg, "master key encryption failed");
		goto done;
	}
	*out = talloc_move(mem_ctx, &b);
done:
	if (ret == ENOMEM) {
		cr_seterr(errmsg, "out of memory");
	}
	credroam_wipe(kiv, sizeof(kiv));
	TALLOC_FREE(frame);
	return ret;
}

int cr_mkf_decrypt_prekey(TALLOC_CTX *mem_ctx, const struct cr_mkf *mkf,
			  const uint8_t *prekey, size_t prekey_len,
			  uint8_t **master_key, char **errmsg)
{
	int ret;

	*master_key = NULL;
	if (mkf->mk == NULL) {
		cr_seterr(errmsg, "master key file %s has no master "
			  "key section", mkf->guid);
		return ENOENT;
	}
	ret = cr_mk_blob_decrypt(mem_ctx, mkf->mk, prekey, prekey_len,
				 CR_DPAPI_MK_LEN, master_key, errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "master key %s", mkf->guid);
	}
	return ret;
}

int cr_mkf_decrypt_password(TALLOC_CTX *mem_ctx, const struct cr_mkf *mkf,
			    const char *password, const char *sid,
			    uint8_t **master_key,
			    enum cr_dpapi_derivation *how, char **errmsg)
{
	/* local accounts say so in the policy; try the likely one first */
	static const enum cr_dpapi_derivation local_first[3] = {
		CR_DPAPI_DERIV_SHA1, CR_DPAPI_DERIV_NT_PBKDF2,
		CR_DPAPI_DERIV_NT,
	};
	static const enum cr_dpapi_derivation domain_first[3] = {
		CR_DPAPI_DERIV_NT_PBKDF2, CR_DPAPI_DERIV_NT,
		CR_DPAPI_DERIV_SHA1,
	};
	TALLOC_CTX *frame = talloc_stackframe();
	const enum cr_dpapi_derivation *order = NULL;
	uint8_t prekey[CR_DPAPI_PREKEY_LEN];
	char *msg = NULL;
	size_t i;
	int ret = EACCES;

	*master_key = NULL;
	if (mkf->mk == NULL) {
		ret = ENOENT;
		cr_seterr(errmsg, "master key file %s has no master "
			  "key section", mkf->guid);
		goto done;
	}
	order = (mkf->policy & CR_DPAPI_POLICY_DPAPI_OWF) ? local_first
							  : domain_first;
	for (i = 0; i < 3; i++) {
		ret = cr_dpapi_prekey_password(order[i], password, sid,
					       prekey);
		if (ret != 0) {
			cr_seterr(errmsg, "cannot derive a pre-key "
				  "from the password (%s)", strerror(ret));
			goto done;
		}
		TALLOC_FREE(msg);
		ret = cr_mk_blob_decrypt(mem_ctx, mkf->mk, prekey,
					 sizeof(prekey), CR_DPAPI_MK_LEN,
					 master_key, &msg);
		if (ret != EACCES) {
			break;
		}
	}
	if (ret == 0) {
		*how = order[i];
	} else if (ret == EACCES) {
		cr_seterr(errmsg, "master key %s: HMAC check failed "
			  "for every pre-key derivation (sha1, nt, "
			  "nt-pbkdf2): wrong password or SID", mkf->guid);
	} else {
		cr_seterr(errmsg, "master key %s: %s", mkf->guid,
			  msg ? msg : strerror(ret));
	}
done:
	credroam_wipe(prekey, sizeof(prekey));
	cr_err_clear(&msg);
	TALLOC_FREE(frame);
	return ret;
}

int cr_mkf_decrypt_backupkey(TALLOC_CTX *mem_ctx, const struct cr_mkf *mkf,
			     gnutls_privkey_t backup_key,
			     uint8_t **master_key,
			     struct cr_domainkey_plain **plain,
			     char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_domainkey_plain *p = NULL;
	int ret;

	*master_key = NULL;
	if (plain != NULL) {
		*plain = NULL;
	}
	if (mkf->dk == NULL) {
		ret = ENOENT;
		cr_seterr(errmsg, "master key file %s has no domain "
			  "key section", mkf->guid);
		goto done;
	}
	ret = cr_domainkey_decrypt(frame, mkf->dk, backup_key, &p, errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "master key %s", mkf->guid);
		goto done;
	}
	if (p->master_key_len != CR_DPAPI_MK_LEN) {
		ret = EBADMSG;
		cr_seterr(errmsg, "master key %s: domain key holds "
			  "%zu bytes, not 64", mkf->guid, p->master_key_len);
		goto done;
	}
	*master_key = talloc_steal(mem_ctx, p->master_key);
	if (plain != NULL) {
		*plain = talloc_move(mem_ctx, &p);
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_mkf_decrypt_localkey(TALLOC_CTX *mem_ctx, const struct cr_mkf *mkf,
			    const char *sid, const uint8_t *system_secret,
			    size_t system_secret_len, uint8_t **local_key,
			    char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t *pk = NULL;
	size_t pk_len = 0;
	int ret;

	*local_key = NULL;
	if (mkf->lk == NULL) {
		ret = ENOENT;
		cr_seterr(errmsg, "master key file %s has no local "
			  "key section", mkf->guid);
		goto done;
	}
	ret = cr_dpapi_localkey_prekey(frame, mkf->lk->alg_hash, sid,
				       system_secret, system_secret_len, &pk,
				       &pk_len);
	if (ret != 0) {
		cr_seterr(errmsg, "local key %s: cannot derive its "
			  "key (%s)", mkf->guid, strerror(ret));
		goto done;
	}
	ret = cr_mk_blob_decrypt(mem_ctx, mkf->lk, pk, pk_len,
				 CR_DPAPI_LK_LEN, local_key, errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "local key %s", mkf->guid);
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_mkf_create(TALLOC_CTX *mem_ctx, const struct cr_mkf_params *p,
		  struct cr_mkf **out, uint8_t **master_key, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_mkf *m = NULL;
	struct cr_guid g;
	uint8_t *mk = NULL;
	uint8_t *lk = NULL;
	uint8_t *lk_prekey = NULL;
	size_t lk_prekey_len = 0;
	uint8_t *wguid = NULL;
	size_t wguid_len = 0;
	uint32_t rounds = p->rounds ? p->rounds : CR_DPAPI_DEFAULT_ROUNDS;
	int ret;

	*out = NULL;
	*master_key = NULL;
	m = talloc_zero(frame, struct cr_mkf);
	mk = talloc_size(frame, CR_DPAPI_MK_LEN);
	lk = talloc_size(frame, CR_DPAPI_LK_LEN);
	if (m == NULL || mk == NULL || lk == NULL) {
		ret = ENOMEM;
		goto done;
	}
	credroam_keep_secret(mk);
	credroam_keep_secret(lk);
	if (p->guid != NULL) {
		g = *p->guid;
	} else if (!cr_dpapi_random(g.b, sizeof(g.b))) {
		ret = EIO;
		goto done;
	} else {
		/* an RFC 4122 version 4 GUID, as Windows makes */
		g.b[7] = (uint8_t)((g.b[7] & 0x0f) | 0x40);
		g.b[8] = (uint8_t)((g.b[8] & 0x3f) | 0x80);
	}
	if (p->master_key != NULL) {
		memcpy(mk, p->master_key, CR_DPAPI_MK_LEN);
	}
	if ((p->master_key == NULL && !cr_dpapi_random(mk, CR_DPAPI_MK_LEN))
	    || !cr_dpapi_random(lk, CR_DPAPI_LK_LEN)) {
		ret = EIO;
		goto done;
	}
	m->version = 2;
	m->policy = p->policy;
	m->guid = cr_guid_string(m, &g);
	if (m->guid == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_utf16le_encode(frame, m->guid, strlen(m->guid), false,
				&wguid, &wguid_len);
	if (ret != 0) {
		goto done;
	}
	memcpy(m->guid_field, wguid, wguid_len);
	ret = cr_mk_blob_encrypt(m, CR_CALG_SHA_512, CR_CALG_AES_256, rounds,
				 NULL, NULL, p->prekey, p->prekey_len, mk,
				 CR_DPAPI_MK_LEN, &m->mk, errmsg);
	if (ret != 0) {
		goto done;
	}
	ret = cr_dpapi_localkey_prekey(frame, CR_CALG_SHA_512, p->sid, NULL,
				       0, &lk_prekey, &lk_prekey_len);
	if (ret != 0) {
		cr_seterr(errmsg, "bad SID '%s'", p->sid);
		goto done;
	}
	ret = cr_mk_blob_encrypt(m, CR_CALG_SHA_512, CR_CALG_AES_256, rounds,
				 NULL, NULL, lk_prekey, lk_prekey_len, lk,
				 CR_DPAPI_LK_LEN, &m->lk, errmsg);
	if (ret != 0) {
		goto done;
	}
	if (p->backup != NULL) {
		uint32_t v = p->domainkey_version ? p->domainkey_version : 3;

		ret = cr_domainkey_create(m, v, p->backup, mk,
					  CR_DPAPI_MK_LEN, lk, p->sid,
					  &m->dk, errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	*out = talloc_move(mem_ctx, &m);
	*master_key = talloc_move(mem_ctx, &mk);
	ret = 0;
done:
	if (ret == ENOMEM) {
		cr_seterr(errmsg, "out of memory");
	} else if (ret == EIO && errmsg != NULL && *errmsg == NULL) {
		cr_seterr(errmsg, "no random numbers");
	}
	TALLOC_FREE(frame);
	return ret;
}

int cr_dpapi_preferred_parse(TALLOC_CTX *mem_ctx, const uint8_t *data,
			     size_t len, struct cr_dpapi_preferred *out,
			     char **errmsg)
{
	if (len != CR_DPAPI_PREFERRED_LEN) {
		cr_seterr(errmsg, "Preferred file has %zu bytes, not "
			  "24", len);
		return EBADMSG;
	}
	memcpy(out->guid.b, data, sizeof(out->guid.b));
	out->expires = cr_le64(data + 16);
	return 0;
}

void cr_dpapi_preferred_build(const struct cr_dpapi_preferred *p,
			      uint8_t out[CR_DPAPI_PREFERRED_LEN])
{
	memcpy(out, p->guid.b, sizeof(p->guid.b));
	cr_store_le64(out + 16, p->expires);
}

bool cr_dpapi_mk_sha1(const uint8_t *mk, size_t len, uint8_t out[20])
{
	return cr_sha1(mk, len, out);
}
