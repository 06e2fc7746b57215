/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for the Registry.pol (PReg) reader and writer.
 *
 * Parser cases are hand-built from a tiny description language (see
 * build_case()) so hostile files stay readable in the table.
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

#include "util/cursor.h"
#include "format/preg.h"
#include "test_util.h"

#define AE_KEY "Software\\Policies\\Microsoft\\Cryptography\\AutoEnrollment"

/* ASCII (and "\uXXXX" escapes) as UTF-16LE, without NUL. */
static void put_text(struct cr_buf *b, const char *s)
{
	while (*s != '\0') {
		if (s[0] == '\\' && s[1] == 'u') {
			char hex[5] = { 0 };

			memcpy(hex, s + 2, 4);
			cr_put_le16(b, (uint16_t)strtoul(hex, NULL, 16));
			s += 6;
			continue;
		}
		if (s[0] == '\\' && s[1] == '_') {
			/* "\_" is a space, which the tokenizer splits on */
			cr_put_le16(b, ' ');
			s += 2;
			continue;
		}
		cr_put_le16(b, (uint8_t)*s);
		s++;
	}
}

static void put_hex(struct cr_buf *b, const char *s)
{
	while (s[0] != '\0' && s[1] != '\0') {
		char hex[3] = { s[0], s[1], 0 };

		cr_put_u8(b, (uint8_t)strtoul(hex, NULL, 16));
		s += 2;
	}
}

/*
 * Space-separated tokens:
 *   H           the header "PReg" 1
 *   [ ; ]       the UTF-16LE delimiters
 *   s:TEXT      TEXT as UTF-16LE plus NUL   (\uXXXX escapes, \_ = space)
 *   n:TEXT      the same without NUL
 *   d:N         little-endian DWORD (strtoul base 0)
 *   w:N         one 16-bit code unit
 *   x:HEX       raw bytes
 *   E:KEY|VALUE|TYPE|HEX   a complete, well-formed entry
 */
static uint8_t *build_case(TALLOC_CTX *mem, const char *desc, size_t *len)
{
	struct cr_buf b;
	char *copy = talloc_strdup(mem, desc);
	char *save = NULL;
	char *tok = NULL;
	uint8_t *out = NULL;

	assert_non_null(copy);
	cr_buf_init(&b, mem, false);
	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	     tok = strtok_r(NULL, " ", &save)) {
		if (strcmp(tok, "H") == 0) {
			cr_put_bytes(&b, "PReg", 4);
			cr_put_le32(&b, 1);
		} else if (strcmp(tok, "[") == 0) {
			cr_put_le16(&b, '[');
		} else if (strcmp(tok, ";") == 0) {
			cr_put_le16(&b, ';');
		} else if (strcmp(tok, "]") == 0) {
			cr_put_le16(&b, ']');
		} else if (strncmp(tok, "s:", 2) == 0) {
			put_text(&b, tok + 2);
			cr_put_le16(&b, 0);
		} else if (strncmp(tok, "n:", 2) == 0) {
			put_text(&b, tok + 2);
		} else if (strncmp(tok, "d:", 2) == 0) {
			cr_put_le32(&b, (uint32_t)strtoul(tok + 2, NULL, 0));
		} else if (strncmp(tok, "w:", 2) == 0) {
			cr_put_le16(&b, (uint16_t)strtoul(tok + 2, NULL, 0));
		} else if (strncmp(tok, "x:", 2) == 0) {
			put_hex(&b, tok + 2);
		} else if (strncmp(tok, "E:", 2) == 0) {
			char *f[4] = { NULL };
			char *s2 = NULL;
			size_t i;

			f[0] = strtok_r(tok + 2, "|", &s2);
			for (i = 1; i < 4; i++) {
				f[i] = strtok_r(NULL, "|", &s2);
			}
			assert_non_null(f[2]);
			cr_put_le16(&b, '[');
			put_text(&b, f[0]);
			cr_put_le16(&b, 0);
			cr_put_le16(&b, ';');
			put_text(&b, f[1]);
			cr_put_le16(&b, 0);
			cr_put_le16(&b, ';');
			cr_put_le32(&b, (uint32_t)strtoul(f[2], NULL, 0));
			cr_put_le16(&b, ';');
			cr_put_le32(&b, (f[3] != NULL) ?
				    (uint32_t)strlen(f[3]) / 2 : 0);
			cr_put_le16(&b, ';');
			if (f[3] != NULL) {
				put_hex(&b, f[3]);
			}
			cr_put_le16(&b, ']');
		} else {
			fail_msg("bad token '%s'", tok);
		}
	}
	assert_false(b.oom);
	out = b.data;
	*len = b.len;
	talloc_free(copy);
	return out;
}

