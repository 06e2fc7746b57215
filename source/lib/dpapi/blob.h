/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DPAPI blobs (what CryptProtectData returns): parse, serialize exactly,
 * decrypt and encrypt (spec/dpapi.md 4).  SHA-1 blobs use Microsoft's
 * non-RFC HMAC (entropy and signed data in the outer hash); SHA-512 blobs
 * use RFC 2104 HMAC.
 */
#ifndef CREDROAM_DPAPI_BLOB_H
#define CREDROAM_DPAPI_BLOB_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "util/encoding.h"

/* Far beyond any key file; bounds allocation before anything is read. */
#define CR_DPAPI_BLOB_MAX (1024 * 1024)

struct cr_dpapi_blob {
	uint32_t version;
	struct cr_guid provider;
	uint32_t mk_version;
	struct cr_guid mk_guid;		/* which master key */
	uint32_t flags;
	uint8_t *description;		/* UTF-16LE, with its NUL */
	uint32_t description_len;
	uint32_t alg_crypt;
	uint32_t alg_crypt_len;
	uint8_t *salt;
	uint32_t salt_len;
	uint8_t *hmac_key;		/* "strong" field, empty in practice */
	uint32_t hmac_key_len;
	uint32_t alg_hash;
	uint32_t alg_hash_len;
	uint8_t *hmac2;			/* the sign's nonce */
	uint32_t hmac2_len;
	uint8_t *data;			/* ciphertext */
	uint32_t data_len;
	uint8_t *sign;
	uint32_t sign_len;
};

/* Exact parse.  Returns 0, EBADMSG or ENOMEM. */
int cr_dpapi_blob_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
			struct cr_dpapi_blob **out, char **errmsg);
int cr_dpapi_blob_serialize(TALLOC_CTX *mem_ctx,
			    const struct cr_dpapi_blob *b, uint8_t **out,
			    size_t *out_len, char **errmsg);

/* The description as UTF-8 ("" if empty or undecodable). */
char *cr_dpapi_blob_description(TALLOC_CTX *mem_ctx,
				const struct cr_dpapi_blob *b);

/*
 * Decrypt with the master key (64 bytes, or its 20-byte SHA-1) and the
 * optional entropy.  The sign is checked first: EACCES "HMAC check failed"
 * for a wrong key or entropy; EBADMSG for bad padding.  *plain is secret.
 */
int cr_dpapi_blob_decrypt(TALLOC_CTX *mem_ctx, const struct cr_dpapi_blob *b,
			  const uint8_t *mk, size_t mk_len,
			  const uint8_t *entropy, size_t entropy_len,
			  uint8_t **plain, size_t *plain_len, char **errmsg);

/*
 * The same for a blob protected with a "strong" password as well (UTF-8;
 * NULL: none).  Its hash joins the session key only, not the sign, so a
 * wrong password shows as EBADMSG (bad padding), not EACCES, and about one
 * wrong password in 256 yields garbage with valid padding: the format
 * cannot do better.  Hash rule from mimikatz and DPAPIck3; no Windows-made
 * sample is public (testdata/dpapi-strong/PROVENANCE).
 */
int cr_dpapi_blob_decrypt_strong(TALLOC_CTX *mem_ctx,
				 const struct cr_dpapi_blob *b,
				 const uint8_t *mk, size_t mk_len,
				 const uint8_t *entropy, size_t entropy_len,
				 const char *password, uint8_t **plain,
				 size_t *plain_len, char **errmsg);

struct cr_dpapi_protect {
	uint32_t alg_crypt;	/* 0: CALG_AES_256 */
	uint32_t alg_hash;	/* 0: CALG_SHA_512 */
	uint32_t alg_crypt_len;	/* 0: the cipher's usual dwAlgCryptLen */
	const char *description;	/* UTF-8; NULL: "" */
	uint32_t flags;
	/* Given only to reproduce a blob in tests; else random (32 bytes) */
	const uint8_t *salt;
	size_t salt_len;
	const uint8_t *hmac2;
	size_t hmac2_len;
	/*
	 * UTF-8; non-NULL: also protect with this "strong" password, as
	 * CryptProtectData with CRYPTPROTECT_PROMPT_STRONG does (set flags
	 * yourself: which prompt flags Windows stores is unverified)
	 */
	const char *strong_password;
};

/* CryptProtectData under the master key mk_guid/mk. */
int cr_dpapi_blob_encrypt(TALLOC_CTX *mem_ctx, const struct cr_guid *mk_guid,
			  const uint8_t *mk, size_t mk_len,
			  const uint8_t *plain, size_t plain_len,
			  const uint8_t *entropy, size_t entropy_len,
			  const struct cr_dpapi_protect *opt,
			  struct cr_dpapi_blob **out, char **errmsg);

/* Parse + decrypt in one call, for key files and the CLI. */
int cr_dpapi_unprotect(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		       const uint8_t *mk, size_t mk_len,
		       const uint8_t *entropy, size_t entropy_len,
		       uint8_t **plain, size_t *plain_len, char **errmsg);

/* Encrypt + serialize. */
int cr_dpapi_protect(TALLOC_CTX *mem_ctx, const struct cr_guid *mk_guid,
		     const uint8_t *mk, size_t mk_len,
		     const uint8_t *plain, size_t plain_len,
		     const uint8_t *entropy, size_t entropy_len,
		     const struct cr_dpapi_protect *opt, uint8_t **out,
		     size_t *out_len, char **errmsg);

#endif
