/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * RSA keys to and from GnuTLS; see pkcs8.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "dpapi/stackframe.h"
#include "dpapi/pkcs8.h"
#include "util/error.h"
#include "util/secret.h"

static int cr_bn_set(TALLOC_CTX *mem_ctx, struct cr_bn *bn, const uint8_t *p,
		     size_t len, bool le)
{
	size_t i;
	size_t skip = 0;

	bn->data = NULL;
	bn->len = 0;
	/* leading zeros are at the end of a little-endian number */
	while (skip < len && p[le ? len - 1 - skip : skip] == 0) {
		skip++;
	}
	bn->data = talloc_size(mem_ctx, len - skip + 1);
	if (bn->data == NULL) {
		return ENOMEM;
	}
	credroam_keep_secret(bn->data);
	bn->len = len - skip;
	for (i = 0; i < bn->len; i++) {
		bn->data[i] = le ? p[len - 1 - skip - i] : p[skip + i];
	}
	return 0;
}

int cr_bn_from_le(TALLOC_CTX *mem_ctx, struct cr_bn *bn, const uint8_t *le,
		  size_t len)
{
	return cr_bn_set(mem_ctx, bn, le, len, true);
}

int cr_bn_from_be(TALLOC_CTX *mem_ctx, struct cr_bn *bn, const uint8_t *be,
		  size_t len)
{
	return cr_bn_set(mem_ctx, bn, be, len, false);
}

bool cr_bn_to_le(const struct cr_bn *bn, uint8_t *out, size_t field_len)
{
	size_t i;

	if (bn->len > field_len) {
		return false;
	}
	memset(out, 0, field_len);
	for (i = 0; i < bn->len; i++) {
		out[i] = bn->data[bn->len - 1 - i];
	}
	return true;
}

bool cr_bn_to_be(const struct cr_bn *bn, uint8_t *out, size_t field_len)
{
	if (bn->len > field_len) {
		return false;
	}
	memset(out, 0, field_len - bn->len);
	if (bn->len > 0) {
		memcpy(out + field_len - bn->len, bn->data, bn->len);
	}
	return true;
}

bool cr_bn_to_u32(const struct cr_bn *bn, uint32_t *v)
{
	size_t i;

	*v = 0;
	if (bn->len > 4) {
		return false;
	}
	for (i = 0; i < bn->len; i++) {
		*v = (*v << 8) | bn->data[i];
	}
	return true;
}

int cr_rsa_key_from_capi_fields(struct cr_rsa_key *k, const uint8_t *p,
				size_t n_len, size_t half_len)
{
	struct cr_bn *half[5] = { &k->p, &k->q, &k->dp, &k->dq, &k->u };
	size_t i;
	int ret;

	ret = cr_bn_from_le(k, &k->n, p, n_len);
	p += n_len;
	for (i = 0; i < 5 && ret == 0; i++) {
		ret = cr_bn_from_le(k, half[i], p, half_len);
		p += half_len;
	}
	if (ret == 0) {
		ret = cr_bn_from_le(k, &k->d, p, n_len);
	}
	return ret;
}

bool cr_rsa_key_to_capi_fields(const struct cr_rsa_key *k, uint8_t *out,
			       size_t n_len, size_t half_len)
{
	const struct cr_bn *half[5] = { &k->p, &k->q, &k->dp, &k->dq, &k->u };
	bool ok;
	size_t i;

	ok = cr_bn_to_le(&k->n, out, n_len);
	out += n_len;
	for (i = 0; i < 5; i++) {
		ok = ok && cr_bn_to_le(half[i], out, half_len);
		out += half_len;
	}
	return ok && cr_bn_to_le(&k->d, out, n_len);
}

unsigned cr_bn_bits(const struct cr_bn *bn)
{
	unsigned bits;
	uint8_t top;

	if (bn->len == 0) {
		return 0;
	}
	bits = (unsigned)(bn->len - 1) * 8;
	for (top = bn->data[0]; top != 0; top >>= 1) {
		bits++;
	}
	return bits;
}

unsigned cr_rsa_key_bits(const struct cr_rsa_key *k)
{
	return cr_bn_bits(&k->n);
}

bool cr_bn_odd(const struct cr_bn *bn)
{
	return bn->len > 0 && (bn->data[bn->len - 1] & 1) != 0;
}

