/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Credential roaming tokens and DN-Binary values; see token.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "format/token.h"
#include "util/cursor.h"
#include "util/encoding.h"
#include "util/error.h"

static const char *const cr_token_problem_names[CR_TOKEN_PROBLEM_COUNT] = {
	[CR_TOKEN_OK] = "ok",
	[CR_TOKEN_HEADER_TRUNCATED] = "header-truncated",
	[CR_TOKEN_TOO_LARGE] = "too-large",
	[CR_TOKEN_BAD_MAGIC] = "bad-magic",
	[CR_TOKEN_BAD_TYPE_CHAR] = "bad-type-char",
	[CR_TOKEN_BAD_SEPARATOR] = "bad-separator",
	[CR_TOKEN_DATA_PAST_END] = "data-past-end",
	[CR_TOKEN_EXTRA_PAST_END] = "extra-past-end",
	[CR_TOKEN_TRAILING_BYTES] = "trailing-bytes",
	[CR_TOKEN_UNKNOWN_TYPE] = "unknown-type",
	[CR_TOKEN_ID_EMPTY] = "id-empty",
	[CR_TOKEN_ID_TOO_LONG] = "id-too-long",
	[CR_TOKEN_ID_PADDING] = "id-padding",
	[CR_TOKEN_ID_SLASH] = "id-slash",
	[CR_TOKEN_ID_DOTDOT] = "id-dotdot",
	[CR_TOKEN_ID_COLON] = "id-colon",
	[CR_TOKEN_ID_CONTROL] = "id-control",
	[CR_TOKEN_ID_NON_ASCII] = "id-non-ascii",
	[CR_TOKEN_ID_FORM] = "id-form",
	[CR_TOKEN_HASH_MISMATCH] = "hash-mismatch",
	[CR_DNB_BAD_PREFIX] = "dnb-bad-prefix",
	[CR_DNB_BAD_COUNT] = "dnb-bad-count",
	[CR_DNB_ODD_COUNT] = "dnb-odd-count",
	[CR_DNB_COUNT_MISMATCH] = "dnb-count-mismatch",
	[CR_DNB_BAD_HEX] = "dnb-bad-hex",
	[CR_DNB_EMPTY_DN] = "dnb-empty-dn",
	[CR_DNB_BAD_DN] = "dnb-bad-dn",
	[CR_AD_DN_EXTENDED] = "dn-extended",
	[CR_AD_DN_NOT_OWNER] = "dn-not-owner",
	[CR_AD_WRONG_ATTRIBUTE] = "wrong-attribute",
	[CR_AD_VALUE_TOO_BIG] = "value-too-big",
};

/* What each identifier problem means, for messages. */
static const char *cr_token_id_reason(enum cr_token_problem p)
{
	switch (p) {
	case CR_TOKEN_UNKNOWN_TYPE:
		return "unknown token type";
	case CR_TOKEN_ID_EMPTY:
		return "empty identifier";
	case CR_TOKEN_ID_TOO_LONG:
		return "identifier longer than 92 bytes (no NUL in its "
		       "93-byte field)";
	case CR_TOKEN_ID_PADDING:
		return "non-zero byte after the identifier's NUL";
	case CR_TOKEN_ID_SLASH:
		return "path separator in identifier";
	case CR_TOKEN_ID_DOTDOT:
		return "'..' in identifier";
	case CR_TOKEN_ID_COLON:
		return "':' in identifier";
	case CR_TOKEN_ID_CONTROL:
		return "control character in identifier";
	case CR_TOKEN_ID_NON_ASCII:
		return "non-ASCII byte in identifier";
	case CR_TOKEN_ID_FORM:
		return "identifier does not have the form of its type";
	default:
		return cr_token_problem_name(p);
	}
}

const char *cr_token_problem_name(enum cr_token_problem p)
{
	if ((unsigned)p >= CR_TOKEN_PROBLEM_COUNT ||
	    cr_token_problem_names[p] == NULL) {
		return "unknown-problem";
	}
	return cr_token_problem_names[p];
}

