/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Bounded little-endian reader and growable writer for the binary formats
 * credroam parses (tokens, certificate-store elements, DPAPI structures,
 * PReg files).
 *
 * The reader follows krb5's k5input: after the first failure every getter
 * returns 0/NULL and the first error (and the offset where it happened) is
 * kept, so a decoder is straight-line code with one check at the end.
 * Bounds are checked as "need > left", which cannot wrap.
 */
#ifndef CREDROAM_CURSOR_H
#define CREDROAM_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

struct cr_cursor {
	const uint8_t *base;
	size_t len;
	size_t off;
	int status;		/* 0, or the first errno-style failure */
	size_t fail_off;	/* offset of the first failure */
	const char *fail_what;	/* field that failed, for the message */
};

void cr_cursor_init(struct cr_cursor *c, const uint8_t *data, size_t len);
size_t cr_cursor_left(const struct cr_cursor *c);
bool cr_cursor_ok(const struct cr_cursor *c);

/* Mark the cursor failed (keeps an earlier failure). */
void cr_cursor_fail(struct cr_cursor *c, int status, const char *what);

/*
 * Each getter names the field it reads; on short input it fails with
 * EBADMSG.
 */
uint8_t cr_get_u8(struct cr_cursor *c, const char *what);
uint16_t cr_get_le16(struct cr_cursor *c, const char *what);
uint32_t cr_get_le32(struct cr_cursor *c, const char *what);
uint64_t cr_get_le64(struct cr_cursor *c, const char *what);
uint16_t cr_get_be16(struct cr_cursor *c, const char *what);
uint32_t cr_get_be32(struct cr_cursor *c, const char *what);
/* Returns a pointer into the input, or NULL. */
const uint8_t *cr_get_bytes(struct cr_cursor *c, size_t n, const char *what);
/* Copies n bytes into out (zero-filled on failure). */
void cr_get_copy(struct cr_cursor *c, void *out, size_t n, const char *what);
void cr_skip(struct cr_cursor *c, size_t n, const char *what);

/* Growable output buffer on talloc; an allocation failure is sticky. */
struct cr_buf {
	uint8_t *data;
	size_t len;
	bool oom;
	bool secret;	/* wipe every old copy when growing */
};

void cr_buf_init(struct cr_buf *b, TALLOC_CTX *mem_ctx, bool secret);
void cr_put_u8(struct cr_buf *b, uint8_t v);
void cr_put_le16(struct cr_buf *b, uint16_t v);
void cr_put_le32(struct cr_buf *b, uint32_t v);
void cr_put_le64(struct cr_buf *b, uint64_t v);
void cr_put_be32(struct cr_buf *b, uint32_t v);
void cr_put_bytes(struct cr_buf *b, const void *p, size_t n);
void cr_put_zeros(struct cr_buf *b, size_t n);

/* Little-endian helpers for fixed buffers. */
uint16_t cr_le16(const uint8_t *p);
uint32_t cr_le32(const uint8_t *p);
uint64_t cr_le64(const uint8_t *p);
void cr_store_le16(uint8_t *p, uint16_t v);
void cr_store_le32(uint8_t *p, uint32_t v);
void cr_store_le64(uint8_t *p, uint64_t v);

#endif
