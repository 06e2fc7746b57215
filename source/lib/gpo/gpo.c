/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The user's Group Policy for the DIMS values; see gpo.h for what is
 * computed and how an unchanged policy costs one LDAP search.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <talloc.h>
#include <ldb.h>
#include <wbclient.h>

#include "util/error.h"
#include "gpo/gpo.h"
#include "gpo/gpo_link.h"
#include "gpo/gpo_order.h"
#include "gpo/gpo_sd.h"
#include "gpo/gpo_cache.h"
#include "gpo/gpo_smb.h"
#include "gpo/gpo_logon.h"
#include "gpo/policy.h"
#include "format/preg.h"
#include "util/stackframe.h"

#define SD_FLAGS_DACL 0x4u
#define SID_EVERYONE "S-1-1-0"
#define SID_AUTHENTICATED_USERS "S-1-5-11"
#define GPO_MAX_TOKEN_SIDS 4096u

static const char * const gpo_search_attrs[] = {
	"gPLink", "gPOptions", "displayName", "versionNumber", "flags",
	"gPCFileSysPath", "gPCUserExtensionNames", "nTSecurityDescriptor",
	NULL,
};
/* the same, and what a roaming run needs of the user object */
static const char * const gpo_user_search_attrs[] = {
	"gPLink", "gPOptions", "displayName", "versionNumber", "flags",
	"gPCFileSysPath", "gPCUserExtensionNames", "nTSecurityDescriptor",
	CR_ATTR_TIMESTAMP, "uSNChanged", "objectSid",
	NULL,
};

/* Everything one call works on. */
struct gpo_run {
	struct cr_adconn *conn;
	struct cr_gpo_result *result;
	const char *user_dn;
	const char *user_sid;		/* read the user object too, or NULL */
	const char *token_sid;		/* groups from winbind, or NULL */
	const char *base;		/* forest root (phantom root search) */
	struct gpo_som *soms;
	size_t num_soms;
	struct ldb_message **objs;	/* every object the searches returned */
	size_t num_objs;
	const char **requested;		/* DNs asked for so far */
	size_t num_requested;
	struct gpo_cache *cache;	/* what the last run left, or NULL */
	uint8_t *cache_bytes;		/* the file as read */
	size_t cache_len;
	char *logon;			/* this logon, or NULL */
	const char **sids;		/* user, tokenGroups, implicit */
	size_t num_sids;
	size_t num_cached_sids;		/* user + tokenGroups (for the cache) */
};

static int ldb_errno(int rc)
{
	switch (rc) {
	case LDB_ERR_INSUFFICIENT_ACCESS_RIGHTS:
	case LDB_ERR_INVALID_CREDENTIALS:
	case LDB_ERR_STRONG_AUTH_REQUIRED:
		return EACCES;
	case LDB_ERR_NO_SUCH_OBJECT:
		return ENOENT;
	case LDB_ERR_TIME_LIMIT_EXCEEDED:
		return ETIMEDOUT;
	default:
		return EIO;
	}
}

/*
 * One search with our timeout and controls, counted on the connection.
 * base_scope: a base search on `base`; else a phantom-root subtree search.
 */