gnutls_datum_t cr_dat(const struct cr_bn *bn)
{
	gnutls_datum_t d = { .data = bn->data, .size = (unsigned)bn->len };

	return d;
}

/* Copy GnuTLS' datums into bns on k, wiping and freeing the datums. */
int cr_take_datums(TALLOC_CTX *k, gnutls_datum_t *v,
			  struct cr_bn **dst, size_t n)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		if (ret == 0 && dst[i] != NULL) {
			ret = cr_bn_from_be(k, dst[i], v[i].data, v[i].size);
		}
		if (v[i].data != NULL) {
			credroam_wipe(v[i].data, v[i].size);
			gnutls_free(v[i].data);
			v[i].data = NULL;
		}
	}
	return ret;
}

int cr_rsa_key_to_x509(const struct cr_rsa_key *k,
		       gnutls_x509_privkey_t *out, char **errmsg,
		       TALLOC_CTX *err_ctx)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_datum_t n = cr_dat(&k->n), e = cr_dat(&k->e);
	gnutls_datum_t d = cr_dat(&k->d), p = cr_dat(&k->p);
	gnutls_datum_t q = cr_dat(&k->q), u = cr_dat(&k->u);
	gnutls_datum_t dp = cr_dat(&k->dp), dq = cr_dat(&k->dq);
	/*
	 * GnuTLS 3.7 leaks e2 when it fails to import e1/e2 without u (its
	 * params_nr then misses slot 7): give the CRT values only together
	 * with u, and let GnuTLS compute all three otherwise.
	 */
	bool crt = (k->dp.len > 0 && k->dq.len > 0 && k->u.len > 0);
	int rc;

	*out = NULL;
	if (k->n.len == 0 || k->e.len == 0 || k->p.len == 0 ||
	    k->q.len == 0) {
		cr_seterr(errmsg, "RSA key lacks n, e, p or q");
		return EBADMSG;
	}
	/*
	 * GnuTLS 3.7's import leaks its integers when it fails, so refuse
	 * what cannot be a key before asking it: odd n, e, p, q; |p|+|q| is
	 * |n| or |n|+1 bytes; the CRT values no longer than their modulus.
	 */
	if (!cr_bn_odd(&k->n) || !cr_bn_odd(&k->e) || !cr_bn_odd(&k->p) ||
	    !cr_bn_odd(&k->q) || k->p.len + k->q.len < k->n.len ||
	    k->p.len + k->q.len > k->n.len + 1 || k->d.len > k->n.len ||
	    k->dp.len > k->p.len || k->dq.len > k->q.len ||
	    k->u.len > k->p.len) {
		cr_seterr(errmsg, "inconsistent RSA key");
		return EBADMSG;
	}
	rc = gnutls_x509_privkey_init(&xk);
	if (rc < 0) {
		cr_seterr(errmsg, "out of memory");
		return ENOMEM;
	}
	rc = gnutls_x509_privkey_import_rsa_raw2(xk, &n, &e,
						 k->d.len ? &d : NULL, &p, &q,
						 k->u.len ? &u : NULL,
						 crt ? &dp : NULL,
						 crt ? &dq : NULL);
	if (rc == 0) {
		/* refuse a key whose parts do not belong together */
		rc = gnutls_x509_privkey_verify_params(xk);
	}
	if (rc < 0) {
		gnutls_x509_privkey_deinit(xk);
		cr_seterr(errmsg, "inconsistent RSA key: %s",
			  gnutls_strerror(rc));
		return EBADMSG;
	}
	*out = xk;
	return 0;
}

