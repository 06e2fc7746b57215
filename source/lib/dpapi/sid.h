/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Security identifiers in the two forms DPAPI needs: text ("S-1-5-21-...",
 * hashed as UTF-16LE into pre-keys) and the binary MS-DTYP 2.4.2.2 form
 * carried inside a domain key section's access check.
 */
#ifndef CREDROAM_DPAPI_SID_H
#define CREDROAM_DPAPI_SID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#define CR_SID_MAX_SUBAUTH 15
#define CR_SID_MAX_LEN (8 + 4 * CR_SID_MAX_SUBAUTH)

/* Text to binary; false on any deviation from S-R-A(-S)*. */
bool cr_sid_to_binary(const char *s, uint8_t out[CR_SID_MAX_LEN],
		      size_t *out_len);

/*
 * Binary (at most len bytes) to text on mem_ctx; *used gets the binary
 * length.  Returns 0, EBADMSG or ENOMEM.
 */
int cr_sid_from_binary(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		       size_t *used, char **out);

#endif
