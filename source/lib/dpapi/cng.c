/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CNG key files, MIB1 transport blobs, BCRYPT RSA blobs; see cng.h.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <gnutls/crypto.h>

#include "util/cursor.h"
#include "dpapi/stackframe.h"
#include "dpapi/take.h"
#include "dpapi/blob.h"
#include "dpapi/cng.h"
#include "dpapi/pvk.h"
#include "util/utf16.h"
#include "util/error.h"
#include "util/secret.h"

#define CR_BCRYPT_RSA1 0x31415352U
#define CR_BCRYPT_RSA2 0x32415352U
#define CR_BCRYPT_RSA3 0x33415352U
#define CR_MIB1_MAGIC "MIB1"
#define CR_CNG_PROP_HEADER 20

int cr_cng_properties_parse(TALLOC_CTX *mem_ctx, const uint8_t *data,
			    size_t len, struct cr_cng_property **out,
			    size_t *count, char **errmsg)
{
	struct cr_cng_property *props = NULL;
	struct cr_cursor c;
	size_t n = 0;
	int ret = 0;

	*out = NULL;
	*count = 0;
	/* every record has a 20-byte header: this bounds the array */
	props = talloc_zero_array(mem_ctx, struct cr_cng_property,
				  len / CR_CNG_PROP_HEADER + 1);
	if (props == NULL) {
		return ENOMEM;
	}
	cr_cursor_init(&c, data, len);
	while (ret == 0 && cr_cursor_left(&c) > 0) {
		struct cr_cng_property *p = &props[n];
		uint32_t struct_len = cr_get_le32(&c, "dwStructLen");
		uint32_t name_len;
		const uint8_t *name = NULL;

		p->type = cr_get_le32(&c, "type");
		p->reserved = cr_get_le32(&c, "reserved");
		name_len = cr_get_le32(&c, "dwNameLen");
		p->value_len = cr_get_le32(&c, "dwPropertyLen");
		name = cr_get_bytes(&c, name_len, "property name");
		p->value = cr_get_bytes(&c, p->value_len, "property value");
		if (!cr_cursor_ok(&c)) {
			break;
		}
		if ((uint64_t)struct_len != (uint64_t)CR_CNG_PROP_HEADER +
		    name_len + p->value_len) {
			cr_cursor_fail(&c, EBADMSG, "dwStructLen");
			break;
		}
		ret = cr_utf16le_decode(props, name, name_len, &p->name);
		if (ret != 0) {
			cr_cursor_fail(&c, ret, "property name");
		}
		n++;
	}
	if (!cr_cursor_ok(&c)) {
		ret = (c.status == ENOMEM) ? ENOMEM : EBADMSG;
		cr_seterr(errmsg, "CNG properties: bad %s at offset "
			  "%zu", c.fail_what, c.fail_off);
		talloc_free(props);
		return ret;
	}
	*out = props;
	*count = n;
	return 0;
}

