/*
 * UTF-16LE <-> UTF-8; see utf16.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "utf16.h"
#include "cursor.h"

int cr_utf16le_to_utf8(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t n,
		       char **_out)
{
	char *out = NULL;
	size_t o = 0;
	size_t i;
	int ret = EILSEQ;

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
	return ret;
}

/* One code point from UTF-8; 0 bytes consumed means invalid. */
static size_t cr_utf8_next(const unsigned char *s, uint32_t *cp)
{
	size_t need;
	size_t i;
	uint32_t v;
	uint32_t min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		need = 1;
		v = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		need = 2;
		v = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		need = 3;
		v = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i <= need; i++) {
		/* a NUL stops here too: it is not a continuation byte */
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		return 0;
	}
	*cp = v;
	return need + 1;
}

int cr_utf8_to_utf16le(TALLOC_CTX *mem_ctx, const char *s,
		       uint8_t **_out, size_t *_len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t slen = strlen(s);
	uint8_t *out = NULL;
	size_t o = 0;
	size_t i = 0;

	*_out = NULL;
	*_len = 0;
	if (slen > (SIZE_MAX / 4) - 1) {
		return ENOMEM;
	}
	/* at most one 16-bit unit per input byte (pairs need 4 bytes in) */
	out = talloc_array(mem_ctx, uint8_t, (slen + 1) * 2);
	if (out == NULL) {
		return ENOMEM;
	}
	while (i < slen) {
		uint32_t cp = 0;
		size_t used = cr_utf8_next(u + i, &cp);

		if (used == 0) {
			talloc_free(out);
			return EILSEQ;
		}
		i += used;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			cr_store_le16(out + o, (uint16_t)(0xd800 + (cp >> 10)));
			cr_store_le16(out + o + 2,
				      (uint16_t)(0xdc00 + (cp & 0x3ff)));
			o += 4;
		} else {
			cr_store_le16(out + o, (uint16_t)cp);
			o += 2;
		}
	}
	cr_store_le16(out + o, 0);
	o += 2;
	*_out = out;
	*_len = o;
	return 0;
}
