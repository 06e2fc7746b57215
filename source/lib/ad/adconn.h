/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One authenticated connection to the user's domain: DC discovery, the
 * user's Kerberos ticket, ldb over Samba's ldap:// backend (ildap) with
 * GSSAPI, sign and seal enforced.  Shared by adstore, gpo and bkrp.
 */
#ifndef CREDROAM_ADCONN_H
#define CREDROAM_ADCONN_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>

struct ldb_context;
struct ldb_message;
struct loadparm_context;
struct cli_credentials;
struct tevent_context;

/*
 * Never ask to delegate the user's TGT: by default Samba's GSSAPI client
 * sets GSS_C_DELEG_POLICY_FLAG, so every bind to a DC (whose tickets are
 * ok-as-delegate) first asks the KDC for a forwarded TGT: one more KDC
 * round trip and a few ms of DC CPU per run, refused anyway for a TGT
 * that is not forwardable, and a credential the DC's LDAP or RPC server
 * has no use for.
 */
#define CR_NO_DELEGATION_OPTION "gensec_gssapi:delegation_by_kdc_policy"

struct cr_ad_params {
	const char *smb_conf;	/* NULL: Samba's default smb.conf */
	const char *ccache;	/* NULL: $KRB5CCNAME, else Kerberos default */
	const char *dc;		/* NULL: ask winbind, then DNS SRV */
	unsigned timeout;	/* seconds for connect and each request; 0: 5 */
};

struct cr_adconn {
	struct tevent_context *ev;
	struct loadparm_context *lp_ctx;
	struct cli_credentials *creds;
	struct ldb_context *ldb;
	char *realm;		/* upper case */
	char *dc;		/* host name used for ldap/<dc> */
	char *principal;	/* alice@ROAM.TEST */
	char *ccache;		/* FILE:/tmp/krb5cc_1000 */
	uint64_t ticket_end;	/* TGT end time (Unix seconds) */
	unsigned timeout;
	/* Counts what this connection sent, for tests and the fast path. */
	unsigned searches;
	unsigned modifies;
};

/*
 * Connect and bind.  Errors, each with a message naming the input:
 * ENOENT no ticket cache, EKEYEXPIRED ticket expired, EHOSTUNREACH no DC
 * answers, ETIMEDOUT, EACCES bind refused, EPROTO the connection would not
 * be sealed (e.g. smb.conf weakens "client ldap sasl wrapping").
 */
int cr_adconn_connect(TALLOC_CTX *mem_ctx, const struct cr_ad_params *params,
		      struct cr_adconn **pconn, char **errmsg);

/*
 * One base search of base (a DN; "" is the rootDSE) with the connection's
 * timeout, counted in conn->searches.  The entry goes to *pmsg on mem_ctx.
 * Returns an LDB error code: LDB_ERR_NO_SUCH_OBJECT when base is not
 * exactly one entry; ldb_errstring(conn->ldb) may say more.
 */
int cr_adconn_search_base(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
			  const char *base, const char * const *attrs,
			  struct ldb_message **pmsg);

/*
 * Candidate DCs for a realm, best first: params->dc, then winbind's DC for
 * the domain, then DNS SRV _ldap._tcp.dc._msdcs.<realm>.
 */
int cr_adconn_find_dcs(TALLOC_CTX *mem_ctx, const char *realm,
		       const char *override, const char ***pdcs,
		       char **errmsg);

/* Reachability of host:port within timeout_ms (TCP connect). */
bool cr_adconn_reachable(const char *host, uint16_t port, int timeout_ms);

/* A ccache's client and the TGT for its realm that ends last. */
struct cr_ccache_tgt {
	char *name;		/* as given, or Kerberos' default: messages */
	char *resolved;		/* "TYPE:residual" */
	char *principal;
	uint64_t authtime;	/* the logon: kept across renewals */
	uint64_t endtime;
};

/*
 * Read a ccache (NULL: Kerberos' default) for cr_ccache_check() and the
 * GPO logon id.  An expired TGT is returned like any other.  Returns 0,
 * ENOENT (no cache, principal or TGT), EIO or ENOMEM.
 */
int cr_ccache_tgt(TALLOC_CTX *mem_ctx, const char *ccache,
		  struct cr_ccache_tgt **ptgt, char **errmsg);

/*
 * Check a ccache (NULL: Kerberos' default): it exists, holds a TGT for its
 * principal's realm, and the TGT has not expired.  Sets the resolved
 * "TYPE:residual" name, the principal and the TGT's end time.
 */
int cr_ccache_check(TALLOC_CTX *mem_ctx, const char *ccache,
		    char **presolved, char **pprincipal, uint64_t *pend,
		    char **errmsg);

#endif
