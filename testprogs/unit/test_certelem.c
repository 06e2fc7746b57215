/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for serialized certificate-store elements and the
 * key-provider info inside them: the real DSInternals element, elements
 * built from a generated certificate, and malformed property lists.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>

#include "format/certelem.h"
#include "util/cursor.h"
#include "util/encoding.h"
#include "test_util.h"
#include "format/token.h"
#include "util/utf16.h"

#define SAMPLE_THUMBPRINT "3B83BFA7037F6A79B3F3D17D229E1BC097F35B51"
#define SAMPLE_CONTAINER "te-TestTemplate-dda6a29b-3e38-4528-8785-7c95d30c631a"
#define TEST_THUMBPRINT "579986D56DC0EED1277C31C0F006651190D65B4A"
#define TEST_CONTAINER "3c1f0d6b-2d2e-4c5e-9a7b-000000000001"

struct test_ctx {
	TALLOC_CTX *mem;
	uint8_t *der;		/* testdata/certs/selfsigned.der */
	size_t der_len;
};

static int setup(void **state)
{
	struct test_ctx *ctx = NULL;

	cr_test_leak_begin();
	ctx = talloc_zero(NULL, struct test_ctx);
	assert_non_null(ctx);
	ctx->mem = talloc_new(ctx);
	assert_non_null(ctx->mem);
	ctx->der = cr_test_read_or_fail(ctx->mem, "certs/selfsigned.der",
					&ctx->der_len);
	*state = ctx;
	return 0;
}

static int teardown(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);

	talloc_free(ctx->mem);
	ctx->mem = NULL;
	talloc_free(ctx);
	cr_test_leak_end();
	return 0;
}

/* The element inside the real CNG certificate token. */
static const uint8_t *sample_element(TALLOC_CTX *mem_ctx, size_t *len)
{
	size_t tlen = 0;
	uint8_t *buf = cr_test_read_or_fail(
		mem_ctx, "dsinternals/cng-certificate.token", &tlen);
	struct cr_token *t = NULL;

	assert_int_equal(cr_token_parse(mem_ctx, buf, tlen, &t, NULL, NULL),
			 0);
	*len = t->data_length;
	return t->data;
}

static const struct cr_certelem_prop *find_prop(const struct cr_certelem *e,
						uint32_t id)
{
	size_t i;

	for (i = 0; i < e->n_props; i++) {
		if (e->props[i].id == id) {
			return &e->props[i];
		}
	}
	return NULL;
}

static void test_certelem_sample(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	static const uint32_t ids[] = { 3, 4, 15, 20, 25, 92, 24, 2, 87, 71,
					32 };
	size_t len = 0;
	const uint8_t *buf = sample_element(ctx->mem, &len);
	struct cr_certelem *e = NULL;
	enum cr_certelem_problem p = CR_CERTELEM_TOO_LARGE;
	uint8_t *out = NULL;
	size_t out_len = 0;
	size_t i;

	assert_int_equal(cr_certelem_parse(ctx->mem, buf, len, &e, &p, NULL),
			 0);
	assert_int_equal(p, CR_CERTELEM_OK);
	assert_int_equal(e->n_props, sizeof(ids) / sizeof(ids[0]));
	for (i = 0; i < e->n_props; i++) {
		assert_int_equal(e->props[i].id, ids[i]);
	}
	assert_int_equal(e->props[0].offset, 0);
	assert_int_equal(e->cert_len, 1522);
	assert_ptr_equal(e->cert, e->props[10].value);
	assert_string_equal(e->thumbprint_hex, SAMPLE_THUMBPRINT);
	assert_true(e->has_sha1_prop);
	assert_true(e->sha1_prop_matches);
	assert_null(e->friendly_name);
	/* property 92: an EC P-384 key */
	assert_int_equal(cr_le32(find_prop(e, 92)->value), 384);

	assert_non_null(e->key_prov);
	assert_string_equal(e->key_prov->container, SAMPLE_CONTAINER);
	assert_string_equal(e->key_prov->provider, CR_MS_KEY_STORAGE_PROVIDER);
	assert_int_equal(e->key_prov->prov_type, 0);
	assert_int_equal(e->key_prov->flags, 0);
	assert_int_equal(e->key_prov->key_spec, 0);
	assert_int_equal(e->key_prov->n_params, 0);

	assert_int_equal(cr_certelem_serialize(ctx->mem, e, &out, &out_len,
					       NULL), 0);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, buf, len);
}

