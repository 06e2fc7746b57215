/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam watch: the per-user watcher (systemd user unit
 * credroam-watch.service).  One roaming run (`credroam sync`) when certs/
 * or roaming/ changes, at every Group Policy refresh (90 minutes plus a
 * random 0-30, as Windows), and when `credroam pulse` asks over the
 * socket.  The rules that coalesce them are in watch_sched.c.
 *
 * A run changes the folders it watches (downloads, materialized files).
 * Such changes must not start runs for ever, yet a change the user makes
 * while a run goes on must not be lost.  So the watcher notes a content
 * fingerprint of both folders when a run starts; a run due to file events
 * alone is skipped when the folders hold exactly what the previous run
 * started from.  A run that changed something is followed by one more
 * run, which finds nothing to do, writes nothing, and the loop ends.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <tevent.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "util/encoding.h"
#include "util/error.h"
#include "store/localstore.h"
#include "util/stackframe.h"
#include "watch.h"

#define WATCH_USAGE "[--debounce SECONDS] [--max-delay SECONDS] " \
	"[--refresh MINUTES] [--store DIR]"
#define WATCH_EVENTS (IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | \
		      IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | \
		      IN_MOVE_SELF | IN_ONLYDIR)
#define WATCH_MAX_DEPTH 4
#define WATCH_MAX_CLIENTS 64
#define FINGERPRINT_MAX_FILE (2 * 1024 * 1024)

struct watch_client {
	struct watch_client *next;
	struct watch_state *w;
	int fd;
	struct tevent_fd *fde;
};

struct watch_dir {
	int wd;
	char *path;
};

struct watch_state {
	struct tevent_context *ev;
	const char *store;
	const char *sock_path;
	struct cr_watch_sched sched;
	uint64_t refresh_us;		/* 0: no Group Policy timer */
	int inotify_fd;
	struct watch_dir *dirs;
	size_t num_dirs;
	int listen_fd;
	struct watch_client *waiting;	/* for the next run */
	struct watch_client *served;	/* by the current run */
	size_t num_clients;
	pid_t child;
	uint8_t last_start[CR_SHA1_LEN];
	bool have_last_start;
	struct tevent_timer *due_timer;
	struct tevent_timer *refresh_timer;
	int exit_code;
};

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static struct timeval tv_in_us(uint64_t us)
{
	return tevent_timeval_current_ofs((uint32_t)(us / 1000000),
					  (uint32_t)(us % 1000000));
}

/* ---- fingerprint of certs/ and roaming/ -------------------------------- */

static void fp_dir(gnutls_hash_hd_t h, const char *path, const char *rel,
		   unsigned depth)
{
	struct dirent **names = NULL;
	int n;
	int i;

	if (depth > WATCH_MAX_DEPTH) {
		return;
	}
	n = scandir(path, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char full[4096];
		char relname[4096];
		struct stat st;

		if (name[0] == '.' &&
		    (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) {
			free(names[i]);
			continue;
		}
		snprintf(full, sizeof(full), "%s/%s", path, name);
		snprintf(relname, sizeof(relname), "%s/%s", rel, name);
		free(names[i]);
		if (lstat(full, &st) != 0) {
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			fp_dir(h, full, relname, depth + 1);
			continue;
		}
		gnutls_hash(h, relname, strlen(relname) + 1);
		gnutls_hash(h, &st.st_size, sizeof(st.st_size));
		gnutls_hash(h, &st.st_mode, sizeof(st.st_mode));
		if (S_ISREG(st.st_mode) && st.st_size <= FINGERPRINT_MAX_FILE) {
			uint8_t buf[65536];
			int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

			while (fd >= 0) {
				ssize_t got = read(fd, buf, sizeof(buf));

				if (got <= 0) {
					break;
				}
				gnutls_hash(h, buf, (size_t)got);
			}
			if (fd >= 0) {
				close(fd);
			}
		} else {
			gnutls_hash(h, &st.st_mtim, sizeof(st.st_mtim));
		}
	}
	free(names);
}

static bool fingerprint(const char *store, uint8_t out[CR_SHA1_LEN])
{
	static const char *folders[] = { "certs", "roaming" };
	gnutls_hash_hd_t h;
	size_t i;

	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA1) != 0) {
		return false;
	}
	for (i = 0; i < 2; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", store, folders[i]);
		fp_dir(h, path, folders[i], 0);
	}
	gnutls_hash_deinit(h, out);
	return true;
}

