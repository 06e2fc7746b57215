/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Tokens <-> usable files; see material.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "format/certelem.h"
#include "dpapi/dpapi.h"
#include "util/error.h"
#include "store/localstore.h"
#include "store/material.h"
#include "util/secret.h"
#include "util/stackframe.h"

static int x509_key_id(gnutls_x509_crt_t crt, uint8_t out[20])
{
	size_t size = 20;
	int rc = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, out,
					    &size);
	return (rc == 0 && size == 20) ? 0 : EBADMSG;
}

/* DER of a PEM or DER certificate, its key id and thumbprint. */
static int load_cert(TALLOC_CTX *mem_ctx, const char *name,
		     const uint8_t *data, size_t len, uint8_t **pder,
		     size_t *pder_len, uint8_t key_id[20], char **errmsg)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t in = { .data = (unsigned char *)data,
			      .size = (unsigned)len };
	gnutls_datum_t der = { NULL, 0 };
	int rc;
	int ret = 0;

	*pder = NULL;
	if (len == 0 || len > UINT32_MAX) {
		cr_seterr(errmsg, "'%s' is empty or too large",
			  name);
		return EINVAL;
	}
	rc = gnutls_x509_crt_init(&crt);
	if (rc != 0) {
		return ENOMEM;
	}
	rc = gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_PEM);
	if (rc != 0) {
		rc = gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_DER);
	}
	if (rc != 0) {
		cr_seterr(errmsg, "'%s' is not an X.509 certificate "
			  "(PEM or DER): %s", name, gnutls_strerror(rc));
		ret = EINVAL;
		goto done;
	}
	rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der);
	if (rc != 0 || x509_key_id(crt, key_id) != 0) {
		cr_seterr(errmsg, "cannot re-encode '%s': %s", name,
			  gnutls_strerror(rc));
		ret = EINVAL;
		goto done;
	}
	*pder = talloc_memdup(mem_ctx, der.data, der.size);
	*pder_len = der.size;
	if (*pder == NULL) {
		ret = ENOMEM;
	}
done:
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(crt);
	return ret;
}

char *cr_material_der_to_pem(TALLOC_CTX *mem_ctx, const char *label,
			     const uint8_t *der, size_t len)
{
	gnutls_datum_t in = { .data = (unsigned char *)der,
			      .size = (unsigned)len };
	gnutls_datum_t out = { NULL, 0 };
	char *pem = NULL;

	if (gnutls_pem_base64_encode2(label, &in, &out) != 0) {
		return NULL;
	}
	pem = talloc_strndup(mem_ctx, (const char *)out.data, out.size);
	gnutls_free(out.data);
	return pem;
}

