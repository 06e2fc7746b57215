/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * PRIVATEKEYBLOB and PVK files; see pvk.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "util/cursor.h"
#include "dpapi/stackframe.h"
#include "dpapi/alg.h"
#include "dpapi/pvk.h"
#include "util/error.h"
#include "util/secret.h"

#define CR_RSA2_MAGIC 0x32415352U

int cr_privatekeyblob_parse(TALLOC_CTX *mem_ctx, const uint8_t *data,
			    size_t len, struct cr_rsa_key **out,
			    uint32_t *alg, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_rsa_key *k = NULL;
	struct cr_cursor c;
	const uint8_t *fields = NULL;
	uint8_t btype, bversion;
	uint32_t magic, bits, pubexp;
	uint8_t e[4];
	int ret;

	*out = NULL;
	cr_cursor_init(&c, data, len);
	btype = cr_get_u8(&c, "bType");
	bversion = cr_get_u8(&c, "bVersion");
	(void)cr_get_le16(&c, "reserved");
	*alg = cr_get_le32(&c, "aiKeyAlg");
	magic = cr_get_le32(&c, "magic");
	bits = cr_get_le32(&c, "bitlen");
	pubexp = cr_get_le32(&c, "pubexp");
	if (!cr_cursor_ok(&c) || btype != CR_PRIVATEKEYBLOB ||
	    bversion != 2 || magic != CR_RSA2_MAGIC || bits == 0 ||
	    bits % 16 != 0 || bits > CR_RSA_MAX_BITS) {
		ret = EBADMSG;
		cr_seterr(errmsg, "not an RSA2 PRIVATEKEYBLOB");
		goto done;
	}
	if (cr_cursor_left(&c) != (size_t)bits / 16 * 9) {
		ret = EBADMSG;
		cr_seterr(errmsg, "PRIVATEKEYBLOB for %u bits has %zu "
			  "bytes of key, not %u", bits, cr_cursor_left(&c),
			  bits / 16 * 9);
		goto done;
	}
	k = talloc_zero(frame, struct cr_rsa_key);
	if (k == NULL) {
		ret = ENOMEM;
		goto done;
	}
	cr_store_le32(e, pubexp);
	fields = cr_get_bytes(&c, (size_t)bits / 16 * 9, "key fields");
	ret = cr_bn_from_le(k, &k->e, e, sizeof(e));
	if (ret == 0) {
		ret = cr_rsa_key_from_capi_fields(k, fields, bits / 8,
						  bits / 16);
	}
	if (ret != 0) {
		cr_seterr(errmsg, "out of memory");
		goto done;
	}
	*out = talloc_move(mem_ctx, &k);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_privatekeyblob_build(TALLOC_CTX *mem_ctx, const struct cr_rsa_key *k,
			    uint32_t alg, uint8_t **out, size_t *out_len,
			    char **errmsg)
{
	unsigned bits = (cr_rsa_key_bits(k) + 15) / 16 * 16;
	uint32_t e = 0;
	uint8_t *buf = NULL;
	size_t len = 20 + (size_t)bits / 16 * 9;
	bool ok;

	*out = NULL;
	*out_len = 0;
	if (bits == 0 || bits > CR_RSA_MAX_BITS || !cr_bn_to_u32(&k->e, &e)) {
		cr_seterr(errmsg, "RSA key does not fit a "
			  "PRIVATEKEYBLOB");
		return EINVAL;
	}
	buf = talloc_zero_size(mem_ctx, len);
	if (buf == NULL) {
		cr_seterr(errmsg, "out of memory");
		return ENOMEM;
	}
	credroam_keep_secret(buf);
	buf[0] = CR_PRIVATEKEYBLOB;
	buf[1] = 2;
	cr_store_le32(buf + 4, alg);
	cr_store_le32(buf + 8, CR_RSA2_MAGIC);
	cr_store_le32(buf + 12, bits);
	cr_store_le32(buf + 16, e);
	ok = cr_rsa_key_to_capi_fields(k, buf + 20, bits / 8, bits / 16);
	if (!ok || k->d.len == 0 || k->u.len == 0) {
		talloc_free(buf);
		cr_seterr(errmsg, "RSA key lacks or overflows a CRT "
			  "field");
		return EINVAL;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

int cr_pvk_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		 struct cr_rsa_key **out, uint32_t *keyspec, char **errmsg)
{
	struct cr_cursor c;
	uint32_t magic, encrypted, salt_len, key_len;
	uint32_t alg = 0;
	const uint8_t *blob = NULL;
	int ret;

	*out = NULL;
	cr_cursor_init(&c, data, len);
	magic = cr_get_le32(&c, "magic");
	(void)cr_get_le32(&c, "reserved");
	*keyspec = cr_get_le32(&c, "keytype");
	encrypted = cr_get_le32(&c, "encrypted");
	salt_len = cr_get_le32(&c, "saltlen");
	key_len = cr_get_le32(&c, "keylen");
	if (!cr_cursor_ok(&c) || magic != CR_PVK_MAGIC) {
		cr_seterr(errmsg, "not a PVK file (magic 0x%08x)",
			  magic);
		return EBADMSG;
	}
	if (encrypted != 0 || salt_len != 0) {
		cr_seterr(errmsg, "password-protected PVK files are "
			  "not supported");
		return EINVAL;
	}
	blob = cr_get_bytes(&c, key_len, "key blob");
	if (!cr_cursor_ok(&c) || cr_cursor_left(&c) != 0) {
		cr_seterr(errmsg, "PVK key length %u does not match "
			  "the %zu bytes after the header", key_len, len - 24);
		return EBADMSG;
	}
	ret = cr_privatekeyblob_parse(mem_ctx, blob, key_len, out, &alg,
				      errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "PVK file");
	}
	return ret;
}

int cr_pvk_build(TALLOC_CTX *mem_ctx, const struct cr_rsa_key *k,
		 uint32_t keyspec, uint8_t **out, size_t *out_len,
		 char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t *blob = NULL;
	size_t blob_len = 0;
	struct cr_buf o;
	uint32_t alg = (keyspec == 2) ? CR_CALG_RSA_SIGN : CR_CALG_RSA_KEYX;
	int ret;

	*out = NULL;
	*out_len = 0;
	ret = cr_privatekeyblob_build(frame, k, alg, &blob, &blob_len, errmsg);
	if (ret != 0) {
		goto done;
	}
	cr_buf_init(&o, frame, true);
	cr_put_le32(&o, CR_PVK_MAGIC);
	cr_put_le32(&o, 0);
	cr_put_le32(&o, keyspec);
	cr_put_le32(&o, 0);
	cr_put_le32(&o, 0);
	cr_put_le32(&o, (uint32_t)blob_len);
	cr_put_bytes(&o, blob, blob_len);
	if (o.oom) {
		ret = ENOMEM;
		cr_seterr(errmsg, "out of memory");
		goto done;
	}
	*out = talloc_steal(mem_ctx, o.data);
	*out_len = o.len;
done:
	TALLOC_FREE(frame);
	return ret;
}
