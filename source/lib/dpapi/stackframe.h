/*
 * The dpapi code's talloc_stackframe() (Samba's, see ../stackframe.h) and
 * the error helpers it adds to error.h's convention.
 */
#ifndef CREDROAM_DPAPI_STACKFRAME_H
#define CREDROAM_DPAPI_STACKFRAME_H

#include <errno.h>
#include <talloc.h>

#include "util/error.h"
#include "util/stackframe.h"

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

/*
 * The end of a function returning ret: cr_dpapi_err_keep(), after giving
 * ENOMEM, which allocation failures leave without a message, its words.
 */
static inline void cr_dpapi_err_done(TALLOC_CTX *mem_ctx, char **errmsg,
				     int ret)
{
	if (ret == ENOMEM) {
		cr_seterr(mem_ctx, errmsg, "out of memory");
	}
	cr_dpapi_err_keep(mem_ctx, errmsg);
}

#endif
