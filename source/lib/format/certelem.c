/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Serialized certificate-store elements; see certelem.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "format/certelem.h"
#include "util/cursor.h"
#include "util/encoding.h"
#include "util/error.h"
#include "util/utf16.h"

#define CR_PROP_HEADER_SIZE 12
#define CR_KPI_HEADER_SIZE 28
#define CR_KPI_PARAM_SIZE 16

static const char *const cr_certelem_problem_names[] = {
	[CR_CERTELEM_OK] = "ok",
	[CR_CERTELEM_TOO_LARGE] = "too-large",
	[CR_CERTELEM_HEADER_TRUNCATED] = "header-truncated",
	[CR_CERTELEM_BAD_RESERVED] = "bad-reserved",
	[CR_CERTELEM_VALUE_PAST_END] = "value-past-end",
	[CR_CERTELEM_BAD_PROP_ID] = "bad-prop-id",
	[CR_CERTELEM_DUPLICATE_PROP] = "duplicate-prop",
	[CR_CERTELEM_DUPLICATE_CERT] = "duplicate-cert",
	[CR_CERTELEM_MISSING_CERT] = "missing-cert",
	[CR_CERTELEM_EMPTY_CERT] = "empty-cert",
	[CR_CERTELEM_TRAILING_BYTES] = "trailing-bytes",
	[CR_CERTELEM_TOO_MANY_PROPS] = "too-many-props",
	[CR_CERTELEM_BAD_SHA1_PROP] = "bad-sha1-prop",
	[CR_CERTELEM_BAD_FRIENDLY_NAME] = "bad-friendly-name",
	[CR_CERTELEM_BAD_KEY_PROV_INFO] = "bad-key-prov-info",
};

const char *cr_certelem_problem_name(enum cr_certelem_problem p)
{
	if ((unsigned)p >= CR_CERTELEM_PROBLEM_COUNT ||
	    cr_certelem_problem_names[p] == NULL) {
		return "unknown-problem";
	}
	return cr_certelem_problem_names[p];
}

/*
 * A NUL-terminated UTF-16LE string at off inside buf[0..len).  Returns 0,
 * or EBADMSG when it is unterminated or not valid UTF-16.
 */
static int cr_utf16z_at(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			size_t off, char **_s)
{
	size_t i;

	*_s = NULL;
	for (i = off; i < len && len - i >= 2; i += 2) {
		if (buf[i] == 0 && buf[i + 1] == 0) {
			int rc = cr_utf16le_to_utf8(mem_ctx, buf + off,
						    i - off, _s);

			return (rc == ENOMEM) ? ENOMEM
			       : (rc != 0 ? EBADMSG : 0);
		}
	}
	return EBADMSG;
}

