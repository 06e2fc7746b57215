/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * BCRYPT_ECCKEY_BLOB, the key blob CNG stores elliptic-curve keys in
 * (Microsoft docs, "BCRYPT_ECCKEY_BLOB structure"): a little-endian Magic
 * and cbKey, then X, Y and, in a private blob, d, each cbKey bytes
 * big-endian.  The magic names the use and the curve:
 *
 *	ECS1/ECS2  ECDSA P-256 public/private	ECK1/ECK2  ECDH P-256
 *	ECS3/ECS4  ECDSA P-384			ECK3/ECK4  ECDH P-384
 *	ECS5/ECS6  ECDSA P-521			ECK5/ECK6  ECDH P-521
 *
 * cbKey is 32, 48 or 66.  The "generic" blobs (ECDP/ECDV, ECKP/ECKV), whose
 * curve is a separate property, are recognised and refused by name.
 */
#ifndef CREDROAM_DPAPI_ECCBLOB_H
#define CREDROAM_DPAPI_ECCBLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "dpapi/privkey.h"

#define CR_BCRYPT_ECCBLOB_MAX (8 + 3 * 66)

/* Is this the magic of any BCRYPT ECC blob (known or generic)? */
bool cr_bcrypt_ecc_magic(uint32_t magic);

/*
 * Parse a public or private blob exactly (no trailing bytes).  A public
 * blob gives k with len 0.  Every refusal names the magic or the field.
 */
int cr_bcrypt_ecc_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
			struct cr_ec_key **out, char **errmsg);

/*
 * The blob of k: private (ECS2/4/6, ECK2/4/6) or public (odd magic), as
 * k->ecdh says, every value left-padded to cbKey.
 */
int cr_bcrypt_ecc_build(TALLOC_CTX *mem_ctx, const struct cr_ec_key *k,
			bool private_blob, uint8_t **out, size_t *out_len,
			char **errmsg);

#endif
