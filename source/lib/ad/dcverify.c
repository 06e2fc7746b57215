/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The DC's identity, checked over the sealed connection; see dcverify.h.
 *
 * What this proves and what it cannot: the answers come from the server
 * the ticket for ldap/<conn->dc> was accepted by, so a member or any other
 * honest non-DC is refused, and so is a DC's account that does not carry
 * the name the ticket was for.  A server that lies about its own directory
 * (a machine account's owner running an LDAP server of their own) is not
 * caught by asking it; that needs an answer from a source already trusted
 * (see the report of issue 17).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <talloc.h>
#include <ldb.h>

#include "ad/dcverify.h"
#include "util/error.h"
#include "util/stackframe.h"

#define CR_DCVERIFY_OPAQUE "credroam_dcverify"

/* What the server said about itself: kept for the connection's life. */
struct cr_dcverify_cache {
	char *account_dn;
	char *account_host;	/* NULL: no dNSHostName */
	char *host;		/* the host the ticket was for */
	uint32_t uac;
	bool caller_chosen;	/* cr_dcverify_caller_chosen() */
};

int cr_dcverify_judge(const char *account_dn, uint32_t uac,
		      const char *account_host, const char *host,
		      enum cr_dc_need need, enum cr_dc_kind *pkind,
		      char **errmsg)
{
	enum cr_dc_kind kind = CR_DC_NONE;

	*pkind = CR_DC_NONE;
	if (uac & CR_UF_SERVER_TRUST_ACCOUNT) {
		kind = CR_DC_WRITABLE;
	} else if (uac & CR_UF_PARTIAL_SECRETS_ACCOUNT) {
		kind = CR_DC_READONLY;
	}
	if (kind == CR_DC_NONE) {
		cr_seterr(errmsg, "'%s' is not a domain controller: its "
			  "computer account '%s' has userAccountControl "
			  "0x%08x, without SERVER_TRUST_ACCOUNT (0x2000) or "
			  "PARTIAL_SECRETS_ACCOUNT (0x04000000); refusing to "
			  "send it roaming credentials or master keys",
			  host, account_dn, uac);
		return EACCES;
	}
	if (account_host == NULL || strcasecmp(account_host, host) != 0) {
		cr_seterr(errmsg, "'%s' is not the domain controller it "
			  "says it is: its computer account '%s' has "
			  "dNSHostName '%s', not '%s' (the name its Kerberos "
			  "ticket is for)", host, account_dn,
			  account_host ? account_host : "(none)", host);
		return EACCES;
	}
	if (kind == CR_DC_READONLY && need == CR_DC_NEED_WRITE) {
		cr_seterr(errmsg, "'%s' is a read-only domain controller "
			  "(computer account '%s', userAccountControl "
			  "0x%08x): roaming credentials are written only to a "
			  "writable one", host, account_dn, uac);
		return EACCES;
	}
	*pkind = kind;
	return 0;
}

/* A base search for the check; its failure said as the check's. */
static int search_base(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
		       const char *base, const char * const *attrs,
		       struct ldb_message **pmsg, char **errmsg)
{
	const char *why = NULL;
	int rc;

	rc = cr_adconn_search_base(mem_ctx, conn, base, attrs, pmsg);
	if (rc == LDB_SUCCESS) {
		return 0;
	}
	why = ldb_errstring(conn->ldb);
	cr_seterr(errmsg, "checking that '%s' is a domain controller: "
		  "reading '%s' failed: %s", conn->dc,
		  base[0] ? base : "rootDSE",
		  (why && why[0]) ? why : ldb_strerror(rc));
	switch (rc) {
	case LDB_ERR_TIME_LIMIT_EXCEEDED:
		return ETIMEDOUT;
	case LDB_ERR_NO_SUCH_OBJECT:
	case LDB_ERR_INSUFFICIENT_ACCESS_RIGHTS:
		return EACCES;
	default:
		return EIO;
	}
}

static struct cr_dcverify_cache *cached(struct cr_adconn *conn)
{
	void *p = ldb_get_opaque(conn->ldb, CR_DCVERIFY_OPAQUE);

	return talloc_get_type(p, struct cr_dcverify_cache);
}

static int judge_cached(struct cr_adconn *conn,
			const struct cr_dcverify_cache *c,
			enum cr_dc_need need, enum cr_dc_kind *pkind,
			char **errmsg)
{
	return cr_dcverify_judge(c->account_dn, c->uac, c->account_host,
				 c->host, need, pkind, errmsg);
}

int cr_dcverify_account(struct cr_adconn *conn, const char *account_dn,
			const char *host, enum cr_dc_need need,
			enum cr_dc_kind *pkind, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char * const attrs[] = {
		"userAccountControl", "dNSHostName", NULL
	};
	struct cr_dcverify_cache *c = NULL;
	struct cr_dcverify_cache *old = NULL;
	struct ldb_message *msg = NULL;
	const char *account_host = NULL;
	int rc;
	int ret;

	*pkind = CR_DC_NONE;
	c = talloc_zero(frame, struct cr_dcverify_cache);
	if (c == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = search_base(frame, conn, account_dn, attrs, &msg, errmsg);
	if (ret != 0) {
		goto done;
	}
	c->uac = ldb_msg_find_attr_as_uint(msg, "userAccountControl", 0);
	account_host = ldb_msg_find_attr_as_string(msg, "dNSHostName", NULL);
	c->account_dn = talloc_strdup(c, account_dn);
	c->host = talloc_strdup(c, host ? host : conn->dc);
	if (account_host != NULL) {
		c->account_host = talloc_strdup(c, account_host);
	}
	if (c->account_dn == NULL || c->host == NULL ||
	    (account_host != NULL && c->account_host == NULL)) {
		ret = ENOMEM;
		goto done;
	}
	old = cached(conn);
	rc = ldb_set_opaque(conn->ldb, CR_DCVERIFY_OPAQUE, c);
	if (rc != LDB_SUCCESS) {
		ret = ENOMEM;
		goto done;
	}
	talloc_steal(conn->ldb, c);
	TALLOC_FREE(old);
	ret = judge_cached(conn, c, need, pkind, errmsg);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_dcverify(struct cr_adconn *conn, enum cr_dc_need need,
		char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char * const root_attrs[] = { "dsServiceName", NULL };
	const char * const server_attrs[] = { "serverReference", NULL };
	const struct cr_dcverify_cache *c = cached(conn);
	struct ldb_message *msg = NULL;
	struct ldb_dn *service = NULL;
	struct ldb_dn *server = NULL;
	enum cr_dc_kind kind = CR_DC_NONE;
	const char *name = NULL;
	const char *account = NULL;
	int ret;

	if (c != NULL && c->caller_chosen) {
		ret = 0;
		goto done;
	}
	if (c != NULL) {
		ret = judge_cached(conn, c, need, &kind, errmsg);
		goto done;
	}
	ret = search_base(frame, conn, "", root_attrs, &msg, errmsg);
	if (ret != 0) {
		goto done;
	}
	name = ldb_msg_find_attr_as_string(msg, "dsServiceName", NULL);
	service = (name != NULL) ? ldb_dn_new(frame, conn->ldb, name) : NULL;
	server = (service != NULL) ? ldb_dn_get_parent(frame, service) : NULL;
	if (server == NULL || !ldb_dn_validate(server)) {
		cr_seterr(errmsg, "'%s' is not a domain controller: its "
			  "rootDSE has %s dsServiceName", conn->dc,
			  name ? "an unusable" : "no");
		ret = EACCES;
		goto done;
	}
	ret = search_base(frame, conn, ldb_dn_get_linearized(server),
			  server_attrs, &msg, errmsg);
	if (ret != 0) {
		goto done;
	}
	account = ldb_msg_find_attr_as_string(msg, "serverReference", NULL);
	if (account == NULL) {
		cr_seterr(errmsg, "'%s' is not a domain controller: its "
			  "server object '%s' has no serverReference",
			  conn->dc, ldb_dn_get_linearized(server));
		ret = EACCES;
		goto done;
	}
	ret = cr_dcverify_account(conn, account, NULL, need, &kind, errmsg);
done:
	TALLOC_FREE(frame);
	return ret;
}

bool cr_dcverify_known(struct cr_adconn *conn, const char **paccount,
		       const char **phost, uint32_t *puac)
{
	const struct cr_dcverify_cache *c = cached(conn);

	*paccount = (c != NULL) ? c->account_dn : NULL;
	*phost = (c != NULL) ? c->host : NULL;
	*puac = (c != NULL) ? c->uac : 0;
	return c != NULL;
}

int cr_dcverify_caller_chosen(struct cr_adconn *conn)
{
	struct cr_dcverify_cache *c = NULL;
	struct cr_dcverify_cache *old = cached(conn);
	int rc;

	c = talloc_zero(conn->ldb, struct cr_dcverify_cache);
	if (c == NULL) {
		return ENOMEM;
	}
	c->caller_chosen = true;
	rc = ldb_set_opaque(conn->ldb, CR_DCVERIFY_OPAQUE, c);
	if (rc != LDB_SUCCESS) {
		TALLOC_FREE(c);
		return ENOMEM;
	}
	TALLOC_FREE(old);
	return 0;
}
