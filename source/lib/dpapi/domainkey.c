/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BKRP client-side wrapped secrets; see domainkey.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "util/cursor.h"
#include "dpapi/stackframe.h"
#include "dpapi/alg.h"
#include "dpapi/domainkey.h"
#include "dpapi/sid.h"
#include "util/error.h"
#include "util/secret.h"

#define CR_DK_HEADER_LEN 28
/* An RSA-16384 ciphertext plus a generous access check. */
#define CR_DK_MAX_PART 4096

/* Per-version constants of MS-BKRP 2.2.2.1-2.2.2.4. */
struct cr_dk_suite {
	uint32_t version;
	size_t secret_header;	/* DWORDs before the secret */
	size_t payload_len;
	uint32_t alg_crypt;
	uint32_t alg_hash;
	size_t align;		/* the access check's size is a multiple */
};

static const struct cr_dk_suite cr_dk_suites[] = {
	{ 2, 8, 32, CR_CALG_3DES, CR_CALG_SHA1, 8 },
	{ 3, 16, 48, CR_CALG_AES_256, CR_CALG_SHA_512, 16 },
};

static const struct cr_dk_suite *cr_dk_suite(uint32_t version)
{
	size_t i;

	for (i = 0; i < sizeof(cr_dk_suites) / sizeof(cr_dk_suites[0]); i++) {
		if (cr_dk_suites[i].version == version) {
			return &cr_dk_suites[i];
		}
	}
	return NULL;
}