/* "E:" needs a non-empty value name field, so use "*" for "" via this */
#define K AE_KEY

static const struct preg_case {
	const char *desc;
	int rc;
	size_t num_entries;
	const char *err;	/* substring of the message */
} preg_cases[] = {
	/* 0: header only */
	{ "H", 0, 0, NULL },
	/* 1: empty input */
	{ "", EBADMSG, 0, "shorter than the 8-byte header" },
	/* 2: header cut short */
	{ "x:50526567010000", EBADMSG, 0, "shorter than the 8-byte header" },
	/* 3: wrong signature */
	{ "x:5052454701000000", EBADMSG, 0, "signature 0x47455250" },
	/* 4: wrong version */
	{ "x:5052656702000000", EBADMSG, 0, "version 2 at offset 0x4" },
	/* 5: REG_DWORD */
	{ "H E:" K "|DIMSRoaming|4|01000000", 0, 1, NULL },
	/* 6: REG_SZ "MY" */
	{ "H E:" K "|OfflineExpirationStoreNames|1|4d0059000000", 0, 1,
	  NULL },
	/* 7: REG_EXPAND_SZ "%a%" */
	{ "H E:Software\\Policies\\X|Path|2|250061002500000000", EBADMSG, 0,
	  "odd size 9" },
	/* 8: REG_EXPAND_SZ even */
	{ "H E:Software\\Policies\\X|Path|2|2500610025000000", 0, 1, NULL },
	/* 9: REG_BINARY, odd length is fine */
	{ "H E:Software\\Policies\\X|Blob|3|0102030405", 0, 1, NULL },
	/* 10: REG_DWORD_BIG_ENDIAN */
	{ "H E:Software\\Policies\\X|Be|5|12345678", 0, 1, NULL },
	/* 11: REG_MULTI_SZ "a","bc" */
	{ "H E:Software\\Policies\\X|M|7|610000006200630000000000", 0, 1,
	  NULL },
	/* 12: REG_QWORD */
	{ "H E:Software\\Policies\\X|Q|11|0102030405060708", 0, 1, NULL },
	/* 13: REG_NONE, empty data */
	{ "H E:Software\\Policies\\X|N|0", 0, 1, NULL },
	/* 14: REG_DWORD of 3 bytes */
	{ "H E:" K "|DIMSRoaming|4|010000", EBADMSG, 0,
	  "REG_DWORD with size 3 (must be 4)" },
	/* 15: REG_QWORD of 4 bytes */
	{ "H E:" K "|Q|11|01000000", EBADMSG, 0,
	  "REG_QWORD with size 4 (must be 8)" },
	/* 16: REG_DWORD_BIG_ENDIAN of 8 bytes */
	{ "H E:" K "|Q|5|0100000000000000", EBADMSG, 0,
	  "REG_DWORD_BIG_ENDIAN with size 8" },
	/* 17: size runs past the end */
	{ "H [ s:A ; s:B ; d:3 ; d:10 ; x:0102 ]", EBADMSG, 0,
	  "size 10 (at offset 0x1c) runs past the end (4 bytes left)" },
	/* 18: huge size, must not allocate */
	{ "H [ s:A ; s:B ; d:3 ; d:0xffffffff ; x:0102 ]", EBADMSG, 0,
	  "size 4294967295" },
	/* 19: missing '[' */
	{ "H s:A ; s:B ; d:4 ; d:4 ; d:1 ]", EBADMSG, 0,
	  "expected '[' to open the entry at offset 0x8, found 0x0041" },
	/* 20: missing ';' after the key */
	{ "H [ s:A s:B ; d:4 ; d:4 ; d:1 ]", EBADMSG, 0,
	  "expected ';' after the key at offset 0xe" },
	/* 21: missing ']' */
	{ "H [ s:A ; s:B ; d:4 ; d:4 ; d:1 ;", EBADMSG, 0,
	  "expected ']' to close the entry" },
	/* 22: file ends inside the key */
	{ "H [ n:Software", EBADMSG, 0, "unterminated key" },
	/* 23: odd number of bytes: half a code unit */
	{ "H [ x:41", EBADMSG, 0, "unterminated key" },
	/* 24: trailing garbage after a good entry */
	{ "H E:" K "|AEPolicy|4|07000000 x:00", EBADMSG, 0,
	  "entry 1 at offset 0xa2: 1 trailing byte(s) after the last entry" },
	/* 25: truncated inside the type */
	{ "H [ s:A ; s:B ; x:0400", EBADMSG, 0,
	  "truncated at offset 0x16 (reading type)" },
	/* 26: truncated inside the data */
	{ "H [ s:A ; s:B ; d:4 ; d:4 ; x:0100", EBADMSG, 0,
	  "runs past the end" },
	/* 27: unpaired high surrogate in the key */
	{ "H [ s:A\\ud800B ; s:B ; d:4 ; d:4 ; d:1 ]", EBADMSG, 0,
	  "key: invalid UTF-16 (unpaired surrogate 0xd800 at offset 0xc)" },
	/* 28: lone low surrogate in the value name */
	{ "H [ s:A ; s:\\udc00 ; d:4 ; d:4 ; d:1 ]", EBADMSG, 0,
	  "value name: invalid UTF-16 (unpaired surrogate 0xdc00" },
	/* 29: high surrogate at the end of the key */
	{ "H [ s:AB\\udbff ; s:B ; d:4 ; d:4 ; d:1 ]", EBADMSG, 0,
	  "unpaired surrogate 0xdbff" },
	/* 30: a proper pair (U+1F600) is fine */
	{ "H [ s:A\\ud83d\\ude00 ; s:B ; d:4 ; d:4 ; d:1 ]", 0, 1, NULL },
	/* 31: unpaired surrogate in REG_SZ data */
	{ "H E:Software\\X|S|1|00d800000000", EBADMSG, 0,
	  "REG_SZ data: invalid UTF-16 (unpaired surrogate 0xd800 at data "
	  "offset 0)" },
	/* 32: empty key */
	{ "H [ s: ; s:B ; d:4 ; d:4 ; d:1 ]", EBADMSG, 0, "empty key" },
	/* 33: unknown type */
	{ "H E:Software\\X|S|12|00", EBADMSG, 0, "unknown type 12" },
	/* 34: empty value name is allowed (the key's default value) */
	{ "H [ s:Software\\X ; s: ; d:1 ; d:2 ; w:0 ]", 0, 1, NULL },
	/* 35: error in the second entry names index 1 and its offset */
	{ "H E:" K "|AEPolicy|4|07000000 [ s:A ; s:B ; d:4 ; d:2 ; w:0 ]",
	  EBADMSG, 0, "entry 1 at offset 0x" },
	/* 36: several entries and special names */
	{ "H E:" K "|**delvals.|1|20000000 E:" K "|**del.DIMSRoaming|1|2000"
	  "0000 E:" K "|**soft.AEPolicy|4|07000000 E:Software\\Policies|"
	  "**DeleteKeys|1|41000000 E:" K "|**DeleteValues|1|41003b004200"
	  "0000 E:" K "|**SecureKey|4|01000000", 0, 6, NULL },
	/* 37: a ';' where ']' belongs */
	{ "H [ s:A ; s:B ; d:4 ; d:4 ; d:1 ;", EBADMSG, 0, "found 0x003b" },
	/* 38: REG_SZ without a terminating NUL is kept as is */
	{ "H E:Software\\X|S|1|41004200", 0, 1, NULL },
	/* 39: REG_MULTI_SZ with odd size */
	{ "H E:Software\\X|M|7|410000", EBADMSG, 0, "REG_MULTI_SZ data of odd "
	  "size 3" },
	/* 40: two trailing bytes that are not '[' */
	{ "H E:" K "|AEPolicy|4|07000000 x:0000", EBADMSG, 0,
	  "entry 1 at offset 0xa2: expected '[' to open the entry" },
};

