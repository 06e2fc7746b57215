/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Windows' application order of the GPOs linked to the user's
 * containers (site, domain, OUs top down; disabled links, blocked
 * inheritance, enforced links): gpo_order.c.
 */
#ifndef CREDROAM_GPO_ORDER_H
#define CREDROAM_GPO_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "gpo/gpo_link.h"

/* One GPO of the user's list, in application order (gpo.h). */
struct cr_gpo {
	char *guid;		/* "{31B2F340-016D-11D2-945F-00C04FB984F9}" */
	char *name;		/* displayName */
	char *dn;
	uint32_t version;	/* versionNumber (user part: high 16 bits) */
	char *linked_at;	/* DN of the container whose gPLink names it */
	bool enforced;
	/* false when not applied; `why` says why (disabled link, user part
	 * disabled, blocked inheritance, denied by security filtering...) */
	bool applied;
	const char *why;
	bool has_registry_pol;	/* applied and has User/Registry.pol */
	bool found;		/* the GPO object was readable in AD */
	uint32_t flags;		/* the GPO's flags attribute */
	bool registry_cse;	/* gPCUserExtensionNames lists registry */
	char *path;		/* gPCFileSysPath */
};

/*
 * Windows' order over the links of soms[] (site first if any, then the
 * domain, then OUs top down; each SOM's links in gPLink order): entries
 * that are not enforced in SOM order, then enforced ones in reverse SOM
 * order, so a higher enforced link wins over a lower one.  Every link is
 * listed; disabled links and links cut off by a lower SOM's blocked
 * inheritance are not applied, with the reason.  A GPO linked more than
 * once applies once, at its last place.  Only guid, dn, linked_at,
 * enforced, applied and why are set.
 */
int gpo_order(TALLOC_CTX *mem_ctx, const struct gpo_som *soms,
	      size_t num_soms, struct cr_gpo **pgpos, size_t *pnum,
	      char **errmsg);

#endif
