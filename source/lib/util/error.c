/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Error messages; see error.h.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "util/error.h"

/*
 * The one home of every message.  Per thread, so a PAM module in a
 * threaded display manager or the agent's workers never share one.
 */
static __thread TALLOC_CTX *messages;

static TALLOC_CTX *message_ctx(void)
{
	if (messages == NULL) {
		messages = talloc_named_const(NULL, 0,
					      "credroam error messages");
	}
	return messages;
}

/*
 * At exit, or when the module holding this copy is unloaded, the
 * messages go too (LeakSanitizer does not take a thread-local pointer
 * for a root).
 */
static void __attribute__((destructor)) drop_messages(void)
{
	TALLOC_FREE(messages);
}

void cr_seterr(char **errmsg, const char *fmt, ...)
{
	TALLOC_CTX *home = NULL;
	char *msg = NULL;
	va_list ap;

	if (errmsg == NULL) {
		return;
	}
	home = message_ctx();
	if (home == NULL) {
		return;
	}
	va_start(ap, fmt);
	msg = talloc_vasprintf(home, fmt, ap);
	va_end(ap);
	TALLOC_FREE(*errmsg);
	*errmsg = msg;
}

void cr_wraperr(char **errmsg, const char *fmt, ...)
{
	TALLOC_CTX *home = NULL;
	char *prefix = NULL;
	char *msg = NULL;
	va_list ap;

	if (errmsg == NULL) {
		return;
	}
	home = message_ctx();
	if (home == NULL) {
		return;
	}
	va_start(ap, fmt);
	prefix = talloc_vasprintf(home, fmt, ap);
	va_end(ap);
	if (prefix == NULL) {
		return;
	}
	if (*errmsg == NULL) {
		*errmsg = prefix;
		return;
	}
	msg = talloc_asprintf(home, "%s: %s", prefix, *errmsg);
	TALLOC_FREE(prefix);
	if (msg == NULL) {
		return;
	}
	TALLOC_FREE(*errmsg);
	*errmsg = msg;
}

void cr_err_nomem(char **errmsg, int ret)
{
	if (ret == ENOMEM && errmsg != NULL && *errmsg == NULL) {
		cr_seterr(errmsg, "out of memory");
	}
}

void cr_err_clear(char **errmsg)
{
	if (errmsg != NULL) {
		TALLOC_FREE(*errmsg);
	}
}

size_t cr_err_count(void)
{
	if (messages == NULL) {
		return 0;
	}
	return talloc_total_blocks(messages) - 1;
}

void cr_err_drain(void)
{
	if (messages != NULL) {
		talloc_free_children(messages);
	}
}
