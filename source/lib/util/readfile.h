/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading a whole file, bounded, from a descriptor the caller opened (so
 * the caller chooses O_NOFOLLOW, O_NONBLOCK and the directory it opens in).
 */
#ifndef CREDROAM_READFILE_H
#define CREDROAM_READFILE_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

/*
 * Read fd from its offset to its end into *pdata (on mem_ctx, *plen bytes
 * and a NUL after them, so text may be used as a string), at most max
 * bytes: one byte more is read to tell that the end is there, never more.
 * Short reads and EINTR are retried.  name is the file as messages call
 * it.  Returns 0, EFBIG (more than max bytes), ENOMEM (no message) or
 * read's errno.
 *
 * A buffer it drops (outgrown, or on failure) is wiped first, so a caller
 * reading a secret may mark the result with credroam_keep_secret().
 */
int cr_read_fd(TALLOC_CTX *mem_ctx, int fd, size_t max, const char *name,
	       uint8_t **pdata, size_t *plen, char **errmsg);

/*
 * cr_read_fd() of a regular file: EINVAL when fd is something else (a
 * directory, a pipe or a device, which could block or never end), EFBIG
 * when it is larger than max already before the first read.
 */
int cr_read_regular_fd(TALLOC_CTX *mem_ctx, int fd, size_t max,
		       const char *name, uint8_t **pdata, size_t *plen,
		       char **errmsg);

#endif
