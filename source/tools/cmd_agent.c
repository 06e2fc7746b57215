/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam agent: the per-user PKCS#11 agent.  It serves one token (see
 * source/lib/p11/) over p11-kit's remoting protocol on a unix socket
 * ($XDG_RUNTIME_DIR/credroam/pkcs11, or the one systemd passes);
 * applications load p11-kit-client.so with P11_KIT_SERVER_ADDRESS=
 * unix:path=<socket> (or a p11-kit module file with "remote:").
 *
 * One thread per connection: p11_kit_remote_serve_module() serves a
 * connection until it closes and blocks while it waits, and one client
 * (Firefox) keeps its connection for its whole life, so each needs its
 * own thread; all share the one token, whose decrypted keys exist once,
 * here, guarded by its mutex.  (A process per connection would decrypt
 * every key again in each, and its master keys would have to travel.)
 *
 * Only the agent's own uid may connect (SO_PEERCRED).  Its memory is
 * kept out of core dumps and away from ptrace (PR_SET_DUMPABLE 0, no
 * core limit), locked when RLIMIT_MEMLOCK allows, and the keys are wiped
 * when it ends (SIGTERM at logoff), and when the session keyring loses
 * the entries they came from (checked every few seconds, with the store:
 * a run that changed roaming/ makes the token reload).  A certificate and
 * key written into the token (p11/write.c) start a `credroam sync`.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define P11_KIT_FUTURE_UNSTABLE_API 1
#include <p11-kit/p11-kit.h>
#include <p11-kit/remote.h>

#include "agent.h"
#include "cli.h"
#include "commands.h"
#include "ad/who.h"
#include "p11/module.h"
#include "p11/token.h"
#include "store/localstore.h"
#include "util/error.h"
#include "util/stackframe.h"

#define AGENT_USAGE "[--socket PATH] [--foreground] [--store DIR] " \
	"[--no-keyring] [--no-dc] [--server HOST] [--conf FILE] " \
	"[--user NAME --sid SID]"
/* how often the keyring and the store are looked at */
#define POLL_MS 2000
#define MAX_CONNECTIONS 128
/* RLIMIT_MEMLOCK that lets the whole process be locked */
#define LOCK_ALL_MIN (512UL * 1024 * 1024)

static CK_FUNCTION_LIST *g_module;
static atomic_int g_connections;
static int g_signal_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	ssize_t n = write(g_signal_pipe[1], &b, 1);

	(void)n;
	errno = saved;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "credroam agent: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

/* No core dump, no ptrace by the user's other processes, locked pages. */
static void harden_memory(void)
{
	struct rlimit no_core = { 0, 0 };
	struct rlimit lim;

	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)setrlimit(RLIMIT_CORE, &no_core);
	if (getrlimit(RLIMIT_MEMLOCK, &lim) == 0 &&
	    (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur >= LOCK_ALL_MIN)) {
		if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0) {
			say("cannot lock memory: %s", strerror(errno));
		}
		return;
	}
	/*
	 * Locking everything under a small limit would make later
	 * allocations fail; the keys stay out of dumps (not dumpable) and
	 * swap is the system's to encrypt.
	 */
	say("memory not locked: RLIMIT_MEMLOCK is %llu bytes",
	    (unsigned long long)lim.rlim_cur);
}

/* `credroam sync` after a write into the token, as Windows starts a run
 * on a store change; prepared before any thread exists. */
static char *g_run_argv[12];

static void start_run(void *data)
{
	pid_t pid;

	(void)data;
	pid = fork();
	if (pid == 0) {
		struct sigaction dfl = { .sa_handler = SIG_DFL };

		/* only async-signal-safe calls between fork and exec; an
		 * ignored signal stays ignored across exec: undo ours */
		sigaction(SIGCHLD, &dfl, NULL);
		sigaction(SIGPIPE, &dfl, NULL);
		execv("/proc/self/exe", g_run_argv);
		_exit(127);
	}
	if (pid < 0) {
		say("cannot start a run: %s", strerror(errno));
	}
}

