/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The token's mechanisms over GnuTLS; see mech.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

#include "p11/mech.h"
#include "util/secret.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

struct mech {
	CK_MECHANISM_TYPE type;
	bool rsa;
	CK_FLAGS flags;
	gnutls_sign_algorithm_t algo;	/* hash-and-sign: fixed */
	gnutls_digest_algorithm_t hash;	/* hash-and-sign: its hash */
	bool on_hash;
	bool pss;
};

#define EC_FLAGS (CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS)

static const struct mech mechs[] = {
	{ CKM_RSA_PKCS, true, CKF_SIGN | CKF_DECRYPT, GNUTLS_SIGN_RSA_RAW,
	  GNUTLS_DIG_UNKNOWN, true, false },
	{ CKM_SHA1_RSA_PKCS, true, CKF_SIGN, GNUTLS_SIGN_RSA_SHA1,
	  GNUTLS_DIG_SHA1, false, false },
	{ CKM_SHA256_RSA_PKCS, true, CKF_SIGN, GNUTLS_SIGN_RSA_SHA256,
	  GNUTLS_DIG_SHA256, false, false },
	{ CKM_SHA384_RSA_PKCS, true, CKF_SIGN, GNUTLS_SIGN_RSA_SHA384,
	  GNUTLS_DIG_SHA384, false, false },
	{ CKM_SHA512_RSA_PKCS, true, CKF_SIGN, GNUTLS_SIGN_RSA_SHA512,
	  GNUTLS_DIG_SHA512, false, false },
	{ CKM_RSA_PKCS_PSS, true, CKF_SIGN, GNUTLS_SIGN_UNKNOWN,
	  GNUTLS_DIG_UNKNOWN, true, true },
	{ CKM_SHA256_RSA_PKCS_PSS, true, CKF_SIGN,
	  GNUTLS_SIGN_RSA_PSS_RSAE_SHA256, GNUTLS_DIG_SHA256, false, true },
	{ CKM_SHA384_RSA_PKCS_PSS, true, CKF_SIGN,
	  GNUTLS_SIGN_RSA_PSS_RSAE_SHA384, GNUTLS_DIG_SHA384, false, true },
	{ CKM_SHA512_RSA_PKCS_PSS, true, CKF_SIGN,
	  GNUTLS_SIGN_RSA_PSS_RSAE_SHA512, GNUTLS_DIG_SHA512, false, true },
	{ CKM_ECDSA, false, CKF_SIGN | EC_FLAGS, GNUTLS_SIGN_UNKNOWN,
	  GNUTLS_DIG_UNKNOWN, true, false },
	{ CKM_ECDSA_SHA256, false, CKF_SIGN | EC_FLAGS,
	  GNUTLS_SIGN_ECDSA_SHA256, GNUTLS_DIG_SHA256, false, false },
	{ CKM_ECDSA_SHA384, false, CKF_SIGN | EC_FLAGS,
	  GNUTLS_SIGN_ECDSA_SHA384, GNUTLS_DIG_SHA384, false, false },
	{ CKM_ECDSA_SHA512, false, CKF_SIGN | EC_FLAGS,
	  GNUTLS_SIGN_ECDSA_SHA512, GNUTLS_DIG_SHA512, false, false },
	/* write.c: a key for an enrollment client (certmonger, p11tool) */
	{ CKM_RSA_PKCS_KEY_PAIR_GEN, true, CKF_GENERATE_KEY_PAIR,
	  GNUTLS_SIGN_UNKNOWN, GNUTLS_DIG_UNKNOWN, false, false },
};

static const struct mech *find_mech(CK_MECHANISM_TYPE type)
{
	size_t i;

	for (i = 0; i < N_ELEMS(mechs); i++) {
		if (mechs[i].type == type) {
			return &mechs[i];
		}
	}
	return NULL;
}

