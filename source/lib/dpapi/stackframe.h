/*
 * Samba's talloc_stackframe() is not in its public 4.17 headers.  All the
 * dpapi code relies on is a temporary context per function, freed on every
 * exit path, so a named top-level context does the job (the name shows in
 * leak reports).
 */
#ifndef CREDROAM_DPAPI_STACKFRAME_H
#define CREDROAM_DPAPI_STACKFRAME_H

#include <talloc.h>

#ifndef talloc_stackframe
#define talloc_stackframe() talloc_named_const(NULL, 0, __location__)
#endif

#endif
