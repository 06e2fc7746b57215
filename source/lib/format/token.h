/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Credential roaming tokens and their DN-Binary wrapper
 * (spec/roaming.md sections 1.5, 2 and 2.5).
 *
 * A token is one roamed file: '%', the type as an ASCII digit, '\', a
 * 93-byte NUL-padded identifier, FILETIME, flags, extra length, SHA-1 of
 * the data, data length, the data, then the extra bytes; little-endian.
 * In AD each token is the binary part of a DN-Binary value
 * "B:<hex digit count>:<HEX>:<owner DN>".
 *
 * Two kinds of "bad" are kept apart on purpose:
 *
 *  - A *malformed* token (wrong magic, truncated header, lengths that lie,
 *    trailing bytes) cannot be decoded at all.  cr_token_parse() fails
 *    with EBADMSG and a problem code.
 *
 *  - A *refused* token decodes fine but must not be acted upon: its type
 *    is unknown (5, 6), its identifier is unsafe as a file name
 *    (CVE-2022-30170: "..\..\Startup\x.bat") or does not have its type's
 *    form, or its stored SHA-1 does not match its data.  cr_token_parse()
 *    succeeds and records the verdict in the struct (id_problem,
 *    sha1_valid); cr_token_check() turns the verdict into EINVAL/EBADMSG
 *    and a message.  The roaming engine uses this to *report* such a
 *    token and leave it alone: never write it to disk, never delete it
 *    from AD because of its form.  Everything that writes a file or a
 *    new AD value must call cr_token_check() first; the builders below
 *    refuse unsafe identifiers themselves.
 */
#ifndef CREDROAM_TOKEN_H
#define CREDROAM_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "util/encoding.h"

#define CR_TOKEN_ID_FIELD_SIZE 93	/* identifier field, NUL padded */
#define CR_TOKEN_ID_MAX_LEN 92		/* characters before the NUL */
#define CR_TOKEN_OFF_ID 0x03
#define CR_TOKEN_OFF_FILETIME 0x60
#define CR_TOKEN_OFF_FLAGS 0x68
#define CR_TOKEN_OFF_EXTRA_LEN 0x6a
#define CR_TOKEN_OFF_SHA1 0x6c
#define CR_TOKEN_OFF_DATA_LEN 0x80
#define CR_TOKEN_HEADER_SIZE 0x84	/* 132: a token without data */

/*
 * Hard ceiling of the parser, far above the largest policy value
 * (DIMSRoamingMaxTokenSize <= 100000); the policy limit itself is the
 * engine's business.
 */
#define CR_TOKEN_MAX_SIZE (1024 * 1024)

/*
 * The master key token (type 0) that names the key in use: its data is a
 * Preferred file, its identifier this name, not a GUID (spec/dpapi.md).
 */
#define CR_TOKEN_PREFERRED_ID "Preferred"

enum cr_token_type {
	CR_TOKEN_DPAPI_MASTER_KEY = 0,
	CR_TOKEN_CAPI_RSA_KEY = 1,
	CR_TOKEN_CAPI_DSS_KEY = 2,
	CR_TOKEN_CAPI_CERT = 3,
	CR_TOKEN_CAPI_REQUEST = 4,
	/* 5 and 6 are not known: parsed, then refused */
	CR_TOKEN_CNG_CERT = 7,
	CR_TOKEN_CNG_REQUEST = 8,
	CR_TOKEN_CNG_KEY = 9,
};

/* Flags (WORD at 0x68); DSInternals' names. */
#define CR_TOKEN_FLAG_TOMBSTONE 0x0001
#define CR_TOKEN_FLAG_UNREADABLE 0x0002
#define CR_TOKEN_FLAG_UNWRITABLE 0x0004
#define CR_TOKEN_FLAG_UNROAMABLE 0x0008
#define CR_TOKEN_FLAG_KNOWN_TYPE 0x0010
#define CR_TOKEN_FLAG_ENCRYPTION_KEY 0x0020

/* AD attributes holding the tokens. */
#define CR_ATTR_MASTER_KEYS "msPKIDPAPIMasterKeys"
#define CR_ATTR_CREDENTIALS "msPKIAccountCredentials"

/*
 * Why a token or DN-Binary value was refused.  Each has a stable short
 * name (cr_token_problem_name) for logs, JSON and tests.
 */
enum cr_token_problem {
	CR_TOKEN_OK = 0,

