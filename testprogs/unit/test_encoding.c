/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for the shared encodings (hex, FILETIME, GUID) and the
 * bounded cursor.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>

#include "util/cursor.h"
#include "util/encoding.h"
#include "test_util.h"

static void test_encoding_hex_roundtrip(void **state)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	const uint8_t in[] = { 0x00, 0x9a, 0xff, 0x10 };
	uint8_t *out = NULL;
	char *up = cr_hex_upper(frame, in, sizeof(in));
	int rc;

	assert_string_equal(up, "009AFF10");
	assert_string_equal(cr_hex_lower(frame, in, sizeof(in)), "009aff10");
	rc = cr_hex_decode(frame, "009aFF10", 8, &out, NULL);
	assert_int_equal(rc, 0);
	assert_memory_equal(out, in, sizeof(in));
	talloc_free(frame);
}

static void test_encoding_hex_rejects(void **state)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	uint8_t *out = NULL;
	size_t bad = 0;

	assert_int_equal(cr_hex_decode(frame, "abc", 3, &out, &bad), EBADMSG);
	assert_null(out);
	assert_int_equal(cr_hex_decode(frame, "a0g1", 4, &out, &bad),
			 EBADMSG);
	assert_int_equal(bad, 2);
	assert_int_equal(cr_hex_decode(frame, "0 ", 2, &out, &bad), EBADMSG);
	assert_int_equal(bad, 1);
	talloc_free(frame);
}

static void test_encoding_filetime(void **state)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	/* 0x01D81A9C4CF0A1F0 is the CVE-2022-30170 PoC token's time */
	const uint64_t poc = 0x01D81A9C4CF0A1F0ULL;

	assert_string_equal(cr_filetime_iso8601(frame, 0),
			    "1601-01-01T00:00:00Z");
	assert_string_equal(cr_filetime_iso8601(frame,
			    cr_filetime_from_unix(0, 0)),
			    "1970-01-01T00:00:00Z");
	assert_string_equal(cr_filetime_iso8601(frame,
			    cr_filetime_from_unix(951782400, 0)),
			    "2000-02-29T00:00:00Z");
	assert_string_equal(cr_filetime_iso8601(frame, poc),
			    "2022-02-05T14:26:01Z");
	assert_int_equal(cr_filetime_to_unix(cr_filetime_from_unix(1234567,
			 0)), 1234567);
	talloc_free(frame);
}

static void test_encoding_guid(void **state)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct cr_guid g;
	const uint8_t expect[16] = {
		0x4f, 0x69, 0x93, 0xed, 0x6d, 0x5a, 0xe2, 0x46,
		0xb8, 0x21, 0x21, 0x9f, 0x2c, 0x0e, 0xcd, 0x4d,
	};

	assert_true(cr_guid_parse("ed93694f-5a6d-46e2-b821-219f2c0ecd4d",
				  &g));
	assert_memory_equal(g.b, expect, 16);
	assert_string_equal(cr_guid_string(frame, &g),
			    "ed93694f-5a6d-46e2-b821-219f2c0ecd4d");
	assert_false(cr_guid_parse("{ed93694f-5a6d-46e2-b821-219f2c0ecd4d}",
				   &g));
	assert_false(cr_guid_parse("ed93694f-5a6d-46e2-b821-219f2c0ecd4",
				   &g));
	assert_false(cr_guid_parse("ed93694fx5a6d-46e2-b821-219f2c0ecd4d",
				   &g));
	talloc_free(frame);
}

static void test_encoding_cursor_sticky_failure(void **state)
{
	const uint8_t in[] = { 1, 0, 0, 0, 2, 0 };
	struct cr_cursor c;
	uint32_t a, b;
	uint16_t d;

	cr_cursor_init(&c, in, sizeof(in));
	a = cr_get_le32(&c, "a");
	b = cr_get_le32(&c, "b");	/* only 2 bytes left */
	d = cr_get_le16(&c, "d");	/* would fit, but failure is sticky */
	assert_int_equal(a, 1);
	assert_int_equal(b, 0);
	assert_int_equal(d, 0);
	assert_false(cr_cursor_ok(&c));
	assert_int_equal(c.status, EBADMSG);
	assert_int_equal(c.fail_off, 4);
	assert_string_equal(c.fail_what, "b");
	assert_null(cr_get_bytes(&c, 0, "e"));
}

static void test_encoding_buf_grows(void **state)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct cr_buf b;
	size_t i;

	cr_buf_init(&b, frame, true);
	for (i = 0; i < 1000; i++) {
		cr_put_le32(&b, (uint32_t)i);
	}
	assert_false(b.oom);
	assert_int_equal(b.len, 4000);
	assert_int_equal(cr_le32(b.data + 4 * 999), 999);
	talloc_free(frame);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_encoding_hex_roundtrip),
		cr_unit_test(test_encoding_hex_rejects),
		cr_unit_test(test_encoding_filetime),
		cr_unit_test(test_encoding_guid),
		cr_unit_test(test_encoding_cursor_sticky_failure),
		cr_unit_test(test_encoding_buf_grows),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.encoding",
					   tests, NULL, NULL);
}
