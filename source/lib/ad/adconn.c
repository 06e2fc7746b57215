/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One authenticated, sealed LDAP connection to the user's domain; see
 * adconn.h.
 *
 * The connection is ldb over Samba's ildap backend (the public way to get
 * GSSAPI LDAP from Samba's libraries, spec/samba-integration.md 1.6).
 * ildap decides sign/seal from "client ldap sasl wrapping" and, when asked
 * for seal, fails the bind unless GENSEC really negotiated sealing; we pin
 * that option to "seal" and refuse a configuration that weakens it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <resolv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <talloc.h>
#include <tevent.h>
#include <ldb.h>
#include <param.h>
#include <credentials.h>
#include <wbclient.h>

#include "ad/adconn.h"
#include "util/error.h"
#include "util/stackframe.h"

#define CR_AD_DEFAULT_TIMEOUT 5
#define CR_AD_MAX_DCS 16

bool cr_adconn_reachable(const char *host, uint16_t port, int timeout_ms)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_ADDRCONFIG,
	};
	struct addrinfo *res = NULL;
	struct addrinfo *ai = NULL;
	char service[8];
	bool ok = false;

	snprintf(service, sizeof(service), "%u", (unsigned)port);
	if (getaddrinfo(host, service, &hints, &res) != 0) {
		return false;
	}
	for (ai = res; ai != NULL && !ok; ai = ai->ai_next) {
		struct pollfd pfd;
		int fd = socket(ai->ai_family,
				ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
				ai->ai_protocol);
		int rc;
		int soerr = 0;
		socklen_t slen = sizeof(soerr);

		if (fd < 0) {
			continue;
		}
		rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
		if (rc != 0 && errno == EINPROGRESS) {
			pfd = (struct pollfd) { .fd = fd, .events = POLLOUT };
			rc = poll(&pfd, 1, timeout_ms);
			if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR,
						  &soerr, &slen) == 0 &&
			    soerr == 0) {
				rc = 0;
			} else {
				rc = -1;
			}
		}
		ok = (rc == 0);
		close(fd);
	}
	freeaddrinfo(res);
	return ok;
}

static int add_dc(TALLOC_CTX *mem_ctx, const char ***dcs, size_t *n,
		  const char *name)
{
	size_t i;
	char *copy = NULL;
	const char **grown = NULL;

	if (name == NULL || name[0] == '\0' || *n >= CR_AD_MAX_DCS) {
		return 0;
	}
	for (i = 0; i < *n; i++) {
		if (strcasecmp((*dcs)[i], name) == 0) {
			return 0;
		}
	}
	copy = talloc_strdup(mem_ctx, name);
	grown = talloc_realloc(mem_ctx, *dcs, const char *, *n + 2);
	if (copy == NULL || grown == NULL) {
		return ENOMEM;
	}
	/* a trailing dot in DNS answers would break the ldap/<dc> SPN */
	if (copy[strlen(copy) - 1] == '.') {
		copy[strlen(copy) - 1] = '\0';
	}
	/* the names belong to the array, which is what the caller keeps */
	talloc_steal(grown, copy);
	grown[(*n)++] = copy;
	grown[*n] = NULL;
	*dcs = grown;
	return 0;
}

static int dcs_from_winbind(TALLOC_CTX *mem_ctx, const char *realm,
			    const char ***dcs, size_t *n)
{
	struct wbcDomainControllerInfoEx *info = NULL;
	const char *unc = NULL;
	wbcErr wret;
	int ret;

	wret = wbcLookupDomainControllerEx(realm, NULL, NULL,
					   WBC_LOOKUP_DC_DS_REQUIRED |
					   WBC_LOOKUP_DC_IS_DNS_NAME |
					   WBC_LOOKUP_DC_RETURN_DNS_NAME,
					   &info);
	if (!WBC_ERROR_IS_OK(wret) || info == NULL) {
		return 0;	/* not fatal: DNS is next */
	}
	unc = info->dc_unc;
	while (unc != NULL && *unc == '\\') {
		unc++;
	}
	ret = add_dc(mem_ctx, dcs, n, unc);
	wbcFreeMemory(info);
	return ret;
}