const char *cr_token_type_name(unsigned type)
{
	switch (type) {
	case CR_TOKEN_DPAPI_MASTER_KEY:
		return "DPAPIMasterKey";
	case CR_TOKEN_CAPI_RSA_KEY:
		return "RSAPrivateKey";
	case CR_TOKEN_CAPI_DSS_KEY:
		return "DSAPrivateKey";
	case CR_TOKEN_CAPI_CERT:
		return "CryptoApiCertificate";
	case CR_TOKEN_CAPI_REQUEST:
		return "CryptoApiRequest";
	case CR_TOKEN_CNG_CERT:
		return "CNGCertificate";
	case CR_TOKEN_CNG_REQUEST:
		return "CNGRequest";
	case CR_TOKEN_CNG_KEY:
		return "CNGPrivateKey";
	default:
		return NULL;
	}
}

bool cr_token_type_known(unsigned type)
{
	return cr_token_type_name(type) != NULL;
}

const char *cr_token_type_attribute(unsigned type)
{
	if (!cr_token_type_known(type)) {
		return NULL;
	}
	if (type == CR_TOKEN_DPAPI_MASTER_KEY) {
		return CR_ATTR_MASTER_KEYS;
	}
	return CR_ATTR_CREDENTIALS;
}

bool cr_token_type_is_certificate(unsigned type)
{
	return type == CR_TOKEN_CAPI_CERT || type == CR_TOKEN_CAPI_REQUEST ||
	       type == CR_TOKEN_CNG_CERT || type == CR_TOKEN_CNG_REQUEST;
}

bool cr_token_type_is_key(unsigned type)
{
	return type == CR_TOKEN_CAPI_RSA_KEY || type == CR_TOKEN_CAPI_DSS_KEY ||
	       type == CR_TOKEN_CNG_KEY;
}

static bool cr_is_hex(char c, bool upper_only)
{
	if (c >= '0' && c <= '9') {
		return true;
	}
	if (c >= 'A' && c <= 'F') {
		return true;
	}
	return !upper_only && c >= 'a' && c <= 'f';
}

static bool cr_is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool cr_all_hex(const char *s, size_t n, bool upper_only)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!cr_is_hex(s[i], upper_only)) {
			return false;
		}
	}
	return true;
}

/* A GUID string in one case: Windows writes either, never a mix. */
static bool cr_is_guid_form(const char *s, size_t n)
{
	bool lower = false;
	bool upper = false;
	size_t i;

	if (n != 36) {
		return false;
	}
	for (i = 0; i < n; i++) {
		bool dash_pos = (i == 8 || i == 13 || i == 18 || i == 23);

		if (dash_pos) {
			if (s[i] != '-') {
				return false;
			}
			continue;
		}
		if (!cr_is_hex(s[i], false)) {
			return false;
		}
		lower |= (s[i] >= 'a' && s[i] <= 'f');
		upper |= (s[i] >= 'A' && s[i] <= 'F');
	}
	return !(lower && upper);
}

static bool cr_id_has_type_form(unsigned type, const char *id, size_t n)
{
	size_t i;

	switch (type) {
	case CR_TOKEN_DPAPI_MASTER_KEY:
		if (n == strlen(CR_TOKEN_PREFERRED_ID) &&
		    memcmp(id, CR_TOKEN_PREFERRED_ID, n) == 0) {
			return true;
		}
		return cr_is_guid_form(id, n);
	case CR_TOKEN_CAPI_RSA_KEY:
	case CR_TOKEN_CAPI_DSS_KEY:
		/* <MD5 of the container name>_<machine GUID> */
		if (n != 32 + 1 + 36 || id[32] != '_') {
			return false;
		}
		for (i = 0; i < 32; i++) {
			if (!cr_is_lower_hex(id[i])) {
				return false;
			}
		}
		return cr_is_guid_form(id + 33, 36);
	case CR_TOKEN_CAPI_CERT:
	case CR_TOKEN_CAPI_REQUEST:
	case CR_TOKEN_CNG_CERT:
	case CR_TOKEN_CNG_REQUEST:
		/* the SHA-1 thumbprint, as the store names its files */
		return n == 40 && cr_all_hex(id, n, true);
	case CR_TOKEN_CNG_KEY:
		return n == 40 && cr_all_hex(id, n, false);
	default:
		return false;
	}
}