/* ---- inotify ------------------------------------------------------------- */

static void watch_add_tree(struct watch_state *w, const char *path,
			   unsigned depth)
{
	struct watch_dir *tmp = NULL;
	DIR *d = NULL;
	struct dirent *de = NULL;
	int wd;

	if (depth > WATCH_MAX_DEPTH) {
		return;
	}
	wd = inotify_add_watch(w->inotify_fd, path, WATCH_EVENTS);
	if (wd < 0) {
		return;
	}
	tmp = talloc_realloc(w, w->dirs, struct watch_dir, w->num_dirs + 1);
	if (tmp == NULL) {
		return;
	}
	w->dirs = tmp;
	w->dirs[w->num_dirs].wd = wd;
	w->dirs[w->num_dirs].path = talloc_strdup(w->dirs, path);
	w->num_dirs++;
	d = opendir(path);
	while (d != NULL && (de = readdir(d)) != NULL) {
		char sub[4096];

		if (de->d_type != DT_DIR || de->d_name[0] == '.') {
			continue;
		}
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		watch_add_tree(w, sub, depth + 1);
	}
	if (d != NULL) {
		closedir(d);
	}
}

static const char *watch_dir_path(struct watch_state *w, int wd)
{
	size_t i;

	for (i = 0; i < w->num_dirs; i++) {
		if (w->dirs[i].wd == wd) {
			return w->dirs[i].path;
		}
	}
	return NULL;
}

static void watch_schedule(struct watch_state *w);

static void watch_inotify_readable(struct tevent_context *ev,
				   struct tevent_fd *fde, uint16_t flags,
				   void *private_data)
{
	struct watch_state *w = talloc_get_type_abort(private_data,
						      struct watch_state);
	char buf[16384] __attribute__((aligned(__alignof__(
		struct inotify_event))));
	bool changed = false;
	ssize_t n;

	while ((n = read(w->inotify_fd, buf, sizeof(buf))) > 0) {
		char *p = buf;

		while (p < buf + n) {
			struct inotify_event *e = (struct inotify_event *)p;
			const char *dir = watch_dir_path(w, e->wd);

			p += sizeof(*e) + e->len;
			if ((e->mask & IN_ISDIR) != 0 &&
			    (e->mask & (IN_CREATE | IN_MOVED_TO)) != 0 &&
			    dir != NULL && e->len > 0) {
				char sub[4096];

				snprintf(sub, sizeof(sub), "%s/%s", dir,
					 e->name);
				watch_add_tree(w, sub, 1);
			}
			if ((e->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) != 0) {
				/* certs/ or roaming/ replaced: watch anew */
				char top[4096];

				snprintf(top, sizeof(top), "%s/certs",
					 w->store);
				(void)mkdir(top, 0700);
				watch_add_tree(w, top, 0);
				snprintf(top, sizeof(top), "%s/roaming",
					 w->store);
				(void)mkdir(top, 0700);
				watch_add_tree(w, top, 0);
			}
			if ((e->mask & IN_IGNORED) == 0) {
				changed = true;
			}
		}
	}
	if (changed) {
		cr_watch_sched_event(&w->sched, mono_us(), CR_WATCH_FILES);
		watch_schedule(w);
	}
}

/* ---- runs ---------------------------------------------------------------- */

static void client_append(struct watch_client **list, struct watch_client *c)
{
	while (*list != NULL) {
		list = &(*list)->next;
	}
	c->next = NULL;
	*list = c;
}

static struct watch_client *client_pop(struct watch_client **list)
{
	struct watch_client *c = *list;

	if (c != NULL) {
		*list = c->next;
		c->next = NULL;
	}
	return c;
}

static void watch_reply(struct watch_client **list, int code)
{
	struct watch_client *c = NULL;

	while ((c = client_pop(list)) != NULL) {
		char line[32];
		int len = snprintf(line, sizeof(line), "exit %d\n", code);

		/* a client that went away gets nothing, and no SIGPIPE */
		(void)send(c->fd, line, (size_t)len, MSG_NOSIGNAL);
		TALLOC_FREE(c);
	}
}

