/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Privilege dropping and detached runs for pam_credroam; see
 * pam_credroam_run.h.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/error.h"
#include "pam_credroam_run.h"
#include "pam_credroam_sessions.h"
#include "util/stackframe.h"

#define PCR_MAX_GROUPS 65536
/* How long the supervisor waits for the session counter's lock. */
#define PCR_COUNTER_WAIT_US 5000000

/* What the detached supervisor reports through the status pipe. */
struct pcr_report {
	char tag;	/* 'R' ran (value: wait status), 'P' privileges,
			 * 'F' fork, 'X' exec (value: errno) */
	int value;
};

int pcr_identity_get(TALLOC_CTX *mem_ctx, const char *name, uid_t uid,
		     gid_t gid, struct pcr_identity **pid, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct pcr_identity *id = NULL;
	int n = 32;
	int ret = ENOMEM;

	*pid = NULL;
	id = talloc_zero(frame, struct pcr_identity);
	if (id == NULL) {
		goto done;
	}
	id->name = talloc_strdup(id, name);
	id->uid = uid;
	id->gid = gid;
	if (id->name == NULL) {
		goto done;
	}
	for (;;) {
		int want = n;
		int rc;

		TALLOC_FREE(id->groups);
		id->groups = talloc_array(id, gid_t, n);
		if (id->groups == NULL) {
			goto done;
		}
		rc = getgrouplist(name, gid, id->groups, &want);
		if (rc >= 0) {
			id->num_groups = (size_t)want;
			break;
		}
		if (want <= n || want > PCR_MAX_GROUPS) {
			cr_seterr(errmsg, "cannot list the groups of "
				  "'%s'", name);
			ret = EIO;
			goto done;
		}
		n = want;
	}
	*pid = talloc_move(mem_ctx, &id);
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

static bool ids_are(uid_t uid, gid_t gid)
{
	uid_t ru = 0, eu = 0, su = 0;
	gid_t rg = 0, eg = 0, sg = 0;

	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0) {
		return false;
	}
	return ru == uid && eu == uid && su == uid && rg == gid &&
	       eg == gid && sg == gid;
}

int pcr_become_user(const struct pcr_identity *id)
{
	if (id->uid == 0) {
		/* the engine never runs as root on user data */
		return EINVAL;
	}
	if (ids_are(id->uid, id->gid)) {
		return 0;
	}
	if (geteuid() != 0) {
		return EPERM;
	}
	if (setgroups(id->num_groups, id->groups) != 0) {
		return errno;
	}
	if (setresgid(id->gid, id->gid, id->gid) != 0) {
		return errno;
	}
	if (setresuid(id->uid, id->uid, id->uid) != 0) {
		return errno;
	}
	if (!ids_are(id->uid, id->gid)) {
		return EPERM;
	}
	/* the way back must be closed */
	if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0) {
		return EPERM;
	}
	return 0;
}

static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return (n == 0) ? EPIPE : errno;
		}
		got += (size_t)n;
	}
	return 0;
}

static void write_report(int fd, char tag, int value)
{
	struct pcr_report r = { .tag = tag, .value = value };
	ssize_t n;

	do {
		n = write(fd, &r, sizeof(r));
	} while (n < 0 && errno == EINTR);
}

/* Reap a direct child; a SIGCHLD of SIG_IGN may have done it already. */
static void reap(pid_t pid, int *status)
{
	int st = 0;
	pid_t rc;

	do {
		rc = waitpid(pid, &st, 0);
	} while (rc < 0 && errno == EINTR);
	if (status != NULL) {
		*status = (rc == pid) ? st : -1;
	}
}

int pcr_as_user(const struct pcr_identity *id, int (*fn)(void *arg),
		void *arg, int *result)
{
	unsigned char byte = 0;
	int fds[2] = { -1, -1 };
	pid_t pid;
	int ret;

	*result = -1;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		return errno;
	}
	pid = fork();
	if (pid < 0) {
		ret = errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		int r;

		close(fds[0]);
		r = pcr_become_user(id);
		if (r == 0) {
			r = fn(arg);
		} else {
			r = 255;
		}
		byte = (unsigned char)((r < 0 || r > 255) ? 254 : r);
		if (write(fds[1], &byte, 1) != 1) {
			_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	ret = read_full(fds[0], &byte, 1);
	close(fds[0]);
	reap(pid, NULL);
	if (ret != 0) {
		return EIO;
	}
	*result = byte;
	return 0;
}

/* A /proc/self/fd entry's descriptor number, or -1. */
static int fd_name(const char *name)
{
	int n = 0;
	int i;

	if (name[0] == '\0') {
		return -1;
	}
	for (i = 0; name[i] != '\0'; i++) {
		if (name[i] < '0' || name[i] > '9' || n > INT_MAX / 10 - 1) {
			return -1;
		}
		n = n * 10 + (name[i] - '0');
	}
	return n;
}

/*
 * Close every descriptor from lowfd up.  close_range() is Linux 5.9; on an
 * older kernel (ENOSYS) or when it is refused, close them one by one: the
 * open ones as /proc/self/fd lists them, or without /proc every number up
 * to sysconf(_SC_OPEN_MAX).  System calls only (a child of a threaded
 * login manager): getdents64 into a buffer on the stack, no opendir.
 */
static void close_from(int lowfd)
{
	uint64_t buf[512];
	long max;
	int dir_fd;
	int ret;
	int fd;

	ret = close_range((unsigned)lowfd, ~0U, 0);
	if (ret == 0) {
		return;
	}
	dir_fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd >= 0) {
		for (;;) {
			ssize_t n = getdents64(dir_fd, buf, sizeof(buf));
			size_t off = 0;

			if (n <= 0) {
				break;
			}
			while (off < (size_t)n) {
				void *at = (char *)buf + off;
				struct dirent64 *de = at;

				off += de->d_reclen;
				fd = fd_name(de->d_name);
				if (fd >= lowfd && fd != dir_fd) {
					(void)close(fd);
				}
			}
		}
		close(dir_fd);
		return;
	}
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > INT_MAX) {
		max = 65536;
	}
	for (fd = lowfd; fd < max; fd++) {
		(void)close(fd);
	}
}

