/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Firefox and Thunderbird profiles: where they are (profiles.ini) and
 * whether one is running; see register.h.
 *
 * Why each profile's pkcs11.txt and not a SecurityDevices policy: the
 * policy file (/etc/firefox/policies/policies.json) is one per machine,
 * the administrator's, JSON that a package would have to merge with
 * theirs, and it would load the module for local users who have no
 * token.  pkcs11.txt is the user's own, edited by the user's own runs,
 * and works for every Firefox that keeps profiles under ~/.mozilla.  The
 * policy stays documented for administrators who prefer it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "register.h"
#include "util/stackframe.h"

#define INI_MAX (256 * 1024)
#define MAX_PROFILES 64

static char *read_ini(TALLOC_CTX *mem_ctx, const char *path)
{
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return NULL;
	}
	buf = talloc_zero_array(mem_ctx, char, INI_MAX + 1);
	while (buf != NULL && got < INI_MAX) {
		n = read(fd, buf + got, INI_MAX - got);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	return buf;
}

/* One [ProfileN] section's Path, made absolute; NULL when it has none. */
static char *profile_dir(TALLOC_CTX *mem_ctx, const char *base,
			 const char *path, bool relative)
{
	if (path == NULL || path[0] == '\0') {
		return NULL;
	}
	if (!relative && path[0] == '/') {
		return talloc_strdup(mem_ctx, path);
	}
	return talloc_asprintf(mem_ctx, "%s/%s", base, path);
}

static int add_dir(TALLOC_CTX *mem_ctx, char ***dirs, size_t *n, char *d)
{
	char **list = NULL;

	if (d == NULL || *n >= MAX_PROFILES) {
		return 0;
	}
	list = talloc_realloc(mem_ctx, *dirs, char *, *n + 1);
	if (list == NULL) {
		return ENOMEM;
	}
	list[(*n)++] = talloc_steal(list, d);
	*dirs = list;
	return 0;
}

int cr_reg_mozilla_profiles(TALLOC_CTX *mem_ctx, const char *base,
			    char ***pdirs, size_t *pnum)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *ini_path = talloc_asprintf(frame, "%s/profiles.ini", base);
	char *text = NULL;
	char *save = NULL;
	char *line = NULL;
	char *path = NULL;
	char **dirs = NULL;
	size_t n = 0;
	bool in_profile = false;
	bool relative = true;
	int ret = 0;

	*pdirs = NULL;
	*pnum = 0;
	text = (ini_path != NULL) ? read_ini(frame, ini_path) : NULL;
	if (text == NULL) {
		goto done;
	}
	for (line = strtok_r(text, "\n", &save); ; 
	     line = strtok_r(NULL, "\n", &save)) {
		bool section = line == NULL || line[0] == '[';

		if (line != NULL) {
			line[strcspn(line, "\r")] = '\0';
		}
		if (section && in_profile) {
			ret = add_dir(frame, &dirs, &n,
				      profile_dir(frame, base, path,
						  relative));
			if (ret != 0) {
				goto done;
			}
		}
		if (line == NULL) {
			break;
		}
		if (section) {
			in_profile = strncmp(line, "[Profile", 8) == 0;
			path = NULL;
			relative = true;
			continue;
		}
		if (in_profile && strncmp(line, "Path=", 5) == 0) {
			path = line + 5;
		} else if (in_profile && strncmp(line, "IsRelative=", 11) == 0) {
			relative = strcmp(line + 11, "0") != 0;
		}
	}
	*pdirs = talloc_move(mem_ctx, &dirs);
	*pnum = n;
done:
	TALLOC_FREE(frame);
	return ret;
}

/*
 * Firefox holds `.parentlock` with a POSIX lock and points the `lock`
 * symlink at "<address>:+<pid>" while it runs.
 */
bool cr_reg_mozilla_in_use(const char *dir)
{
	char path[4096];
	char target[256];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/.parentlock", dir);
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		int rc = fcntl(fd, F_GETLK, &fl);

		close(fd);
		if (rc == 0 && fl.l_type != F_UNLCK) {
			return true;
		}
	}
	snprintf(path, sizeof(path), "%s/lock", dir);
	n = readlink(path, target, sizeof(target) - 1);
	if (n > 0) {
		char *plus = NULL;
		long pid;

		target[n] = '\0';
		plus = strrchr(target, '+');
		pid = (plus != NULL) ? strtol(plus + 1, NULL, 10) : 0;
		if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
			return true;
		}
	}
	return false;
}
