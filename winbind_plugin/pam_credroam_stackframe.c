/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * talloc_stackframe() for the PAM module alone.
 *
 * The module links only the few libcredroam sources it needs, not
 * libsamba-util: that library drags about 35 shared objects into every
 * login process and costs tens of milliseconds per pam_start() (measured:
 * 35 ms to load it alone), even for the local users the module skips.
 * Every function here frees its frame on every path, so a named
 * top-level context is all a frame has to be; a frame freed out of order
 * is caught by the library's own tests, which use Samba's LIFO-checked
 * one.
 */
#include "config.h"

#include <talloc.h>

#include "util/stackframe.h"

TALLOC_CTX *_talloc_stackframe(const char *location)
{
	return talloc_named_const(NULL, 0, location);
}
