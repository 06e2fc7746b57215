/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DPAPI master key files (%APPDATA%\Microsoft\Protect\<SID>\<GUID>) and
 * the Preferred file: parse, serialize byte-exactly, decrypt, create
 * (spec/dpapi.md 1).
 */
#ifndef CREDROAM_DPAPI_MASTERKEY_H
#define CREDROAM_DPAPI_MASTERKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gnutls/abstract.h>
#include <talloc.h>

#include "dpapi/domainkey.h"
#include "dpapi/prekey.h"
#include "util/encoding.h"

#define CR_DPAPI_MK_LEN 64
#define CR_DPAPI_LK_LEN 32
#define CR_DPAPI_MKF_HEADER_LEN 128
/* Windows 10/11 */
#define CR_DPAPI_DEFAULT_ROUNDS 8000
/* Refuse to spend more than about a second on one derivation. */
#define CR_DPAPI_MAX_ROUNDS 1000000

#define CR_DPAPI_POLICY_LOCAL_BACKUP	0x1
#define CR_DPAPI_POLICY_NO_BACKUP	0x2
#define CR_DPAPI_POLICY_DPAPI_OWF	0x4

/* MASTERKEY_BLOB: the master key and local key sections. */
struct cr_mk_blob {
	uint32_t version;
	uint8_t salt[16];
	uint32_t rounds;
	uint32_t alg_hash;
	uint32_t alg_crypt;
	uint8_t *ct;
	size_t ct_len;
};

struct cr_mkf {
	uint32_t version;
	uint32_t modified;
	uint32_t file_path;
	uint8_t guid_field[80];	/* kept whole: its padding may be junk */
	char *guid;		/* lower-case, from guid_field */
	uint32_t policy;
	struct cr_mk_blob *mk;	/* each section NULL when absent */
	struct cr_mk_blob *lk;
	uint8_t *credhist;	/* LOCAL_BACKUP_DATA, kept raw */
	size_t credhist_len;
	struct cr_domainkey *dk;
};

/* Exact parse; name is for messages.  Returns 0, EBADMSG or ENOMEM. */
int cr_mkf_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		 const char *name, struct cr_mkf **out, char **errmsg);
int cr_mkf_serialize(TALLOC_CTX *mem_ctx, const struct cr_mkf *mkf,
		     uint8_t **out, size_t *out_len, char **errmsg);

/*
 * Decrypt one MASTERKEY_BLOB with a pre-key; key_len is 64 for the master
 * key, 32 for the local key.  EACCES ("HMAC check failed") for a wrong
 * pre-key, EINVAL for unsupported algorithms or rounds.
 */
int cr_mk_blob_decrypt(TALLOC_CTX *mem_ctx, const struct cr_mk_blob *b,
		       const uint8_t *prekey, size_t prekey_len,
		       size_t key_len, uint8_t **key, char **errmsg);

/*
 * Encrypt a key into a new MASTERKEY_BLOB.  salt and r3 (16 bytes each) are
 * random when NULL (given only to reproduce a file in tests).
 */
int cr_mk_blob_encrypt(TALLOC_CTX *mem_ctx, uint32_t alg_hash,
		       uint32_t alg_crypt, uint32_t rounds,
		       const uint8_t *salt, const uint8_t *r3,
		       const uint8_t *prekey, size_t prekey_len,
		       const uint8_t *key, size_t key_len,
		       struct cr_mk_blob **out, char **errmsg);

/* The master key (64 bytes, secret) from a raw pre-key. */
int cr_mkf_decrypt_prekey(TALLOC_CTX *mem_ctx, const struct cr_mkf *mkf,
			  const uint8_t *prekey, size_t prekey_len,
			  uint8_t **master_key, char **errmsg);

/*
 * The master key from the owner's password and SID, trying every pre-key
 * derivation (the file does not say which); *how says which one passed.
 * EACCES "HMAC check failed ..." when none does.
 */
int cr_mkf_decrypt_password(TALLOC_CTX *mem_ctx, const struct cr_mkf *mkf,
			    const char *password, const char *sid,
			    uint8_t **master_key,
			    enum cr_dpapi_derivation *how, char **errmsg);

/*
 * The master key through the domain key section and the backup private
 * key.  *plain (optional) gets the version, access SID and nonce.
 */
int cr_mkf_decrypt_backupkey(TALLOC_CTX *mem_ctx, const struct cr_mkf *mkf,
			     gnutls_privkey_t backup_key,
			     uint8_t **master_key,
			     struct cr_domainkey_plain **plain,
			     char **errmsg);

/*
 * The 32-byte local key; system_secret is the DPAPI_SYSTEM user half when
 * policy has LOCAL_BACKUP, else NULL.
 */
int cr_mkf_decrypt_localkey(TALLOC_CTX *mem_ctx, const struct cr_mkf *mkf,
			    const char *sid, const uint8_t *system_secret,
			    size_t system_secret_len, uint8_t **local_key,
			    char **errmsg);

/* What a new master key file is made from. */
struct cr_mkf_params {
	const char *sid;		/* owner */
	const uint8_t *prekey;		/* cr_dpapi_prekey_password() */
	size_t prekey_len;
	uint32_t policy;		/* 0: domain user */
	uint32_t rounds;		/* 0: CR_DPAPI_DEFAULT_ROUNDS */
	/* domain key section; NULL for none */
	const struct cr_backup_pubkey *backup;
	uint32_t domainkey_version;	/* 0: 3 */
	const struct cr_guid *guid;	/* NULL: random */
	const uint8_t *master_key;	/* NULL: random (64 bytes) */
};

/*
 * A new master key file as Windows 10/11 writes it: SHA-512/AES-256,
 * random salts and R3, local key section, domain key section.
 */
int cr_mkf_create(TALLOC_CTX *mem_ctx, const struct cr_mkf_params *p,
		  struct cr_mkf **mkf, uint8_t **master_key, char **errmsg);

/* The Preferred file: MASTERKEY_PREFERRED_INFO, 24 bytes. */
struct cr_dpapi_preferred {
	struct cr_guid guid;
	uint64_t expires;	/* FILETIME */
};

#define CR_DPAPI_PREFERRED_LEN 24

int cr_dpapi_preferred_parse(TALLOC_CTX *mem_ctx, const uint8_t *data,
			     size_t len, struct cr_dpapi_preferred *out,
			     char **errmsg);
void cr_dpapi_preferred_build(const struct cr_dpapi_preferred *p,
			      uint8_t out[CR_DPAPI_PREFERRED_LEN]);

/* SHA-1 of a master key: what mimikatz and others accept in its place. */
bool cr_dpapi_mk_sha1(const uint8_t *mk, size_t len, uint8_t out[20]);

#endif
