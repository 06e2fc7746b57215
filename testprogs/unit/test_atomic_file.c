/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for atomic file writes (atomic_file.c): the content and the
 * exact mode arrive, a file is replaced only when asked, and nothing but
 * the target is left in the directory, whatever happened.
 */
#include "config.h"

#include <dirent.h>
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

#include "util/atomic_file.h"
#include "test_util.h"

struct ctx {
	char dir[64];
	char *path;
};

static int setup(void **state)
{
	struct ctx *c = NULL;

	cr_test_leak_begin();
	c = talloc_zero(NULL, struct ctx);
	assert_non_null(c);
	snprintf(c->dir, sizeof(c->dir), "/tmp/test_atomic_file.XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	c->path = talloc_asprintf(c, "%s/target", c->dir);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	unlink(c->path);
	assert_int_equal(rmdir(c->dir), 0);	/* nothing else left */
	talloc_free(c);
	cr_test_leak_end();
	return 0;
}

static void assert_content(const char *path, const char *want)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, strlen(want));
}

static unsigned entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de = NULL;
	unsigned n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0) {
			n++;
		}
	}
	closedir(d);
	return n;
}

static void test_write_replace_mode(void **state)
{
	struct ctx *c = *state;
	struct stat st;
	mode_t old = umask(077);

	assert_int_equal(cr_write_atomic(c->path, (const uint8_t *)"one", 3,
					 0644, true), 0);
	umask(old);
	assert_content(c->path, "one");
	assert_int_equal(stat(c->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(cr_write_atomic(c->path, (const uint8_t *)"two!", 4,
					 0600, true), 0);
	assert_content(c->path, "two!");
	assert_int_equal(stat(c->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* empty content is content */
	assert_int_equal(cr_write_atomic(c->path, NULL, 0, 0600, true), 0);
	assert_int_equal(stat(c->path, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(entries(c->dir), 1);
}

static void test_no_replace(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(cr_write_atomic(c->path, (const uint8_t *)"old", 3,
					 0600, false), 0);
	assert_int_equal(cr_write_atomic(c->path, (const uint8_t *)"new", 3,
					 0600, false), EEXIST);
	assert_content(c->path, "old");
	assert_int_equal(entries(c->dir), 1);
}

static void test_errors(void **state)
{
	struct ctx *c = *state;
	char *missing = talloc_asprintf(c, "%s/no/such", c->dir);
	char *slash = talloc_asprintf(c, "%s/", c->dir);
	int dfd = open(c->dir, O_RDONLY | O_DIRECTORY);

	assert_int_equal(cr_write_atomic(missing, (const uint8_t *)"x", 1,
					 0600, true), ENOENT);
	assert_int_equal(cr_write_atomic(slash, (const uint8_t *)"x", 1,
					 0600, true), EISDIR);
	/* a directory in the way of the rename: the old one stays */
	assert_int_equal(mkdir(c->path, 0700), 0);
	assert_int_not_equal(cr_write_atomic_at(dfd, "target",
						(const uint8_t *)"x", 1,
						0600, true), 0);
	assert_int_equal(rmdir(c->path), 0);
	assert_int_equal(entries(c->dir), 0);
	close(dfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_replace_mode,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_replace, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