	/* malformed token (EBADMSG from cr_token_parse) */
	CR_TOKEN_HEADER_TRUNCATED,	/* fewer than 132 bytes */
	CR_TOKEN_TOO_LARGE,		/* more than CR_TOKEN_MAX_SIZE */
	CR_TOKEN_BAD_MAGIC,		/* byte 0 is not '%' */
	CR_TOKEN_BAD_TYPE_CHAR,		/* byte 1 is not a digit */
	CR_TOKEN_BAD_SEPARATOR,		/* byte 2 is not '\' */
	CR_TOKEN_DATA_PAST_END,		/* data length past the end */
	CR_TOKEN_EXTRA_PAST_END,	/* extra length runs past the end */
	CR_TOKEN_TRAILING_BYTES,	/* bytes after data and extra */

	/* decodes, but refused (verdict; EINVAL from cr_token_check) */
	CR_TOKEN_UNKNOWN_TYPE,		/* digit 5 or 6 */
	CR_TOKEN_ID_EMPTY,
	CR_TOKEN_ID_TOO_LONG,		/* no NUL in the 93 bytes */
	CR_TOKEN_ID_PADDING,		/* non-zero byte after the NUL */
	CR_TOKEN_ID_SLASH,		/* '/' or '\' */
	CR_TOKEN_ID_DOTDOT,		/* ".." */
	CR_TOKEN_ID_COLON,		/* ':' (drives, NTFS streams) */
	CR_TOKEN_ID_CONTROL,		/* byte below 0x20 or 0x7f */
	CR_TOKEN_ID_NON_ASCII,		/* byte 0x80 or above */
	CR_TOKEN_ID_FORM,		/* not the form its type uses */
	/* decodes, but refused (EBADMSG from cr_token_check) */
	CR_TOKEN_HASH_MISMATCH,		/* stored SHA-1 != SHA-1(data) */

	/* malformed DN-Binary value (EBADMSG from cr_dnbinary_parse) */
	CR_DNB_BAD_PREFIX,		/* does not start "B:" */
	CR_DNB_BAD_COUNT,		/* missing, not decimal, too big */
	CR_DNB_ODD_COUNT,		/* odd number of hex digits */
	CR_DNB_COUNT_MISMATCH,		/* count != hex digits present */
	CR_DNB_BAD_HEX,			/* a character that is not hex */
	CR_DNB_EMPTY_DN,		/* nothing after the last ':' */
	CR_DNB_BAD_DN,			/* control char, or not a DN */

	/*
	 * A DN-Binary value that decodes but is refused where it sits
	 * (EINVAL from cr_ad_value_judge, format/advalue.h).
	 */
	CR_AD_DN_EXTENDED,		/* DN part has <GUID=...>/<SID=...> */
	CR_AD_DN_NOT_OWNER,		/* DN part names another object */
	CR_AD_WRONG_ATTRIBUTE,		/* type belongs in the other */
	CR_AD_VALUE_TOO_BIG,		/* over the policy's token size */

	CR_TOKEN_PROBLEM_COUNT
};

/* "header-truncated", "id-dotdot", ...; never NULL. */
const char *cr_token_problem_name(enum cr_token_problem p);

/* "DPAPIMasterKey", "CNGCertificate", ...; NULL for 5, 6 and >= 10. */
const char *cr_token_type_name(unsigned type);
/* True for the types this client knows how to roam. */
bool cr_token_type_known(unsigned type);
/* The AD attribute holding a type's tokens; NULL for unknown types. */
const char *cr_token_type_attribute(unsigned type);
/* Types whose data is a serialized certificate-store element. */
bool cr_token_type_is_certificate(unsigned type);
/* Types whose data is a private key (CAPI container, CNG key, MIB1). */
bool cr_token_type_is_key(unsigned type);

struct cr_token {
	unsigned type;			/* 0..9, as stored */
	/*
	 * The identifier up to its first NUL, raw.  It may hold anything
	 * but NUL when id_problem != CR_TOKEN_OK: print id_escaped instead.
	 */
	char *identifier;
	/* identifier with '\' doubled and other unsafe bytes as \xNN */
	char *id_escaped;
	/* the identifier field exactly as stored, padding included */
	uint8_t id_field[CR_TOKEN_ID_FIELD_SIZE];
	uint64_t filetime;
	uint16_t flags;
	uint16_t extra_length;
	uint8_t sha1[CR_SHA1_LEN];	/* as stored */
	uint8_t data_sha1[CR_SHA1_LEN];	/* computed over the data */
	uint32_t data_length;
	const uint8_t *data;		/* into raw */
	const uint8_t *extra;		/* into raw */
	uint8_t *raw;			/* the token exactly as given */
	size_t raw_len;

