/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Serialized certificate-store element: the bytes of a file in
 * SystemCertificates\My\Certificates\<thumbprint> and the data of token
 * types 3, 4, 7 and 8 (spec/dpapi.md section 6; [MS-BPAU] 2.2.2).
 *
 * A sequence of { DWORD propId, DWORD reserved = 1, DWORD length, value }
 * ending with property 32 (CERT_CERT_PROP_ID) holding the DER
 * certificate; nothing may follow it.
 */
#ifndef CREDROAM_CERTELEM_H
#define CREDROAM_CERTELEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "util/encoding.h"

#define CR_CERT_PROP_KEY_PROV_INFO 2
#define CR_CERT_PROP_SHA1_HASH 3
#define CR_CERT_PROP_MD5_HASH 4
#define CR_CERT_PROP_FRIENDLY_NAME 11
#define CR_CERT_PROP_CERT 32

/* Hard ceilings: far above what Windows writes, low enough to be cheap. */
#define CR_CERTELEM_MAX_SIZE (1024 * 1024)
#define CR_CERTELEM_MAX_PROPS 128

/* CryptoAPI provider types and key specs for the key-provider info. */
#define CR_PROV_NONE 0		/* CNG key storage provider */
#define CR_PROV_RSA_FULL 1
#define CR_PROV_RSA_AES 24
#define CR_AT_NONE 0		/* CNG keys */
#define CR_AT_KEYEXCHANGE 1
#define CR_AT_SIGNATURE 2

#define CR_MS_ENHANCED_PROV "Microsoft Enhanced Cryptographic Provider v1.0"
#define CR_MS_ENH_RSA_AES_PROV \
	"Microsoft Enhanced RSA and AES Cryptographic Provider"
#define CR_MS_KEY_STORAGE_PROVIDER "Microsoft Software Key Storage Provider"

enum cr_certelem_problem {
	CR_CERTELEM_OK = 0,
	CR_CERTELEM_TOO_LARGE,
	CR_CERTELEM_HEADER_TRUNCATED,	/* under 12 bytes for a header */
	CR_CERTELEM_BAD_RESERVED,	/* reserved field is not 1 */
	CR_CERTELEM_VALUE_PAST_END,	/* length runs past the end */
	CR_CERTELEM_BAD_PROP_ID,	/* property id 0 */
	CR_CERTELEM_DUPLICATE_PROP,	/* same id twice */
	CR_CERTELEM_DUPLICATE_CERT,	/* a second certificate property */
	CR_CERTELEM_MISSING_CERT,	/* ends without property 32 */
	CR_CERTELEM_EMPTY_CERT,		/* property 32 with no bytes */
	CR_CERTELEM_TRAILING_BYTES,	/* anything after property 32 */
	CR_CERTELEM_TOO_MANY_PROPS,	/* count bomb */
	CR_CERTELEM_BAD_SHA1_PROP,	/* property 3 not 20 bytes */
	CR_CERTELEM_BAD_FRIENDLY_NAME,	/* not NUL-terminated UTF-16LE */
	CR_CERTELEM_BAD_KEY_PROV_INFO,	/* malformed property 2 */
	CR_CERTELEM_PROBLEM_COUNT
};

const char *cr_certelem_problem_name(enum cr_certelem_problem p);

struct cr_certelem_prop {
	uint32_t id;
	uint32_t length;
	const uint8_t *value;	/* into the element's raw bytes */
	size_t offset;		/* of the property header */
};

/* CRYPT_KEY_PROV_INFO: which key container holds the private key. */
struct cr_key_prov_info {
	char *container;	/* UTF-8; NULL if the offset was 0 */
	char *provider;		/* UTF-8; NULL if the offset was 0 */
	uint32_t prov_type;	/* CR_PROV_*; 0 for CNG */
	uint32_t flags;
	uint32_t key_spec;	/* CR_AT_*; 0 for CNG */
	uint32_t n_params;	/* provider parameters (checked, not kept) */
};

struct cr_certelem {
	struct cr_certelem_prop *props;	/* in order; the cert is last */
	size_t n_props;
	const uint8_t *cert;		/* DER */
	size_t cert_len;
	uint8_t thumbprint[CR_SHA1_LEN];	/* SHA-1 of the DER */
	char *thumbprint_hex;		/* upper case, as the file name */
	bool has_sha1_prop;
	bool sha1_prop_matches;		/* property 3 == thumbprint */
	char *friendly_name;		/* UTF-8, or NULL */
	struct cr_key_prov_info *key_prov;	/* or NULL */
	uint8_t *raw;
	size_t raw_len;
};

/* Decode; EBADMSG with *problem and a message naming field and offset. */
int cr_certelem_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
		      struct cr_certelem **_elem,
		      enum cr_certelem_problem *problem, char **errmsg);

/* Encode the property list again (gives back a decoded element's bytes). */
int cr_certelem_serialize(TALLOC_CTX *mem_ctx,
			  const struct cr_certelem *elem,
			  uint8_t **_buf, size_t *_len, char **errmsg);

/*
 * Decode a CRYPT_KEY_PROV_INFO property value: seven DWORDs (offset of
 * the container name, offset of the provider name, provider type, flags,
 * parameter count, offset of the parameters, key spec), then the UTF-16LE
 * strings the offsets point at, relative to the start of the value.
 */
int cr_key_prov_info_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf,
			   size_t len, struct cr_key_prov_info **_kpi,
			   char **errmsg);

/*
 * Encode one as Windows does: the 28-byte header, then the container name
 * and the provider name, each padded to a multiple of 8 bytes; no
 * parameters.
 */
int cr_key_prov_info_build(TALLOC_CTX *mem_ctx,
			   const struct cr_key_prov_info *kpi,
			   uint8_t **_buf, size_t *_len, char **errmsg);

/*
 * Make an element Windows can import: SHA-1 hash (3), friendly name (11)
 * if given, key-provider info (2) if given, then the certificate (32).
 * The DER must parse as an X.509 certificate.
 */
int cr_certelem_build(TALLOC_CTX *mem_ctx, const uint8_t *der,
		      size_t der_len, const char *friendly_name,
		      const struct cr_key_prov_info *kpi,
		      uint8_t **_buf, size_t *_len, char **errmsg);

/* For display: what GnuTLS makes of the DER. */
struct cr_x509_info {
	char *subject;		/* RFC 4514 string */
	char *issuer;
	char *serial;		/* upper-case hex */
	char *not_before;	/* ISO 8601 UTC */
	char *not_after;
};

int cr_x509_info(TALLOC_CTX *mem_ctx, const uint8_t *der, size_t der_len,
		 struct cr_x509_info **_info, char **errmsg);

#endif
