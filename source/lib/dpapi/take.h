/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A field of a parsed file, copied out of the cursor: the parsers keep
 * their structs independent of the input buffer.
 */
#ifndef CREDROAM_DPAPI_TAKE_H
#define CREDROAM_DPAPI_TAKE_H

#include <stdint.h>
#include <talloc.h>

#include "util/cursor.h"

/*
 * len bytes from c as a new talloc buffer (one spare byte, so an empty
 * field still gets one); NULL with the cursor failed (ENOMEM on allocation
 * failure) if they are not there.
 */
uint8_t *cr_dpapi_take(TALLOC_CTX *mem_ctx, struct cr_cursor *c, uint32_t len,
		       const char *what);

#endif
