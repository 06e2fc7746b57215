/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A private key of any type Windows roams: RSA (pkcs8.h), elliptic curve
 * (NIST P-256, P-384, P-521; ECDSA or ECDH) or DSA.  The blob parsers fill
 * the per-type structs; GnuTLS checks them and does every encoding.
 */
#ifndef CREDROAM_DPAPI_PRIVKEY_H
#define CREDROAM_DPAPI_PRIVKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <talloc.h>

#include "dpapi/pkcs8.h"

/* Every buffer is marked secret.  Values are big-endian (struct cr_bn). */
struct cr_ec_key {
	gnutls_ecc_curve_t curve;	/* SECP256R1, SECP384R1, SECP521R1 */
	bool ecdh;		/* key agreement (CNG "ECK"), not ECDSA */
	struct cr_bn x, y;	/* the public point */
	struct cr_bn k;		/* private scalar; len 0: public only */
};

struct cr_dsa_key {
	struct cr_bn p, q, g;
	struct cr_bn y;		/* g^x mod p */
	struct cr_bn x;		/* len 0: public only */
};

struct cr_privkey {
	gnutls_pk_algorithm_t alg;	/* GNUTLS_PK_RSA, _ECDSA or _DSA */
	struct cr_rsa_key *rsa;		/* the one matching alg is set */
	struct cr_ec_key *ec;
	struct cr_dsa_key *dsa;
};

/* Field size in bytes of a supported curve, 0 for any other. */
size_t cr_ec_curve_bytes(gnutls_ecc_curve_t curve);
/* "P-256", ... ("unknown curve" for others; static). */
const char *cr_ec_curve_name(gnutls_ecc_curve_t curve);

/*
 * To GnuTLS; it checks the key (the point is on the curve and is k*G; y is
 * g^x mod p).  Returns 0, EBADMSG (not a valid key) or ENOMEM.
 */
int cr_ec_key_to_x509(const struct cr_ec_key *k, gnutls_x509_privkey_t *out,
		      char **errmsg, TALLOC_CTX *err_ctx);
int cr_ec_key_from_x509(TALLOC_CTX *mem_ctx, gnutls_x509_privkey_t xk,
			struct cr_ec_key **out, char **errmsg);
int cr_dsa_key_to_x509(const struct cr_dsa_key *k, gnutls_x509_privkey_t *out,
		       char **errmsg, TALLOC_CTX *err_ctx);
int cr_dsa_key_from_x509(TALLOC_CTX *mem_ctx, gnutls_x509_privkey_t xk,
			 struct cr_dsa_key **out, char **errmsg);

/* Wrap one of the per-type keys (stolen onto the result). */
int cr_privkey_wrap_rsa(TALLOC_CTX *mem_ctx, struct cr_rsa_key *rsa,
			struct cr_privkey **out);
int cr_privkey_wrap_ec(TALLOC_CTX *mem_ctx, struct cr_ec_key *ec,
		       struct cr_privkey **out);
int cr_privkey_wrap_dsa(TALLOC_CTX *mem_ctx, struct cr_dsa_key *dsa,
			struct cr_privkey **out);

/* "RSA-2048", "ECDSA P-256", "ECDH P-384", "DSA-1024" (on mem_ctx). */
char *cr_privkey_describe(TALLOC_CTX *mem_ctx, const struct cr_privkey *k);

int cr_privkey_to_x509(const struct cr_privkey *k, gnutls_x509_privkey_t *out,
		       char **errmsg, TALLOC_CTX *err_ctx);
/* RSA, EC on the three NIST curves, DSA; EINVAL for anything else. */
int cr_privkey_from_x509(TALLOC_CTX *mem_ctx, gnutls_x509_privkey_t xk,
			 struct cr_privkey **out, char **errmsg);
/* GnuTLS key id (SHA-1), as gnutls_x509_crt_get_key_id() gives it. */
int cr_privkey_key_id(const struct cr_privkey *k, uint8_t out[20],
		      char **errmsg, TALLOC_CTX *err_ctx);

/* Unencrypted PKCS#8, PEM or DER (secret); EC keys name their curve. */
int cr_privkey_to_pkcs8(TALLOC_CTX *mem_ctx, const struct cr_privkey *k,
			bool pem, uint8_t **out, size_t *out_len,
			char **errmsg);
/* PKCS#8, PKCS#1, SEC1 or OpenSSL DSA, PEM or DER, unencrypted. */
int cr_privkey_from_pkcs8(TALLOC_CTX *mem_ctx, const uint8_t *data,
			  size_t len, struct cr_privkey **out, char **errmsg);

#endif
