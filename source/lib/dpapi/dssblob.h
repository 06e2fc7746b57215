/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CryptoAPI DSS key blobs, version 2 (Microsoft docs, "Base Provider Key
 * BLOBs" / DSSPUBKEY / DSSSEED), all numbers little-endian:
 *
 *   PUBLICKEYBLOB   BLOBHEADER {6, 2, 0, CALG_DSS_SIGN}, DSSPUBKEY {"DSS1",
 *                   bitlen}, p[bitlen/8], q[20], g[bitlen/8], y[bitlen/8],
 *                   DSSSEED {counter, seed[20]}
 *   PRIVATEKEYBLOB  BLOBHEADER {7, 2, 0, CALG_DSS_SIGN}, DSSPUBKEY {"DSS2",
 *                   bitlen}, p, q[20], g, x[20], DSSSEED
 *
 * bitlen is 512..1024 in steps of 64.  A private blob has no y: the
 * container's public key gives it (GnuTLS then checks y = g^x mod p).
 *
 * Version 3 (DSSPRIVKEY_VER3, Microsoft docs "DSS Version 3 Private Key
 * BLOBs"), the form the DSS provider keeps in its key containers:
 *
 *   BLOBHEADER {7, 3, 0, CALG_DSS_SIGN}, DSSPRIVKEY_VER3 {"DSS4", bitlenP,
 *   bitlenQ, bitlenJ, bitlenX, DSSSEED}, p[bitlenP/8], q[bitlenQ/8],
 *   g[bitlenP/8], j[bitlenJ/8] (absent when bitlenJ is 0), y[bitlenP/8],
 *   x[bitlenX/8]
 *
 * A container's public section is this blob without x; its encrypted
 * private key decrypts to x alone (docs/format-notes.md, "DSS
 * containers").
 */
#ifndef CREDROAM_DPAPI_DSSBLOB_H
#define CREDROAM_DPAPI_DSSBLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "dpapi/privkey.h"

#define CR_CALG_DSS_SIGN 0x2200U
#define CR_DSS_SEED_NONE 0xffffffffU	/* DSSSEED.counter: no seed */

struct cr_dss_seed {
	uint32_t counter;
	uint8_t seed[20];
};

/*
 * Parse a public or private blob exactly.  A private blob leaves y empty,
 * a public one x.  seed (optional) gets the DSSSEED.
 */
int cr_dss_blob_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		      struct cr_dsa_key **out, struct cr_dss_seed *seed,
		      char **errmsg);

/* The blob of k; seed NULL writes counter 0xffffffff, zero seed. */
int cr_dss_blob_build(TALLOC_CTX *mem_ctx, const struct cr_dsa_key *k,
		      bool private_blob, const struct cr_dss_seed *seed,
		      uint8_t **out, size_t *out_len, char **errmsg);

#define CR_DSS_V3_HEADER_LEN 52	/* BLOBHEADER + DSSPRIVKEY_VER3 */

/* What a version-3 blob says besides the key, kept to write it again. */
struct cr_dss_v3 {
	struct cr_dss_seed seed;
	uint32_t bitlen_x;	/* as stored; without x it describes none */
	uint32_t bitlen_j;
	uint8_t *j;		/* (p-1)/q as stored (not used), or NULL */
	size_t j_len;
};

/* Whether data starts like a version-3 DSS private blob ("DSS4"). */
bool cr_dss_v3_recognise(const uint8_t *data, size_t len);

/*
 * Parse a version-3 blob exactly: with_x false for a container's public
 * section (the key then has no x), true for a whole exported blob.
 * info (optional) gets the rest, on mem_ctx.
 */
int cr_dss_v3_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		    bool with_x, struct cr_dsa_key **out,
		    struct cr_dss_v3 **info, char **errmsg);

/*
 * The version-3 blob of k (with x or without).  info NULL: no j, bitlenX =
 * bitlenQ, counter 0xffffffff (no seed).
 */
int cr_dss_v3_build(TALLOC_CTX *mem_ctx, const struct cr_dsa_key *k,
		    bool with_x, const struct cr_dss_v3 *info, uint8_t **out,
		    size_t *out_len, char **errmsg);

/* Whether k fits the DSS provider: p 512..1024 bits in steps of 64, q 160. */
bool cr_dss_key_fits(const struct cr_dsa_key *k);

#endif
