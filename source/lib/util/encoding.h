/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Small encodings shared by the formats: hex, Windows FILETIME, GUIDs,
 * SHA-1 digests.
 */
#ifndef CREDROAM_ENCODING_H
#define CREDROAM_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>

#define CR_SHA1_LEN 20

/* Upper-case hex of n bytes, NUL-terminated, on mem_ctx. */
char *cr_hex_upper(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t n);
/* Lower-case hex. */
char *cr_hex_lower(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t n);
/*
 * Decode hex (either case) of exactly `digits` characters into a new buffer
 * of digits/2 bytes.  Returns 0, EBADMSG (odd count or a non-hex digit; *bad
 * gets its index when bad != NULL) or ENOMEM.
 */
int cr_hex_decode(TALLOC_CTX *mem_ctx, const char *hex, size_t digits,
		  uint8_t **out, size_t *bad);

/* FILETIME: 100 ns ticks since 1601-01-01 UTC. */
/* 100 ns ticks per day. */
#define CR_FILETIME_DAY (864000000000ULL)

uint64_t cr_filetime_from_unix(time_t t, long nsec);
uint64_t cr_filetime_now(void);
/* Seconds since the Unix epoch; FILETIMEs before 1970 give negative values. */
int64_t cr_filetime_to_unix(uint64_t ft);
/* "YYYY-MM-DDTHH:MM:SSZ"; FILETIME 0 gives "1601-01-01T00:00:00Z". */
char *cr_filetime_iso8601(TALLOC_CTX *mem_ctx, uint64_t ft);

/* GUID as Windows stores it (first three fields little-endian). */
struct cr_guid {
	uint8_t b[16];
};
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lower case. */
char *cr_guid_string(TALLOC_CTX *mem_ctx, const struct cr_guid *g);
/* Parse either case, no braces; false on any deviation. */
bool cr_guid_parse(const char *s, struct cr_guid *g);

/* SHA-1 of n bytes; false only if GnuTLS fails. */
bool cr_sha1(const void *p, size_t n, uint8_t out[CR_SHA1_LEN]);

#endif
