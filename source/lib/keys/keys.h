/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The session's DPAPI master keys (DESIGN.md 4): unlocked from password
 * pre-keys (given, or left in the kernel keyring by pam_credroam), else by
 * the DC over MS-BKRP with the user's Kerberos ticket; cached in memory
 * for the run and in the user's kernel keyring for the session; never
 * written to disk.  A user without a master key gets one made as Windows
 * 10/11 makes it, when a password pre-key is at hand.
 */
#ifndef CREDROAM_KEYS_H
#define CREDROAM_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "ad/adconn.h"
#include "util/encoding.h"
#include "keys/keyring.h"

struct cr_keys;

/*
 * sid: the owner.  conn: the user's AD connection for BKRP (may be NULL:
 * no DC).  use_keyring: read and fill the kernel keyring.
 */
struct cr_keys *cr_keys_new(TALLOC_CTX *mem_ctx, const char *sid,
			    struct cr_adconn *conn, bool use_keyring);

/* Pre-keys from the password (also left in the keyring for the session). */
int cr_keys_add_password(struct cr_keys *keys, const char *password,
			 char **errmsg);

/* Pre-keys from the keyring, if pam_credroam left some; 0 or ENOENT. */
int cr_keys_load_keyring(struct cr_keys *keys, char **errmsg);

/* Whether a pre-key is at hand (needed to make a new master key). */
bool cr_keys_have_prekeys(const struct cr_keys *keys);

/*
 * The master key of a master key file (its bytes as roamed, guid in its
 * string form).  *how (optional) gets "memory", "password", "dc",
 * "keyring" (the keyring's copy, confirmed by the file) or "keyring
 * refused" (the keyring held another key for this file: replaced).  The
 * key stays owned by keys.  EACCES when nothing unlocks it.
 *
 * A master key cached in the keyring is never trusted on its own: anyone
 * who can write the user's keyring can bind an entry to the file's bytes.
 * The file's MASTERKEY_BLOB HMAC is keyed with the pre-key
 * (HMAC(HMAC(pre-key, R2), master key)) and its domain key section with
 * the DC's backup key, so only a pre-key or the DC can confirm a key; the
 * file is always unlocked that way and a differing cached key refused.
 */
int cr_keys_unlock(struct cr_keys *keys, const char *guid,
		   const uint8_t *mkf, size_t mkf_len, const uint8_t **mk,
		   size_t *mk_len, const char **how, char **errmsg);

/* An already unlocked key by GUID (NULL if not). */
const uint8_t *cr_keys_find(const struct cr_keys *keys, const char *guid,
			    size_t *mk_len);

/*
 * A new master key file for the owner: password section from the 1607+
 * pre-key, domain key section for the domain's backup key (fetched over
 * BKRP), unlocked and cached.  EPERM with a clear message without a
 * password pre-key; EHOSTUNREACH without a DC.
 */
int cr_keys_create(TALLOC_CTX *mem_ctx, struct cr_keys *keys,
		   struct cr_guid *guid, uint8_t **mkf, size_t *mkf_len,
		   char **errmsg);

/* For tests and --json: what the run cost. */
unsigned cr_keys_bkrp_calls(const struct cr_keys *keys);

#endif
