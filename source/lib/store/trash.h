/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * trash/'s retention.  A run moves what it removes into trash/ (see
 * localstore.h); whoever can write the user's AD object could otherwise
 * grow it without bound by adding and tombstoning large tokens between
 * runs.  Each run therefore drops, and reports:
 *   - any decrypted key (cr_store_is_key_file, or a PEM "PRIVATE KEY"
 *     in a file that came from certs/): wiped, then deleted; earlier
 *     versions trashed them;
 *   - entries trashed longer ago than max_age (the tombstone lifetime);
 *   - the oldest entries while trash/ holds more than max_bytes or
 *     max_entries.
 * An entry's age is the time in its name ("<YYYYmmddTHHMMSSZ>-...", as
 * trash_at() names it), else its inode change time (a rename sets it).
 */
#ifndef CREDROAM_STORE_TRASH_H
#define CREDROAM_STORE_TRASH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>

#include "store/localstore.h"

struct cr_trash_limits {
	uint64_t max_age;	/* seconds */
	uint64_t max_bytes;
	size_t max_entries;
};

/* One dropped entry: never its content. */
struct cr_trash_drop {
	char *name;
	uint64_t age;		/* seconds since it was trashed */
	uint64_t size;
	char *why;		/* "older than 60 days", "a decrypted key" */
};

/*
 * Apply the limits to store's trash/ as of now.  Sets the drops (on
 * mem_ctx, also when failing part way: what was dropped is reported).
 * Returns 0, or the first error (a message names the entry).
 */
int cr_store_trash_expire(TALLOC_CTX *mem_ctx, struct cr_store *store,
			  time_t now, const struct cr_trash_limits *limits,
			  struct cr_trash_drop **pdrops, size_t *pnum,
			  char **errmsg);

#endif