static void watch_start_run(struct watch_state *w)
{
	const char *args[] = {
		"credroam", "sync", "--trigger", NULL, "--quiet", "--wait",
		"60", "--store", w->store,
	};
	char *argv[sizeof(args) / sizeof(args[0]) + 1] = { NULL };
	uint8_t fp[CR_SHA1_LEN];
	size_t i;
	bool have_fp;
	unsigned kinds;
	pid_t pid;

	kinds = cr_watch_sched_start(&w->sched);
	if (kinds == 0) {
		return;
	}
	have_fp = fingerprint(w->store, fp);
	if (kinds == CR_WATCH_FILES && have_fp && w->have_last_start &&
	    memcmp(fp, w->last_start, sizeof(fp)) == 0) {
		/* only the last run's own writes: nothing to roam */
		cr_watch_sched_finished(&w->sched);
		return;
	}
	if (have_fp) {
		memcpy(w->last_start, fp, sizeof(fp));
		w->have_last_start = true;
	}
	args[3] = cr_watch_trigger_name(kinds);
	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		argv[i] = talloc_strdup(w, args[i]);
	}
	/* pulses that arrived so far are answered by this run */
	while (w->waiting != NULL) {
		client_append(&w->served, client_pop(&w->waiting));
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "credroam watch: fork: %s\n", strerror(errno));
		cr_watch_sched_finished(&w->sched);
		watch_reply(&w->served, 1);
		return;
	}
	if (pid == 0) {
		execv("/proc/self/exe", argv);
		fprintf(stderr, "credroam watch: cannot run credroam sync: "
			"%s\n", strerror(errno));
		_exit(127);
	}
	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		TALLOC_FREE(argv[i]);
	}
	w->child = pid;
	fprintf(stderr, "credroam watch: run %d (trigger %s)\n", (int)pid,
		args[3]);
}

static void watch_due(struct tevent_context *ev, struct tevent_timer *te,
		      struct timeval now, void *private_data)
{
	struct watch_state *w = talloc_get_type_abort(private_data,
						      struct watch_state);

	w->due_timer = NULL;
	watch_start_run(w);
	watch_schedule(w);
}

/* (Re)arm the timer for the next due run, if any. */
static void watch_schedule(struct watch_state *w)
{
	uint64_t due = cr_watch_sched_due(&w->sched);
	uint64_t now = mono_us();

	TALLOC_FREE(w->due_timer);
	if (due == CR_WATCH_NEVER) {
		return;
	}
	w->due_timer = tevent_add_timer(w->ev, w,
					tv_in_us(due > now ? due - now : 0),
					watch_due, w);
}

static void watch_child_exited(struct tevent_context *ev,
			       struct tevent_signal *se, int signum,
			       int count, void *siginfo, void *private_data)
{
	struct watch_state *w = talloc_get_type_abort(private_data,
						      struct watch_state);
	int status = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		int code;

		if (pid != w->child) {
			continue;
		}
		w->child = 0;
		code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 +
		       (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		if (code != 0) {
			fprintf(stderr, "credroam watch: the run exited %d\n",
				code);
		}
		watch_reply(&w->served, code);
		cr_watch_sched_finished(&w->sched);
		watch_schedule(w);
	}
}

/* ---- Group Policy refresh ---------------------------------------------- */

static void watch_arm_refresh(struct watch_state *w);

static void watch_refresh(struct tevent_context *ev, struct tevent_timer *te,
			  struct timeval now, void *private_data)
{
	struct watch_state *w = talloc_get_type_abort(private_data,
						      struct watch_state);

	w->refresh_timer = NULL;
	cr_watch_sched_event(&w->sched, mono_us(), CR_WATCH_TIMER);
	watch_schedule(w);
	watch_arm_refresh(w);
}

/* Every refresh interval plus a random third of it (90 + 0..30 min). */
static void watch_arm_refresh(struct watch_state *w)
{
	uint64_t offset = 0;
	uint64_t r = 0;

	if (w->refresh_us == 0) {
		return;
	}
	if (gnutls_rnd(GNUTLS_RND_NONCE, &r, sizeof(r)) == 0) {
		offset = r % (w->refresh_us / 3 + 1);
	}
	w->refresh_timer = tevent_add_timer(w->ev, w,
					    tv_in_us(w->refresh_us + offset),
					    watch_refresh, w);
}

