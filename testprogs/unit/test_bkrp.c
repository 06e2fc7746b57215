/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The hand-written NDR of MS-BKRP BackuprKey: the request stub byte for
 * byte (the 32-byte RETRIEVE stub the test bed's probe sent, a restore
 * stub with padding), and the reply parser against real-shaped replies
 * and a table of hostile ones (lying lengths, truncation, trailing bytes).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>

#include "ad/bkrp.h"
#include "util/cursor.h"
#include "util/encoding.h"
#include "test_util.h"

static int setup(void **state)
{
	cr_test_leak_begin();
	*state = talloc_new(NULL);
	return 0;
}

static int teardown(void **state)
{
	talloc_free(*state);
	cr_test_leak_end();
	return 0;
}

static void test_bkrp_request_retrieve(void **state)
{
	TALLOC_CTX *mem = *state;
	/* GUID 018FF48A-EABA-40C6-8F6D-72370240E967 on the wire */
	static const uint8_t expect[32] = {
		0x8a, 0xf4, 0x8f, 0x01, 0xba, 0xea, 0xc6, 0x40,
		0x8f, 0x6d, 0x72, 0x37, 0x02, 0x40, 0xe9, 0x67,
		4, 0, 0, 0, 0, 0, 0, 0,
		4, 0, 0, 0, 0, 0, 0, 0,
	};
	static const uint8_t zero[4] = { 0, 0, 0, 0 };
	struct cr_guid g;
	uint8_t *stub = NULL;
	size_t len = 0;

	assert_true(cr_guid_parse(CR_BKRP_RETRIEVE_BACKUP_KEY_GUID, &g));
	assert_int_equal(cr_bkrp_push_request(mem, &g, zero, 4, 0, &stub,
					      &len), 0);
	assert_int_equal(len, sizeof(expect));
	assert_memory_equal(stub, expect, sizeof(expect));
}

static void test_bkrp_request_padding(void **state)
{
	TALLOC_CTX *mem = *state;
	static const uint8_t in[5] = { 1, 2, 3, 4, 5 };
	struct cr_guid g;
	uint8_t *stub = NULL;
	size_t len = 0;

	assert_true(cr_guid_parse(CR_BKRP_RESTORE_GUID, &g));
	assert_int_equal(cr_bkrp_push_request(mem, &g, in, sizeof(in), 7,
					      &stub, &len), 0);
	/* 16 + 4 + 5 + 3 pad + 4 + 4 */
	assert_int_equal(len, 36);
	assert_int_equal(cr_le32(stub + 16), 5);
	assert_memory_equal(stub + 20, in, 5);
	assert_int_equal(stub[25] | stub[26] | stub[27], 0);
	assert_int_equal(cr_le32(stub + 28), 5);
	assert_int_equal(cr_le32(stub + 32), 7);
	assert_int_equal(cr_bkrp_push_request(mem, &g, in,
					      CR_BKRP_MAX_DATA + 1, 0, &stub,
					      &len), EINVAL);
}

/* A reply: referent, count, bytes, pad, len, werror; fields overridable. */
static uint8_t *reply(TALLOC_CTX *mem, uint32_t ref, uint32_t count,
		      size_t nbytes, uint32_t len, uint32_t werr,
		      size_t extra, size_t *out_len)
{
	struct cr_buf b;
	size_t i;

	cr_buf_init(&b, mem, false);
	cr_put_le32(&b, ref);
	if (ref != 0) {
		cr_put_le32(&b, count);
		for (i = 0; i < nbytes; i++) {
			cr_put_u8(&b, (uint8_t)i);
		}
		cr_put_zeros(&b, (4 - b.len % 4) % 4);
	}
	cr_put_le32(&b, len);
	cr_put_le32(&b, werr);
	cr_put_zeros(&b, extra);
	*out_len = b.len;
	return b.data;
}

static void test_bkrp_reply_good(void **state)
{
	TALLOC_CTX *mem = *state;
	uint8_t *r = NULL;
	uint8_t *data = NULL;
	size_t rlen = 0;
	size_t dlen = 0;
	uint32_t werr = 1;
	char *err = NULL;

	/* the restore shape: 68 bytes */
	r = reply(mem, 0x20000, 68, 68, 68, 0, 0, &rlen);
	assert_int_equal(cr_bkrp_pull_response(mem, r, rlen, &data, &dlen,
					       &werr, &err), 0);
	assert_int_equal(dlen, 68);
	assert_int_equal(werr, 0);
	assert_int_equal(data[67], 67);

	/* the certificate's odd length needs padding */
	r = reply(mem, 0x20000, 730, 730, 730, 0, 0, &rlen);
	assert_int_equal(rlen, 4 + 4 + 732 + 8);
	assert_int_equal(cr_bkrp_pull_response(mem, r, rlen, &data, &dlen,
					       &werr, &err), 0);
	assert_int_equal(dlen, 730);

	/* a refusal: NULL pointer, WERR_INVALID_ACCESS */
	r = reply(mem, 0, 0, 0, 0, CR_WERR_INVALID_ACCESS, 0, &rlen);
	assert_int_equal(rlen, 12);
	assert_int_equal(cr_bkrp_pull_response(mem, r, rlen, &data, &dlen,
					       &werr, &err), 0);
	assert_null(data);
	assert_int_equal(dlen, 0);
	assert_int_equal(werr, CR_WERR_INVALID_ACCESS);
	assert_string_equal(cr_bkrp_werror_name(werr), "WERR_INVALID_ACCESS");
}

static void test_bkrp_reply_hostile(void **state)
{
	TALLOC_CTX *mem = *state;
	static const struct {
		const char *name;
		uint32_t ref, count;
		size_t nbytes;
		uint32_t len;
		size_t extra;
		size_t cut;	/* bytes removed from the end */
		const char *msg;
	} cases[] = {
		{ "count past end", 1, 1000, 68, 1000, 0, 0, "past the end" },
		{ "huge count", 1, 0xffffffff, 4, 4, 0, 0, "past the end" },
		{ "len lies", 1, 68, 68, 69, 0, 0, "pcbDataOut says 69" },
		{ "len without data", 0, 0, 0, 64, 0, 0, "says 64" },
		{ "trailing bytes", 1, 68, 68, 68, 4, 0, "trailing" },
		{ "no werror", 1, 68, 68, 68, 0, 4, "WERROR" },
		{ "no len", 1, 68, 68, 68, 0, 8, "pcbDataOut" },
		{ "only referent", 1, 68, 68, 68, 0, 80, "max_count" },
		{ "empty", 0, 0, 0, 0, 0, 12, "referent" },
		{ "padding missing", 1, 5, 5, 5, 0, 11, "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *r = NULL;
		uint8_t *data = NULL;
		size_t rlen = 0;
		size_t dlen = 0;
		uint32_t werr = 0;
		char *err = NULL;

		printf("case %zu: %s\n", i, cases[i].name);
		r = reply(mem, cases[i].ref, cases[i].count, cases[i].nbytes,
			  cases[i].len, 0, cases[i].extra, &rlen);
		assert_true(cases[i].cut <= rlen);
		rlen -= cases[i].cut;
		assert_int_equal(cr_bkrp_pull_response(mem, r, rlen, &data,
						       &dlen, &werr, &err),
				 EBADMSG);
		assert_null(data);
		assert_non_null(err);
		printf("  %s\n", err);
		assert_non_null(strstr(err, cases[i].msg));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bkrp_request_retrieve,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bkrp_request_padding,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bkrp_reply_good, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bkrp_reply_hostile, setup,
						teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.bkrp", tests,
					   NULL, NULL);
}