size_t cr_p11_mech_list(CK_MECHANISM_TYPE *out, size_t max)
{
	size_t i;

	for (i = 0; out != NULL && i < N_ELEMS(mechs) && i < max; i++) {
		out[i] = mechs[i].type;
	}
	return N_ELEMS(mechs);
}

CK_RV cr_p11_mech_info(CK_MECHANISM_TYPE type, CK_MECHANISM_INFO *info)
{
	const struct mech *m = find_mech(type);

	if (m == NULL) {
		return CKR_MECHANISM_INVALID;
	}
	info->ulMinKeySize = m->rsa ? 1024 : 256;
	if (m->type == CKM_RSA_PKCS_KEY_PAIR_GEN) {
		info->ulMinKeySize = 2048;
	}
	info->ulMaxKeySize = m->rsa ? 16384 : 521;
	info->flags = m->flags;
	return CKR_OK;
}

/* The PSS variant of GnuTLS for a PKCS#11 hash, or UNKNOWN. */
static gnutls_sign_algorithm_t pss_algo(CK_MECHANISM_TYPE hash,
					CK_RSA_PKCS_MGF_TYPE *mgf,
					CK_ULONG *salt)
{
	switch (hash) {
	case CKM_SHA256:
		*mgf = CKG_MGF1_SHA256;
		*salt = 32;
		return GNUTLS_SIGN_RSA_PSS_RSAE_SHA256;
	case CKM_SHA384:
		*mgf = CKG_MGF1_SHA384;
		*salt = 48;
		return GNUTLS_SIGN_RSA_PSS_RSAE_SHA384;
	case CKM_SHA512:
		*mgf = CKG_MGF1_SHA512;
		*salt = 64;
		return GNUTLS_SIGN_RSA_PSS_RSAE_SHA512;
	default:
		return GNUTLS_SIGN_UNKNOWN;
	}
}

static gnutls_digest_algorithm_t pss_hash(gnutls_sign_algorithm_t a)
{
	return gnutls_sign_get_hash_algorithm(a);
}

/*
 * The PSS parameters GnuTLS can honour: MGF1 with the signature's hash,
 * a salt as long as the hash.
 */
static CK_RV check_pss(const CK_MECHANISM *m, const struct mech *mech,
		       gnutls_sign_algorithm_t *algo)
{
	const CK_RSA_PKCS_PSS_PARAMS *p = m->pParameter;
	CK_RSA_PKCS_MGF_TYPE mgf = 0;
	CK_ULONG salt = 0;
	gnutls_sign_algorithm_t a;

	if (p == NULL || m->ulParameterLen != sizeof(*p)) {
		return CKR_MECHANISM_PARAM_INVALID;
	}
	a = pss_algo(p->hashAlg, &mgf, &salt);
	if (a == GNUTLS_SIGN_UNKNOWN || p->mgf != mgf || p->sLen != salt) {
		return CKR_MECHANISM_PARAM_INVALID;
	}
	if (!mech->on_hash && a != mech->algo) {
		return CKR_MECHANISM_PARAM_INVALID;
	}
	*algo = a;
	return CKR_OK;
}

static bool attr_true(const struct cr_p11_object *o, CK_ATTRIBUTE_TYPE t)
{
	const struct cr_p11_attr *a = cr_p11_object_attr(o, t);

	return a != NULL && a->len == sizeof(CK_BBOOL) &&
	       *(const CK_BBOOL *)a->value == CK_TRUE;
}

CK_RV cr_p11_op_init(TALLOC_CTX *mem_ctx, enum cr_p11_op_kind kind,
		     const CK_MECHANISM *m, const struct cr_p11_object *o,
		     struct cr_p11_op **pop)
{
	const struct mech *mech = find_mech(m->mechanism);
	struct cr_p11_op *op = NULL;
	gnutls_sign_algorithm_t algo = GNUTLS_SIGN_UNKNOWN;
	CK_RV rv;

