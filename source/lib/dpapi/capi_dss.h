/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Key containers of the Microsoft Enhanced DSS and Diffie-Hellman
 * Cryptographic Provider (%APPDATA%\Microsoft\Crypto\DSS\<SID>\<file>,
 * roaming token type 2): the container of capi.h with a DSA key pair in
 * its signature slot (docs/format-notes.md, "DSS containers"):
 *
 *   public section   a version-3 DSS private key blob ("DSS4", dssblob.h)
 *                    without x: p, q, g, j (often absent), y, the seed
 *   private key      DPAPI blob, no entropy, decrypting to x alone, in
 *                    bitlenQ/8 = 20 little-endian bytes
 *
 * The layout is the one mimikatz (kull_m_key_capi_decryptedkey_to_raw)
 * rebuilds a key from; no Windows-made DSS container is public.
 */
#ifndef CREDROAM_DPAPI_CAPI_DSS_H
#define CREDROAM_DPAPI_CAPI_DSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "dpapi/capi.h"
#include "dpapi/privkey.h"
#include "util/encoding.h"

#define CR_MS_ENH_DSS_DH_PROV \
	"Microsoft Enhanced DSS and Diffie-Hellman Cryptographic Provider"
#define CR_PROV_DSS_DH 13

/*
 * Whether a container belongs to the DSS provider: a public section is a
 * CryptoAPI key blob (BLOBHEADER) of a DSS or Diffie-Hellman key rather
 * than rsaenh's bare "RSA1".
 */
bool cr_capi_dss_container(const struct cr_capi_key *k);

/*
 * Decrypt the DSA key (CR_CAPI_ANY: the signature slot, or the exchange
 * slot when it is the only one) and check it
 * against the public section (GnuTLS: y = g^x mod p).  A slot holding
 * anything else (a Diffie-Hellman exchange key, an unknown blob) is
 * refused by its blob type, naming the container.
 */
int cr_capi_dss_decrypt(TALLOC_CTX *mem_ctx, const struct cr_capi_key *k,
			enum cr_capi_keyspec spec, const uint8_t *mk,
			size_t mk_len, struct cr_dsa_key **key,
			uint32_t *export_flag, char **errmsg);

/*
 * A new container holding k as the signature key (AT_SIGNATURE), under
 * master key mk_guid/mk; EINVAL for a key the DSS provider cannot hold
 * (p other than 512..1024 bits in steps of 64, q not 160 bits).
 */
int cr_capi_dss_create(TALLOC_CTX *mem_ctx, const char *name,
		       const struct cr_dsa_key *k,
		       const struct cr_guid *mk_guid, const uint8_t *mk,
		       size_t mk_len, struct cr_capi_key **out,
		       char **errmsg);

#endif