int cr_cng_key_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		     struct cr_cng_key **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_cng_key *k = NULL;
	struct cr_cursor c;
	int ret;

	*out = NULL;
	k = talloc_zero(frame, struct cr_cng_key);
	if (k == NULL || len > CR_CNG_KEY_MAX) {
		ret = (k == NULL) ? ENOMEM : EBADMSG;
		cr_seterr(errmsg, "CNG key file of %zu bytes refused",
			  len);
		goto done;
	}
	cr_cursor_init(&c, data, len);
	k->version = cr_get_le32(&c, "dwVersion");
	k->reserved = cr_get_le32(&c, "reserved");
	k->name_len = cr_get_le32(&c, "dwNameLen");
	k->type = cr_get_le32(&c, "type");
	k->pub_props_len = cr_get_le32(&c, "dwPublicPropertiesLen");
	k->priv_props_len = cr_get_le32(&c, "dwPrivatePropertiesLen");
	k->priv_key_len = cr_get_le32(&c, "dwPrivateKeyLen");
	cr_get_copy(&c, k->zero, sizeof(k->zero), "reserved array");
	k->name_raw = cr_dpapi_take(k, &c, k->name_len, "name");
	k->pub_props = cr_dpapi_take(k, &c, k->pub_props_len,
				   "public properties");
	k->priv_props = cr_dpapi_take(k, &c, k->priv_props_len,
				    "private properties");
	k->priv_key = cr_dpapi_take(k, &c, k->priv_key_len, "private key");
	if (!cr_cursor_ok(&c)) {
		ret = (c.status == ENOMEM) ? ENOMEM : EBADMSG;
		cr_seterr(errmsg, "CNG key file: %s runs past the "
			  "end at offset %zu (%zu bytes)", c.fail_what,
			  c.fail_off, len);
		goto done;
	}
	if (cr_cursor_left(&c) != 0 || k->version != 1) {
		ret = EBADMSG;
		cr_seterr(errmsg, "not a CNG key file (version %u, "
			  "%zu trailing bytes)", k->version,
			  cr_cursor_left(&c));
		goto done;
	}
	ret = cr_utf16le_decode(k, k->name_raw, k->name_len, &k->name);
	if (ret != 0) {
		ret = (ret == ENOMEM) ? ENOMEM : EBADMSG;
		cr_seterr(errmsg, "CNG key file: name is not "
			  "UTF-16");
		goto done;
	}
	ret = cr_cng_properties_parse(k, k->pub_props, k->pub_props_len,
				      &k->props, &k->num_props, errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "CNG key file public part");
		goto done;
	}
	if (k->priv_props_len > 0) {
		struct cr_dpapi_blob *b = NULL;

		ret = cr_dpapi_blob_parse(frame, k->priv_props,
					  k->priv_props_len, &b, errmsg);
	}
	if (ret == 0 && k->priv_key_len > 0) {
		struct cr_dpapi_blob *b = NULL;

		ret = cr_dpapi_blob_parse(frame, k->priv_key, k->priv_key_len,
					  &b, errmsg);
	}
	if (ret != 0) {
		cr_wraperr(errmsg, "CNG key file private part");
		goto done;
	}
	*out = talloc_move(mem_ctx, &k);
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

int cr_cng_key_serialize(TALLOC_CTX *mem_ctx, const struct cr_cng_key *k,
			 uint8_t **out, size_t *out_len, char **errmsg)
{
	struct cr_buf o;

	*out = NULL;
	*out_len = 0;
	cr_buf_init(&o, mem_ctx, false);
	cr_put_le32(&o, k->version);
	cr_put_le32(&o, k->reserved);
	cr_put_le32(&o, k->name_len);
	cr_put_le32(&o, k->type);
	cr_put_le32(&o, k->pub_props_len);
	cr_put_le32(&o, k->priv_props_len);
	cr_put_le32(&o, k->priv_key_len);
	cr_put_bytes(&o, k->zero, sizeof(k->zero));
	cr_put_bytes(&o, k->name_raw, k->name_len);
	cr_put_bytes(&o, k->pub_props, k->pub_props_len);
	cr_put_bytes(&o, k->priv_props, k->priv_props_len);
	cr_put_bytes(&o, k->priv_key, k->priv_key_len);
	if (o.oom) {
		talloc_free(o.data);
		cr_seterr(errmsg, "out of memory");
		return ENOMEM;
	}
	*out = o.data;
	*out_len = o.len;
	return 0;
}