int cr_material_cert_parse(TALLOC_CTX *mem_ctx, const struct cr_token *token,
			   struct cr_material_cert **pcert, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_material_cert *c = NULL;
	struct cr_certelem *elem = NULL;
	int ret;

	*pcert = NULL;
	ret = cr_certelem_parse(frame, token->data, token->data_length, &elem,
				NULL, errmsg);
	if (ret != 0) {
		goto done;
	}
	c = talloc_zero(frame, struct cr_material_cert);
	if (c == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = load_cert(c, token->identifier, elem->cert, elem->cert_len,
			&c->der, &c->der_len, c->key_id, errmsg);
	if (ret != 0) {
		goto done;
	}
	c->thumbprint = talloc_strdup(c, elem->thumbprint_hex);
	c->pem = cr_material_der_to_pem(c, "CERTIFICATE", c->der,
					 c->der_len);
	if (c->thumbprint == NULL || c->pem == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (elem->key_prov != NULL && elem->key_prov->container != NULL) {
		c->key_container = talloc_strdup(c,
						 elem->key_prov->container);
		c->cng = elem->key_prov->prov_type == CR_PROV_NONE;
	}
	*pcert = talloc_move(mem_ctx, &c);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_material_key_mk_guid(const struct cr_token *token,
			    struct cr_guid *guid, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const uint8_t *data = token->data;
	size_t len = token->data_length;
	const uint8_t *blob = NULL;
	size_t blob_len = 0;
	struct cr_dpapi_blob *b = NULL;
	struct cr_mib1 *mib = NULL;
	struct cr_cng_key *cng = NULL;
	struct cr_capi_key *capi = NULL;
	int ret = EBADMSG;

	if (len >= 4 && memcmp(data, "MIB1", 4) == 0) {
		ret = cr_mib1_parse(frame, data, len, &mib, NULL);
		if (ret != 0) {
			goto bad;
		}
		data = mib->key_file;
		len = mib->key_file_len;
	}
	if (len >= 4 && data[0] == 1 && data[1] == 0 && data[2] == 0 &&
	    data[3] == 0) {
		ret = cr_cng_key_parse(frame, data, len, &cng, NULL);
		if (ret == 0) {
			blob = cng->priv_key;
			blob_len = cng->priv_key_len;
		}
	} else if (mib == NULL) {
		ret = cr_capi_key_parse(frame, data, len, &capi, NULL);
		if (ret == 0) {
			int spec = capi->priv_len[1] > 0 ? 1 : 0;
			blob = capi->priv[spec];
			blob_len = capi->priv_len[spec];
		}
	}
	if (ret != 0 || blob == NULL || blob_len == 0) {
		goto bad;
	}
	ret = cr_dpapi_blob_parse(frame, blob, blob_len, &b, NULL);
	if (ret != 0) {
		goto bad;
	}
	*guid = b->mk_guid;
	TALLOC_FREE(frame);
	return 0;
bad:
	TALLOC_FREE(frame);
	cr_seterr(errmsg, "key token '%s' holds no DPAPI-protected "
		  "private key this client can read", token->id_escaped);
	return EBADMSG;
}

int cr_material_key_decrypt(TALLOC_CTX *mem_ctx, const struct cr_token *token,
			    const uint8_t *mk, size_t mk_len,
			    struct cr_privkey **pkey, uint8_t key_id[20],
			    char **ppem, size_t *ppem_len, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_dpapi_keyfile_info info;
	struct cr_privkey *key = NULL;
	uint8_t *pem = NULL;
	size_t pem_len = 0;
	int ret;

	*pkey = NULL;
	if (ppem != NULL) {
		*ppem = NULL;
	}
	ret = cr_dpapi_keyfile_decrypt_any(frame, token->data,
					   token->data_length, mk, mk_len,
					   &key, &info, errmsg);
	if (ret == 0) {
		ret = cr_privkey_key_id(key, key_id, errmsg, frame);
	}
	if (ret == 0 && ppem != NULL) {
		ret = cr_privkey_to_pkcs8(frame, key, true, &pem, &pem_len,
					  errmsg);
	}
	if (ret != 0) {
		cr_wraperr(errmsg, "key token '%s'",
			   token->id_escaped);
		goto done;
	}
	*pkey = talloc_move(mem_ctx, &key);
	if (ppem != NULL) {
		*ppem = (char *)talloc_move(mem_ctx, &pem);
		*ppem_len = pem_len;
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

bool cr_material_key_matches(const struct cr_material_cert *mc,
			     const struct cr_token *t)
{
	char *file = NULL;
	bool match;

	if (!cr_token_type_is_key(t->type) || mc->key_container == NULL ||
	    (t->flags & CR_TOKEN_FLAG_TOMBSTONE) != 0) {
		return false;
	}
	if (t->type == CR_TOKEN_CNG_KEY) {
		return mc->cng;
	}
	file = cr_capi_file_name(NULL, mc->key_container, CR_NULL_GUID);
	match = file != NULL &&
		strncasecmp(file, t->identifier, CR_CAPI_KEY_PREFIX_LEN) == 0;
	TALLOC_FREE(file);
	return match;
}

int cr_material_pair_from_files(TALLOC_CTX *mem_ctx, const char *cert_name,
				const uint8_t *cert, size_t cert_len,
				const char *key_name, const uint8_t *key,
				size_t key_len, struct cr_material_pair **ppair,
				char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_material_pair *pair = NULL;
	uint8_t cert_id[20];
	uint8_t priv_id[20];
	uint8_t tp[CR_SHA1_LEN];
	int ret;

	*ppair = NULL;
	pair = talloc_zero(frame, struct cr_material_pair);
	if (pair == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = load_cert(pair, cert_name, cert, cert_len, &pair->der,
			&pair->der_len, cert_id, errmsg);
	if (ret != 0) {
		goto done;
	}
	cr_sha1(pair->der, pair->der_len, tp);
	pair->thumbprint = cr_hex_upper(pair, tp, sizeof(tp));
	if (pair->thumbprint == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (key != NULL) {
		ret = cr_privkey_from_pkcs8(pair, key, key_len, &pair->key,
					    errmsg);
		if (ret != 0) {
			cr_wraperr(errmsg, "'%s' is not an "
				   "unencrypted RSA, EC or DSA private key "
				   "(PKCS#8, PKCS#1 or SEC1)", key_name);
			goto done;
		}
		ret = cr_privkey_key_id(pair->key, priv_id, errmsg, frame);
		if (ret != 0) {
			goto done;
		}
		if (memcmp(cert_id, priv_id, sizeof(cert_id)) != 0) {
			cr_seterr(errmsg, "the key in '%s' is not the "
				  "key of the certificate in '%s'", key_name,
				  cert_name);
			ret = EINVAL;
			goto done;
		}
	}
	*ppair = talloc_move(mem_ctx, &pair);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_material_pair_from_pkcs12(TALLOC_CTX *mem_ctx, const char *name,
				 const uint8_t *p12, size_t p12_len,
				 const char *password,
				 struct cr_material_pair **ppair,
				 char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	gnutls_pkcs12_t pkcs12 = NULL;
	gnutls_x509_privkey_t xk = NULL;
	gnutls_x509_crt_t *chain = NULL;
	unsigned chain_len = 0;
	gnutls_datum_t in = { .data = (unsigned char *)p12,
			      .size = (unsigned)p12_len };
	gnutls_datum_t der = { NULL, 0 };
	gnutls_datum_t keyder = { NULL, 0 };
	unsigned i;
	int rc;
	int ret;

	*ppair = NULL;
	rc = gnutls_pkcs12_init(&pkcs12);
	if (rc != 0) {
		ret = ENOMEM;
		goto done;
	}
	rc = gnutls_pkcs12_import(pkcs12, &in, GNUTLS_X509_FMT_DER, 0);
	if (rc != 0) {
		cr_seterr(errmsg, "'%s' is not a PKCS#12 file: %s",
			  name, gnutls_strerror(rc));
		ret = EINVAL;
		goto done;
	}
	rc = gnutls_pkcs12_simple_parse(pkcs12, password ? password : "",
					&xk, &chain, &chain_len, NULL, NULL,
					NULL, 0);
	if (rc != 0 || chain_len == 0 || xk == NULL) {
		cr_seterr(errmsg, "'%s': no certificate with its key "
			  "(wrong password?): %s", name,
			  rc != 0 ? gnutls_strerror(rc) : "none found");
		ret = EINVAL;
		goto done;
	}
	rc = gnutls_x509_crt_export2(chain[0], GNUTLS_X509_FMT_DER, &der);
	if (rc == 0) {
		rc = gnutls_x509_privkey_export2_pkcs8(xk, GNUTLS_X509_FMT_DER,
						       NULL, GNUTLS_PKCS_PLAIN,
						       &keyder);
	}
	if (rc != 0) {
		cr_seterr(errmsg, "'%s': %s", name,
			  gnutls_strerror(rc));
		ret = EINVAL;
		goto done;
	}
	ret = cr_material_pair_from_files(mem_ctx, name, der.data, der.size,
					  name, keyder.data, keyder.size,
					  ppair, errmsg);
done:
	if (keyder.data != NULL) {
		credroam_wipe(keyder.data, keyder.size);
		gnutls_free(keyder.data);
	}
	gnutls_free(der.data);
	for (i = 0; i < chain_len; i++) {
		gnutls_x509_crt_deinit(chain[i]);
	}
	gnutls_free(chain);
	if (xk != NULL) {
		gnutls_x509_privkey_deinit(xk);
	}
	if (pkcs12 != NULL) {
		gnutls_pkcs12_deinit(pkcs12);
	}
	TALLOC_FREE(frame);
	return ret;
}

/*
 * The CryptoAPI provider Windows keeps each key type in, as its
 * certificate's key provider info names it: RSA keys in the Enhanced
 * provider's exchange slot (RSA folder, token type 1), DSA keys in the
 * Enhanced DSS and Diffie-Hellman provider's signature slot (DSS folder,
 * token type 2; roaming.md 2.2, 6).
 */
struct capi_home {
	const char *provider;
	uint32_t prov_type;
	uint32_t key_spec;
	unsigned token_type;
};

static const struct capi_home capi_rsa_home = {
	CR_MS_ENHANCED_PROV, CR_PROV_RSA_FULL, CR_AT_KEYEXCHANGE,
	CR_TOKEN_CAPI_RSA_KEY,
};
static const struct capi_home capi_dss_home = {
	CR_MS_ENH_DSS_DH_PROV, CR_PROV_DSS_DH, CR_AT_SIGNATURE,
	CR_TOKEN_CAPI_DSS_KEY,
};

int cr_material_make_tokens(TALLOC_CTX *mem_ctx,
			    const struct cr_material_pair *pair,
			    const struct cr_guid *mk_guid, const uint8_t *mk,
			    size_t mk_len, const char *machine_guid,
			    uint64_t filetime, struct cr_token **pcert,
			    struct cr_token **pkey, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct capi_home *home = &capi_rsa_home;
	struct cr_key_prov_info kpi;
	struct cr_capi_key *container = NULL;
	uint8_t *elem = NULL;
	size_t elem_len = 0;
	uint8_t *cont = NULL;
	size_t cont_len = 0;
	char *file_name = NULL;
	struct cr_token *cert_token = NULL;
	struct cr_token *key_token = NULL;
	int ret;

	*pcert = NULL;
	*pkey = NULL;
	if (pair->key != NULL && pair->key->alg == GNUTLS_PK_ECDSA) {
		ret = cr_material_make_cng_tokens(mem_ctx, pair, mk_guid, mk,
						  mk_len, filetime, pcert,
						  pkey, errmsg);
		goto done;
	}
	if (pair->key != NULL && pair->key->alg == GNUTLS_PK_DSA) {
		home = &capi_dss_home;
	} else if (pair->key != NULL && pair->key->alg != GNUTLS_PK_RSA) {
		ret = EINVAL;
		cr_seterr(errmsg, "certificate %s: a %s key cannot "
			  "roam", pair->thumbprint,
			  cr_privkey_describe(frame, pair->key));
		goto done;
	}
	kpi = (struct cr_key_prov_info) {
		.provider = (char *)(uintptr_t)home->provider,
		.prov_type = home->prov_type,
		.key_spec = home->key_spec,
	};
	if (pair->key != NULL) {
		/* Named after the certificate, so that an import repeated
		 * after a crash writes the same container again. */
		kpi.container = talloc_asprintf(frame, "credroam-%s",
						pair->thumbprint);
		if (kpi.container == NULL) {
			ret = ENOMEM;
			goto done;
		}
		if (home == &capi_dss_home) {
			ret = cr_capi_dss_create(frame, kpi.container,
						 pair->key->dsa, mk_guid, mk,
						 mk_len, &container, errmsg);
		} else {
			ret = cr_capi_key_create(frame, kpi.container,
						 pair->key->rsa, mk_guid, mk,
						 mk_len, &container, errmsg);
		}
		if (ret == 0) {
			ret = cr_capi_key_serialize(frame, container, &cont,
						    &cont_len, errmsg);
		}
		if (ret != 0) {
			cr_wraperr(errmsg, "certificate %s",
				   pair->thumbprint);
			goto done;
		}
		file_name = cr_capi_file_name(frame, kpi.container,
					      machine_guid);
		if (file_name == NULL) {
			ret = ENOMEM;
			goto done;
		}
		ret = cr_token_build(frame, home->token_type, file_name,
				     filetime, 0, cont,
				     cont_len, NULL, 0, &key_token, errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	ret = cr_certelem_build(frame, pair->der, pair->der_len, NULL,
				pair->key != NULL ? &kpi : NULL, &elem,
				&elem_len, errmsg);
	if (ret == 0) {
		ret = cr_token_build(frame, CR_TOKEN_CAPI_CERT,
				     pair->thumbprint, filetime,
				     0, elem, elem_len,
				     NULL, 0, &cert_token, errmsg);
	}
	if (ret != 0) {
		goto done;
	}
	*pcert = talloc_move(mem_ctx, &cert_token);
	*pkey = talloc_move(mem_ctx, &key_token);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_material_pkcs12(TALLOC_CTX *mem_ctx, const uint8_t *der,
		       size_t der_len, const struct cr_privkey *key,
		       const char *password, const char *friendly_name,
		       uint8_t **pout, size_t *pout_len, char **errmsg)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_x509_privkey_t xk = NULL;
	gnutls_pkcs12_t p12 = NULL;
	gnutls_pkcs12_bag_t bags[2] = { NULL, NULL };
	gnutls_datum_t in = { .data = (unsigned char *)der,
			      .size = (unsigned)der_len };
	gnutls_datum_t out = { NULL, 0 };
	uint8_t key_id[20];
	size_t key_id_len = sizeof(key_id);
	gnutls_datum_t kid = { .data = key_id, .size = 0 };
	int idx;
	int rc;
	int ret = 0;

	*pout = NULL;
	rc = gnutls_x509_crt_init(&crt);
	if (rc == 0) {
		rc = gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_DER);
	}
	if (rc != 0) {
		cr_seterr(errmsg, "certificate: %s",
			  gnutls_strerror(rc));
		ret = EINVAL;
		goto done;
	}
	ret = cr_privkey_to_x509(key, &xk, errmsg, mem_ctx);
	if (ret != 0) {
		goto done;
	}
	rc = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, key_id,
					&key_id_len);
	kid.size = (unsigned)key_id_len;
	if (rc == 0) {
		rc = gnutls_pkcs12_init(&p12);
	}
	if (rc == 0) {
		rc = gnutls_pkcs12_bag_init(&bags[0]);
	}
	if (rc == 0) {
		rc = gnutls_pkcs12_bag_init(&bags[1]);
	}
	if (rc == 0) {
		idx = gnutls_pkcs12_bag_set_crt(bags[0], crt);
		rc = idx < 0 ? idx : 0;
	}
	if (rc == 0) {
		rc = gnutls_pkcs12_bag_set_key_id(bags[0], idx, &kid);
	}
	if (rc == 0 && friendly_name != NULL) {
		rc = gnutls_pkcs12_bag_set_friendly_name(bags[0], idx,
							 friendly_name);
	}
	if (rc == 0) {
		rc = gnutls_pkcs12_bag_encrypt(bags[0], password,
					       GNUTLS_PKCS_PBES2_AES_256);
	}
	if (rc == 0) {
		idx = gnutls_pkcs12_bag_set_privkey(bags[1], xk, password,
						    GNUTLS_PKCS_PBES2_AES_256);
		rc = idx < 0 ? idx : 0;
	}
	if (rc == 0) {
		rc = gnutls_pkcs12_bag_set_key_id(bags[1], idx, &kid);
	}
	if (rc == 0) {
		rc = gnutls_pkcs12_set_bag(p12, bags[0]);
	}
	if (rc == 0) {
		rc = gnutls_pkcs12_set_bag(p12, bags[1]);
	}
	if (rc == 0) {
		rc = gnutls_pkcs12_generate_mac2(p12, GNUTLS_MAC_SHA256,
						 password);
	}
	if (rc == 0) {
		rc = gnutls_pkcs12_export2(p12, GNUTLS_X509_FMT_DER, &out);
	}
	if (rc != 0) {
		cr_seterr(errmsg, "cannot build the PKCS#12: %s",
			  gnutls_strerror(rc));
		ret = EIO;
		goto done;
	}
	*pout = talloc_memdup(mem_ctx, out.data, out.size);
	*pout_len = out.size;
	ret = *pout == NULL ? ENOMEM : 0;
done:
	gnutls_free(out.data);
	if (bags[0] != NULL) {
		gnutls_pkcs12_bag_deinit(bags[0]);
	}
	if (bags[1] != NULL) {
		gnutls_pkcs12_bag_deinit(bags[1]);
	}
	if (p12 != NULL) {
		gnutls_pkcs12_deinit(p12);
	}
	if (xk != NULL) {
		gnutls_x509_privkey_deinit(xk);
	}
	if (crt != NULL) {
		gnutls_x509_crt_deinit(crt);
	}
	return ret;
}

int cr_material_machine_guid(TALLOC_CTX *mem_ctx, char **pguid,
			     char **errmsg)
{
	const char *path = "/etc/machine-id";
	char buf[64];
	char *g = NULL;
	ssize_t n;
	size_t i;
	size_t j = 0;
	int fd;

	*pguid = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		path = "/var/lib/dbus/machine-id";
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		cr_seterr(errmsg, "this machine has no "
			  "/etc/machine-id to name its key containers by");
		return ENOENT;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 32) {
		cr_seterr(errmsg, "%s is too short", path);
		return EBADMSG;
	}
	g = talloc_zero_size(mem_ctx, 37);
	if (g == NULL) {
		return ENOMEM;
	}
	for (i = 0; i < 32; i++) {
		char c = buf[i];
		bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
		if (!hex) {
			TALLOC_FREE(g);
			cr_seterr(errmsg, "%s is not 32 lower-case "
				  "hex digits", path);
			return EBADMSG;
		}
		if (i == 8 || i == 12 || i == 16 || i == 20) {
			g[j++] = '-';
		}
		g[j++] = c;
	}
	*pguid = g;
	return 0;
}

int cr_material_new_machine_guid(TALLOC_CTX *mem_ctx, char **pguid)
{
	uint8_t r[16];
	char *g = NULL;
	int ret;

	*pguid = NULL;
	ret = gnutls_rnd(GNUTLS_RND_RANDOM, r, sizeof(r));
	if (ret != 0) {
		return EIO;
	}
	/* version 4, variant 1, as Windows setup makes MachineGuid */
	r[6] = (r[6] & 0x0f) | 0x40;
	r[8] = (r[8] & 0x3f) | 0x80;
	g = talloc_asprintf(mem_ctx,
			    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			    "%02x%02x%02x%02x%02x%02x",
			    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7],
			    r[8], r[9], r[10], r[11], r[12], r[13], r[14],
			    r[15]);
	if (g == NULL) {
		return ENOMEM;
	}
	*pguid = g;
	return 0;
}

/* where a machine without /etc/machine-id keeps the GUID it made */
#define MACHINE_GUID_FILE "machine-guid"

/*
 * The GUID that names this machine's key containers, as Windows'
 * MachineGuid does: /etc/machine-id where the machine has one.  A machine
 * without (a container, a debootstrap) gets one made up once and kept in
 * the store, as Windows setup makes MachineGuid once.  A dry run makes one
 * up without keeping it, so it and the run agree.
 */
int cr_material_store_machine_guid(TALLOC_CTX *mem_ctx,
				   struct cr_store *store, bool keep,
				   char **pguid, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t *data = NULL;
	size_t len = 0;
	char *g = NULL;
	char *err = NULL;
	char *line = NULL;
	size_t i;
	int ret;

	*pguid = NULL;
	ret = cr_material_machine_guid(frame, &g, &err);
	if (ret != ENOENT) {
		if (ret != 0) {
			cr_seterr(errmsg, "%s",
				  err != NULL ? err : strerror(ret));
		}
		goto done;
	}
	ret = cr_store_read_root_file(frame, store, MACHINE_GUID_FILE,
				      &data, &len, errmsg);
	if (ret == 0) {
		bool ok = len >= 36;

		for (i = 0; ok && i < 36; i++) {
			bool dash = i == 8 || i == 13 || i == 18 || i == 23;
			char ch = (char)data[i];
			bool hex = (ch >= '0' && ch <= '9') ||
				   (ch >= 'a' && ch <= 'f');

			ok = dash ? (ch == '-') : hex;
		}
		if (!ok) {
			cr_seterr(errmsg, "'%s/%s' is not a lower-case GUID",
				  store->root, MACHINE_GUID_FILE);
			ret = EBADMSG;
			goto done;
		}
		g = talloc_strndup(frame, (char *)data, 36);
		ret = (g != NULL) ? 0 : ENOMEM;
		goto done;
	}
	if (ret != ENOENT) {
		goto done;
	}
	ret = cr_material_new_machine_guid(frame, &g);
	if (ret != 0 || !keep) {
		goto done;
	}
	line = talloc_asprintf(frame, "%s\n", g);
	if (line == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_store_write_root_file(store, MACHINE_GUID_FILE,
				       (uint8_t *)line, strlen(line), errmsg);
done:
	if (ret == 0) {
		*pguid = talloc_move(mem_ctx, &g);
	}
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return ret;
}
