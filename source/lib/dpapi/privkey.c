/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Private keys of any roamed type to and from GnuTLS; see privkey.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "dpapi/stackframe.h"
#include "dpapi/privkey.h"
#include "util/error.h"
#include "util/secret.h"

/* FIPS 186-4 sizes and a little room: anything larger is not a DSA key. */
#define CR_DSA_MAX_P_BYTES (4096 / 8)
#define CR_DSA_MAX_Q_BYTES (256 / 8)

size_t cr_ec_curve_bytes(gnutls_ecc_curve_t curve)
{
	switch (curve) {
	case GNUTLS_ECC_CURVE_SECP256R1:
		return 32;
	case GNUTLS_ECC_CURVE_SECP384R1:
		return 48;
	case GNUTLS_ECC_CURVE_SECP521R1:
		return 66;
	default:
		return 0;
	}
}

const char *cr_ec_curve_name(gnutls_ecc_curve_t curve)
{
	switch (curve) {
	case GNUTLS_ECC_CURVE_SECP256R1:
		return "P-256";
	case GNUTLS_ECC_CURVE_SECP384R1:
		return "P-384";
	case GNUTLS_ECC_CURVE_SECP521R1:
		return "P-521";
	default:
		return "unknown curve";
	}
}

int cr_ec_key_to_x509(const struct cr_ec_key *k, gnutls_x509_privkey_t *out,
		      char **errmsg, TALLOC_CTX *err_ctx)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_datum_t x = cr_dat(&k->x), y = cr_dat(&k->y);
	gnutls_datum_t d = cr_dat(&k->k);
	size_t size = cr_ec_curve_bytes(k->curve);
	int rc;

	*out = NULL;
	if (size == 0) {
		cr_seterr(errmsg, "EC key on an unsupported curve "
			  "(GnuTLS curve %d)", (int)k->curve);
		return EINVAL;
	}
	/* refuse what cannot be a key before GnuTLS sees it */
	if (k->k.len == 0 || k->x.len == 0 || k->y.len == 0 ||
	    k->k.len > size || k->x.len > size || k->y.len > size) {
		cr_seterr(errmsg, "EC %s key lacks a value or has one "
			  "longer than %zu bytes", cr_ec_curve_name(k->curve),
			  size);
		return EBADMSG;
	}
	rc = gnutls_x509_privkey_init(&xk);
	if (rc < 0) {
		cr_seterr(errmsg, "out of memory");
		return ENOMEM;
	}
	rc = gnutls_x509_privkey_import_ecc_raw(xk, k->curve, &x, &y, &d);
	if (rc == 0) {
		/* the point is on the curve and is k times the generator */
		rc = gnutls_x509_privkey_verify_params(xk);
	}
	if (rc < 0) {
		gnutls_x509_privkey_deinit(xk);
		cr_seterr(errmsg, "inconsistent EC %s key: %s",
			  cr_ec_curve_name(k->curve), gnutls_strerror(rc));
		return EBADMSG;
	}
	*out = xk;
	return 0;
}

