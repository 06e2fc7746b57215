/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for bounded whole-file reading (util/readfile.c): an empty
 * file, a file of exactly the limit, one byte more (refused), what is not
 * a regular file (refused before any read), short reads and EINTR, a file
 * that grows while it is read, and a stream longer than the first chunk.
 *
 * The test binary defines read() itself, so the library's calls (linked
 * into this executable) reach this one: it can hand out one byte at a
 * time, fail once with EINTR, or append to the file being read.
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
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>

#include "util/readfile.h"
#include "test_util.h"

#define MAX 64

/* how the next read() calls behave */
static struct {
	size_t at_most;		/* 0: as asked */
	int eintr_once;		/* the next call fails with EINTR */
	int grow_fd;		/* >= 0: the first call appends here */
	size_t grow_by;
	size_t calls;
} fake = { .grow_fd = -1 };

ssize_t read(int fd, void *buf, size_t count);

ssize_t read(int fd, void *buf, size_t count)
{
	fake.calls++;
	if (fake.eintr_once) {
		fake.eintr_once = 0;
		errno = EINTR;
		return -1;
	}
	if (fake.grow_fd >= 0) {
		char more[256];
		int wfd = fake.grow_fd;

		fake.grow_fd = -1;
		memset(more, 'g', sizeof(more));
		assert_true(fake.grow_by <= sizeof(more));
		assert_int_equal(write(wfd, more, fake.grow_by),
				 (ssize_t)fake.grow_by);
	}
	if (fake.at_most != 0 && count > fake.at_most) {
		count = fake.at_most;
	}
	return syscall(SYS_read, fd, buf, count);
}

static void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.grow_fd = -1;
}

/* a file of len bytes 'a'..'z' in a new directory; its descriptor */
struct tmp {
	char dir[64];
	char path[96];
};

