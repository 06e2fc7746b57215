/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * UTF-16LE <-> UTF-8 for the Windows strings inside the formats
 * (certificate friendly names, key container and provider names, DPAPI
 * passwords, SIDs and descriptions).  Strict: unpaired surrogates, overlong
 * forms and invalid UTF-8 are refused, not replaced, so a name never
 * changes on its way through and key derivations never see guessed bytes.
 */
#ifndef CREDROAM_UTF16_H
#define CREDROAM_UTF16_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

/*
 * Convert n bytes of UTF-16LE (n even, no NUL inside) to a NUL-terminated
 * UTF-8 string on mem_ctx.  Returns 0, EILSEQ or ENOMEM.
 */
int cr_utf16le_to_utf8(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t n,
		       char **_out);

/*
 * The same, but a NUL code unit ends the string (what follows it is not
 * looked at): for fixed-size fields and NUL-terminated descriptions.
 */
int cr_utf16le_decode(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		      char **out);

/*
 * Convert a NUL-terminated UTF-8 string to UTF-16LE *including* the
 * terminating 16-bit NUL; *_len gets the byte count.  0, EILSEQ, ENOMEM.
 */
int cr_utf8_to_utf16le(TALLOC_CTX *mem_ctx, const char *s,
		       uint8_t **_out, size_t *_len);

/*
 * len bytes of UTF-8 to UTF-16LE, plus a 16-bit NUL when add_nul.  The
 * result is marked secret (it may be a password).  0, EILSEQ or ENOMEM.
 */
int cr_utf16le_encode(TALLOC_CTX *mem_ctx, const char *s, size_t len,
		      bool add_nul, uint8_t **out, size_t *out_len);

#endif
