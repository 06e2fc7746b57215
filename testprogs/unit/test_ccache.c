/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for the FILE credential cache reader (ad/ccache_file.c):
 * the TGT that ends last for the client's realm, versions 3 and 4, the
 * same answer as MIT krb5 reading the same file, and every truncation
 * refused with a message.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>

#include "ad/adconn.h"
#include "ad/ccache_file.h"
#include "util/cursor.h"
#include "util/error.h"
#include "test_util.h"

static void put_be16(struct cr_buf *b, uint16_t v)
{
	cr_put_u8(b, (uint8_t)(v >> 8));
	cr_put_u8(b, (uint8_t)v);
}

static void put_data(struct cr_buf *b, const char *s)
{
	cr_put_be32(b, (uint32_t)strlen(s));
	cr_put_bytes(b, s, strlen(s));
}

/* "a/b" in realm: components split at '/' */
static void put_principal(struct cr_buf *b, const char *comps,
			  const char *realm)
{
	char copy[128];
	char *parts[4];
	uint32_t n = 0;
	char *save = NULL;
	char *p = NULL;
	uint32_t i;

	snprintf(copy, sizeof(copy), "%s", comps);
	for (p = strtok_r(copy, "/", &save); p != NULL && n < 4;
	     p = strtok_r(NULL, "/", &save)) {
		parts[n++] = p;
	}
	cr_put_be32(b, 1);
	cr_put_be32(b, n);
	put_data(b, realm);
	for (i = 0; i < n; i++) {
		put_data(b, parts[i]);
	}
}

static void put_cred(struct cr_buf *b, unsigned version, const char *server,
		     const char *srealm, uint32_t authtime, uint32_t endtime)
{
	put_principal(b, "alice", "ROAM.TEST");
	put_principal(b, server, srealm);
	put_be16(b, 18);
	if (version == 3) {
		put_be16(b, 18);
	}
	put_data(b, "0123456789abcdef0123456789abcdef");	/* the key */
	cr_put_be32(b, authtime);
	cr_put_be32(b, authtime);
	cr_put_be32(b, endtime);
	cr_put_be32(b, endtime + 100);
	cr_put_u8(b, 0);
	cr_put_be32(b, 0x40e10000);
	cr_put_be32(b, 1);			/* one address */
	put_be16(b, 2);
	put_data(b, "\x7f\x01\x01\x01");
	cr_put_be32(b, 0);			/* no authorization data */
	put_data(b, "a ticket");
	put_data(b, "");
}

/* alice@ROAM.TEST with a config entry, two TGTs, a service ticket */
static void make_cache(struct cr_buf *b, TALLOC_CTX *mem, unsigned version,
		       bool with_tgt)
{
	cr_buf_init(b, mem, false);
	put_be16(b, (uint16_t)(0x0500 | version));
	if (version == 4) {
		put_be16(b, 12);		/* one tag: time offset */
		put_be16(b, 1);
		put_be16(b, 8);
		cr_put_be32(b, 0);
		cr_put_be32(b, 0);
	}
	put_principal(b, "alice", "ROAM.TEST");
	put_cred(b, version, "krb5_ccache_conf_data/pa_type/krbtgt",
		 "X-CACHECONF:", 0, 0);
	if (with_tgt) {
		put_cred(b, version, "krbtgt/ROAM.TEST", "ROAM.TEST", 1000,
			 2000000000);
		put_cred(b, version, "krbtgt/ROAM.TEST", "ROAM.TEST", 900,
			 1900000000);
	}
	put_cred(b, version, "ldap/dc1.roam.test", "ROAM.TEST", 1000,
		 2100000000);
	put_cred(b, version, "krbtgt/OTHER.TEST", "ROAM.TEST", 1000,
		 2100000000);
}

static void test_ccache_file_versions(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct cr_ccache_tgt *tgt = NULL;
	struct cr_buf b;
	char *err = NULL;
	unsigned v;

	for (v = 3; v <= 4; v++) {
		print_message("version %u\n", v);
		make_cache(&b, mem, v, true);
		assert_false(b.oom);
		assert_int_equal(cr_ccache_file_parse(mem, b.data, b.len, "t",
						      &tgt, &err), 0);
		assert_string_equal(tgt->principal, "alice@ROAM.TEST");
		assert_int_equal(tgt->endtime, 2000000000);
		assert_int_equal(tgt->authtime, 1000);
		TALLOC_FREE(tgt);
	}
	make_cache(&b, mem, 4, false);
	assert_int_equal(cr_ccache_file_parse(mem, b.data, b.len, "t", &tgt,
					      &err), ENOENT);
	assert_non_null(strstr(err, "no ticket-granting ticket for "
			       "'alice@ROAM.TEST'"));
	cr_err_clear(&err);
	/* versions 1 and 2 are the library's */
	b.data[1] = 0x02;
	assert_int_equal(cr_ccache_file_parse(mem, b.data, b.len, "t", &tgt,
					      &err), EPROTONOSUPPORT);
	cr_err_clear(&err);
	talloc_free(mem);
}

static void test_ccache_file_truncated(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct cr_ccache_tgt *tgt = NULL;
	struct cr_buf b;
	char *err = NULL;
	size_t n;
	int rc;

	make_cache(&b, mem, 4, true);
	for (n = 0; n < b.len; n++) {
		rc = cr_ccache_file_parse(mem, b.data, n, "t", &tgt, &err);
		if (rc == 0) {
			/* a prefix ending after a whole credential */
			assert_string_equal(tgt->principal,
					    "alice@ROAM.TEST");
			TALLOC_FREE(tgt);
			continue;
		}
		if (err == NULL) {
			print_message("length %zu\n", n);
		}
		assert_non_null(err);
		assert_null(tgt);
		cr_err_clear(&err);
	}
	/* a length that lies: the second ticket's, at the end */
	b.data[b.len - 4] = 0x7f;
	rc = cr_ccache_file_parse(mem, b.data, b.len, "t", &tgt, &err);
	assert_int_equal(rc, EBADMSG);
	cr_err_clear(&err);
	talloc_free(mem);
}

/* The same file through MIT krb5 (DIR:: names a single file). */
static void test_ccache_file_as_mit(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct cr_ccache_tgt *ours = NULL;
	struct cr_ccache_tgt *mit = NULL;
	char tmp[] = "/tmp/credroam-ccache-XXXXXX";
	char *path = NULL;
	char *file = NULL;
	char *dir = NULL;
	struct cr_buf b;
	char *err = NULL;
	int fd;

	make_cache(&b, mem, 4, true);
	/* MIT wants a DIR collection's file named tkt* */
	assert_non_null(mkdtemp(tmp));
	path = talloc_asprintf(mem, "%s/tktcredroam", tmp);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b.data, b.len), (ssize_t)b.len);
	close(fd);
	file = talloc_asprintf(mem, "FILE:%s", path);
	dir = talloc_asprintf(mem, "DIR::%s", path);
	assert_int_equal(cr_ccache_tgt(mem, file, &ours, &err), 0);
	assert_string_equal(ours->resolved, file);
	assert_int_equal(cr_ccache_tgt(mem, dir, &mit, &err), 0);
	assert_string_equal(mit->principal, ours->principal);
	assert_int_equal(mit->endtime, ours->endtime);
	assert_int_equal(mit->authtime, ours->authtime);
	unlink(path);
	rmdir(tmp);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_ccache_file_versions),
		cr_unit_test(test_ccache_file_truncated),
		cr_unit_test(test_ccache_file_as_mit),
	};

	return cmocka_run_group_tests_name("credroam.unittests.ccache",
					   tests, NULL, NULL);
}