int cr_bcrypt_rsa_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
			struct cr_rsa_key **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_rsa_key *k = NULL;
	struct cr_cursor c;
	uint32_t magic, bits, cb_e, cb_n, cb_p, cb_q;
	struct cr_bn *dst[8];
	size_t sizes[8];
	size_t fields;
	size_t i;
	int ret = EBADMSG;

	*out = NULL;
	cr_cursor_init(&c, data, len);
	magic = cr_get_le32(&c, "Magic");
	bits = cr_get_le32(&c, "BitLength");
	cb_e = cr_get_le32(&c, "cbPublicExp");
	cb_n = cr_get_le32(&c, "cbModulus");
	cb_p = cr_get_le32(&c, "cbPrime1");
	cb_q = cr_get_le32(&c, "cbPrime2");
	if (!cr_cursor_ok(&c) || bits == 0 || bits > CR_RSA_MAX_BITS ||
	    cb_e == 0 || cb_e > 8 || cb_n != (bits + 7) / 8 ||
	    cb_p > cb_n || cb_q > cb_n) {
		cr_seterr(errmsg, "not a BCRYPT RSA key blob");
		goto done;
	}
	k = talloc_zero(frame, struct cr_rsa_key);
	if (k == NULL) {
		ret = ENOMEM;
		goto done;
	}
	dst[0] = &k->e;
	dst[1] = &k->n;
	dst[2] = &k->p;
	dst[3] = &k->q;
	dst[4] = &k->dp;
	dst[5] = &k->dq;
	dst[6] = &k->u;
	dst[7] = &k->d;
	sizes[0] = cb_e;
	sizes[1] = cb_n;
	sizes[2] = cb_p;
	sizes[3] = cb_q;
	sizes[4] = cb_p;
	sizes[5] = cb_q;
	sizes[6] = cb_p;
	sizes[7] = cb_n;
	if (magic == CR_BCRYPT_RSA1) {
		fields = 2;
	} else if (magic == CR_BCRYPT_RSA2) {
		fields = 4;
	} else if (magic == CR_BCRYPT_RSA3) {
		fields = 8;
	} else {
		cr_seterr(errmsg, "BCRYPT blob magic 0x%08x is not "
			  "RSA", magic);
		goto done;
	}
	if (fields > 2 && (cb_p == 0 || cb_q == 0)) {
		cr_seterr(errmsg, "BCRYPT private blob lacks primes");
		goto done;
	}
	for (i = 0; i < fields; i++) {
		const uint8_t *p = cr_get_bytes(&c, sizes[i], "key field");

		if (p == NULL) {
			break;
		}
		ret = cr_bn_from_be(k, dst[i], p, sizes[i]);
		if (ret != 0) {
			goto done;
		}
	}
	if (!cr_cursor_ok(&c) || cr_cursor_left(&c) != 0) {
		ret = EBADMSG;
		cr_seterr(errmsg, "BCRYPT RSA blob is %zu bytes, its "
			  "header says otherwise", len);
		goto done;
	}
	if (fields == 2) {
		*out = talloc_move(mem_ctx, &k);
		ret = 0;
		goto done;
	}
	/* GnuTLS computes d and the CRT values RSA2 leaves out */
	ret = cr_rsa_key_complete(mem_ctx, k, out, errmsg);
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

int cr_bcrypt_rsa_build_full(TALLOC_CTX *mem_ctx, const struct cr_rsa_key *k,
			     uint8_t **out, size_t *out_len, char **errmsg)
{
	const struct cr_bn *src[8] = {
		&k->e, &k->n, &k->p, &k->q, &k->dp, &k->dq, &k->u, &k->d,
	};
	unsigned bits = cr_rsa_key_bits(k);
	size_t cb_n = (bits + 7) / 8;
	size_t cb_p = k->p.len;
	size_t cb_q = k->q.len;
	size_t sizes[8] = {
		k->e.len, cb_n, cb_p, cb_q, cb_p, cb_q, cb_p, cb_n,
	};
	struct cr_buf o;
	size_t i;
	bool ok = true;

	*out = NULL;
	*out_len = 0;
	if (bits == 0 || k->e.len == 0 || k->d.len == 0 || k->u.len == 0 ||
	    k->dp.len == 0 || k->dq.len == 0 || cb_p == 0 || cb_q == 0) {
		cr_seterr(errmsg, "incomplete RSA key");
		return EINVAL;
	}
	cr_buf_init(&o, mem_ctx, true);
	cr_put_le32(&o, CR_BCRYPT_RSA3);
	cr_put_le32(&o, bits);
	cr_put_le32(&o, (uint32_t)k->e.len);
	cr_put_le32(&o, (uint32_t)cb_n);
	cr_put_le32(&o, (uint32_t)cb_p);
	cr_put_le32(&o, (uint32_t)cb_q);
	for (i = 0; i < 8 && ok; i++) {
		size_t at = o.len;

		cr_put_zeros(&o, sizes[i]);
		ok = !o.oom && cr_bn_to_be(src[i], o.data + at, sizes[i]);
	}
	if (!ok) {
		talloc_free(o.data);
		cr_seterr(errmsg, "RSA key field overflows");
		return o.oom ? ENOMEM : EINVAL;
	}
	*out = o.data;
	*out_len = o.len;
	return 0;
}

