/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Wiping secrets; see secret.h.
 */
#include "config.h"

#include <string.h>
#include <gnutls/gnutls.h>

#include "util/secret.h"

void credroam_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0) {
		gnutls_memset(p, 0, n);
	}
}

static int credroam_secret_destructor(void *ptr)
{
	credroam_wipe(ptr, talloc_get_size(ptr));
	return 0;
}

void credroam_keep_secret(const void *ptr)
{
	if (ptr == NULL) {
		return;
	}
	talloc_set_destructor((void *)ptr, credroam_secret_destructor);
}

void *credroam_secret_dup(TALLOC_CTX *mem_ctx, const void *p, size_t n)
{
	void *copy = talloc_size(mem_ctx, n);

	if (copy == NULL) {
		return NULL;
	}
	credroam_keep_secret(copy);
	if (n > 0) {
		memcpy(copy, p, n);
	}
	return copy;
}