enum cr_token_problem cr_token_check_identifier(unsigned type,
						const char *id, size_t len,
						size_t *offset)
{
	size_t i;

	if (offset != NULL) {
		*offset = 0;
	}
	if (!cr_token_type_known(type)) {
		return CR_TOKEN_UNKNOWN_TYPE;
	}
	if (len == 0) {
		return CR_TOKEN_ID_EMPTY;
	}
	if (len > CR_TOKEN_ID_MAX_LEN) {
		if (offset != NULL) {
			*offset = CR_TOKEN_ID_MAX_LEN;
		}
		return CR_TOKEN_ID_TOO_LONG;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)id[i];
		enum cr_token_problem p = CR_TOKEN_OK;

		if (c < 0x20 || c == 0x7f) {
			p = CR_TOKEN_ID_CONTROL;
		} else if (c >= 0x80) {
			p = CR_TOKEN_ID_NON_ASCII;
		} else if (c == '/' || c == '\\') {
			p = CR_TOKEN_ID_SLASH;
		} else if (c == ':') {
			p = CR_TOKEN_ID_COLON;
		} else if (c == '.' && i + 1 < len && id[i + 1] == '.') {
			p = CR_TOKEN_ID_DOTDOT;
		}
		if (p != CR_TOKEN_OK) {
			if (offset != NULL) {
				*offset = i;
			}
			return p;
		}
	}
	if (!cr_id_has_type_form(type, id, len)) {
		return CR_TOKEN_ID_FORM;
	}
	return CR_TOKEN_OK;
}

/*
 * Printable form of an identifier that may be hostile: '\' doubled, other
 * bytes outside 0x20..0x7e as \xNN.  Safe identifiers come out unchanged.
 */
static char *cr_id_escape(TALLOC_CTX *mem_ctx, const char *id, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	/* one allocation for the worst case: every byte as "\xNN" */
	char *s = talloc_array(mem_ctx, char, len * 4 + 1);
	size_t o = 0;
	size_t i;

	if (s == NULL) {
		return NULL;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)id[i];

		if (c == '\\') {
			s[o++] = '\\';
			s[o++] = '\\';
		} else if (c < 0x20 || c >= 0x7f) {
			s[o++] = '\\';
			s[o++] = 'x';
			s[o++] = hex[c >> 4];
			s[o++] = hex[c & 0xf];
		} else {
			s[o++] = (char)c;
		}
	}
	s[o] = '\0';
	return s;
}

/*
 * Classify the 93-byte identifier field: unterminated, junk in the
 * padding, then the rules every identifier obeys.
 */
static enum cr_token_problem cr_id_field_problem(unsigned type,
						 const uint8_t *field,
						 size_t *id_len)
{
	const uint8_t *nul = memchr(field, 0, CR_TOKEN_ID_FIELD_SIZE);
	size_t n;
	size_t i;

	if (nul == NULL) {
		*id_len = CR_TOKEN_ID_FIELD_SIZE;
		return cr_token_type_known(type) ? CR_TOKEN_ID_TOO_LONG
						 : CR_TOKEN_UNKNOWN_TYPE;
	}
	n = (size_t)(nul - field);
	*id_len = n;
	if (!cr_token_type_known(type)) {
		return CR_TOKEN_UNKNOWN_TYPE;
	}
	for (i = n; i < CR_TOKEN_ID_FIELD_SIZE; i++) {
		if (field[i] != 0) {
			return CR_TOKEN_ID_PADDING;
		}
	}
	return cr_token_check_identifier(type, (const char *)field, n, NULL);
}

