/*
 * The dpapi code's talloc_stackframe() (Samba's, see ../stackframe.h) and
 * the one error helper it adds to error.h's convention.
 */
#ifndef CREDROAM_DPAPI_STACKFRAME_H
#define CREDROAM_DPAPI_STACKFRAME_H

#include <talloc.h>

#include "../stackframe.h"

/*
 * A callee given the frame as its context leaves its error message there;
 * move it to the caller's context before the frame goes.  Call right
 * before TALLOC_FREE(frame) in every function that passes errmsg down.
 */
static inline void cr_dpapi_err_keep(TALLOC_CTX *mem_ctx, char **errmsg)
{
	if (errmsg != NULL && *errmsg != NULL) {
		(void)talloc_steal(mem_ctx, *errmsg);
	}
}

#endif