static void prepare_run(const char *store, const char *conf,
			bool use_keyring)
{
	size_t n = 0;

	g_run_argv[n++] = (char *)"credroam";
	g_run_argv[n++] = (char *)"sync";
	g_run_argv[n++] = (char *)"--quiet";
	g_run_argv[n++] = (char *)"--trigger";
	g_run_argv[n++] = (char *)"agent";
	if (store != NULL) {
		g_run_argv[n++] = (char *)"--store";
		g_run_argv[n++] = (char *)store;
	}
	if (conf != NULL) {
		g_run_argv[n++] = (char *)"--conf";
		g_run_argv[n++] = (char *)conf;
	}
	if (!use_keyring) {
		g_run_argv[n++] = (char *)"--no-keyring";
	}
	g_run_argv[n] = NULL;
}

static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct cr_p11_conn *conn = cr_p11_conn_enter();

	if (conn != NULL) {
		(void)p11_kit_remote_serve_module(g_module, fd, fd);
		cr_p11_conn_leave(conn);
	}
	close(fd);
	atomic_fetch_sub(&g_connections, 1);
	return NULL;
}

static void accept_one(int lfd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	pthread_attr_t attr;
	pthread_t th;
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    cred.uid != getuid()) {
		say("refused a connection from uid %ld (pid %ld)",
		    (long)cred.uid, (long)cred.pid);
		close(fd);
		return;
	}
	if (atomic_load(&g_connections) >= MAX_CONNECTIONS) {
		say("refused pid %ld: %d connections already",
		    (long)cred.pid, MAX_CONNECTIONS);
		close(fd);
		return;
	}
	atomic_fetch_add(&g_connections, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, serve, (void *)(intptr_t)fd) != 0) {
		atomic_fetch_sub(&g_connections, 1);
		close(fd);
	}
	pthread_attr_destroy(&attr);
}

/* Serve until a signal ends it. */
static int run(struct cr_p11_token *tok, int lfd)
{
	struct pollfd fds[2] = {
		{ .fd = lfd, .events = POLLIN },
		{ .fd = g_signal_pipe[0], .events = POLLIN },
	};

	for (;;) {
		int n = poll(fds, 2, POLL_MS);

		if (n < 0 && errno != EINTR) {
			say("poll: %s", strerror(errno));
			return CR_EXIT_FAIL;
		}
		if (n > 0 && (fds[1].revents & POLLIN) != 0) {
			unsigned char sig = 0;
			ssize_t got = read(g_signal_pipe[0], &sig, 1);

			(void)got;
			say("signal %u: keys wiped, stopping", sig);
			return CR_EXIT_OK;
		}
		if (n > 0 && (fds[0].revents & POLLIN) != 0) {
			accept_one(lfd);
			continue;
		}
		if (cr_p11_token_poll(tok)) {
			pthread_mutex_lock(&tok->lock);
			say("token reloaded: %zu objects, %u keys, %u locked",
			    tok->num_objs, tok->num_keys, tok->locked_keys);
			pthread_mutex_unlock(&tok->lock);
		}
	}
}

static int setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct sigaction reap = { .sa_handler = SIG_IGN,
				  .sa_flags = SA_NOCLDWAIT };

	if (pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		return errno;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a client that goes away mid-reply must not end the agent */
	sigaction(SIGPIPE, &ign, NULL);
	/* the runs it starts are reaped by the kernel */
	sigaction(SIGCHLD, &reap, NULL);
	return 0;
}

/* Into the background; the parent exits once the socket listens. */
static int daemonize(void)
{
	pid_t pid = fork();

	if (pid < 0) {
		return errno;
	}
	if (pid > 0) {
		_exit(0);
	}
	if (setsid() < 0) {
		return errno;
	}
	return 0;
}

