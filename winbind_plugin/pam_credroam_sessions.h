/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * How many roaming sessions a user has open on this machine, so that the
 * close of the last one can forget the keyring's pre-keys and master keys.
 *
 * One small file per uid, <rundir>/<uid>.sessions (rundir: /run/credroam,
 * root's, 0755; the file 0644, so the user's own logoff supervisor can
 * read it), holding a decimal count, changed under flock.  /run is a
 * tmpfs, so a crash leaves at most a count that is too high until the
 * next boot; the keyring entries time out on their own in that case.
 */
#ifndef PAM_CREDROAM_SESSIONS_H
#define PAM_CREDROAM_SESSIONS_H

#include <sys/types.h>
#include <talloc.h>

/* "<rundir>/<uid>.sessions" */
char *pcr_sessions_path(TALLOC_CTX *mem_ctx, const char *rundir, uid_t uid);

/*
 * Add delta (+1 open, -1 close; never below 0) and return the new count.
 * Creates rundir (0755) and the file (0644) as needed.
 */
int pcr_sessions_change(const char *rundir, const char *path, int delta,
			unsigned *after, char **errmsg, TALLOC_CTX *errctx);

/* The current count; a missing file is 0. */
int pcr_sessions_read(const char *path, unsigned *count);

#endif
