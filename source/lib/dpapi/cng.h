/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CNG (Microsoft Software Key Storage Provider) key files
 * (%APPDATA%\Microsoft\Crypto\Keys\<file>) and the "MIB1" transport blob
 * they roam in (token type 9), plus BCRYPT RSA key blobs
 * (spec/dpapi.md 5.2, 5.3, 5.1b point 6).
 */
#ifndef CREDROAM_DPAPI_CNG_H
#define CREDROAM_DPAPI_CNG_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "dpapi/pkcs8.h"
#include "util/encoding.h"

#define CR_CNG_KEY_MAX (256 * 1024)

/* Entropy of the two DPAPI blobs in a key file (with their NULs). */
#define CR_CNG_PROPERTIES_ENTROPY "6jnkd5J3ZdQDtrsu"
#define CR_CNG_PRIVATE_KEY_ENTROPY "xT5rZW5qVVbrvpuA"

struct cr_cng_property {
	uint32_t type;
	uint32_t reserved;
	char *name;		/* UTF-8 */
	const uint8_t *value;	/* points into the owning buffer */
	uint32_t value_len;
};

struct cr_cng_key {
	uint32_t version;
	uint32_t reserved;
	uint32_t type;		/* WORD type + WORD property count */
	uint8_t zero[16];
	uint8_t *name_raw;	/* UTF-16LE, no terminator */
	uint32_t name_len;
	char *name;
	uint8_t *pub_props;	/* plaintext property records */
	uint32_t pub_props_len;
	struct cr_cng_property *props;
	size_t num_props;
	uint8_t *priv_props;	/* DPAPI blob */
	uint32_t priv_props_len;
	uint8_t *priv_key;	/* DPAPI blob */
	uint32_t priv_key_len;
};

int cr_cng_key_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		     struct cr_cng_key **out, char **errmsg);
int cr_cng_key_serialize(TALLOC_CTX *mem_ctx, const struct cr_cng_key *k,
			 uint8_t **out, size_t *out_len, char **errmsg);

/*
 * Property records {dwStructLen, type, reserved, dwNameLen, dwValueLen,
 * name, value}, exactly tiling len bytes; values point into data.
 */
int cr_cng_properties_parse(TALLOC_CTX *mem_ctx, const uint8_t *data,
			    size_t len, struct cr_cng_property **out,
			    size_t *count, char **errmsg);

/* Decrypt the private key blob: a BCRYPT key blob (secret). */
int cr_cng_key_decrypt_blob(TALLOC_CTX *mem_ctx, const struct cr_cng_key *k,
			    const uint8_t *mk, size_t mk_len, uint8_t **out,
			    size_t *out_len, char **errmsg);
/* Decrypt the private key blob and convert it (RSA only). */
int cr_cng_key_decrypt(TALLOC_CTX *mem_ctx, const struct cr_cng_key *k,
		       const uint8_t *mk, size_t mk_len,
		       struct cr_rsa_key **key, char **errmsg);
/* Decrypt the private properties (e.g. "Export Policy"); *out secret. */
int cr_cng_key_decrypt_properties(TALLOC_CTX *mem_ctx,
				  const struct cr_cng_key *k,
				  const uint8_t *mk, size_t mk_len,
				  uint8_t **out, size_t *out_len,
				  char **errmsg);

/*
 * BCRYPT_RSAKEY_BLOB: RSA1 (public), RSA2 (BCRYPT_RSAPRIVATE_BLOB: e, n,
 * p, q) or RSA3 (BCRYPT_RSAFULLPRIVATE_BLOB), big-endian.  Missing private
 * values are computed; RSA1 gives n and e only.
 */
int cr_bcrypt_rsa_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
			struct cr_rsa_key **out, char **errmsg);
/* BCRYPT_RSAFULLPRIVATE_BLOB ("RSA3") of a complete key. */
int cr_bcrypt_rsa_build_full(TALLOC_CTX *mem_ctx, const struct cr_rsa_key *k,
			     uint8_t **out, size_t *out_len, char **errmsg);

/* The key file name: MD5(UTF16LE(lower(name)) + NUL) + "_" + machine. */
char *cr_cng_file_name(TALLOC_CTX *mem_ctx, const char *name,
		       const char *machine_guid);

#define CR_MIB1_MASTER_KEYS 8

struct cr_mib1_master_key {
	struct cr_guid guid;
	uint8_t *data;		/* a master key file */
	uint32_t len;
};

/* NCRYPT_OPAQUETRANSPORT_BLOB as roamed (DSInternals' reading). */
struct cr_mib1 {
	uint8_t *name_raw;	/* UTF-16LE */
	uint32_t name_chars;
	char *name;
	uint8_t *file_name;	/* ANSI */
	uint32_t file_name_len;
	uint8_t *key_file;	/* a CNG key file */
	uint32_t key_file_len;
	uint8_t *legacy_file_name;
	uint32_t legacy_file_name_len;
	uint8_t *legacy_key;
	uint32_t legacy_key_len;
	struct cr_mib1_master_key mk[CR_MIB1_MASTER_KEYS];
	uint32_t reserved1;
	uint32_t reserved2;
	uint32_t flags;
};

int cr_mib1_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		  struct cr_mib1 **out, char **errmsg);
int cr_mib1_serialize(TALLOC_CTX *mem_ctx, const struct cr_mib1 *m,
		      uint8_t **out, size_t *out_len, char **errmsg);

#endif
