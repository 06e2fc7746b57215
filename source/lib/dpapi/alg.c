/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CryptoAPI algorithm identifiers and the ciphers behind them; see alg.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "dpapi/alg.h"

static const struct cr_dpapi_cipher cr_ciphers[] = {
	{ CR_CALG_3DES, GNUTLS_CIPHER_3DES_CBC, 24, 8, 192, "3des" },
	{ CR_CALG_AES_256, GNUTLS_CIPHER_AES_256_CBC, 32, 16, 256,
	  "aes256" },
};

static const struct cr_dpapi_hash cr_hashes[] = {
	{ CR_CALG_SHA1, GNUTLS_MAC_SHA1, GNUTLS_DIG_SHA1, 20, 64, "sha1" },
	{ CR_CALG_HMAC, GNUTLS_MAC_SHA1, GNUTLS_DIG_SHA1, 20, 64, "sha1" },
	{ CR_CALG_SHA_256, GNUTLS_MAC_SHA256, GNUTLS_DIG_SHA256, 32, 64,
	  "sha256" },
	{ CR_CALG_SHA_512, GNUTLS_MAC_SHA512, GNUTLS_DIG_SHA512, 64, 128,
	  "sha512" },
};

const struct cr_dpapi_cipher *cr_dpapi_cipher_by_alg(uint32_t alg)
{
	size_t i;

	for (i = 0; i < sizeof(cr_ciphers) / sizeof(cr_ciphers[0]); i++) {
		if (cr_ciphers[i].alg == alg) {
			return &cr_ciphers[i];
		}
	}
	return NULL;
}

const struct cr_dpapi_hash *cr_dpapi_hash_by_alg(uint32_t alg)
{
	size_t i;

	for (i = 0; i < sizeof(cr_hashes) / sizeof(cr_hashes[0]); i++) {
		if (cr_hashes[i].alg == alg) {
			return &cr_hashes[i];
		}
	}
	return NULL;
}

int cr_dpapi_cbc(bool encrypt, const struct cr_dpapi_cipher *c,
		 const uint8_t *key, const uint8_t *iv, uint8_t *buf,
		 size_t len)
{
	gnutls_cipher_hd_t h = NULL;
	gnutls_datum_t k = {
		.data = (uint8_t *)(uintptr_t)key,
		.size = c->key_len,
	};
	gnutls_datum_t v = {
		.data = (uint8_t *)(uintptr_t)iv,
		.size = c->block_len,
	};
	int rc;

	if (len % c->block_len != 0) {
		return EINVAL;
	}
	if (len == 0) {
		return 0;
	}
	rc = gnutls_cipher_init(&h, c->gnutls, &k, &v);
	if (rc < 0) {
		return EIO;
	}
	if (encrypt) {
		rc = gnutls_cipher_encrypt2(h, buf, len, buf, len);
	} else {
		rc = gnutls_cipher_decrypt2(h, buf, len, buf, len);
	}
	gnutls_cipher_deinit(h);
	return (rc < 0) ? EIO : 0;
}

bool cr_dpapi_memeq(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a;
	const volatile uint8_t *y = b;
	uint8_t d = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		d |= x[i] ^ y[i];
	}
	return d == 0;
}

bool cr_dpapi_random(void *p, size_t n)
{
	return gnutls_rnd(GNUTLS_RND_KEY, p, n) == 0;
}
