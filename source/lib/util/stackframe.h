/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * talloc_stackframe(): a talloc context for one function's temporaries,
 * freed in LIFO order (Samba panics on an out-of-order free, which catches
 * ownership mistakes early).
 *
 * It lives in Samba's public libsamba-util (symbol version
 * SAMBA_UTIL_0.0.1, stable across releases), but samba-dev 4.17 does not
 * ship lib/util/talloc_stack.h, so the two declarations we use are here.
 */
#ifndef CREDROAM_STACKFRAME_H
#define CREDROAM_STACKFRAME_H

#include <talloc.h>

TALLOC_CTX *_talloc_stackframe(const char *location);

#ifndef talloc_stackframe
#define talloc_stackframe() _talloc_stackframe(__location__)
#endif

#endif
