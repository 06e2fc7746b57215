/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CryptoAPI DSS key blobs; see dssblob.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "util/cursor.h"
#include "dpapi/stackframe.h"
#include "dpapi/dssblob.h"
#include "util/error.h"
#include "util/secret.h"

#define CR_DSS1 0x31535344U	/* "DSS1" */
#define CR_DSS2 0x32535344U	/* "DSS2" */
#define CR_PUBLICKEYBLOB 6
#define CR_PRIVATEKEYBLOB 7
#define CR_DSS_Q_LEN 20

int cr_dss_blob_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		      struct cr_dsa_key **out, struct cr_dss_seed *seed,
		      char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_dsa_key *k = NULL;
	struct cr_cursor c;
	const uint8_t *f[4] = { NULL, NULL, NULL, NULL };
	struct cr_dss_seed s;
	uint8_t btype, bversion;
	uint16_t reserved;
	uint32_t alg, magic, bits;
	size_t plen;
	bool priv;
	int ret = EBADMSG;

	*out = NULL;
	cr_cursor_init(&c, data, len);
	btype = cr_get_u8(&c, "bType");
	bversion = cr_get_u8(&c, "bVersion");
	reserved = cr_get_le16(&c, "reserved");
	alg = cr_get_le32(&c, "aiKeyAlg");
	magic = cr_get_le32(&c, "magic");
	bits = cr_get_le32(&c, "bitlen");
	if (!cr_cursor_ok(&c)) {
		cr_seterr(errmsg, "DSS key blob of %zu bytes is "
			  "shorter than its 16-byte header", len);
		goto done;
	}
	priv = btype == CR_PRIVATEKEYBLOB;
	if ((btype != CR_PUBLICKEYBLOB && !priv) || bversion != 2 ||
	    reserved != 0 || alg != CR_CALG_DSS_SIGN ||
	    magic != (priv ? CR_DSS2 : CR_DSS1)) {
		cr_seterr(errmsg, "not a DSS key blob (bType %u, "
			  "bVersion %u, aiKeyAlg 0x%04x, magic 0x%08x)", btype,
			  bversion, alg, magic);
		goto done;
	}
	if (bits < 512 || bits > 1024 || bits % 64 != 0) {
		cr_seterr(errmsg, "DSS key blob: bitlen %u is not "
			  "512..1024 in steps of 64", bits);
		goto done;
	}
	plen = bits / 8;
	f[0] = cr_get_bytes(&c, plen, "p");
	f[1] = cr_get_bytes(&c, CR_DSS_Q_LEN, "q");
	f[2] = cr_get_bytes(&c, plen, "g");
	f[3] = cr_get_bytes(&c, priv ? CR_DSS_Q_LEN : plen, priv ? "x" : "y");
	s.counter = cr_get_le32(&c, "DSSSEED counter");
	cr_get_copy(&c, s.seed, sizeof(s.seed), "DSSSEED seed");
	if (!cr_cursor_ok(&c) || cr_cursor_left(&c) != 0) {
		cr_seterr(errmsg, "DSS key blob (%u bits) is %zu "
			  "bytes, its header says %zu", bits, len,
			  (size_t)16 + 3 * plen + CR_DSS_Q_LEN + 24 -
			  (priv ? plen - CR_DSS_Q_LEN : 0));
		goto done;
	}
	k = talloc_zero(frame, struct cr_dsa_key);
	if (k == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_bn_from_le(k, &k->p, f[0], plen);
	if (ret == 0) {
		ret = cr_bn_from_le(k, &k->q, f[1], CR_DSS_Q_LEN);
	}
	if (ret == 0) {
		ret = cr_bn_from_le(k, &k->g, f[2], plen);
	}
	if (ret == 0) {
		ret = cr_bn_from_le(k, priv ? &k->x : &k->y, f[3],
				    priv ? CR_DSS_Q_LEN : plen);
	}
	if (ret != 0) {
		goto done;
	}
	if (k->p.len == 0 || k->q.len == 0 || k->g.len == 0 ||
	    (priv ? k->x.len : k->y.len) == 0) {
		ret = EBADMSG;
		cr_seterr(errmsg, "DSS key blob has a zero value");
		goto done;
	}
	if (k->p.len != plen) {
		ret = EBADMSG;
		cr_seterr(errmsg, "DSS key blob: p is shorter than "
			  "its bitlen %u", bits);
		goto done;
	}
	if (seed != NULL) {
		*seed = s;
	}
	*out = talloc_move(mem_ctx, &k);
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

int cr_dss_blob_build(TALLOC_CTX *mem_ctx, const struct cr_dsa_key *k,
		      bool private_blob, const struct cr_dss_seed *seed,
		      uint8_t **out, size_t *out_len, char **errmsg)
{
	static const struct cr_dss_seed none = {
		.counter = CR_DSS_SEED_NONE,
	};
	const struct cr_bn *last = private_blob ? &k->x : &k->y;
	size_t plen = k->p.len;
	size_t sizes[4] = {
		plen, CR_DSS_Q_LEN, plen, private_blob ? CR_DSS_Q_LEN : plen,
	};
	const struct cr_bn *v[4] = { &k->p, &k->q, &k->g, last };
	struct cr_buf o;
	bool ok = true;
	size_t i;

	*out = NULL;
	*out_len = 0;
	if (seed == NULL) {
		seed = &none;
	}
	if (plen < 64 || plen > 128 || plen % 8 != 0 || last->len == 0) {
		cr_seterr(errmsg, "a DSA key of %zu-byte p (or "
			  "without its %s) has no CryptoAPI DSS blob", plen,
			  private_blob ? "x" : "y");
		return EINVAL;
	}
	cr_buf_init(&o, mem_ctx, private_blob);
	cr_put_u8(&o, private_blob ? CR_PRIVATEKEYBLOB : CR_PUBLICKEYBLOB);
	cr_put_u8(&o, 2);
	cr_put_le16(&o, 0);
	cr_put_le32(&o, CR_CALG_DSS_SIGN);
	cr_put_le32(&o, private_blob ? CR_DSS2 : CR_DSS1);
	cr_put_le32(&o, (uint32_t)(plen * 8));
	for (i = 0; i < 4 && ok; i++) {
		size_t at = o.len;

		cr_put_zeros(&o, sizes[i]);
		ok = !o.oom && cr_bn_to_le(v[i], o.data + at, sizes[i]);
	}
	cr_put_le32(&o, seed->counter);
	cr_put_bytes(&o, seed->seed, sizeof(seed->seed));
	if (!ok || o.oom) {
		talloc_free(o.data);
		cr_seterr(errmsg, "DSA key value does not fit its DSS "
			  "blob field");
		return o.oom ? ENOMEM : EINVAL;
	}
	*out = o.data;
	*out_len = o.len;
	return 0;
}

#define CR_DSS4 0x34535344U	/* "DSS4" */
#define CR_DSS_V3_VERSION 3

bool cr_dss_key_fits(const struct cr_dsa_key *k)
{
	size_t plen = k->p.len;

	return plen >= 64 && plen <= 128 && plen % 8 == 0 &&
	       k->q.len == CR_DSS_Q_LEN && k->g.len <= plen &&
	       k->y.len <= plen && k->x.len <= CR_DSS_Q_LEN;
}

bool cr_dss_v3_recognise(const uint8_t *data, size_t len)
{
	return len >= CR_DSS_V3_HEADER_LEN &&
	       data[0] == CR_PRIVATEKEYBLOB && data[1] == CR_DSS_V3_VERSION &&
	       cr_le32(data + 4) == CR_CALG_DSS_SIGN &&
	       cr_le32(data + 8) == CR_DSS4;
}

int cr_dss_v3_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		    bool with_x, struct cr_dsa_key **out,
		    struct cr_dss_v3 **pinfo, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_dsa_key *k = NULL;
	struct cr_dss_v3 *info = NULL;
	struct cr_cursor c;
	const uint8_t *f[5] = { NULL, NULL, NULL, NULL, NULL };
	const uint8_t *j = NULL;
	uint32_t bits_p, bits_q, bits_j, bits_x;
	size_t plen, jlen;
	int ret = EBADMSG;

	*out = NULL;
	if (pinfo != NULL) {
		*pinfo = NULL;
	}
	info = talloc_zero(frame, struct cr_dss_v3);
	if (info == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (!cr_dss_v3_recognise(data, len) || data[2] != 0 || data[3] != 0) {
		cr_seterr(errmsg, "not a version-3 DSS private key "
			  "blob ('DSS4' PRIVATEKEYBLOB, %zu bytes)", len);
		goto done;
	}
	cr_cursor_init(&c, data, len);
	cr_skip(&c, 12, "BLOBHEADER, magic");
	bits_p = cr_get_le32(&c, "bitlenP");
	bits_q = cr_get_le32(&c, "bitlenQ");
	bits_j = cr_get_le32(&c, "bitlenJ");
	bits_x = cr_get_le32(&c, "bitlenX");
	info->seed.counter = cr_get_le32(&c, "DSSSEED counter");
	cr_get_copy(&c, info->seed.seed, sizeof(info->seed.seed),
		    "DSSSEED seed");
	if (bits_p < 512 || bits_p > 1024 || bits_p % 64 != 0 ||
	    bits_q != CR_DSS_Q_LEN * 8 || bits_j > bits_p ||
	    (with_x ? bits_x != bits_q : bits_x > bits_q)) {
		cr_seterr(errmsg, "DSS4 blob: bitlenP %u, bitlenQ %u, "
			  "bitlenJ %u, bitlenX %u are not a DSS provider key "
			  "(p 512..1024 bits in steps of 64, q and x 160)",
			  bits_p, bits_q, bits_j, bits_x);
		goto done;
	}
	plen = bits_p / 8;
	jlen = (bits_j + 7) / 8;
	f[0] = cr_get_bytes(&c, plen, "p");
	f[1] = cr_get_bytes(&c, CR_DSS_Q_LEN, "q");
	f[2] = cr_get_bytes(&c, plen, "g");
	j = cr_get_bytes(&c, jlen, "j");
	f[3] = cr_get_bytes(&c, plen, "y");
	if (with_x) {
		f[4] = cr_get_bytes(&c, CR_DSS_Q_LEN, "x");
	}
	if (!cr_cursor_ok(&c) || cr_cursor_left(&c) != 0) {
		cr_seterr(errmsg, "DSS4 blob (%u-bit p, %u-bit j%s) "
			  "is %zu bytes, its header says %zu", bits_p, bits_j,
			  with_x ? ", x" : ", no x", len,
			  (size_t)CR_DSS_V3_HEADER_LEN + 3 * plen +
			  CR_DSS_Q_LEN + jlen + (with_x ? CR_DSS_Q_LEN : 0));
		goto done;
	}
	k = talloc_zero(frame, struct cr_dsa_key);
	if (k == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_bn_from_le(k, &k->p, f[0], plen);
	if (ret == 0) {
		ret = cr_bn_from_le(k, &k->q, f[1], CR_DSS_Q_LEN);
	}
	if (ret == 0) {
		ret = cr_bn_from_le(k, &k->g, f[2], plen);
	}
	if (ret == 0) {
		ret = cr_bn_from_le(k, &k->y, f[3], plen);
	}
	if (ret == 0 && with_x) {
		ret = cr_bn_from_le(k, &k->x, f[4], CR_DSS_Q_LEN);
	}
	if (ret == 0 && jlen > 0) {
		info->j = talloc_memdup(info, j, jlen);
		ret = info->j == NULL ? ENOMEM : 0;
	}
	if (ret != 0) {
		goto done;
	}
	if (k->p.len != plen || k->q.len != CR_DSS_Q_LEN || k->g.len == 0 ||
	    k->y.len == 0 || (with_x && k->x.len == 0)) {
		ret = EBADMSG;
		cr_seterr(errmsg, "DSS4 blob has a zero value, a p "
			  "shorter than its bitlenP %u or a q shorter than 160 "
			  "bits", bits_p);
		goto done;
	}
	info->bitlen_x = bits_x;
	info->bitlen_j = bits_j;
	info->j_len = jlen;
	if (pinfo != NULL) {
		*pinfo = talloc_move(mem_ctx, &info);
	}
	*out = talloc_move(mem_ctx, &k);
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

int cr_dss_v3_build(TALLOC_CTX *mem_ctx, const struct cr_dsa_key *k,
		    bool with_x, const struct cr_dss_v3 *info, uint8_t **out,
		    size_t *out_len, char **errmsg)
{
	static const struct cr_dss_v3 none = {
		.seed = { .counter = CR_DSS_SEED_NONE },
		.bitlen_x = CR_DSS_Q_LEN * 8,
	};
	size_t plen = k->p.len;
	const struct cr_bn *v[3] = { &k->p, &k->q, &k->g };
	size_t sizes[3] = { plen, CR_DSS_Q_LEN, plen };
	struct cr_buf o;
	bool ok = true;
	size_t at;
	size_t i;

	*out = NULL;
	*out_len = 0;
	if (info == NULL) {
		info = &none;
	}
	if (!cr_dss_key_fits(k) || k->y.len == 0 ||
	    (with_x && k->x.len == 0) ||
	    info->j_len != (info->bitlen_j + 7) / 8) {
		cr_seterr(errmsg, "a DSA key with %zu-bit p and %zu-bit "
			  "q%s has no DSS provider blob (p 512..1024 bits in "
			  "steps of 64, q 160)", plen * 8, k->q.len * 8,
			  (with_x && k->x.len == 0) ? " and no x" : "");
		return EINVAL;
	}
	cr_buf_init(&o, mem_ctx, with_x);
	cr_put_u8(&o, CR_PRIVATEKEYBLOB);
	cr_put_u8(&o, CR_DSS_V3_VERSION);
	cr_put_le16(&o, 0);
	cr_put_le32(&o, CR_CALG_DSS_SIGN);
	cr_put_le32(&o, CR_DSS4);
	cr_put_le32(&o, (uint32_t)(plen * 8));
	cr_put_le32(&o, CR_DSS_Q_LEN * 8);
	cr_put_le32(&o, info->bitlen_j);
	cr_put_le32(&o, info->bitlen_x);
	cr_put_le32(&o, info->seed.counter);
	cr_put_bytes(&o, info->seed.seed, sizeof(info->seed.seed));
	for (i = 0; i < 3 && ok; i++) {
		at = o.len;
		cr_put_zeros(&o, sizes[i]);
		ok = !o.oom && cr_bn_to_le(v[i], o.data + at, sizes[i]);
	}
	cr_put_bytes(&o, info->j, info->j_len);
	at = o.len;
	cr_put_zeros(&o, plen);
	ok = ok && !o.oom && cr_bn_to_le(&k->y, o.data + at, plen);
	if (with_x) {
		at = o.len;
		cr_put_zeros(&o, CR_DSS_Q_LEN);
		ok = ok && !o.oom &&
		     cr_bn_to_le(&k->x, o.data + at, CR_DSS_Q_LEN);
	}
	if (!ok || o.oom) {
		talloc_free(o.data);
		cr_seterr(errmsg, "DSA key value does not fit its DSS4 "
			  "blob field");
		return o.oom ? ENOMEM : EINVAL;
	}
	*out = o.data;
	*out_len = o.len;
	return 0;
}