static void test_certelem_key_prov_info_like_windows(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	size_t len = 0;
	const uint8_t *buf = sample_element(ctx->mem, &len);
	struct cr_certelem *e = NULL;
	const struct cr_certelem_prop *kp = NULL;
	struct cr_key_prov_info kpi = {
		.container = talloc_strdup(ctx->mem, SAMPLE_CONTAINER),
		.provider = talloc_strdup(ctx->mem, CR_MS_KEY_STORAGE_PROVIDER),
	};
	uint8_t *out = NULL;
	size_t out_len = 0;

	assert_int_equal(cr_certelem_parse(ctx->mem, buf, len, &e, NULL, NULL),
			 0);
	kp = find_prop(e, CR_CERT_PROP_KEY_PROV_INFO);
	assert_non_null(kp);
	/* Windows pads the 106-byte container name to 112: provider at 140 */
	assert_int_equal(cr_le32(kp->value), 28);
	assert_int_equal(cr_le32(kp->value + 4), 140);
	assert_int_equal(cr_key_prov_info_build(ctx->mem, &kpi, &out,
						&out_len, NULL), 0);
	assert_int_equal(out_len, kp->length);
	assert_memory_equal(out, kp->value, kp->length);
}

static void test_certelem_x509_info(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	size_t len = 0;
	const uint8_t *buf = sample_element(ctx->mem, &len);
	struct cr_certelem *e = NULL;
	struct cr_x509_info *info = NULL;
	char *err = NULL;

	assert_int_equal(cr_certelem_parse(ctx->mem, buf, len, &e, NULL, NULL),
			 0);
	assert_int_equal(cr_x509_info(ctx->mem, e->cert, e->cert_len, &info,
				      NULL), 0);
	assert_string_equal(info->subject, "EMAIL=admin@adatum.com,"
			    "CN=Administrator,CN=Users,DC=Adatum,DC=com");
	assert_string_equal(info->issuer, "CN=AdatumCA,DC=Adatum,DC=com");
	assert_string_equal(info->not_before, "2017-03-13T08:48:31Z");
	assert_string_equal(info->not_after, "2018-03-13T08:48:31Z");
	assert_non_null(info->serial);

	assert_int_equal(cr_x509_info(ctx->mem, ctx->der, ctx->der_len, &info,
				      NULL), 0);
	assert_string_equal(info->subject, "O=credroam,CN=credroam test user");
	assert_string_equal(info->issuer, info->subject);
	/* past 2038: time_t and the FILETIME conversion must both cope */
	assert_string_equal(info->not_after, "2126-11-02T05:49:07Z");

	assert_int_equal(cr_x509_info(ctx->mem, ctx->der, ctx->der_len - 1,
				      &info, &err), EBADMSG);
	assert_null(info);
	assert_non_null(strstr(err, "does not decode"));
}

