/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Session secrets in the user's kernel keyring; see keyring.h.
 */
#include "config.h"

#include <errno.h>
#include <gnutls/crypto.h>
#include <keyutils.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "keys/keyring.h"
#include "util/secret.h"
#include "util/stackframe.h"

#define PREKEY_RECORD_LEN (1 + CR_DPAPI_PREKEY_LEN)
#define MAX_PREKEYS 8
/* A cached master key: [MK_TAG][SHA-256 of its master key file][key] */
#define MK_TAG 0x4d
#define MK_BIND_LEN 32
#define MK_HEAD_LEN (1 + MK_BIND_LEN)

/* The owner may do everything, nobody else anything (possessor too:
 * keys are found by description, not through a session keyring). */
#define CR_KEY_PERM (KEY_POS_ALL | KEY_USR_ALL)

static char *prekeys_desc(TALLOC_CTX *mem_ctx, const char *sid)
{
	return talloc_asprintf(mem_ctx, "credroam:prekeys:%s", sid);
}

static char *masterkey_desc(TALLOC_CTX *mem_ctx, const char *sid,
			    const char *guid)
{
	char *desc = talloc_asprintf(mem_ctx, "credroam:mk:%s:%s", sid, guid);
	size_t i;

	if (desc == NULL) {
		return NULL;
	}
	/* GUIDs compare case-insensitively; descriptions do not. */
	for (i = strlen("credroam:mk:") + strlen(sid); desc[i] != '\0'; i++) {
		if (desc[i] >= 'A' && desc[i] <= 'F') {
			desc[i] = desc[i] - 'A' + 'a';
		}
	}
	return desc;
}

static bool sid_is_plausible(const char *sid)
{
	size_t i;

	if (sid == NULL || strncmp(sid, "S-1-", 4) != 0) {
		return false;
	}
	for (i = 4; sid[i] != '\0'; i++) {
		bool ok = (sid[i] >= '0' && sid[i] <= '9') || sid[i] == '-';
		if (!ok || i > 184) {
			return false;
		}
	}
	return true;
}

int cr_prekeys_from_password(TALLOC_CTX *mem_ctx, const char *password,
			     const char *sid, struct cr_prekey **pprekeys,
			     size_t *pcount, char **errmsg)
{
	static const enum cr_dpapi_derivation kinds[] = {
		CR_DPAPI_DERIV_SHA1,
		CR_DPAPI_DERIV_NT,
		CR_DPAPI_DERIV_NT_PBKDF2,
	};
	const size_t n = sizeof(kinds) / sizeof(kinds[0]);
	struct cr_prekey *prekeys = NULL;
	size_t i;
	int ret;

	if (!sid_is_plausible(sid)) {
		cr_seterr(errmsg, "'%s' is not a SID",
			  sid != NULL ? sid : "(null)");
		return EINVAL;
	}
	prekeys = talloc_zero_array(mem_ctx, struct cr_prekey, n);
	if (prekeys == NULL) {
		return ENOMEM;
	}
	credroam_keep_secret(prekeys);
	for (i = 0; i < n; i++) {
		prekeys[i].kind = kinds[i];
		ret = cr_dpapi_prekey_password(kinds[i], password, sid,
					       prekeys[i].key);
		if (ret != 0) {
			cr_seterr(errmsg,
				  "cannot derive the %s pre-key for %s",
				  cr_dpapi_derivation_name(kinds[i]), sid);
			TALLOC_FREE(prekeys);
			return ret;
		}
	}
	*pprekeys = prekeys;
	*pcount = n;
	return 0;
}

static int put_key(const char *desc, const void *data, size_t len,
		   unsigned timeout, char **errmsg, TALLOC_CTX *errctx)
{
	key_serial_t key;
	long rc;

	key = add_key("user", desc, data, len, KEY_SPEC_USER_KEYRING);
	if (key < 0) {
		int err = errno;
		cr_seterr(errmsg,
			  "cannot add '%s' to the user keyring: %s", desc,
			  strerror(err));
		return err;
	}
	rc = keyctl_setperm(key, CR_KEY_PERM);
	if (rc == 0 && timeout != 0) {
		rc = keyctl_set_timeout(key, timeout);
	}
	if (rc != 0) {
		int err = errno;
		keyctl_unlink(key, KEY_SPEC_USER_KEYRING);
		cr_seterr(errmsg,
			  "cannot restrict key '%s' in the user keyring: %s",
			  desc, strerror(err));
		return err;
	}
	return 0;
}

