/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Atomic file writes; see atomic_file.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <talloc.h>

#include "util/atomic_file.h"
#include "util/stackframe.h"

int cr_write_atomic_at(int dirfd, const char *name, const uint8_t *data,
		       size_t len, mode_t mode, bool replace)
{
	char tmp[64];
	size_t done_len = 0;
	int fd = -1;
	int ret = 0;
	int rc;

	snprintf(tmp, sizeof(tmp), ".tmp-%ld-%ld", (long)getpid(),
		 (long)random());
	fd = openat(dirfd, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    mode);
	if (fd < 0) {
		return errno;
	}
	if (fchmod(fd, mode) != 0) {
		ret = errno;
		goto fail;
	}
	while (done_len < len) {
		ssize_t n = write(fd, data + done_len, len - done_len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			ret = n < 0 ? errno : EIO;
			goto fail;
		}
		done_len += (size_t)n;
	}
	if (fsync(fd) != 0) {
		ret = errno;
		goto fail;
	}
	rc = close(fd);
	fd = -1;
	if (rc != 0) {
		ret = errno;
		goto fail;
	}
	rc = replace ? renameat(dirfd, tmp, dirfd, name)
		     : renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE);
	if (rc != 0) {
		ret = errno;
		goto fail;
	}
	/* the rename itself survives a crash only with its directory */
	(void)fsync(dirfd);
	return 0;
fail:
	if (fd >= 0) {
		close(fd);
	}
	(void)unlinkat(dirfd, tmp, 0);
	return ret;
}

int cr_write_atomic(const char *path, const uint8_t *data, size_t len,
		    mode_t mode, bool replace)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char *slash = strrchr(path, '/');
	const char *base = (slash != NULL) ? slash + 1 : path;
	char *dir = NULL;
	int dfd = -1;
	int ret;

	if (base[0] == '\0') {
		ret = EISDIR;
		goto done;
	}
	if (slash == NULL) {
		dir = talloc_strdup(frame, ".");
	} else {
		/* "/name" lives in "/" */
		dir = talloc_strndup(frame, path, slash == path ? 1 :
				     (size_t)(slash - path));
	}
	if (dir == NULL) {
		ret = ENOMEM;
		goto done;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		ret = errno;
		goto done;
	}
	ret = cr_write_atomic_at(dfd, base, data, len, mode, replace);
	close(dfd);
done:
	TALLOC_FREE(frame);
	return ret;
}
