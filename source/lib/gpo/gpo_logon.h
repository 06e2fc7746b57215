/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Which logon the cached token groups belong to: gpo_logon.c.
 */
#ifndef CREDROAM_GPO_LOGON_H
#define CREDROAM_GPO_LOGON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

/* "principal@authtime" of the TGT in ccache, for the token groups cache. */
int gpo_logon_id(TALLOC_CTX *mem_ctx, const char *ccache, char **pid,
		 char **errmsg);

#endif
