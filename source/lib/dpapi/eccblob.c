/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * BCRYPT_ECCKEY_BLOB; see eccblob.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "util/cursor.h"
#include "dpapi/stackframe.h"
#include "dpapi/eccblob.h"
#include "util/error.h"
#include "util/secret.h"

/* 'E' 'C' then 'S' (signature) or 'K' (key agreement), then the digit. */
#define CR_ECC_MAGIC(use, digit) \
	((uint32_t)'E' | (uint32_t)'C' << 8 | (uint32_t)(use) << 16 | \
	 (uint32_t)(digit) << 24)

struct cr_ecc_magic {
	uint32_t magic;
	gnutls_ecc_curve_t curve;
	bool ecdh;
	bool private_blob;
};

static const struct cr_ecc_magic cr_ecc_magics[] = {
	{ CR_ECC_MAGIC('S', '1'), GNUTLS_ECC_CURVE_SECP256R1, false, false },
	{ CR_ECC_MAGIC('S', '2'), GNUTLS_ECC_CURVE_SECP256R1, false, true },
	{ CR_ECC_MAGIC('S', '3'), GNUTLS_ECC_CURVE_SECP384R1, false, false },
	{ CR_ECC_MAGIC('S', '4'), GNUTLS_ECC_CURVE_SECP384R1, false, true },
	{ CR_ECC_MAGIC('S', '5'), GNUTLS_ECC_CURVE_SECP521R1, false, false },
	{ CR_ECC_MAGIC('S', '6'), GNUTLS_ECC_CURVE_SECP521R1, false, true },
	{ CR_ECC_MAGIC('K', '1'), GNUTLS_ECC_CURVE_SECP256R1, true, false },
	{ CR_ECC_MAGIC('K', '2'), GNUTLS_ECC_CURVE_SECP256R1, true, true },
	{ CR_ECC_MAGIC('K', '3'), GNUTLS_ECC_CURVE_SECP384R1, true, false },
	{ CR_ECC_MAGIC('K', '4'), GNUTLS_ECC_CURVE_SECP384R1, true, true },
	{ CR_ECC_MAGIC('K', '5'), GNUTLS_ECC_CURVE_SECP521R1, true, false },
	{ CR_ECC_MAGIC('K', '6'), GNUTLS_ECC_CURVE_SECP521R1, true, true },
};

/* Named-curve-by-property blobs: known, not supported. */
static const uint32_t cr_ecc_generic[] = {
	CR_ECC_MAGIC('D', 'P'), CR_ECC_MAGIC('D', 'V'),
	CR_ECC_MAGIC('K', 'P'), CR_ECC_MAGIC('K', 'V'),
};

#define CR_N(a) (sizeof(a) / sizeof((a)[0]))

static const struct cr_ecc_magic *cr_ecc_find(uint32_t magic)
{
	size_t i;

	for (i = 0; i < CR_N(cr_ecc_magics); i++) {
		if (cr_ecc_magics[i].magic == magic) {
			return &cr_ecc_magics[i];
		}
	}
	return NULL;
}

static bool cr_ecc_is_generic(uint32_t magic)
{
	size_t i;

	for (i = 0; i < CR_N(cr_ecc_generic); i++) {
		if (cr_ecc_generic[i] == magic) {
			return true;
		}
	}
	return false;
}

bool cr_bcrypt_ecc_magic(uint32_t magic)
{
	return cr_ecc_find(magic) != NULL || cr_ecc_is_generic(magic);
}

/* The magic as text when it is printable ("ECS2"), else as hex. */
static char *cr_magic_text(TALLOC_CTX *mem_ctx, uint32_t magic)
{
	char s[5];
	size_t i;

	for (i = 0; i < 4; i++) {
		s[i] = (char)((magic >> (8 * i)) & 0xff);
		if (s[i] < 0x20 || s[i] > 0x7e) {
			return talloc_asprintf(mem_ctx, "0x%08x", magic);
		}
	}
	s[4] = '\0';
	return talloc_asprintf(mem_ctx, "'%s'", s);
}