int cr_key_prov_info_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf,
			   size_t len, struct cr_key_prov_info **_kpi,
			   char **errmsg)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct cr_key_prov_info *kpi = NULL;
	struct cr_cursor c;
	uint32_t off_container, off_provider, off_params;
	uint32_t i;
	int ret = EBADMSG;

	*_kpi = NULL;
	if (frame == NULL) {
		return ENOMEM;
	}
	kpi = talloc_zero(frame, struct cr_key_prov_info);
	if (kpi == NULL) {
		ret = ENOMEM;
		cr_seterr(errmsg, "key provider info: out of memory");
		goto done;
	}
	cr_cursor_init(&c, buf, len);
	off_container = cr_get_le32(&c, "container name offset");
	off_provider = cr_get_le32(&c, "provider name offset");
	kpi->prov_type = cr_get_le32(&c, "provider type");
	kpi->flags = cr_get_le32(&c, "flags");
	kpi->n_params = cr_get_le32(&c, "parameter count");
	off_params = cr_get_le32(&c, "parameter offset");
	kpi->key_spec = cr_get_le32(&c, "key spec");
	if (!cr_cursor_ok(&c)) {
		cr_seterr(errmsg, "key provider info: %s truncated "
			  "at offset %zu (%zu bytes, the header has %d)",
			  c.fail_what, c.fail_off, len, CR_KPI_HEADER_SIZE);
		goto done;
	}

	/* strings and parameters live after the header, inside the value */
	if (off_container != 0) {
		if (off_container < CR_KPI_HEADER_SIZE ||
		    off_container >= len) {
			cr_seterr(errmsg, "key provider info: "
				  "container name offset %u is not in the "
				  "name data (%d up to %zu)", off_container,
				  CR_KPI_HEADER_SIZE, len);
			goto done;
		}
		ret = cr_utf16z_at(kpi, buf, len, off_container,
				   &kpi->container);
		if (ret != 0) {
			cr_seterr(errmsg, "key provider info: "
				  "container name at offset %u is not "
				  "NUL-terminated UTF-16LE", off_container);
			goto done;
		}
	}
	if (off_provider != 0) {
		if (off_provider < CR_KPI_HEADER_SIZE || off_provider >= len) {
			ret = EBADMSG;
			cr_seterr(errmsg, "key provider info: "
				  "provider name offset %u is not in the "
				  "name data (%d up to %zu)", off_provider,
				  CR_KPI_HEADER_SIZE, len);
			goto done;
		}
		ret = cr_utf16z_at(kpi, buf, len, off_provider,
				   &kpi->provider);
		if (ret != 0) {
			cr_seterr(errmsg, "key provider info: "
				  "provider name at offset %u is not "
				  "NUL-terminated UTF-16LE", off_provider);
			goto done;
		}
	}
	if (kpi->n_params != 0) {
		if (off_params < CR_KPI_HEADER_SIZE || off_params > len ||
		    kpi->n_params > (len - off_params) / CR_KPI_PARAM_SIZE) {
			ret = EBADMSG;
			cr_seterr(errmsg, "key provider info: %u "
				  "parameters at offset %u run past the end "
				  "(%zu bytes)", kpi->n_params, off_params,
				  len);
			goto done;
		}
		for (i = 0; i < kpi->n_params; i++) {
			const uint8_t *p = buf + off_params +
					   (size_t)i * CR_KPI_PARAM_SIZE;
			uint32_t off_data = cr_le32(p + 4);
			uint32_t cb_data = cr_le32(p + 8);

			if (off_data > len || cb_data > len - off_data) {
				ret = EBADMSG;
				cr_seterr(errmsg, "key provider info: "
					  "parameter %u data (%u bytes at "
					  "offset %u) runs past the end (%zu "
					  "bytes)", i, cb_data, off_data, len);
				goto done;
			}
		}
	}
	*_kpi = talloc_move(mem_ctx, &kpi);
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

/* A UTF-16LE string with its NUL, zero-padded to a multiple of 8 bytes. */
static int cr_put_padded_utf16(TALLOC_CTX *mem_ctx, struct cr_buf *b,
			       const char *s, size_t *_size)
{
	uint8_t *u = NULL;
	size_t ulen = 0;
	size_t padded;
	int rc;

	*_size = 0;
	rc = cr_utf8_to_utf16le(mem_ctx, s, &u, &ulen);
	if (rc != 0) {
		return rc;
	}
	padded = (ulen + 7) & ~(size_t)7;
	cr_put_bytes(b, u, ulen);
	cr_put_zeros(b, padded - ulen);
	talloc_free(u);
	*_size = padded;
	return 0;
}

static size_t cr_padded_utf16_size(TALLOC_CTX *mem_ctx, const char *s)
{
	uint8_t *u = NULL;
	size_t ulen = 0;
	int rc = cr_utf8_to_utf16le(mem_ctx, s, &u, &ulen);

	talloc_free(u);
	return (rc != 0) ? 0 : ((ulen + 7) & ~(size_t)7);
}

