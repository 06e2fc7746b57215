/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Error reporting convention of libcredroam.
 *
 * The library never prints.  A fallible call returns 0 or an errno value
 * (EBADMSG malformed input, EINVAL refused input, ENOMEM, EIO, EACCES,
 * ENOENT, ...) and takes `char **errmsg` last: when the caller passes a
 * non-NULL errmsg, the call leaves one message there that names the input
 * and the problem.  Callers that add context keep the code and put their
 * step in front: "while reading token '%s': <cause>" (cr_wraperr).
 *
 * A message belongs to the variable it is in, never to a talloc context
 * of the call: like ldb's error string on its ldb context and MIT krb5's
 * message on its krb5_context, it lives in one long-lived place, the
 * library's message context, so freeing any frame or result can never
 * free a message a caller still holds.  Setting a variable's message
 * again frees the old one; whoever drops a message clears it with
 * cr_err_clear() (top-level callers: the command, PAM, Python).  The unit
 * test fixture checks that no message is left (cr_err_count()).
 */
#ifndef CREDROAM_ERROR_H
#define CREDROAM_ERROR_H

#include <stddef.h>
#include <talloc.h>

/* Set *errmsg (if errmsg != NULL) to a new message. */
void cr_seterr(char **errmsg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix an existing message: "<prefix>: <old>" (or just prefix). */
void cr_wraperr(char **errmsg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The end of a function returning ret: ENOMEM, which allocation failures
 * leave without a message, gets its words unless a message is there. */
void cr_err_nomem(char **errmsg, int ret);

/* Free the message in *errmsg (if any) and set it to NULL. */
void cr_err_clear(char **errmsg);

/* Messages alive now (unit tests: 0 at the end of each test). */
size_t cr_err_count(void);

/* Free every message; for a long-running loop between two
 * iterations, and for the unit test fixture. */
void cr_err_drain(void);

#endif