int cr_cng_key_decrypt_properties(TALLOC_CTX *mem_ctx,
				  const struct cr_cng_key *k,
				  const uint8_t *mk, size_t mk_len,
				  uint8_t **out, size_t *out_len,
				  char **errmsg)
{
	int ret;

	ret = cr_dpapi_unprotect(mem_ctx, k->priv_props, k->priv_props_len,
		mk, mk_len, (const uint8_t *)CR_CNG_PROPERTIES_ENTROPY,
		sizeof(CR_CNG_PROPERTIES_ENTROPY), out, out_len, errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "CNG key '%s' private properties",
			   k->name);
	}
	return ret;
}

int cr_cng_key_decrypt_blob(TALLOC_CTX *mem_ctx, const struct cr_cng_key *k,
			    const uint8_t *mk, size_t mk_len, uint8_t **out,
			    size_t *out_len, char **errmsg)
{
	int ret;

	*out = NULL;
	*out_len = 0;
	if (k->priv_key_len == 0) {
		cr_seterr(errmsg, "CNG key '%s' has no private key",
			  k->name);
		return ENOENT;
	}
	ret = cr_dpapi_unprotect(mem_ctx, k->priv_key, k->priv_key_len, mk,
		mk_len, (const uint8_t *)CR_CNG_PRIVATE_KEY_ENTROPY,
		sizeof(CR_CNG_PRIVATE_KEY_ENTROPY), out, out_len, errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "CNG key '%s' private key",
			   k->name);
	}
	return ret;
}

