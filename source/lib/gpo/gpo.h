/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The user's Group Policy, as Windows computes it, for the DIMS values:
 * the applicable GPOs in LSDOU order (site, domain, OUs top down), link
 * options, blocked inheritance, user-settings-disabled GPOs, security
 * filtering by the user's token groups, each GPO's User/Registry.pol from
 * SYSVOL (libsmbclient, the user's Kerberos ticket, signing required),
 * later GPOs overriding earlier ones value by value.
 *
 * The roaming run calls cr_gpo_user_policy() once per run; the result is
 * cached per user with the GPO versions so that an unchanged policy costs
 * one LDAP search and no SMB traffic; a roaming run reads its user
 * object (timestamp, uSNChanged, objectSid) in that same search.
 *
 * How one search is enough when nothing changed: a single subtree search
 * from the forest root with the phantom-root option (so it reaches the
 * site in the configuration partition) and the SD-flags control (DACL
 * only) asks by distinguishedName for the site, the domain, each OU above
 * the user and every GPO the cache says these linked last time.  It
 * returns their gPLink, gPOptions, flags, versionNumber, file system path,
 * extension names and security descriptor, so links, blocking,
 * enforcement and security filtering are all re-evaluated on fresh data
 * every run.  A GPO newly linked costs a second search for its object.
 * The user's groups are those of their logon token, as on Windows:
 * winbind's (wbcLookupUserSids: the groups the logon's PAC gave winbind,
 * which it keeps), so they cost no LDAP search and the cache never
 * changes with the logon.  Without winbind's answer they are read from
 * AD (tokenGroups, base search only) once per logon: the cache keeps them
 * with the TGT's authtime.  Registry.pol is read from SYSVOL only for a
 * GPO whose GUID, versionNumber or path differs from the cache.
 *
 * Not evaluated: WMI filters (gPCWQLFilter), loopback processing (a
 * computer setting), cross-domain GPO links (a GPO that the user's DC does
 * not hold counts as "not found"), and SIDs a Windows logon token has
 * besides Everyone, Authenticated Users, the user and tokenGroups
 * (INTERACTIVE, This Organization, ...).  A GPO contributes registry
 * settings only when its gPCUserExtensionNames lists the registry
 * extension and its user version is not 0 ("empty"), as on Windows.
 */
#ifndef CREDROAM_GPO_H
#define CREDROAM_GPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "ad/adconn.h"
#include "ad/adstore.h"
#include "gpo/gpo_order.h"
#include "gpo/policy.h"


struct cr_gpo_result {
	/* GPO-only policy (before credroam.conf); sources are GPO names */
	struct policy *policy;
	/* every GPO considered, in application order (applied or not) */
	struct cr_gpo *gpos;
	size_t num_gpos;
	bool from_cache;	/* versions unchanged: no SYSVOL read */
	unsigned ldap_searches;	/* what this call cost, for tests */
	unsigned smb_reads;
	/* the member's AD site (winbind's DsGetDcName), or NULL */
	char *site;
	char *site_dn;
	/* why site GPOs were not considered, or NULL */
	char *site_note;
	/* why the cache was not used or not written, or NULL */
	char *cache_note;
	/*
	 * the user's groups cost no LDAP search: winbind's (groups_from
	 * "winbind") or the cache's, of the same logon ("cache"); else
	 * "ldap" (tokenGroups)
	 */
	bool groups_from_cache;
	const char *groups_from;
	size_t num_token_sids;	/* SIDs security filtering saw */
	/*
	 * Asked for with user_sid: the user object (timestamp, uSNChanged)
	 * from the same search, or NULL with user_moved when user_dn is not
	 * (any more) the object of that SID; then nothing else was computed.
	 */
	struct cr_ad_user *user;
	bool user_moved;
};

/*
 * The user's GPO policy.  user_dn is the user object (from
 * cr_adstore_lookup()); cache_path a file the caller owns (NULL: no
 * cache), written atomically.  A GPO whose Registry.pol cannot be read or
 * parsed is an error naming the GPO and the file (the run then stops
 * rather than guess a policy).
 *
 * user_sid (or NULL): also read the user object at user_dn in the same
 * search (a roaming run's fast path is this one search) and check, on
 * this side, that it still has that SID.
 *
 * token_sid (or NULL): the user's SID, whose groups winbind is asked for;
 * NULL, or no answer from winbind: tokenGroups from AD.
 */
int cr_gpo_user_policy(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
		       const char *user_dn, const char *user_sid,
		       const char *token_sid, const char *cache_path,
		       struct cr_gpo_result **presult, char **errmsg);

#endif
