/*
 * UTF-8 <-> UTF-16LE; see utf16.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cursor.h"
#include "dpapi/utf16.h"
#include "secret.h"

/* Decode one UTF-8 sequence; returns its length or 0 if malformed. */
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
	if (len > SIZE_MAX / 4 - 2) {
		return ENOMEM;
	}
	/* at most 4 output bytes per input byte, plus the NUL */
	buf = talloc_zero_size(mem_ctx, len * 4 + 2);
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

int cr_utf16le_decode(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		      char **out)
{
	char *buf = NULL;
	size_t o = 0;
	size_t i = 0;

	*out = NULL;
	if (len % 2 != 0) {
		return EILSEQ;
	}
	/* each code unit becomes at most 3 bytes (a pair makes 4 of 6) */
	buf = talloc_size(mem_ctx, (len / 2) * 3 + 1);
	if (buf == NULL) {
		return ENOMEM;
	}
	while (i < len) {
		uint32_t cp = cr_le16(p + i);

		i += 2;
		if (cp == 0) {
			break;
		}
		if (cp >= 0xd800 && cp <= 0xdbff) {
			uint32_t lo;

			if (i + 2 > len) {
				goto bad;
			}
			lo = cr_le16(p + i);
			if (lo < 0xdc00 || lo > 0xdfff) {
				goto bad;
			}
			i += 2;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		} else if (cp >= 0xdc00 && cp <= 0xdfff) {
			goto bad;
		}
		if (cp < 0x80) {
			buf[o++] = (char)cp;
		} else if (cp < 0x800) {
			buf[o++] = (char)(0xc0 | (cp >> 6));
			buf[o++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			buf[o++] = (char)(0xe0 | (cp >> 12));
			buf[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			buf[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			buf[o++] = (char)(0xf0 | (cp >> 18));
			buf[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			buf[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			buf[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	buf[o] = '\0';
	*out = buf;
	return 0;
bad:
	talloc_free(buf);
	return EILSEQ;
}
