/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for pam_credroam's privilege dropping and detached runs: a
 * child that became the user has every uid and gid of the user, the
 * user's groups only, and cannot get root back; uid 0 is refused; a run
 * longer than the budget goes on in the background and is nobody's
 * zombie; the per-uid session counter never goes below zero, only root
 * can open it, a lock on it is waited for until a deadline only, and the
 * supervisor decides as root whether the last session is gone; without
 * close_range (kernels before 5.9) no descriptor leaks into the run.
 *
 * Dropping privileges needs root; as anyone else those tests are skipped.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>

/* the module's helpers are not part of libcredroam */
#include "../../winbind_plugin/pam_credroam_run.c"
#include "../../winbind_plugin/pam_credroam_sessions.c"
#include "test_util.h"

#define NOBODY_UID 65534
/* how long the session counter tests wait for a lock */
#define WAIT 300000
/* execve takes char *const[]; these strings are never written */
#define UNCONST(s) ((char *)(uintptr_t)(s))

struct test_ctx {
	TALLOC_CTX *mem;
	char dir[64];
	struct pcr_identity *nobody;
};

static int setup(void **state)
{
	struct test_ctx *t = NULL;
	struct passwd *pw = NULL;

	cr_test_leak_begin();
	t = talloc_zero(NULL, struct test_ctx);
	assert_non_null(t);
	t->mem = talloc_new(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_pam_privs.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	assert_int_equal(chmod(t->dir, 0777), 0);
	pw = getpwuid(NOBODY_UID);
	if (pw != NULL) {
		assert_int_equal(pcr_identity_get(t, pw->pw_name, pw->pw_uid,
						  pw->pw_gid, &t->nobody,
						  NULL), 0);
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct test_ctx *t = talloc_get_type_abort(*state, struct test_ctx);
	char *cmd = talloc_asprintf(t, "rm -rf '%s'", t->dir);

	assert_int_equal(system(cmd), 0);
	talloc_free(t);
	cr_test_leak_end();
	return 0;
}

static bool can_drop(const struct test_ctx *t)
{
	return geteuid() == 0 && t->nobody != NULL;
}

/*
 * In a child: become nobody and report what it can and cannot do, as an
 * exit code: 0 all as expected, else the first check that failed.
 */
static int child_checks(const struct pcr_identity *id)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	gid_t groups[64];
	int n;

	if (pcr_become_user(id) != 0) {
		return 1;
	}
	if (getresuid(&ru, &eu, &su) != 0 || ru != id->uid ||
	    eu != id->uid || su != id->uid) {
		return 2;
	}
	if (getresgid(&rg, &eg, &sg) != 0 || rg != id->gid ||
	    eg != id->gid || sg != id->gid) {
		return 3;
	}
	n = getgroups(64, groups);
	if (n < 0 || (size_t)n != id->num_groups) {
		return 4;
	}
	for (int i = 0; i < n; i++) {
		if (groups[i] == 0) {
			return 5;
		}
	}
	if (setuid(0) == 0 || seteuid(0) == 0 || setresuid(0, 0, 0) == 0) {
		return 6;
	}
	if (setgid(0) == 0 || setgroups(0, NULL) == 0) {
		return 7;
	}
	if (open("/etc/shadow", O_RDONLY) >= 0) {
		return 8;
	}
	/* a second call as the user is harmless */
	if (pcr_become_user(id) != 0) {
		return 9;
	}
	return 0;
}

static void test_pam_privs_become_user(void **state)
{
	struct test_ctx *t = talloc_get_type_abort(*state, struct test_ctx);
	int status = 0;
	pid_t pid;

	if (!can_drop(t)) {
		skip();
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		_exit(child_checks(t->nobody));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_pam_privs_refuses_root(void **state)
{
	struct pcr_identity root = { .name = "root" };

	(void)state;
	assert_int_equal(pcr_become_user(&root), EINVAL);
}

static int report_uid(void *arg)
{
	(void)arg;
	return (getuid() == NOBODY_UID && geteuid() == NOBODY_UID) ? 42 : 1;
}

static void test_pam_privs_as_user(void **state)
{
	struct test_ctx *t = talloc_get_type_abort(*state, struct test_ctx);
	int result = -1;

	if (!can_drop(t)) {
		skip();
	}
	assert_int_equal(pcr_as_user(t->nobody, report_uid, NULL, &result),
			 0);
	assert_int_equal(result, 42);
	/* and we are still root */
	assert_int_equal(geteuid(), 0);
}

static char *sh_spawn(TALLOC_CTX *mem, const struct pcr_identity *id,
		      const char *script, uint64_t budget_us,
		      enum pcr_spawn_outcome *out, int *status)
{
	char *argv[] = { UNCONST("/bin/sh"),
			 UNCONST("-c"),
			 UNCONST(script), NULL };
	char *envp[] = { UNCONST("PATH=/usr/bin:/bin"),
			 UNCONST("MARK=spawned"), NULL };
	struct pcr_spawn sp = {
		.id = id, .path = "/bin/sh", .argv = argv, .envp = envp,
		.budget_us = budget_us,
	};
	char *err = NULL;
	int ret;

	ret = pcr_spawn_run(&sp, out, status, &err, mem);
	assert_int_equal(ret, 0);
	return err;
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static char *slurp(TALLOC_CTX *mem, const char *path)
{
	char buf[256];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		return NULL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		return NULL;
	}
	buf[n] = '\0';
	return talloc_strdup(mem, buf);
}

static void test_pam_privs_spawn(void **state)
{
	struct test_ctx *t = talloc_get_type_abort(*state, struct test_ctx);
	enum pcr_spawn_outcome out;
	char *script = NULL;
	char *path = NULL;
	char *got = NULL;
	uint64_t t0;
	int status = -1;
	int i;

	if (!can_drop(t)) {
		skip();
	}
	/* finishes within the budget: its exit status comes back */
	path = talloc_asprintf(t->mem, "%s/quick", t->dir);
	script = talloc_asprintf(t->mem, "echo $(id -u) $MARK $HOME > %s; "
				 "exit 3", path);
	sh_spawn(t->mem, t->nobody, script, 5000000, &out, &status);
	assert_int_equal(out, PCR_SPAWN_FINISHED);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	got = slurp(t->mem, path);
	assert_non_null(got);
	/* nobody, with the environment given and nothing else (no HOME) */
	assert_string_equal(got, "65534 spawned\n");

	/* slower than the budget: back after the budget, done later */
	path = talloc_asprintf(t->mem, "%s/slow", t->dir);
	script = talloc_asprintf(t->mem, "sleep 1; echo done > %s", path);
	t0 = mono_us();
	sh_spawn(t->mem, t->nobody, script, 200000, &out, &status);
	assert_int_equal(out, PCR_SPAWN_BACKGROUND);
	assert_true(mono_us() - t0 < 700000);
	assert_true(mono_us() - t0 >= 200000);
	assert_null(slurp(t->mem, path));
	/* no child of ours: the supervisor belongs to init */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	for (i = 0; i < 50; i++) {
		got = slurp(t->mem, path);
		if (got != NULL) {
			break;
		}
		usleep(100000);
	}
	assert_non_null(got);
	assert_string_equal(got, "done\n");

	/* budget 0: do not wait at all */
	t0 = mono_us();
	sh_spawn(t->mem, t->nobody, "sleep 1", 0, &out, &status);
	assert_int_equal(out, PCR_SPAWN_BACKGROUND);
	assert_true(mono_us() - t0 < 300000);
}

static void test_pam_privs_spawn_missing_program(void **state)
{
	struct test_ctx *t = talloc_get_type_abort(*state, struct test_ctx);
	char *argv[] = { UNCONST("/nonexistent/credroam"),
			 NULL };
	char *envp[] = { NULL };
	struct pcr_spawn sp = {
		.id = t->nobody, .path = "/nonexistent/credroam",
		.argv = argv, .envp = envp, .budget_us = 5000000,
	};
	enum pcr_spawn_outcome out;
	int status = -1;

	if (!can_drop(t)) {
		skip();
	}
	assert_int_equal(pcr_spawn_run(&sp, &out, &status, NULL, t->mem), 0);
	assert_int_equal(out, PCR_SPAWN_FINISHED);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 127);
}

static void test_pam_privs_sessions(void **state)
{
	struct test_ctx *t = talloc_get_type_abort(*state, struct test_ctx);
	char *rundir = talloc_asprintf(t->mem, "%s/run", t->dir);
	char *path = pcr_sessions_path(t->mem, rundir, 1234);
	unsigned n = 99;

	assert_string_equal(path + strlen(rundir), "/1234.sessions");
	assert_int_equal(pcr_sessions_read(path, WAIT, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pcr_sessions_change(rundir, path, 1, WAIT, &n, NULL,
					     t->mem), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pcr_sessions_change(rundir, path, 1, WAIT, &n, NULL,
					     t->mem), 0);
	assert_int_equal(n, 2);
	assert_int_equal(pcr_sessions_read(path, WAIT, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(pcr_sessions_change(rundir, path, -1, WAIT, &n,
					     NULL,
					     t->mem), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pcr_sessions_change(rundir, path, -1, WAIT, &n,
					     NULL,
					     t->mem), 0);
	assert_int_equal(n, 0);
	/* a close without an open (a crash, a stack change) stays at 0 */
	assert_int_equal(pcr_sessions_change(rundir, path, -1, WAIT, &n,
					     NULL,
					     t->mem), 0);
	assert_int_equal(n, 0);
	assert_string_equal(slurp(t->mem, path), "0\n");
}

/* In a child as nobody: 0 when path cannot be opened at all. */
static int cannot_open(const struct pcr_identity *id, const char *path)
{
	int fd;

	if (pcr_become_user(id) != 0) {
		return 1;
	}
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		/* what an attacker would do next */
		(void)flock(fd, LOCK_EX | LOCK_NB);
		return 2;
	}
	return 0;
}

static void test_pam_privs_sessions_private(void **state)
{
	struct test_ctx *t = talloc_get_type_abort(*state, struct test_ctx);
	char *rundir = talloc_asprintf(t->mem, "%s/run", t->dir);
	char *path = pcr_sessions_path(t->mem, rundir, 1234);
	struct stat st;
	int status = 0;
	unsigned n = 99;
	pid_t pid;
	int fd;

	if (!can_drop(t)) {
		skip();
	}
	/* what an earlier version left: a 0755 folder and a 0644 file */
	assert_int_equal(mkdir(rundir, 0755), 0);
	fd = open(path, O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, 0644), 0);
	close(fd);
	assert_int_equal(pcr_sessions_change(rundir, path, 1, WAIT, &n, NULL,
					     t->mem), 0);
	assert_int_equal(n, 1);
	assert_int_equal(stat(rundir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* a counter made from scratch is as private */
	path = pcr_sessions_path(t->mem, rundir, 5678);
	assert_int_equal(pcr_sessions_change(rundir, path, 1, WAIT, &n, NULL,
					     t->mem), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* even with the folder opened up, nobody cannot open the file */
	assert_int_equal(chmod(rundir, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		_exit(cannot_open(t->nobody, path));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* and the next change closes the folder again */
	assert_int_equal(pcr_sessions_change(rundir, path, -1, WAIT, &n, NULL,
					     t->mem), 0);
	assert_int_equal(stat(rundir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
}

/* A child that holds an exclusive lock on path until killed. */
static pid_t hold_lock(const char *path)
{
	int fds[2];
	char c = 0;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(path, O_RDONLY);

		if (fd < 0 || flock(fd, LOCK_EX) != 0) {
			_exit(1);
		}
		if (write(fds[1], "x", 1) != 1) {
			_exit(1);
		}
		pause();
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	return pid;
}

static void test_pam_privs_sessions_deadline(void **state)
{
	struct test_ctx *t = talloc_get_type_abort(*state, struct test_ctx);
	char *rundir = talloc_asprintf(t->mem, "%s/run", t->dir);
	char *path = pcr_sessions_path(t->mem, rundir, 1234);
	char *err = NULL;
	unsigned n = 99;
	uint64_t t0;
	pid_t holder;

	assert_int_equal(pcr_sessions_change(rundir, path, 1, WAIT, &n, NULL,
					     t->mem), 0);
	holder = hold_lock(path);

	t0 = mono_us();
	assert_int_equal(pcr_sessions_change(rundir, path, 1, WAIT, &n, &err,
					     t->mem), ETIMEDOUT);
	assert_true(mono_us() - t0 >= WAIT);
	assert_true(mono_us() - t0 < WAIT + 200000);
	assert_int_equal(n, 0);
	assert_non_null(err);
	printf("# %s\n", err);
	assert_non_null(strstr(err, path));

	t0 = mono_us();
	assert_int_equal(pcr_sessions_read(path, WAIT, &n), ETIMEDOUT);
	assert_true(mono_us() - t0 < WAIT + 200000);

	kill(holder, SIGKILL);
	assert_int_equal(waitpid(holder, NULL, 0), holder);
	assert_int_equal(pcr_sessions_read(path, WAIT, &n), 0);
	assert_int_equal(n, 1);
}

static const char *forgot_path;

/* forget_fn of the supervisor: note who ran it, for what */
static int note_forget(const char *sid)
{
	FILE *f = fopen(forgot_path, "w");

	if (f == NULL) {
		return 1;
	}
	fprintf(f, "%u %s\n", (unsigned)getuid(), sid);
	fclose(f);
	return 0;
}

static void test_pam_privs_spawn_forgets(void **state)
{
	struct test_ctx *t = talloc_get_type_abort(*state, struct test_ctx);
	char *argv[] = { UNCONST("/bin/true"), NULL };
	char *envp[] = { NULL };
	char *rundir = talloc_asprintf(t->mem, "%s/run", t->dir);
	char *path = pcr_sessions_path(t->mem, rundir, NOBODY_UID);
	struct pcr_spawn sp = {
		.id = t->nobody, .path = "/bin/true", .argv = argv,
		.envp = envp, .budget_us = 5000000, .forget_sid = "S-1-5-21-1",
		.counter_path = path, .forget_fn = note_forget,
	};
	enum pcr_spawn_outcome out;
	char *got = NULL;
	int status = -1;
	unsigned n = 0;
	int i;

	if (!can_drop(t)) {
		skip();
	}
	forgot_path = talloc_asprintf(t->mem, "%s/forgot", t->dir);
	/* a session is still open: nothing is forgotten */
	assert_int_equal(pcr_sessions_change(rundir, path, 1, WAIT, &n, NULL,
					     t->mem), 0);
	assert_int_equal(pcr_spawn_run(&sp, &out, &status, NULL, t->mem), 0);
	assert_int_equal(out, PCR_SPAWN_FINISHED);
	usleep(300000);
	assert_null(slurp(t->mem, forgot_path));
	/* the last one closed: the supervisor (root) reads the counter only
	 * root can open, and forgets as the user */
	assert_int_equal(pcr_sessions_change(rundir, path, -1, WAIT, &n, NULL,
					     t->mem), 0);
	assert_int_equal(pcr_spawn_run(&sp, &out, &status, NULL, t->mem), 0);
	assert_int_equal(out, PCR_SPAWN_FINISHED);
	for (i = 0; i < 30 && got == NULL; i++) {
		usleep(100000);
		got = slurp(t->mem, forgot_path);
	}
	assert_non_null(got);
	assert_string_equal(got, "65534 S-1-5-21-1\n");
}

/*
 * A kernel before 5.9 has no close_range: in a child, make it fail with
 * ENOSYS (seccomp), leave a descriptor open without O_CLOEXEC, and start
 * a run that lists its descriptors into out.  0 when the run was started.
 */
static int spawn_without_close_range(const struct pcr_identity *id,
				     const char *out)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_close_range, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};
	/* lists its descriptors (not the one listdir had open) into out */
	const char *lister = "import os, sys\n"
		"fds = []\n"
		"for f in os.listdir('/proc/self/fd'):\n"
		"    try:\n"
		"        os.readlink('/proc/self/fd/' + f)\n"
		"        fds.append(int(f))\n"
		"    except OSError:\n"
		"        pass\n"
		"open(sys.argv[1], 'w').write(' '.join(map(str, sorted(fds))))\n";
	char *argv[] = { UNCONST("/usr/bin/python3"), UNCONST("-I"),
			 UNCONST("-S"), UNCONST("-c"), UNCONST(lister),
			 UNCONST(out), NULL };
	char *envp[] = { NULL };
	struct pcr_spawn sp = {
		.id = id, .path = "/usr/bin/python3", .argv = argv,
		.envp = envp, .budget_us = 5000000,
	};
	enum pcr_spawn_outcome outcome;
	int status = -1;
	int leak;

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		return 1;
	}
	if (close_range(100, 200, 0) == 0 || errno != ENOSYS) {
		return 2;
	}
	leak = open("/dev/null", O_RDONLY);
	if (leak < 0 || dup2(leak, 40) != 40) {
		return 3;
	}
	if (pcr_spawn_run(&sp, &outcome, &status, NULL, NULL) != 0) {
		return 4;
	}
	return (outcome == PCR_SPAWN_FINISHED && status == 0) ? 0 : 5;
}

static void test_pam_privs_spawn_no_close_range(void **state)
{
	struct test_ctx *t = talloc_get_type_abort(*state, struct test_ctx);
	char *out = talloc_asprintf(t->mem, "%s/fds", t->dir);
	char *got = NULL;
	int status = 0;
	pid_t pid;

	if (!can_drop(t)) {
		skip();
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		_exit(spawn_without_close_range(t->nobody, out));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	got = slurp(t->mem, out);
	assert_non_null(got);
	printf("# descriptors of the run: %s\n", got);
	assert_string_equal(got, "0 1 2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pam_privs_become_user,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pam_privs_refuses_root,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pam_privs_as_user,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pam_privs_spawn,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_pam_privs_spawn_missing_program, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pam_privs_sessions,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_pam_privs_sessions_private, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_pam_privs_sessions_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_pam_privs_spawn_forgets, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_pam_privs_spawn_no_close_range, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.pam_privs",
					   tests, NULL, NULL);
}