int cmd_agent(struct cr_cli *cli, int argc, char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_p11_token_params params = {
		.use_keyring = true,
		.use_dc = true,
	};
	struct cr_p11_token *tok = NULL;
	struct cr_who *who = NULL;
	const char *socket_path = NULL;
	const char *store = NULL;
	const char *conf = NULL;
	const char *user = NULL;
	const char *sid = NULL;
	char *path = NULL;
	char *store_path = NULL;
	char *err = NULL;
	bool foreground = false;
	bool created = false;
	int lfd = -1;
	int rc = CR_EXIT_FAIL;
	int ret;
	int i;

	cli->cmdpath = "agent";
	for (i = 0; i < argc; i++) {
		if (cr_cli_opt(argc, argv, &i, "--socket", &socket_path) ||
		    cr_cli_opt(argc, argv, &i, "--store", &store) ||
		    cr_cli_opt(argc, argv, &i, "--conf", &conf) ||
		    cr_cli_opt(argc, argv, &i, "--user", &user) ||
		    cr_cli_opt(argc, argv, &i, "--sid", &sid) ||
		    cr_cli_opt(argc, argv, &i, "--server", &params.dc)) {
			continue;
		}
		if (strcmp(argv[i], "--foreground") == 0) {
			foreground = true;
		} else if (strcmp(argv[i], "--no-keyring") == 0) {
			params.use_keyring = false;
		} else if (strcmp(argv[i], "--no-dc") == 0) {
			params.use_dc = false;
		} else {
			rc = cr_cli_usage(cli, AGENT_USAGE,
					  "unexpected argument '%s'", argv[i]);
			goto done;
		}
	}
	if ((user == NULL) != (sid == NULL)) {
		rc = cr_cli_usage(cli, AGENT_USAGE, "--user and --sid go "
				  "together");
		goto done;
	}
	harden_memory();
	if (user == NULL) {
		ret = cr_who_by_uid(frame, getuid(), &who, &err);
		if (ret != 0) {
			rc = cr_cli_fail(cli, "%s", err);
			goto done;
		}
		user = who->name;
		sid = who->sid;
	}
	if (store != NULL) {
		store_path = talloc_strdup(frame, store);
	} else {
		ret = cr_store_default_path(frame, &store_path, &err);
		if (ret != 0) {
			rc = cr_cli_fail(cli, "%s", err);
			goto done;
		}
	}
	params.store_path = store_path;
	/* --user/--sid: a machine without winbind, or a test; the SID
	 * only salts the password's pre-keys, which the user must know */
	params.user = user;
	params.sid = sid;
	ret = cr_p11_token_new(frame, &params, &tok, &err);
	if (ret != 0) {
		rc = cr_cli_fail(cli, "%s", err ? err : strerror(ret));
		goto done;
	}
	lfd = cr_agent_activated_socket();
	if (lfd < 0) {
		if (socket_path != NULL) {
			path = talloc_strdup(frame, socket_path);
		} else {
			ret = cr_agent_default_socket(frame, &path, &err);
			if (ret != 0) {
				rc = cr_cli_fail(cli, "%s", err);
				goto done;
			}
		}
		ret = cr_agent_listen(path, &lfd, &err);
		if (ret != 0) {
			rc = cr_cli_fail(cli, "%s", err);
			goto done;
		}
		created = true;
	}
	if (setup_signals() != 0) {
		rc = cr_cli_fail(cli, "cannot set up signals");
		goto done;
	}
	prepare_run(store, conf, params.use_keyring);
	tok->changed = start_run;
	g_module = cr_p11_module(tok);
	pthread_mutex_lock(&tok->lock);
	ret = cr_p11_token_reload(tok, true, &err);
	if (ret != 0) {
		say("%s", err);
		cr_err_clear(&err);
	}
	pthread_mutex_unlock(&tok->lock);
	if (!foreground) {
		ret = daemonize();
		if (ret != 0) {
			rc = cr_cli_fail(cli, "cannot go to the background: %s",
					 strerror(ret));
			goto done;
		}
	}
	pthread_mutex_lock(&tok->lock);
	say("pid %ld serving '%.32s' on %s: %zu objects, %u keys, "
	    "%u locked%s%s", (long)getpid(), tok->label,
	    path ? path : "the socket systemd passed", tok->num_objs,
	    tok->num_keys, tok->locked_keys, tok->problem ? "; " : "",
	    tok->problem ? tok->problem : "");
	pthread_mutex_unlock(&tok->lock);
	rc = run(tok, lfd);
done:
	if (tok != NULL) {
		pthread_mutex_lock(&tok->lock);
		cr_p11_token_wipe(tok);
		pthread_mutex_unlock(&tok->lock);
	}
	if (created && path != NULL) {
		(void)unlink(path);
	}
	if (lfd >= 0) {
		close(lfd);
	}
	cr_err_clear(&err);
	if (rc == CR_EXIT_OK || tok != NULL) {
		/*
		 * Connection threads may still hold the token: end the
		 * process here instead of freeing what they use.
		 */
		fflush(stderr);
		_exit(rc);
	}
	TALLOC_FREE(frame);
	return rc;
}
