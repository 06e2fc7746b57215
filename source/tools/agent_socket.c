/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The agent's listening socket; see agent.h.  systemd's socket
 * activation is read from the environment (sd_listen_fds(3) describes
 * it), so the agent needs no libsystemd.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"
#include "util/error.h"

#define SD_LISTEN_FDS_START 3

int cr_agent_default_socket(TALLOC_CTX *mem_ctx, char **path, char **errmsg)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR");

	*path = NULL;
	if (runtime == NULL || runtime[0] != '/') {
		cr_seterr(errmsg, "XDG_RUNTIME_DIR is not set: give --socket");
		return ENOENT;
	}
	*path = talloc_asprintf(mem_ctx, "%s/credroam/pkcs11", runtime);
	return *path != NULL ? 0 : ENOMEM;
}

/* A decimal number of at most 9 digits, nothing else. */
static bool parse_small(const char *s, unsigned long *out)
{
	size_t i;

	*out = 0;
	if (s == NULL || s[0] == '\0' || strlen(s) > 9) {
		return false;
	}
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		*out = *out * 10 + (unsigned long)(s[i] - '0');
	}
	return true;
}

int cr_agent_activated_socket(void)
{
	unsigned long pid = 0;
	unsigned long n = 0;
	int fd = SD_LISTEN_FDS_START;
	int type = 0;
	int listening = 0;
	socklen_t len = sizeof(type);
	struct sockaddr_un sun;
	socklen_t sun_len = sizeof(sun);
	bool ok;

	ok = parse_small(getenv("LISTEN_PID"), &pid) &&
	     parse_small(getenv("LISTEN_FDS"), &n) &&
	     pid == (unsigned long)getpid() && n == 1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (!ok) {
		return -1;
	}
	ok = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	     type == SOCK_STREAM;
	len = sizeof(listening);
	ok = ok && getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
			      &len) == 0 && listening != 0;
	ok = ok && getsockname(fd, (struct sockaddr *)&sun, &sun_len) == 0 &&
	     sun.sun_family == AF_UNIX;
	if (!ok) {
		return -1;
	}
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* The folder of the socket: ours, a real folder, 0700. */
static int make_dir(const char *path, char **errmsg)
{
	char dir[PATH_MAX];
	char *slash = NULL;
	struct stat st;

	if (strlen(path) >= sizeof(dir)) {
		cr_seterr(errmsg, "socket path '%s' is too long", path);
		return ENAMETOOLONG;
	}
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir) {
		return 0;
	}
	*slash = '\0';
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		int err = errno;
		cr_seterr(errmsg, "cannot make '%s': %s", dir, strerror(err));
		return err;
	}
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != getuid()) {
		cr_seterr(errmsg, "'%s' is not a folder of yours", dir);
		return EACCES;
	}
	if ((st.st_mode & 077) != 0 && chmod(dir, 0700) != 0) {
		int err = errno;
		cr_seterr(errmsg, "cannot make '%s' private: %s", dir,
			  strerror(err));
		return err;
	}
	return 0;
}

/* Whether an agent answers on path. */
static bool answers(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool yes;

	if (fd < 0) {
		return false;
	}
	yes = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return yes;
}

int cr_agent_listen(const char *path, int *pfd, char **errmsg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old_mask;
	int fd = -1;
	int ret;

	*pfd = -1;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		cr_seterr(errmsg, "socket path '%s' is longer than %zu bytes",
			  path, sizeof(sun.sun_path) - 1);
		return ENAMETOOLONG;
	}
	strcpy(sun.sun_path, path);
	ret = make_dir(path, errmsg);
	if (ret != 0) {
		return ret;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			cr_seterr(errmsg, "'%s' exists and is no socket",
				  path);
			return EEXIST;
		}
		if (answers(&sun)) {
			cr_seterr(errmsg, "an agent already listens on '%s'",
				  path);
			return EADDRINUSE;
		}
		(void)unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = errno;
		cr_seterr(errmsg, "socket: %s", strerror(ret));
		return ret;
	}
	old_mask = umask(0177);
	ret = bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ? 0 : errno;
	umask(old_mask);
	if (ret == 0 && chmod(path, 0600) != 0) {
		ret = errno;
	}
	if (ret == 0 && listen(fd, 16) != 0) {
		ret = errno;
	}
	if (ret != 0) {
		cr_seterr(errmsg, "cannot listen on '%s': %s", path,
			  strerror(ret));
		close(fd);
		return ret;
	}
	*pfd = fd;
	return 0;
}