/* In the detached supervisor: a process that owes the login nothing. */
static int detach_from_login(int report_fd)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t all;
	int null_fd;
	int sig;

	for (sig = 1; sig < NSIG; sig++) {
		/* SIGKILL/SIGSTOP and the RT signals glibc owns refuse */
		(void)sigaction(sig, &sa, NULL);
	}
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, NULL);

	if (report_fd != 3) {
		if (dup2(report_fd, 3) != 3) {
			return errno;
		}
	}
	if (fcntl(3, F_SETFD, FD_CLOEXEC) != 0) {
		return errno;
	}
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0) {
		return errno;
	}
	if (dup2(null_fd, 0) != 0 || dup2(null_fd, 1) != 1 ||
	    dup2(null_fd, 2) != 2) {
		return errno;
	}
	close_from(4);
	if (chdir("/") != 0) {
		return errno;
	}
	return 0;
}

static int forget_as_user(void *arg)
{
	const struct pcr_spawn *sp = arg;

	return (sp->forget_fn(sp->forget_sid) == 0) ? 0 : 1;
}

/*
 * Still root: read the counter only root can open, and when no session is
 * left, forget the keyring entries as the user (the keyring is theirs).
 */
static void forget_if_last(const struct pcr_spawn *sp)
{
	unsigned count = 0;
	int result = -1;
	int ret;

	if (sp->forget_sid == NULL || sp->counter_path == NULL ||
	    sp->forget_fn == NULL) {
		return;
	}
	ret = pcr_sessions_read(sp->counter_path, PCR_COUNTER_WAIT_US, &count);
	if (ret != 0 || count != 0) {
		return;
	}
	(void)pcr_as_user(sp->id, forget_as_user, (void *)(uintptr_t)sp,
			  &result);
}

/*
 * The detached supervisor: run the program as the user, report, clean up.
 * It stays root itself (the user cannot signal it, and it can read the
 * session counter); only the program's process becomes the user.
 */
_Noreturn static void supervise(const struct pcr_spawn *sp, int report_fd)
{
	pid_t pid;
	int status = 0;
	int ret;

	ret = detach_from_login(report_fd);
	if (ret != 0) {
		_exit(126);
	}
	pid = fork();
	if (pid < 0) {
		write_report(3, 'F', errno);
		_exit(126);
	}
	if (pid == 0) {
		ret = pcr_become_user(sp->id);
		if (ret != 0) {
			write_report(3, 'P', ret);
			_exit(126);
		}
		execve(sp->path, sp->argv, sp->envp);
		_exit(127);
	}
	reap(pid, &status);
	/* after a 'P' from the child the caller has its report already */
	write_report(3, 'R', status);
	close(3);
	forget_if_last(sp);
	_exit(0);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Wait for fd to be readable for at most budget_us; true if it is. */
static bool wait_readable(int fd, uint64_t budget_us)
{
	uint64_t deadline = now_us() + budget_us;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = now_us();
		uint64_t left = (now < deadline) ? deadline - now : 0;
		struct timespec ts = {
			.tv_sec = (time_t)(left / 1000000),
			.tv_nsec = (long)(left % 1000000) * 1000,
		};
		int rc = ppoll(&pfd, 1, &ts, NULL);

		if (rc > 0) {
			return true;
		}
		if (rc == 0 || errno != EINTR) {
			return false;
		}
	}
}

int pcr_spawn_run(const struct pcr_spawn *sp, enum pcr_spawn_outcome *out,
		  int *status, char **errmsg, TALLOC_CTX *errctx)
{
	struct pcr_report report = { 0 };
	int fds[2] = { -1, -1 };
	pid_t pid;
	int ret;

	*out = PCR_SPAWN_BACKGROUND;
	*status = -1;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		ret = errno;
		cr_seterr(errmsg, "pipe: %s", strerror(ret));
		return ret;
	}
	pid = fork();
	if (pid < 0) {
		ret = errno;
		cr_seterr(errmsg, "fork: %s", strerror(ret));
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		pid_t grandchild;

		close(fds[0]);
		(void)setsid();
		grandchild = fork();
		if (grandchild != 0) {
			/* the supervisor belongs to init from here on */
			_exit(grandchild < 0 ? 1 : 0);
		}
		supervise(sp, fds[1]);
	}
	close(fds[1]);
	reap(pid, NULL);

	ret = 0;
	if (!wait_readable(fds[0], sp->budget_us)) {
		*out = PCR_SPAWN_BACKGROUND;
		goto done;
	}
	ret = read_full(fds[0], &report, sizeof(report));
	if (ret != 0) {
		cr_seterr(errmsg, "the run's supervisor ended without "
			  "a report");
		ret = EIO;
		goto done;
	}
	switch (report.tag) {
	case 'R':
		*out = PCR_SPAWN_FINISHED;
		*status = report.value;
		break;
	case 'P':
		cr_seterr(errmsg, "cannot become uid %u: %s",
			  (unsigned)sp->id->uid, strerror(report.value));
		ret = report.value;
		break;
	default:
		cr_seterr(errmsg, "cannot start '%s': %s", sp->path,
			  strerror(report.value));
		ret = report.value;
		break;
	}
done:
	close(fds[0]);
	return ret;
}
