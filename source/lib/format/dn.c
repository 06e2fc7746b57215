/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Distinguished names as text; see dn.h.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "format/dn.h"
#include "util/error.h"

/* how much of a DN a message repeats */
#define CR_DN_SHOW 256

/* characters a value may hold only escaped (and that we write escaped) */
static bool cr_dn_special(unsigned char c)
{
	return c == ',' || c == '+' || c == '=' || c == ';' || c == '<' ||
	       c == '>' || c == '"' || c == '\\' || c == '#';
}

static bool cr_dn_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool cr_dn_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int cr_dn_hexval(unsigned char c)
{
	if (cr_dn_digit(c)) {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

static unsigned char cr_dn_upper(unsigned char c)
{
	if (c >= 'a' && c <= 'z') {
		return (unsigned char)(c - 'a' + 'A');
	}
	return c;
}

bool cr_dn_is_extended(const char *dn, size_t len)
{
	size_t i = 0;

	while (i < len && dn[i] == ' ') {
		i++;
	}
	return i < len && dn[i] == '<';
}

/*
 * Append the value val[0..n) folded as ldb folds a directory string:
 * leading and trailing spaces dropped, a run of spaces as one, ASCII
 * letters upper case; specials and control bytes as \HH.
 */
static size_t cr_dn_put_value(char *out, size_t o, const unsigned char *val,
			      size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t start = 0;
	size_t end = n;
	size_t i;

	while (start < end && val[start] == ' ') {
		start++;
	}
	while (end > start && val[end - 1] == ' ') {
		end--;
	}
	for (i = start; i < end; i++) {
		unsigned char c = cr_dn_upper(val[i]);

		if (c == ' ' && i > start && val[i - 1] == ' ') {
			continue;
		}
		if (cr_dn_special(c) || c < 0x20 || c == 0x7f) {
			out[o++] = '\\';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		} else {
			out[o++] = (char)c;
		}
	}
	return o;
}

int cr_dn_canonical(TALLOC_CTX *mem_ctx, const char *dn, size_t len,
		    char **_canon, char **errmsg)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	const unsigned char *s = (const unsigned char *)dn;
	unsigned char *val = NULL;
	char *out = NULL;
	const char *why = NULL;
	size_t pos = 0;
	size_t o = 0;
	int ret = EBADMSG;

	*_canon = NULL;
	if (frame == NULL) {
		return ENOMEM;
	}
	/* each input byte becomes at most 3 ("\HH") */
	if (len > (SIZE_MAX - 1) / 3) {
		why = "too long";
		goto bad;
	}
	out = talloc_size(frame, 3 * len + 1);
	val = talloc_size(frame, len + 1);
	if (out == NULL || val == NULL) {
		ret = ENOMEM;
		cr_seterr(errmsg, "DN: out of memory");
		goto done;
	}
	while (pos < len && s[pos] == ' ') {
		pos++;
	}
	if (pos < len && s[pos] == '<') {
		why = "extended component ('<')";
		goto bad;
	}
	for (;;) {
		size_t n = 0;

		/* attribute type: a letter, then letters, digits, '-' */
		if (pos >= len || !cr_dn_alpha(s[pos])) {
			why = "an attribute type must start with a letter";
			goto bad;
		}
		while (pos < len && (cr_dn_alpha(s[pos]) ||
				     cr_dn_digit(s[pos]) || s[pos] == '-')) {
			out[o++] = (char)cr_dn_upper(s[pos]);
			pos++;
		}
		if (pos >= len || s[pos] != '=') {
			why = "'=' expected after the attribute type";
			goto bad;
		}
		out[o++] = '=';
		pos++;

		/* the value, escapes decoded, up to an unescaped ',' */
		while (pos < len && s[pos] != ',') {
			unsigned char c = s[pos];
			int hi = -1;
			int lo = -1;

			if (c == '\\') {
				if (pos + 1 >= len) {
					why = "'\\' at the end";
					goto bad;
				}
				if (pos + 2 < len) {
					hi = cr_dn_hexval(s[pos + 1]);
					lo = cr_dn_hexval(s[pos + 2]);
				}
				if (hi >= 0 && lo >= 0) {
					c = (unsigned char)((hi << 4) | lo);
					if (c == 0) {
						why = "escaped NUL";
						goto bad;
					}
					pos += 3;
				} else if (cr_dn_special(s[pos + 1]) ||
					   s[pos + 1] == ' ') {
					c = s[pos + 1];
					pos += 2;
				} else {
					why = "'\\' escapes neither a special "
					      "character nor a hex byte";
					goto bad;
				}
			} else if (c == 0) {
				why = "NUL";
				goto bad;
			} else if (cr_dn_special(c) && c != '#') {
				why = "unescaped special character in a "
				      "value";
				goto bad;
			} else {
				pos++;
			}
			val[n++] = c;
		}
		o = cr_dn_put_value(out, o, val, n);
		if (pos >= len) {
			break;
		}
		/* the ',' and the spaces after it */
		out[o++] = ',';
		pos++;
		while (pos < len && s[pos] == ' ') {
			pos++;
		}
	}
	out[o] = '\0';
	*_canon = talloc_strndup(mem_ctx, out, o);
	if (*_canon == NULL) {
		ret = ENOMEM;
		cr_seterr(errmsg, "DN: out of memory");
		goto done;
	}
	ret = 0;
	goto done;
bad:
	cr_seterr(errmsg, "'%.*s' is not a DN: %s at offset %zu",
		  (int)(len < CR_DN_SHOW ? len : CR_DN_SHOW), dn, why, pos);
done:
	TALLOC_FREE(frame);
	return ret;
}

bool cr_dn_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	char *ca = NULL;
	char *cb = NULL;
	bool equal = false;
	int ret;

	if (frame == NULL) {
		return false;
	}
	ret = cr_dn_canonical(frame, a, alen, &ca, NULL);
	if (ret != 0) {
		goto done;
	}
	ret = cr_dn_canonical(frame, b, blen, &cb, NULL);
	if (ret != 0) {
		goto done;
	}
	equal = (strcmp(ca, cb) == 0);
done:
	TALLOC_FREE(frame);
	return equal;
}
