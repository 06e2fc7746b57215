/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Secrets in talloc memory: passwords, pre-keys, master keys, decrypted
 * private keys.  A marked chunk is wiped when it is freed, on every path.
 */
#ifndef CREDROAM_SECRET_H
#define CREDROAM_SECRET_H

#include <stddef.h>
#include <talloc.h>

/*
 * Give ptr a destructor that wipes talloc_get_size(ptr) bytes when it is
 * freed.  Mark every copy again; never talloc_realloc a marked chunk.
 */
void credroam_keep_secret(const void *ptr);

/* Wipe memory now, in a way the compiler may not remove. */
void credroam_wipe(void *p, size_t n);

/* talloc_memdup that marks the copy secret. */
void *credroam_secret_dup(TALLOC_CTX *mem_ctx, const void *p, size_t n);

#endif
