/*
 * UTF-8 <-> UTF-16LE for passwords, SIDs, descriptions and key names.
 * Both directions reject malformed input (overlong forms, lone surrogates)
 * rather than guess, since the bytes feed key derivations.
 */
#ifndef CREDROAM_DPAPI_UTF16_H
#define CREDROAM_DPAPI_UTF16_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

/*
 * UTF-8 (len bytes) to UTF-16LE, plus a 2-byte NUL when add_nul.  The
 * result is marked secret (it may be a password).  Returns 0, EILSEQ or
 * ENOMEM.
 */
int cr_utf16le_encode(TALLOC_CTX *mem_ctx, const char *s, size_t len,
		      bool add_nul, uint8_t **out, size_t *out_len);

/*
 * UTF-16LE (len bytes, even) to a NUL-terminated UTF-8 string; stops at the
 * first NUL code unit.  Returns 0, EILSEQ or ENOMEM.
 */
int cr_utf16le_decode(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		      char **out);

#endif