static void cr_reverse(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n / 2; i++) {
		uint8_t t = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

int cr_domainkey_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		       struct cr_domainkey **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_domainkey *dk = NULL;
	struct cr_cursor c;
	const uint8_t *s = NULL;
	const uint8_t *a = NULL;
	int ret;

	*out = NULL;
	dk = talloc_zero(frame, struct cr_domainkey);
	if (dk == NULL) {
		ret = ENOMEM;
		goto done;
	}
	cr_cursor_init(&c, data, len);
	dk->version = cr_get_le32(&c, "dwVersion");
	dk->secret_len = cr_get_le32(&c, "cbEncryptedSecret");
	dk->access_len = cr_get_le32(&c, "cbAccessCheck");
	cr_get_copy(&c, dk->key_guid.b, sizeof(dk->key_guid.b), "guidKey");
	s = cr_get_bytes(&c, dk->secret_len, "EncryptedSecret");
	a = cr_get_bytes(&c, dk->access_len, "AccessCheck");
	if (!cr_cursor_ok(&c)) {
		ret = EBADMSG;
		cr_seterr(errmsg, "domain key section: %s runs past "
			  "the end at offset %zu", c.fail_what, c.fail_off);
		goto done;
	}
	if (cr_cursor_left(&c) != 0) {
		ret = EBADMSG;
		cr_seterr(errmsg, "domain key section: %zu trailing "
			  "bytes", cr_cursor_left(&c));
		goto done;
	}
	if (cr_dk_suite(dk->version) == NULL) {
		ret = EBADMSG;
		cr_seterr(errmsg, "domain key section: unknown "
			  "version %u", dk->version);
		goto done;
	}
	/* one spare byte: a zero-length field still gets a buffer */
	dk->secret = talloc_size(dk, dk->secret_len + 1);
	dk->access = talloc_size(dk, dk->access_len + 1);
	if (dk->secret == NULL || dk->access == NULL) {
		ret = ENOMEM;
		goto done;
	}
	memcpy(dk->secret, s, dk->secret_len);
	memcpy(dk->access, a, dk->access_len);
	*out = talloc_move(mem_ctx, &dk);
	ret = 0;
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

int cr_domainkey_serialize(TALLOC_CTX *mem_ctx, const struct cr_domainkey *dk,
			   uint8_t **out, size_t *out_len, char **errmsg)
{
	struct cr_buf o;

	*out = NULL;
	*out_len = 0;
	cr_buf_init(&o, mem_ctx, false);
	cr_put_le32(&o, dk->version);
	cr_put_le32(&o, dk->secret_len);
	cr_put_le32(&o, dk->access_len);
	cr_put_bytes(&o, dk->key_guid.b, sizeof(dk->key_guid.b));
	cr_put_bytes(&o, dk->secret, dk->secret_len);
	cr_put_bytes(&o, dk->access, dk->access_len);
	if (o.oom) {
		talloc_free(o.data);
		cr_seterr(errmsg, "out of memory");
		return ENOMEM;
	}
	*out = o.data;
	*out_len = o.len;
	return 0;
}

/* Decrypt and verify the access check; fills nonce and SID. */
static int cr_dk_access_check(TALLOC_CTX *mem_ctx,
			      const struct cr_dk_suite *su,
			      const struct cr_domainkey *dk,
			      const uint8_t *payload,
			      struct cr_domainkey_plain *p, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_dpapi_cipher *c = cr_dpapi_cipher_by_alg(su->alg_crypt);
	const struct cr_dpapi_hash *h = cr_dpapi_hash_by_alg(su->alg_hash);
	uint8_t digest[CR_DPAPI_MAX_HASH];
	uint8_t *buf = NULL;
	size_t len = dk->access_len;
	size_t sid_len = 0;
	size_t body;
	int ret;

	buf = credroam_secret_dup(frame, dk->access, len);
	if (buf == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_dpapi_cbc(false, c, payload, payload + c->key_len, buf, len);
	if (ret != 0 || len < 8 + CR_DPAPI_DOMAINKEY_NONCE_LEN + 8 + h->len) {
		ret = (ret == EIO) ? EIO : EBADMSG;
		cr_seterr(errmsg, "access check of %zu bytes is not "
			  "a %s ciphertext", len, c->name);
		goto done;
	}
	body = len - h->len;
	if (gnutls_hash_fast(h->digest, buf, body, digest) < 0) {
		ret = EIO;
		goto done;
	}
	if (!cr_dpapi_memeq(digest, buf + body, h->len)) {
		ret = EACCES;
		cr_seterr(errmsg, "access check hash failed: wrong "
			  "backup key or damaged section");
		goto done;
	}
	if (cr_le32(buf) != 1 ||
	    cr_le32(buf + 4) != CR_DPAPI_DOMAINKEY_NONCE_LEN) {
		ret = EBADMSG;
		cr_seterr(errmsg, "access check has an unknown "
			  "header");
		goto done;
	}
	memcpy(p->nonce, buf + 8, CR_DPAPI_DOMAINKEY_NONCE_LEN);
	ret = cr_sid_from_binary(p, buf + 40, body - 40, &sid_len,
				 &p->access_sid);
	if (ret != 0) {
		cr_seterr(errmsg, "access check SID is malformed");
		goto done;
	}
	/*
	 * The rest pads the struct to su->align.  Windows leaves whatever was
	 * in its buffer there (the Nemesis v3 sample has non-zero pad bytes),
	 * so only its length is checked; the hash covers it anyway.
	 */
	if (body - 40 - sid_len >= su->align) {
		ret = EBADMSG;
		cr_seterr(errmsg, "access check has %zu bytes after "
			  "the SID", body - 40 - sid_len);
		goto done;
	}
	ret = 0;
done:
	credroam_wipe(digest, sizeof(digest));
	TALLOC_FREE(frame);
	return ret;
}

int cr_domainkey_decrypt(TALLOC_CTX *mem_ctx, const struct cr_domainkey *dk,
			 gnutls_privkey_t backup_key,
			 struct cr_domainkey_plain **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_dk_suite *su = cr_dk_suite(dk->version);
	struct cr_domainkey_plain *p = NULL;
	gnutls_datum_t ct = { NULL, 0 };
	gnutls_datum_t pt = { NULL, 0 };
	uint32_t secret_len;
	const uint8_t *payload = NULL;
	int ret;
	int rc;

	*out = NULL;
	p = talloc_zero(frame, struct cr_domainkey_plain);
	ct.data = talloc_size(frame, dk->secret_len + 1);
	if (p == NULL || ct.data == NULL) {
		ret = ENOMEM;
		goto done;
	}
	/* wipes the nonce (the local key) with the struct */
	credroam_keep_secret(p);
	memcpy(ct.data, dk->secret, dk->secret_len);
	if (su == NULL) {
		ret = EINVAL;
		cr_seterr(errmsg, "domain key version %u",
			  dk->version);
		goto done;
	}
	p->version = dk->version;
	ct.size = dk->secret_len;
	/* CryptoAPI stores the RSA ciphertext little-endian */
	cr_reverse(ct.data, ct.size);
	rc = gnutls_privkey_decrypt_data(backup_key, 0, &ct, &pt);
	if (rc < 0) {
		ret = EACCES;
		cr_seterr(errmsg, "RSA decryption with the backup key "
			  "failed (%s): wrong backup key %s?",
			  gnutls_strerror(rc),
			  cr_guid_string(frame, &dk->key_guid));
		goto done;
	}
	ret = EBADMSG;
	if (pt.size < su->secret_header) {
		cr_seterr(errmsg, "domain key secret too short");
		goto done;
	}
	secret_len = cr_le32(pt.data);
	if (cr_le32(pt.data + 4) != su->payload_len ||
	    (su->version == 3 && (cr_le32(pt.data + 8) != CR_CALG_AES_256 ||
				  cr_le32(pt.data + 12) != CR_CALG_SHA_512))) {
		cr_seterr(errmsg, "domain key secret has an "
			  "unexpected version %u header", su->version);
		goto done;
	}
	if (secret_len > pt.size ||
	    pt.size != su->secret_header + secret_len + su->payload_len) {
		cr_seterr(errmsg, "domain key secret of %u bytes "
			  "does not fit its %u-byte plaintext", secret_len,
			  pt.size);
		goto done;
	}
	p->master_key = credroam_secret_dup(p, pt.data + su->secret_header,
					    secret_len);
	if (p->master_key == NULL) {
		ret = ENOMEM;
		goto done;
	}
	p->master_key_len = secret_len;
	payload = pt.data + su->secret_header + secret_len;
	ret = cr_dk_access_check(mem_ctx, su, dk, payload, p, errmsg);
	if (ret != 0) {
		goto done;
	}
	*out = talloc_move(mem_ctx, &p);
done:
	if (ret == ENOMEM) {
		cr_seterr(errmsg, "out of memory");
	}
	if (pt.data != NULL) {
		credroam_wipe(pt.data, pt.size);
		gnutls_free(pt.data);
	}
	TALLOC_FREE(frame);
	return ret;
}

int cr_domainkey_dc_reply(TALLOC_CTX *mem_ctx, const uint8_t *reply,
			  size_t reply_len, uint8_t **master_key,
			  size_t *master_key_len, char **errmsg)
{
	*master_key = NULL;
	*master_key_len = 0;
	/*
	 * Exactly one zero DWORD, then the key: stripping all leading zero
	 * bytes (as some tools do) breaks keys that start with 0x00.
	 */
	if (reply_len != 4 + 64 || cr_le32(reply) != 0) {
		cr_seterr(errmsg, "DC reply of %zu bytes is not a "
			  "zero DWORD and a 64-byte master key", reply_len);
		return EBADMSG;
	}
	*master_key = credroam_secret_dup(mem_ctx, reply + 4, 64);
	if (*master_key == NULL) {
		cr_seterr(errmsg, "out of memory");
		return ENOMEM;
	}
	*master_key_len = 64;
	return 0;
}

static int cr_backup_pubkey_destructor(struct cr_backup_pubkey *b)
{
	if (b->pubkey != NULL) {
		gnutls_pubkey_deinit(b->pubkey);
		b->pubkey = NULL;
	}
	return 0;
}

int cr_backup_pubkey_from_cert(TALLOC_CTX *mem_ctx, const uint8_t *der,
			       size_t der_len, struct cr_backup_pubkey **out,
			       char **errmsg)
{
	struct cr_backup_pubkey *b = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = {
		.data = (uint8_t *)(uintptr_t)der,
		.size = (unsigned)der_len,
	};
	char uid[32];
	size_t uid_len = sizeof(uid);
	unsigned bits = 0;
	int ret = EBADMSG;
	int rc;

	*out = NULL;
	b = talloc_zero(mem_ctx, struct cr_backup_pubkey);
	if (b == NULL || der_len > UINT32_MAX) {
		ret = ENOMEM;
		goto done;
	}
	talloc_set_destructor(b, cr_backup_pubkey_destructor);
	rc = gnutls_x509_crt_init(&crt);
	if (rc < 0) {
		ret = ENOMEM;
		goto done;
	}
	rc = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER);
	if (rc < 0) {
		cr_seterr(errmsg, "backup key certificate: %s",
			  gnutls_strerror(rc));
		goto done;
	}
	rc = gnutls_x509_crt_get_issuer_unique_id(crt, uid, &uid_len);
	if (rc < 0 || uid_len != sizeof(b->guid.b)) {
		cr_seterr(errmsg, "backup key certificate has no "
			  "16-byte issuerUniqueID (the key GUID)");
		goto done;
	}
	memcpy(b->guid.b, uid, sizeof(b->guid.b));
	rc = gnutls_pubkey_init(&b->pubkey);
	if (rc == 0) {
		rc = gnutls_pubkey_import_x509(b->pubkey, crt, 0);
	}
	if (rc < 0 || gnutls_pubkey_get_pk_algorithm(b->pubkey, &bits) !=
	    GNUTLS_PK_RSA) {
		cr_seterr(errmsg, "backup key certificate does not "
			  "hold an RSA key");
		goto done;
	}
	*out = b;
	b = NULL;
	ret = 0;
done:
	if (crt != NULL) {
		gnutls_x509_crt_deinit(crt);
	}
	if (ret == ENOMEM) {
		cr_seterr(errmsg, "out of memory");
	}
	talloc_free(b);
	return ret;
}

int cr_backup_pubkey_from_raw(TALLOC_CTX *mem_ctx, const struct cr_guid *guid,
			      gnutls_pubkey_t pubkey,
			      struct cr_backup_pubkey **out, char **errmsg)
{
	struct cr_backup_pubkey *b = NULL;
	gnutls_datum_t m = { NULL, 0 };
	gnutls_datum_t e = { NULL, 0 };
	int ret = EINVAL;
	int rc;

	*out = NULL;
	b = talloc_zero(mem_ctx, struct cr_backup_pubkey);
	if (b == NULL) {
		cr_seterr(errmsg, "out of memory");
		return ENOMEM;
	}
	talloc_set_destructor(b, cr_backup_pubkey_destructor);
	b->guid = *guid;
	/* a private copy, so the caller keeps ownership of theirs */
	rc = gnutls_pubkey_export_rsa_raw2(pubkey, &m, &e, 0);
	if (rc == 0) {
		rc = gnutls_pubkey_init(&b->pubkey);
	}
	if (rc == 0) {
		rc = gnutls_pubkey_import_rsa_raw(b->pubkey, &m, &e);
	}
	if (rc < 0) {
		cr_seterr(errmsg, "backup public key is not RSA: %s",
			  gnutls_strerror(rc));
		goto done;
	}
	*out = b;
	b = NULL;
	ret = 0;
done:
	gnutls_free(m.data);
	gnutls_free(e.data);
	talloc_free(b);
	return ret;
}

int cr_domainkey_create(TALLOC_CTX *mem_ctx, uint32_t version,
			const struct cr_backup_pubkey *backup,
			const uint8_t *master_key, size_t master_key_len,
			const uint8_t nonce[CR_DPAPI_DOMAINKEY_NONCE_LEN],
			const char *sid, struct cr_domainkey **out,
			char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_dk_suite *su = cr_dk_suite(version);
	const struct cr_dpapi_cipher *c = NULL;
	const struct cr_dpapi_hash *h = NULL;
	struct cr_domainkey *dk = NULL;
	struct cr_buf sec;
	struct cr_buf acc;
	uint8_t payload[48];
	uint8_t bsid[CR_SID_MAX_LEN];
	size_t bsid_len = 0;
	size_t body;
	gnutls_datum_t pt;
	gnutls_datum_t ct = { NULL, 0 };
	int ret;
	int rc;

	*out = NULL;
	if (su == NULL || master_key_len > CR_DK_MAX_PART) {
		ret = EINVAL;
		cr_seterr(errmsg, "cannot make a version %u domain "
			  "key section", version);
		goto done;
	}
	if (!cr_sid_to_binary(sid, bsid, &bsid_len)) {
		ret = EINVAL;
		cr_seterr(errmsg, "bad SID '%s'", sid);
		goto done;
	}
	c = cr_dpapi_cipher_by_alg(su->alg_crypt);
	h = cr_dpapi_hash_by_alg(su->alg_hash);
	if (!cr_dpapi_random(payload, su->payload_len)) {
		ret = EIO;
		cr_seterr(errmsg, "no random numbers");
		goto done;
	}
	cr_buf_init(&sec, frame, true);
	cr_put_le32(&sec, (uint32_t)master_key_len);
	cr_put_le32(&sec, (uint32_t)su->payload_len);
	if (version == 3) {
		cr_put_le32(&sec, CR_CALG_AES_256);
		cr_put_le32(&sec, CR_CALG_SHA_512);
	}
	cr_put_bytes(&sec, master_key, master_key_len);
	cr_put_bytes(&sec, payload, su->payload_len);

	/* the nonce is the local key: wipe every copy */
	cr_buf_init(&acc, frame, true);
	cr_put_le32(&acc, 1);
	cr_put_le32(&acc, CR_DPAPI_DOMAINKEY_NONCE_LEN);
	cr_put_bytes(&acc, nonce, CR_DPAPI_DOMAINKEY_NONCE_LEN);
	cr_put_bytes(&acc, bsid, bsid_len);
	body = acc.len + h->len;
	cr_put_zeros(&acc, (su->align - body % su->align) % su->align);
	cr_put_zeros(&acc, h->len);
	dk = talloc_zero(frame, struct cr_domainkey);
	if (sec.oom || acc.oom || dk == NULL) {
		ret = ENOMEM;
		cr_seterr(errmsg, "out of memory");
		goto done;
	}
	body = acc.len - h->len;
	ret = EIO;
	if (gnutls_hash_fast(h->digest, acc.data, body, acc.data + body) < 0 ||
	    cr_dpapi_cbc(true, c, payload, payload + c->key_len, acc.data,
			 acc.len) != 0) {
		cr_seterr(errmsg, "access check encryption failed");
		goto done;
	}
	pt = (gnutls_datum_t) { .data = sec.data, .size = (unsigned)sec.len };
	rc = gnutls_pubkey_encrypt_data(backup->pubkey, 0, &pt, &ct);
	if (rc < 0) {
		cr_seterr(errmsg, "RSA encryption with the backup "
			  "key failed: %s", gnutls_strerror(rc));
		goto done;
	}
	dk->version = version;
	dk->key_guid = backup->guid;
	dk->secret = talloc_memdup(dk, ct.data, ct.size);
	dk->secret_len = ct.size;
	dk->access = talloc_steal(dk, acc.data);
	dk->access_len = (uint32_t)acc.len;
	if (dk->secret == NULL) {
		ret = ENOMEM;
		cr_seterr(errmsg, "out of memory");
		goto done;
	}
	cr_reverse(dk->secret, dk->secret_len);
	*out = talloc_move(mem_ctx, &dk);
	ret = 0;
done:
	gnutls_free(ct.data);
	credroam_wipe(payload, sizeof(payload));
	TALLOC_FREE(frame);
	return ret;
}