static void test_certelem_build_capi(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	struct cr_key_prov_info kpi = {
		.container = talloc_strdup(ctx->mem, TEST_CONTAINER),
		.provider = talloc_strdup(ctx->mem, CR_MS_ENHANCED_PROV),
		.prov_type = CR_PROV_RSA_FULL,
		.key_spec = CR_AT_KEYEXCHANGE,
	};
	struct cr_certelem *e = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	uint8_t *again = NULL;
	size_t again_len = 0;

	assert_int_equal(cr_certelem_build(ctx->mem, ctx->der, ctx->der_len,
					   "credroam test \xe2\x9c\x93", &kpi,
					   &buf, &len, NULL), 0);
	assert_int_equal(cr_certelem_parse(ctx->mem, buf, len, &e, NULL, NULL),
			 0);
	assert_int_equal(e->n_props, 4);
	assert_int_equal(e->props[0].id, CR_CERT_PROP_SHA1_HASH);
	assert_int_equal(e->props[1].id, CR_CERT_PROP_FRIENDLY_NAME);
	assert_int_equal(e->props[2].id, CR_CERT_PROP_KEY_PROV_INFO);
	assert_int_equal(e->props[3].id, CR_CERT_PROP_CERT);
	assert_string_equal(e->thumbprint_hex, TEST_THUMBPRINT);
	assert_true(e->sha1_prop_matches);
	assert_string_equal(e->friendly_name, "credroam test \xe2\x9c\x93");
	/* UTF-16LE with its NUL: 15 characters + 1 */
	assert_int_equal(e->props[1].length, 32);
	assert_int_equal(e->cert_len, ctx->der_len);
	assert_memory_equal(e->cert, ctx->der, ctx->der_len);
	assert_string_equal(e->key_prov->container, TEST_CONTAINER);
	assert_string_equal(e->key_prov->provider, CR_MS_ENHANCED_PROV);
	assert_int_equal(e->key_prov->prov_type, CR_PROV_RSA_FULL);
	assert_int_equal(e->key_prov->key_spec, CR_AT_KEYEXCHANGE);
	/* names padded to 8 bytes: 74 -> 80, so the provider is at 108 */
	assert_int_equal(cr_le32(e->props[2].value + 4), 28 + 80);
	assert_int_equal(e->props[2].length, 28 + 80 + 96);

	assert_int_equal(cr_certelem_serialize(ctx->mem, e, &again,
					       &again_len, NULL), 0);
	assert_int_equal(again_len, len);
	assert_memory_equal(again, buf, len);
}

static void test_certelem_build_minimal(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	struct cr_key_prov_info cng = {
		.container = talloc_strdup(ctx->mem, "te-User-0000"),
		.provider = talloc_strdup(ctx->mem, CR_MS_KEY_STORAGE_PROVIDER),
	};
	struct cr_certelem *e = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	char *err = NULL;

	assert_int_equal(cr_certelem_build(ctx->mem, ctx->der, ctx->der_len,
					   NULL, NULL, &buf, &len, NULL), 0);
	assert_int_equal(len, 12 + 20 + 12 + ctx->der_len);
	assert_int_equal(cr_certelem_parse(ctx->mem, buf, len, &e, NULL, NULL),
			 0);
	assert_int_equal(e->n_props, 2);
	assert_null(e->key_prov);
	assert_null(e->friendly_name);

	assert_int_equal(cr_certelem_build(ctx->mem, ctx->der, ctx->der_len,
					   NULL, &cng, &buf, &len, NULL), 0);
	assert_int_equal(cr_certelem_parse(ctx->mem, buf, len, &e, NULL, NULL),
			 0);
	assert_string_equal(e->key_prov->container, "te-User-0000");
	assert_int_equal(e->key_prov->prov_type, CR_PROV_NONE);
	assert_int_equal(e->key_prov->key_spec, CR_AT_NONE);

	/* Windows must never get a certificate it cannot decode */
	assert_int_equal(cr_certelem_build(ctx->mem, ctx->der, 10, NULL, NULL,
					   &buf, &len, &err), EBADMSG);
	assert_null(buf);
	assert_non_null(strstr(err, "certificate element"));
	assert_int_equal(cr_certelem_build(ctx->mem, ctx->der, 0, NULL, NULL,
					   &buf, &len, NULL), EINVAL);
	assert_int_equal(cr_certelem_build(ctx->mem, ctx->der, ctx->der_len,
					   "bad \xff utf-8", NULL, &buf, &len,
					   NULL), EILSEQ);
}

