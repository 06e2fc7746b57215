/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the user did in certs/ since the last run: a new certificate (and
 * key) dropped there becomes tokens in roaming/ (under the preferred
 * master key, made when the user has none and a password is at hand); a
 * certificate of ours that was removed takes its tokens to trash/.
 */
#ifndef CREDROAM_ROAM_LOCAL_CHANGES_H
#define CREDROAM_ROAM_LOCAL_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>

#include "roam/session.h"
#include "roam/view.h"
#include "store/state.h"

struct cr_roam_local_changes {
	bool changed;		/* roaming/ changed: load L again */
	/* a dry run's removals, simulated: leave them out of L */
	struct cr_state_item *dry_removed;
	size_t num_dry_removed;
};

int cr_roam_local_changes(TALLOC_CTX *mem_ctx, struct cr_roam_session *s,
			  const struct cr_roam_view *v,
			  struct cr_roam_local_changes **changes,
			  char **errmsg);

#endif