static void test_preg_table(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	size_t i;

	for (i = 0; i < sizeof(preg_cases) / sizeof(preg_cases[0]); i++) {
		const struct preg_case *c = &preg_cases[i];
		TALLOC_CTX *mem = talloc_new(t->mem);
		struct preg_file *f = NULL;
		uint8_t *in = NULL;
		uint8_t *out = NULL;
		size_t in_len = 0;
		size_t out_len = 0;
		char *err = NULL;
		int rc;

		in = build_case(mem, c->desc, &in_len);
		rc = preg_parse(mem, in, in_len, "case.pol", &f, &err);
		printf("case %zu: rc=%d err=%s\n", i, rc,
		       (err != NULL) ? err : "(none)");
		assert_int_equal(rc, c->rc);
		if (rc != 0) {
			assert_null(f);
			assert_non_null(err);
			assert_non_null(strstr(err, "case.pol: "));
			if (strstr(err, c->err) == NULL) {
				fail_msg("case %zu: '%s' lacks '%s'", i, err,
					 c->err);
			}
			talloc_free(mem);
			continue;
		}
		assert_non_null(f);
		assert_int_equal(f->num_entries, c->num_entries);
		rc = preg_write(mem, f, &out, &out_len, &err);
		assert_int_equal(rc, 0);
		assert_int_equal(out_len, in_len);
		assert_memory_equal(out, in, in_len);
		talloc_free(mem);
	}
}