static void test_certelem_utf16(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	/* U+1F511 (key) needs a surrogate pair */
	const char *s = "k\xc3\xa9y \xf0\x9f\x94\x91";
	static const uint8_t lone_high[] = { 0x3d, 0xd8, 0x41, 0x00 };
	static const uint8_t lone_low[] = { 0x11, 0xdd };
	static const uint8_t inner_nul[] = { 0x41, 0x00, 0x00, 0x00 };
	uint8_t *u = NULL;
	size_t ulen = 0;
	char *back = NULL;

	assert_int_equal(cr_utf8_to_utf16le(ctx->mem, s, &u, &ulen), 0);
	assert_int_equal(ulen, 2 * (4 + 2 + 1));
	assert_int_equal(cr_le16(u + 8), 0xd83d);
	assert_int_equal(cr_utf16le_to_utf8(ctx->mem, u, ulen - 2, &back), 0);
	assert_string_equal(back, s);
	assert_int_equal(cr_utf16le_to_utf8(ctx->mem, lone_high,
					    sizeof(lone_high), &back), EILSEQ);
	assert_int_equal(cr_utf16le_to_utf8(ctx->mem, lone_low,
					    sizeof(lone_low), &back), EILSEQ);
	assert_int_equal(cr_utf16le_to_utf8(ctx->mem, inner_nul,
					    sizeof(inner_nul), &back), EILSEQ);
	assert_int_equal(cr_utf16le_to_utf8(ctx->mem, u, 3, &back), EILSEQ);
	assert_int_equal(cr_utf8_to_utf16le(ctx->mem, "\xc0\xaf", &u, &ulen),
			 EILSEQ);
	assert_int_equal(cr_utf8_to_utf16le(ctx->mem, "\xed\xa0\x80", &u,
					    &ulen), EILSEQ);
}

/* Property-list writer for hostile inputs; independent of the builder. */
static void put_prop(struct cr_buf *b, uint32_t id, uint32_t reserved,
		     uint32_t len, const void *v, size_t vlen)
{
	cr_put_le32(b, id);
	cr_put_le32(b, reserved);
	cr_put_le32(b, len);
	cr_put_bytes(b, v, vlen);
}

/* A key-provider info value with the given header fields and tail. */
static void put_kpi(struct cr_buf *b, uint32_t off_c, uint32_t off_p,
		    uint32_t n_params, uint32_t off_params,
		    const void *tail, size_t tail_len)
{
	struct cr_buf v;

	cr_buf_init(&v, talloc_parent(b->data), false);
	cr_put_le32(&v, off_c);
	cr_put_le32(&v, off_p);
	cr_put_le32(&v, 1);
	cr_put_le32(&v, 0);
	cr_put_le32(&v, n_params);
	cr_put_le32(&v, off_params);
	cr_put_le32(&v, 1);
	cr_put_bytes(&v, tail, tail_len);
	assert_false(v.oom);
	put_prop(b, 2, 1, (uint32_t)v.len, v.data, v.len);
}

enum hostile_shape {
	H_EMPTY,
	H_SHORT_HEADER,
	H_RESERVED_0,
	H_RESERVED_2,
	H_LEN_PAST_END,
	H_LEN_HUGE,
	H_CERT_LEN_PAST_END,
	H_PROP_ID_0,
	H_DUP_SHA1,
	H_DUP_CERT,
	H_NO_CERT,
	H_ONLY_SHA1,
	H_TRAILING_5,
	H_TRAILING_PROP,
	H_EMPTY_CERT,
	H_COUNT_BOMB,
	H_SHA1_19,
	H_SHA1_21,
	H_NAME_ODD,
	H_NAME_NO_NUL,
	H_NAME_SURROGATE,
	H_NAME_EMPTY,
	H_KPI_SHORT,
	H_KPI_CONTAINER_PAST_END,
	H_KPI_CONTAINER_IN_HEADER,
	H_KPI_CONTAINER_UNTERMINATED,
	H_KPI_PROVIDER_PAST_END,
	H_KPI_PARAM_BOMB,
	H_KPI_PARAM_DATA_PAST_END,
	H_TOO_LARGE,
};

