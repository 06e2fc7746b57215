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

#endif
