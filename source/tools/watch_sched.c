/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The watcher's scheduling rules; see watch.h.  No clock, no I/O.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "util/error.h"
#include "watch.h"

void cr_watch_sched_init(struct cr_watch_sched *s, uint64_t quiet_us,
			 uint64_t max_delay_us)
{
	*s = (struct cr_watch_sched) {
		.quiet_us = quiet_us,
		.max_delay_us = (max_delay_us < quiet_us) ? quiet_us :
				max_delay_us,
	};
}

void cr_watch_sched_event(struct cr_watch_sched *s, uint64_t now,
			  enum cr_watch_kind kind)
{
	if (s->pending == 0) {
		s->first_us = now;
	}
	if (kind != CR_WATCH_FILES &&
	    (s->pending & (CR_WATCH_TIMER | CR_WATCH_PULSE)) == 0) {
		s->immediate_us = now;
	}
	s->pending |= (unsigned)kind;
	s->last_us = now;
}

uint64_t cr_watch_sched_due(const struct cr_watch_sched *s)
{
	uint64_t quiet;
	uint64_t latest;

	if (s->running || s->pending == 0) {
		return CR_WATCH_NEVER;
	}
	if ((s->pending & (CR_WATCH_TIMER | CR_WATCH_PULSE)) != 0) {
		return s->immediate_us;
	}
	quiet = s->last_us + s->quiet_us;
	latest = s->first_us + s->max_delay_us;
	return (quiet < latest) ? quiet : latest;
}

unsigned cr_watch_sched_start(struct cr_watch_sched *s)
{
	unsigned kinds = s->pending;

	s->pending = 0;
	s->first_us = 0;
	s->last_us = 0;
	s->immediate_us = 0;
	s->running = (kinds != 0);
	return kinds;
}

void cr_watch_sched_finished(struct cr_watch_sched *s)
{
	s->running = false;
}

const char *cr_watch_trigger_name(unsigned kinds)
{
	if ((kinds & CR_WATCH_PULSE) != 0) {
		return "pulse";
	}
	if ((kinds & CR_WATCH_TIMER) != 0) {
		return "timer";
	}
	return "watch";
}

int cr_watch_socket_path(TALLOC_CTX *mem_ctx, const char *store, char **dir,
			 char **path, char **errmsg)
{
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	struct sockaddr_un sun;

	*dir = NULL;
	*path = NULL;
	if (runtime != NULL && runtime[0] == '/') {
		*dir = talloc_asprintf(mem_ctx, "%s/credroam", runtime);
	} else {
		*dir = talloc_strdup(mem_ctx, store);
	}
	if (*dir == NULL) {
		return ENOMEM;
	}
	*path = talloc_asprintf(mem_ctx, "%s/pulse.sock", *dir);
	if (*path == NULL) {
		TALLOC_FREE(*dir);
		return ENOMEM;
	}
	if (strlen(*path) >= sizeof(sun.sun_path)) {
		cr_seterr(errmsg, "socket path '%s' is longer than "
			  "%zu bytes", *path, sizeof(sun.sun_path) - 1);
		TALLOC_FREE(*dir);
		TALLOC_FREE(*path);
		return ENAMETOOLONG;
	}
	return 0;
}
