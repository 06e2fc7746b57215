/*
 * Error reporting convention of libcredroam.
 *
 * The library never prints.  A fallible call returns 0 or an errno value
 * (EBADMSG malformed input, EINVAL refused input, ENOMEM, EIO, EACCES,
 * ENOENT, ...) and, when the caller passes a non-NULL `char **errmsg`,
 * leaves one message there (talloc'ed on the call's mem_ctx) that names the
 * input and the problem.  Callers that add context keep the code and put
 * their step in front: "while reading token '%s': <cause>".
 */
#ifndef CREDROAM_ERROR_H
#define CREDROAM_ERROR_H

#include <talloc.h>

/* Set *errmsg (if errmsg != NULL) to a new message on mem_ctx. */
void cr_seterr(TALLOC_CTX *mem_ctx, char **errmsg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix an existing message: "<prefix>: <old>" (or just prefix). */
void cr_wraperr(TALLOC_CTX *mem_ctx, char **errmsg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
