/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam agent: what its files share (the listening socket).
 */
#ifndef CREDROAM_AGENT_H
#define CREDROAM_AGENT_H

#include <stdbool.h>
#include <talloc.h>

/*
 * The agent's socket when none is given: $XDG_RUNTIME_DIR/credroam/
 * pkcs11.  ENOENT without XDG_RUNTIME_DIR.
 */
int cr_agent_default_socket(TALLOC_CTX *mem_ctx, char **path,
			    char **errmsg);

/*
 * The socket systemd passed (LISTEN_PID is ours, LISTEN_FDS is 1, and fd
 * 3 is a listening unix stream socket): its fd, else -1.  The variables
 * are removed either way, so children do not inherit them.
 */
int cr_agent_activated_socket(void);

/*
 * Listen on path: its folder made 0700 (an existing one must be ours and
 * not a symlink), the socket 0600.  EADDRINUSE when an agent answers
 * there already; a stale socket file is replaced.
 */
int cr_agent_listen(const char *path, int *fd, char **errmsg);

#endif
