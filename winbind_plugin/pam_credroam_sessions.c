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
#include <time.h>
#include <unistd.h>

#include "util/error.h"
#include "pam_credroam_sessions.h"

#define COUNT_MAX 1000000u
/* how often a lock held by someone else is tried again */
#define LOCK_RETRY_US 10000

static uint64_t sessions_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * flock(fd, how) waiting at most wait_us: 0, ETIMEDOUT or an errno.  Never
 * an unbounded wait, whoever holds the lock.
 */
static int lock_until(int fd, int how, uint64_t wait_us)
{
	uint64_t deadline = sessions_now_us() + wait_us;

	for (;;) {
		uint64_t now;
		uint64_t nap;
		int ret = flock(fd, how | LOCK_NB);

		if (ret == 0) {
			return 0;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			return errno;
		}
		now = sessions_now_us();
		if (now >= deadline) {
			return ETIMEDOUT;
		}
		nap = deadline - now;
		if (nap > LOCK_RETRY_US) {
			nap = LOCK_RETRY_US;
		}
		usleep((useconds_t)nap);
	}
}

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

int pcr_sessions_read(const char *path, uint64_t wait_us, unsigned *count)
{
	int fd;
	int ret;

	*count = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		return (errno == ENOENT) ? 0 : errno;
	}
	ret = lock_until(fd, LOCK_SH, wait_us);
	if (ret == 0) {
		ret = read_count_fd(fd, count);
	}
	close(fd);
	return ret;
}

/*
 * fd (path) must be ours and of the given type; whatever it grants
 * others (an earlier version made them 0755 / 0644) is taken away.
 */
static int make_private(int fd, const char *path, mode_t type, mode_t mode,
			char **errmsg, TALLOC_CTX *errctx)
{
	struct stat st;
	int ret;

	ret = fstat(fd, &st);
	if (ret != 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot stat %s: %s", path,
			  strerror(ret));
		return ret;
	}
	if ((st.st_mode & S_IFMT) != type || st.st_uid != geteuid()) {
		cr_seterr(errmsg, "%s is not a %s of ours", path,
			  (type == S_IFDIR) ? "folder" : "file");
		return EPERM;
	}
	if ((st.st_mode & 07777) == mode) {
		return 0;
	}
	ret = fchmod(fd, mode);
	if (ret != 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot make %s mode %o: %s", path,
			  (unsigned)mode, strerror(ret));
		return ret;
	}
	return 0;
}

int pcr_sessions_change(const char *rundir, const char *path, int delta,
			uint64_t wait_us, unsigned *after, char **errmsg,
			TALLOC_CTX *errctx)
{
	unsigned count = 0;
	char buf[32];
	int len;
	int dir_fd = -1;
	int fd = -1;
	int ret;

	*after = 0;
	if (mkdir(rundir, 0700) != 0 && errno != EEXIST) {
		ret = errno;
		cr_seterr(errmsg, "cannot create %s: %s", rundir,
			  strerror(ret));
		return ret;
	}
	dir_fd = open(rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dir_fd < 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot open %s: %s", rundir,
			  strerror(ret));
		return ret;
	}
	ret = make_private(dir_fd, rundir, S_IFDIR, 0700, errmsg, errctx);
	if (ret != 0) {
		goto done;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot open %s: %s", path,
			  strerror(ret));
		goto done;
	}
	ret = make_private(fd, path, S_IFREG, 0600, errmsg, errctx);
	if (ret != 0) {
		goto done;
	}
	ret = lock_until(fd, LOCK_EX, wait_us);
	if (ret == ETIMEDOUT) {
		cr_seterr(errmsg, "cannot lock %s: still locked after "
			  "%llu ms", path,
			  (unsigned long long)(wait_us / 1000));
		goto done;
	}
	if (ret != 0) {
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
	if (fd >= 0) {
		close(fd);
	}
	close(dir_fd);
	return ret;
}
