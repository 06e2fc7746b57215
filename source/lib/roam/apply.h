/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Doing what the reconciliation decided: the local store's writes, then
 * AD's (so that a token is never gone from both places), each noted in
 * the report.
 */
#ifndef CREDROAM_ROAM_APPLY_H
#define CREDROAM_ROAM_APPLY_H

#include <stdbool.h>

#include "roam/session.h"
#include "roam/sync.h"
#include "roam/view.h"

/*
 * Apply res (computed from v).  *ad_written becomes true once AD changed
 * (never false again: a retry after ESTALE still moves the timestamp).
 * ESTALE: another machine changed a value meanwhile; re-read and
 * reconcile again.
 */
int cr_roam_apply(struct cr_roam_session *s, const struct cr_roam_view *v,
		  const struct cr_sync_result *res, bool *ad_written,
		  char **errmsg);

#endif
