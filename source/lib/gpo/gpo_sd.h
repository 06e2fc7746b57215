/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Security filtering: a self-relative security descriptor and the
 * access check for Read + Apply Group Policy: gpo_sd.c.
 */
#ifndef CREDROAM_GPO_SD_H
#define CREDROAM_GPO_SD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

/* Apply-Group-Policy extended right ([MS-ADTS] 5.1.3.2.1). */
#define GPO_APPLY_RIGHT "edacfd8f-ffb3-11d1-b41d-00a0c968f939"
/* far above anything real, so a hostile value costs little */
#define GPO_MAX_SD_LEN (256u * 1024)

/*
 * Security filtering: does the DACL of a self-relative security
 * descriptor give a token (SID strings) Read (read property) and the
 * Apply Group Policy extended right, with no deny first?  ACEs are
 * evaluated in order, inherit-only ACEs skipped, object ACEs honoured.
 * *pwhy says why not (on mem_ctx).  EBADMSG for a malformed descriptor.
 */
int gpo_sd_check(TALLOC_CTX *mem_ctx, const uint8_t *sd, size_t len,
		 const char * const *sids, size_t num_sids, bool *papplies,
		 char **pwhy, char **errmsg);

/* A SID in binary form as a string ("S-1-5-11"); NULL if malformed. */
char *gpo_sid_string(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		     size_t *pconsumed);

#endif