int cr_cng_key_decrypt(TALLOC_CTX *mem_ctx, const struct cr_cng_key *k,
		       const uint8_t *mk, size_t mk_len,
		       struct cr_rsa_key **key, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	int ret;

	*key = NULL;
	ret = cr_cng_key_decrypt_blob(frame, k, mk, mk_len, &plain,
				      &plain_len, errmsg);
	if (ret != 0) {
		goto done;
	}
	ret = cr_bcrypt_rsa_parse(mem_ctx, plain, plain_len, key, errmsg);
	if (ret == 0 && (*key)->d.len == 0) {
		TALLOC_FREE(*key);
		ret = EBADMSG;
		cr_seterr(errmsg, "holds a public key only");
	}
	if (ret != 0) {
		cr_wraperr(errmsg, "CNG key '%s'", k->name);
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

char *cr_cng_file_name(TALLOC_CTX *mem_ctx, const char *name,
		       const char *machine_guid)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *lower = talloc_strdup(frame, name);
	uint8_t *w = NULL;
	size_t w_len = 0;
	uint8_t md5[16];
	char *out = NULL;
	size_t i;

	if (lower == NULL) {
		goto done;
	}
	/* only ASCII is lowered: the rule is untested beyond it */
	for (i = 0; lower[i] != '\0'; i++) {
		if (lower[i] >= 'A' && lower[i] <= 'Z') {
			lower[i] = (char)(lower[i] - 'A' + 'a');
		}
	}
	if (cr_utf16le_encode(frame, lower, strlen(lower), true, &w,
			      &w_len) != 0 ||
	    gnutls_hash_fast(GNUTLS_DIG_MD5, w, w_len, md5) < 0) {
		goto done;
	}
	out = talloc_asprintf(mem_ctx, "%08x%08x%08x%08x_%s", cr_le32(md5),
			      cr_le32(md5 + 4), cr_le32(md5 + 8),
			      cr_le32(md5 + 12), machine_guid);
done:
	TALLOC_FREE(frame);
	return out;
}

int cr_mib1_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		  struct cr_mib1 **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_mib1 *m = NULL;
	struct cr_cursor c;
	const uint8_t *magic = NULL;
	size_t i;
	int ret;

	*out = NULL;
	m = talloc_zero(frame, struct cr_mib1);
	if (m == NULL || len > CR_CNG_KEY_MAX * 4) {
		ret = (m == NULL) ? ENOMEM : EBADMSG;
		cr_seterr(errmsg, "MIB1 blob of %zu bytes refused",
			  len);
		goto done;
	}
	cr_cursor_init(&c, data, len);
	magic = cr_get_bytes(&c, 4, "magic");
	m->name_chars = cr_get_le32(&c, "containerNameLength");
	m->file_name_len = cr_get_le32(&c, "fileNameLength");
	m->key_file_len = cr_get_le32(&c, "privateKeyLength");
	m->legacy_file_name_len = cr_get_le32(&c, "legacyFileNameLength");
	m->legacy_key_len = cr_get_le32(&c, "legacyPrivateKeyLength");
	for (i = 0; i < CR_MIB1_MASTER_KEYS; i++) {
		m->mk[i].len = cr_get_le32(&c, "masterKeyFileLength");
	}
	m->reserved1 = cr_get_le32(&c, "reserved1");
	m->reserved2 = cr_get_le32(&c, "reserved2");
	m->flags = cr_get_le32(&c, "flags");
	if (cr_cursor_ok(&c) && memcmp(magic, CR_MIB1_MAGIC, 4) != 0) {
		cr_cursor_fail(&c, EBADMSG, "magic");
	}
	if (m->name_chars > cr_cursor_left(&c) / 2) {
		cr_cursor_fail(&c, EBADMSG, "containerNameLength");
	}
	m->name_raw = cr_dpapi_take(m, &c, m->name_chars * 2, "container name");
	m->file_name = cr_dpapi_take(m, &c, m->file_name_len, "file name");
	m->key_file = cr_dpapi_take(m, &c, m->key_file_len, "key file");
	m->legacy_file_name = cr_dpapi_take(m, &c, m->legacy_file_name_len,
					  "legacy file name");
	m->legacy_key = cr_dpapi_take(m, &c, m->legacy_key_len, "legacy key");
	for (i = 0; i < CR_MIB1_MASTER_KEYS; i++) {
		if (m->mk[i].len == 0) {
			continue;
		}
		cr_get_copy(&c, m->mk[i].guid.b, 16, "master key GUID");
		m->mk[i].data = cr_dpapi_take(m, &c, m->mk[i].len,
					    "master key file");
	}
	if (!cr_cursor_ok(&c)) {
		ret = (c.status == ENOMEM) ? ENOMEM : EBADMSG;
		cr_seterr(errmsg, "MIB1 blob: bad %s at offset %zu "
			  "(%zu bytes)", c.fail_what, c.fail_off, len);
		goto done;
	}
	if (cr_cursor_left(&c) != 0) {
		ret = EBADMSG;
		cr_seterr(errmsg, "MIB1 blob: %zu trailing bytes",
			  cr_cursor_left(&c));
		goto done;
	}
	ret = cr_utf16le_decode(m, m->name_raw, m->name_chars * 2, &m->name);
	if (ret != 0) {
		ret = (ret == ENOMEM) ? ENOMEM : EBADMSG;
		cr_seterr(errmsg, "MIB1 blob: name is not UTF-16");
		goto done;
	}
	*out = talloc_move(mem_ctx, &m);
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

int cr_mib1_serialize(TALLOC_CTX *mem_ctx, const struct cr_mib1 *m,
		      uint8_t **out, size_t *out_len, char **errmsg)
{
	struct cr_buf o;
	size_t i;

	*out = NULL;
	*out_len = 0;
	cr_buf_init(&o, mem_ctx, false);
	cr_put_bytes(&o, CR_MIB1_MAGIC, 4);
	cr_put_le32(&o, m->name_chars);
	cr_put_le32(&o, m->file_name_len);
	cr_put_le32(&o, m->key_file_len);
	cr_put_le32(&o, m->legacy_file_name_len);
	cr_put_le32(&o, m->legacy_key_len);
	for (i = 0; i < CR_MIB1_MASTER_KEYS; i++) {
		cr_put_le32(&o, m->mk[i].len);
	}
	cr_put_le32(&o, m->reserved1);
	cr_put_le32(&o, m->reserved2);
	cr_put_le32(&o, m->flags);
	cr_put_bytes(&o, m->name_raw, (size_t)m->name_chars * 2);
	cr_put_bytes(&o, m->file_name, m->file_name_len);
	cr_put_bytes(&o, m->key_file, m->key_file_len);
	cr_put_bytes(&o, m->legacy_file_name, m->legacy_file_name_len);
	cr_put_bytes(&o, m->legacy_key, m->legacy_key_len);
	for (i = 0; i < CR_MIB1_MASTER_KEYS; i++) {
		if (m->mk[i].len == 0) {
			continue;
		}
		cr_put_bytes(&o, m->mk[i].guid.b, 16);
		cr_put_bytes(&o, m->mk[i].data, m->mk[i].len);
	}
	if (o.oom) {
		talloc_free(o.data);
		cr_seterr(errmsg, "out of memory");
		return ENOMEM;
	}
	*out = o.data;
	*out_len = o.len;
	return 0;
}