static const struct {
	enum hostile_shape shape;
	const char *name;
	enum cr_certelem_problem expect;
} hostile_cases[] = {
	{ H_EMPTY, "empty", CR_CERTELEM_MISSING_CERT },
	{ H_SHORT_HEADER, "11-byte header", CR_CERTELEM_HEADER_TRUNCATED },
	{ H_RESERVED_0, "reserved 0", CR_CERTELEM_BAD_RESERVED },
	{ H_RESERVED_2, "reserved 2 on the cert", CR_CERTELEM_BAD_RESERVED },
	{ H_LEN_PAST_END, "length one past the end",
	  CR_CERTELEM_VALUE_PAST_END },
	{ H_LEN_HUGE, "length 0xffffffff", CR_CERTELEM_VALUE_PAST_END },
	{ H_CERT_LEN_PAST_END, "certificate cut short",
	  CR_CERTELEM_VALUE_PAST_END },
	{ H_PROP_ID_0, "property id 0", CR_CERTELEM_BAD_PROP_ID },
	{ H_DUP_SHA1, "SHA-1 property twice", CR_CERTELEM_DUPLICATE_PROP },
	{ H_DUP_CERT, "certificate twice", CR_CERTELEM_DUPLICATE_CERT },
	{ H_NO_CERT, "no certificate", CR_CERTELEM_MISSING_CERT },
	{ H_ONLY_SHA1, "only a SHA-1 property", CR_CERTELEM_MISSING_CERT },
	{ H_TRAILING_5, "5 bytes after the certificate",
	  CR_CERTELEM_TRAILING_BYTES },
	{ H_TRAILING_PROP, "a property after the certificate",
	  CR_CERTELEM_TRAILING_BYTES },
	{ H_EMPTY_CERT, "empty certificate", CR_CERTELEM_EMPTY_CERT },
	{ H_COUNT_BOMB, "129 empty properties", CR_CERTELEM_TOO_MANY_PROPS },
	{ H_SHA1_19, "19-byte SHA-1", CR_CERTELEM_BAD_SHA1_PROP },
	{ H_SHA1_21, "21-byte SHA-1", CR_CERTELEM_BAD_SHA1_PROP },
	{ H_NAME_ODD, "odd-length name", CR_CERTELEM_BAD_FRIENDLY_NAME },
	{ H_NAME_NO_NUL, "name without NUL", CR_CERTELEM_BAD_FRIENDLY_NAME },
	{ H_NAME_SURROGATE, "name with a lone surrogate",
	  CR_CERTELEM_BAD_FRIENDLY_NAME },
	{ H_NAME_EMPTY, "zero-byte name", CR_CERTELEM_BAD_FRIENDLY_NAME },
	{ H_KPI_SHORT, "27-byte key info", CR_CERTELEM_BAD_KEY_PROV_INFO },
	{ H_KPI_CONTAINER_PAST_END, "container offset past the end",
	  CR_CERTELEM_BAD_KEY_PROV_INFO },
	{ H_KPI_CONTAINER_IN_HEADER, "container offset inside the header",
	  CR_CERTELEM_BAD_KEY_PROV_INFO },
	{ H_KPI_CONTAINER_UNTERMINATED, "container without NUL",
	  CR_CERTELEM_BAD_KEY_PROV_INFO },
	{ H_KPI_PROVIDER_PAST_END, "provider offset past the end",
	  CR_CERTELEM_BAD_KEY_PROV_INFO },
	{ H_KPI_PARAM_BOMB, "0xffffffff parameters",
	  CR_CERTELEM_BAD_KEY_PROV_INFO },
	{ H_KPI_PARAM_DATA_PAST_END, "parameter data past the end",
	  CR_CERTELEM_BAD_KEY_PROV_INFO },
	{ H_TOO_LARGE, "over the size limit", CR_CERTELEM_TOO_LARGE },
};