static int dcs_from_dns(TALLOC_CTX *mem_ctx, const char *realm,
			const char ***dcs, size_t *n)
{
	unsigned char answer[4096];
	char qname[NS_MAXDNAME];
	char target[NS_MAXDNAME];
	ns_msg msg;
	ns_rr rr;
	int len;
	int i;
	int count;
	int ret;

	snprintf(qname, sizeof(qname), "_ldap._tcp.dc._msdcs.%s", realm);
	len = res_query(qname, ns_c_in, ns_t_srv, answer, sizeof(answer));
	if (len < 0 || ns_initparse(answer, len, &msg) != 0) {
		return 0;
	}
	count = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < count; i++) {
		const unsigned char *rd = NULL;

		if (ns_parserr(&msg, ns_s_an, i, &rr) != 0 ||
		    ns_rr_type(rr) != ns_t_srv || ns_rr_rdlen(rr) < 7) {
			continue;
		}
		rd = ns_rr_rdata(rr);
		/* priority, weight, port, then the target name */
		if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 6,
			      target, sizeof(target)) < 0) {
			continue;
		}
		ret = add_dc(mem_ctx, dcs, n, target);
		if (ret != 0) {
			return ret;
		}
	}
	return 0;
}

int cr_adconn_find_dcs(TALLOC_CTX *mem_ctx, const char *realm,
		       const char *override, const char ***pdcs,
		       char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char **dcs = NULL;
	size_t n = 0;
	int ret;

	*pdcs = NULL;
	dcs = talloc_zero_array(frame, const char *, 1);
	if (dcs == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = add_dc(frame, &dcs, &n, override);
	if (ret == 0 && override == NULL) {
		ret = dcs_from_winbind(frame, realm, &dcs, &n);
	}
	if (ret == 0 && override == NULL) {
		ret = dcs_from_dns(frame, realm, &dcs, &n);
	}
	if (ret != 0) {
		goto done;
	}
	if (n == 0) {
		cr_seterr(errmsg, "no domain controller found for "
			  "realm '%s' (winbind knows none, DNS has no "
			  "_ldap._tcp.dc._msdcs.%s record); set 'dc' in the "
			  "[sync] section of credroam.conf", realm, realm);
		ret = EHOSTUNREACH;
		goto done;
	}
	*pdcs = talloc_move(mem_ctx, &dcs);
done:
	TALLOC_FREE(frame);
	return ret;
}

/* The value smb.conf gives a global parameter, as Samba would print it. */
static char *lp_value(TALLOC_CTX *mem_ctx, struct loadparm_context *lp,
		      const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char *value = NULL;

	if (f == NULL) {
		return NULL;
	}
	lpcfg_dump_a_parameter(lp, NULL, name, f);
	fclose(f);
	if (buf != NULL) {
		value = talloc_strndup(mem_ctx, buf, strcspn(buf, "\n"));
	}
	free(buf);
	return value;
}

static int load_smb_conf(struct cr_adconn *conn, const char *path,
			 char **errmsg)
{
	char *wrapping = NULL;
	bool ok;

	conn->lp_ctx = loadparm_init(conn);
	if (conn->lp_ctx == NULL) {
		return ENOMEM;
	}
	ok = (path != NULL) ? lpcfg_load(conn->lp_ctx, path)
			    : lpcfg_load_default(conn->lp_ctx);
	if (!ok) {
		cr_seterr(errmsg, "cannot load Samba configuration "
			  "'%s'", path ? path : "(default smb.conf)");
		return EIO;
	}
	wrapping = lp_value(conn, conn->lp_ctx, "client ldap sasl wrapping");
	if (wrapping != NULL && strcasecmp(wrapping, "seal") != 0) {
		cr_seterr(errmsg, "refusing to send roaming credentials "
			  "over LDAP without sealing: '%s' sets 'client ldap "
			  "sasl wrapping = %s' (credroam needs 'seal')",
			  lpcfg_configfile(conn->lp_ctx), wrapping);
		return EPROTO;
	}
	ok = lpcfg_set_cmdline(conn->lp_ctx, "client ldap sasl wrapping",
			       "seal");
	if (ok) {
		ok = lpcfg_set_cmdline(conn->lp_ctx, CR_NO_DELEGATION_OPTION,
				       "no");
	}
	if (!ok) {
		return EIO;
	}
	return 0;
}

/*
 * The connect deadline: ildap's TCP connect has no timeout of its own
 * (an unanswered SYN waits for the kernel, minutes), so when the deadline
 * passes every TCP socket of this process still in SYN-SENT is shut down;
 * the pending connect then fails with ECONNRESET.  Only the LDAP connect
 * can be in SYN-SENT here: the process is single-threaded and waits in
 * this event loop.
 */
static void abort_pending_connects(struct tevent_context *ev,
				   struct tevent_timer *te,
				   struct timeval now, void *private_data)
{
	bool *expired = private_data;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e = NULL;

	(void)ev;
	(void)te;
	(void)now;
	*expired = true;
	if (d == NULL) {
		return;
	}
	while ((e = readdir(d)) != NULL) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		char *end = NULL;
		long fd = strtol(e->d_name, &end, 10);
		int rc;

		if (end == e->d_name || *end != '\0' || fd < 0 ||
		    fd == dirfd(d)) {
			continue;
		}
		memset(&ti, 0, sizeof(ti));
		rc = getsockopt((int)fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
		if (rc == 0 && ti.tcpi_state == TCP_SYN_SENT) {
			shutdown((int)fd, SHUT_RDWR);
		}
	}
	closedir(d);
}

/*
 * ildap logs "Failed to connect to ldap URL" when the TCP connection
 * failed and "Failed to bind" when the DC answered (ldb's own "Failed to
 * connect to '...' with backend" follows either): the first means try
 * the next DC, the second is this DC's (and the ticket's) answer.
 */
#define CONNECT_FAILED "Failed to connect to ldap URL"
static void note_connect_failure(void *context, enum ldb_debug_level level,
				 const char *fmt, va_list ap)
{
	bool *unreachable = context;

	(void)ap;
	if (level <= LDB_DEBUG_ERROR && fmt != NULL &&
	    strncmp(fmt, CONNECT_FAILED, sizeof(CONNECT_FAILED) - 1) == 0) {
		*unreachable = true;
	}
}

static int connect_ldb(struct cr_adconn *conn, char **errmsg)
{
	struct tevent_timer *deadline = NULL;
	char *url = NULL;
	bool expired = false;
	bool unreachable = false;
	int rc;

	conn->ldb = ldb_init(conn, conn->ev);
	if (conn->ldb == NULL) {
		return ENOMEM;
	}
	ldb_set_debug(conn->ldb, note_connect_failure, &unreachable);
	ldb_set_opaque(conn->ldb, "loadparm", conn->lp_ctx);
	ldb_set_opaque(conn->ldb, "credentials", conn->creds);
	url = talloc_asprintf(conn, "ldap://%s", conn->dc);
	deadline = tevent_add_timer(conn->ev, conn,
				    tevent_timeval_current_ofs(conn->timeout,
							       0),
				    abort_pending_connects, &expired);
	if (url == NULL || deadline == NULL) {
		TALLOC_FREE(deadline);
		return ENOMEM;
	}
	rc = ldb_connect(conn->ldb, url, 0, NULL);
	if (!expired) {
		/* a timer that fired is tevent's to free */
		TALLOC_FREE(deadline);
	}
	ldb_set_debug(conn->ldb, NULL, NULL);
	if (rc == LDB_SUCCESS) {
		return 0;
	}
	if (unreachable) {
		cr_seterr(errmsg, "'%s' %s", url, expired
			  ? "did not accept a connection in time"
			  : "refused or dropped the connection");
		return expired ? ETIMEDOUT : EHOSTUNREACH;
	}
	cr_seterr(errmsg, "cannot bind to '%s' as '%s' with Kerberos "
		  "(sign and seal): %s", url, conn->principal,
		  ldb_errstring(conn->ldb) ? ldb_errstring(conn->ldb)
					   : ldb_strerror(rc));
	switch (rc) {
	case LDB_ERR_INVALID_CREDENTIALS:
	case LDB_ERR_INSUFFICIENT_ACCESS_RIGHTS:
	case LDB_ERR_STRONG_AUTH_REQUIRED:
		return EACCES;
	default:
		return EIO;
	}
}

int cr_adconn_search_base(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
			  const char *base, const char * const *attrs,
			  struct ldb_message **pmsg)
{
	struct ldb_result *res = NULL;
	struct ldb_request *req = NULL;
	struct ldb_dn *dn = NULL;
	int rc;

	*pmsg = NULL;
	res = talloc_zero(mem_ctx, struct ldb_result);
	if (res == NULL) {
		return LDB_ERR_OPERATIONS_ERROR;
	}
	dn = ldb_dn_new(res, conn->ldb, base);
	if (dn == NULL) {
		talloc_free(res);
		return LDB_ERR_OPERATIONS_ERROR;
	}
	rc = ldb_build_search_req(&req, conn->ldb, res, dn, LDB_SCOPE_BASE,
				  "(objectClass=*)", attrs, NULL, res,
				  ldb_search_default_callback, NULL);
	if (rc == LDB_SUCCESS) {
		conn->searches += 1;
		ldb_set_timeout(conn->ldb, req, conn->timeout);
		rc = ldb_request(conn->ldb, req);
	}
	if (rc == LDB_SUCCESS) {
		rc = ldb_wait(req->handle, LDB_WAIT_ALL);
	}
	if (rc == LDB_SUCCESS && res->count != 1) {
		rc = LDB_ERR_NO_SUCH_OBJECT;
	}
	if (rc == LDB_SUCCESS) {
		*pmsg = talloc_steal(mem_ctx, res->msgs[0]);
	}
	talloc_free(res);
	return rc;
}

int cr_adconn_connect(TALLOC_CTX *mem_ctx, const struct cr_ad_params *params,
		      struct cr_adconn **pconn, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_adconn *conn = NULL;
	const char **dcs = NULL;
	const char *ccname = params->ccache;
	const char *ccerr = NULL;
	const char *at = NULL;
	size_t i;
	int ret;

	*pconn = NULL;

	conn = talloc_zero(frame, struct cr_adconn);
	if (conn == NULL) {
		ret = ENOMEM;
		goto done;
	}
	conn->timeout = params->timeout ? params->timeout
					: CR_AD_DEFAULT_TIMEOUT;
	conn->ev = tevent_context_init(conn);
	if (conn->ev == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = load_smb_conf(conn, params->smb_conf, errmsg);
	if (ret != 0) {
		goto done;
	}
	if (ccname == NULL) {
		ccname = getenv("KRB5CCNAME");
	}
	ret = cr_ccache_check(conn, ccname, &conn->ccache, &conn->principal,
			      &conn->ticket_end, errmsg);
	if (ret != 0) {
		goto done;
	}
	at = strrchr(conn->principal, '@');
	conn->realm = talloc_strdup(conn, at ? at + 1 : "");
	if (conn->realm == NULL) {
		ret = ENOMEM;
		goto done;
	}

	ret = cr_adconn_find_dcs(frame, conn->realm, params->dc, &dcs,
				 errmsg);
	if (ret != 0) {
		goto done;
	}

	conn->creds = cli_credentials_init(conn);
	if (conn->creds == NULL) {
		ret = ENOMEM;
		goto done;
	}
	cli_credentials_set_conf(conn->creds, conn->lp_ctx);
	cli_credentials_set_kerberos_state(conn->creds,
					   CRED_USE_KERBEROS_REQUIRED,
					   CRED_SPECIFIED);
	ret = cli_credentials_set_ccache(conn->creds, conn->lp_ctx,
					 conn->ccache, CRED_SPECIFIED,
					 &ccerr);
	if (ret != 0) {
		cr_seterr(errmsg, "Samba cannot use Kerberos ticket "
			  "cache '%s': %s", conn->ccache,
			  ccerr ? ccerr : "unknown error");
		ret = ENOENT;
		goto done;
	}
	/*
	 * No separate reachability probe: the LDAP connection itself, within
	 * the timeout, tells a DC that answers from one that does not (a
	 * probe costs the DC an accepted connection per run).
	 */
	ret = EHOSTUNREACH;
	for (i = 0; dcs[i] != NULL; i++) {
		conn->dc = talloc_strdup(conn, dcs[i]);
		if (conn->dc == NULL) {
			ret = ENOMEM;
			goto done;
		}
		cr_err_clear(errmsg);
		ret = connect_ldb(conn, errmsg);
		if (ret != EHOSTUNREACH && ret != ETIMEDOUT) {
			break;
		}
		TALLOC_FREE(conn->ldb);
		TALLOC_FREE(conn->dc);
	}
	if (ret == EHOSTUNREACH || ret == ETIMEDOUT) {
		char *list = talloc_strdup(frame, "");
		char *why = talloc_strdup(frame, (errmsg && *errmsg) ?
					  *errmsg : "");

		for (i = 0; dcs[i] != NULL && list != NULL; i++) {
			list = talloc_asprintf_append(list, "%s%s",
						      i ? ", " : "", dcs[i]);
		}
		cr_seterr(errmsg, "no domain controller of '%s' "
			  "answers on port 389 within %u s (tried %s; last: "
			  "%s)", conn->realm, conn->timeout,
			  list ? list : "?", why ? why : "?");
		ret = EHOSTUNREACH;
	}
	if (ret != 0) {
		goto done;
	}
	*pconn = talloc_move(mem_ctx, &conn);
done:
	TALLOC_FREE(frame);
	return ret;
}
