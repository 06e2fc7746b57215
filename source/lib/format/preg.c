/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Registry.pol ("PReg") reader and writer; see preg.h.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "util/cursor.h"
#include "util/error.h"
#include "format/preg.h"
#include "util/stackframe.h"

#define PREG_CH_OPEN 0x005b	/* '[' */
#define PREG_CH_SEP 0x003b	/* ';' */
#define PREG_CH_CLOSE 0x005d	/* ']' */

static const char *preg_char_name(uint16_t ch)
{
	switch (ch) {
	case PREG_CH_OPEN:
		return "'['";
	case PREG_CH_SEP:
		return "';'";
	case PREG_CH_CLOSE:
		return "']'";
	default:
		return "?";
	}
}

static char ascii_lower(char c)
{
	if (c >= 'A' && c <= 'Z') {
		return (char)(c - 'A' + 'a');
	}
	return c;
}

bool preg_key_equal(const char *a, const char *b)
{
	size_t i;

	if (a == NULL || b == NULL) {
		return false;
	}
	for (i = 0; a[i] != '\0' && b[i] != '\0'; i++) {
		if (ascii_lower(a[i]) != ascii_lower(b[i])) {
			return false;
		}
	}
	return a[i] == b[i];
}

bool preg_key_within(const char *key, const char *parent)
{
	size_t n;
	size_t i;

	if (key == NULL || parent == NULL) {
		return false;
	}
	n = strlen(parent);
	while (n > 0 && parent[n - 1] == '\\') {
		n--;
	}
	if (n == 0 || strlen(key) < n) {
		return false;
	}
	for (i = 0; i < n; i++) {
		if (ascii_lower(key[i]) != ascii_lower(parent[i])) {
			return false;
		}
	}
	return key[n] == '\0' || key[n] == '\\';
}

const char *preg_type_name(TALLOC_CTX *mem_ctx, uint32_t type)
{
	switch (type) {
	case PREG_REG_NONE:
		return "REG_NONE";
	case PREG_REG_SZ:
		return "REG_SZ";
	case PREG_REG_EXPAND_SZ:
		return "REG_EXPAND_SZ";
	case PREG_REG_BINARY:
		return "REG_BINARY";
	case PREG_REG_DWORD:
		return "REG_DWORD";
	case PREG_REG_DWORD_BIG_ENDIAN:
		return "REG_DWORD_BIG_ENDIAN";
	case PREG_REG_LINK:
		return "REG_LINK";
	case PREG_REG_MULTI_SZ:
		return "REG_MULTI_SZ";
	case PREG_REG_QWORD:
		return "REG_QWORD";
	default:
		return talloc_asprintf(mem_ctx, "type %u", type);
	}
}

/*
 * UTF-16LE (units code units at p) to NUL-terminated UTF-8.  Returns 0,
 * EBADMSG (unpaired surrogate; *bad = its unit index) or ENOMEM.  A NUL code
 * unit is not expected here; callers split on NUL first.
 */
