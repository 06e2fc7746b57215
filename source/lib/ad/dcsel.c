/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Choosing the domain controller; see dcsel.h.
 *
 * Failover is candidate by candidate: cr_adconn_connect() given one DC at
 * a time, with a short connect timeout for all but the last candidate, so
 * a stopped or unreachable DC costs at most CR_DCSEL_CONNECT_MS (a stopped
 * DC on a reachable host refuses at once).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <talloc.h>
#include <ldb.h>
#include <wbclient.h>

#include "ad/adconn.h"
#include "ad/dcsel.h"
#include "util/error.h"
#include "util/stackframe.h"

#define RODC_CAPABILITY "1.2.840.113556.1.4.1920"
/* cr_adconn_connect()'s default, for a connection made with a shorter one */
#define CR_DCSEL_REQUEST_TIMEOUT 5

/* A failure another DC could not change: stop looking. */
static bool fatal_everywhere(int ret)
{
	switch (ret) {
	case ENOENT:		/* no ticket cache */
	case EKEYEXPIRED:	/* ticket expired */
	case EPROTO:		/* smb.conf weakens sealing */
	case ENOMEM:
		return true;
	default:
		return false;
	}
}

int cr_dcsel_is_rodc(struct cr_adconn *conn, bool *pis_rodc, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char * const root_attrs[] = {
		"supportedCapabilities", "dsServiceName", NULL,
	};
	const char * const dsa_attrs[] = { "msDS-isRODC", NULL };
	struct ldb_message *root = NULL;
	struct ldb_message *dsa = NULL;
	const struct ldb_message_element *caps = NULL;
	const char *dsa_dn = NULL;
	const char *flag = NULL;
	unsigned i;
	int rc;
	int ret = 0;

	*pis_rodc = false;
	rc = cr_adconn_search_base(frame, conn, "", root_attrs, &root);
	if (rc != LDB_SUCCESS) {
		cr_seterr(errmsg, "reading the rootDSE of '%s' failed: %s",
			  conn->dc, ldb_strerror(rc));
		ret = EIO;
		goto done;
	}
	caps = ldb_msg_find_element(root, "supportedCapabilities");
	for (i = 0; caps != NULL && i < caps->num_values; i++) {
		const struct ldb_val *v = &caps->values[i];

		if (v->length == strlen(RODC_CAPABILITY) &&
		    memcmp(v->data, RODC_CAPABILITY, v->length) == 0) {
			*pis_rodc = true;
			goto done;
		}
	}
	/* Samba does not announce the capability: ask its NTDS object */
	dsa_dn = ldb_msg_find_attr_as_string(root, "dsServiceName", NULL);
	if (dsa_dn == NULL) {
		cr_seterr(errmsg, "'%s' has no dsServiceName in its "
			  "rootDSE; is it an Active Directory DC?", conn->dc);
		ret = EIO;
		goto done;
	}
	rc = cr_adconn_search_base(frame, conn, dsa_dn, dsa_attrs, &dsa);
	if (rc != LDB_SUCCESS) {
		cr_seterr(errmsg, "reading '%s' at '%s' failed: %s", dsa_dn,
			  conn->dc, ldb_strerror(rc));
		ret = EIO;
		goto done;
	}
	flag = ldb_msg_find_attr_as_string(dsa, "msDS-isRODC", "FALSE");
	*pis_rodc = strcasecmp(flag, "TRUE") == 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

/*
 * The DC winbind's connection uses (no network traffic: winbind's own
 * record); NULL when winbind has none.
 */
static int winbind_current_dc(TALLOC_CTX *mem_ctx, const char *realm,
			      char **pdc)
{
	const char **names = NULL;
	const char **ips = NULL;
	size_t num = 0;
	wbcErr wret;
	int ret = 0;

	*pdc = NULL;
	wret = wbcDcInfo(realm, &num, &names, &ips);
	if (WBC_ERROR_IS_OK(wret) && num > 0 && names[0] != NULL &&
	    names[0][0] != '\0') {
		*pdc = talloc_strdup(mem_ctx, names[0]);
		ret = (*pdc != NULL) ? 0 : ENOMEM;
	}
	if (WBC_ERROR_IS_OK(wret)) {
		wbcFreeMemory(names);
		wbcFreeMemory(ips);
	}
	return ret;
}

/* The DCs to try, in order, without duplicates or the excluded one. */
static int candidates(TALLOC_CTX *mem_ctx, const char *realm,
		      const struct cr_dcsel *sel, const char ***pdcs,
		      char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char **found = NULL;
	const char **dcs = NULL;
	size_t n = 0;
	size_t i;
	size_t j;
	int ret;

	*pdcs = NULL;
	ret = cr_adconn_find_dcs(frame, realm, NULL, &found, errmsg);
	if (ret != 0 && sel->preferred == NULL) {
		goto done;
	}
	if (ret != 0) {
		/* the preferred DC alone is still worth a try */
		cr_err_clear(errmsg);
		found = NULL;
	}
	for (i = 0; found != NULL && found[i] != NULL; i++) {
		;
	}
	dcs = talloc_zero_array(frame, const char *, i + 3);
	if (dcs == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (sel->preferred != NULL && (sel->exclude == NULL ||
	    strcasecmp(sel->preferred, sel->exclude) != 0)) {
		dcs[n++] = talloc_strdup(dcs, sel->preferred);
	}
	if (sel->preferred == NULL) {
		/* the DC winbind talks to: what `password server` or the
		 * site made this machine's DC */
		char *wb = NULL;

		ret = winbind_current_dc(dcs, realm, &wb);
		if (ret != 0) {
			goto done;
		}
		if (wb != NULL && (sel->exclude == NULL ||
		    strcasecmp(wb, sel->exclude) != 0)) {
			dcs[n++] = wb;
		}
	}
	for (i = 0; found != NULL && found[i] != NULL; i++) {
		bool dup = sel->exclude != NULL &&
			   strcasecmp(found[i], sel->exclude) == 0;

		for (j = 0; j < n && !dup; j++) {
			dup = strcasecmp(dcs[j], found[i]) == 0;
		}
		if (!dup) {
			dcs[n++] = talloc_strdup(dcs, found[i]);
		}
	}
	for (j = 0; j < n; j++) {
		if (dcs[j] == NULL) {
			ret = ENOMEM;
			goto done;
		}
	}
	if (n == 0) {
		cr_seterr(errmsg, "no domain controller of '%s' left to try "
			  "(only '%s', which is read-only)", realm,
			  sel->exclude ? sel->exclude : "?");
		ret = EHOSTUNREACH;
		goto done;
	}
	*pdcs = talloc_move(mem_ctx, &dcs);
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

/* The realm of the ticket the connection will use. */
static int ticket_realm(TALLOC_CTX *mem_ctx, const struct cr_ad_params *params,
			char **prealm, char **errmsg)
{
	const char *ccname = params->ccache;
	char *resolved = NULL;
	char *principal = NULL;
	const char *at = NULL;
	uint64_t end = 0;
	int ret;

	*prealm = NULL;
	if (ccname == NULL) {
		ccname = getenv("KRB5CCNAME");
	}
	ret = cr_ccache_check(mem_ctx, ccname, &resolved, &principal, &end,
			      errmsg);
	if (ret != 0) {
		return ret;
	}
	at = strrchr(principal, '@');
	*prealm = talloc_strdup(mem_ctx, at != NULL ? at + 1 : "");
	return *prealm != NULL ? 0 : ENOMEM;
}

int cr_dcsel_connect(TALLOC_CTX *mem_ctx, const struct cr_ad_params *params,
		     const struct cr_dcsel *sel, struct cr_adconn **pconn,
		     char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_dcsel none = { .writable = false };
	struct cr_adconn *conn = NULL;
	const char **dcs = NULL;
	char *realm = NULL;
	char *tried = NULL;
	unsigned timeout = params->timeout;
	size_t i;
	int ret;

	*pconn = NULL;
	if (sel == NULL) {
		sel = &none;
	}
	if (params->dc != NULL) {
		/* an explicit choice: that DC or nothing */
		ret = cr_adconn_connect(mem_ctx, params, pconn, errmsg);
		goto done;
	}
	ret = ticket_realm(frame, params, &realm, errmsg);
	if (ret == 0) {
		ret = candidates(frame, realm, sel, &dcs, errmsg);
	}
	if (ret != 0) {
		goto done;
	}
	tried = talloc_strdup(frame, "");
	ret = EHOSTUNREACH;
	for (i = 0; dcs[i] != NULL && tried != NULL; i++) {
		struct cr_ad_params one = *params;
		bool last = dcs[i + 1] == NULL;
		bool rodc = false;
		char *why = NULL;

		one.dc = dcs[i];
		if (!last) {
			/* whole seconds: the connect probe's unit */
			one.timeout = (CR_DCSEL_CONNECT_MS + 999) / 1000;
		}
		TALLOC_FREE(conn);
		ret = cr_adconn_connect(frame, &one, &conn, errmsg);
		if (ret == 0) {
			/* requests get the caller's timeout, not ours */
			conn->timeout = timeout ? timeout
						: CR_DCSEL_REQUEST_TIMEOUT;
		}
		if (ret == 0 && sel->writable) {
			ret = cr_dcsel_is_rodc(conn, &rodc, errmsg);
		}
		if (ret == 0 && !rodc) {
			*pconn = talloc_move(mem_ctx, &conn);
			goto done;
		}
		if (ret != 0 && fatal_everywhere(ret)) {
			goto done;
		}
		why = (ret == 0) ? talloc_strdup(frame, "read-only")
				 : talloc_strdup(frame, errmsg && *errmsg ?
						 *errmsg : strerror(ret));
		cr_err_clear(errmsg);
		tried = talloc_asprintf_append(tried, "%s%s (%s)",
					       i ? "; " : "", dcs[i],
					       why ? why : "?");
		ret = EHOSTUNREACH;
	}
	if (tried == NULL) {
		ret = ENOMEM;
		goto done;
	}
	cr_seterr(errmsg, "no %sdomain controller of '%s' could be used: "
		  "%s", sel->writable ? "writable " : "", realm, tried);
done:
	TALLOC_FREE(frame);
	return ret;
}