static int make_file(struct tmp *t, size_t len)
{
	size_t i;
	int fd;

	snprintf(t->dir, sizeof(t->dir), "/tmp/test_readfile.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/f", t->dir);
	fd = open(t->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	for (i = 0; i < len; i++) {
		char c = (char)('a' + i % 26);

		assert_int_equal(write(fd, &c, 1), 1);
	}
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void remove_file(struct tmp *t, int fd)
{
	close(fd);
	assert_int_equal(unlink(t->path), 0);
	assert_int_equal(rmdir(t->dir), 0);
}

/* what one read gave */
struct got {
	int ret;
	uint8_t *data;
	size_t len;
	char *err;
};

/* cr_read_regular_fd() of a new file of size bytes, limit MAX */
static struct got read_new_file(TALLOC_CTX *mem, size_t size,
				const char *name)
{
	struct got g = { .ret = -1 };
	struct tmp t;
	int fd = make_file(&t, size);

	g.ret = cr_read_regular_fd(mem, fd, MAX, name, &g.data, &g.len,
				   &g.err);
	remove_file(&t, fd);
	return g;
}

/* make_file()'s first len bytes */
static void assert_letters(const uint8_t *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		assert_int_equal(data[i], 'a' + i % 26);
	}
}

/* all of them, and the NUL after */
static void assert_pattern(const uint8_t *data, size_t len)
{
	assert_letters(data, len);
	assert_int_equal(data[len], '\0');
}

static void test_empty(void **state)
{
	struct cr_test_ctx *c = *state;
	struct got g;

	fake_reset();
	g = read_new_file(c->mem, 0, "f");
	assert_int_equal(g.ret, 0);
	assert_non_null(g.data);
	assert_int_equal(g.len, 0);
	assert_int_equal(g.data[0], '\0');
	assert_null(g.err);
}

static void test_exactly_max(void **state)
{
	struct cr_test_ctx *c = *state;
	struct got g;

	fake_reset();
	g = read_new_file(c->mem, MAX, "f");
	assert_int_equal(g.ret, 0);
	assert_int_equal(g.len, MAX);
	assert_pattern(g.data, g.len);
	/* the bytes, then one read that finds the end */
	assert_int_equal(fake.calls, 2);
}

static void test_max_plus_one(void **state)
{
	struct cr_test_ctx *c = *state;
	struct got g;

	fake_reset();
	g = read_new_file(c->mem, MAX + 1, "state");
	assert_int_equal(g.ret, EFBIG);
	assert_null(g.data);
	assert_int_equal(g.len, 0);
	cr_assert_contains(g.err, "'state' is 65 bytes, more than the 64");
	assert_int_equal(fake.calls, 0);	/* refused before reading */
	cr_err_clear(&g.err);
}

static void test_not_regular(void **state)
{
	struct cr_test_ctx *c = *state;
	uint8_t *data = NULL;
	size_t len = 0;
	char *err = NULL;
	int pipefd[2];
	int fd;

	fake_reset();
	fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(cr_read_regular_fd(c->mem, fd, MAX, "/tmp", &data,
					    &len, &err), EINVAL);
	assert_null(data);
	cr_assert_contains(err, "'/tmp' is not a regular file");
	cr_err_clear(&err);
	close(fd);

	/* a pipe nobody writes to: refused, not waited on */
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(cr_read_regular_fd(c->mem, pipefd[0], MAX, "fifo",
					    &data, &len, &err), EINVAL);
	cr_assert_contains(err, "'fifo' is not a regular file");
	cr_err_clear(&err);
	assert_int_equal(fake.calls, 0);
	close(pipefd[0]);
	close(pipefd[1]);
}

static void test_short_reads(void **state)
{
	struct cr_test_ctx *c = *state;
	struct got g;

	fake_reset();
	fake.at_most = 1;
	fake.eintr_once = 1;
	g = read_new_file(c->mem, MAX, "f");
	assert_int_equal(g.ret, 0);
	assert_int_equal(g.len, MAX);
	assert_pattern(g.data, g.len);
	/* EINTR, a byte at a time, the end */
	assert_int_equal(fake.calls, 1 + MAX + 1);
}

static void test_grows_while_read(void **state)
{
	struct cr_test_ctx *c = *state;
	struct tmp t;
	uint8_t *data = NULL;
	size_t len = 0;
	char *err = NULL;
	int fd = make_file(&t, 10);
	int wfd = open(t.path, O_WRONLY | O_APPEND | O_CLOEXEC);

	/* still within the limit: all of it */
	assert_true(wfd >= 0);
	fake_reset();
	fake.grow_fd = wfd;
	fake.grow_by = 20;
	assert_int_equal(cr_read_regular_fd(c->mem, fd, MAX, "f", &data,
					    &len, &err), 0);
	assert_int_equal(len, 30);
	assert_letters(data, 10);
	assert_memory_equal(data + 10, "gggggggggggggggggggg", 20);
	assert_int_equal(data[30], '\0');

	/* past it: refused, having read no more than the limit and one */
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	fake.grow_fd = wfd;
	fake.grow_by = MAX;
	fake.calls = 0;
	assert_int_equal(cr_read_regular_fd(c->mem, fd, MAX, "f", &data,
					    &len, &err), EFBIG);
	assert_null(data);
	cr_assert_contains(err, "'f' is larger than 64 bytes");
	cr_err_clear(&err);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), MAX + 1);
	close(wfd);
	remove_file(&t, fd);
}

static void test_stream(void **state)
{
	struct cr_test_ctx *c = *state;
	uint8_t *data = NULL;
	size_t len = 0;
	char *err = NULL;
	size_t i;
	int pipefd[2];
	char buf[10000];

	fake_reset();
	for (i = 0; i < sizeof(buf); i++) {
		buf[i] = (char)('a' + i % 26);
	}
	/* longer than the first chunk: the buffer grows */
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(write(pipefd[1], buf, sizeof(buf)),
			 (ssize_t)sizeof(buf));
	close(pipefd[1]);
	assert_int_equal(cr_read_fd(c->mem, pipefd[0], sizeof(buf), "stdin",
				    &data, &len, &err), 0);
	assert_int_equal(len, sizeof(buf));
	assert_pattern(data, len);
	close(pipefd[0]);

	/* one byte more than allowed */
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(write(pipefd[1], buf, sizeof(buf)),
			 (ssize_t)sizeof(buf));
	close(pipefd[1]);
	assert_int_equal(cr_read_fd(c->mem, pipefd[0], sizeof(buf) - 1,
				    "stdin", &data, &len, &err), EFBIG);
	assert_null(data);
	cr_assert_contains(err, "'stdin' is larger than 9999 bytes");
	cr_err_clear(&err);
	close(pipefd[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_empty),
		cr_unit_test(test_exactly_max),
		cr_unit_test(test_max_plus_one),
		cr_unit_test(test_not_regular),
		cr_unit_test(test_short_reads),
		cr_unit_test(test_grows_while_read),
		cr_unit_test(test_stream),
	};

	return cmocka_run_group_tests_name("credroam.unittests.readfile",
					   tests, NULL, NULL);
}
