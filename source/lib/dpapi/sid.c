/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * SID text and binary forms; see sid.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/cursor.h"
#include "dpapi/sid.h"

/* Parse a decimal number up to max; returns the end or NULL. */
static const char *cr_sid_num(const char *p, uint64_t max, uint64_t *v)
{
	uint64_t n = 0;
	const char *start = p;

	while (*p >= '0' && *p <= '9') {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > max) {
			return NULL;
		}
		p++;
	}
	if (p == start) {
		return NULL;
	}
	*v = n;
	return p;
}

bool cr_sid_to_binary(const char *s, uint8_t out[CR_SID_MAX_LEN],
		      size_t *out_len)
{
	const char *p = s;
	uint64_t rev = 0;
	uint64_t auth = 0;
	size_t count = 0;
	int i;

	*out_len = 0;
	if (p == NULL || (p[0] != 'S' && p[0] != 's') || p[1] != '-') {
		return false;
	}
	p = cr_sid_num(p + 2, 255, &rev);
	if (p == NULL || *p != '-') {
		return false;
	}
	p = cr_sid_num(p + 1, 0xffffffffffffULL, &auth);
	if (p == NULL) {
		return false;
	}
	while (*p == '-') {
		uint64_t sub = 0;

		if (count == CR_SID_MAX_SUBAUTH) {
			return false;
		}
		p = cr_sid_num(p + 1, 0xffffffffULL, &sub);
		if (p == NULL) {
			return false;
		}
		cr_store_le32(out + 8 + 4 * count, (uint32_t)sub);
		count++;
	}
	if (*p != '\0') {
		return false;
	}
	out[0] = (uint8_t)rev;
	out[1] = (uint8_t)count;
	for (i = 0; i < 6; i++) {
		out[2 + i] = (uint8_t)(auth >> (8 * (5 - i)));
	}
	*out_len = 8 + 4 * count;
	return true;
}

int cr_sid_from_binary(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		       size_t *used, char **out)
{
	uint64_t auth = 0;
	char *s = NULL;
	size_t count;
	size_t i;

	*out = NULL;
	*used = 0;
	if (len < 8) {
		return EBADMSG;
	}
	count = p[1];
	if (count > CR_SID_MAX_SUBAUTH || len < 8 + 4 * count) {
		return EBADMSG;
	}
	for (i = 0; i < 6; i++) {
		auth = (auth << 8) | p[2 + i];
	}
	s = talloc_asprintf(mem_ctx, "S-%u-%" PRIu64, p[0], auth);
	for (i = 0; s != NULL && i < count; i++) {
		s = talloc_asprintf_append_buffer(s, "-%" PRIu32,
						  cr_le32(p + 8 + 4 * i));
	}
	if (s == NULL) {
		return ENOMEM;
	}
	*out = s;
	*used = 8 + 4 * count;
	return 0;
}
