/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The per-user watcher (`credroam watch`) and `credroam pulse`: what they
 * share, and the watcher's scheduling rules as a pure state machine the
 * unit tests drive with made-up clocks.
 *
 * Rules:
 *   - a file event (certs/, roaming/) starts a run after a quiet period
 *     (default 2 s without another event), at the latest max_delay
 *     (default 10 s) after the first event of a burst;
 *   - a pulse or the Group Policy timer starts a run at once;
 *   - never two runs at once: triggers during a run (of any kind) give
 *     exactly one more run after it, which covers them all.
 */
#ifndef CREDROAM_WATCH_H
#define CREDROAM_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>

#define CR_WATCH_NEVER UINT64_MAX

enum cr_watch_kind {
	CR_WATCH_FILES = 0x1,
	CR_WATCH_TIMER = 0x2,
	CR_WATCH_PULSE = 0x4,
};

struct cr_watch_sched {
	uint64_t quiet_us;
	uint64_t max_delay_us;
	bool running;
	unsigned pending;	/* kinds seen since the last start */
	uint64_t first_us;	/* first event of the pending burst */
	uint64_t last_us;	/* latest event of the pending burst */
	uint64_t immediate_us;	/* first pulse/timer of the burst */
};

void cr_watch_sched_init(struct cr_watch_sched *s, uint64_t quiet_us,
			 uint64_t max_delay_us);

/* A trigger of kind at time now. */
void cr_watch_sched_event(struct cr_watch_sched *s, uint64_t now,
			  enum cr_watch_kind kind);

/* When the next run should start; CR_WATCH_NEVER if not now known. */
uint64_t cr_watch_sched_due(const struct cr_watch_sched *s);

/* A run starts: returns the kinds it covers (0 if nothing was pending). */
unsigned cr_watch_sched_start(struct cr_watch_sched *s);

/* The run ended; what arrived meanwhile is due by the usual rules. */
void cr_watch_sched_finished(struct cr_watch_sched *s);

/* The trigger name a run covering kinds passes to `credroam sync`. */
const char *cr_watch_trigger_name(unsigned kinds);

/*
 * Where the watcher listens: $XDG_RUNTIME_DIR/credroam/pulse.sock, or
 * <store>/pulse.sock without a runtime directory.  *dir is the folder to
 * create (0700).
 */
int cr_watch_socket_path(TALLOC_CTX *mem_ctx, const char *store, char **dir,
			 char **path, char **errmsg);

#endif
