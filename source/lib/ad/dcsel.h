/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Which domain controller a run talks to, in a domain of several: the
 * candidates in order, the first that answers within a short connect
 * timeout (failover), and never a read-only DC for the roaming attributes
 * (an RODC holds none of them: they are in the filtered attribute set,
 * and writes sent to it are referred).
 */
#ifndef CREDROAM_DCSEL_H
#define CREDROAM_DCSEL_H

#include <stdbool.h>
#include <talloc.h>

#include "ad/adconn.h"

/* Per candidate that is not the last: how long a connect may take. */
#define CR_DCSEL_CONNECT_MS 1000

struct cr_dcsel {
	const char *preferred;	/* tried first, then the others */
	const char *exclude;	/* never this one (a DC found read-only) */
	bool writable;		/* skip read-only DCs */
};

/*
 * Connect to the first DC that answers.  params->dc set: that DC only
 * (an explicit choice, no failover).  Otherwise sel->preferred first,
 * then winbind's DC, then DNS SRV, each but the last given
 * CR_DCSEL_CONNECT_MS to answer.  With sel->writable, a DC that turns
 * out to be read-only is passed over.  A failure that no other DC would
 * change (no ticket, bind refused, sealing off) ends the search.  Errors
 * as cr_adconn_connect(); EHOSTUNREACH names every DC tried and why.
 */
int cr_dcsel_connect(TALLOC_CTX *mem_ctx, const struct cr_ad_params *params,
		     const struct cr_dcsel *sel, struct cr_adconn **pconn,
		     char **errmsg);

/*
 * Is the connected DC read-only?  One rootDSE read: an RODC announces
 * LDAP_CAP_ACTIVE_DIRECTORY_PARTIAL_SECRETS (1.2.840.113556.1.4.1920).
 */
int cr_dcsel_is_rodc(struct cr_adconn *conn, bool *pis_rodc, char **errmsg);

#endif
