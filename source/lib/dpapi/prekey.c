/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Pre-key derivations; see prekey.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <gnutls/crypto.h>
#include <nettle/md4.h>

#include "dpapi/stackframe.h"
#include "dpapi/alg.h"
#include "dpapi/prekey.h"
#include "util/utf16.h"
#include "util/secret.h"

/* MsvpDeriveSecureCredKey's fixed PBKDF2-SHA256 parameters */
#define CR_SECURE_CRED_ROUNDS 10000

const char *cr_dpapi_derivation_name(enum cr_dpapi_derivation d)
{
	switch (d) {
	case CR_DPAPI_DERIV_SHA1:
		return "sha1";
	case CR_DPAPI_DERIV_NT:
		return "nt";
	case CR_DPAPI_DERIV_NT_PBKDF2:
		return "nt-pbkdf2";
	case CR_DPAPI_DERIV_PREKEY:
		return "prekey";
	case CR_DPAPI_DERIV_BACKUP_KEY:
		return "backup-key";
	case CR_DPAPI_DERIV_DC:
		return "dc";
	}
	return "unknown";
}

/* HMAC-SHA1(key, UTF16LE(sid) + NUL), the last step of every kind. */
static int cr_prekey_final(const uint8_t *key, size_t key_len,
			   const char *sid,
			   uint8_t prekey[CR_DPAPI_PREKEY_LEN])
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t *wsid = NULL;
	size_t wsid_len = 0;
	int ret;

	ret = cr_utf16le_encode(frame, sid, strlen(sid), true, &wsid,
				&wsid_len);
	if (ret != 0) {
		goto done;
	}
	ret = gnutls_hmac_fast(GNUTLS_MAC_SHA1, key, key_len, wsid, wsid_len,
			       prekey) < 0 ? EIO : 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_dpapi_nt_hash(const char *password, uint8_t nt[CR_DPAPI_NT_LEN])
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct md4_ctx ctx;
	uint8_t *wpw = NULL;
	size_t wpw_len = 0;
	int ret;

	ret = cr_utf16le_encode(frame, password, strlen(password), false,
				&wpw, &wpw_len);
	if (ret != 0) {
		goto done;
	}
	md4_init(&ctx);
	md4_update(&ctx, wpw_len, wpw);
	md4_digest(&ctx, CR_DPAPI_NT_LEN, nt);
	credroam_wipe(&ctx, sizeof(ctx));
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_dpapi_prekey_sha1(const uint8_t sha1[20], const char *sid,
			 uint8_t prekey[CR_DPAPI_PREKEY_LEN])
{
	return cr_prekey_final(sha1, 20, sid, prekey);
}

int cr_dpapi_prekey_nt(enum cr_dpapi_derivation kind,
		       const uint8_t nt[CR_DPAPI_NT_LEN], const char *sid,
		       uint8_t prekey[CR_DPAPI_PREKEY_LEN])
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t t1[32];
	uint8_t t2[16];
	uint8_t *wsid = NULL;
	size_t wsid_len = 0;
	gnutls_datum_t k;
	gnutls_datum_t s;
	int ret;

	if (kind == CR_DPAPI_DERIV_NT) {
		ret = cr_prekey_final(nt, CR_DPAPI_NT_LEN, sid, prekey);
		goto done;
	}
	if (kind != CR_DPAPI_DERIV_NT_PBKDF2) {
		ret = EINVAL;
		goto done;
	}
	/* the 1607+ steps salt with the SID without its NUL */
	ret = cr_utf16le_encode(frame, sid, strlen(sid), false, &wsid,
				&wsid_len);
	if (ret != 0) {
		goto done;
	}
	s = (gnutls_datum_t) { .data = wsid, .size = wsid_len };
	k = (gnutls_datum_t) {
		.data = (uint8_t *)(uintptr_t)nt, .size = CR_DPAPI_NT_LEN,
	};
	ret = EIO;
	if (gnutls_pbkdf2(GNUTLS_MAC_SHA256, &k, &s, CR_SECURE_CRED_ROUNDS,
			  t1, sizeof(t1)) < 0) {
		goto done;
	}
	k = (gnutls_datum_t) { .data = t1, .size = sizeof(t1) };
	if (gnutls_pbkdf2(GNUTLS_MAC_SHA256, &k, &s, 1, t2, sizeof(t2)) < 0) {
		goto done;
	}
	ret = cr_prekey_final(t2, sizeof(t2), sid, prekey);
done:
	credroam_wipe(t1, sizeof(t1));
	credroam_wipe(t2, sizeof(t2));
	TALLOC_FREE(frame);
	return ret;
}

int cr_dpapi_prekey_password(enum cr_dpapi_derivation kind,
			     const char *password, const char *sid,
			     uint8_t prekey[CR_DPAPI_PREKEY_LEN])
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t h[20];
	uint8_t *wpw = NULL;
	size_t wpw_len = 0;
	int ret;

	switch (kind) {
	case CR_DPAPI_DERIV_SHA1:
		ret = cr_utf16le_encode(frame, password, strlen(password),
					false, &wpw, &wpw_len);
		if (ret != 0) {
			goto done;
		}
		if (gnutls_hash_fast(GNUTLS_DIG_SHA1, wpw, wpw_len, h) < 0) {
			ret = EIO;
			goto done;
		}
		ret = cr_dpapi_prekey_sha1(h, sid, prekey);
		break;
	case CR_DPAPI_DERIV_NT:
	case CR_DPAPI_DERIV_NT_PBKDF2:
		ret = cr_dpapi_nt_hash(password, h);
		if (ret != 0) {
			goto done;
		}
		ret = cr_dpapi_prekey_nt(kind, h, sid, prekey);
		break;
	default:
		ret = EINVAL;
		break;
	}
done:
	credroam_wipe(h, sizeof(h));
	TALLOC_FREE(frame);
	return ret;
}

int cr_dpapi_localkey_prekey(TALLOC_CTX *mem_ctx, uint32_t alg_hash,
			     const char *sid, const uint8_t *system_secret,
			     size_t system_secret_len, uint8_t **out,
			     size_t *out_len)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_dpapi_hash *h = cr_dpapi_hash_by_alg(alg_hash);
	gnutls_hash_hd_t hd = NULL;
	uint8_t *wsid = NULL;
	size_t wsid_len = 0;
	uint8_t *key = NULL;
	int ret;

	*out = NULL;
	*out_len = 0;
	if (h == NULL) {
		ret = EINVAL;
		goto done;
	}
	ret = cr_utf16le_encode(frame, sid, strlen(sid), true, &wsid,
				&wsid_len);
	if (ret != 0) {
		goto done;
	}
	key = talloc_size(frame, h->len);
	if (key == NULL) {
		ret = ENOMEM;
		goto done;
	}
	credroam_keep_secret(key);
	ret = EIO;
	if (gnutls_hash_init(&hd, h->digest) < 0) {
		goto done;
	}
	if (gnutls_hash(hd, wsid, wsid_len) < 0 ||
	    (system_secret_len > 0 &&
	     gnutls_hash(hd, system_secret, system_secret_len) < 0)) {
		gnutls_hash_deinit(hd, NULL);
		goto done;
	}
	gnutls_hash_deinit(hd, key);
	*out = talloc_move(mem_ctx, &key);
	*out_len = h->len;
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}
