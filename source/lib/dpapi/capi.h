/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CryptoAPI key containers (%APPDATA%\Microsoft\Crypto\RSA\<SID>\<file>,
 * ...\DSS\<SID>\<file>; roaming token types 1 and 2): parse, serialize
 * exactly, decrypt a slot, assemble a new one (spec/dpapi.md 5.1, 5.1b);
 * the RSA key format here, the DSS one in capi_dss.h.
 *
 * The decrypted private key is rsaenh's internal "RSA2" layout, not a
 * PRIVATEKEYBLOB: a 20-byte header (magic, keylen = bits/8 + 8, bits,
 * bits/8 - 1, e), then n in keylen bytes, p, q, dp, dq, u in keylen/2 bytes
 * each, d in keylen bytes (every field little-endian and zero-padded), then
 * a zero tail (140 bytes for RSA-2048, proven on the mimikatz wiki key;
 * keylen/2 + 8 is what we write for other sizes, unproven against Windows).
 */
#ifndef CREDROAM_DPAPI_CAPI_H
#define CREDROAM_DPAPI_CAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "dpapi/pkcs8.h"
#include "util/encoding.h"

#define CR_CAPI_KEY_MAX (256 * 1024)

/* Private key blobs carry no entropy; export flags carry this one. */
#define CR_CAPI_EXPORT_FLAG_ENTROPY "Hj1diQ6kpUx7VC4m"	/* + its NUL */

enum cr_capi_keyspec {
	CR_CAPI_ANY = 0,
	CR_CAPI_EXCHANGE = 1,	/* AT_KEYEXCHANGE */
	CR_CAPI_SIGNATURE = 2,	/* AT_SIGNATURE */
};

struct cr_capi_key {
	uint32_t version;
	uint32_t reserved;
	uint8_t *name_raw;	/* ASCII with its NUL, kept exact */
	uint32_t name_len;
	char *name;
	uint8_t *hash;
	uint32_t hash_len;
	/* [0] signature, [1] exchange: public key, private blob, flag blob */
	uint8_t *pub[2];
	uint32_t pub_len[2];
	uint8_t *priv[2];
	uint32_t priv_len[2];
	uint8_t *flag[2];
	uint32_t flag_len[2];
};

int cr_capi_key_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		      struct cr_capi_key **out, char **errmsg);
int cr_capi_key_serialize(TALLOC_CTX *mem_ctx, const struct cr_capi_key *k,
			  uint8_t **out, size_t *out_len, char **errmsg);

/*
 * Decrypt a private key (CR_CAPI_ANY: the exchange key, else the signature
 * key) with the master key.  *export_flag (optional) gets the decrypted
 * export flags DWORD, or UINT32_MAX if the container has none.  The key's
 * modulus must match the container's public key.
 */
int cr_capi_key_decrypt(TALLOC_CTX *mem_ctx, const struct cr_capi_key *k,
			enum cr_capi_keyspec spec, const uint8_t *mk,
			size_t mk_len, struct cr_rsa_key **key,
			uint32_t *export_flag, char **errmsg);

/* CR_CAPI_ANY resolved: the exchange slot if it has a key, else signature. */
enum cr_capi_keyspec cr_capi_key_slot(const struct cr_capi_key *k,
				      enum cr_capi_keyspec spec);
/* "signature" or "exchange" (static). */
const char *cr_capi_slot_name(enum cr_capi_keyspec spec);

/*
 * Any key type: the slot's decrypted private key (secret) and, with
 * export_flag, its export flags DWORD (UINT32_MAX if none); spec is not
 * CR_CAPI_ANY.
 */
int cr_capi_key_unprotect(TALLOC_CTX *mem_ctx, const struct cr_capi_key *k,
			  enum cr_capi_keyspec spec, const uint8_t *mk,
			  size_t mk_len, uint8_t **plain, size_t *plain_len,
			  uint32_t *export_flag, char **errmsg);

/*
 * Any key type: a new container with one key pair in slot spec (not
 * CR_CAPI_ANY): the public section as given, the private plaintext
 * protected as Windows 10 does (AES-256/SHA-512, "CryptoAPI Private
 * Key"), exportable, a zero 20-byte hash.
 */
int cr_capi_key_assemble(TALLOC_CTX *mem_ctx, const char *name,
			 enum cr_capi_keyspec spec, const uint8_t *pub,
			 size_t pub_len, const uint8_t *plain,
			 size_t plain_len, const struct cr_guid *mk_guid,
			 const uint8_t *mk, size_t mk_len,
			 struct cr_capi_key **out, char **errmsg);

/* The decrypted "RSA2" layout above. */
int cr_capi_rsa2_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		       struct cr_rsa_key **out, char **errmsg);
/* Any size from 384 to 16384 bits, rounded up to a multiple of 16. */
int cr_capi_rsa2_build(TALLOC_CTX *mem_ctx, const struct cr_rsa_key *k,
		       uint8_t **out, size_t *out_len, char **errmsg);

/*
 * A new container holding k as the exchange key, protected under master
 * key mk_guid/mk as Windows 10 does (AES-256/SHA-512, exportable).
 */
int cr_capi_key_create(TALLOC_CTX *mem_ctx, const char *name,
		       const struct cr_rsa_key *k,
		       const struct cr_guid *mk_guid, const uint8_t *mk,
		       size_t mk_len, struct cr_capi_key **out,
		       char **errmsg);

/*
 * The container's file name: MD5(name + NUL) as four little-endian DWORDs
 * in hex, "_", the machine GUID.
 */
char *cr_capi_file_name(TALLOC_CTX *mem_ctx, const char *name,
			const char *machine_guid);

#endif