int cr_rsa_key_from_x509(TALLOC_CTX *mem_ctx, gnutls_x509_privkey_t xk,
			 struct cr_rsa_key **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_rsa_key *k = NULL;
	gnutls_datum_t v[8];
	struct cr_bn *dst[8];
	int ret = 0;
	int rc;

	*out = NULL;
	memset(v, 0, sizeof(v));
	k = talloc_zero(frame, struct cr_rsa_key);
	if (k == NULL) {
		ret = ENOMEM;
		goto done;
	}
	rc = gnutls_x509_privkey_export_rsa_raw2(xk, &v[0], &v[1], &v[2],
						 &v[3], &v[4], &v[5], &v[6],
						 &v[7]);
	if (rc < 0) {
		ret = EBADMSG;
		cr_seterr(errmsg, "not an RSA key: %s",
			  gnutls_strerror(rc));
		goto done;
	}
	dst[0] = &k->n;
	dst[1] = &k->e;
	dst[2] = &k->d;
	dst[3] = &k->p;
	dst[4] = &k->q;
	dst[5] = &k->u;
	dst[6] = &k->dp;
	dst[7] = &k->dq;
	ret = cr_take_datums(k, v, dst, 8);
	if (ret == 0) {
		*out = talloc_move(mem_ctx, &k);
	}
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

int cr_rsa_key_to_privkey(const struct cr_rsa_key *k, gnutls_privkey_t *out,
			  char **errmsg, TALLOC_CTX *err_ctx)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_privkey_t pk = NULL;
	int ret;
	int rc;

	*out = NULL;
	ret = cr_rsa_key_to_x509(k, &xk, errmsg, err_ctx);
	if (ret != 0) {
		return ret;
	}
	rc = gnutls_privkey_init(&pk);
	if (rc == 0) {
		rc = gnutls_privkey_import_x509(pk, xk,
			GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
	}
	if (rc < 0) {
		gnutls_x509_privkey_deinit(xk);
		gnutls_privkey_deinit(pk);
		cr_seterr(errmsg, "cannot use the RSA key: %s",
			  gnutls_strerror(rc));
		return EIO;
	}
	*out = pk;
	return 0;
}

int cr_rsa_key_complete(TALLOC_CTX *mem_ctx, const struct cr_rsa_key *k,
			struct cr_rsa_key **out, char **errmsg)
{
	gnutls_x509_privkey_t xk = NULL;
	int ret;

	*out = NULL;
	ret = cr_rsa_key_to_x509(k, &xk, errmsg, mem_ctx);
	if (ret != 0) {
		return ret;
	}
	ret = cr_rsa_key_from_x509(mem_ctx, xk, out, errmsg);
	gnutls_x509_privkey_deinit(xk);
	return ret;
}

int cr_x509_key_to_pkcs8(TALLOC_CTX *mem_ctx, gnutls_x509_privkey_t xk,
			 bool pem, uint8_t **out, size_t *out_len,
			 char **errmsg)
{
	gnutls_datum_t d = { NULL, 0 };
	uint8_t *buf = NULL;
	int rc;

	*out = NULL;
	*out_len = 0;
	rc = gnutls_x509_privkey_export2_pkcs8(xk,
		pem ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER, NULL,
		GNUTLS_PKCS_PLAIN, &d);
	if (rc < 0) {
		cr_seterr(errmsg, "PKCS#8 export failed: %s",
			  gnutls_strerror(rc));
		return EIO;
	}
	buf = credroam_secret_dup(mem_ctx, d.data, d.size);
	credroam_wipe(d.data, d.size);
	gnutls_free(d.data);
	if (buf == NULL) {
		cr_seterr(errmsg, "out of memory");
		return ENOMEM;
	}
	*out = buf;
	*out_len = talloc_get_size(buf);
	return 0;
}

int cr_x509_key_from_pkcs8(const uint8_t *data, size_t len,
			   gnutls_x509_privkey_t *out, char **errmsg)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_datum_t d = {
		.data = (uint8_t *)(uintptr_t)data, .size = (unsigned)len,
	};
	bool pem = (len >= 10 && memmem(data, len, "-----BEGIN", 10) != NULL);
	int rc;

	*out = NULL;
	if (len == 0 || len > UINT32_MAX) {
		cr_seterr(errmsg, "key file empty or too large");
		return EBADMSG;
	}
	rc = gnutls_x509_privkey_init(&xk);
	if (rc < 0) {
		cr_seterr(errmsg, "out of memory");
		return ENOMEM;
	}
	rc = gnutls_x509_privkey_import2(xk, &d,
		pem ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER, NULL,
		GNUTLS_PKCS_PLAIN);
	if (rc < 0) {
		gnutls_x509_privkey_deinit(xk);
		cr_seterr(errmsg, "not an unencrypted private key: "
			  "%s", gnutls_strerror(rc));
		return EBADMSG;
	}
	*out = xk;
	return 0;
}