static int gpo_search(TALLOC_CTX *mem_ctx, struct gpo_run *run,
		      const char *base, bool base_scope, const char *filter,
		      const char * const *attrs, struct ldb_result **pres,
		      char **errmsg)
{
	struct cr_adconn *conn = run->conn;
	struct ldb_result *res = NULL;
	struct ldb_request *req = NULL;
	struct ldb_dn *dn = NULL;
	struct ldb_sd_flags_control *sdf = NULL;
	struct ldb_search_options_control *opts = NULL;
	int rc;

	*pres = NULL;
	res = talloc_zero(mem_ctx, struct ldb_result);
	dn = (res != NULL) ? ldb_dn_new(res, conn->ldb, base) : NULL;
	sdf = (res != NULL) ? talloc_zero(res, struct ldb_sd_flags_control)
			    : NULL;
	opts = (res != NULL)
		? talloc_zero(res, struct ldb_search_options_control) : NULL;
	if (res == NULL || dn == NULL || sdf == NULL || opts == NULL) {
		talloc_free(res);
		return ENOMEM;
	}
	rc = ldb_build_search_req(&req, conn->ldb, res, dn,
				  base_scope ? LDB_SCOPE_BASE
					     : LDB_SCOPE_SUBTREE,
				  filter, attrs, NULL, res,
				  ldb_search_default_callback, NULL);
	if (rc == LDB_SUCCESS && !base_scope) {
		sdf->secinfo_flags = SD_FLAGS_DACL;
		opts->search_options = LDB_SEARCH_OPTION_PHANTOM_ROOT;
		rc = ldb_request_add_control(req, LDB_CONTROL_SD_FLAGS_OID,
					     true, sdf);
		if (rc == LDB_SUCCESS) {
			rc = ldb_request_add_control(
				req, LDB_CONTROL_SEARCH_OPTIONS_OID, true,
				opts);
		}
	}
	if (rc == LDB_SUCCESS) {
		conn->searches += 1;
		ldb_set_timeout(conn->ldb, req, conn->timeout);
		rc = ldb_request(conn->ldb, req);
		if (rc == LDB_SUCCESS) {
			rc = ldb_wait(req->handle, LDB_WAIT_ALL);
		}
	}
	if (rc != LDB_SUCCESS) {
		const char *why = ldb_errstring(conn->ldb);

		cr_seterr(errmsg, "searching '%s' for Group Policy "
			  "at %s failed: %s", base, conn->dc,
			  (why != NULL && why[0] != '\0') ? why
							  : ldb_strerror(rc));
		talloc_free(res);
		return ldb_errno(rc);
	}
	*pres = res;
	return 0;
}

static bool dn_equal(struct gpo_run *run, const char *a, struct ldb_dn *b)
{
	struct ldb_dn *x = ldb_dn_new(run, run->conn->ldb, a);
	bool same = (x != NULL) && ldb_dn_compare(x, b) == 0;

	talloc_free(x);
	return same;
}

static struct ldb_message *find_obj(struct gpo_run *run, const char *dn)
{
	size_t i;

	for (i = 0; i < run->num_objs; i++) {
		if (dn_equal(run, dn, run->objs[i]->dn)) {
			return run->objs[i];
		}
	}
	return NULL;
}

static bool was_requested(struct gpo_run *run, const char *dn)
{
	size_t i;

	for (i = 0; i < run->num_requested; i++) {
		if (strcasecmp(run->requested[i], dn) == 0) {
			return true;
		}
	}
	return false;
}

