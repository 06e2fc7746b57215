/*
 * UTF-16LE <-> UTF-8 for the Windows strings inside the formats
 * (certificate friendly names, key container and provider names).
 * Strict: unpaired surrogates and invalid UTF-8 are refused, not replaced,
 * so a name never changes on its way through.
 */
#ifndef CREDROAM_UTF16_H
#define CREDROAM_UTF16_H

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
 * Convert a NUL-terminated UTF-8 string to UTF-16LE *including* the
 * terminating 16-bit NUL; *_len gets the byte count.  0, EILSEQ, ENOMEM.
 */
int cr_utf8_to_utf16le(TALLOC_CTX *mem_ctx, const char *s,
		       uint8_t **_out, size_t *_len);

#endif