	/* verdicts, see the top of this file */
	enum cr_token_problem id_problem;	/* type or identifier */
	/*
	 * stored == SHA-1(data); also true for an all-zero stored hash with
	 * no data, which real Windows "unreadable" header-only tokens carry
	 * (unreadable-cng-key.token).  A tombstone we build stores SHA-1 of
	 * nothing, which is equally valid.
	 */
	bool sha1_valid;
};

/*
 * Decode a token.  Fails with EBADMSG only for malformed input; a token
 * that decodes is returned even when refused (see the top of this file).
 * *problem (if not NULL) gets the malformation, or CR_TOKEN_OK.
 */
int cr_token_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
		   struct cr_token **_token, enum cr_token_problem *problem,
		   char **errmsg);

/*
 * May this token be acted upon?  0, or EINVAL (unknown type, unsafe or
 * ill-formed identifier) or EBADMSG (hash mismatch), with *problem and a
 * message naming the token (escaped identifier) and the reason.
 */
int cr_token_check(TALLOC_CTX *mem_ctx, const struct cr_token *token,
		   enum cr_token_problem *problem, char **errmsg);

/*
 * Identifier safety alone, for a name about to become a file name or a
 * new token: the rules of CVE-2022-30170 plus the form of the type.
 * Returns CR_TOKEN_OK or the first problem; *offset (if not NULL) gets
 * the index of the offending byte.
 */
enum cr_token_problem cr_token_check_identifier(unsigned type,
						const char *id, size_t len,
						size_t *offset);

/* The identity of a token in reconciliation: "7\3B83BF...". */
char *cr_token_identity(TALLOC_CTX *mem_ctx, const struct cr_token *token);
/* Upper-case hex of SHA-1(data): the content identity. */
char *cr_token_content_hash(TALLOC_CTX *mem_ctx,
			    const struct cr_token *token);
bool cr_token_is_tombstone(const struct cr_token *token);

/* Encode the fields again (a decoded token gives back its exact bytes). */
int cr_token_serialize(TALLOC_CTX *mem_ctx, const struct cr_token *token,
		       uint8_t **_buf, size_t *_len, char **errmsg);

/*
 * Build a new token; refuses (EINVAL) an unknown type or an unsafe
 * identifier, and data that would not fit.
 */
int cr_token_build(TALLOC_CTX *mem_ctx, unsigned type, const char *id,
		   uint64_t filetime, uint16_t flags,
		   const uint8_t *data, size_t data_len,
		   const uint8_t *extra, size_t extra_len,
		   struct cr_token **_token, char **errmsg);

/*
 * The same token with new data, its SHA-1 and a new FILETIME.  The extra
 * bytes and the flags are kept, except TOMBSTONE and UNREADABLE, which
 * new data contradicts.  Refuses a token that cr_token_check() refuses.
 */
int cr_token_update_data(TALLOC_CTX *mem_ctx, const struct cr_token *old,
			 const uint8_t *data, size_t data_len,
			 uint64_t filetime, struct cr_token **_token,
			 char **errmsg);

/*
 * The tombstone replacing a token deleted locally: same type and
 * identifier, flags TOMBSTONE, no data, SHA-1 of nothing, the given
 * FILETIME (the deletion time); the extra bytes are kept.
 */
int cr_token_tombstone(TALLOC_CTX *mem_ctx, const struct cr_token *old,
		       uint64_t filetime, struct cr_token **_token,
		       char **errmsg);

/*
 * Split a DN-Binary value "B:<count>:<hex>:<DN>" of len bytes (no NUL
 * needed) into the binary and the DN.  Hex of either case; the count must
 * be even, without leading zeros, and match the hex present; the DN must
 * be non-empty and hold no control characters.  EBADMSG and *problem
 * for anything else.
 */
int cr_dnbinary_parse(TALLOC_CTX *mem_ctx, const char *s, size_t len,
		      uint8_t **_bin, size_t *_bin_len, char **_dn,
		      enum cr_token_problem *problem, char **errmsg);

/* "B:<2*len>:<UPPER HEX>:<dn>"; EINVAL for an empty DN. */
int cr_dnbinary_build(TALLOC_CTX *mem_ctx, const uint8_t *bin, size_t len,
		      const char *dn, char **_value, char **errmsg);

#endif