int cr_key_prov_info_build(TALLOC_CTX *mem_ctx,
			   const struct cr_key_prov_info *kpi,
			   uint8_t **_buf, size_t *_len, char **errmsg)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct cr_buf b;
	size_t container_size = 0;
	size_t provider_size = 0;
	size_t used = 0;
	uint32_t off_container = 0;
	uint32_t off_provider = 0;
	int rc;
	int ret = EINVAL;

	*_buf = NULL;
	*_len = 0;
	if (frame == NULL) {
		return ENOMEM;
	}
	if (kpi->container != NULL) {
		container_size = cr_padded_utf16_size(frame, kpi->container);
		if (container_size == 0) {
			cr_seterr(errmsg, "key provider info: "
				  "container name is not valid UTF-8");
			goto done;
		}
		off_container = CR_KPI_HEADER_SIZE;
	}
	if (kpi->provider != NULL) {
		provider_size = cr_padded_utf16_size(frame, kpi->provider);
		if (provider_size == 0) {
			cr_seterr(errmsg, "key provider info: "
				  "provider name is not valid UTF-8");
			goto done;
		}
		off_provider = CR_KPI_HEADER_SIZE + container_size;
	}
	if (container_size > CR_CERTELEM_MAX_SIZE ||
	    provider_size > CR_CERTELEM_MAX_SIZE) {
		cr_seterr(errmsg, "key provider info: names too "
			  "long");
		goto done;
	}

	cr_buf_init(&b, frame, false);
	cr_put_le32(&b, off_container);
	cr_put_le32(&b, off_provider);
	cr_put_le32(&b, kpi->prov_type);
	cr_put_le32(&b, kpi->flags);
	cr_put_le32(&b, 0);	/* no provider parameters */
	cr_put_le32(&b, 0);
	cr_put_le32(&b, kpi->key_spec);
	if (kpi->container != NULL) {
		rc = cr_put_padded_utf16(frame, &b, kpi->container, &used);
		if (rc == ENOMEM) {
			b.oom = true;
		}
	}
	if (kpi->provider != NULL) {
		rc = cr_put_padded_utf16(frame, &b, kpi->provider, &used);
		if (rc == ENOMEM) {
			b.oom = true;
		}
	}
	if (b.oom) {
		ret = ENOMEM;
		cr_seterr(errmsg, "key provider info: out of memory");
		goto done;
	}
	*_buf = talloc_steal(mem_ctx, b.data);
	*_len = b.len;
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

