/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The token's mechanisms, all through GnuTLS: RSA PKCS#1 v1.5 signing
 * (raw, as TLS 1.2 and NSS use it, and hash-and-sign with SHA-1/256/384/
 * 512), RSA-PSS (on a hash or hash-and-sign; SHA-256/384/512, MGF1 with
 * the same hash, salt as long as the hash: what GnuTLS 3.7 makes), RSA
 * PKCS#1 v1.5 decryption, ECDSA (on a hash, or with SHA-256/384/512),
 * and RSA key pair generation (write.c).
 *
 * Not offered: CKM_RSA_PKCS_OAEP and SHA-1 PSS (GnuTLS 3.7.9 and nettle
 * 3.8 have neither, and a primitive is never written here), CKM_ECDH1_
 * DERIVE (p11-kit 0.24's RPC does not carry its parameters).
 */
#ifndef CREDROAM_P11_MECH_H
#define CREDROAM_P11_MECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "p11/object.h"
#include "p11/pkcs11.h"

/* The mechanisms, in the order C_GetMechanismList gives them. */
size_t cr_p11_mech_list(CK_MECHANISM_TYPE *out, size_t max);
/* CKR_MECHANISM_INVALID for one not offered. */
CK_RV cr_p11_mech_info(CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info);

enum cr_p11_op_kind {
	CR_P11_OP_SIGN,
	CR_P11_OP_DECRYPT,
};

/* One signing or decryption operation of a session. */
struct cr_p11_op {
	enum cr_p11_op_kind kind;
	CK_MECHANISM_TYPE mech;
	CK_OBJECT_HANDLE key_handle;
	gnutls_sign_algorithm_t sign_algo;	/* 0: raw (CKM_RSA_PKCS) */
	bool on_hash;		/* the input is a hash (not the data) */
	bool pss;
	size_t out_len;		/* the signature's length */
	uint8_t *data;		/* what C_SignUpdate gathered */
	size_t data_len;
};

/* Largest input gathered by C_SignUpdate (messages are hashed at once). */
#define CR_P11_MAX_SIGN_INPUT (64 * 1024 * 1024)

/*
 * Start an operation with the key of object o (a private key).  Checks
 * the mechanism, its parameters and the key's CKA_SIGN/CKA_DECRYPT.
 */
CK_RV cr_p11_op_init(TALLOC_CTX *mem_ctx, enum cr_p11_op_kind kind,
		     const CK_MECHANISM *m, const struct cr_p11_object *o,
		     struct cr_p11_op **op);

/* C_SignUpdate: gather (hash-and-sign mechanisms only). */
CK_RV cr_p11_op_update(struct cr_p11_op *op, const uint8_t *data,
		       size_t len);

/*
 * Sign the gathered data plus data (or data alone), or decrypt it; the
 * PKCS#11 length conventions are the caller's: out has at least
 * op->out_len bytes (decryption: the modulus length).
 */
CK_RV cr_p11_op_sign(struct cr_p11_op *op, const struct cr_p11_key *key,
		     const uint8_t *data, size_t len, uint8_t *out,
		     size_t *out_len);
CK_RV cr_p11_op_decrypt(struct cr_p11_op *op, const struct cr_p11_key *key,
			const uint8_t *data, size_t len, uint8_t *out,
			size_t *out_len);

#endif