/* ENOENT when absent; the bytes are marked secret. */
static int get_key(TALLOC_CTX *mem_ctx, const char *desc, uint8_t **pdata,
		   size_t *plen, char **errmsg)
{
	key_serial_t key;
	void *buf = NULL;
	uint8_t *copy = NULL;
	long len;

	key = request_key("user", desc, NULL, KEY_SPEC_USER_KEYRING);
	if (key < 0) {
		int err = errno;
		if (err == ENOKEY || err == EKEYEXPIRED ||
		    err == EKEYREVOKED) {
			return ENOENT;
		}
		cr_seterr(errmsg,
			  "cannot search the user keyring for '%s': %s", desc,
			  strerror(err));
		return err;
	}
	len = keyctl_read_alloc(key, &buf);
	if (len < 0) {
		int err = errno;
		cr_seterr(errmsg, "cannot read key '%s': %s", desc,
			  strerror(err));
		return err;
	}
	copy = credroam_secret_dup(mem_ctx, buf, (size_t)len);
	credroam_wipe(buf, (size_t)len);
	free(buf);
	if (copy == NULL) {
		return ENOMEM;
	}
	*pdata = copy;
	*plen = (size_t)len;
	return 0;
}

int cr_keyring_put_prekeys(const char *sid, const struct cr_prekey *prekeys,
			   size_t count, unsigned timeout, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t *buf = NULL;
	char *desc = NULL;
	size_t i;
	int ret;

	if (!sid_is_plausible(sid) || count == 0 || count > MAX_PREKEYS) {
		cr_seterr(errmsg, "refusing to store %zu pre-keys for "
			  "'%s'", count, sid != NULL ? sid : "(null)");
		ret = EINVAL;
		goto done;
	}
	desc = prekeys_desc(frame, sid);
	buf = talloc_size(frame, count * PREKEY_RECORD_LEN);
	if (desc == NULL || buf == NULL) {
		ret = ENOMEM;
		goto done;
	}
	credroam_keep_secret(buf);
	for (i = 0; i < count; i++) {
		buf[i * PREKEY_RECORD_LEN] = (uint8_t)prekeys[i].kind;
		memcpy(buf + i * PREKEY_RECORD_LEN + 1, prekeys[i].key,
		       CR_DPAPI_PREKEY_LEN);
	}
	ret = put_key(desc, buf, count * PREKEY_RECORD_LEN, timeout, errmsg,
		      NULL);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_keyring_get_prekeys(TALLOC_CTX *mem_ctx, const char *sid,
			   struct cr_prekey **pprekeys, size_t *pcount,
			   char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_prekey *prekeys = NULL;
	uint8_t *buf = NULL;
	char *desc = NULL;
	size_t len = 0;
	size_t count;
	size_t i;
	int ret;

	desc = prekeys_desc(frame, sid);
	if (desc == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = get_key(frame, desc, &buf, &len, errmsg);
	if (ret != 0) {
		goto done;
	}
	count = len / PREKEY_RECORD_LEN;
	if (len % PREKEY_RECORD_LEN != 0 || count == 0 ||
	    count > MAX_PREKEYS) {
		cr_seterr(errmsg, "key '%s' holds %zu bytes, not a "
			  "list of pre-keys", desc, len);
		ret = EBADMSG;
		goto done;
	}
	prekeys = talloc_zero_array(mem_ctx, struct cr_prekey, count);
	if (prekeys == NULL) {
		ret = ENOMEM;
		goto done;
	}
	credroam_keep_secret(prekeys);
	for (i = 0; i < count; i++) {
		prekeys[i].kind = buf[i * PREKEY_RECORD_LEN];
		memcpy(prekeys[i].key, buf + i * PREKEY_RECORD_LEN + 1,
		       CR_DPAPI_PREKEY_LEN);
	}
	*pprekeys = prekeys;
	*pcount = count;
done:
	TALLOC_FREE(frame);
	return ret;
}

/* SHA-256 of the master key file: what a cached key is bound to. */
static int mkf_binding(const uint8_t *mkf, size_t mkf_len,
		       uint8_t out[MK_BIND_LEN])
{
	int rc = gnutls_hash_fast(GNUTLS_DIG_SHA256, mkf, mkf_len, out);

	return (rc == 0) ? 0 : EIO;
}

int cr_keyring_put_masterkey(const char *sid, const char *guid,
			     const uint8_t *mkf, size_t mkf_len,
			     const uint8_t *mk, size_t len, unsigned timeout,
			     char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t *buf = NULL;
	char *desc = NULL;
	int ret;

	if (!sid_is_plausible(sid) || guid == NULL || strlen(guid) != 36 ||
	    mkf == NULL || mkf_len == 0 || len == 0 || len > 128) {
		cr_seterr(errmsg, "refusing to cache a master key of "
			  "%zu bytes for '%s'", len,
			  sid != NULL ? sid : "(null)");
		ret = EINVAL;
		goto done;
	}
	desc = masterkey_desc(frame, sid, guid);
	buf = talloc_size(frame, MK_HEAD_LEN + len);
	if (desc == NULL || buf == NULL) {
		ret = ENOMEM;
		goto done;
	}
	credroam_keep_secret(buf);
	buf[0] = MK_TAG;
	ret = mkf_binding(mkf, mkf_len, buf + 1);
	if (ret != 0) {
		cr_seterr(errmsg, "cannot hash master key file %s",
			  guid);
		goto done;
	}
	memcpy(buf + MK_HEAD_LEN, mk, len);
	ret = put_key(desc, buf, MK_HEAD_LEN + len, timeout, errmsg, NULL);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_keyring_get_masterkey(TALLOC_CTX *mem_ctx, const char *sid,
			     const char *guid, const uint8_t *mkf,
			     size_t mkf_len, uint8_t **pmk, size_t *plen,
			     char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t want[MK_BIND_LEN];
	uint8_t *buf = NULL;
	uint8_t *mk = NULL;
	char *desc = NULL;
	size_t len = 0;
	int ret;

	*pmk = NULL;
	*plen = 0;
	desc = masterkey_desc(frame, sid, guid);
	if (desc == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = get_key(frame, desc, &buf, &len, errmsg);
	if (ret != 0) {
		goto done;
	}
	ret = mkf_binding(mkf, mkf_len, want);
	if (ret != 0) {
		cr_seterr(errmsg, "cannot hash master key file %s",
			  guid);
		goto done;
	}
	if (len <= MK_HEAD_LEN || len > MK_HEAD_LEN + 128 ||
	    buf[0] != MK_TAG ||
	    gnutls_memcmp(buf + 1, want, MK_BIND_LEN) != 0) {
		/* not cached by us for this file: never trust it */
		cr_seterr(errmsg, "key '%s' was not cached for this "
			  "master key file (%zu bytes): ignored", desc, len);
		ret = EKEYREJECTED;
		goto done;
	}
	mk = credroam_secret_dup(mem_ctx, buf + MK_HEAD_LEN,
				 len - MK_HEAD_LEN);
	if (mk == NULL) {
		ret = ENOMEM;
		goto done;
	}
	*pmk = mk;
	*plen = len - MK_HEAD_LEN;
done:
	TALLOC_FREE(frame);
	return ret;
}

struct forget_ctx {
	const char *prefix_pre;
	const char *prefix_mk;
	bool count_only;
	size_t removed;
};

static int forget_one(key_serial_t parent, key_serial_t key, char *desc,
		      int desc_len, void *data)
{
	struct forget_ctx *fc = data;
	const char *name = NULL;
	long rc;
	bool ours;

	(void)desc_len;
	/*
	 * desc is "type;uid;gid;perm;description", or NULL for a key whose
	 * description cannot be read: an expired one (our own entries
	 * expire, CR_KEYRING_TIMEOUT) or another user's.  Not ours to kill.
	 */
	if (desc == NULL) {
		return 0;
	}
	name = strrchr(desc, ';');
	if (name == NULL) {
		return 0;
	}
	name++;
	ours = strcmp(name, fc->prefix_pre) == 0 ||
	       strncmp(name, fc->prefix_mk, strlen(fc->prefix_mk)) == 0;
	if (!ours) {
		return 0;
	}
	if (fc->count_only) {
		fc->removed++;
		return 0;
	}
	/*
	 * Kill the key itself, not our link to it: a copy linked into
	 * another keyring dies too.  invalidate (Linux 3.5) frees it;
	 * revoke makes it unreadable where invalidate is missing.
	 */
	rc = keyctl_invalidate(key);
	if (rc != 0) {
		rc = keyctl_revoke(key);
	}
	(void)keyctl_unlink(key, parent);
	if (rc == 0) {
		fc->removed++;
	}
	return 0;
}

static int scan_ours(const char *sid, bool count_only, size_t *pcount,
		     char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct forget_ctx fc = { .count_only = count_only };
	key_serial_t ring;
	int ret = 0;

	if (!sid_is_plausible(sid)) {
		cr_seterr(errmsg, "'%s' is not a SID",
			  sid != NULL ? sid : "(null)");
		ret = EINVAL;
		goto done;
	}
	fc.prefix_pre = prekeys_desc(frame, sid);
	fc.prefix_mk = talloc_asprintf(frame, "credroam:mk:%s:", sid);
	if (fc.prefix_pre == NULL || fc.prefix_mk == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ring = keyctl_get_keyring_ID(KEY_SPEC_USER_KEYRING, 1);
	if (ring < 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot open the user keyring: %s",
			  strerror(ret));
		goto done;
	}
	if (recursive_key_scan(ring, forget_one, &fc) < 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot list the user keyring: %s",
			  strerror(ret));
		goto done;
	}
	if (pcount != NULL) {
		*pcount = fc.removed;
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_keyring_forget(const char *sid, size_t *count, char **errmsg)
{
	return scan_ours(sid, false, count, errmsg);
}

int cr_keyring_count(const char *sid, size_t *count, char **errmsg)
{
	*count = 0;
	return scan_ours(sid, true, count, errmsg);
}