/* ---- the pulse socket ------------------------------------------------ */

static int watch_client_destructor(struct watch_client *c)
{
	if (c->fd != -1) {
		close(c->fd);
		c->fd = -1;
	}
	c->w->num_clients--;
	return 0;
}

static void watch_client_readable(struct tevent_context *ev,
				  struct tevent_fd *fde, uint16_t flags,
				  void *private_data)
{
	struct watch_client *c = talloc_get_type_abort(private_data,
						       struct watch_client);
	struct watch_state *w = c->w;
	char buf[16];
	ssize_t n = read(c->fd, buf, sizeof(buf));

	TALLOC_FREE(c->fde);
	if (n < 6 || memcmp(buf, "pulse\n", 6) != 0) {
		TALLOC_FREE(c);
		return;
	}
	client_append(&w->waiting, c);
	cr_watch_sched_event(&w->sched, mono_us(), CR_WATCH_PULSE);
	watch_schedule(w);
}

static void watch_accept(struct tevent_context *ev, struct tevent_fd *fde,
			 uint16_t flags, void *private_data)
{
	struct watch_state *w = talloc_get_type_abort(private_data,
						      struct watch_state);
	struct watch_client *c = NULL;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	fd = accept4(w->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		return;
	}
	/* the folder is 0700 already; this says so twice */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    cred.uid != getuid() || w->num_clients >= WATCH_MAX_CLIENTS) {
		close(fd);
		return;
	}
	c = talloc_zero(w, struct watch_client);
	if (c == NULL) {
		close(fd);
		return;
	}
	c->w = w;
	c->fd = fd;
	w->num_clients++;
	talloc_set_destructor(c, watch_client_destructor);
	c->fde = tevent_add_fd(ev, c, fd, TEVENT_FD_READ,
			       watch_client_readable, c);
	if (c->fde == NULL) {
		TALLOC_FREE(c);
	}
}

static int watch_listen(struct watch_state *w, char **errmsg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *dir = NULL;
	char *path = NULL;
	int ret;

	ret = cr_watch_socket_path(w, w->store, &dir, &path, errmsg);
	if (ret != 0) {
		return ret;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		ret = errno;
		cr_seterr(errmsg, "cannot create '%s': %s", dir,
			  strerror(ret));
		return ret;
	}
	w->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
			      SOCK_NONBLOCK, 0);
	if (w->listen_fd < 0) {
		return errno;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	(void)unlink(path);
	if (bind(w->listen_fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(w->listen_fd, 16) != 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot listen on '%s': %s", path,
			  strerror(ret));
		return ret;
	}
	w->sock_path = path;
	return 0;
}

/* One watcher per store: an exclusive lock held for its lifetime. */
static int watch_single(struct watch_state *w, char **errmsg)
{
	char *path = talloc_asprintf(w, "%s/.watch.lock", w->store);
	int fd;

	if (path == NULL) {
		return ENOMEM;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		int ret = errno;
		cr_seterr(errmsg, "cannot open '%s': %s", path,
			  strerror(ret));
		return ret;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return EBUSY;
	}
	/* kept open (and locked) until exit */
	return 0;
}

static bool parse_seconds_arg(const char *v, double max, uint64_t *us)
{
	char *end = NULL;
	double d = strtod(v, &end);

	if (end == v || *end != '\0' || !(d >= 0) || d > max) {
		return false;
	}
	*us = (uint64_t)(d * 1e6);
	return true;
}

