/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Bounded reader and growable writer; see cursor.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "util/cursor.h"
#include "util/secret.h"

void cr_cursor_init(struct cr_cursor *c, const uint8_t *data, size_t len)
{
	*c = (struct cr_cursor) {
		.base = data,
		.len = (data != NULL) ? len : 0,
	};
}

size_t cr_cursor_left(const struct cr_cursor *c)
{
	if (c->status != 0) {
		return 0;
	}
	return c->len - c->off;
}

bool cr_cursor_ok(const struct cr_cursor *c)
{
	return c->status == 0;
}

void cr_cursor_fail(struct cr_cursor *c, int status, const char *what)
{
	if (c->status != 0) {
		return;
	}
	c->status = status;
	c->fail_off = c->off;
	c->fail_what = what;
}

static const uint8_t *cr_take(struct cr_cursor *c, size_t n,
			      const char *what)
{
	const uint8_t *p = NULL;

	if (c->status != 0) {
		return NULL;
	}
	if (n > c->len - c->off) {
		cr_cursor_fail(c, EBADMSG, what);
		return NULL;
	}
	p = c->base + c->off;
	c->off += n;
	return p;
}

uint8_t cr_get_u8(struct cr_cursor *c, const char *what)
{
	const uint8_t *p = cr_take(c, 1, what);

	return (p != NULL) ? p[0] : 0;
}

uint16_t cr_get_le16(struct cr_cursor *c, const char *what)
{
	const uint8_t *p = cr_take(c, 2, what);

	return (p != NULL) ? cr_le16(p) : 0;
}

uint32_t cr_get_le32(struct cr_cursor *c, const char *what)
{
	const uint8_t *p = cr_take(c, 4, what);

	return (p != NULL) ? cr_le32(p) : 0;
}

uint64_t cr_get_le64(struct cr_cursor *c, const char *what)
{
	const uint8_t *p = cr_take(c, 8, what);

	return (p != NULL) ? cr_le64(p) : 0;
}

uint16_t cr_get_be16(struct cr_cursor *c, const char *what)
{
	const uint8_t *p = cr_take(c, 2, what);

	if (p == NULL) {
		return 0;
	}
	return (uint16_t)(((uint16_t)p[0] << 8) | (uint16_t)p[1]);
}

uint32_t cr_get_be32(struct cr_cursor *c, const char *what)
{
	const uint8_t *p = cr_take(c, 4, what);

	if (p == NULL) {
		return 0;
	}
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

const uint8_t *cr_get_bytes(struct cr_cursor *c, size_t n, const char *what)
{
	return cr_take(c, n, what);
}

void cr_get_copy(struct cr_cursor *c, void *out, size_t n, const char *what)
{
	const uint8_t *p = cr_take(c, n, what);

	if (p == NULL) {
		memset(out, 0, n);
		return;
	}
	memcpy(out, p, n);
}

void cr_skip(struct cr_cursor *c, size_t n, const char *what)
{
	(void)cr_take(c, n, what);
}

void cr_buf_init(struct cr_buf *b, TALLOC_CTX *mem_ctx, bool secret)
{
	*b = (struct cr_buf) { .secret = secret };
	b->data = talloc_size(mem_ctx, 0);
	if (b->data == NULL) {
		b->oom = true;
		return;
	}
	if (secret) {
		credroam_keep_secret(b->data);
	}
}

static uint8_t *cr_grow(struct cr_buf *b, size_t n)
{
	uint8_t *nd = NULL;
	size_t need;

	if (b->oom) {
		return NULL;
	}
	if (n > SIZE_MAX - b->len) {
		b->oom = true;
		return NULL;
	}
	need = b->len + n;
	if (need <= talloc_get_size(b->data)) {
		b->len = need;
		return b->data + need - n;
	}
	/*
	 * Grow geometrically.  A secret buffer is never realloc'ed in place:
	 * the old copy would survive unwiped in freed memory.
	 */
	{
		size_t cap = talloc_get_size(b->data) * 2;
		TALLOC_CTX *parent = talloc_parent(b->data);

		if (cap < need) {
			cap = need;
		}
		if (cap < 64) {
			cap = 64;
		}
		nd = talloc_size(parent, cap);
		if (nd == NULL) {
			b->oom = true;
			return NULL;
		}
		if (b->secret) {
			credroam_keep_secret(nd);
		}
		if (b->len > 0) {
			memcpy(nd, b->data, b->len);
		}
		talloc_free(b->data);
		b->data = nd;
	}
	b->len = need;
	return b->data + need - n;
}

void cr_put_bytes(struct cr_buf *b, const void *p, size_t n)
{
	uint8_t *d = NULL;

	if (n == 0) {
		return;
	}
	d = cr_grow(b, n);
	if (d != NULL) {
		memcpy(d, p, n);
	}
}

void cr_put_zeros(struct cr_buf *b, size_t n)
{
	uint8_t *d = NULL;

	if (n == 0) {
		return;
	}
	d = cr_grow(b, n);
	if (d != NULL) {
		memset(d, 0, n);
	}
}

void cr_put_u8(struct cr_buf *b, uint8_t v)
{
	cr_put_bytes(b, &v, 1);
}

void cr_put_le16(struct cr_buf *b, uint16_t v)
{
	uint8_t t[2];

	cr_store_le16(t, v);
	cr_put_bytes(b, t, sizeof(t));
}

void cr_put_le32(struct cr_buf *b, uint32_t v)
{
	uint8_t t[4];

	cr_store_le32(t, v);
	cr_put_bytes(b, t, sizeof(t));
}

void cr_put_le64(struct cr_buf *b, uint64_t v)
{
	uint8_t t[8];

	cr_store_le64(t, v);
	cr_put_bytes(b, t, sizeof(t));
}

void cr_put_be32(struct cr_buf *b, uint32_t v)
{
	uint8_t t[4] = {
		(uint8_t)(v >> 24), (uint8_t)(v >> 16),
		(uint8_t)(v >> 8), (uint8_t)v,
	};

	cr_put_bytes(b, t, sizeof(t));
}

uint16_t cr_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t cr_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

uint64_t cr_le64(const uint8_t *p)
{
	return (uint64_t)cr_le32(p) | ((uint64_t)cr_le32(p + 4) << 32);
}

void cr_store_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void cr_store_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void cr_store_le64(uint8_t *p, uint64_t v)
{
	cr_store_le32(p, (uint32_t)v);
	cr_store_le32(p + 4, (uint32_t)(v >> 32));
}