	*pop = NULL;
	if (mech == NULL) {
		return CKR_MECHANISM_INVALID;
	}
	if ((kind == CR_P11_OP_DECRYPT && (mech->flags & CKF_DECRYPT) == 0) ||
	    (kind == CR_P11_OP_SIGN && (mech->flags & CKF_SIGN) == 0)) {
		return CKR_MECHANISM_INVALID;
	}
	if (o->cls != CKO_PRIVATE_KEY || o->key == NULL) {
		return CKR_KEY_HANDLE_INVALID;
	}
	if (mech->rsa != (o->key->alg == GNUTLS_PK_RSA)) {
		return CKR_KEY_TYPE_INCONSISTENT;
	}
	if (kind == CR_P11_OP_SIGN && !attr_true(o, CKA_SIGN)) {
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	}
	if (kind == CR_P11_OP_DECRYPT && !attr_true(o, CKA_DECRYPT)) {
		return CKR_KEY_FUNCTION_NOT_PERMITTED;
	}
	algo = mech->algo;
	if (mech->pss) {
		rv = check_pss(m, mech, &algo);
		if (rv != CKR_OK) {
			return rv;
		}
	} else if (m->ulParameterLen != 0) {
		return CKR_MECHANISM_PARAM_INVALID;
	}
	op = talloc_zero(mem_ctx, struct cr_p11_op);
	if (op == NULL) {
		return CKR_HOST_MEMORY;
	}
	op->kind = kind;
	op->mech = m->mechanism;
	op->key_handle = o->handle;
	op->sign_algo = algo;
	op->on_hash = mech->on_hash;
	op->pss = mech->pss;
	op->out_len = o->key->sig_len;
	*pop = op;
	return CKR_OK;
}

CK_RV cr_p11_op_update(struct cr_p11_op *op, const uint8_t *data,
		       size_t len)
{
	uint8_t *grown = NULL;

	if (op->kind != CR_P11_OP_SIGN || op->on_hash) {
		/* a raw or prehashed signature is one part (PKCS#11 5.13) */
		return CKR_FUNCTION_NOT_SUPPORTED;
	}
	if (len > CR_P11_MAX_SIGN_INPUT - op->data_len) {
		return CKR_DATA_LEN_RANGE;
	}
	grown = talloc_realloc(op, op->data, uint8_t, op->data_len + len + 1);
	if (grown == NULL) {
		return CKR_HOST_MEMORY;
	}
	op->data = grown;
	if (len > 0) {
		memcpy(op->data + op->data_len, data, len);
	}
	op->data_len += len;
	return CKR_OK;
}

static gnutls_sign_algorithm_t ecdsa_for_hash_len(size_t len)
{
	switch (len) {
	case 20:
		return GNUTLS_SIGN_ECDSA_SHA1;
	case 28:
		return GNUTLS_SIGN_ECDSA_SHA224;
	case 32:
		return GNUTLS_SIGN_ECDSA_SHA256;
	case 48:
		return GNUTLS_SIGN_ECDSA_SHA384;
	case 64:
		return GNUTLS_SIGN_ECDSA_SHA512;
	default:
		return GNUTLS_SIGN_UNKNOWN;
	}
}

/* DER Ecdsa-Sig-Value -> r || s, each padded to half of want. */
static CK_RV ecdsa_raw(const gnutls_datum_t *der, uint8_t *out, size_t want)
{
	gnutls_datum_t r = { NULL, 0 };
	gnutls_datum_t s = { NULL, 0 };
	size_t half = want / 2;
	const gnutls_datum_t *parts[2] = { &r, &s };
	CK_RV rv = CKR_OK;
	size_t i;

	if (gnutls_decode_rs_value(der, &r, &s) != 0) {
		return CKR_FUNCTION_FAILED;
	}
	memset(out, 0, want);
	for (i = 0; i < 2; i++) {
		const uint8_t *p = parts[i]->data;
		size_t n = parts[i]->size;

		while (n > 0 && *p == 0) {
			p++;
			n--;
		}
		if (n > half) {
			rv = CKR_FUNCTION_FAILED;
			break;
		}
		memcpy(out + i * half + (half - n), p, n);
	}
	gnutls_free(r.data);
	gnutls_free(s.data);
	return rv;
}

