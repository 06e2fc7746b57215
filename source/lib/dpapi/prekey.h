/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Pre-keys: the 20-byte secrets that unlock a master key file's first
 * section (spec/dpapi.md 2).  The file does not say which derivation made
 * it; cr_mkf_decrypt_password() in masterkey.h tries them all.
 */
#ifndef CREDROAM_DPAPI_PREKEY_H
#define CREDROAM_DPAPI_PREKEY_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#define CR_DPAPI_PREKEY_LEN 20
#define CR_DPAPI_NT_LEN 16

enum cr_dpapi_derivation {
	CR_DPAPI_DERIV_SHA1 = 0,	/* local account: SHA1(pw) */
	CR_DPAPI_DERIV_NT,		/* domain, before Win10 1607: MD4 */
	CR_DPAPI_DERIV_NT_PBKDF2,	/* domain, Win10 1607+ */
	CR_DPAPI_DERIV_PREKEY,		/* caller gave the pre-key */
	CR_DPAPI_DERIV_BACKUP_KEY,	/* domain backup private key */
	CR_DPAPI_DERIV_DC,		/* unwrapped by a DC (MS-BKRP) */
};

/* "sha1", "nt", "nt-pbkdf2", "prekey", "backup-key", "dc". */
const char *cr_dpapi_derivation_name(enum cr_dpapi_derivation d);

/* NT hash: MD4(UTF16LE(password)).  Returns 0, EILSEQ or ENOMEM. */
int cr_dpapi_nt_hash(const char *password, uint8_t nt[CR_DPAPI_NT_LEN]);

/*
 * Pre-key from a password (UTF-8) and the owner's textual SID, for kind
 * SHA1, NT or NT_PBKDF2.  Returns 0, EINVAL, EILSEQ, ENOMEM or EIO.
 */
int cr_dpapi_prekey_password(enum cr_dpapi_derivation kind,
			     const char *password, const char *sid,
			     uint8_t prekey[CR_DPAPI_PREKEY_LEN]);

/* Pre-key from an NT hash (kind NT or NT_PBKDF2). */
int cr_dpapi_prekey_nt(enum cr_dpapi_derivation kind,
		       const uint8_t nt[CR_DPAPI_NT_LEN], const char *sid,
		       uint8_t prekey[CR_DPAPI_PREKEY_LEN]);

/* Pre-key from SHA1(UTF16LE(password)) (local accounts). */
int cr_dpapi_prekey_sha1(const uint8_t sha1[20], const char *sid,
			 uint8_t prekey[CR_DPAPI_PREKEY_LEN]);

/*
 * The key that protects a master key file's local key section:
 * H(UTF16LE(SID) + NUL [+ system_secret]), H = SHA-1 or SHA-512 as the
 * section's hash says.  *out (20 or 64 bytes) is secret.
 */
int cr_dpapi_localkey_prekey(TALLOC_CTX *mem_ctx, uint32_t alg_hash,
			     const char *sid, const uint8_t *system_secret,
			     size_t system_secret_len, uint8_t **out,
			     size_t *out_len);

#endif
