/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * UTF-16LE <-> UTF-8; see utf16.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "util/utf16.h"
#include "util/cursor.h"
#include "util/secret.h"

/* Decode; a NUL code unit ends the string when nul_ends, else is refused. */
static int cr_utf16le_to_utf8_core(TALLOC_CTX *mem_ctx, const uint8_t *p,
				   size_t n, bool nul_ends, char **_out)
{
	char *out = NULL;
	size_t o = 0;
	size_t i;

	*_out = NULL;
	if (n % 2 != 0) {
		return EILSEQ;
	}
	/* at most 3 UTF-8 bytes per UTF-16 unit (4 per surrogate pair) */
	out = talloc_array(mem_ctx, char, (n / 2) * 3 + 1);
	if (out == NULL) {
		return ENOMEM;
	}
	for (i = 0; i < n; i += 2) {
		uint32_t cp = cr_le16(p + i);

		if (cp == 0 && nul_ends) {
			break;
		}
		if (cp == 0) {
			goto fail;
		}
		if (cp >= 0xdc00 && cp <= 0xdfff) {
			goto fail;
		}
		if (cp >= 0xd800 && cp <= 0xdbff) {
			uint32_t lo;

			if (i + 4 > n) {
				goto fail;
			}
			lo = cr_le16(p + i + 2);
			if (lo < 0xdc00 || lo > 0xdfff) {
				goto fail;
			}
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		}
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xc0 | (cp >> 6));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out[o++] = (char)(0xe0 | (cp >> 12));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | (cp >> 18));
			out[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	out[o] = '\0';
	*_out = out;
	return 0;
fail:
	talloc_free(out);
	return EILSEQ;
}

int cr_utf16le_to_utf8(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t n,
		       char **_out)
{
	return cr_utf16le_to_utf8_core(mem_ctx, p, n, false, _out);
}

int cr_utf16le_decode(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		      char **out)
{
	return cr_utf16le_to_utf8_core(mem_ctx, p, len, true, out);
}

/* One code point from UTF-8 (left bytes); 0 bytes consumed: invalid. */
static size_t cr_utf8_next(const uint8_t *s, size_t left, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n;
	size_t i;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		v = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		v = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		v = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > left) {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		return 0;
	}
	*cp = v;
	return n;
}

int cr_utf16le_encode(TALLOC_CTX *mem_ctx, const char *s, size_t len,
		      bool add_nul, uint8_t **out, size_t *out_len)
{
	const uint8_t *u = (const uint8_t *)s;
	uint8_t *buf = NULL;
	size_t o = 0;
	size_t i = 0;

	*out = NULL;
	*out_len = 0;
	if (len > SIZE_MAX / 2 - 2) {
		return ENOMEM;
	}
	/* one 16-bit unit per input byte at most (a pair needs 4 bytes) */
	buf = talloc_zero_size(mem_ctx, len * 2 + 2);
	if (buf == NULL) {
		return ENOMEM;
	}
	credroam_keep_secret(buf);
	while (i < len) {
		uint32_t cp = 0;
		size_t n = cr_utf8_next(u + i, len - i, &cp);

		if (n == 0) {
			talloc_free(buf);
			return EILSEQ;
		}
		i += n;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			cr_store_le16(buf + o, (uint16_t)(0xd800 + (cp >> 10)));
			cr_store_le16(buf + o + 2,
				      (uint16_t)(0xdc00 + (cp & 0x3ff)));
			o += 4;
		} else {
			cr_store_le16(buf + o, (uint16_t)cp);
			o += 2;
		}
	}
	if (add_nul) {
		o += 2;	/* already zero */
	}
	*out = buf;
	*out_len = o;
	return 0;
}

int cr_utf8_to_utf16le(TALLOC_CTX *mem_ctx, const char *s,
		       uint8_t **_out, size_t *_len)
{
	return cr_utf16le_encode(mem_ctx, s, strlen(s), true, _out, _len);
}
