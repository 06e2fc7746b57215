/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A fingerprint of the store's roaming/ and certs/ (names, sizes, mtimes,
 * inodes): equal fingerprints mean nothing changed there since.  Its own
 * file, with the sorted directory listing it needs, so that
 * pam_credroam's helper can tell a logoff with nothing to upload without
 * the rest of the store (and without starting a run).
 */
#ifndef CREDROAM_STORE_FINGERPRINT_H
#define CREDROAM_STORE_FINGERPRINT_H

#include <stddef.h>
#include <talloc.h>

/* Names in a directory (not "." or ".."), sorted; what names it. */
int cr_store_list_names(TALLOC_CTX *mem_ctx, int dirfd, const char *what,
			char ***pnames, size_t *pcount, char **errmsg);

/* The fingerprint of open roaming/ and certs/ folders; upper-case hex. */
int cr_store_fingerprint_at(TALLOC_CTX *mem_ctx, int roaming_fd,
			    int certs_fd, char **pfp, char **errmsg);

/* The same for the store at root (no symbolic links followed). */
int cr_store_fingerprint_dir(TALLOC_CTX *mem_ctx, const char *root,
			     char **pfp, char **errmsg);

#endif