int cr_ec_key_from_x509(TALLOC_CTX *mem_ctx, gnutls_x509_privkey_t xk,
			struct cr_ec_key **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_ec_key *k = NULL;
	gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
	gnutls_datum_t v[3];
	struct cr_bn *dst[3];
	int ret = 0;
	int rc;

	*out = NULL;
	memset(v, 0, sizeof(v));
	k = talloc_zero(frame, struct cr_ec_key);
	if (k == NULL) {
		ret = ENOMEM;
		goto done;
	}
	rc = gnutls_x509_privkey_export_ecc_raw(xk, &curve, &v[0], &v[1],
						&v[2]);
	if (rc < 0) {
		ret = EBADMSG;
		cr_seterr(errmsg, "not an EC key: %s",
			  gnutls_strerror(rc));
		goto done;
	}
	k->curve = curve;
	dst[0] = &k->x;
	dst[1] = &k->y;
	dst[2] = &k->k;
	ret = cr_take_datums(k, v, dst, 3);
	if (ret != 0) {
		goto done;
	}
	if (cr_ec_curve_bytes(curve) == 0) {
		const char *name = gnutls_ecc_curve_get_name(curve);

		ret = EINVAL;
		cr_seterr(errmsg, "EC key on curve %s: Windows roams "
			  "only P-256, P-384 and P-521",
			  name != NULL ? name : "(unknown)");
		goto done;
	}
	*out = talloc_move(mem_ctx, &k);
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

int cr_dsa_key_to_x509(const struct cr_dsa_key *k, gnutls_x509_privkey_t *out,
		       char **errmsg, TALLOC_CTX *err_ctx)
{
	gnutls_x509_privkey_t xk = NULL;
	gnutls_datum_t p = cr_dat(&k->p), q = cr_dat(&k->q);
	gnutls_datum_t g = cr_dat(&k->g), y = cr_dat(&k->y);
	gnutls_datum_t x = cr_dat(&k->x);
	int rc;

	*out = NULL;
	if (!cr_bn_odd(&k->p) || !cr_bn_odd(&k->q) || k->g.len == 0 ||
	    k->y.len == 0 || k->x.len == 0 ||
	    k->p.len > CR_DSA_MAX_P_BYTES || k->q.len > CR_DSA_MAX_Q_BYTES ||
	    k->q.len >= k->p.len || k->g.len > k->p.len ||
	    k->y.len > k->p.len || k->x.len > k->q.len) {
		cr_seterr(errmsg, "inconsistent DSA key (p %zu, "
			  "q %zu, g %zu, y %zu, x %zu bytes)", k->p.len, k->q.len,
			  k->g.len, k->y.len, k->x.len);
		return EBADMSG;
	}
	rc = gnutls_x509_privkey_init(&xk);
	if (rc < 0) {
		cr_seterr(errmsg, "out of memory");
		return ENOMEM;
	}
	rc = gnutls_x509_privkey_import_dsa_raw(xk, &p, &q, &g, &y, &x);
	if (rc == 0) {
		/* y is g^x mod p */
		rc = gnutls_x509_privkey_verify_params(xk);
	}
	if (rc < 0) {
		gnutls_x509_privkey_deinit(xk);
		cr_seterr(errmsg, "inconsistent DSA key: %s",
			  gnutls_strerror(rc));
		return EBADMSG;
	}
	*out = xk;
	return 0;
}

int cr_dsa_key_from_x509(TALLOC_CTX *mem_ctx, gnutls_x509_privkey_t xk,
			 struct cr_dsa_key **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_dsa_key *k = NULL;
	gnutls_datum_t v[5];
	struct cr_bn *dst[5];
	int ret = 0;
	int rc;

	*out = NULL;
	memset(v, 0, sizeof(v));
	k = talloc_zero(frame, struct cr_dsa_key);
	if (k == NULL) {
		ret = ENOMEM;
		goto done;
	}
	rc = gnutls_x509_privkey_export_dsa_raw(xk, &v[0], &v[1], &v[2], &v[3],
						&v[4]);
	if (rc < 0) {
		ret = EBADMSG;
		cr_seterr(errmsg, "not a DSA key: %s",
			  gnutls_strerror(rc));
		goto done;
	}
	dst[0] = &k->p;
	dst[1] = &k->q;
	dst[2] = &k->g;
	dst[3] = &k->y;
	dst[4] = &k->x;
	ret = cr_take_datums(k, v, dst, 5);
	if (ret != 0) {
		goto done;
	}
	*out = talloc_move(mem_ctx, &k);
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

static int cr_privkey_new(TALLOC_CTX *mem_ctx, gnutls_pk_algorithm_t alg,
			  struct cr_privkey **out)
{
	*out = talloc_zero(mem_ctx, struct cr_privkey);
	if (*out == NULL) {
		return ENOMEM;
	}
	(*out)->alg = alg;
	return 0;
}

int cr_privkey_wrap_rsa(TALLOC_CTX *mem_ctx, struct cr_rsa_key *rsa,
			struct cr_privkey **out)
{
	int ret = cr_privkey_new(mem_ctx, GNUTLS_PK_RSA, out);

	if (ret == 0) {
		(*out)->rsa = talloc_steal(*out, rsa);
	}
	return ret;
}

int cr_privkey_wrap_ec(TALLOC_CTX *mem_ctx, struct cr_ec_key *ec,
		       struct cr_privkey **out)
{
	int ret = cr_privkey_new(mem_ctx, GNUTLS_PK_ECDSA, out);

	if (ret == 0) {
		(*out)->ec = talloc_steal(*out, ec);
	}
	return ret;
}

int cr_privkey_wrap_dsa(TALLOC_CTX *mem_ctx, struct cr_dsa_key *dsa,
			struct cr_privkey **out)
{
	int ret = cr_privkey_new(mem_ctx, GNUTLS_PK_DSA, out);

	if (ret == 0) {
		(*out)->dsa = talloc_steal(*out, dsa);
	}
	return ret;
}

char *cr_privkey_describe(TALLOC_CTX *mem_ctx, const struct cr_privkey *k)
{
	if (k->alg == GNUTLS_PK_RSA && k->rsa != NULL) {
		return talloc_asprintf(mem_ctx, "RSA-%u",
				       cr_rsa_key_bits(k->rsa));
	}
	if (k->alg == GNUTLS_PK_ECDSA && k->ec != NULL) {
		return talloc_asprintf(mem_ctx, "%s %s",
				       k->ec->ecdh ? "ECDH" : "ECDSA",
				       cr_ec_curve_name(k->ec->curve));
	}
	if (k->alg == GNUTLS_PK_DSA && k->dsa != NULL) {
		return talloc_asprintf(mem_ctx, "DSA-%u",
				       cr_bn_bits(&k->dsa->p));
	}
	return talloc_strdup(mem_ctx, "empty key");
}

int cr_privkey_to_x509(const struct cr_privkey *k, gnutls_x509_privkey_t *out,
		       char **errmsg, TALLOC_CTX *err_ctx)
{
	*out = NULL;
	if (k->alg == GNUTLS_PK_RSA && k->rsa != NULL) {
		return cr_rsa_key_to_x509(k->rsa, out, errmsg, err_ctx);
	}
	if (k->alg == GNUTLS_PK_ECDSA && k->ec != NULL) {
		return cr_ec_key_to_x509(k->ec, out, errmsg, err_ctx);
	}
	if (k->alg == GNUTLS_PK_DSA && k->dsa != NULL) {
		return cr_dsa_key_to_x509(k->dsa, out, errmsg, err_ctx);
	}
	cr_seterr(errmsg, "empty key (algorithm %d)", (int)k->alg);
	return EINVAL;
}

int cr_privkey_from_x509(TALLOC_CTX *mem_ctx, gnutls_x509_privkey_t xk,
			 struct cr_privkey **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_privkey *k = NULL;
	int alg = gnutls_x509_privkey_get_pk_algorithm(xk);
	int ret;

	*out = NULL;
	ret = cr_privkey_new(frame, (gnutls_pk_algorithm_t)alg, &k);
	if (ret != 0) {
		goto done;
	}
	switch (alg) {
	case GNUTLS_PK_RSA:
		ret = cr_rsa_key_from_x509(k, xk, &k->rsa, errmsg);
		break;
	case GNUTLS_PK_ECDSA:
		ret = cr_ec_key_from_x509(k, xk, &k->ec, errmsg);
		break;
	case GNUTLS_PK_DSA:
		ret = cr_dsa_key_from_x509(k, xk, &k->dsa, errmsg);
		break;
	default:
		ret = EINVAL;
		cr_seterr(errmsg, "%s keys do not roam: Windows roams "
			  "RSA, EC (P-256, P-384, P-521) and DSA keys only",
			  alg < 0 ? "(unknown)" :
			  gnutls_pk_algorithm_get_name(alg));
		break;
	}
	if (ret == 0) {
		*out = talloc_move(mem_ctx, &k);
	}
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

int cr_privkey_key_id(const struct cr_privkey *k, uint8_t out[20],
		      char **errmsg, TALLOC_CTX *err_ctx)
{
	gnutls_x509_privkey_t xk = NULL;
	size_t size = 20;
	int ret;
	int rc;

	ret = cr_privkey_to_x509(k, &xk, errmsg, err_ctx);
	if (ret != 0) {
		return ret;
	}
	rc = gnutls_x509_privkey_get_key_id(xk, GNUTLS_KEYID_USE_SHA1, out,
					    &size);
	gnutls_x509_privkey_deinit(xk);
	if (rc < 0 || size != 20) {
		cr_seterr(errmsg, "no key id: %s",
			  gnutls_strerror(rc));
		return EBADMSG;
	}
	return 0;
}

int cr_privkey_to_pkcs8(TALLOC_CTX *mem_ctx, const struct cr_privkey *k,
			bool pem, uint8_t **out, size_t *out_len,
			char **errmsg)
{
	gnutls_x509_privkey_t xk = NULL;
	int ret;

	*out = NULL;
	*out_len = 0;
	ret = cr_privkey_to_x509(k, &xk, errmsg, mem_ctx);
	if (ret != 0) {
		return ret;
	}
	ret = cr_x509_key_to_pkcs8(mem_ctx, xk, pem, out, out_len, errmsg);
	gnutls_x509_privkey_deinit(xk);
	return ret;
}

int cr_privkey_from_pkcs8(TALLOC_CTX *mem_ctx, const uint8_t *data,
			  size_t len, struct cr_privkey **out, char **errmsg)
{
	gnutls_x509_privkey_t xk = NULL;
	int ret;

	*out = NULL;
	ret = cr_x509_key_from_pkcs8(data, len, &xk, errmsg);
	if (ret != 0) {
		return ret;
	}
	ret = cr_privkey_from_x509(mem_ctx, xk, out, errmsg);
	gnutls_x509_privkey_deinit(xk);
	return ret;
}
