/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DSS provider key containers; see capi_dss.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "util/cursor.h"
#include "dpapi/stackframe.h"
#include "dpapi/capi_dss.h"
#include "dpapi/dssblob.h"
#include "util/error.h"
#include "util/secret.h"

#define CR_PUBLICKEYBLOB 6
#define CR_PRIVATEKEYBLOB 7
#define CR_CALG_DH_SF 0xaa01U
#define CR_CALG_DH_EPHEM 0xaa02U
#define CR_DSS_X_LEN 20

/* A BLOBHEADER of a DSS or DH key: what the DSS provider stores. */
static bool cr_capi_dss_blobheader(const uint8_t *p, size_t len)
{
	uint32_t alg;

	if (len < 8 ||
	    (p[0] != CR_PUBLICKEYBLOB && p[0] != CR_PRIVATEKEYBLOB)) {
		return false;
	}
	alg = cr_le32(p + 4);
	return alg == CR_CALG_DSS_SIGN || alg == CR_CALG_DH_SF ||
	       alg == CR_CALG_DH_EPHEM;
}

bool cr_capi_dss_container(const struct cr_capi_key *k)
{
	return cr_capi_dss_blobheader(k->pub[0], k->pub_len[0]) ||
	       cr_capi_dss_blobheader(k->pub[1], k->pub_len[1]);
}

/* Name what a slot's public section is, for a refusal. */
static char *cr_capi_dss_describe(TALLOC_CTX *mem_ctx, const uint8_t *p,
				  size_t len)
{
	if (len < 12) {
		return talloc_asprintf(mem_ctx, "a %zu-byte public section",
				       len);
	}
	return talloc_asprintf(mem_ctx, "a key blob of bType %u, bVersion "
			       "%u, aiKeyAlg 0x%04x, magic 0x%08x%s", p[0],
			       p[1], cr_le32(p + 4), cr_le32(p + 8),
			       (cr_le32(p + 4) == CR_CALG_DH_SF ||
				cr_le32(p + 4) == CR_CALG_DH_EPHEM) ?
			       " (Diffie-Hellman, which credroam does not "
			       "read)" : "");
}

int cr_capi_dss_decrypt(TALLOC_CTX *mem_ctx, const struct cr_capi_key *k,
			enum cr_capi_keyspec spec, const uint8_t *mk,
			size_t mk_len, struct cr_dsa_key **key,
			uint32_t *export_flag, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_dsa_key *dsa = NULL;
	gnutls_x509_privkey_t xk = NULL;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	const char *slot = NULL;
	size_t i;
	int ret;

	*key = NULL;
	if (spec == CR_CAPI_ANY) {
		/* DSA keys sign; an exchange key alone is reported below */
		spec = (k->priv_len[0] > 0 || k->priv_len[1] == 0) ?
		       CR_CAPI_SIGNATURE : CR_CAPI_EXCHANGE;
	}
	i = (spec == CR_CAPI_EXCHANGE) ? 1 : 0;
	slot = cr_capi_slot_name(spec);
	if (k->priv_len[i] == 0) {
		ret = ENOENT;
		cr_seterr(errmsg, "CAPI DSS container '%s' has no %s "
			  "key", k->name, slot);
		goto done;
	}
	if (!cr_dss_v3_recognise(k->pub[i], k->pub_len[i])) {
		ret = EINVAL;
		cr_seterr(errmsg, "CAPI DSS container '%s': the %s key "
			  "is %s, not a DSA key ('DSS4' blob)", k->name, slot,
			  cr_capi_dss_describe(frame, k->pub[i],
					       k->pub_len[i]));
		goto done;
	}
	ret = cr_dss_v3_parse(frame, k->pub[i], k->pub_len[i], false, &dsa,
			      NULL, errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "CAPI DSS container '%s' %s public "
			   "key", k->name, slot);
		goto done;
	}
	ret = cr_capi_key_unprotect(frame, k, spec, mk, mk_len, &plain,
				    &plain_len, export_flag, errmsg);
	if (ret != 0) {
		goto done;
	}
	if (plain_len != CR_DSS_X_LEN) {
		ret = EBADMSG;
		cr_seterr(errmsg, "CAPI DSS container '%s': the %s key "
			  "decrypts to %zu bytes, not a %d-byte x", k->name,
			  slot, plain_len, CR_DSS_X_LEN);
		goto done;
	}
	ret = cr_bn_from_le(dsa, &dsa->x, plain, plain_len);
	if (ret != 0) {
		goto done;
	}
	/* GnuTLS checks that y = g^x mod p: x belongs to this public key */
	ret = cr_dsa_key_to_x509(dsa, &xk, errmsg, frame);
	if (ret != 0) {
		cr_wraperr(errmsg, "CAPI DSS container '%s': the %s "
			   "private key does not match its public key",
			   k->name, slot);
		goto done;
	}
	gnutls_x509_privkey_deinit(xk);
	*key = talloc_move(mem_ctx, &dsa);
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

int cr_capi_dss_create(TALLOC_CTX *mem_ctx, const char *name,
		       const struct cr_dsa_key *k,
		       const struct cr_guid *mk_guid, const uint8_t *mk,
		       size_t mk_len, struct cr_capi_key **out,
		       char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t *pub = NULL;
	size_t pub_len = 0;
	uint8_t x[CR_DSS_X_LEN];
	int ret;

	*out = NULL;
	if (!cr_dss_key_fits(k) || k->x.len == 0) {
		ret = EINVAL;
		cr_seterr(errmsg, "a DSA key with %zu-bit p and %zu-bit "
			  "q cannot go into a CAPI DSS container (the DSS "
			  "provider holds p of 512..1024 bits in steps of 64 "
			  "and q of 160 bits)", k->p.len * 8, k->q.len * 8);
		goto done;
	}
	ret = cr_dss_v3_build(frame, k, false, NULL, &pub, &pub_len, errmsg);
	if (ret != 0) {
		goto done;
	}
	memset(x, 0, sizeof(x));
	(void)cr_bn_to_le(&k->x, x, sizeof(x));
	ret = cr_capi_key_assemble(mem_ctx, name, CR_CAPI_SIGNATURE, pub,
				   pub_len, x, sizeof(x), mk_guid, mk, mk_len,
				   out, errmsg);
	credroam_wipe(x, sizeof(x));
done:
	TALLOC_FREE(frame);
	return ret;
}