static bool cr_sha1_is_zero(const uint8_t *h)
{
	size_t i;

	for (i = 0; i < CR_SHA1_LEN; i++) {
		if (h[i] != 0) {
			return false;
		}
	}
	return true;
}

int cr_token_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
		   struct cr_token **_token, enum cr_token_problem *problem,
		   char **errmsg)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct cr_token *t = NULL;
	struct cr_cursor c;
	enum cr_token_problem why = CR_TOKEN_OK;
	size_t id_len = 0;
	size_t left;
	uint8_t magic, type_char, sep;
	bool ok;
	int ret = EBADMSG;

	*_token = NULL;
	if (frame == NULL) {
		return ENOMEM;
	}
	if (problem != NULL) {
		*problem = CR_TOKEN_OK;
	}
	if (len < CR_TOKEN_HEADER_SIZE) {
		why = CR_TOKEN_HEADER_TRUNCATED;
		cr_seterr(errmsg, "token: header truncated: %zu "
			  "bytes, a token has at least %d", len,
			  CR_TOKEN_HEADER_SIZE);
		goto done;
	}
	if (len > CR_TOKEN_MAX_SIZE) {
		why = CR_TOKEN_TOO_LARGE;
		cr_seterr(errmsg, "token: %zu bytes is more than "
			  "the %d a token may have", len, CR_TOKEN_MAX_SIZE);
		goto done;
	}

	t = talloc_zero(frame, struct cr_token);
	if (t == NULL) {
		ret = ENOMEM;
		goto nomem;
	}
	t->raw = talloc_memdup(t, buf, len);
	if (t->raw == NULL) {
		ret = ENOMEM;
		goto nomem;
	}
	t->raw_len = len;

	/* the header is all there (checked above): read it straight */
	cr_cursor_init(&c, t->raw, len);
	magic = cr_get_u8(&c, "magic");
	type_char = cr_get_u8(&c, "type");
	sep = cr_get_u8(&c, "separator");
	cr_get_copy(&c, t->id_field, sizeof(t->id_field), "identifier");
	t->filetime = cr_get_le64(&c, "FILETIME");
	t->flags = cr_get_le16(&c, "flags");
	t->extra_length = cr_get_le16(&c, "extra length");
	cr_get_copy(&c, t->sha1, sizeof(t->sha1), "SHA-1");
	t->data_length = cr_get_le32(&c, "data length");
	if (!cr_cursor_ok(&c)) {
		/* cannot happen after the length check; keep it honest */
		why = CR_TOKEN_HEADER_TRUNCATED;
		cr_seterr(errmsg, "token: %s truncated at offset "
			  "0x%zx", c.fail_what, c.fail_off);
		goto done;
	}

	if (magic != '%') {
		why = CR_TOKEN_BAD_MAGIC;
		cr_seterr(errmsg, "token: magic byte is 0x%02x, "
			  "not '%%' at offset 0x0", magic);
		goto done;
	}
	if (type_char < '0' || type_char > '9') {
		why = CR_TOKEN_BAD_TYPE_CHAR;
		cr_seterr(errmsg, "token: type byte 0x%02x is not "
			  "a digit at offset 0x1", type_char);
		goto done;
	}
	if (sep != '\\') {
		why = CR_TOKEN_BAD_SEPARATOR;
		cr_seterr(errmsg, "token: separator byte is 0x%02x, "
			  "not '\\' at offset 0x2", sep);
		goto done;
	}
	t->type = (unsigned)(type_char - '0');

	left = cr_cursor_left(&c);
	if (t->data_length > left) {
		why = CR_TOKEN_DATA_PAST_END;
		cr_seterr(errmsg, "token: data length %u runs past "
			  "the end (%zu bytes left) at offset 0x%x",
			  t->data_length, left, CR_TOKEN_OFF_DATA_LEN);
		goto done;
	}
	t->data = cr_get_bytes(&c, t->data_length, "data");
	left = cr_cursor_left(&c);
	if (t->extra_length > left) {
		why = CR_TOKEN_EXTRA_PAST_END;
		cr_seterr(errmsg, "token: extra length %u runs past "
			  "the end (%zu bytes left after the data) at offset "
			  "0x%x", t->extra_length, left,
			  CR_TOKEN_OFF_EXTRA_LEN);
		goto done;
	}
	t->extra = cr_get_bytes(&c, t->extra_length, "extra data");
	left = cr_cursor_left(&c);
	if (left != 0) {
		why = CR_TOKEN_TRAILING_BYTES;
		cr_seterr(errmsg, "token: %zu trailing bytes after "
			  "data and extra at offset 0x%zx", left, c.off);
		goto done;
	}

	ok = cr_sha1(t->data, t->data_length, t->data_sha1);
	if (!ok) {
		ret = EIO;
		cr_seterr(errmsg, "token: SHA-1 failed");
		goto done;
	}
	t->sha1_valid = (memcmp(t->sha1, t->data_sha1, CR_SHA1_LEN) == 0) ||
			(t->data_length == 0 && cr_sha1_is_zero(t->sha1));

	t->id_problem = cr_id_field_problem(t->type, t->id_field, &id_len);
	t->identifier = talloc_strndup(t, (const char *)t->id_field, id_len);
	t->id_escaped = cr_id_escape(t, (const char *)t->id_field, id_len);
	if (t->identifier == NULL || t->id_escaped == NULL) {
		ret = ENOMEM;
		goto nomem;
	}

	*_token = talloc_move(mem_ctx, &t);
	ret = 0;
	goto done;
