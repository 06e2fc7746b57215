/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The PBKDF2 variant DPAPI uses for master keys: each round feeds the
 * running XOR of all previous outputs into the HMAC, not the previous
 * output (spec/dpapi.md 1.5).  Identical to RFC 8018 only for rounds <= 2,
 * so gnutls_pbkdf2() cannot be used.
 */
#ifndef CREDROAM_DPAPI_PBKDF2_H
#define CREDROAM_DPAPI_PBKDF2_H

#include <stddef.h>
#include <stdint.h>
#include <gnutls/crypto.h>

/* Returns 0, EINVAL (rounds 0, empty output) or EIO. */
int cr_dpapi_pbkdf2(gnutls_mac_algorithm_t mac,
		    const uint8_t *password, size_t password_len,
		    const uint8_t *salt, size_t salt_len,
		    uint32_t rounds, uint8_t *out, size_t out_len);

#endif
