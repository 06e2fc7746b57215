/*
 * talloc_stackframe() for credroam.
 *
 * Samba's public libsamba-util exports _talloc_stackframe() (symbol version
 * SAMBA_UTIL_0.0.1), but samba-dev does not ship lib/util/talloc_stack.h,
 * so the two declarations are repeated here.  A frame is a talloc context
 * on a per-thread stack; frames must be freed in the reverse order of
 * creation (free the frame before returning).
 */
#ifndef CREDROAM_TALLOC_STACK_H
#define CREDROAM_TALLOC_STACK_H

#include <talloc.h>

TALLOC_CTX *_talloc_stackframe(const char *location);

#define talloc_stackframe() _talloc_stackframe(__location__)

#endif
