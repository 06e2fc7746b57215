/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Between roamed tokens and the files people use (DESIGN.md 4): a
 * certificate-store element becomes a PEM certificate, a DPAPI-protected
 * key container a PKCS#8 PEM key; a PEM/DER certificate with its key (or a
 * PKCS#12 file) becomes a certificate-store element pointing at a new CAPI
 * key container (RSA, DSA) or CNG key file (EC) under the preferred master
 * key, as Windows stores them.
 */
#ifndef CREDROAM_MATERIAL_H
#define CREDROAM_MATERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "dpapi/pkcs8.h"
#include "dpapi/privkey.h"
#include "util/encoding.h"
#include "format/token.h"

/* A certificate token's element, decoded. */
struct cr_material_cert {
	char *thumbprint;	/* upper-case hex */
	uint8_t *der;
	size_t der_len;
	char *pem;		/* "-----BEGIN CERTIFICATE-----..." */
	char *key_container;	/* from the key provider info, or NULL */
	bool cng;		/* the key provider is CNG */
	uint8_t key_id[20];	/* GnuTLS key id of the public key */
};

int cr_material_cert_parse(TALLOC_CTX *mem_ctx, const struct cr_token *token,
			   struct cr_material_cert **pcert, char **errmsg);

/*
 * The master key GUID a key token's private key is protected under
 * (CAPI container, CNG key file or MIB1 blob).
 */
int cr_material_key_mk_guid(const struct cr_token *token,
			    struct cr_guid *guid, char **errmsg);

/* the machine GUID part of a key file name that no machine made */
#define CR_NULL_GUID "00000000-0000-0000-0000-000000000000"
/* the MD5 hex of the container name that starts a CAPI key's id */
#define CR_CAPI_KEY_PREFIX_LEN 32

/*
 * Could this live key token hold the certificate's key?  (Its container
 * name matches; a CNG key is checked by its key id once decrypted.)
 */
bool cr_material_key_matches(const struct cr_material_cert *mc,
			     const struct cr_token *t);

/*
 * Decrypt a key token with its master key: the key (RSA, EC or DSA;
 * secret), its GnuTLS key id, and its PKCS#8 PEM (secret; pem NULL: not
 * made, as the agent needs none).
 */
int cr_material_key_decrypt(TALLOC_CTX *mem_ctx, const struct cr_token *token,
			    const uint8_t *mk, size_t mk_len,
			    struct cr_privkey **key, uint8_t key_id[20],
			    char **pem, size_t *pem_len, char **errmsg);

/* A certificate (PEM or DER) and a key (PKCS#8/PKCS#1, PEM or DER). */
struct cr_material_pair {
	uint8_t *der;
	size_t der_len;
	char *thumbprint;
	struct cr_privkey *key;		/* NULL: a certificate alone */
};

/*
 * Read a certificate and its optional key; refuses a key that is not the
 * certificate's (names both inputs).
 */
int cr_material_pair_from_files(TALLOC_CTX *mem_ctx, const char *cert_name,
				const uint8_t *cert, size_t cert_len,
				const char *key_name, const uint8_t *key,
				size_t key_len, struct cr_material_pair **pair,
				char **errmsg);

/* The same from a PKCS#12 file (password may be NULL or ""). */
int cr_material_pair_from_pkcs12(TALLOC_CTX *mem_ctx, const char *name,
				 const uint8_t *p12, size_t p12_len,
				 const char *password,
				 struct cr_material_pair **pair, char **errmsg);

/*
 * The tokens Windows needs for a pair: a certificate (type 3) whose
 * element's key provider info names a new CAPI container, and the
 * container holding the key under master key mk_guid/mk: an RSA key in
 * the Enhanced provider's exchange slot (type 1; PROV_RSA_FULL,
 * AT_KEYEXCHANGE), a DSA key in the Enhanced DSS and Diffie-Hellman
 * provider's signature slot (type 2; PROV_DSS_DH, AT_SIGNATURE).
 * machine_guid names the container file, as Windows does.  *key_token is
 * NULL for a certificate alone.  An EC key goes to CNG instead (see
 * cr_material_make_cng_tokens).
 */
int cr_material_make_tokens(TALLOC_CTX *mem_ctx,
			    const struct cr_material_pair *pair,
			    const struct cr_guid *mk_guid, const uint8_t *mk,
			    size_t mk_len, const char *machine_guid,
			    uint64_t filetime, struct cr_token **cert_token,
			    struct cr_token **key_token, char **errmsg);

/*
 * The same for an EC key (material_cng.c): a CNG certificate (type 7)
 * whose key provider info names the Microsoft Software Key Storage
 * Provider (dwProvType 0, dwKeySpec 0) and a new key, and the CNG key
 * (type 9): a MIB1 blob holding the key file, ECDSA or ECDH as the
 * certificate's key usage says.
 */
int cr_material_make_cng_tokens(TALLOC_CTX *mem_ctx,
				const struct cr_material_pair *pair,
				const struct cr_guid *mk_guid,
				const uint8_t *mk, size_t mk_len,
				uint64_t filetime,
				struct cr_token **cert_token,
				struct cr_token **key_token, char **errmsg);

/* A PKCS#12 of a certificate and its key, under password. */
int cr_material_pkcs12(TALLOC_CTX *mem_ctx, const uint8_t *der,
		       size_t der_len, const struct cr_privkey *key,
		       const char *password, const char *friendly_name,
		       uint8_t **out, size_t *out_len, char **errmsg);

/* PEM text of DER bytes under a label ("CERTIFICATE"). */
char *cr_material_der_to_pem(TALLOC_CTX *mem_ctx, const char *label,
			     const uint8_t *der, size_t len);

/*
 * This machine's GUID (from /etc/machine-id, else
 * /var/lib/dbus/machine-id), lower case; ENOENT when it has neither.
 */
int cr_material_machine_guid(TALLOC_CTX *mem_ctx, char **guid,
			     char **errmsg);

/*
 * The GUID that names this machine's key containers: /etc/machine-id,
 * else one made up once and kept in the store's root ("machine-guid";
 * keep false: made up without keeping it, for a dry run).
 */
struct cr_store;
int cr_material_store_machine_guid(TALLOC_CTX *mem_ctx,
				   struct cr_store *store, bool keep,
				   char **guid, char **errmsg);

/* A new random GUID, lower case, as Windows setup makes MachineGuid. */
int cr_material_new_machine_guid(TALLOC_CTX *mem_ctx, char **guid);

#endif