static int utf16_to_utf8(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t units,
			 char **out, size_t *bad)
{
	char *s = NULL;
	size_t i = 0;
	size_t o = 0;
	int ret = EBADMSG;

	*out = NULL;
	/* at most 3 bytes per unit (a pair is 4 bytes for 2 units) */
	s = talloc_array(mem_ctx, char, units * 3 + 1);
	if (s == NULL) {
		ret = ENOMEM;
		goto done;
	}
	while (i < units) {
		uint32_t cp = cr_le16(p + 2 * i);

		if (cp >= 0xdc00 && cp <= 0xdfff) {
			*bad = i;
			goto done;
		}
		if (cp >= 0xd800 && cp <= 0xdbff) {
			uint32_t lo;

			if (i + 1 >= units) {
				*bad = i;
				goto done;
			}
			lo = cr_le16(p + 2 * (i + 1));
			if (lo < 0xdc00 || lo > 0xdfff) {
				*bad = i;
				goto done;
			}
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		} else {
			i += 1;
		}
		if (cp < 0x80) {
			s[o++] = (char)cp;
		} else if (cp < 0x800) {
			s[o++] = (char)(0xc0 | (cp >> 6));
			s[o++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			s[o++] = (char)(0xe0 | (cp >> 12));
			s[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			s[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			s[o++] = (char)(0xf0 | (cp >> 18));
			s[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			s[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			s[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	s[o] = '\0';
	*out = s;
	s = NULL;
	ret = 0;
done:
	TALLOC_FREE(s);
	return ret;
}

/*
 * Append the UTF-16LE form of UTF-8 string s (without NUL) to b; *units gets
 * the number of code units.  Returns 0 or EINVAL (invalid UTF-8: overlong,
 * surrogate, above U+10FFFF, truncated).
 */
static int utf8_to_utf16(struct cr_buf *b, const char *s, size_t *units)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = 0;

	while (*p != '\0') {
		uint32_t cp;
		size_t extra;
		uint32_t min;
		size_t k;

		if (p[0] < 0x80) {
			cp = p[0];
			extra = 0;
			min = 0;
		} else if ((p[0] & 0xe0) == 0xc0) {
			cp = p[0] & 0x1f;
			extra = 1;
			min = 0x80;
		} else if ((p[0] & 0xf0) == 0xe0) {
			cp = p[0] & 0x0f;
			extra = 2;
			min = 0x800;
		} else if ((p[0] & 0xf8) == 0xf0) {
			cp = p[0] & 0x07;
			extra = 3;
			min = 0x10000;
		} else {
			return EINVAL;
		}
		for (k = 1; k <= extra; k++) {
			/* stops at the NUL, which fails this test */
			if ((p[k] & 0xc0) != 0x80) {
				return EINVAL;
			}
			cp = (cp << 6) | (p[k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			return EINVAL;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			cr_put_le16(b, (uint16_t)(0xd800 + (cp >> 10)));
			cr_put_le16(b, (uint16_t)(0xdc00 + (cp & 0x3ff)));
			n += 2;
		} else {
			cr_put_le16(b, (uint16_t)cp);
			n += 1;
		}
		p += extra + 1;
	}
	*units = n;
	return 0;
}

static bool utf8_valid(const char *s, size_t max_units)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_buf b;
	size_t units = 0;
	int rc;
	bool ok = false;

	cr_buf_init(&b, frame, false);
	rc = utf8_to_utf16(&b, s, &units);
	if (rc != 0 || b.oom || units > max_units) {
		goto done;
	}
	ok = true;
done:
	TALLOC_FREE(frame);
	return ok;
}

/* Compare an ASCII prefix without regard to case. */
static bool has_prefix_ci(const char *s, const char *prefix)
{
	size_t i;

	for (i = 0; prefix[i] != '\0'; i++) {
		if (ascii_lower(s[i]) != ascii_lower(prefix[i])) {
			return false;
		}
	}
	return true;
}

static void classify(struct preg_entry *e)
{
	const char *v = e->value;

	e->target = NULL;
	if (v[0] != '*' || v[1] != '*') {
		e->action = PREG_ACTION_SET;
		e->target = v;
	} else if (preg_key_equal(v, "**delvals.")) {
		e->action = PREG_ACTION_DELVALS;
	} else if (has_prefix_ci(v, "**del.")) {
		e->action = PREG_ACTION_DEL;
		e->target = v + strlen("**del.");
	} else if (has_prefix_ci(v, "**soft.")) {
		e->action = PREG_ACTION_SOFT;
		e->target = v + strlen("**soft.");
	} else if (preg_key_equal(v, "**DeleteValues")) {
		e->action = PREG_ACTION_DELETE_VALUES;
	} else if (preg_key_equal(v, "**DeleteKeys")) {
		e->action = PREG_ACTION_DELETE_KEYS;
	} else {
		e->action = PREG_ACTION_OTHER;
	}
}

/*
 * Check the data against the type and decode it into e (children of e).
 * On failure returns EBADMSG or ENOMEM with *detail set (on mem_ctx).
 */
static int decode_data(TALLOC_CTX *mem_ctx, struct preg_entry *e,
		       char **detail)
{
	size_t units = e->size / 2;
	size_t bad = 0;
	size_t i;
	size_t start;
	int rc = 0;

	e->num = 0;
	e->str = NULL;
	e->multi = NULL;
	e->num_multi = 0;

	switch (e->type) {
	case PREG_REG_DWORD:
	case PREG_REG_DWORD_BIG_ENDIAN:
		if (e->size != 4) {
			*detail = talloc_asprintf(mem_ctx,
				"%s with size %u (must be 4)",
				preg_type_name(mem_ctx, e->type), e->size);
			rc = EBADMSG;
			goto done;
		}
		if (e->type == PREG_REG_DWORD) {
			e->num = cr_le32(e->data);
		} else {
			e->num = ((uint32_t)e->data[0] << 24) |
				 ((uint32_t)e->data[1] << 16) |
				 ((uint32_t)e->data[2] << 8) |
				 (uint32_t)e->data[3];
		}
		break;
	case PREG_REG_QWORD:
		if (e->size != 8) {
			*detail = talloc_asprintf(mem_ctx,
				"REG_QWORD with size %u (must be 8)", e->size);
			rc = EBADMSG;
			goto done;
		}
		e->num = cr_le64(e->data);
		break;
	case PREG_REG_SZ:
	case PREG_REG_EXPAND_SZ:
	case PREG_REG_MULTI_SZ:
		if (e->size % 2 != 0) {
			*detail = talloc_asprintf(mem_ctx,
				"%s data of odd size %u",
				preg_type_name(mem_ctx, e->type), e->size);
			rc = EBADMSG;
			goto done;
		}
		start = 0;
		for (i = 0; i <= units; i++) {
			char *s = NULL;
			char **tmp = NULL;

			if (i < units && cr_le16(e->data + 2 * i) != 0) {
				continue;
			}
			rc = utf16_to_utf8(e, e->data + 2 * start, i - start,
					   &s, &bad);
			if (rc == EBADMSG) {
				*detail = talloc_asprintf(mem_ctx,
					"%s data: invalid UTF-16 (unpaired "
					"surrogate 0x%04x at data offset %zu)",
					preg_type_name(mem_ctx, e->type),
					cr_le16(e->data + 2 * (start + bad)),
					2 * (start + bad));
			}
			if (rc != 0) {
				goto done;
			}
			if (e->type != PREG_REG_MULTI_SZ) {
				e->str = s;
				break;
			}
			if (s[0] == '\0') {
				/* empty strings end the list */
				TALLOC_FREE(s);
				break;
			}
			tmp = talloc_realloc(e, e->multi, char *,
					     e->num_multi + 1);
			if (tmp == NULL) {
				rc = ENOMEM;
				goto done;
			}
			e->multi = tmp;
			e->multi[e->num_multi++] = talloc_move(e->multi, &s);
			start = i + 1;
		}
		break;
	case PREG_REG_NONE:
	case PREG_REG_BINARY:
	case PREG_REG_LINK:
	case 8:		/* REG_RESOURCE_LIST */
	case 9:		/* REG_FULL_RESOURCE_DESCRIPTOR */
	case 10:	/* REG_RESOURCE_REQUIREMENTS_LIST */
		break;
	default:
		*detail = talloc_asprintf(mem_ctx, "unknown type %u",
					  e->type);
		rc = EBADMSG;
		goto done;
	}
done:
	if (rc == ENOMEM && *detail == NULL) {
		*detail = talloc_strdup(mem_ctx, "out of memory");
	}
	return rc;
}

struct preg_parser {
	struct cr_cursor c;
	TALLOC_CTX *frame;
	char *detail;		/* first problem, if not a short read */
};

static void pp_fail(struct preg_parser *pp, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void pp_fail(struct preg_parser *pp, int status, const char *fmt, ...)
{
	va_list ap;

	if (!cr_cursor_ok(&pp->c)) {
		return;
	}
	va_start(ap, fmt);
	pp->detail = talloc_vasprintf(pp->frame, fmt, ap);
	va_end(ap);
	cr_cursor_fail(&pp->c, status, "entry");
}

static void pp_expect(struct preg_parser *pp, uint16_t ch, const char *where)
{
	size_t off = pp->c.off;
	uint16_t got = cr_get_le16(&pp->c, preg_char_name(ch));

	if (cr_cursor_ok(&pp->c) && got != ch) {
		pp_fail(pp, EBADMSG, "expected %s %s at offset 0x%zx, found "
			"0x%04x", preg_char_name(ch), where, off, got);
	}
}

/*
 * A NUL-terminated UTF-16LE string of at most max units.  Returns the UTF-8
 * copy on mem_ctx, or NULL with the parser failed.
 */
static char *pp_string(struct preg_parser *pp, TALLOC_CTX *mem_ctx,
		       size_t max, const char *what)
{
	const uint8_t *p = NULL;
	size_t start = pp->c.off;
	size_t left = cr_cursor_left(&pp->c);
	size_t units = 0;
	size_t bad = 0;
	char *s = NULL;
	int rc;

	if (!cr_cursor_ok(&pp->c)) {
		return NULL;
	}
	p = pp->c.base + start;
	while (true) {
		if (2 * units + 2 > left) {
			pp_fail(pp, EBADMSG, "unterminated %s starting at "
				"offset 0x%zx (no NUL before the end)", what,
				start);
			return NULL;
		}
		if (cr_le16(p + 2 * units) == 0) {
			break;
		}
		units++;
		if (units > max) {
			pp_fail(pp, EBADMSG, "%s at offset 0x%zx longer than "
				"%zu characters", what, start, max);
			return NULL;
		}
	}
	rc = utf16_to_utf8(mem_ctx, p, units, &s, &bad);
	if (rc == EBADMSG) {
		pp_fail(pp, EBADMSG, "%s: invalid UTF-16 (unpaired surrogate "
			"0x%04x at offset 0x%zx)", what,
			cr_le16(p + 2 * bad), start + 2 * bad);
		return NULL;
	}
	if (rc != 0) {
		pp_fail(pp, rc, "out of memory");
		return NULL;
	}
	cr_skip(&pp->c, 2 * units + 2, what);
	return s;
}

static int append_entry(struct preg_file *f, struct preg_entry *e)
{
	struct preg_entry **tmp = NULL;

	if (f->num_entries >= PREG_MAX_ENTRIES) {
		return E2BIG;
	}
	/*
	 * Geometric growth: one realloc per entry copies the array each
	 * time where realloc cannot grow in place (ASan always copies), which
	 * made a file of 65536 entries cost minutes.
	 */
	if (f->num_entries == f->entries_allocated) {
		size_t want = f->entries_allocated + f->entries_allocated / 2;

		if (want < 16) {
			want = 16;
		}
		if (want > PREG_MAX_ENTRIES) {
			want = PREG_MAX_ENTRIES;
		}
		tmp = talloc_realloc(f, f->entries, struct preg_entry *, want);
		if (tmp == NULL) {
			return ENOMEM;
		}
		f->entries = tmp;
		f->entries_allocated = want;
	}
	f->entries[f->num_entries++] = talloc_steal(f, e);
	return 0;
}

struct preg_file *preg_new(TALLOC_CTX *mem_ctx)
{
	return talloc_zero(mem_ctx, struct preg_file);
}

/* Parse one entry at the cursor; NULL with the parser failed. */
static struct preg_entry *pp_entry(struct preg_parser *pp)
{
	struct preg_entry *e = NULL;
	size_t field_off;
	int rc;

	e = talloc_zero(pp->frame, struct preg_entry);
	if (e == NULL) {
		pp_fail(pp, ENOMEM, "out of memory");
		goto fail;
	}
	e->offset = pp->c.off;
	if (cr_cursor_left(&pp->c) < 2) {
		pp_fail(pp, EBADMSG, "%zu trailing byte(s) after the last "
			"entry", cr_cursor_left(&pp->c));
		goto fail;
	}
	pp_expect(pp, PREG_CH_OPEN, "to open the entry");
	e->key = pp_string(pp, e, PREG_MAX_KEY_CHARS, "key");
	pp_expect(pp, PREG_CH_SEP, "after the key");
	e->value = pp_string(pp, e, PREG_MAX_VALUE_CHARS, "value name");
	pp_expect(pp, PREG_CH_SEP, "after the value name");
	e->type = cr_get_le32(&pp->c, "type");
	pp_expect(pp, PREG_CH_SEP, "after the type");
	field_off = pp->c.off;
	e->size = cr_get_le32(&pp->c, "size");
	pp_expect(pp, PREG_CH_SEP, "after the size");
	if (!cr_cursor_ok(&pp->c)) {
		goto fail;
	}
	if (e->key[0] == '\0') {
		pp_fail(pp, EBADMSG, "empty key");
		goto fail;
	}
	/* compare with what is left before copying anything */
	if (e->size > cr_cursor_left(&pp->c)) {
		pp_fail(pp, EBADMSG, "size %u (at offset 0x%zx) runs past "
			"the end (%zu bytes left)", e->size, field_off,
			cr_cursor_left(&pp->c));
		goto fail;
	}
	e->data = talloc_memdup(e, cr_get_bytes(&pp->c, e->size, "data"),
				e->size);
	if (e->data == NULL && e->size > 0) {
		pp_fail(pp, ENOMEM, "out of memory");
		goto fail;
	}
	if (e->data == NULL) {
		e->data = talloc_size(e, 0);
	}
	pp_expect(pp, PREG_CH_CLOSE, "to close the entry");
	if (!cr_cursor_ok(&pp->c)) {
		goto fail;
	}
	rc = decode_data(pp->frame, e, &pp->detail);
	if (rc != 0) {
		cr_cursor_fail(&pp->c, rc, "data");
		goto fail;
	}
	classify(e);
	return e;
fail:
	TALLOC_FREE(e);
	return NULL;
}

int preg_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
	       const char *name, struct preg_file **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct preg_parser pp = { .frame = frame };
	struct preg_file *f = NULL;
	struct preg_entry *e = NULL;
	uint32_t sig;
	uint32_t version;
	size_t idx = 0;
	int ret = EBADMSG;
	int rc;

	*out = NULL;
	if (name == NULL) {
		name = "Registry.pol";
	}
	if (len > PREG_MAX_FILE_SIZE) {
		cr_seterr(errmsg, "%s: %zu bytes is larger than the "
			  "%u bytes a Registry.pol may have", name, len,
			  PREG_MAX_FILE_SIZE);
		ret = EINVAL;
		goto done;
	}
	f = preg_new(frame);
	if (f == NULL) {
		ret = ENOMEM;
		goto done;
	}
	cr_cursor_init(&pp.c, data, len);
	sig = cr_get_le32(&pp.c, "signature");
	version = cr_get_le32(&pp.c, "version");
	if (!cr_cursor_ok(&pp.c)) {
		cr_seterr(errmsg, "%s: not a Registry.pol file: "
			  "%zu bytes, shorter than the 8-byte header", name,
			  len);
		goto done;
	}
	if (sig != PREG_SIGNATURE) {
		cr_seterr(errmsg, "%s: not a Registry.pol file: "
			  "signature 0x%08x at offset 0x0 (expected "
			  "0x%08x \"PReg\")", name, sig, PREG_SIGNATURE);
		goto done;
	}
	if (version != PREG_VERSION) {
		cr_seterr(errmsg, "%s: unsupported Registry.pol "
			  "version %u at offset 0x4 (only %u is known)", name,
			  version, PREG_VERSION);
		goto done;
	}
	while (cr_cursor_left(&pp.c) > 0) {
		size_t start = pp.c.off;

		if (f->num_entries >= PREG_MAX_ENTRIES) {
			cr_seterr(errmsg, "%s: entry %zu at offset "
				  "0x%zx: more than %u entries", name, idx,
				  start, PREG_MAX_ENTRIES);
			goto done;
		}
		e = pp_entry(&pp);
		if (e == NULL) {
			const char *why = pp.detail;

			if (why == NULL) {
				why = talloc_asprintf(frame, "truncated at "
					"offset 0x%zx (reading %s)",
					pp.c.fail_off, pp.c.fail_what);
			}
			cr_seterr(errmsg, "%s: entry %zu at offset "
				  "0x%zx: %s", name, idx, start, why);
			ret = pp.c.status;
			goto done;
		}
		rc = append_entry(f, e);
		if (rc != 0) {
			cr_seterr(errmsg, "%s: entry %zu: out of "
				  "memory", name, idx);
			ret = ENOMEM;
			goto done;
		}
		idx++;
	}
	*out = talloc_move(mem_ctx, &f);
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

int preg_write(TALLOC_CTX *mem_ctx, const struct preg_file *f,
	       uint8_t **out, size_t *out_len, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_buf b;
	size_t i;
	size_t units = 0;
	int ret = EINVAL;
	int rc;

	*out = NULL;
	*out_len = 0;
	cr_buf_init(&b, frame, false);
	cr_put_le32(&b, PREG_SIGNATURE);
	cr_put_le32(&b, PREG_VERSION);
	for (i = 0; i < f->num_entries; i++) {
		const struct preg_entry *e = f->entries[i];

		cr_put_le16(&b, PREG_CH_OPEN);
		rc = utf8_to_utf16(&b, e->key, &units);
		if (rc != 0 || units == 0 || units > PREG_MAX_KEY_CHARS) {
			cr_seterr(errmsg, "Registry.pol entry %zu: "
				  "key '%s' is empty, too long or not UTF-8",
				  i, e->key);
			goto done;
		}
		cr_put_le16(&b, 0);
		cr_put_le16(&b, PREG_CH_SEP);
		rc = utf8_to_utf16(&b, e->value, &units);
		if (rc != 0 || units > PREG_MAX_VALUE_CHARS) {
			cr_seterr(errmsg, "Registry.pol entry %zu: "
				  "value name is too long or not UTF-8", i);
			goto done;
		}
		cr_put_le16(&b, 0);
		cr_put_le16(&b, PREG_CH_SEP);
		cr_put_le32(&b, e->type);
		cr_put_le16(&b, PREG_CH_SEP);
		cr_put_le32(&b, e->size);
		cr_put_le16(&b, PREG_CH_SEP);
		cr_put_bytes(&b, e->data, e->size);
		cr_put_le16(&b, PREG_CH_CLOSE);
	}
	if (b.oom) {
		cr_seterr(errmsg, "Registry.pol: out of memory");
		ret = ENOMEM;
		goto done;
	}
	*out = talloc_steal(mem_ctx, b.data);
	*out_len = b.len;
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

static int make_entry(TALLOC_CTX *mem_ctx, const char *key,
		      const char *value, uint32_t type, const uint8_t *data,
		      uint32_t size, struct preg_entry **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct preg_entry *e = NULL;
	char *detail = NULL;
	bool ok;
	int ret = EINVAL;
	int rc;

	*out = NULL;
	ok = (key != NULL && key[0] != '\0' &&
	      utf8_valid(key, PREG_MAX_KEY_CHARS));
	if (!ok) {
		cr_seterr(errmsg, "Registry.pol: key is empty, "
			  "longer than %u characters or not UTF-8",
			  PREG_MAX_KEY_CHARS);
		goto done;
	}
	ok = (value != NULL && utf8_valid(value, PREG_MAX_VALUE_CHARS));
	if (!ok) {
		cr_seterr(errmsg, "Registry.pol: key '%s': value "
			  "name is longer than %u characters or not UTF-8",
			  key, PREG_MAX_VALUE_CHARS);
		goto done;
	}
	e = talloc_zero(frame, struct preg_entry);
	if (e == NULL) {
		ret = ENOMEM;
		goto done;
	}
	e->key = talloc_strdup(e, key);
	e->value = talloc_strdup(e, value);
	e->data = talloc_memdup(e, (size > 0) ? data : (const uint8_t *)"",
				(size > 0) ? size : 1);
	if (e->key == NULL || e->value == NULL || e->data == NULL) {
		ret = ENOMEM;
		goto done;
	}
	e->type = type;
	e->size = size;
	rc = decode_data(frame, e, &detail);
	if (rc != 0) {
		cr_seterr(errmsg, "Registry.pol: key '%s' value "
			  "'%s': %s", key, value,
			  (detail != NULL) ? detail : "out of memory");
		ret = (rc == EBADMSG) ? EINVAL : rc;
		goto done;
	}
	classify(e);
	*out = talloc_move(mem_ctx, &e);
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

int preg_add(struct preg_file *f, const char *key, const char *value,
	     uint32_t type, const uint8_t *data, uint32_t size,
	     char **errmsg)
{
	struct preg_entry *e = NULL;
	int ret;

	ret = make_entry(f, key, value, type, data, size, &e, errmsg);
	if (ret != 0) {
		goto done;
	}
	ret = append_entry(f, e);
	if (ret != 0) {
		cr_seterr(errmsg, "Registry.pol: cannot add entry %zu: "
			  "%s", f->num_entries,
			  (ret == E2BIG) ? "too many entries" :
			  "out of memory");
		TALLOC_FREE(e);
		ret = (ret == E2BIG) ? EINVAL : ret;
	}
done:
	return ret;
}

int preg_add_dword(struct preg_file *f, const char *key, const char *value,
		   uint32_t v, char **errmsg)
{
	uint8_t d[4];

	cr_store_le32(d, v);
	return preg_add(f, key, value, PREG_REG_DWORD, d, sizeof(d), errmsg);
}

int preg_add_sz(struct preg_file *f, const char *key, const char *value,
		const char *s, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_buf b;
	size_t units = 0;
	int ret = EINVAL;
	int rc;

	cr_buf_init(&b, frame, false);
	rc = utf8_to_utf16(&b, s, &units);
	if (rc != 0) {
		cr_seterr(errmsg, "Registry.pol: key '%s' value '%s': "
			  "string is not UTF-8", key, value);
		goto done;
	}
	cr_put_le16(&b, 0);
	if (b.oom || b.len > UINT32_MAX) {
		ret = ENOMEM;
		goto done;
	}
	ret = preg_add(f, key, value, PREG_REG_SZ, b.data, (uint32_t)b.len,
		       errmsg);
done:
	TALLOC_FREE(frame);
	return ret;
}

int preg_replace_dword(struct preg_file *f, size_t idx, const char *key,
		       const char *value, uint32_t v, char **errmsg)
{
	struct preg_entry *e = NULL;
	uint8_t d[4];
	int ret;

	if (idx >= f->num_entries) {
		cr_seterr(errmsg, "Registry.pol: no entry %zu", idx);
		ret = EINVAL;
		goto done;
	}
	cr_store_le32(d, v);
	ret = make_entry(f, key, value, PREG_REG_DWORD, d, sizeof(d), &e,
			 errmsg);
	if (ret != 0) {
		goto done;
	}
	TALLOC_FREE(f->entries[idx]);
	f->entries[idx] = e;
done:
	return ret;
}

void preg_remove(struct preg_file *f, size_t idx)
{
	if (idx >= f->num_entries) {
		return;
	}
	TALLOC_FREE(f->entries[idx]);
	memmove(&f->entries[idx], &f->entries[idx + 1],
		(f->num_entries - idx - 1) * sizeof(f->entries[0]));
	f->num_entries--;
}
