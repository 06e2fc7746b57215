/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Hex, FILETIME, GUID and SHA-1 helpers; see encoding.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "util/encoding.h"
#include "util/cursor.h"
#include "util/secret.h"

/* Seconds between 1601-01-01 and 1970-01-01. */
#define CR_EPOCH_DIFF 11644473600LL

static char *cr_hex(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t n,
		    const char *digits)
{
	char *s = NULL;
	size_t i;

	if (n > (SIZE_MAX - 1) / 2) {
		return NULL;
	}
	s = talloc_array(mem_ctx, char, n * 2 + 1);
	if (s == NULL) {
		return NULL;
	}
	for (i = 0; i < n; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 0xf];
	}
	s[n * 2] = '\0';
	return s;
}

char *cr_hex_upper(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t n)
{
	return cr_hex(mem_ctx, p, n, "0123456789ABCDEF");
}

char *cr_hex_lower(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t n)
{
	return cr_hex(mem_ctx, p, n, "0123456789abcdef");
}

static int cr_hexval(char c)
{
	if (c >= '0' && c <= '9') {
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

int cr_hex_decode(TALLOC_CTX *mem_ctx, const char *hex, size_t digits,
		  uint8_t **out, size_t *bad)
{
	uint8_t *buf = NULL;
	size_t i;

	*out = NULL;
	if (digits % 2 != 0) {
		if (bad != NULL) {
			*bad = digits;
		}
		return EBADMSG;
	}
	buf = talloc_array(mem_ctx, uint8_t, digits / 2);
	if (buf == NULL) {
		return ENOMEM;
	}
	for (i = 0; i < digits; i += 2) {
		int hi = cr_hexval(hex[i]);
		int lo = (hi < 0) ? -1 : cr_hexval(hex[i + 1]);

		if (hi < 0 || lo < 0) {
			if (bad != NULL) {
				*bad = (hi < 0) ? i : i + 1;
			}
			/* callers decode keys with this: leave no half */
			credroam_wipe(buf, i / 2);
			talloc_free(buf);
			return EBADMSG;
		}
		buf[i / 2] = (uint8_t)((hi << 4) | lo);
	}
	*out = buf;
	return 0;
}

uint64_t cr_filetime_from_unix(time_t t, long nsec)
{
	int64_t secs = (int64_t)t + CR_EPOCH_DIFF;

	if (secs < 0) {
		return 0;
	}
	return (uint64_t)secs * 10000000ULL + (uint64_t)(nsec / 100);
}

uint64_t cr_filetime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return cr_filetime_from_unix(ts.tv_sec, ts.tv_nsec);
}

int64_t cr_filetime_to_unix(uint64_t ft)
{
	return (int64_t)(ft / 10000000ULL) - CR_EPOCH_DIFF;
}

char *cr_filetime_iso8601(TALLOC_CTX *mem_ctx, uint64_t ft)
{
	/* Civil date from days since 1601-01-01 (proleptic Gregorian). */
	uint64_t secs = ft / 10000000ULL;
	uint64_t days = secs / 86400;
	unsigned rem = (unsigned)(secs % 86400);
	/*
	 * Days since 0000-03-01 (Hinnant's civil_from_days): 1601-01-01 is
	 * 134774 days before the Unix epoch, which is day 719468.
	 */
	int64_t z = (int64_t)days + 719468 - 134774;
	int64_t era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = (mp < 10) ? mp + 3 : mp - 9;

	if (m <= 2) {
		y += 1;
	}
	return talloc_asprintf(mem_ctx, "%04lld-%02u-%02uT%02u:%02u:%02uZ",
			       (long long)y, m, d, rem / 3600,
			       (rem / 60) % 60, rem % 60);
}

char *cr_guid_string(TALLOC_CTX *mem_ctx, const struct cr_guid *g)
{
	const uint8_t *b = g->b;

	return talloc_asprintf(mem_ctx,
		"%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		cr_le32(b), cr_le16(b + 4), cr_le16(b + 6),
		b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

bool cr_guid_parse(const char *s, struct cr_guid *g)
{
	/* Positions of the hex pairs, in string order. */
	static const uint8_t pos[16] = {
		0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34,
	};
	/* Byte index each pair lands in (first three fields are LE). */
	static const uint8_t idx[16] = {
		3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15,
	};
	size_t i;

	if (s == NULL || strlen(s) != 36 || s[8] != '-' || s[13] != '-' ||
	    s[18] != '-' || s[23] != '-') {
		return false;
	}
	for (i = 0; i < 16; i++) {
		int hi = cr_hexval(s[pos[i]]);
		int lo = cr_hexval(s[pos[i] + 1]);

		if (hi < 0 || lo < 0) {
			return false;
		}
		g->b[idx[i]] = (uint8_t)((hi << 4) | lo);
	}
	return true;
}

bool cr_sha1(const void *p, size_t n, uint8_t out[CR_SHA1_LEN])
{
	int rc = gnutls_hash_fast(GNUTLS_DIG_SHA1, p, n, out);

	return rc == 0;
}
