/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Make certs/ match roaming/: a PEM certificate for every certificate
 * token, its PKCS#8 key when it can be decrypted, and the files of
 * certificates that no longer roam moved to trash/.
 */
#ifndef CREDROAM_ROAM_MATERIALIZE_H
#define CREDROAM_ROAM_MATERIALIZE_H

#include "roam/session.h"
#include "roam/view.h"
#include "store/state.h"

/*
 * v: L as it is now (R for master keys that do not roam here yet).
 * next: the state this run will save, its items already set (a key
 * written before from the same token is not decrypted again); gets its
 * certs.
 */
int cr_roam_materialize(struct cr_roam_session *s,
			const struct cr_roam_view *v, struct cr_state *next,
			char **errmsg);

#endif
