/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for the local store (localstore.c) and the state (state.c):
 * the layout and its modes, atomic writes, symlinks never followed,
 * misplaced or hostile files reported rather than loaded, the trash, the
 * lock, the fingerprint, and the state with its fallback copy.
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
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>

#include "store/localstore.h"
#include "store/state.h"
#include "store/trash.h"
#include "format/token.h"
#include "test_util.h"

struct fixture {
	TALLOC_CTX *mem;
	char *dir;
	char *root;
	struct cr_store *store;
};

static int setup(void **state)
{
	struct fixture *f = NULL;
	char tmpl[] = "/tmp/credroam-test-XXXXXX";

	cr_test_leak_begin();
	f = talloc_zero(NULL, struct fixture);
	f->mem = f;
	f->dir = talloc_strdup(f, mkdtemp(tmpl));
	f->root = talloc_asprintf(f, "%s/a/b/credroam", f->dir);
	assert_int_equal(cr_store_open(f, f->root, true, &f->store, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = talloc_asprintf(f, "rm -rf '%s'", f->dir);

	TALLOC_FREE(f->store);
	assert_int_equal(system(cmd), 0);
	talloc_free(f);
	cr_test_leak_end();
	return 0;
}

static struct cr_token *make_token(TALLOC_CTX *mem, unsigned type,
				   const char *id, const char *data)
{
	struct cr_token *t = NULL;
	int rc = cr_token_build(mem, type, id, 134401532608342400ULL, 0,
				(const uint8_t *)data, strlen(data), NULL, 0,
				&t, NULL);
	assert_int_equal(rc, 0);
	return t;
}

static char *path(struct fixture *f, const char *rel)
{
	return talloc_asprintf(f, "%s/%s", f->root, rel);
}

static void test_layout_and_modes(void **state)
{
	struct fixture *f = *state;
	const char *dirs[] = { "", "roaming", "certs", "trash" };
	struct stat st;
	size_t i;

	for (i = 0; i < 4; i++) {
		assert_int_equal(stat(path(f, dirs[i]), &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(st.st_mode & 0777, 0700);
	}
}

static void test_put_load_roundtrip(void **state)
{
	struct fixture *f = *state;
	const char *id = "0123456789ABCDEF0123456789ABCDEF01234567";
	struct cr_token *t = make_token(f, 4, id, "request");
	struct cr_store_view *v = NULL;
	struct stat st;

	assert_int_equal(cr_store_put_token(f->store, t, NULL), 0);
	assert_int_equal(stat(path(f, talloc_asprintf(f,
		"roaming/CryptoApiRequest/%s", id)), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(cr_store_load(f, f->store, &v, NULL), 0);
	assert_int_equal(v->num_tokens, 1);
	assert_int_equal(v->num_problems, 0);
	assert_memory_equal(v->tokens[0].token->raw, t->raw, t->raw_len);
}

static void test_refuses_unsafe_token(void **state)
{
	struct fixture *f = *state;
	struct cr_token *t = make_token(f, 4,
		"0123456789ABCDEF0123456789ABCDEF01234567", "x");
	char *err = NULL;

	/* a hostile identifier as it would come from AD */
	memcpy(t->identifier, "..", 2);
	t->id_problem = CR_TOKEN_ID_DOTDOT;
	assert_int_equal(cr_store_put_token(f->store, t, &err), EINVAL);
	assert_non_null(err);
}

static void test_misplaced_and_symlinks_reported(void **state)
{
	struct fixture *f = *state;
	const char *id = "0123456789ABCDEF0123456789ABCDEF01234567";
	struct cr_token *t = make_token(f, 4, id, "request");
	struct cr_store_view *v = NULL;
	char *secret = path(f, "../../outside");
	int fd;

	assert_int_equal(cr_store_put_token(f->store, t, NULL), 0);
	/* a token under a name that is not its identifier */
	assert_int_equal(rename(path(f, talloc_asprintf(f,
		"roaming/CryptoApiRequest/%s", id)),
		path(f, "roaming/CryptoApiRequest/"
		     "1111111111111111111111111111111111111111")), 0);
	/* a symlink pointing outside the store */
	fd = open(secret, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(symlink(secret, path(f, "roaming/CryptoApiRequest/"
		"2222222222222222222222222222222222222222")), 0);
	/* a folder that is not a token type, and a crashed write */
	assert_int_equal(mkdir(path(f, "roaming/Other"), 0700), 0);
	fd = open(path(f, "roaming/CryptoApiRequest/.tmp-1-2"),
		  O_CREAT | O_WRONLY, 0600);
	close(fd);

	assert_int_equal(cr_store_load(f, f->store, &v, NULL), 0);
	assert_int_equal(v->num_tokens, 0);
	assert_int_equal(v->num_problems, 3);
	assert_int_equal(access(path(f, "roaming/CryptoApiRequest/.tmp-1-2"),
				F_OK), -1);
	assert_int_equal(access(secret, F_OK), 0);
}

static void test_trash_keeps_everything(void **state)
{
	struct fixture *f = *state;
	const char *id = "0123456789ABCDEF0123456789ABCDEF01234567";
	struct cr_token *t = make_token(f, 4, id, "request");
	char **names = NULL;
	size_t n = 0;

	assert_int_equal(cr_store_put_token(f->store, t, NULL), 0);
	assert_int_equal(cr_store_trash_token(f->store, 4, id, NULL), 0);
	assert_int_equal(cr_store_put_token(f->store, t, NULL), 0);
	assert_int_equal(cr_store_trash_token(f->store, 4, id, NULL), 0);
	assert_int_equal(cr_store_trash_token(f->store, 4, id, NULL), ENOENT);
	assert_int_equal(cr_store_write_cert_file(f->store, "X.crt",
		(const uint8_t *)"pem", 3, 0644, NULL), 0);
	assert_int_equal(cr_store_trash_cert_file(f->store, "X.crt", NULL), 0);
	assert_int_equal(cr_store_trash_token(f->store, 4, "../x", NULL),
			 EINVAL);
	/* three items, none overwritten */
	assert_int_equal(system(talloc_asprintf(f, "test $(ls '%s' | wc -l) "
		"-eq 3", path(f, "trash"))), 0);
	(void)names;
	(void)n;
}

static void test_cert_files(void **state)
{
	struct fixture *f = *state;
	uint8_t *data = NULL;
	size_t len = 0;
	char **names = NULL;
	size_t n = 0;
	struct stat st;

	assert_int_equal(cr_store_write_cert_file(f->store, "A.key",
		(const uint8_t *)"k", 1, 0600, NULL), 0);
	assert_int_equal(stat(path(f, "certs/A.key"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(cr_store_read_cert_file(f, f->store, "A.key", &data,
						 &len, NULL), 0);
	assert_int_equal(len, 1);
	assert_int_equal(symlink("/etc/passwd", path(f, "certs/B.crt")), 0);
	assert_int_equal(cr_store_read_cert_file(f, f->store, "B.crt", &data,
						 &len, NULL), EINVAL);
	assert_int_equal(cr_store_list_certs(f, f->store, &names, &n, NULL),
			 0);
	assert_int_equal(n, 1);	/* the symlink is not listed */
	assert_string_equal(names[0], "A.key");
	assert_int_equal(cr_store_write_cert_file(f->store, "../x",
		(const uint8_t *)"k", 1, 0600, NULL), EINVAL);
	assert_int_equal(cr_store_rename_cert_file(f->store, "A.key",
						   "A.key2", NULL), 0);
	assert_int_equal(cr_store_write_cert_file(f->store, "A.key",
		(const uint8_t *)"k", 1, 0600, NULL), 0);
	assert_int_equal(cr_store_rename_cert_file(f->store, "A.key",
						   "A.key2", NULL), EEXIST);
}

static void test_root_refusals(void **state)
{
	struct fixture *f = *state;
	struct cr_store *s = NULL;
	char *link = talloc_asprintf(f, "%s/link", f->dir);
	char *err = NULL;

	assert_int_equal(symlink(f->root, link), 0);
	assert_int_equal(cr_store_open(f, link, true, &s, &err), EINVAL);
	assert_non_null(strstr(err, "symlink"));
	assert_int_equal(cr_store_open(f, "relative", true, &s, NULL),
			 EINVAL);
}

static void test_lock_is_exclusive(void **state)
{
	struct fixture *f = *state;
	struct cr_store *other = NULL;

	assert_int_equal(cr_store_lock(f->store, 0, NULL), 0);
	assert_int_equal(cr_store_open(f, f->root, false, &other, NULL), 0);
	assert_int_equal(cr_store_lock(other, 0, NULL), EWOULDBLOCK);
	TALLOC_FREE(f->store);
	assert_int_equal(cr_store_lock(other, 1, NULL), 0);
	f->store = other;
}

static void test_fingerprint_sees_changes(void **state)
{
	struct fixture *f = *state;
	char *a = NULL;
	char *b = NULL;
	char *c = NULL;

	assert_int_equal(cr_store_fingerprint(f, f->store, &a, NULL), 0);
	assert_int_equal(cr_store_fingerprint(f, f->store, &b, NULL), 0);
	assert_string_equal(a, b);
	assert_int_equal(cr_store_write_cert_file(f->store, "new.crt",
		(const uint8_t *)"x", 1, 0644, NULL), 0);
	assert_int_equal(cr_store_fingerprint(f, f->store, &c, NULL), 0);
	assert_string_not_equal(a, c);
}

static struct cr_state *sample_state(TALLOC_CTX *mem)
{
	struct cr_state *s = talloc_zero(mem, struct cr_state);

	s->sid = talloc_strdup(s, "S-1-5-21-1-2-3-1103");
	s->dn = talloc_strdup(s, "CN=alice,CN=Users,DC=roam,DC=test");
	s->has_timestamp = true;
	memset(s->timestamp, 0xab, 16);
	s->items = talloc_zero_array(s, struct cr_state_item, 1);
	s->items[0].type = 0;
	s->items[0].id = talloc_strdup(s, "Preferred");
	s->items[0].sha1 = talloc_strdup(s,
		"00112233445566778899AABBCCDDEEFF00112233");
	s->num_items = 1;
	return s;
}

static void test_state_roundtrip_and_fallback(void **state)
{
	struct fixture *f = *state;
	struct cr_state *s = sample_state(f);
	struct cr_state *got = NULL;
	char *warning = NULL;
	int fd;

	assert_int_equal(cr_state_load(f, f->store, &got, &warning, NULL), 0);
	assert_null(warning);
	assert_int_equal(got->num_items, 0);	/* first run: empty */

	assert_int_equal(cr_state_save(f->store, s, NULL), 0);
	s->items[0].id = talloc_strdup(s,
				       "01234567-89ab-cdef-0123-456789abcdef");
	assert_int_equal(cr_state_save(f->store, s, NULL), 0);
	assert_int_equal(cr_state_load(f, f->store, &got, &warning, NULL), 0);
	assert_string_equal(got->items[0].id,
			    "01234567-89ab-cdef-0123-456789abcdef");
	assert_memory_equal(got->timestamp, s->timestamp, 16);

	/* a corrupt state: the previous copy is used, and said so */
	fd = open(path(f, "state"), O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "{garbage", 8), 8);
	close(fd);
	assert_int_equal(cr_state_load(f, f->store, &got, &warning, NULL), 0);
	assert_non_null(warning);
	assert_string_equal(got->items[0].id, "Preferred");
}

/*
 * uSNChanged is counted by each DC: the state keeps the DC it read it
 * from beside it; a state from before that field has neither (unknown).
 */
static void test_state_keeps_usn_and_its_dc(void **state)
{
	struct fixture *f = *state;
	struct cr_state *s = sample_state(f);
	struct cr_state *got = NULL;
	const char *old = "{\"version\":1,\"items\":[],\"certs\":[],"
			  "\"usn_changed\":4913}";
	const char *bad = "{\"version\":1,\"items\":[],\"certs\":[],"
			  "\"usn_dc\":7}";
	char *text = NULL;
	char *err = NULL;

	s->usn_changed = 4913;
	s->usn_dc = talloc_strdup(s, "dc2.roam.test");
	assert_int_equal(cr_state_to_json(f, s, &text, NULL), 0);
	assert_int_equal(cr_state_from_json(f, (const uint8_t *)text,
					    strlen(text), &got, NULL), 0);
	assert_true(got->usn_changed == 4913);
	assert_string_equal(got->usn_dc, "dc2.roam.test");

	assert_int_equal(cr_state_from_json(f, (const uint8_t *)old,
					    strlen(old), &got, NULL), 0);
	assert_true(got->usn_changed == 4913);
	assert_null(got->usn_dc);

	assert_int_equal(cr_state_from_json(f, (const uint8_t *)bad,
					    strlen(bad), &got, &err),
			 EBADMSG);
	assert_non_null(err);
}

static void test_state_rejects_hostile(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = {
		"[]",
		"{\"version\":2,\"items\":[],\"certs\":[]}",
		"{\"version\":1,\"items\":[{\"type\":3,\"id\":\"../../x\","
		"\"sha1\":\"0011223344556677889900112233445566778899\"}],"
		"\"certs\":[]}",
		"{\"version\":1,\"items\":{},\"certs\":[]}",
		"{\"version\":1,\"items\":[],\"certs\":[],"
		"\"timestamp\":\"zz\"}",
		"{\"version\":1,\"items\":[],\"certs\":[{\"thumbprint\":\"x\","
		"\"key_written\":true,\"key_id\":null}]}",
	};
	struct cr_state *got = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *err = NULL;
		printf("case %zu\n", i);
		assert_int_equal(cr_state_from_json(f, (const uint8_t *)bad[i],
						    strlen(bad[i]), &got,
						    &err), EBADMSG);
		assert_non_null(err);
	}
}

/*
 * A decrypted private key that a run removes is wiped and deleted, never
 * moved to trash/ (issue 17, item 3): afterwards no file under the store
 * holds its bytes, and the one inode it had was overwritten first.
 */
static void test_removed_key_is_wiped(void **state)
{
	struct fixture *f = *state;
	const char *pem = "-----BEGIN PRIVATE KEY-----\n"
		"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7secret\n"
		"-----END PRIVATE KEY-----\n";
	struct stat st;
	char buf[512];
	int fd;
	int rc;

	assert_int_equal(cr_store_write_cert_file(f->store, "AB12.key",
		(const uint8_t *)pem, strlen(pem), 0600, NULL), 0);
	assert_int_equal(cr_store_write_cert_file(f->store, "AB12.crt",
		(const uint8_t *)"pem", 3, 0644, NULL), 0);
	/* a second name for the key's inode, to see what became of it */
	assert_int_equal(link(path(f, "certs/AB12.key"), path(f, "inode")), 0);

	assert_int_equal(cr_store_trash_cert_file(f->store, "AB12.key", NULL),
			 0);
	assert_int_equal(cr_store_trash_cert_file(f->store, "AB12.crt", NULL),
			 0);
	assert_int_equal(access(path(f, "certs/AB12.key"), F_OK), -1);
	/* the certificate is in the trash; the key is not */
	rc = system(talloc_asprintf(f, "test $(ls '%s' | wc -l) -eq 1 && "
				    "ls '%s' | grep -q 'AB12.crt$'",
				    path(f, "trash"), path(f, "trash")));
	assert_int_equal(rc, 0);
	rc = system(talloc_asprintf(f, "grep -rlq 'MIIEvQIBADANBgkqhkiG9w0B' "
				    "'%s/trash' '%s/certs' '%s/roaming'",
				    f->root, f->root, f->root));
	assert_int_not_equal(rc, 0);
	/* the key's bytes were overwritten before the name went */
	assert_int_equal(stat(path(f, "inode"), &st), 0);
	fd = open(path(f, "inode"), O_RDONLY);
	assert_true(fd >= 0);
	memset(buf, 0, sizeof(buf));
	assert_true(read(fd, buf, sizeof(buf) - 1) >= 0);
	close(fd);
	assert_null(strstr(buf, "PRIVATE KEY"));
	assert_int_equal(unlink(path(f, "inode")), 0);
}

/* A .p12 (or .pfx) is a key container: wiped and deleted like a .key. */
static void test_removed_p12_is_wiped(void **state)
{
	struct fixture *f = *state;
	int rc;

	assert_int_equal(cr_store_write_cert_file(f->store, "AB12.p12",
		(const uint8_t *)"0\x82p12secret", 12, 0600, NULL), 0);
	assert_int_equal(cr_store_write_cert_file(f->store, "AB12.PFX",
		(const uint8_t *)"0\x82pfxsecret", 12, 0600, NULL), 0);
	assert_int_equal(cr_store_trash_cert_file(f->store, "AB12.p12", NULL),
			 0);
	assert_int_equal(cr_store_trash_cert_file(f->store, "AB12.PFX", NULL),
			 0);
	rc = system(talloc_asprintf(f, "test -z \"$(find '%s' '%s' "
				    "-type f)\"", path(f, "trash"),
				    path(f, "certs")));
	assert_int_equal(rc, 0);
}

static void plant(struct fixture *f, const char *name, size_t size,
		  const char *content)
{
	char *p = path(f, talloc_asprintf(f, "trash/%s", name));
	FILE *fp = fopen(p, "w");
	size_t i;

	assert_non_null(fp);
	fputs(content, fp);
	for (i = strlen(content); i < size; i++) {
		fputc('x', fp);
	}
	assert_int_equal(fclose(fp), 0);
}

static bool in_trash(struct fixture *f, const char *name)
{
	return access(path(f, talloc_asprintf(f, "trash/%s", name)),
		      F_OK) == 0;
}

/*
 * trash/'s retention (issue 17 item 3): keys of earlier versions wiped,
 * entries past the tombstone lifetime dropped, then the oldest while over
 * the caps; each drop named with its age and size.
 */
static void test_trash_retention(void **state)
{
	struct fixture *f = *state;
	/* 2026-12-07T12:00:00Z */
	time_t now = 1796731200;
	struct cr_trash_limits lim = {
		.max_age = 60 * 86400,
		.max_bytes = 3000,
		.max_entries = 10,
	};
	struct cr_trash_drop *drops = NULL;
	size_t n = 0;
	size_t i;
	int rc;

	plant(f, "20261201T000000Z-certs-A.key", 100, "key");
	plant(f, "20261201T000000Z-certs-A.p12", 100, "p12");
	plant(f, "20261201T000000Z-certs-B.pem", 200,
	      "-----BEGIN RSA PRIVATE KEY-----\n");
	plant(f, "20200101T000000Z-certs-OLD.crt", 50, "");
	plant(f, "20261101T000000Z-CryptoApiRequest-1", 1000, "");
	plant(f, "20261102T000000Z-CryptoApiRequest-2", 1000, "");
	plant(f, "20261103T000000Z-CryptoApiRequest-3", 1000, "");
	plant(f, "20261104T000000Z-CryptoApiRequest-4", 1000, "");
	plant(f, "20261105T000000Z-certs-C.crt", 10, "");

	rc = cr_store_trash_expire(f, f->store, now, &lim, &drops, &n, NULL);
	assert_int_equal(rc, 0);
	for (i = 0; i < n; i++) {
		printf("dropped %s: %s, %llu s, %llu bytes\n", drops[i].name,
		       drops[i].why, (unsigned long long)drops[i].age,
		       (unsigned long long)drops[i].size);
	}
	assert_int_equal(n, 6);
	assert_false(in_trash(f, "20261201T000000Z-certs-A.key"));
	assert_false(in_trash(f, "20261201T000000Z-certs-A.p12"));
	assert_false(in_trash(f, "20261201T000000Z-certs-B.pem"));
	assert_false(in_trash(f, "20200101T000000Z-certs-OLD.crt"));
	/* 4010 bytes left > 3000: the two oldest tokens go */
	assert_false(in_trash(f, "20261101T000000Z-CryptoApiRequest-1"));
	assert_false(in_trash(f, "20261102T000000Z-CryptoApiRequest-2"));
	assert_true(in_trash(f, "20261103T000000Z-CryptoApiRequest-3"));
	assert_true(in_trash(f, "20261104T000000Z-CryptoApiRequest-4"));
	assert_true(in_trash(f, "20261105T000000Z-certs-C.crt"));
	cr_assert_contains(drops[0].why, "older than 60 days");
	assert_string_equal(drops[0].name, "20200101T000000Z-certs-OLD.crt");
	assert_int_equal(drops[0].size, 50);
	assert_true(drops[0].age > 2500 * 86400ULL);
	cr_assert_contains(drops[1].why, "a decrypted key");
	cr_assert_contains(drops[5].why, "over the size cap");
	TALLOC_FREE(drops);

	/* the entry cap */
	lim.max_entries = 1;
	rc = cr_store_trash_expire(f, f->store, now, &lim, &drops, &n, NULL);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 2);
	assert_true(in_trash(f, "20261105T000000Z-certs-C.crt"));
	assert_false(in_trash(f, "20261104T000000Z-CryptoApiRequest-4"));
	TALLOC_FREE(drops);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout_and_modes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_put_load_roundtrip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refuses_unsafe_token,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_misplaced_and_symlinks_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trash_keeps_everything,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cert_files, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_removed_key_is_wiped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_p12_is_wiped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_trash_retention, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_root_refusals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lock_is_exclusive, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fingerprint_sees_changes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_state_roundtrip_and_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_state_keeps_usn_and_its_dc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_rejects_hostile,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("credroam.unittests.localstore",
					   tests, NULL, NULL);
}