nomem:
	cr_seterr(errmsg, "token: out of memory");
done:
	if (problem != NULL) {
		*problem = why;
	}
	TALLOC_FREE(frame);
	return ret;
}

int cr_token_check(TALLOC_CTX *mem_ctx, const struct cr_token *token,
		   enum cr_token_problem *problem, char **errmsg)
{
	enum cr_token_problem why = CR_TOKEN_OK;
	int ret = 0;

	if (token->id_problem != CR_TOKEN_OK) {
		why = token->id_problem;
		ret = EINVAL;
		cr_seterr(errmsg, "token '%u\\%s' refused: %s",
			  token->type, token->id_escaped,
			  cr_token_id_reason(why));
	} else if (!token->sha1_valid) {
		why = CR_TOKEN_HASH_MISMATCH;
		ret = EBADMSG;
		cr_seterr(errmsg, "token '%u\\%s': stored SHA-1 does "
			  "not match the %u bytes of data at offset 0x%x",
			  token->type, token->id_escaped, token->data_length,
			  CR_TOKEN_OFF_SHA1);
	}
	if (problem != NULL) {
		*problem = why;
	}
	return ret;
}

char *cr_token_identity(TALLOC_CTX *mem_ctx, const struct cr_token *token)
{
	return talloc_asprintf(mem_ctx, "%u\\%s", token->type,
			       token->id_escaped);
}

char *cr_token_content_hash(TALLOC_CTX *mem_ctx,
			    const struct cr_token *token)
{
	return cr_hex_upper(mem_ctx, token->data_sha1, CR_SHA1_LEN);
}

bool cr_token_is_tombstone(const struct cr_token *token)
{
	return (token->flags & CR_TOKEN_FLAG_TOMBSTONE) != 0;
}

/* Lay the fields out; the sizes have been checked by the caller. */
static void cr_token_put(struct cr_buf *b, unsigned type,
			 const uint8_t id_field[CR_TOKEN_ID_FIELD_SIZE],
			 uint64_t filetime, uint16_t flags,
			 const uint8_t sha1[CR_SHA1_LEN],
			 const uint8_t *data, uint32_t data_len,
			 const uint8_t *extra, uint16_t extra_len)
{
	cr_put_u8(b, '%');
	cr_put_u8(b, (uint8_t)('0' + type));
	cr_put_u8(b, '\\');
	cr_put_bytes(b, id_field, CR_TOKEN_ID_FIELD_SIZE);
	cr_put_le64(b, filetime);
	cr_put_le16(b, flags);
	cr_put_le16(b, extra_len);
	cr_put_bytes(b, sha1, CR_SHA1_LEN);
	cr_put_le32(b, data_len);
	cr_put_bytes(b, data, data_len);
	cr_put_bytes(b, extra, extra_len);
}

