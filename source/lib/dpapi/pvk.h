/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CryptoAPI PRIVATEKEYBLOB (bType 7, "RSA2") and the PVK file around it
 * (magic 0xb0b5f11e): the form the domain DPAPI backup key is exported in
 * (spec/dpapi.md 3.2, 5.1).
 */
#ifndef CREDROAM_DPAPI_PVK_H
#define CREDROAM_DPAPI_PVK_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "dpapi/pkcs8.h"

#define CR_PVK_MAGIC 0xb0b5f11eU
#define CR_PRIVATEKEYBLOB 7
/* Largest key we accept: RSA-16384. */
#define CR_RSA_MAX_BITS 16384

/* Exact parse of a PRIVATEKEYBLOB; *alg gets aiKeyAlg. */
int cr_privatekeyblob_parse(TALLOC_CTX *mem_ctx, const uint8_t *data,
			    size_t len, struct cr_rsa_key **out,
			    uint32_t *alg, char **errmsg);
int cr_privatekeyblob_build(TALLOC_CTX *mem_ctx, const struct cr_rsa_key *k,
			    uint32_t alg, uint8_t **out, size_t *out_len,
			    char **errmsg);

/* Exact parse of an unencrypted PVK file; *keyspec gets its key spec. */
int cr_pvk_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		 struct cr_rsa_key **out, uint32_t *keyspec, char **errmsg);
int cr_pvk_build(TALLOC_CTX *mem_ctx, const struct cr_rsa_key *k,
		 uint32_t keyspec, uint8_t **out, size_t *out_len,
		 char **errmsg);

#endif