CK_RV cr_p11_op_sign(struct cr_p11_op *op, const struct cr_p11_key *key,
		     const uint8_t *data, size_t len, uint8_t *out,
		     size_t *out_len)
{
	gnutls_datum_t in = { NULL, 0 };
	gnutls_datum_t sig = { NULL, 0 };
	gnutls_sign_algorithm_t algo = op->sign_algo;
	CK_RV rv = CKR_OK;
	int rc;

	if (*out_len < op->out_len) {
		*out_len = op->out_len;
		return CKR_BUFFER_TOO_SMALL;
	}
	if (op->data != NULL || (data == NULL && len == 0)) {
		rv = cr_p11_op_update(op, data, len);
		if (rv != CKR_OK) {
			return rv;
		}
		in.data = op->data != NULL ? op->data : (uint8_t *)"";
		in.size = op->data_len;
	} else {
		in.data = (uint8_t *)data;
		in.size = len;
	}
	if (op->on_hash && key->alg == GNUTLS_PK_ECDSA) {
		algo = ecdsa_for_hash_len(in.size);
		if (algo == GNUTLS_SIGN_UNKNOWN) {
			return CKR_DATA_LEN_RANGE;
		}
	}
	if (op->on_hash && op->pss &&
	    in.size != (unsigned)gnutls_hash_get_len(pss_hash(algo))) {
		return CKR_DATA_LEN_RANGE;
	}
	if (op->on_hash) {
		rc = gnutls_privkey_sign_hash2(key->priv, algo,
			op->pss ? GNUTLS_PRIVKEY_SIGN_FLAG_RSA_PSS : 0,
			&in, &sig);
	} else {
		rc = gnutls_privkey_sign_data2(key->priv, algo, 0, &in, &sig);
	}
	if (rc != 0) {
		/* a raw RSA input longer than the modulus allows, mostly */
		return rc == GNUTLS_E_INVALID_REQUEST ||
		       rc == GNUTLS_E_PK_SIGN_FAILED ? CKR_DATA_LEN_RANGE
						     : CKR_FUNCTION_FAILED;
	}
	if (key->alg == GNUTLS_PK_ECDSA) {
		rv = ecdsa_raw(&sig, out, op->out_len);
		*out_len = op->out_len;
	} else if (sig.size > op->out_len) {
		rv = CKR_FUNCTION_FAILED;
	} else {
		/* GnuTLS gives the full modulus length */
		memcpy(out, sig.data, sig.size);
		*out_len = sig.size;
	}
	gnutls_free(sig.data);
	return rv;
}

CK_RV cr_p11_op_decrypt(struct cr_p11_op *op, const struct cr_p11_key *key,
			const uint8_t *data, size_t len, uint8_t *out,
			size_t *out_len)
{
	gnutls_datum_t in = { .data = (uint8_t *)data, .size = (unsigned)len };
	gnutls_datum_t pt = { NULL, 0 };
	CK_RV rv = CKR_OK;
	int rc;

	if (len != key->sig_len) {
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	}
	rc = gnutls_privkey_decrypt_data(key->priv, 0, &in, &pt);
	if (rc != 0) {
		return CKR_ENCRYPTED_DATA_INVALID;
	}
	if (pt.size > *out_len) {
		rv = CKR_BUFFER_TOO_SMALL;
	} else {
		memcpy(out, pt.data, pt.size);
	}
	*out_len = pt.size;
	credroam_wipe(pt.data, pt.size);
	gnutls_free(pt.data);
	return rv;
}
