/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * How many roaming sessions a user has open on this machine, so that the
 * close of the last one can forget the keyring's pre-keys and master keys.
 *
 * One small file per uid, <rundir>/<uid>.sessions (rundir: /run/credroam,
 * root's, 0700; the file root's, 0600), holding a decimal count, changed
 * under flock.  Only root can open the files, so no other user can lock
 * one and hold up a logon; root's own locks are still waited for until a
 * deadline only.  The logoff supervisor reads the count as root.  /run is
 * a tmpfs, so a crash leaves at most a count that is too high until the
 * next boot; the keyring entries time out on their own in that case.
 */
#ifndef PAM_CREDROAM_SESSIONS_H
#define PAM_CREDROAM_SESSIONS_H

#include <stdint.h>
#include <sys/types.h>
#include <talloc.h>

/* "<rundir>/<uid>.sessions" */
char *pcr_sessions_path(TALLOC_CTX *mem_ctx, const char *rundir, uid_t uid);

/*
 * Add delta (+1 open, -1 close; never below 0) and return the new count.
 * Creates rundir (0700) and the file (0600) as needed, and takes away
 * what an earlier version granted others on them.  Waits for the lock at
 * most wait_us: ETIMEDOUT then.
 */
int pcr_sessions_change(const char *rundir, const char *path, int delta,
			uint64_t wait_us, unsigned *after, char **errmsg,
			TALLOC_CTX *errctx);

/*
 * The current count; a missing file is 0.  Waits for the lock at most
 * wait_us: ETIMEDOUT then.
 */
int pcr_sessions_read(const char *path, uint64_t wait_us, unsigned *count);

#endif
