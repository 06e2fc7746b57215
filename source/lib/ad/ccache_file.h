/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The FILE credential cache format (versions 3 and 4, the ones MIT and
 * Heimdal write; MIT's "ccache file format" documentation), read without
 * a Kerberos library: a roaming run only needs the client principal and
 * the end time of its TGT, and loading MIT krb5 beside Samba's Heimdal
 * for that cost every run four libraries in the dynamic linker.
 *
 * Only the principals and times are taken; session keys and tickets are
 * skipped where they lie, never copied.  The caller wipes the buffer.
 */
#ifndef CREDROAM_CCACHE_FILE_H
#define CREDROAM_CCACHE_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "ad/adconn.h"

/*
 * Parse a FILE ccache's bytes; name is for messages.  Sets principal,
 * authtime and endtime of the TGT for the client's realm that ends last
 * (name and resolved are the caller's).  Returns 0; ENOENT with a message
 * when the cache holds no principal or no such TGT; EBADMSG when the
 * bytes are not a ccache (truncated, lying lengths, trailing bytes);
 * EPROTONOSUPPORT for what this reader leaves to a Kerberos library
 * (versions 1 and 2, principals with control characters).
 */
int cr_ccache_file_parse(TALLOC_CTX *mem_ctx, const uint8_t *data,
			 size_t len, const char *name,
			 struct cr_ccache_tgt **ptgt, char **errmsg);

#endif