/* Ask for dns[] (one phantom-root search) and keep what comes back. */
static int fetch_objects(struct gpo_run *run, const char **dns, size_t n,
			 char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct ldb_result *res = NULL;
	char *filter = NULL;
	size_t i;
	int ret;

	if (n == 0) {
		ret = 0;
		goto done;
	}
	filter = talloc_strdup(frame, "(|");
	for (i = 0; i < n && filter != NULL; i++) {
		char *v = ldb_binary_encode_string(frame, dns[i]);

		filter = (v != NULL)
			? talloc_asprintf_append(filter,
						 "(distinguishedName=%s)", v)
			: NULL;
	}
	filter = (filter != NULL) ? talloc_asprintf_append(filter, ")")
				  : NULL;
	run->requested = talloc_realloc(run, run->requested, const char *,
					run->num_requested + n);
	run->objs = talloc_realloc(run, run->objs, struct ldb_message *,
				   run->num_objs + 1);
	if (filter == NULL || run->requested == NULL || run->objs == NULL) {
		ret = ENOMEM;
		goto done;
	}
	for (i = 0; i < n; i++) {
		char *copy = talloc_strdup(run->requested, dns[i]);

		if (copy == NULL) {
			ret = ENOMEM;
			goto done;
		}
		run->requested[run->num_requested++] = copy;
	}
	ret = gpo_search(frame, run, run->base, false, filter,
			 run->user_sid != NULL ? gpo_user_search_attrs
					       : gpo_search_attrs,
			 &res, errmsg);
	if (ret != 0) {
		goto done;
	}
	run->objs = talloc_realloc(run, run->objs, struct ldb_message *,
				   run->num_objs + res->count + 1);
	if (run->objs == NULL) {
		ret = ENOMEM;
		goto done;
	}
	for (i = 0; i < res->count; i++) {
		run->objs[run->num_objs++] = talloc_steal(run->objs,
							  res->msgs[i]);
	}
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

/* "roam.test" -> "DC=roam,DC=test"; NULL unless plain DNS labels. */
static char *dns_to_dn(TALLOC_CTX *mem_ctx, const char *name)
{
	char *dn = talloc_strdup(mem_ctx, "");
	const char *p = name;

	if (name == NULL || name[0] == '\0') {
		TALLOC_FREE(dn);
		return NULL;
	}
	while (dn != NULL && *p != '\0') {
		size_t n = strcspn(p, ".");
		size_t ok = strspn(p, "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

		if (n == 0 || ok < n) {
			TALLOC_FREE(dn);
			return NULL;
		}
		dn = talloc_asprintf_append(dn, "%sDC=%.*s",
					    dn[0] ? "," : "", (int)n, p);
		p += n;
		if (*p == '.') {
			p++;
		}
	}
	return dn;
}

/*
 * The member's site and the forest root, from winbind's DsGetDcName
 * (cached by winbind; no LDAP).  Without them: no site SOM, and the
 * search starts at the domain.
 */
static int find_site(struct gpo_run *run, const char *domain_dn,
		     char **errmsg)
{
	struct cr_gpo_result *r = run->result;
	struct wbcDomainControllerInfoEx *info = NULL;
	const char *site = NULL;
	char *forest = NULL;
	wbcErr wret;
	int ret = 0;

	run->base = domain_dn;
	wret = wbcLookupDomainControllerEx(run->conn->realm, NULL, NULL,
					   WBC_LOOKUP_DC_DS_REQUIRED |
					   WBC_LOOKUP_DC_RETURN_DNS_NAME,
					   &info);
	if (!WBC_ERROR_IS_OK(wret) || info == NULL) {
		r->site_note = talloc_asprintf(r, "winbind cannot tell this "
					       "machine's site (%s)",
					       wbcErrorString(wret));
		goto done;
	}
	forest = dns_to_dn(run, info->forest_name);
	if (forest != NULL) {
		run->base = forest;
	}
	site = info->client_site_name;
	if (site == NULL || site[0] == '\0') {
		r->site_note = talloc_strdup(r, "the DC did not name a site "
					     "for this machine");
		goto done;
	}
	if (forest == NULL || strpbrk(site, ",+\"\\<>;=#") != NULL) {
		r->site_note = talloc_asprintf(r, "site '%s' or forest '%s' "
					       "cannot be made into a DN",
					       site, info->forest_name ?
					       info->forest_name : "?");
		goto done;
	}
	r->site = talloc_strdup(r, site);
	r->site_dn = talloc_asprintf(r, "CN=%s,CN=Sites,CN=Configuration,%s",
				     site, forest);
	if (r->site == NULL || r->site_dn == NULL) {
		ret = ENOMEM;
	}
done:
	if (info != NULL) {
		wbcFreeMemory(info);
	}
	if (ret == ENOMEM) {
		cr_seterr(errmsg, "out of memory");
	}
	return ret;
}

/* The SOMs in application order: the site first, then the chain. */
static int build_soms(struct gpo_run *run, char **errmsg)
{
	struct gpo_som *chain = NULL;
	size_t n = 0;
	size_t k = 0;
	size_t i;
	int ret;

	ret = gpo_user_chain(run, run->user_dn, &chain, &n, errmsg);
	if (ret != 0) {
		return ret;
	}
	ret = find_site(run, chain[0].dn, errmsg);
	if (ret != 0) {
		return ret;
	}
	run->soms = talloc_zero_array(run, struct gpo_som, n + 1);
	if (run->soms == NULL) {
		return ENOMEM;
	}
	if (run->result->site_dn != NULL) {
		run->soms[k].kind = GPO_SOM_SITE;
		run->soms[k].dn = run->result->site_dn;
		k++;
	}
	for (i = 0; i < n; i++) {
		run->soms[k++] = chain[i];
	}
	run->num_soms = k;
	return 0;
}

static void load_cache(struct gpo_run *run, const char *path)
{
	struct cr_gpo_result *r = run->result;
	char *err = NULL;
	int ret;

	ret = gpo_cache_read(run, path, &run->cache_bytes, &run->cache_len,
			     &err);
	if (ret == ENOENT) {
		r->cache_note = talloc_strdup(r, "no cache yet");
		cr_err_clear(&err);
		return;
	}
	if (ret == 0) {
		ret = gpo_cache_parse(run, run->cache_bytes, run->cache_len,
				      path, &run->cache, &err);
	}
	if (ret != 0) {
		r->cache_note = talloc_asprintf(r, "cache ignored: %s",
						err ? err : strerror(ret));
		run->cache = NULL;
	}
}

/* Step 1: the SOMs and the GPOs the cache knows, in one search. */
static int read_soms(struct gpo_run *run, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char **dns = NULL;
	size_t n = 0;
	size_t i;
	int ret;

	dns = talloc_zero_array(frame, const char *,
				run->num_soms + (run->cache != NULL
						 ? run->cache->num_gpo_dns
						 : 0) + 2);
	if (dns == NULL) {
		ret = ENOMEM;
		goto done;
	}
	for (i = 0; i < run->num_soms; i++) {
		dns[n++] = run->soms[i].dn;
	}
	if (run->user_sid != NULL) {
		dns[n++] = run->user_dn;
	}
	for (i = 0; run->cache != NULL && i < run->cache->num_gpo_dns; i++) {
		dns[n++] = run->cache->gpo_dns[i];
	}
	ret = fetch_objects(run, dns, n, errmsg);
	if (ret != 0) {
		goto done;
	}
	for (i = 0; i < run->num_soms; i++) {
		struct gpo_som *som = &run->soms[i];
		const struct ldb_message *m = find_obj(run, som->dn);
		const char *gplink = NULL;

		if (m == NULL) {
			continue;
		}
		som->found = true;
		som->gpoptions = ldb_msg_find_attr_as_uint(m, "gPOptions", 0);
		gplink = ldb_msg_find_attr_as_string(m, "gPLink", NULL);
		if (gplink == NULL) {
			continue;
		}
		ret = gpo_parse_gplink(run, gplink, som->dn, &som->links,
				       &som->num_links, errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

/*
 * The user object step 1 also read: still at user_dn and still the
 * object of user_sid (checked here, not by the DC: a filter on objectSid
 * would cost the search its distinguishedName index)?  Else user_moved.
 */
static int take_user(struct gpo_run *run, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct ldb_message *m = find_obj(run, run->user_dn);
	const struct ldb_val *v = NULL;
	char *sid = NULL;
	size_t used = 0;
	int ret = 0;

	if (m != NULL) {
		v = ldb_msg_find_ldb_val(m, "objectSid");
	}
	if (v != NULL) {
		sid = gpo_sid_string(frame, v->data, v->length, &used);
	}
	if (sid == NULL || used != v->length ||
	    strcmp(sid, run->user_sid) != 0) {
		run->result->user_moved = true;
		goto done;
	}
	ret = cr_adstore_user_from_msg(run->result, m, run->user_sid,
				       &run->result->user, errmsg);
done:
	TALLOC_FREE(frame);
	return ret;
}

/* Step 2: GPO objects linked now that step 1 did not ask for. */
static int read_new_gpos(struct gpo_run *run, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char **dns = NULL;
	size_t n = 0;
	size_t total = 0;
	size_t s;
	size_t j;
	size_t k;
	int ret;

	for (s = 0; s < run->num_soms; s++) {
		total += run->soms[s].num_links;
	}
	dns = talloc_zero_array(frame, const char *, total + 1);
	if (dns == NULL) {
		ret = ENOMEM;
		goto done;
	}
	for (s = 0; s < run->num_soms; s++) {
		for (j = 0; j < run->soms[s].num_links; j++) {
			const char *dn = run->soms[s].links[j].dn;
			bool dup = was_requested(run, dn);

			for (k = 0; k < n && !dup; k++) {
				dup = (strcasecmp(dns[k], dn) == 0);
			}
			if (!dup) {
				dns[n++] = dn;
			}
		}
	}
	ret = fetch_objects(run, dns, n, errmsg);
done:
	TALLOC_FREE(frame);
	return ret;
}

static int add_sid(struct gpo_run *run, const char *sid)
{
	size_t i;

	for (i = 0; i < run->num_sids; i++) {
		if (strcmp(run->sids[i], sid) == 0) {
			return 0;
		}
	}
	run->sids = talloc_realloc(run, run->sids, const char *,
				   run->num_sids + 1);
	if (run->sids == NULL) {
		return ENOMEM;
	}
	run->sids[run->num_sids] = talloc_strdup(run->sids, sid);
	if (run->sids[run->num_sids] == NULL) {
		return ENOMEM;
	}
	run->num_sids += 1;
	return 0;
}

/* The user's SID and tokenGroups from AD: one base search. */
static int read_token_ad(struct gpo_run *run, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char * const attrs[] = { "objectSid", "tokenGroups", NULL };
	struct ldb_result *res = NULL;
	const struct ldb_message_element *el = NULL;
	char *sid = NULL;
	size_t used = 0;
	size_t i;
	int ret;

	ret = gpo_search(frame, run, run->user_dn, true, "(objectClass=*)",
			 attrs, &res, errmsg);
	if (ret != 0) {
		goto done;
	}
	if (res->count != 1) {
		cr_seterr(errmsg, "user object '%s' is not visible at %s",
			  run->user_dn, run->conn->dc);
		ret = ENOENT;
		goto done;
	}
	el = ldb_msg_find_element(res->msgs[0], "objectSid");
	if (el == NULL || el->num_values != 1) {
		cr_seterr(errmsg, "user object '%s' has no readable "
			  "objectSid", run->user_dn);
		ret = EACCES;
		goto done;
	}
	sid = gpo_sid_string(frame, el->values[0].data, el->values[0].length,
			     &used);
	if (sid == NULL || used != el->values[0].length) {
		cr_seterr(errmsg, "objectSid of '%s' is malformed",
			  run->user_dn);
		ret = EBADMSG;
		goto done;
	}
	ret = add_sid(run, sid);
	el = ldb_msg_find_element(res->msgs[0], "tokenGroups");
	for (i = 0; el != NULL && i < el->num_values && ret == 0; i++) {
		sid = gpo_sid_string(frame, el->values[i].data,
				     el->values[i].length, &used);
		if (sid == NULL || used != el->values[i].length ||
		    run->num_sids >= GPO_MAX_TOKEN_SIDS) {
			cr_seterr(errmsg, "tokenGroups value %zu of '%s' "
				  "is malformed (or too many)", i,
				  run->user_dn);
			ret = EBADMSG;
			goto done;
		}
		ret = add_sid(run, sid);
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

/*
 * The user's SID and groups as winbind has them: the groups of their
 * logon (the PAC winbind took at pam_winbind's authentication, which it
 * keeps), else what winbind itself read from the DC; no LDAP search of
 * ours.  Any failure: 0 SIDs added, and the caller asks AD.
 */
static int read_token_winbind(struct gpo_run *run)
{
	struct wbcDomainSid sid;
	struct wbcDomainSid *groups = NULL;
	char buf[WBC_SID_STRING_BUFLEN];
	uint32_t num = 0;
	uint32_t i;
	wbcErr wret;
	int ret = EIO;

	wret = wbcStringToSid(run->token_sid, &sid);
	if (WBC_ERROR_IS_OK(wret)) {
		wret = wbcLookupUserSids(&sid, false, &num, &groups);
	}
	if (!WBC_ERROR_IS_OK(wret) || num >= GPO_MAX_TOKEN_SIDS) {
		goto done;
	}
	ret = add_sid(run, run->token_sid);
	for (i = 0; i < num && ret == 0; i++) {
		int n = wbcSidToStringBuf(&groups[i], buf, sizeof(buf));

		ret = (n > 0 && (size_t)n < sizeof(buf)) ? add_sid(run, buf)
							 : EIO;
	}
done:
	if (groups != NULL) {
		wbcFreeMemory(groups);
	}
	if (ret != 0) {
		TALLOC_FREE(run->sids);
		run->num_sids = 0;
	}
	return ret;
}

/*
 * Step 3: the SIDs security filtering sees: the user's and their groups
 * (winbind's; without them, AD's tokenGroups, from the cache when this is
 * the logon they were read for), then Everyone and Authenticated Users.
 */
static int read_token(struct gpo_run *run, char **errmsg)
{
	const struct gpo_cache *c = run->cache;
	bool cached = false;
	size_t i;
	int ret = EIO;

	if (run->token_sid != NULL) {
		ret = read_token_winbind(run);
	}
	if (ret == 0) {
		run->result->groups_from_cache = true;
		run->result->groups_from = "winbind";
		run->num_cached_sids = 0;
		goto implicit;
	}
	ret = gpo_logon_id(run, run->conn->ccache, &run->logon, NULL);
	if (ret != 0) {
		/* no logon to tie groups to: read them every time */
		run->logon = NULL;
	}
	cached = (c != NULL && run->logon != NULL && c->num_sids > 0 &&
		  strcmp(c->logon, run->logon) == 0);
	ret = 0;
	if (cached) {
		for (i = 0; i < c->num_sids && ret == 0; i++) {
			ret = add_sid(run, c->sids[i]);
		}
		run->result->groups_from_cache = true;
		run->result->groups_from = "cache";
	} else {
		ret = read_token_ad(run, errmsg);
		run->result->groups_from = "ldap";
	}
	run->num_cached_sids = run->num_sids;
implicit:
	if (ret == 0) {
		ret = add_sid(run, SID_EVERYONE);
	}
	if (ret == 0) {
		ret = add_sid(run, SID_AUTHENTICATED_USERS);
	}
	run->result->num_token_sids = run->num_sids;
	return ret;
}

/* Steps 4-5: what each GPO object says, and security filtering. */
static int judge_gpo(struct gpo_run *run, struct cr_gpo *g,
		     TALLOC_CTX *owner, char **errmsg)
{
	const struct ldb_message *m = find_obj(run, g->dn);
	const struct ldb_val *sd = NULL;
	const char *name = NULL;
	char *why = NULL;
	char *sd_err = NULL;
	bool applies = false;
	int ret;

	if (m == NULL) {
		if (g->applied) {
			g->applied = false;
			g->why = "GPO object not found or not readable";
		}
		return 0;
	}
	g->found = true;
	name = ldb_msg_find_attr_as_string(m, "displayName", NULL);
	g->name = talloc_strdup(owner, (name != NULL) ? name : g->guid);
	g->path = talloc_strdup(owner, ldb_msg_find_attr_as_string(
					m, "gPCFileSysPath", ""));
	if (g->name == NULL || g->path == NULL) {
		return ENOMEM;
	}
	g->version = ldb_msg_find_attr_as_uint(m, "versionNumber", 0);
	g->flags = ldb_msg_find_attr_as_uint(m, "flags", 0);
	g->registry_cse = gpo_lists_registry_cse(
		ldb_msg_find_attr_as_string(m, "gPCUserExtensionNames", NULL));
	if (!g->applied) {
		return 0;
	}
	if ((g->flags & GPO_FLAG_USER_DISABLED) != 0) {
		g->applied = false;
		g->why = ((g->flags & GPO_FLAG_MACHINE_DISABLED) != 0)
			? "all settings disabled (flags 3)"
			: "user settings disabled (flags 1)";
		return 0;
	}
	sd = ldb_msg_find_ldb_val(m, "nTSecurityDescriptor");
	if (sd == NULL) {
		g->applied = false;
		g->why = "its security descriptor is not readable";
		return 0;
	}
	ret = gpo_sd_check(owner, sd->data, sd->length, run->sids,
			   run->num_sids, &applies, &why, &sd_err);
	if (ret == EBADMSG) {
		/* fail closed, and say so */
		g->applied = false;
		g->why = talloc_asprintf(owner, "security filtering: %s",
					 sd_err ? sd_err : "malformed");
		cr_err_clear(&sd_err);
		return (g->why != NULL) ? 0 : ENOMEM;
	}
	if (ret != 0) {
		return ret;
	}
	if (!applies) {
		g->applied = false;
		g->why = why;
		return 0;
	}
	if (gpo_user_version(g->version) == 0) {
		g->applied = false;
		g->why = "empty: no user settings (user version 0)";
	}
	cr_err_clear(&sd_err);
	return 0;
}

static const struct gpo_cache_pol *cached_pol(const struct gpo_cache *c,
					      const struct cr_gpo *g)
{
	size_t i;

	for (i = 0; c != NULL && i < c->num_pols; i++) {
		const struct gpo_cache_pol *p = &c->pols[i];

		if (strcasecmp(p->guid, g->guid) == 0 &&
		    p->version == g->version && strcmp(p->path, g->path) == 0) {
			return p;
		}
	}
	return NULL;
}

/* Step 6: one GPO's User/Registry.pol, from the cache or SYSVOL. */
static int gpo_pol(struct gpo_run *run, struct gpo_smb **psmb,
		   struct cr_gpo *g, struct gpo_cache_pol *out,
		   char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct gpo_cache_pol *hit = cached_pol(run->cache, g);
	uint8_t *raw = NULL;
	size_t raw_len = 0;
	char *label = NULL;
	bool dir = false;
	int ret;

	out->guid = talloc_strdup(run, g->guid);
	out->path = talloc_strdup(run, g->path);
	out->version = g->version;
	if (out->guid == NULL || out->path == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (hit != NULL) {
		out->has_pol = hit->has_pol;
		out->pol = talloc_memdup(run, hit->pol,
					 hit->pol_len ? hit->pol_len : 1);
		out->pol_len = hit->pol_len;
		ret = (out->pol != NULL) ? 0 : ENOMEM;
		goto done;
	}
	if (g->path[0] == '\0') {
		cr_seterr(errmsg, "GPO '%s' %s has no gPCFileSysPath",
			  g->name, g->guid);
		ret = EINVAL;
		goto done;
	}
	if (*psmb == NULL) {
		ret = gpo_smb_open(run, run->conn->dc, run->conn->principal,
				   run->conn->ccache, run->conn->timeout, psmb,
				   errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	label = talloc_asprintf(frame, "GPO '%s' %s: User/Registry.pol",
				g->name, g->guid);
	if (label == NULL) {
		ret = ENOMEM;
		goto done;
	}
	run->result->smb_reads += 1;
	ret = gpo_smb_read(run, *psmb, g->path, "User/Registry.pol",
			   GPO_MAX_POL_SIZE, &raw, &raw_len, errmsg);
	if (ret == ENOENT) {
		/* no file: no registry settings, unless the GPO is gone */
		ret = gpo_smb_dir_exists(run, *psmb, g->path, &dir, errmsg);
		if (ret == 0 && !dir) {
			cr_seterr(errmsg, "the folder '%s' of GPO '%s' "
				  "%s does not exist on SYSVOL", g->path,
				  g->name, g->guid);
			ret = ENOENT;
		}
		if (ret == 0) {
			out->has_pol = false;
		}
	} else if (ret == 0) {
		ret = gpo_pol_reduce(run, raw, raw_len, label, &out->pol,
				     &out->pol_len, errmsg);
		out->has_pol = (ret == 0);
	}
	if (ret != 0 && errmsg != NULL && *errmsg != NULL &&
	    strstr(*errmsg, g->guid) == NULL) {
		cr_wraperr(errmsg, "%s", label);
	}
	TALLOC_FREE(raw);
done:
	TALLOC_FREE(frame);
	return ret;
}

/* Step 7: the cache for the next run, written only when it changed. */
static void save_cache(struct gpo_run *run, const char *path,
		       struct gpo_cache_pol *pols, size_t num_pols,
		       const struct cr_gpo *gpos, size_t num_gpos)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_gpo_result *r = run->result;
	struct gpo_cache c = {
		.user_dn = (char *)run->user_dn,
		.logon = (char *)(run->logon ? run->logon : ""),
		.pols = pols,
		.num_pols = num_pols,
	};
	uint8_t *data = NULL;
	size_t len = 0;
	char *err = NULL;
	size_t i;
	int ret;

	if (run->logon != NULL) {
		c.sids = (char **)run->sids;
		c.num_sids = run->num_cached_sids;
	}
	c.gpo_dns = talloc_zero_array(frame, char *, num_gpos + 1);
	if (c.gpo_dns == NULL) {
		goto done;
	}
	for (i = 0; i < num_gpos; i++) {
		if (gpos[i].found) {
			c.gpo_dns[c.num_gpo_dns++] = gpos[i].dn;
		}
	}
	ret = gpo_cache_encode(frame, &c, &data, &len, &err);
	if (ret == 0 && run->cache_bytes != NULL && run->cache_len == len &&
	    memcmp(run->cache_bytes, data, len) == 0) {
		goto done;
	}
	if (ret == 0) {
		ret = gpo_cache_write(frame, path, data, len, &err);
	}
	if (ret != 0) {
		r->cache_note = talloc_asprintf(r, "cache not written: %s",
						err ? err : strerror(ret));
	}
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
}

int cr_gpo_user_policy(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
		       const char *user_dn, const char *user_sid,
		       const char *token_sid, const char *cache_path,
		       struct cr_gpo_result **presult, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct gpo_run *run = NULL;
	struct cr_gpo_result *r = NULL;
	struct gpo_smb *smb = NULL;
	struct gpo_cache_pol *pols = NULL;
	size_t num_pols = 0;
	unsigned searches = conn->searches;
	char *err = NULL;
	size_t i;
	int ret;

	*presult = NULL;
	run = talloc_zero(frame, struct gpo_run);
	r = talloc_zero(frame, struct cr_gpo_result);
	if (run == NULL || r == NULL) {
		ret = ENOMEM;
		goto done;
	}
	run->conn = conn;
	run->result = r;
	run->user_dn = user_dn;
	run->user_sid = user_sid;
	run->token_sid = token_sid;
	r->policy = policy_new(r);
	if (r->policy == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = build_soms(run, &err);
	if (ret != 0) {
		goto done;
	}
	if (cache_path != NULL) {
		load_cache(run, cache_path);
	}
	ret = read_soms(run, &err);
	if (ret == 0 && user_sid != NULL) {
		ret = take_user(run, &err);
	}
	if (ret == 0 && r->user_moved) {
		/* the caller finds the user and asks again */
		r->ldap_searches = conn->searches - searches;
		*presult = talloc_move(mem_ctx, &r);
		goto done;
	}
	if (ret == 0) {
		ret = read_new_gpos(run, &err);
	}
	if (ret == 0) {
		ret = read_token(run, &err);
	}
	if (ret == 0) {
		ret = gpo_order(r, run->soms, run->num_soms, &r->gpos,
				&r->num_gpos, &err);
	}
	if (ret != 0) {
		goto done;
	}
	pols = talloc_zero_array(run, struct gpo_cache_pol, r->num_gpos + 1);
	if (pols == NULL) {
		ret = ENOMEM;
		goto done;
	}
	for (i = 0; i < r->num_gpos; i++) {
		struct cr_gpo *g = &r->gpos[i];
		struct gpo_cache_pol *p = NULL;
		struct preg_file *f = NULL;

		ret = judge_gpo(run, g, r->gpos, &err);
		if (ret != 0) {
			goto done;
		}
		if (!g->applied || !g->registry_cse) {
			continue;
		}
		p = &pols[num_pols];
		ret = gpo_pol(run, &smb, g, p, &err);
		if (ret != 0) {
			goto done;
		}
		num_pols++;
		g->has_registry_pol = p->has_pol;
		if (!p->has_pol) {
			continue;
		}
		ret = preg_parse(run, p->pol, p->pol_len, g->name, &f, &err);
		if (ret == 0) {
			ret = policy_apply_preg(r->policy, f, g->name, &err);
		}
		if (ret != 0) {
			goto done;
		}
	}
	r->from_cache = (run->cache != NULL && r->smb_reads == 0);
	if (cache_path != NULL) {
		save_cache(run, cache_path, pols, num_pols, r->gpos,
			   r->num_gpos);
	}
	r->ldap_searches = conn->searches - searches;
	*presult = talloc_move(mem_ctx, &r);
	ret = 0;
done:
	if (ret != 0) {
		if (err != NULL) {
			cr_seterr(errmsg, "%s", err);
		} else {
			cr_seterr(errmsg, "computing the Group Policy "
				  "of '%s': %s", user_dn, strerror(ret));
		}
	}
	TALLOC_FREE(smb);
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return ret;
}