int cr_token_serialize(TALLOC_CTX *mem_ctx, const struct cr_token *token,
		       uint8_t **_buf, size_t *_len, char **errmsg)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct cr_buf b;
	int ret;

	*_buf = NULL;
	*_len = 0;
	if (frame == NULL) {
		return ENOMEM;
	}
	if (token->type > 9) {
		ret = EINVAL;
		cr_seterr(errmsg, "token: type %u has no digit",
			  token->type);
		goto done;
	}
	cr_buf_init(&b, frame, false);
	cr_token_put(&b, token->type, token->id_field, token->filetime,
		     token->flags, token->sha1, token->data,
		     token->data_length, token->extra, token->extra_length);
	if (b.oom) {
		ret = ENOMEM;
		cr_seterr(errmsg, "token: out of memory");
		goto done;
	}
	*_buf = talloc_steal(mem_ctx, b.data);
	*_len = b.len;
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

/*
 * Build from fields, then decode the result, so a built token is exactly
 * what a reader of AD will see.
 */
static int cr_token_assemble(TALLOC_CTX *mem_ctx, unsigned type,
			     const uint8_t id_field[CR_TOKEN_ID_FIELD_SIZE],
			     uint64_t filetime, uint16_t flags,
			     const uint8_t *data, size_t data_len,
			     const uint8_t *extra, size_t extra_len,
			     struct cr_token **_token, char **errmsg)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	uint8_t sha1[CR_SHA1_LEN];
	struct cr_buf b;
	bool ok;
	int ret;

	*_token = NULL;
	if (frame == NULL) {
		return ENOMEM;
	}
	if (data_len > CR_TOKEN_MAX_SIZE - CR_TOKEN_HEADER_SIZE ||
	    extra_len > UINT16_MAX ||
	    extra_len > CR_TOKEN_MAX_SIZE - CR_TOKEN_HEADER_SIZE - data_len) {
		ret = EINVAL;
		cr_seterr(errmsg, "token: %zu bytes of data and %zu "
			  "extra do not fit in a token", data_len, extra_len);
		goto done;
	}
	ok = cr_sha1(data, data_len, sha1);
	if (!ok) {
		ret = EIO;
		cr_seterr(errmsg, "token: SHA-1 failed");
		goto done;
	}
	cr_buf_init(&b, frame, false);
	cr_token_put(&b, type, id_field, filetime, flags, sha1, data,
		     (uint32_t)data_len, extra, (uint16_t)extra_len);
	if (b.oom) {
		ret = ENOMEM;
		cr_seterr(errmsg, "token: out of memory");
		goto done;
	}
	ret = cr_token_parse(mem_ctx, b.data, b.len, _token, NULL, errmsg);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_token_build(TALLOC_CTX *mem_ctx, unsigned type, const char *id,
		   uint64_t filetime, uint16_t flags,
		   const uint8_t *data, size_t data_len,
		   const uint8_t *extra, size_t extra_len,
		   struct cr_token **_token, char **errmsg)
{
	uint8_t id_field[CR_TOKEN_ID_FIELD_SIZE] = { 0 };
	enum cr_token_problem p;
	size_t id_len = (id != NULL) ? strlen(id) : 0;
	size_t off = 0;

