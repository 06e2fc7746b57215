/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The CryptoAPI algorithm identifiers DPAPI structures carry, and the
 * GnuTLS algorithms behind them.
 */
#ifndef CREDROAM_DPAPI_ALG_H
#define CREDROAM_DPAPI_ALG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#define CR_CALG_3DES		0x6603
#define CR_CALG_AES_256		0x6610
#define CR_CALG_SHA1		0x8004
#define CR_CALG_HMAC		0x8009
#define CR_CALG_SHA_256		0x800c
#define CR_CALG_SHA_512		0x800e
#define CR_CALG_RSA_KEYX	0xa400
#define CR_CALG_RSA_SIGN	0x2400

#define CR_DPAPI_MAX_HASH	64
#define CR_DPAPI_MAX_BLOCK	128

struct cr_dpapi_cipher {
	uint32_t alg;
	gnutls_cipher_algorithm_t gnutls;
	size_t key_len;
	size_t block_len;
	/* a blob's dwAlgCryptLen: XP wrote 168 for 3DES, later ones 192 */
	uint32_t key_bits;
	const char *name;
};

struct cr_dpapi_hash {
	uint32_t alg;
	gnutls_mac_algorithm_t mac;
	gnutls_digest_algorithm_t digest;
	size_t len;
	size_t block_len;
	const char *name;
};

/* NULL for an algorithm DPAPI does not use. */
const struct cr_dpapi_cipher *cr_dpapi_cipher_by_alg(uint32_t alg);
/* CALG_HMAC means HMAC-SHA1 in master key files. */
const struct cr_dpapi_hash *cr_dpapi_hash_by_alg(uint32_t alg);

/*
 * CBC without padding, in place; len must be a multiple of the block size.
 * Returns 0, EINVAL or EIO.
 */
int cr_dpapi_cbc(bool encrypt, const struct cr_dpapi_cipher *c,
		 const uint8_t *key, const uint8_t *iv, uint8_t *buf,
		 size_t len);

/* Constant-time comparison. */
bool cr_dpapi_memeq(const void *a, const void *b, size_t n);

/* Random bytes for keys, salts and nonces; false if GnuTLS fails. */
bool cr_dpapi_random(void *p, size_t n);

#endif
