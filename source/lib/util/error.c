/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Error messages; see error.h.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "util/error.h"

/*
 * The one home of every message.  One for the process, so that leak
 * checkers see it as reachable from a global (LeakSanitizer does not take
 * a thread-local pointer for a root); talloc is not thread-safe, so every
 * change to its list of children is made under the lock, and a PAM
 * module in a threaded display manager may set messages from any thread.
 */
static TALLOC_CTX *messages;
static pthread_mutex_t messages_lock = PTHREAD_MUTEX_INITIALIZER;

/* Called with messages_lock held. */
static TALLOC_CTX *message_ctx(void)
{
	if (messages == NULL) {
		/* one byte, not zero: a pointer just past the end of an
		 * empty chunk is no reference for LeakSanitizer */
		messages = talloc_named_const(NULL, 1,
					      "credroam error messages");
	}
	return messages;
}

/* At exit, or when the module holding this copy is unloaded, the
 * messages go too. */
static void __attribute__((destructor)) drop_messages(void)
{
	pthread_mutex_lock(&messages_lock);
	TALLOC_FREE(messages);
	pthread_mutex_unlock(&messages_lock);
}

void cr_seterr(char **errmsg, const char *fmt, ...)
{
	TALLOC_CTX *home = NULL;
	char *msg = NULL;
	va_list ap;

	if (errmsg == NULL) {
		return;
	}
	pthread_mutex_lock(&messages_lock);
	home = message_ctx();
	if (home != NULL) {
		va_start(ap, fmt);
		msg = talloc_vasprintf(home, fmt, ap);
		va_end(ap);
		TALLOC_FREE(*errmsg);
		*errmsg = msg;
	}
	pthread_mutex_unlock(&messages_lock);
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
	pthread_mutex_lock(&messages_lock);
	home = message_ctx();
	if (home == NULL) {
		goto done;
	}
	va_start(ap, fmt);
	prefix = talloc_vasprintf(home, fmt, ap);
	va_end(ap);
	if (prefix == NULL) {
		goto done;
	}
	if (*errmsg == NULL) {
		*errmsg = prefix;
		goto done;
	}
	msg = talloc_asprintf(home, "%s: %s", prefix, *errmsg);
	TALLOC_FREE(prefix);
	if (msg != NULL) {
		TALLOC_FREE(*errmsg);
		*errmsg = msg;
	}
done:
	pthread_mutex_unlock(&messages_lock);
}

void cr_err_nomem(char **errmsg, int ret)
{
	if (ret == ENOMEM && errmsg != NULL && *errmsg == NULL) {
		cr_seterr(errmsg, "out of memory");
	}
}

void cr_err_clear(char **errmsg)
{
	if (errmsg == NULL || *errmsg == NULL) {
		return;
	}
	pthread_mutex_lock(&messages_lock);
	TALLOC_FREE(*errmsg);
	pthread_mutex_unlock(&messages_lock);
}

size_t cr_err_count(void)
{
	size_t n = 0;

	pthread_mutex_lock(&messages_lock);
	if (messages != NULL) {
		n = talloc_total_blocks(messages) - 1;
	}
	pthread_mutex_unlock(&messages_lock);
	return n;
}

void cr_err_drain(void)
{
	pthread_mutex_lock(&messages_lock);
	if (messages != NULL) {
		talloc_free_children(messages);
	}
	pthread_mutex_unlock(&messages_lock);
}