int cmd_watch(struct cr_cli *cli, int argc, char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct watch_state *w = NULL;
	uint64_t quiet = 2000000;
	uint64_t max_delay = 10000000;
	uint64_t refresh = 90ULL * 60 * 1000000;
	const char *v = NULL;
	char *store = NULL;
	char *err = NULL;
	char top[4096];
	int rc = CR_EXIT_FAIL;
	int ret;
	int i;

	cli->cmdpath = "watch";
	for (i = 0; i < argc; i++) {
		if (cr_cli_opt(argc, argv, &i, "--debounce", &v)) {
			if (!parse_seconds_arg(v, 3600, &quiet)) {
				rc = cr_cli_usage(cli, WATCH_USAGE,
						  "--debounce takes seconds");
				goto done;
			}
		} else if (cr_cli_opt(argc, argv, &i, "--max-delay", &v)) {
			if (!parse_seconds_arg(v, 3600, &max_delay)) {
				rc = cr_cli_usage(cli, WATCH_USAGE,
						  "--max-delay takes seconds");
				goto done;
			}
		} else if (cr_cli_opt(argc, argv, &i, "--refresh", &v)) {
			if (!parse_seconds_arg(v, 24 * 60, &refresh)) {
				rc = cr_cli_usage(cli, WATCH_USAGE, "--refresh "
						  "takes minutes (0: off)");
				goto done;
			}
			refresh *= 60;
		} else if (cr_cli_opt(argc, argv, &i, "--store", &v)) {
			store = talloc_strdup(frame, v);
		} else {
			rc = cr_cli_usage(cli, WATCH_USAGE,
					  "unknown argument '%s'", argv[i]);
			goto done;
		}
	}
	if (store == NULL) {
		ret = cr_store_default_path(frame, &store, &err);
		if (ret != 0) {
			rc = cr_cli_fail(cli, "%s", err ? err : strerror(ret));
			goto done;
		}
	}

	w = talloc_zero(frame, struct watch_state);
	if (w == NULL) {
		rc = cr_cli_fail(cli, "out of memory");
		goto done;
	}
	w->store = store;
	w->refresh_us = refresh;
	w->inotify_fd = -1;
	w->listen_fd = -1;
	cr_watch_sched_init(&w->sched, quiet, max_delay);
	w->ev = tevent_context_init(w);
	if (w->ev == NULL) {
		rc = cr_cli_fail(cli, "out of memory");
		goto done;
	}
	/* the store and the folders the run would create */
	if (mkdir(store, 0700) != 0 && errno != EEXIST) {
		rc = cr_cli_fail(cli, "cannot create '%s': %s", store,
				 strerror(errno));
		goto done;
	}
	ret = watch_single(w, &err);
	if (ret == EBUSY) {
		printf("credroam watch: another watcher serves %s\n", store);
		rc = CR_EXIT_OK;
		goto done;
	}
	if (ret != 0) {
		rc = cr_cli_fail(cli, "%s", err ? err : strerror(ret));
		goto done;
	}
	w->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->inotify_fd < 0) {
		rc = cr_cli_fail(cli, "inotify: %s", strerror(errno));
		goto done;
	}
	snprintf(top, sizeof(top), "%s/certs", store);
	(void)mkdir(top, 0700);
	watch_add_tree(w, top, 0);
	snprintf(top, sizeof(top), "%s/roaming", store);
	(void)mkdir(top, 0700);
	watch_add_tree(w, top, 0);
	ret = watch_listen(w, &err);
	if (ret != 0) {
		rc = cr_cli_fail(cli, "%s", err ? err : strerror(ret));
		goto done;
	}
	if (tevent_add_fd(w->ev, w, w->inotify_fd, TEVENT_FD_READ,
			  watch_inotify_readable, w) == NULL ||
	    tevent_add_fd(w->ev, w, w->listen_fd, TEVENT_FD_READ,
			  watch_accept, w) == NULL ||
	    tevent_add_signal(w->ev, w, SIGCHLD, 0, watch_child_exited,
			      w) == NULL) {
		rc = cr_cli_fail(cli, "cannot set up the event loop");
		goto done;
	}
	watch_arm_refresh(w);
	/* a first run now: whatever changed while nobody watched */
	cr_watch_sched_event(&w->sched, mono_us(), CR_WATCH_TIMER);
	watch_schedule(w);
	fprintf(stderr, "credroam watch: watching %s, pulses on %s\n", store,
		w->sock_path);
	for (;;) {
		ret = tevent_loop_once(w->ev);
		if (ret != 0) {
			rc = cr_cli_fail(cli, "event loop: %s",
					 strerror(errno));
			goto done;
		}
	}
done:
	if (w != NULL && w->inotify_fd != -1) {
		close(w->inotify_fd);
	}
	if (w != NULL && w->listen_fd != -1) {
		close(w->listen_fd);
		if (w->sock_path != NULL) {
			(void)unlink(w->sock_path);
		}
	}
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return rc;
}