static uint8_t *hostile_element(TALLOC_CTX *mem_ctx, const uint8_t *der,
				size_t der_len, enum hostile_shape shape,
				size_t *len)
{
	static const uint8_t sha1[21] = { 0 };
	static const uint8_t name_ok[] = { 'a', 0, 0, 0 };
	static const uint8_t name_no_nul[] = { 'a', 0, 'b', 0 };
	static const uint8_t name_surrogate[] = { 0x00, 0xd8, 0, 0 };
	static const uint8_t name_odd[] = { 'a', 0, 0 };
	static const uint8_t container[] = { 'c', 0, 0, 0 };
	static const uint8_t unterminated[] = { 'c', 0, 'd', 0 };
	static const uint8_t param[] = {
		5, 0, 0, 0, 44, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0,
		'a', 'b', 'c', 'd',
	};
	struct cr_buf b;
	uint32_t i;

	cr_buf_init(&b, mem_ctx, false);
	switch (shape) {
	case H_EMPTY:
		break;
	case H_SHORT_HEADER:
		put_prop(&b, 32, 1, 0, NULL, 0);
		b.len = 11;
		break;
	case H_RESERVED_0:
		put_prop(&b, 3, 0, 20, sha1, 20);
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_RESERVED_2:
		put_prop(&b, 32, 2, (uint32_t)der_len, der, der_len);
		break;
	case H_LEN_PAST_END:
		put_prop(&b, 3, 1, 21, sha1, 20);
		break;
	case H_LEN_HUGE:
		put_prop(&b, 3, 1, 0xffffffff, sha1, 20);
		break;
	case H_CERT_LEN_PAST_END:
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len - 1);
		break;
	case H_PROP_ID_0:
		put_prop(&b, 0, 1, 0, NULL, 0);
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_DUP_SHA1:
		put_prop(&b, 3, 1, 20, sha1, 20);
		put_prop(&b, 3, 1, 20, sha1, 20);
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_DUP_CERT:
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_NO_CERT:
		put_prop(&b, 3, 1, 20, sha1, 20);
		put_prop(&b, 11, 1, 4, name_ok, 4);
		break;
	case H_ONLY_SHA1:
		put_prop(&b, 3, 1, 20, sha1, 20);
		break;
	case H_TRAILING_5:
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		cr_put_zeros(&b, 5);
		break;
	case H_TRAILING_PROP:
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		put_prop(&b, 11, 1, 4, name_ok, 4);
		break;
	case H_EMPTY_CERT:
		put_prop(&b, 3, 1, 20, sha1, 20);
		put_prop(&b, 32, 1, 0, NULL, 0);
		break;
	case H_COUNT_BOMB:
		for (i = 0; i < CR_CERTELEM_MAX_PROPS + 1; i++) {
			put_prop(&b, 1000 + i, 1, 0, NULL, 0);
		}
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_SHA1_19:
	case H_SHA1_21:
		put_prop(&b, 3, 1, shape == H_SHA1_19 ? 19 : 21, sha1,
			 shape == H_SHA1_19 ? 19 : 21);
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_NAME_ODD:
		put_prop(&b, 11, 1, 3, name_odd, 3);
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_NAME_NO_NUL:
		put_prop(&b, 11, 1, 4, name_no_nul, 4);
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_NAME_SURROGATE:
		put_prop(&b, 11, 1, 4, name_surrogate, 4);
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_NAME_EMPTY:
		put_prop(&b, 11, 1, 0, NULL, 0);
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_KPI_SHORT:
		put_prop(&b, 2, 1, 27, sha1, 21);
		cr_put_zeros(&b, 6);
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_KPI_CONTAINER_PAST_END:
		put_kpi(&b, 32, 0, 0, 0, container, sizeof(container));
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_KPI_CONTAINER_IN_HEADER:
		put_kpi(&b, 4, 0, 0, 0, container, sizeof(container));
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_KPI_CONTAINER_UNTERMINATED:
		put_kpi(&b, 28, 0, 0, 0, unterminated, sizeof(unterminated));
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_KPI_PROVIDER_PAST_END:
		put_kpi(&b, 28, 0x7fffffff, 0, 0, container,
			sizeof(container));
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_KPI_PARAM_BOMB:
		put_kpi(&b, 0, 0, 0xffffffff, 28, param, sizeof(param));
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_KPI_PARAM_DATA_PAST_END:
		/* one parameter of 9 bytes where only 4 are left */
		put_kpi(&b, 0, 0, 1, 28, param, sizeof(param));
		put_prop(&b, 32, 1, (uint32_t)der_len, der, der_len);
		break;
	case H_TOO_LARGE:
		cr_put_zeros(&b, CR_CERTELEM_MAX_SIZE + 1);
		break;
	}
	assert_false(b.oom);
	*len = b.len;
	return b.data;
}

