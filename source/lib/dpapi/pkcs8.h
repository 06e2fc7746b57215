/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * RSA private keys between the Windows blob formats (CAPI, PVK, BCRYPT)
 * and GnuTLS / PKCS#8.  Every blob parser fills a struct cr_rsa_key; GnuTLS
 * does the arithmetic (missing CRT values, consistency) and the encoding.
 */
#ifndef CREDROAM_DPAPI_PKCS8_H
#define CREDROAM_DPAPI_PKCS8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <talloc.h>

/* A big-endian integer without leading zero bytes; len 0 = absent. */
struct cr_bn {
	uint8_t *data;
	size_t len;
};

/* Every buffer is marked secret.  u = q^-1 mod p (CAPI "coefficient"). */
struct cr_rsa_key {
	struct cr_bn n, e, d, p, q, dp, dq, u;
};

/* Set from little-endian bytes (as CAPI stores them). */
int cr_bn_from_le(TALLOC_CTX *mem_ctx, struct cr_bn *bn, const uint8_t *le,
		  size_t len);
/* Set from big-endian bytes (as BCRYPT and GnuTLS store them). */
int cr_bn_from_be(TALLOC_CTX *mem_ctx, struct cr_bn *bn, const uint8_t *be,
		  size_t len);
/* A big number as GnuTLS takes it (no copy). */
gnutls_datum_t cr_dat(const struct cr_bn *bn);
/* Whether its last byte is odd (cheap checks before GnuTLS sees a key). */
bool cr_bn_odd(const struct cr_bn *bn);
/* Copy GnuTLS' datums into bns on k (dst[i] NULL: skip), wiping and
 * freeing every datum, on success and failure alike. */
int cr_take_datums(TALLOC_CTX *k, gnutls_datum_t *v, struct cr_bn **dst,
		   size_t n);
/* Write little-endian, zero-padded to field_len; false if it is longer. */
bool cr_bn_to_le(const struct cr_bn *bn, uint8_t *out, size_t field_len);
/* Write big-endian, zero-padded on the left; false if it is longer. */
bool cr_bn_to_be(const struct cr_bn *bn, uint8_t *out, size_t field_len);
/* The value as a uint32 (public exponents); false if it does not fit. */
bool cr_bn_to_u32(const struct cr_bn *bn, uint32_t *v);
/*
 * The CryptoAPI field walk shared by PRIVATEKEYBLOB and rsaenh's decrypted
 * "RSA2": n in n_len bytes, p, q, dp, dq, u in half_len bytes each, d in
 * n_len bytes, all little-endian, zero-padded.  The reader fills those
 * seven of k (allocated on k) and returns 0 or ENOMEM; the writer fills
 * 2 * n_len + 5 * half_len bytes and fails if a value does not fit.
 */
int cr_rsa_key_from_capi_fields(struct cr_rsa_key *k, const uint8_t *p,
				size_t n_len, size_t half_len);
bool cr_rsa_key_to_capi_fields(const struct cr_rsa_key *k, uint8_t *out,
			       size_t n_len, size_t half_len);
/* Size in bits (0 for an absent value). */
unsigned cr_bn_bits(const struct cr_bn *bn);
/* Modulus size in bits. */
unsigned cr_rsa_key_bits(const struct cr_rsa_key *k);

/*
 * To GnuTLS.  n, e, p, q are required; d, dp, dq, u are computed when
 * absent.  GnuTLS checks the key.  Returns 0, EBADMSG or ENOMEM.
 */
int cr_rsa_key_to_x509(const struct cr_rsa_key *k,
		       gnutls_x509_privkey_t *out, char **errmsg,
		       TALLOC_CTX *err_ctx);
int cr_rsa_key_from_x509(TALLOC_CTX *mem_ctx, gnutls_x509_privkey_t xk,
			 struct cr_rsa_key **out, char **errmsg);
int cr_rsa_key_to_privkey(const struct cr_rsa_key *k, gnutls_privkey_t *out,
			  char **errmsg, TALLOC_CTX *err_ctx);
/* Fill in whatever was absent (BCRYPT_RSAPRIVATE_BLOB has no d). */
int cr_rsa_key_complete(TALLOC_CTX *mem_ctx, const struct cr_rsa_key *k,
			struct cr_rsa_key **out, char **errmsg);

/*
 * Any GnuTLS private key as unencrypted PKCS#8 (DER or PEM), marked
 * secret on mem_ctx, and back: PKCS#8, PKCS#1, SEC1 or OpenSSL DSA, PEM
 * or DER, unencrypted, of any algorithm (EBADMSG when it is none of
 * those).  A roamed key's own type: cr_privkey_to_pkcs8() and
 * cr_privkey_from_pkcs8() (privkey.h).
 */
int cr_x509_key_to_pkcs8(TALLOC_CTX *mem_ctx, gnutls_x509_privkey_t xk,
			 bool pem, uint8_t **out, size_t *out_len,
			 char **errmsg);
int cr_x509_key_from_pkcs8(const uint8_t *data, size_t len,
			   gnutls_x509_privkey_t *out, char **errmsg);

#endif
