/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CNG key files holding keys of any type: the private key blob (RSA or
 * BCRYPT_ECCKEY_BLOB) decrypted into a struct cr_privkey and checked
 * against the file's public key, and new key files for EC keys, laid out as
 * the Microsoft Software Key Storage Provider writes a user key
 * (spec/dpapi.md 5.1b point 6).
 */
#ifndef CREDROAM_DPAPI_CNGKEY_H
#define CREDROAM_DPAPI_CNGKEY_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "dpapi/cng.h"
#include "dpapi/privkey.h"
#include "util/encoding.h"

/*
 * The type DWORD at offset 12 (WORD type, WORD count): 0x00030001 for RSA
 * user keys (DSInternals) and 0x00030004 for an ECDSA P-256 user key are
 * observed; we write the latter for every EC key (unproven for ECDH and the
 * larger curves; readers ignore it).
 */
#define CR_CNG_TYPE_RSA 0x00030001U
#define CR_CNG_TYPE_EC 0x00030004U

/* The unnamed public-property type that holds the public key blob. */
#define CR_CNG_PROP_PUBLIC_BLOB 10

/*
 * Decrypt the private key: RSA (RSA2/RSA3) or EC (ECS2/4/6, ECK2/4/6).
 * When the file carries a public key blob, the private key must match it.
 * An unknown blob type is refused by its magic, naming the key.
 */
int cr_cng_key_decrypt_any(TALLOC_CTX *mem_ctx, const struct cr_cng_key *k,
			   const uint8_t *mk, size_t mk_len,
			   struct cr_privkey **key, char **errmsg);

/*
 * A new key file named name for an EC key (ECDSA or ECDH as key->ec->ecdh
 * says): public properties "Modified" (filetime) and the public blob,
 * private properties "Export Policy" = 3 (exportable, also in plain text)
 * and the private blob, both protected under mk_guid/mk (AES-256/SHA-512)
 * with the KSP's entropies.
 */
int cr_cng_key_create(TALLOC_CTX *mem_ctx, const char *name,
		      const struct cr_privkey *key, uint64_t filetime,
		      const struct cr_guid *mk_guid, const uint8_t *mk,
		      size_t mk_len, struct cr_cng_key **out, char **errmsg);

#endif
