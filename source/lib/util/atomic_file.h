/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Writing a file so that a reader, a crash or a kill -9 only ever sees the
 * old content or the new one: a temporary file beside the target (named
 * ".tmp-<pid>-<n>", which the local store knows to be leftovers), the
 * whole content, fsync, rename, fsync of the directory.
 */
#ifndef CREDROAM_ATOMIC_FILE_H
#define CREDROAM_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * name in the directory dirfd, created with exactly mode (not the umask's
 * idea of it).  replace: over an existing file; else EEXIST if one is
 * there.  Returns 0 or an errno; on error nothing new is left behind.
 */
int cr_write_atomic_at(int dirfd, const char *name, const uint8_t *data,
		       size_t len, mode_t mode, bool replace);

/* The same for a path, its directory opened for the call. */
int cr_write_atomic(const char *path, const uint8_t *data, size_t len,
		    mode_t mode, bool replace);

#endif
