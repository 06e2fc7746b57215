/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The domain key section of a master key file: an MS-BKRP 2.2.2
 * Client-Side-Wrapped Secret (spec/dpapi.md 3), versions 2 (RSA +
 * 3DES/SHA-1) and 3 (RSA + AES-256/SHA-512).
 *
 * Three ways in: the domain's backup private key (offline, admins only),
 * a DC's BackuprKey(BACKUPKEY_RESTORE_GUID) reply (cr_domainkey_dc_reply(),
 * the hook the MS-BKRP client calls), and for writing, the backup public
 * key certificate BACKUPKEY_RETRIEVE_BACKUP_KEY_GUID returns.
 */
#ifndef CREDROAM_DPAPI_DOMAINKEY_H
#define CREDROAM_DPAPI_DOMAINKEY_H

#include <stddef.h>
#include <stdint.h>
#include <gnutls/abstract.h>
#include <talloc.h>

#include "util/encoding.h"

#define CR_DPAPI_DOMAINKEY_NONCE_LEN 32

struct cr_domainkey {
	uint32_t version;		/* 2 or 3 */
	struct cr_guid key_guid;	/* the backup key pair's GUID */
	uint8_t *secret;		/* RSA ciphertext, byte-reversed */
	uint32_t secret_len;
	uint8_t *access;		/* CBC-encrypted access check */
	uint32_t access_len;
};

/* What the backup private key reveals. */
struct cr_domainkey_plain {
	uint32_t version;
	uint8_t *master_key;		/* secret */
	size_t master_key_len;
	uint8_t nonce[CR_DPAPI_DOMAINKEY_NONCE_LEN];	/* = the local key */
	char *access_sid;		/* who may ask a DC to unwrap it */
};

/* The domain's backup public key, from its certificate. */
struct cr_backup_pubkey {
	struct cr_guid guid;		/* issuerUniqueID */
	gnutls_pubkey_t pubkey;		/* freed with the struct */
};

/* Exact parse of len bytes.  Returns 0, EBADMSG or ENOMEM. */
int cr_domainkey_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		       struct cr_domainkey **out, char **errmsg);
int cr_domainkey_serialize(TALLOC_CTX *mem_ctx, const struct cr_domainkey *dk,
			   uint8_t **out, size_t *out_len, char **errmsg);

/*
 * Unwrap with the backup private key: RSA, then the access check (its hash
 * is verified).  EACCES if the key does not fit, EBADMSG if the plaintext
 * is malformed.
 */
int cr_domainkey_decrypt(TALLOC_CTX *mem_ctx, const struct cr_domainkey *dk,
			 gnutls_privkey_t backup_key,
			 struct cr_domainkey_plain **out, char **errmsg);

/*
 * The --dc hook: a DC's BACKUPKEY_RESTORE_GUID reply is a zero DWORD then
 * the master key.  Returns the master key (secret), or EBADMSG.
 */
int cr_domainkey_dc_reply(TALLOC_CTX *mem_ctx, const uint8_t *reply,
			  size_t reply_len, uint8_t **master_key,
			  size_t *master_key_len, char **errmsg);

/*
 * Load the backup public key from its DER certificate (self-signed
 * RSA-2048; the GUID is the issuerUniqueID).  The result owns a GnuTLS
 * pubkey freed by a destructor.
 */
int cr_backup_pubkey_from_cert(TALLOC_CTX *mem_ctx, const uint8_t *der,
			       size_t der_len, struct cr_backup_pubkey **out,
			       char **errmsg);

/* The same from a bare RSA public key and a GUID (tests, raw exports). */
int cr_backup_pubkey_from_raw(TALLOC_CTX *mem_ctx, const struct cr_guid *guid,
			      gnutls_pubkey_t pubkey,
			      struct cr_backup_pubkey **out, char **errmsg);

/*
 * Wrap a master key for the domain (MS-BKRP 3.2.4.1 client side).  nonce
 * should be the file's local key, as Windows does; sid is the owner.
 * version 2 or 3.
 */
int cr_domainkey_create(TALLOC_CTX *mem_ctx, uint32_t version,
			const struct cr_backup_pubkey *backup,
			const uint8_t *master_key, size_t master_key_len,
			const uint8_t nonce[CR_DPAPI_DOMAINKEY_NONCE_LEN],
			const char *sid, struct cr_domainkey **out,
			char **errmsg);

#endif
