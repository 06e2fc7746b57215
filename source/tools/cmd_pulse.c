/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam pulse: a roaming run now, the `certutil -user -pulse`
 * equivalent.  With a watcher running (credroam watch), it asks the
 * watcher over its socket, so that the run coalesces with the watcher's
 * own, and waits for that run's result; without one, it runs
 * `credroam sync --trigger pulse` itself.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "store/localstore.h"
#include "util/stackframe.h"
#include "watch.h"
#include "util/error.h"

#define PULSE_USAGE "[--timeout SECONDS] [--store DIR]"

/* Connected to the watcher's socket, or -1 when none listens. */
static int pulse_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int cmd_pulse(struct cr_cli *cli, int argc, char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char *v = NULL;
	const char *store_arg = NULL;
	char *store = NULL;
	char *dir = NULL;
	char *path = NULL;
	char *err = NULL;
	char reply[64] = { 0 };
	size_t got = 0;
	long timeout_s = 600;
	int code = -1;
	int rc = CR_EXIT_FAIL;
	int fd = -1;
	int ret;
	int i;

	cli->cmdpath = "pulse";
	for (i = 0; i < argc; i++) {
		if (cr_cli_opt(argc, argv, &i, "--timeout", &v)) {
			char *end = NULL;

			timeout_s = strtol(v, &end, 10);
			if (end == v || *end != '\0' || timeout_s < 1 ||
			    timeout_s > 86400) {
				rc = cr_cli_usage(cli, PULSE_USAGE, "--timeout "
						  "takes 1..86400 seconds");
				goto done;
			}
		} else if (cr_cli_opt(argc, argv, &i, "--store", &v)) {
			store_arg = v;
		} else {
			rc = cr_cli_usage(cli, PULSE_USAGE,
					  "unknown argument '%s'", argv[i]);
			goto done;
		}
	}
	if (store_arg != NULL) {
		store = talloc_strdup(frame, store_arg);
	} else {
		ret = cr_store_default_path(frame, &store, &err);
		if (ret != 0) {
			rc = cr_cli_fail(cli, "%s", err ? err : strerror(ret));
			goto done;
		}
	}
	ret = cr_watch_socket_path(frame, store, &dir, &path, &err);
	if (ret != 0) {
		rc = cr_cli_fail(cli, "%s", err ? err : strerror(ret));
		goto done;
	}
	fd = pulse_connect(path);
	if (fd < 0) {
		/* no watcher: the run is ours */
		char *args[9] = { NULL };
		int n = 0;

		args[n++] = talloc_strdup(frame, "credroam");
		args[n++] = talloc_strdup(frame, "sync");
		args[n++] = talloc_strdup(frame, "--trigger");
		args[n++] = talloc_strdup(frame, "pulse");
		if (store_arg != NULL) {
			args[n++] = talloc_strdup(frame, "--store");
			args[n++] = talloc_strdup(frame, store_arg);
		}
		if (cli->json) {
			args[n++] = talloc_strdup(frame, "--json");
		}
		fflush(stdout);
		execv("/proc/self/exe", args);
		rc = cr_cli_fail(cli, "cannot run credroam sync: %s",
				 strerror(errno));
		goto done;
	}
	if (send(fd, "pulse\n", 6, MSG_NOSIGNAL) != 6) {
		rc = cr_cli_fail(cli, "cannot ask the watcher at '%s': %s",
				 path, strerror(errno));
		goto done;
	}
	while (got < sizeof(reply) - 1) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		ret = poll(&pfd, 1, (int)(timeout_s * 1000));
		if (ret < 0 && errno == EINTR) {
			continue;
		}
		if (ret <= 0) {
			rc = cr_cli_fail(cli, "the watcher's run did not end "
					 "within %ld s", timeout_s);
			goto done;
		}
		n = read(fd, reply + got, sizeof(reply) - 1 - got);
		if (n <= 0) {
			break;
		}
		got += (size_t)n;
		if (memchr(reply, '\n', got) != NULL) {
			break;
		}
	}
	if (sscanf(reply, "exit %d", &code) != 1) {
		rc = cr_cli_fail(cli, "the watcher at '%s' gave no result",
				 path);
		goto done;
	}
	if (code != 0) {
		rc = cr_cli_fail(cli, "the run the watcher started exited %d "
				 "(its reason is in the watcher's log)", code);
		goto done;
	}
	if (cli->json) {
		rc = cr_cli_print_json(cli, json_pack("{s:s,s:i}", "via",
						      "watcher", "exit", 0));
		goto done;
	}
	rc = CR_EXIT_OK;
done:
	if (fd != -1) {
		close(fd);
	}
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return rc;
}
