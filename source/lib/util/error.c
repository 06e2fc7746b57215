/*
 * Error messages; see error.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/error.h"

void cr_seterr(TALLOC_CTX *mem_ctx, char **errmsg, const char *fmt, ...)
{
	va_list ap;

	if (errmsg == NULL) {
		return;
	}
	TALLOC_FREE(*errmsg);
	va_start(ap, fmt);
	*errmsg = talloc_vasprintf(mem_ctx, fmt, ap);
	va_end(ap);
}

void cr_wraperr(TALLOC_CTX *mem_ctx, char **errmsg, const char *fmt, ...)
{
	va_list ap;
	char *prefix = NULL;
	char *msg = NULL;

	if (errmsg == NULL) {
		return;
	}
	va_start(ap, fmt);
	prefix = talloc_vasprintf(mem_ctx, fmt, ap);
	va_end(ap);
	if (prefix == NULL) {
		return;
	}
	if (*errmsg == NULL) {
		*errmsg = prefix;
		return;
	}
	msg = talloc_asprintf(mem_ctx, "%s: %s", prefix, *errmsg);
	talloc_free(prefix);
	if (msg == NULL) {
		return;
	}
	talloc_free(*errmsg);
	*errmsg = msg;
}
