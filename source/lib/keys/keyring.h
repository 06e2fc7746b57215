/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The user's kernel keyring (keyutils): the only place a session's DPAPI
 * secrets live between two processes.  pam_credroam puts the password
 * pre-keys there at logon; every roaming run of the session reads them and
 * caches the master keys it unlocked, so that later runs need neither the
 * password nor a round trip to the DC.  Nothing here ever reaches a disk.
 *
 * Keys are of type "user", linked into the user keyring (@u) of the
 * calling uid, with permissions for the owning user only and a timeout.
 * Descriptions carry the user's SID so that a uid reused by another
 * account never sees them:
 *   credroam:prekeys:<SID>          records of [kind:1][pre-key:20]
 *   credroam:mk:<SID>:<GUID>        ['M'][SHA-256 of the master key
 *                                   file][the 64-byte master key]
 * A cached master key is bound to the file it was unlocked from: it is
 * used for that exact file only (not for another file under the same
 * GUID, nor when planted without the binding).
 */
#ifndef CREDROAM_KEYRING_H
#define CREDROAM_KEYRING_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "dpapi/prekey.h"

/* Default lifetime of what the keyring holds: a working day. */
#define CR_KEYRING_TIMEOUT (10 * 3600)

struct cr_prekey {
	enum cr_dpapi_derivation kind;	/* SHA1, NT or NT_PBKDF2 */
	uint8_t key[CR_DPAPI_PREKEY_LEN];
};

/*
 * The pre-keys of every derivation a domain or local account may use, from
 * the password: SHA1, NT and NT_PBKDF2, in that order (three entries).
 * The result is marked secret.
 */
int cr_prekeys_from_password(TALLOC_CTX *mem_ctx, const char *password,
			     const char *sid, struct cr_prekey **prekeys,
			     size_t *count, char **errmsg);

/* Store (replace) the pre-keys for sid; timeout in seconds, 0: none. */
int cr_keyring_put_prekeys(const char *sid, const struct cr_prekey *prekeys,
			   size_t count, unsigned timeout, char **errmsg);

/* ENOENT when the keyring holds none for sid.  Result marked secret. */
int cr_keyring_get_prekeys(TALLOC_CTX *mem_ctx, const char *sid,
			   struct cr_prekey **prekeys, size_t *count,
			   char **errmsg);

/*
 * guid as "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (any case); mkf: the
 * master key file mk was unlocked from (its bytes).
 */
int cr_keyring_put_masterkey(const char *sid, const char *guid,
			     const uint8_t *mkf, size_t mkf_len,
			     const uint8_t *mk, size_t len, unsigned timeout,
			     char **errmsg);

/*
 * The master key cached for exactly this master key file: ENOENT when not
 * cached, EKEYREJECTED when the entry was cached for other bytes or
 * without the binding (then unlock the file instead).  Result marked
 * secret.
 */
int cr_keyring_get_masterkey(TALLOC_CTX *mem_ctx, const char *sid,
			     const char *guid, const uint8_t *mkf,
			     size_t mkf_len, uint8_t **mk, size_t *len,
			     char **errmsg);

/*
 * Invalidate (or, on kernels without it, revoke) every credroam key of
 * sid found in the user keyring, so that a copy linked anywhere else dies
 * too (logoff of the last session, `credroam purge`).  Returns the number
 * removed in *count (may be NULL).
 */
int cr_keyring_forget(const char *sid, size_t *count, char **errmsg);

/*
 * How many credroam keys of sid the user keyring holds (the agent's
 * check that the session's secrets are still there: logoff and `credroam
 * purge` remove them, and so must the agent its decrypted keys).
 */
int cr_keyring_count(const char *sid, size_t *count, char **errmsg);

#endif
