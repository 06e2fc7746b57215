/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading a whole file, bounded: see readfile.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/readfile.h"
#include "util/secret.h"

/* what a descriptor of unknown size is read with at first */
#define READ_FIRST_CHUNK 4096

/* A larger buffer with buf's got bytes; buf is wiped and freed. */
static uint8_t *grow(TALLOC_CTX *mem_ctx, uint8_t *buf, size_t got,
		     size_t cap)
{
	uint8_t *bigger = talloc_size(mem_ctx, cap);

	if (bigger == NULL) {
		return NULL;
	}
	memcpy(bigger, buf, got);
	credroam_wipe(buf, got);
	talloc_free(buf);
	return bigger;
}

/* cr_read_fd() expecting about expect bytes (expect <= max). */
static int read_to_end(TALLOC_CTX *mem_ctx, int fd, size_t max,
		       size_t expect, const char *name, uint8_t **pdata,
		       size_t *plen, char **errmsg)
{
	size_t cap = 0;
	uint8_t *buf = NULL;
	size_t got = 0;
	int ret = 0;

	*pdata = NULL;
	*plen = 0;
	if (max > SIZE_MAX - 2) {
		cr_seterr(errmsg, "'%s': a limit of %zu bytes is too large",
			  name, max);
		return EINVAL;
	}
	/* the bytes, one to see the end (or that there are too many), NUL */
	cap = expect + 2;
	buf = talloc_size(mem_ctx, cap);
	if (buf == NULL) {
		return ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (got == cap - 1) {
			uint8_t *bigger = NULL;
			size_t want = (cap <= (max + 2) / 2) ? cap * 2
							      : max + 2;

			bigger = grow(mem_ctx, buf, got, want);
			if (bigger == NULL) {
				ret = ENOMEM;
				goto done;
			}
			buf = bigger;
			cap = want;
		}
		n = read(fd, buf + got, cap - 1 - got);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			ret = errno;
			cr_seterr(errmsg, "cannot read '%s': %s", name,
				  strerror(ret));
			goto done;
		}
		if (n == 0) {
			break;
		}
		got += (size_t)n;
		if (got > max) {
			cr_seterr(errmsg, "'%s' is larger than %zu bytes",
				  name, max);
			ret = EFBIG;
			goto done;
		}
	}
	buf[got] = '\0';
	*pdata = buf;
	*plen = got;
	buf = NULL;
done:
	if (buf != NULL) {
		credroam_wipe(buf, got);
		talloc_free(buf);
	}
	return ret;
}

int cr_read_fd(TALLOC_CTX *mem_ctx, int fd, size_t max, const char *name,
	       uint8_t **pdata, size_t *plen, char **errmsg)
{
	size_t expect = (max < READ_FIRST_CHUNK) ? max : READ_FIRST_CHUNK;

	return read_to_end(mem_ctx, fd, max, expect, name, pdata, plen,
			   errmsg);
}

int cr_read_regular_fd(TALLOC_CTX *mem_ctx, int fd, size_t max,
		       const char *name, uint8_t **pdata, size_t *plen,
		       char **errmsg)
{
	struct stat st;
	int ret;

	*pdata = NULL;
	*plen = 0;
	ret = fstat(fd, &st);
	if (ret != 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot stat '%s': %s", name,
			  strerror(ret));
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		cr_seterr(errmsg, "'%s' is not a regular file", name);
		return EINVAL;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size > max) {
		cr_seterr(errmsg, "'%s' is %lld bytes, more than the %zu "
			  "it may have", name, (long long)st.st_size, max);
		return EFBIG;
	}
	return read_to_end(mem_ctx, fd, max, (size_t)st.st_size, name,
			   pdata, plen, errmsg);
}
