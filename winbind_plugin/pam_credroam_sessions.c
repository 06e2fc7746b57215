/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Per-uid session counters; see pam_credroam_sessions.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "pam_credroam_sessions.h"

#define COUNT_MAX 1000000u

char *pcr_sessions_path(TALLOC_CTX *mem_ctx, const char *rundir, uid_t uid)
{
	return talloc_asprintf(mem_ctx, "%s/%u.sessions", rundir,
			       (unsigned)uid);
}

/* Decimal count at the start of buf; anything else counts as 0. */
static unsigned parse_count(const char *buf, size_t len)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
		n = n * 10 + (unsigned)(buf[i] - '0');
		if (n > COUNT_MAX) {
			return COUNT_MAX;
		}
	}
	return n;
}

static int read_count_fd(int fd, unsigned *count)
{
	char buf[32];
	ssize_t n;

	do {
		n = pread(fd, buf, sizeof(buf), 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		return errno;
	}
	*count = parse_count(buf, (size_t)n);
	return 0;
}

int pcr_sessions_read(const char *path, unsigned *count)
{
	int fd;
	int ret;

	*count = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		return (errno == ENOENT) ? 0 : errno;
	}
	ret = flock(fd, LOCK_SH);
	if (ret == 0) {
		ret = read_count_fd(fd, count);
	} else {
		ret = errno;
	}
	close(fd);
	return ret;
}

int pcr_sessions_change(const char *rundir, const char *path, int delta,
			unsigned *after, char **errmsg, TALLOC_CTX *errctx)
{
	struct stat st;
	unsigned count = 0;
	char buf[32];
	int len;
	int fd = -1;
	int ret;

	*after = 0;
	if (mkdir(rundir, 0755) != 0 && errno != EEXIST) {
		ret = errno;
		cr_seterr(errmsg, "cannot create %s: %s", rundir,
			  strerror(ret));
		return ret;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot open %s: %s", path,
			  strerror(ret));
		return ret;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid()) {
		cr_seterr(errmsg, "%s is not a file of ours", path);
		ret = EPERM;
		goto done;
	}
	if (flock(fd, LOCK_EX) != 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot lock %s: %s", path,
			  strerror(ret));
		goto done;
	}
	ret = read_count_fd(fd, &count);
	if (ret != 0) {
		cr_seterr(errmsg, "cannot read %s: %s", path,
			  strerror(ret));
		goto done;
	}
	if (delta < 0 && count < (unsigned)-delta) {
		count = 0;
	} else if (delta < 0) {
		count -= (unsigned)-delta;
	} else if (count < COUNT_MAX) {
		count += (unsigned)delta;
	}
	len = snprintf(buf, sizeof(buf), "%u\n", count);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)len, 0) != len) {
		ret = errno;
		cr_seterr(errmsg, "cannot write %s: %s", path,
			  strerror(ret));
		goto done;
	}
	*after = count;
	ret = 0;
done:
	close(fd);
	return ret;
}
