/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Is the server at the other end of a sealed connection a domain
 * controller?  DCs are found by unauthenticated CLDAP or DNS and trusted on
 * the Kerberos service name alone, and any user may create a computer
 * account (MachineAccountQuota) with an ldap/ name of its own.  So before
 * MS-BKRP and before any write credroam asks, over the sealed connection:
 * rootDSE dsServiceName -> its parent server object -> serverReference ->
 * that computer account, whose userAccountControl must have
 * SERVER_TRUST_ACCOUNT (a writable DC) or PARTIAL_SECRETS_ACCOUNT (an
 * RODC: good enough for MS-BKRP, never for writes), and whose dNSHostName
 * must be the host the ticket was for (the name an SPN is validated
 * against).  The verdict is cached on the connection.
 */
#ifndef CREDROAM_DCVERIFY_H
#define CREDROAM_DCVERIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>

#include "ad/adconn.h"

#define CR_UF_WORKSTATION_TRUST_ACCOUNT 0x00001000u
#define CR_UF_SERVER_TRUST_ACCOUNT 0x00002000u
#define CR_UF_PARTIAL_SECRETS_ACCOUNT 0x04000000u

enum cr_dc_need {
	CR_DC_NEED_BKRP = 0,	/* any DC of the domain, an RODC too */
	CR_DC_NEED_WRITE = 1,	/* a writable DC */
};

enum cr_dc_kind {
	CR_DC_NONE = 0,
	CR_DC_WRITABLE = 1,
	CR_DC_READONLY = 2,
};

/*
 * The verdict for one computer account (pure, for unit tests): its
 * userAccountControl and dNSHostName (NULL when absent) against the host
 * the connection's ticket names.  Returns 0 and the kind, or EACCES with a
 * message naming the account and what is wrong.
 */
int cr_dcverify_judge(const char *account_dn, uint32_t uac,
		      const char *account_host, const char *host,
		      enum cr_dc_need need, enum cr_dc_kind *pkind,
		      char **errmsg);

/*
 * Check (once per connection; later calls answer from the cache) that
 * conn's server is a DC good enough for need.  EACCES: it is not (the
 * message says why); EIO, ETIMEDOUT, ...: it could not be asked.
 */
int cr_dcverify(struct cr_adconn *conn, enum cr_dc_need need,
		char **errmsg);

/*
 * The second half of cr_dcverify(): judge the computer account at
 * account_dn as the server's own, and cache that verdict for conn.  Tests
 * use it to make the client see another identity than the DC's (the
 * server's rootDSE cannot be changed); host NULL: conn->dc.
 */
int cr_dcverify_account(struct cr_adconn *conn, const char *account_dn,
			const char *host, enum cr_dc_need need,
			enum cr_dc_kind *pkind, char **errmsg);

/*
 * conn's server was chosen by the caller, not discovered by credroam: an
 * administrator's samba-tool connection (its -H, or the DC's own
 * sam.ldb).  cr_dcverify() then has nothing to ask.  Never for a
 * connection of cr_adconn_connect().  Returns 0 or ENOMEM.
 */
int cr_dcverify_caller_chosen(struct cr_adconn *conn);

/*
 * What the last check on conn found the server's account to be (for
 * reports and tests): false when conn was never checked.
 */
bool cr_dcverify_known(struct cr_adconn *conn, const char **paccount,
		       const char **phost, uint32_t *puac);

#endif
