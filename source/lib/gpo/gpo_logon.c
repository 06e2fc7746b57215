/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Which logon a set of token groups belongs to; see gpo_internal.h.
 *
 * Windows filters GPOs with the groups of the user's logon token, so a
 * group change takes effect at the next logon.  credroam reads the groups
 * from AD (tokenGroups) once per logon and keeps them in the cache; the
 * logon is identified by the TGT's client and authtime, which Kerberos
 * keeps across renewals and changes with every new logon (kinit).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>

#include "ad/adconn.h"
#include "gpo/gpo_logon.h"

int gpo_logon_id(TALLOC_CTX *mem_ctx, const char *ccache, char **pid,
		 char **errmsg)
{
	struct cr_ccache_tgt *tgt = NULL;
	int ret;

	*pid = NULL;
	ret = cr_ccache_tgt(mem_ctx, ccache, &tgt, errmsg);
	if (ret != 0) {
		return ret;
	}
	*pid = talloc_asprintf(mem_ctx, "%s@%" PRIu64, tgt->principal,
			       tgt->authtime);
	ret = (*pid != NULL) ? 0 : ENOMEM;
	TALLOC_FREE(tgt);
	return ret;
}