static void test_certelem_hostile(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	size_t n = sizeof(hostile_cases) / sizeof(hostile_cases[0]);
	size_t i;

	assert_true(n >= 30);
	for (i = 0; i < n; i++) {
		size_t len = 0;
		uint8_t *full = hostile_element(ctx->mem, ctx->der,
						ctx->der_len,
						hostile_cases[i].shape, &len);
		/* an exact-size copy, so ASan sees any read past the end */
		uint8_t *buf = malloc(len > 0 ? len : 1);
		struct cr_certelem *e = (struct cr_certelem *)&len;
		enum cr_certelem_problem p = CR_CERTELEM_OK;
		char *err = NULL;
		int rc;

		print_message("case %zu: %s (%zu bytes)\n", i,
			      hostile_cases[i].name, len);
		assert_non_null(buf);
		memcpy(buf, full, len);
		rc = cr_certelem_parse(ctx->mem, buf, len, &e, &p, &err);
		free(buf);
		assert_int_equal(rc, EBADMSG);
		assert_int_equal(p, hostile_cases[i].expect);
		assert_null(e);
		assert_non_null(err);
		assert_non_null(strstr(err, "certificate element"));
		print_message("  %s\n", err);
	}
	assert_string_equal(
		cr_certelem_problem_name(CR_CERTELEM_DUPLICATE_CERT),
		"duplicate-cert");
}

static void test_certelem_sha1_prop_mismatch(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	static const uint8_t wrong[20] = { 1 };
	struct cr_certelem *e = NULL;
	struct cr_buf b;

	/* Windows recomputes it; a stale one is shown, not refused */
	cr_buf_init(&b, ctx->mem, false);
	put_prop(&b, 3, 1, 20, wrong, 20);
	put_prop(&b, 32, 1, (uint32_t)ctx->der_len, ctx->der, ctx->der_len);
	assert_int_equal(cr_certelem_parse(ctx->mem, b.data, b.len, &e, NULL,
					   NULL), 0);
	assert_true(e->has_sha1_prop);
	assert_false(e->sha1_prop_matches);
	assert_string_equal(e->thumbprint_hex, TEST_THUMBPRINT);
}

static void test_certelem_messages(void **state)
{
	struct test_ctx *ctx = talloc_get_type_abort(*state, struct test_ctx);
	struct cr_certelem *e = NULL;
	size_t len = 0;
	uint8_t *buf = NULL;
	char *err = NULL;

	buf = hostile_element(ctx->mem, ctx->der, ctx->der_len, H_RESERVED_0,
			      &len);
	assert_int_equal(cr_certelem_parse(ctx->mem, buf, len, &e, NULL, &err),
			 EBADMSG);
	assert_string_equal(err, "certificate element: property 3 reserved "
			    "field is 0, not 1, at offset 4");
	buf = hostile_element(ctx->mem, ctx->der, ctx->der_len, H_LEN_HUGE,
			      &len);
	assert_int_equal(cr_certelem_parse(ctx->mem, buf, len, &e, NULL, &err),
			 EBADMSG);
	assert_string_equal(err, "certificate element: property 3 length "
			    "4294967295 runs past the end (20 bytes left) at "
			    "offset 8");
	buf = hostile_element(ctx->mem, ctx->der, ctx->der_len,
			      H_KPI_CONTAINER_UNTERMINATED, &len);
	assert_int_equal(cr_certelem_parse(ctx->mem, buf, len, &e, NULL, &err),
			 EBADMSG);
	assert_string_equal(err, "certificate element: property 2 at offset "
			    "0: key provider info: container name at offset "
			    "28 is not NUL-terminated UTF-16LE");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	int failed;
	const struct CMUnitTest tests[] = {
		T(test_certelem_sample),
		T(test_certelem_key_prov_info_like_windows),
		T(test_certelem_x509_info),
		T(test_certelem_build_capi),
		T(test_certelem_build_minimal),
		T(test_certelem_utf16),
		T(test_certelem_hostile),
		T(test_certelem_sha1_prop_mismatch),
		T(test_certelem_messages),
	};

	talloc_enable_null_tracking();
	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	failed = cmocka_run_group_tests_name("credroam.unittests.certelem",
					     tests, NULL, NULL);
	/* frees talloc's NULL context, which LeakSanitizer would flag */
	talloc_disable_null_tracking();
	return failed;
}