	*_token = NULL;
	p = cr_token_check_identifier(type, id, id_len, &off);
	if (p != CR_TOKEN_OK) {
		char *esc = cr_id_escape(mem_ctx, id, id_len);

		cr_seterr(errmsg, "token '%u\\%s' refused: %s at "
			  "offset %zu", type, esc ? esc : "?",
			  cr_token_id_reason(p), off);
		talloc_free(esc);
		return EINVAL;
	}
	memcpy(id_field, id, id_len);
	return cr_token_assemble(mem_ctx, type, id_field, filetime, flags,
				 data, data_len, extra, extra_len, _token,
				 errmsg);
}

int cr_token_update_data(TALLOC_CTX *mem_ctx, const struct cr_token *old,
			 const uint8_t *data, size_t data_len,
			 uint64_t filetime, struct cr_token **_token,
			 char **errmsg)
{
	uint16_t flags = old->flags &
		(uint16_t)~(CR_TOKEN_FLAG_TOMBSTONE | CR_TOKEN_FLAG_UNREADABLE);

	*_token = NULL;
	if (old->id_problem != CR_TOKEN_OK) {
		return cr_token_check(mem_ctx, old, NULL, errmsg);
	}
	return cr_token_assemble(mem_ctx, old->type, old->id_field, filetime,
				 flags, data, data_len, old->extra,
				 old->extra_length, _token, errmsg);
}

int cr_token_tombstone(TALLOC_CTX *mem_ctx, const struct cr_token *old,
		       uint64_t filetime, struct cr_token **_token,
		       char **errmsg)
{
	*_token = NULL;
	if (old->id_problem != CR_TOKEN_OK) {
		return cr_token_check(mem_ctx, old, NULL, errmsg);
	}
	return cr_token_assemble(mem_ctx, old->type, old->id_field, filetime,
				 CR_TOKEN_FLAG_TOMBSTONE, NULL, 0, old->extra,
				 old->extra_length, _token, errmsg);
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

/* Sanity bound on the digit count: twice the largest token. */
#define CR_DNB_MAX_DIGITS ((size_t)CR_TOKEN_MAX_SIZE * 2)

int cr_dnbinary_parse(TALLOC_CTX *mem_ctx, const char *s, size_t len,
		      uint8_t **_bin, size_t *_bin_len, char **_dn,
		      enum cr_token_problem *problem, char **errmsg)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	enum cr_token_problem why = CR_TOKEN_OK;
	uint8_t *bin = NULL;
	char *dn = NULL;
	size_t count = 0;
	size_t pos = 2;
	size_t hex_start;
	size_t dn_start;
	size_t i;
	int ret = EBADMSG;

	*_bin = NULL;
	*_bin_len = 0;
	*_dn = NULL;
	if (frame == NULL) {
		return ENOMEM;
	}

	if (len < 2 || s[0] != 'B' || s[1] != ':') {
		why = CR_DNB_BAD_PREFIX;
		cr_seterr(errmsg, "DN-Binary: does not start with "
			  "'B:' at offset 0");
		goto done;
	}
	/* decimal, no sign, no leading zero, bounded before it can wrap */
	while (pos < len && s[pos] >= '0' && s[pos] <= '9') {
		if (pos > 2 && count == 0) {
			why = CR_DNB_BAD_COUNT;
			break;
		}
		count = count * 10 + (size_t)(s[pos] - '0');
		pos++;
		if (count > CR_DNB_MAX_DIGITS) {
			why = CR_DNB_BAD_COUNT;
			break;
		}
	}
	if (why == CR_TOKEN_OK && (pos == 2 || pos >= len || s[pos] != ':')) {
		why = CR_DNB_BAD_COUNT;
	}
	if (why != CR_TOKEN_OK && count > CR_DNB_MAX_DIGITS) {
		cr_seterr(errmsg, "DN-Binary: hex digit count is "
			  "larger than %zu (a token of at most %d bytes) at "
			  "offset %zu", CR_DNB_MAX_DIGITS, CR_TOKEN_MAX_SIZE,
			  pos);
		goto done;
	}
	if (why != CR_TOKEN_OK) {
		cr_seterr(errmsg, "DN-Binary: hex digit count is "
			  "not a plain decimal number followed by ':' (at "
			  "most %zu) at offset %zu", CR_DNB_MAX_DIGITS, pos);
		goto done;
	}
	if (count % 2 != 0) {
		why = CR_DNB_ODD_COUNT;
		cr_seterr(errmsg, "DN-Binary: odd hex digit count "
			  "%zu at offset 2", count);
		goto done;
	}
	hex_start = pos + 1;
	if (count > len - hex_start || hex_start + count >= len ||
	    s[hex_start + count] != ':') {
		size_t have = 0;

		while (hex_start + have < len &&
		       cr_hexval(s[hex_start + have]) >= 0) {
			have++;
		}
		why = CR_DNB_COUNT_MISMATCH;
		cr_seterr(errmsg, "DN-Binary: count says %zu hex "
			  "digits, %zu are there before the DN at offset %zu",
			  count, have, hex_start);
		goto done;
	}
	bin = talloc_array(frame, uint8_t, count / 2 + 1);
	if (bin == NULL) {
		ret = ENOMEM;
		goto nomem;
	}
	for (i = 0; i < count; i += 2) {
		int hi = cr_hexval(s[hex_start + i]);
		int lo = cr_hexval(s[hex_start + i + 1]);

		if (hi < 0 || lo < 0) {
			why = CR_DNB_BAD_HEX;
			cr_seterr(errmsg, "DN-Binary: not a hex digit "
				  "at offset %zu",
				  hex_start + i + (hi < 0 ? 0 : 1));
			goto done;
		}
		bin[i / 2] = (uint8_t)((hi << 4) | lo);
	}
	dn_start = hex_start + count + 1;
	if (dn_start >= len) {
		why = CR_DNB_EMPTY_DN;
		cr_seterr(errmsg, "DN-Binary: empty DN at offset "
			  "%zu", dn_start);
		goto done;
	}
	for (i = dn_start; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch == 0x7f) {
			why = CR_DNB_BAD_DN;
			cr_seterr(errmsg, "DN-Binary: control "
				  "character 0x%02x in the DN at offset %zu",
				  ch, i);
			goto done;
		}
	}
	dn = talloc_strndup(frame, s + dn_start, len - dn_start);
	if (dn == NULL) {
		ret = ENOMEM;
		goto nomem;
	}
	*_bin = talloc_move(mem_ctx, &bin);
	*_bin_len = count / 2;
	*_dn = talloc_move(mem_ctx, &dn);
	ret = 0;
	goto done;
