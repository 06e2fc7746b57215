/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An EC key imported on Linux as Windows keeps one: a CNG key file under
 * the user's master key, wrapped in a MIB1 transport blob (token type 9),
 * and the certificate (type 7) whose key provider information names the
 * Microsoft Software Key Storage Provider; see material.h.
 */
#include "config.h"

#include <errno.h>
#include <gnutls/x509.h>
#include <string.h>

#include "format/certelem.h"
#include "dpapi/dpapi.h"
#include "util/error.h"
#include "store/material.h"
#include "util/stackframe.h"
#include "util/utf16.h"

/*
 * A key-agreement-only certificate gets an ECDH key (CNG "ECK"), which
 * Windows will not sign with; every other one an ECDSA key ("ECS").
 */
static bool cert_wants_ecdh(const uint8_t *der, size_t der_len)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t in = { .data = (unsigned char *)(uintptr_t)der,
			      .size = (unsigned)der_len };
	unsigned usage = 0;
	unsigned critical = 0;
	unsigned sign = GNUTLS_KEY_DIGITAL_SIGNATURE |
			GNUTLS_KEY_NON_REPUDIATION | GNUTLS_KEY_KEY_CERT_SIGN |
			GNUTLS_KEY_CRL_SIGN;
	bool ecdh = false;
	int rc;

	rc = gnutls_x509_crt_init(&crt);
	if (rc != 0) {
		return false;
	}
	rc = gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_DER);
	if (rc == 0) {
		rc = gnutls_x509_crt_get_key_usage(crt, &usage, &critical);
	}
	if (rc >= 0) {
		ecdh = (usage & GNUTLS_KEY_KEY_AGREEMENT) != 0 &&
		       (usage & sign) == 0;
	}
	gnutls_x509_crt_deinit(crt);
	return ecdh;
}

/* The MIB1 blob of a new key file: no legacy parts, no master keys. */
static int mib1_wrap(TALLOC_CTX *mem_ctx, const char *name,
		     const uint8_t *file, size_t file_len, uint8_t **out,
		     size_t *out_len, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_mib1 *m = NULL;
	size_t w_len = 0;
	int ret;

	m = talloc_zero(frame, struct cr_mib1);
	if (m == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_utf16le_encode(m, name, strlen(name), false, &m->name_raw,
				&w_len);
	if (ret != 0) {
		goto done;
	}
	m->name_chars = (uint32_t)(w_len / 2);
	m->key_file = (uint8_t *)(uintptr_t)file;
	m->key_file_len = (uint32_t)file_len;
	ret = cr_mib1_serialize(mem_ctx, m, out, out_len, errmsg);
done:
	if (ret == ENOMEM) {
		cr_seterr(errmsg, "out of memory");
	}
	TALLOC_FREE(frame);
	return ret;
}

int cr_material_make_cng_tokens(TALLOC_CTX *mem_ctx,
				const struct cr_material_pair *pair,
				const struct cr_guid *mk_guid,
				const uint8_t *mk, size_t mk_len,
				uint64_t filetime,
				struct cr_token **pcert,
				struct cr_token **pkey, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_key_prov_info kpi = {
		.provider = (char *)(uintptr_t)CR_MS_KEY_STORAGE_PROVIDER,
		.prov_type = CR_PROV_NONE,
		.key_spec = CR_AT_NONE,
	};
	struct cr_ec_key ec;
	struct cr_privkey key;
	struct cr_cng_key *cng = NULL;
	struct cr_token *cert_token = NULL;
	struct cr_token *key_token = NULL;
	uint8_t key_id[20];
	char *token_id = NULL;
	uint8_t *file = NULL;
	size_t file_len = 0;
	uint8_t *mib = NULL;
	size_t mib_len = 0;
	uint8_t *elem = NULL;
	size_t elem_len = 0;
	int ret;

	*pcert = NULL;
	*pkey = NULL;
	if (pair->key == NULL || pair->key->ec == NULL) {
		ret = EINVAL;
		cr_seterr(errmsg, "certificate %s: no EC key for a "
			  "CNG key file", pair->thumbprint);
		goto done;
	}
	/* the same key, ECDH when the certificate only agrees keys */
	ec = *pair->key->ec;
	ec.ecdh = cert_wants_ecdh(pair->der, pair->der_len);
	key = *pair->key;
	key.ec = &ec;
	/* Named after the certificate: a repeated import writes it again. */
	kpi.container = talloc_asprintf(frame, "credroam-%s",
					pair->thumbprint);
	if (kpi.container == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_cng_key_create(frame, kpi.container, &key, filetime, mk_guid,
				mk, mk_len, &cng, errmsg);
	if (ret == 0) {
		ret = cr_cng_key_serialize(frame, cng, &file, &file_len,
					   errmsg);
	}
	if (ret == 0) {
		ret = mib1_wrap(frame, kpi.container, file, file_len, &mib,
				&mib_len, errmsg);
	}
	if (ret == 0) {
		ret = cr_privkey_key_id(&key, key_id, errmsg, frame);
	}
	if (ret != 0) {
		goto done;
	}
	/*
	 * How Windows derives a type-9 identifier is unknown (spec/dpapi.md
	 * 5.1b point 6); ours is the key id, 40 upper-case hex digits like
	 * Windows' and the same for every import of the key.
	 */
	token_id = cr_hex_upper(frame, key_id, sizeof(key_id));
	if (token_id == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_token_build(frame, CR_TOKEN_CNG_KEY, token_id, filetime, 0,
			     mib, mib_len, NULL, 0, &key_token, errmsg);
	if (ret == 0) {
		ret = cr_certelem_build(frame, pair->der, pair->der_len, NULL,
					&kpi, &elem, &elem_len, errmsg);
	}
	if (ret == 0) {
		ret = cr_token_build(frame, CR_TOKEN_CNG_CERT,
				     pair->thumbprint, filetime, 0, elem,
				     elem_len, NULL, 0, &cert_token, errmsg);
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
