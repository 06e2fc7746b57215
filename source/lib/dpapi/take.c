/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Field copies out of a cursor; see take.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "dpapi/take.h"

uint8_t *cr_dpapi_take(TALLOC_CTX *mem_ctx, struct cr_cursor *c, uint32_t len,
		       const char *what)
{
	const uint8_t *p = cr_get_bytes(c, len, what);
	uint8_t *copy = NULL;

	if (p == NULL) {
		return NULL;
	}
	copy = talloc_size(mem_ctx, (size_t)len + 1);
	if (copy == NULL) {
		cr_cursor_fail(c, ENOMEM, what);
		return NULL;
	}
	memcpy(copy, p, len);
	return copy;
}