nomem:
	cr_seterr(errmsg, "DN-Binary: out of memory");
done:
	if (problem != NULL) {
		*problem = why;
	}
	TALLOC_FREE(frame);
	return ret;
}

int cr_dnbinary_build(TALLOC_CTX *mem_ctx, const uint8_t *bin, size_t len,
		      const char *dn, char **_value, char **errmsg)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	char *hex = NULL;
	char *value = NULL;
	int ret;

	*_value = NULL;
	if (frame == NULL) {
		return ENOMEM;
	}
	if (dn == NULL || dn[0] == '\0') {
		ret = EINVAL;
		cr_seterr(errmsg, "DN-Binary: the owner DN is empty");
		goto done;
	}
	if (len > CR_DNB_MAX_DIGITS / 2) {
		ret = EINVAL;
		cr_seterr(errmsg, "DN-Binary: %zu bytes is too much "
			  "for one value", len);
		goto done;
	}
	hex = cr_hex_upper(frame, bin, len);
	if (hex == NULL) {
		ret = ENOMEM;
		cr_seterr(errmsg, "DN-Binary: out of memory");
		goto done;
	}
	value = talloc_asprintf(frame, "B:%zu:%s:%s", len * 2, hex, dn);
	if (value == NULL) {
		ret = ENOMEM;
		cr_seterr(errmsg, "DN-Binary: out of memory");
		goto done;
	}
	*_value = talloc_move(mem_ctx, &value);
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}