int cr_bcrypt_ecc_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
			struct cr_ec_key **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_ecc_magic *m = NULL;
	struct cr_ec_key *k = NULL;
	struct cr_cursor c;
	const uint8_t *x = NULL;
	const uint8_t *y = NULL;
	const uint8_t *d = NULL;
	uint32_t magic;
	uint32_t cb;
	size_t want;
	int ret = EBADMSG;

	*out = NULL;
	cr_cursor_init(&c, data, len);
	magic = cr_get_le32(&c, "Magic");
	cb = cr_get_le32(&c, "cbKey");
	if (!cr_cursor_ok(&c)) {
		cr_seterr(errmsg, "BCRYPT ECC blob of %zu bytes is "
			  "shorter than its 8-byte header", len);
		goto done;
	}
	m = cr_ecc_find(magic);
	if (m == NULL) {
		cr_seterr(errmsg, "BCRYPT blob magic %s is %s",
			  cr_magic_text(frame, magic),
			  cr_ecc_is_generic(magic) ? "a generic ECC blob whose "
			  "curve is a separate property (not supported)" :
			  "not a P-256, P-384 or P-521 ECC key");
		ret = cr_ecc_is_generic(magic) ? EINVAL : EBADMSG;
		goto done;
	}
	want = cr_ec_curve_bytes(m->curve);
	if (cb != want) {
		cr_seterr(errmsg, "BCRYPT ECC blob %s says cbKey %u, "
			  "the curve %s needs %zu", cr_magic_text(frame, magic),
			  cb, cr_ec_curve_name(m->curve), want);
		goto done;
	}
	x = cr_get_bytes(&c, cb, "X");
	y = cr_get_bytes(&c, cb, "Y");
	if (m->private_blob) {
		d = cr_get_bytes(&c, cb, "d");
	}
	if (!cr_cursor_ok(&c) || cr_cursor_left(&c) != 0) {
		cr_seterr(errmsg, "BCRYPT ECC blob %s is %zu bytes, "
			  "its header says %zu", cr_magic_text(frame, magic),
			  len, (size_t)8 + (m->private_blob ? 3 : 2) * want);
		goto done;
	}
	k = talloc_zero(frame, struct cr_ec_key);
	if (k == NULL) {
		ret = ENOMEM;
		goto done;
	}
	k->curve = m->curve;
	k->ecdh = m->ecdh;
	ret = cr_bn_from_be(k, &k->x, x, cb);
	if (ret == 0) {
		ret = cr_bn_from_be(k, &k->y, y, cb);
	}
	if (ret == 0 && d != NULL) {
		ret = cr_bn_from_be(k, &k->k, d, cb);
	}
	if (ret != 0) {
		goto done;
	}
	if (d != NULL && k->k.len == 0) {
		ret = EBADMSG;
		cr_seterr(errmsg, "BCRYPT ECC blob %s has a zero "
			  "private key", cr_magic_text(frame, magic));
		goto done;
	}
	*out = talloc_move(mem_ctx, &k);
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

int cr_bcrypt_ecc_build(TALLOC_CTX *mem_ctx, const struct cr_ec_key *k,
			bool private_blob, uint8_t **out, size_t *out_len,
			char **errmsg)
{
	const struct cr_bn *v[3] = { &k->x, &k->y, &k->k };
	size_t cb = cr_ec_curve_bytes(k->curve);
	size_t n = private_blob ? 3 : 2;
	uint32_t magic = 0;
	struct cr_buf o;
	bool ok = true;
	size_t i;

	*out = NULL;
	*out_len = 0;
	for (i = 0; i < CR_N(cr_ecc_magics); i++) {
		if (cr_ecc_magics[i].curve == k->curve &&
		    cr_ecc_magics[i].ecdh == k->ecdh &&
		    cr_ecc_magics[i].private_blob == private_blob) {
			magic = cr_ecc_magics[i].magic;
		}
	}
	if (magic == 0 || (private_blob && k->k.len == 0)) {
		cr_seterr(errmsg, "no BCRYPT %s blob for this %s key",
			  private_blob ? "private" : "public",
			  cr_ec_curve_name(k->curve));
		return EINVAL;
	}
	cr_buf_init(&o, mem_ctx, private_blob);
	cr_put_le32(&o, magic);
	cr_put_le32(&o, (uint32_t)cb);
	for (i = 0; i < n && ok; i++) {
		size_t at = o.len;

		cr_put_zeros(&o, cb);
		ok = !o.oom && cr_bn_to_be(v[i], o.data + at, cb);
	}
	if (!ok) {
		talloc_free(o.data);
		cr_seterr(errmsg, "%s key value longer than %zu bytes",
			  cr_ec_curve_name(k->curve), cb);
		return o.oom ? ENOMEM : EINVAL;
	}
	*out = o.data;
	*out_len = o.len;
	return 0;
}