/* Check and decode the properties this client uses. */
static int cr_certelem_decode_props(TALLOC_CTX *mem_ctx,
				    struct cr_certelem *e,
				    enum cr_certelem_problem *why,
				    char **errmsg)
{
	size_t i;
	int rc;

	for (i = 0; i < e->n_props; i++) {
		const struct cr_certelem_prop *p = &e->props[i];

		switch (p->id) {
		case CR_CERT_PROP_SHA1_HASH:
			if (p->length != CR_SHA1_LEN) {
				*why = CR_CERTELEM_BAD_SHA1_PROP;
				cr_seterr(errmsg, "certificate "
					  "element: SHA-1 property has %u "
					  "bytes, not 20, at offset %zu",
					  p->length, p->offset);
				return EBADMSG;
			}
			e->has_sha1_prop = true;
			e->sha1_prop_matches = (memcmp(p->value,
				e->thumbprint, CR_SHA1_LEN) == 0);
			break;
		case CR_CERT_PROP_FRIENDLY_NAME:
			rc = EBADMSG;
			if (p->length >= 2 && p->length % 2 == 0 &&
			    p->value[p->length - 2] == 0 &&
			    p->value[p->length - 1] == 0) {
				rc = cr_utf16le_to_utf8(e, p->value,
							p->length - 2,
							&e->friendly_name);
			}
			if (rc == ENOMEM) {
				cr_seterr(errmsg, "certificate "
					  "element: out of memory");
				return ENOMEM;
			}
			if (rc != 0) {
				*why = CR_CERTELEM_BAD_FRIENDLY_NAME;
				cr_seterr(errmsg, "certificate "
					  "element: friendly name at offset "
					  "%zu is not NUL-terminated UTF-16LE",
					  p->offset);
				return EBADMSG;
			}
			break;
		case CR_CERT_PROP_KEY_PROV_INFO:
			rc = cr_key_prov_info_parse(e, p->value, p->length,
						    &e->key_prov, errmsg);
			if (rc != 0) {
				*why = CR_CERTELEM_BAD_KEY_PROV_INFO;
				cr_wraperr(errmsg, "certificate "
					   "element: property 2 at offset %zu",
					   p->offset);
				return rc;
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

int cr_certelem_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
		      struct cr_certelem **_elem,
		      enum cr_certelem_problem *problem, char **errmsg)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	enum cr_certelem_problem why = CR_CERTELEM_OK;
	struct cr_certelem *e = NULL;
	struct cr_cursor c;
	size_t max_props;
	bool have_cert = false;
	bool ok;
	int ret = EBADMSG;

	*_elem = NULL;
	if (frame == NULL) {
		return ENOMEM;
	}
	if (problem != NULL) {
		*problem = CR_CERTELEM_OK;
	}
	if (len > CR_CERTELEM_MAX_SIZE) {
		why = CR_CERTELEM_TOO_LARGE;
		cr_seterr(errmsg, "certificate element: %zu bytes "
			  "is more than %d", len, CR_CERTELEM_MAX_SIZE);
		goto done;
	}
	e = talloc_zero(frame, struct cr_certelem);
	if (e == NULL) {
		goto nomem;
	}
	e->raw = talloc_memdup(e, buf, len);
	if (e->raw == NULL && len > 0) {
		goto nomem;
	}
	e->raw_len = len;
	/* every property takes at least a header: bound the array by that */
	max_props = len / CR_PROP_HEADER_SIZE;
	if (max_props > CR_CERTELEM_MAX_PROPS) {
		max_props = CR_CERTELEM_MAX_PROPS;
	}
	e->props = talloc_zero_array(e, struct cr_certelem_prop,
				     max_props + 1);
	if (e->props == NULL) {
		goto nomem;
	}

	cr_cursor_init(&c, e->raw, len);
	while (!have_cert) {
		struct cr_certelem_prop p = { .offset = c.off };
		uint32_t reserved;
		size_t left = cr_cursor_left(&c);
		size_t i;

		if (left == 0) {
			why = CR_CERTELEM_MISSING_CERT;
			cr_seterr(errmsg, "certificate element: ends "
				  "at offset %zu without the certificate "
				  "(property 32)", c.off);
			goto done;
		}
		if (left < CR_PROP_HEADER_SIZE) {
			why = CR_CERTELEM_HEADER_TRUNCATED;
			cr_seterr(errmsg, "certificate element: "
				  "property header truncated (%zu of 12 "
				  "bytes) at offset %zu", left, c.off);
			goto done;
		}
		if (e->n_props == CR_CERTELEM_MAX_PROPS) {
			why = CR_CERTELEM_TOO_MANY_PROPS;
			cr_seterr(errmsg, "certificate element: more "
				  "than %d properties at offset %zu",
				  CR_CERTELEM_MAX_PROPS, c.off);
			goto done;
		}
		p.id = cr_get_le32(&c, "property id");
		reserved = cr_get_le32(&c, "reserved");
		p.length = cr_get_le32(&c, "property length");
		if (p.id == 0) {
			why = CR_CERTELEM_BAD_PROP_ID;
			cr_seterr(errmsg, "certificate element: "
				  "property id 0 at offset %zu", p.offset);
			goto done;
		}
		if (reserved != 1) {
			why = CR_CERTELEM_BAD_RESERVED;
			cr_seterr(errmsg, "certificate element: "
				  "property %u reserved field is %u, not 1, "
				  "at offset %zu", p.id, reserved,
				  p.offset + 4);
			goto done;
		}
		left = cr_cursor_left(&c);
		if (p.length > left) {
			why = CR_CERTELEM_VALUE_PAST_END;
			cr_seterr(errmsg, "certificate element: "
				  "property %u length %u runs past the end "
				  "(%zu bytes left) at offset %zu", p.id,
				  p.length, left, p.offset + 8);
			goto done;
		}
		for (i = 0; i < e->n_props; i++) {
			if (e->props[i].id == p.id) {
				why = CR_CERTELEM_DUPLICATE_PROP;
				cr_seterr(errmsg, "certificate "
					  "element: property %u again at "
					  "offset %zu (first at %zu)", p.id,
					  p.offset, e->props[i].offset);
				goto done;
			}
		}
		p.value = cr_get_bytes(&c, p.length, "property value");
		e->props[e->n_props++] = p;
		have_cert = (p.id == CR_CERT_PROP_CERT);
	}

	if (cr_cursor_left(&c) != 0) {
		size_t left = cr_cursor_left(&c);
		size_t off = c.off;
		bool again = left >= CR_PROP_HEADER_SIZE &&
			     cr_le32(e->raw + off) == CR_CERT_PROP_CERT;

		why = again ? CR_CERTELEM_DUPLICATE_CERT
			    : CR_CERTELEM_TRAILING_BYTES;
		cr_seterr(errmsg, again
			  ? "certificate element: a second certificate "
			    "property at offset %zu (%zu bytes)"
			  : "certificate element: trailing bytes after the "
			    "certificate at offset %zu (%zu bytes)",
			  off, left);
		goto done;
	}

	e->cert = e->props[e->n_props - 1].value;
	e->cert_len = e->props[e->n_props - 1].length;
	if (e->cert_len == 0) {
		why = CR_CERTELEM_EMPTY_CERT;
		cr_seterr(errmsg, "certificate element: empty "
			  "certificate property at offset %zu",
			  e->props[e->n_props - 1].offset);
		goto done;
	}
	ok = cr_sha1(e->cert, e->cert_len, e->thumbprint);
	if (!ok) {
		ret = EIO;
		cr_seterr(errmsg, "certificate element: SHA-1 "
			  "failed");
		goto done;
	}
	e->thumbprint_hex = cr_hex_upper(e, e->thumbprint, CR_SHA1_LEN);
	if (e->thumbprint_hex == NULL) {
		goto nomem;
	}
	ret = cr_certelem_decode_props(mem_ctx, e, &why, errmsg);
	if (ret != 0) {
		goto done;
	}
	*_elem = talloc_move(mem_ctx, &e);
	ret = 0;
	goto done;
nomem:
	ret = ENOMEM;
	cr_seterr(errmsg, "certificate element: out of memory");
done:
	if (problem != NULL) {
		*problem = why;
	}
	TALLOC_FREE(frame);
	return ret;
}

int cr_certelem_serialize(TALLOC_CTX *mem_ctx,
			  const struct cr_certelem *elem,
			  uint8_t **_buf, size_t *_len, char **errmsg)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct cr_buf b;
	size_t i;
	int ret;

	*_buf = NULL;
	*_len = 0;
	if (frame == NULL) {
		return ENOMEM;
	}
	cr_buf_init(&b, frame, false);
	for (i = 0; i < elem->n_props; i++) {
		const struct cr_certelem_prop *p = &elem->props[i];

		cr_put_le32(&b, p->id);
		cr_put_le32(&b, 1);
		cr_put_le32(&b, p->length);
		cr_put_bytes(&b, p->value, p->length);
	}
	if (b.oom) {
		ret = ENOMEM;
		cr_seterr(errmsg, "certificate element: out of "
			  "memory");
		goto done;
	}
	*_buf = talloc_steal(mem_ctx, b.data);
	*_len = b.len;
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

static void cr_put_prop(struct cr_buf *b, uint32_t id, const uint8_t *v,
			size_t n)
{
	cr_put_le32(b, id);
	cr_put_le32(b, 1);
	cr_put_le32(b, (uint32_t)n);
	cr_put_bytes(b, v, n);
}

int cr_certelem_build(TALLOC_CTX *mem_ctx, const uint8_t *der,
		      size_t der_len, const char *friendly_name,
		      const struct cr_key_prov_info *kpi,
		      uint8_t **_buf, size_t *_len, char **errmsg)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct cr_x509_info *info = NULL;
	uint8_t sha1[CR_SHA1_LEN];
	uint8_t *name16 = NULL;
	size_t name16_len = 0;
	uint8_t *kpi_buf = NULL;
	size_t kpi_len = 0;
	struct cr_buf b;
	bool ok;
	int ret;

	*_buf = NULL;
	*_len = 0;
	if (frame == NULL) {
		return ENOMEM;
	}
	if (der_len == 0 || der_len > CR_CERTELEM_MAX_SIZE / 2) {
		ret = EINVAL;
		cr_seterr(errmsg, "certificate element: a %zu-byte "
			  "certificate cannot be stored", der_len);
		goto done;
	}
	/* refuse to hand Windows something it cannot decode */
	ret = cr_x509_info(frame, der, der_len, &info, errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "certificate element");
		goto done;
	}
	ok = cr_sha1(der, der_len, sha1);
	if (!ok) {
		ret = EIO;
		cr_seterr(errmsg, "certificate element: SHA-1 "
			  "failed");
		goto done;
	}
	if (friendly_name != NULL) {
		ret = cr_utf8_to_utf16le(frame, friendly_name, &name16,
					 &name16_len);
		if (ret != 0) {
			cr_seterr(errmsg, "certificate element: "
				  "friendly name is not valid UTF-8");
			goto done;
		}
	}
	if (kpi != NULL) {
		ret = cr_key_prov_info_build(frame, kpi, &kpi_buf, &kpi_len,
					     errmsg);
		if (ret != 0) {
			goto done;
		}
	}

	cr_buf_init(&b, frame, false);
	cr_put_prop(&b, CR_CERT_PROP_SHA1_HASH, sha1, sizeof(sha1));
	if (name16 != NULL) {
		cr_put_prop(&b, CR_CERT_PROP_FRIENDLY_NAME, name16,
			    name16_len);
	}
	if (kpi_buf != NULL) {
		cr_put_prop(&b, CR_CERT_PROP_KEY_PROV_INFO, kpi_buf, kpi_len);
	}
	cr_put_prop(&b, CR_CERT_PROP_CERT, der, der_len);
	if (b.oom || b.len > CR_CERTELEM_MAX_SIZE) {
		ret = b.oom ? ENOMEM : EINVAL;
		cr_seterr(errmsg, "certificate element: %s",
			  b.oom ? "out of memory" : "too large");
		goto done;
	}
	*_buf = talloc_steal(mem_ctx, b.data);
	*_len = b.len;
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

struct cr_gnutls_crt {
	gnutls_x509_crt_t crt;
};

static int cr_gnutls_crt_destructor(struct cr_gnutls_crt *h)
{
	if (h->crt != NULL) {
		gnutls_x509_crt_deinit(h->crt);
		h->crt = NULL;
	}
	return 0;
}

/* A GnuTLS-allocated string, copied onto talloc and released. */
static char *cr_datum_string(TALLOC_CTX *mem_ctx, gnutls_datum_t *d)
{
	char *s = talloc_strndup(mem_ctx, (const char *)d->data, d->size);

	gnutls_free(d->data);
	d->data = NULL;
	return s;
}

int cr_x509_info(TALLOC_CTX *mem_ctx, const uint8_t *der, size_t der_len,
		 struct cr_x509_info **_info, char **errmsg)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct cr_x509_info *info = NULL;
	struct cr_gnutls_crt *h = NULL;
	gnutls_datum_t in = { 0 };
	gnutls_datum_t d = { 0 };
	uint8_t serial[64];
	size_t serial_len = sizeof(serial);
	time_t t;
	int rc;
	int ret = EBADMSG;

	*_info = NULL;
	if (frame == NULL) {
		return ENOMEM;
	}
	if (der_len > UINT32_MAX) {
		cr_seterr(errmsg, "X.509: certificate too large");
		goto done;
	}
	info = talloc_zero(frame, struct cr_x509_info);
	h = talloc_zero(frame, struct cr_gnutls_crt);
	if (info == NULL || h == NULL) {
		goto nomem;
	}
	rc = gnutls_x509_crt_init(&h->crt);
	if (rc != GNUTLS_E_SUCCESS) {
		h->crt = NULL;
		goto nomem;
	}
	talloc_set_destructor(h, cr_gnutls_crt_destructor);
	in.data = (unsigned char *)(uintptr_t)der;
	in.size = (unsigned)der_len;
	rc = gnutls_x509_crt_import(h->crt, &in, GNUTLS_X509_FMT_DER);
	if (rc != GNUTLS_E_SUCCESS) {
		cr_seterr(errmsg, "X.509: the certificate does not "
			  "decode: %s", gnutls_strerror(rc));
		goto done;
	}
	rc = gnutls_x509_crt_get_dn3(h->crt, &d, 0);
	if (rc == GNUTLS_E_SUCCESS) {
		info->subject = cr_datum_string(info, &d);
	}
	rc = gnutls_x509_crt_get_issuer_dn3(h->crt, &d, 0);
	if (rc == GNUTLS_E_SUCCESS) {
		info->issuer = cr_datum_string(info, &d);
	}
	rc = gnutls_x509_crt_get_serial(h->crt, serial, &serial_len);
	if (rc == GNUTLS_E_SUCCESS) {
		info->serial = cr_hex_upper(info, serial, serial_len);
	}
	t = gnutls_x509_crt_get_activation_time(h->crt);
	if (t != (time_t)-1) {
		info->not_before = cr_filetime_iso8601(info,
			cr_filetime_from_unix(t, 0));
	}
	t = gnutls_x509_crt_get_expiration_time(h->crt);
	if (t != (time_t)-1) {
		info->not_after = cr_filetime_iso8601(info,
			cr_filetime_from_unix(t, 0));
	}
	*_info = talloc_move(mem_ctx, &info);
	ret = 0;
	goto done;
nomem:
	ret = ENOMEM;
	cr_seterr(errmsg, "X.509: out of memory");
done:
	TALLOC_FREE(frame);
	return ret;
}