static void test_preg_decoded(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct preg_file *f = NULL;
	uint8_t *in = NULL;
	size_t len = 0;
	char *err = NULL;
	int rc;

	in = build_case(mem,
		"H E:" K "|DIMSRoaming|4|01000000 "
		"E:Software\\X|Be|5|12345678 "
		"E:Software\\X|Q|11|0807060504030201 "
		"E:Software\\X|S|1|4d0059000000 "
		"E:Software\\X|M|7|610000006200630000000000 "
		"[ s:K\\ud83d\\ude00\\u00e9 ; s:V ; d:3 ; d:0 ; ]", &len);
	rc = preg_parse(mem, in, len, "decoded.pol", &f, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(f->num_entries, 6);
	assert_string_equal(f->entries[0]->key, AE_KEY);
	assert_string_equal(f->entries[0]->value, "DIMSRoaming");
	assert_int_equal(f->entries[0]->type, PREG_REG_DWORD);
	assert_int_equal(f->entries[0]->num, 1);
	assert_int_equal(f->entries[0]->action, PREG_ACTION_SET);
	assert_string_equal(f->entries[0]->target, "DIMSRoaming");
	assert_int_equal(f->entries[0]->offset, 8);
	assert_int_equal(f->entries[1]->num, 0x12345678);
	assert_int_equal(f->entries[2]->num, 0x0102030405060708ULL);
	assert_string_equal(f->entries[3]->str, "MY");
	assert_int_equal(f->entries[4]->num_multi, 2);
	assert_string_equal(f->entries[4]->multi[0], "a");
	assert_string_equal(f->entries[4]->multi[1], "bc");
	assert_string_equal(f->entries[5]->key,
			    "K\xf0\x9f\x98\x80\xc3\xa9");
	assert_int_equal(f->entries[5]->size, 0);
	talloc_free(mem);
}

static void test_preg_actions(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct preg_file *f = NULL;
	uint8_t *in = NULL;
	size_t len = 0;
	char *err = NULL;
	int rc;

	in = build_case(mem, preg_cases[36].desc, &len);
	rc = preg_parse(mem, in, len, "actions.pol", &f, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(f->entries[0]->action, PREG_ACTION_DELVALS);
	assert_null(f->entries[0]->target);
	assert_int_equal(f->entries[1]->action, PREG_ACTION_DEL);
	assert_string_equal(f->entries[1]->target, "DIMSRoaming");
	assert_int_equal(f->entries[2]->action, PREG_ACTION_SOFT);
	assert_string_equal(f->entries[2]->target, "AEPolicy");
	assert_int_equal(f->entries[3]->action, PREG_ACTION_DELETE_KEYS);
	assert_string_equal(f->entries[3]->str, "A");
	assert_int_equal(f->entries[4]->action, PREG_ACTION_DELETE_VALUES);
	assert_string_equal(f->entries[4]->str, "A;B");
	assert_int_equal(f->entries[5]->action, PREG_ACTION_OTHER);
	talloc_free(mem);
}

static void test_preg_keys(void **state)
{
	assert_true(preg_key_equal(AE_KEY,
		"software\\policies\\microsoft\\cryptography\\AUTOENROLLMENT"));
	assert_false(preg_key_equal(AE_KEY, AE_KEY "\\"));
	assert_false(preg_key_equal(AE_KEY, NULL));
	assert_true(preg_key_within(AE_KEY, "software\\POLICIES"));
	assert_true(preg_key_within(AE_KEY, AE_KEY));
	assert_true(preg_key_within(AE_KEY, "Software\\Policies\\"));
	assert_false(preg_key_within(AE_KEY, "Software\\Pol"));
	assert_false(preg_key_within(AE_KEY, ""));
	assert_false(preg_key_within("Software", AE_KEY));
}

static void test_preg_builder(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct preg_file *f = preg_new(mem);
	struct preg_file *g = NULL;
	uint8_t *out = NULL;
	uint8_t *expect = NULL;
	size_t out_len = 0;
	size_t expect_len = 0;
	char *err = NULL;
	const uint8_t two[2] = { 1, 2 };
	int rc;

	assert_non_null(f);
	assert_int_equal(preg_add_dword(f, AE_KEY, "AEPolicy", 7, &err), 0);
	assert_int_equal(preg_add_sz(f, AE_KEY, "S", "MY\xc3\xa9", &err), 0);
	assert_int_equal(preg_add(f, AE_KEY, "B", PREG_REG_BINARY, two, 2,
				  &err), 0);
	rc = preg_write(mem, f, &out, &out_len, &err);
	assert_int_equal(rc, 0);
	expect = build_case(mem, "H E:" K "|AEPolicy|4|07000000 "
			    "E:" K "|S|1|4d005900e9000000 "
			    "E:" K "|B|3|0102", &expect_len);
	assert_int_equal(out_len, expect_len);
	assert_memory_equal(out, expect, out_len);
	rc = preg_parse(mem, out, out_len, "built", &g, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(g->num_entries, 3);

	/* replace keeps the position, remove closes the gap */
	assert_int_equal(preg_replace_dword(f, 1, AE_KEY, "X", 9, &err), 0);
	assert_string_equal(f->entries[1]->value, "X");
	assert_int_equal(f->entries[1]->num, 9);
	preg_remove(f, 0);
	preg_remove(f, 17);
	assert_int_equal(f->num_entries, 2);
	assert_string_equal(f->entries[0]->value, "X");

	/* refusals */
	assert_int_equal(preg_add_dword(f, "", "V", 1, &err), EINVAL);
	assert_int_equal(preg_add_dword(f, "K\xff", "V", 1, &err), EINVAL);
	assert_int_equal(preg_add_dword(f, "K", "\xed\xa0\x80", 1, &err),
			 EINVAL);
	assert_int_equal(preg_add_dword(f, "K", "\xc0\x80", 1, &err),
			 EINVAL);
	assert_int_equal(preg_add(f, "K", "V", PREG_REG_DWORD, two, 2, &err),
			 EINVAL);
	assert_non_null(strstr(err, "REG_DWORD with size 2"));
	assert_int_equal(preg_add(f, "K", "V", 99, two, 2, &err), EINVAL);
	assert_int_equal(preg_replace_dword(f, 5, "K", "V", 1, &err),
			 EINVAL);
	assert_int_equal(f->num_entries, 2);
	talloc_free(mem);
}

static void test_preg_limits(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct preg_file *f = NULL;
	struct cr_buf b;
	char *err = NULL;
	size_t i;
	int rc;

	/* a key one character longer than allowed */
	cr_buf_init(&b, mem, false);
	cr_put_bytes(&b, "PReg", 4);
	cr_put_le32(&b, 1);
	cr_put_le16(&b, '[');
	for (i = 0; i < PREG_MAX_KEY_CHARS + 1; i++) {
		cr_put_le16(&b, 'k');
	}
	cr_put_le16(&b, 0);
	rc = preg_parse(mem, b.data, b.len, "long.pol", &f, &err);
	assert_int_equal(rc, EBADMSG);
	assert_non_null(strstr(err, "longer than 1024 characters"));

	/* one entry more than PREG_MAX_ENTRIES */
	cr_buf_init(&b, mem, false);
	cr_put_bytes(&b, "PReg", 4);
	cr_put_le32(&b, 1);
	for (i = 0; i < PREG_MAX_ENTRIES + 1; i++) {
		cr_put_le16(&b, '[');
		cr_put_le16(&b, 'k');
		cr_put_le16(&b, 0);
		cr_put_le16(&b, ';');
		cr_put_le16(&b, 0);
		cr_put_le16(&b, ';');
		cr_put_le32(&b, 0);
		cr_put_le16(&b, ';');
		cr_put_le32(&b, 0);
		cr_put_le16(&b, ';');
		cr_put_le16(&b, ']');
	}
	assert_false(b.oom);
	rc = preg_parse(mem, b.data, b.len, "many.pol", &f, &err);
	assert_int_equal(rc, EBADMSG);
	assert_non_null(strstr(err, "entry 65536 at offset"));
	assert_non_null(strstr(err, "more than 65536 entries"));

	/* exactly the limit parses */
	rc = preg_parse(mem, b.data, b.len - 26, "max.pol", &f, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(f->num_entries, PREG_MAX_ENTRIES);

	/* over the file size limit, without reading it */
	rc = preg_parse(mem, b.data, PREG_MAX_FILE_SIZE + 1, "big.pol", &f,
			&err);
	assert_int_equal(rc, EINVAL);
	assert_null(f);
	talloc_free(mem);
}

/* A Registry.pol written by Samba's own NDR code (testdata/preg/). */
static void test_preg_samba_file(void **state)
{
	struct cr_test_ctx *t = talloc_get_type_abort(*state,
						      struct cr_test_ctx);
	TALLOC_CTX *mem = talloc_new(t->mem);
	const char *dir = getenv("CREDROAM_TESTDATA");
	struct preg_file *f = NULL;
	struct preg_file *g = NULL;
	char *path = NULL;
	uint8_t buf[8192];
	uint8_t *out = NULL;
	size_t out_len = 0;
	size_t len;
	char *err = NULL;
	FILE *fp = NULL;
	int rc;

	path = talloc_asprintf(mem, "%s/preg/samba-autoenroll.pol",
			       (dir != NULL) ? dir : "testdata");
	fp = fopen(path, "rb");
	if (fp == NULL && dir == NULL) {
		path = talloc_asprintf(mem, "../testdata/preg/"
				       "samba-autoenroll.pol");
		fp = fopen(path, "rb");
	}
	if (fp == NULL) {
		fail_msg("cannot open %s (run from the top of the tree)",
			 path);
	}
	len = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	rc = preg_parse(mem, buf, len, path, &f, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(f->num_entries, 9);
	rc = preg_write(mem, f, &out, &out_len, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, buf, len);

	/* the same entries built through the API give the same bytes */
	g = preg_new(mem);
	assert_int_equal(preg_add_sz(g, AE_KEY, "**delvals.", " ", &err), 0);
	assert_int_equal(preg_add_dword(g, AE_KEY, "AEPolicy", 7, &err), 0);
	assert_int_equal(preg_add_dword(g, AE_KEY, "DIMSRoaming", 1, &err),
			 0);
	assert_int_equal(preg_add_dword(g, AE_KEY, "DIMSRoamingTombstoneDays",
					60, &err), 0);
	assert_int_equal(preg_add_dword(g, AE_KEY, "DIMSRoamingMaxNumTokens",
					2000, &err), 0);
	assert_int_equal(preg_add_dword(g, AE_KEY, "DIMSRoamingMaxTokenSize",
					65535, &err), 0);
	assert_int_equal(preg_add_sz(g, AE_KEY, "**del.RoamUnaffiliatedKeys",
				     " ", &err), 0);
	assert_int_equal(preg_add_sz(g, "Software\\Policies\\Microsoft\\"
				     "Windows\\System", "Label",
				     "caf\xc3\xa9 \xf0\x9f\x98\x80", &err), 0);
	assert_int_equal(preg_add(g, "Software\\Policies\\Test", "Q",
				  PREG_REG_QWORD,
				  (const uint8_t *)"\x01\x02\x03\x04\x05\x06"
				  "\x07\x08", 8, &err), 0);
	TALLOC_FREE(out);
	rc = preg_write(mem, g, &out, &out_len, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, buf, len);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_preg_table),
		cr_unit_test(test_preg_decoded),
		cr_unit_test(test_preg_actions),
		cr_unit_test(test_preg_keys),
		cr_unit_test(test_preg_builder),
		cr_unit_test(test_preg_limits),
		cr_unit_test(test_preg_samba_file),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.preg", tests,
					   NULL, NULL);
}
