/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam_guard: the ldb module around cr_guard_review() (guard_module.h).
 *
 * It sits above every access check of the DC, so everything it reads from
 * the request is hostile: names in any form, DNs as <GUID=...>, values of
 * any size.  It only ever forwards the caller's request, or a shallow copy
 * with msPKIRoamingTimeStamp added, to the next module.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <talloc.h>
#include <util/data_blob.h>
#include <util/time.h>
#include <core/ntstatus.h>
#include <core/werror.h>
#include <ldb_module.h>
#include <param.h>
#include <gen_ndr/auth.h>

#include "guard.h"
#include "guard_module.h"
#include "util/error.h"
#include "util/encoding.h"
#include "format/token.h"

/* how many token identities one log line lists (all a review names) */
#define GUARD_LOG_IDS CR_GUARD_REVIEW_IDS

/*
 * Samba's DSDB_CONTROL_DN_STORAGE_FORMAT_OID (dsdb/samdb/samdb.h, not
 * installed): DN values come back as stored, extended components and all.
 */
#define CR_GUARD_DN_STORAGE_FORMAT_OID "1.3.6.1.4.1.7165.4.3.4"

struct guard_private {
	struct cr_guard_limits limits;
	/*
	 * The stack below ends in a local database (a DC's sam.ldb), not
	 * in an LDAP connection: our own reads may skip access checks.
	 */
	bool local;
	/*
	 * Samba's acl module is below us: it answers, as the caller,
	 * which attributes of an object the caller may write.
	 */
	bool acl;
};

struct guard_ctx {
	struct ldb_module *module;
	struct ldb_request *req;
	const struct ldb_message *msg;	/* as the caller sent it */
	bool is_add;
	struct cr_guard_needs needs;	/* what we read of the object */
	struct ldb_message *current;	/* the object, if read */
	/* the caller's allowedAttributesEffective on it, if asked */
	struct ldb_message *access;
	struct cr_guard_review *review;
	char *owner;			/* the object's DN, for the log */
	bool ts_added;			/* we set msPKIRoamingTimeStamp */
};

/* "name:value" among the ldb connect options (ldb_options_find is private) */
static const char *ldb_option(const char **options, const char *name)
{
	size_t n = strlen(name);
	unsigned i;

	for (i = 0; options != NULL && options[i] != NULL; i++) {
		if (strncmp(options[i], name, n) == 0 &&
		    options[i][n] == ':') {
			return options[i] + n + 1;
		}
	}
	return NULL;
}

static size_t option_size(struct ldb_context *ldb, const char *ldb_opt,
			  const char *lp_opt, size_t dflt, size_t ceiling)
{
	struct loadparm_context *lp = NULL;
	const char *s = NULL;
	unsigned long long v = 0;
	char *end = NULL;

	s = ldb_option(ldb_options_get(ldb), ldb_opt);
	if (s != NULL) {
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno != 0 || end == s || *end != '\0' || v == 0 ||
		    v > ceiling) {
			ldb_debug(ldb, LDB_DEBUG_ERROR, CR_GUARD_MODULE_NAME
				  ": option %s:%s is not 1..%zu, using %zu",
				  ldb_opt, s, ceiling, dflt);
			return dflt;
		}
		return (size_t)v;
	}
	lp = talloc_get_type(ldb_get_opaque(ldb, "loadparm"),
			     struct loadparm_context);
	if (lp == NULL) {
		return dflt;
	}
	v = lpcfg_parm_ulonglong(lp, NULL, "credroam", lp_opt, dflt);
	if (v == 0 || v > ceiling) {
		ldb_debug(ldb, LDB_DEBUG_ERROR, CR_GUARD_MODULE_NAME
			  ": credroam:%s = %llu is not 1..%zu, using %zu",
			  lp_opt, v, ceiling, dflt);
		return dflt;
	}
	return (size_t)v;
}

/*
 * What the stack below us is: local when its bottom is not an LDAP
 * connection, and whether Samba's acl module is in it.
 */
static void stack_inspect(struct ldb_module *module,
			  struct guard_private *priv)
{
	struct ldb_module *m = ldb_module_next(module);
	const char *name = NULL;

	priv->local = false;
	priv->acl = false;
	for (; m != NULL; m = ldb_module_next(m)) {
		name = ldb_module_get_name(m);
		if (name != NULL && strcmp(name, "acl") == 0) {
			priv->acl = true;
		}
		if (ldb_module_next(m) == NULL) {
			/* Samba's ldb_ildap calls its backend "ldap" always */
			priv->local = name != NULL && strcmp(name, "ldap") != 0;
		}
	}
}

static int guard_init_context(struct ldb_module *module)
{
	struct ldb_context *ldb = ldb_module_get_ctx(module);
	struct guard_private *priv = NULL;
	int ret;

	/*
	 * The DC builds a stack per LDAP connection: stay cheap and never
	 * fail; without private data the defaults apply.
	 */
	priv = talloc_zero(module, struct guard_private);
	if (priv != NULL) {
		priv->limits.max_token_size = option_size(ldb,
			"credroam_max_token_size", "max token size",
			CR_GUARD_DEFAULT_MAX_TOKEN_SIZE, CR_TOKEN_MAX_SIZE);
		priv->limits.max_tokens = option_size(ldb,
			"credroam_max_tokens", "max tokens",
			CR_GUARD_DEFAULT_MAX_TOKENS,
			CR_GUARD_MAX_TOKENS_CEILING);
		ldb_module_set_private(module, priv);
	}
	/* samba_dsdb splices the DC's real stack in during its own init */
	ret = ldb_next_init(module);
	if (priv != NULL) {
		stack_inspect(module, priv);
	}
	return ret;
}

static const struct cr_guard_limits *guard_limits(struct ldb_module *module,
						  struct cr_guard_limits *tmp)
{
	struct guard_private *priv = talloc_get_type(
		ldb_module_get_private(module), struct guard_private);

	if (priv != NULL) {
		return &priv->limits;
	}
	cr_guard_limits_default(tmp);
	return tmp;
}

static char *sid_string(TALLOC_CTX *mem_ctx, const struct dom_sid *sid)
{
	uint64_t auth = 0;
	char *s = NULL;
	int i;

	if (sid->num_auths < 0 || sid->num_auths > 15) {
		return talloc_strdup(mem_ctx, "S-?");
	}
	for (i = 0; i < 6; i++) {
		auth = (auth << 8) | sid->id_auth[i];
	}
	s = talloc_asprintf(mem_ctx, "S-%u-%" PRIu64,
			    (unsigned)sid->sid_rev_num, auth);
	for (i = 0; i < sid->num_auths && s != NULL; i++) {
		s = talloc_asprintf_append_buffer(s, "-%" PRIu32,
						  sid->sub_auths[i]);
	}
	return s;
}

/*
 * "ROAM\alice (S-1-5-21-...-1103) over LDAP".  The client's address
 * (the "remoteAddress" opaque) would need tsocket_address_string(), which
 * lives in a private Samba library: Samba's own log has it.
 */
static char *guard_who(TALLOC_CTX *mem_ctx, struct ldb_context *ldb)
{
	struct auth_session_info *si = NULL;
	const char *name = NULL;
	const char *domain = NULL;
	const char *where = "locally";
	char *sid = NULL;
	char *who = NULL;

	si = talloc_get_type(ldb_get_opaque(ldb, "sessionInfo"),
			     struct auth_session_info);
	if (ldb_get_opaque(ldb, "remoteAddress") != NULL) {
		where = "over LDAP";
	}
	if (si == NULL) {
		return talloc_asprintf(mem_ctx, "uid %d (no session) %s",
				       (int)getuid(), where);
	}
	if (si->info != NULL) {
		name = si->info->account_name;
		domain = si->info->domain_name;
	}
	if (si->security_token != NULL &&
	    si->security_token->num_sids > 0 &&
	    si->security_token->sids != NULL) {
		sid = sid_string(mem_ctx, &si->security_token->sids[0]);
	}
	who = talloc_asprintf(mem_ctx, "%s%s%s (%s) %s",
			      domain ? domain : "", domain ? "\\" : "",
			      name ? name : "?", sid ? sid : "no SID", where);
	return who;
}

static char *id_list(TALLOC_CTX *mem_ctx, const char **ids, size_t n)
{
	char *s = talloc_strdup(mem_ctx, "");
	size_t i;

	for (i = 0; i < n && i < GUARD_LOG_IDS && s != NULL; i++) {
		s = talloc_asprintf_append_buffer(s, "%s%s", i ? " " : "",
						  ids[i]);
	}
	if (n > GUARD_LOG_IDS && s != NULL) {
		s = talloc_asprintf_append_buffer(s, " and %zu more",
						  n - GUARD_LOG_IDS);
	}
	return s;
}

/* "2/1": the values of each attribute after the change, "-" if unread */
static char *counts(TALLOC_CTX *mem_ctx, const struct cr_guard_review *r)
{
	char *s = talloc_strdup(mem_ctx, "");
	unsigned k;

	for (k = 0; k < 2 && s != NULL; k++) {
		if (r->counted[k]) {
			s = talloc_asprintf_append_buffer(s, "%s%zu",
				k ? "/" : "", r->count_after[k]);
		} else {
			s = talloc_asprintf_append_buffer(s, "%s-",
							  k ? "/" : "");
		}
	}
	return s;
}

static void guard_log_change(struct guard_ctx *ac, int result,
			     const char *errstring)
{
	struct ldb_context *ldb = ldb_module_get_ctx(ac->module);
	TALLOC_CTX *tmp = talloc_new(ac);
	const struct cr_guard_review *r = ac->review;

	if (tmp == NULL) {
		return;
	}
	ldb_debug(ldb, LDB_DEBUG_ERROR, CR_GUARD_MODULE_NAME ": %s of %s by "
		  "%s: added [%s] removed [%s] counts %s%s: %s%s%s",
		  ac->is_add ? "add" : "modify", ac->owner,
		  guard_who(tmp, ldb),
		  id_list(tmp, r->added, r->num_added),
		  id_list(tmp, r->removed, r->num_removed),
		  counts(tmp, r),
		  ac->ts_added ? ", timestamp set by the guard" : "",
		  result == LDB_SUCCESS ? "done" : ldb_strerror(result),
		  (result != LDB_SUCCESS && errstring) ? ": " : "",
		  (result != LDB_SUCCESS && errstring) ? errstring : "");
	TALLOC_FREE(tmp);
}

/* Refuse with code (the LDB error) unless err is ENOMEM. */
static int guard_refuse_code(struct guard_ctx *ac, int err, int code,
			     const char *why)
{
	struct ldb_context *ldb = ldb_module_get_ctx(ac->module);
	TALLOC_CTX *tmp = talloc_new(ac);

	ldb_debug(ldb, LDB_DEBUG_ERROR, CR_GUARD_MODULE_NAME ": refused %s "
		  "of %s by %s: %s", ac->is_add ? "add" : "modify",
		  ac->owner, tmp ? guard_who(tmp, ldb) : "?", why);
	TALLOC_FREE(tmp);
	if (err == ENOMEM) {
		return ldb_module_oom(ac->module);
	}
	/* verbatim to LDAP clients (spec/dc-ldb-module.md 5.7) */
	ldb_asprintf_errstring(ldb, CR_GUARD_MODULE_NAME ": refused on %s: "
			       "%s", ac->owner, why);
	return code;
}

static int guard_refuse(struct guard_ctx *ac, int err, const char *why)
{
	return guard_refuse_code(ac, err, LDB_ERR_CONSTRAINT_VIOLATION, why);
}

static int guard_down_callback(struct ldb_request *down,
			       struct ldb_reply *ares)
{
	struct guard_ctx *ac = talloc_get_type_abort(down->context,
						     struct guard_ctx);
	struct ldb_context *ldb = ldb_module_get_ctx(ac->module);
	int error;

	if (ares == NULL) {
		guard_log_change(ac, LDB_ERR_OPERATIONS_ERROR, NULL);
		return ldb_module_done(ac->req, NULL, NULL,
				       LDB_ERR_OPERATIONS_ERROR);
	}
	if (ares->type == LDB_REPLY_REFERRAL) {
		return ldb_module_send_referral(ac->req, ares->referral);
	}
	error = ares->error;
	if (error == LDB_SUCCESS && ares->type != LDB_REPLY_DONE) {
		talloc_free(ares);
		guard_log_change(ac, LDB_ERR_OPERATIONS_ERROR, NULL);
		return ldb_module_done(ac->req, NULL, NULL,
				       LDB_ERR_OPERATIONS_ERROR);
	}
	guard_log_change(ac, error, ldb_errstring(ldb));
	return ldb_module_done(ac->req, ares->controls, ares->response,
			       error);
}

/* msg plus msPKIRoamingTimeStamp = old[8..15] || now */
static int add_timestamp(struct guard_ctx *ac, struct ldb_message **_msg)
{
	const struct ldb_val *old = NULL;
	struct ldb_message *msg = NULL;
	struct ldb_message_element *el = NULL;
	uint8_t *ts = NULL;
	int ret;

	msg = ldb_msg_copy_shallow(ac, ac->msg);
	ts = talloc_array(msg, uint8_t, CR_GUARD_TIMESTAMP_LEN);
	if (msg == NULL || ts == NULL) {
		return ldb_module_oom(ac->module);
	}
	if (ac->current != NULL) {
		old = ldb_msg_find_ldb_val(ac->current,
					   CR_GUARD_ATTR_TIMESTAMP_NAME);
	}
	cr_guard_timestamp(old ? old->data : NULL, old ? old->length : 0,
			   cr_filetime_now(), ts);
	/* a new element and value array: the copy shares the caller's */
	ret = ldb_msg_add_empty(msg, CR_GUARD_ATTR_TIMESTAMP_NAME,
				ac->is_add ? 0 : LDB_FLAG_MOD_REPLACE, &el);
	if (ret != LDB_SUCCESS) {
		return ret;
	}
	el->values = talloc_array(msg, struct ldb_val, 1);
	if (el->values == NULL) {
		return ldb_module_oom(ac->module);
	}
	el->values[0] = (struct ldb_val) {
		.data = ts, .length = CR_GUARD_TIMESTAMP_LEN
	};
	el->num_values = 1;
	*_msg = msg;
	return LDB_SUCCESS;
}

static int guard_forward(struct guard_ctx *ac)
{
	struct ldb_context *ldb = ldb_module_get_ctx(ac->module);
	const struct ldb_message *msg = ac->msg;
	struct ldb_message *copy = NULL;
	struct ldb_request *down = NULL;
	int ret;

	if (!ac->review->sets_timestamp) {
		ret = add_timestamp(ac, &copy);
		if (ret != LDB_SUCCESS) {
			return ret;
		}
		msg = copy;
		ac->ts_added = true;
	}
	if (ac->is_add) {
		ret = ldb_build_add_req(&down, ldb, ac, msg, ac->req->controls,
					ac, guard_down_callback, ac->req);
	} else {
		ret = ldb_build_mod_req(&down, ldb, ac, msg, ac->req->controls,
					ac, guard_down_callback, ac->req);
	}
	LDB_REQ_SET_LOCATION(down);
	if (ret != LDB_SUCCESS) {
		return ret;
	}
	return ldb_next_request(ac->module, down);
}

/* Decide with what we know about the object, then refuse or forward. */
static int guard_decide(struct guard_ctx *ac)
{
	struct ldb_context *ldb = ldb_module_get_ctx(ac->module);
	struct cr_guard_limits tmp;
	struct ldb_dn *owner = ac->msg->dn;
	char *why = NULL;
	int ret;

	/* the stored DN, not a client's <GUID=...> or odd spelling */
	if (ac->current != NULL) {
		owner = ac->current->dn;
	}
	ac->owner = ldb_dn_get_extended_linearized(ac, owner, 1);
	if (ac->owner == NULL) {
		return ldb_module_oom(ac->module);
	}
	ret = cr_guard_review(ac, ldb, guard_limits(ac->module, &tmp),
			      ac->msg, ac->is_add, owner, ac->current,
			      &ac->needs, &ac->review, &why);
	if (ret != 0) {
		ret = guard_refuse(ac, ret, why ? why : "refused");
		cr_err_clear(&why);
		return ret;
	}
	return guard_forward(ac);
}

/*
 * One reply of a base search the guard makes: the entry into *slot (one at
 * most), then decide() when it is done or the object does not exist.
 */
static int guard_base_reply(struct guard_ctx *ac, struct ldb_reply *ares,
			    struct ldb_message **slot,
			    int (*decide)(struct guard_ctx *ac))
{
	int ret = LDB_SUCCESS;

	if (ares == NULL) {
		return ldb_module_done(ac->req, NULL, NULL,
				       LDB_ERR_OPERATIONS_ERROR);
	}
	if (ares->error == LDB_ERR_NO_SUCH_OBJECT) {
		/* checked against the request's DN; the modify will fail */
		talloc_free(ares);
		ret = decide(ac);
		goto done;
	}
	if (ares->error != LDB_SUCCESS) {
		return ldb_module_done(ac->req, ares->controls,
				       ares->response, ares->error);
	}
	switch (ares->type) {
	case LDB_REPLY_ENTRY:
		if (*slot != NULL) {
			talloc_free(ares);
			ret = ldb_module_operr(ac->module);
			goto done;
		}
		*slot = talloc_steal(ac, ares->message);
		break;
	case LDB_REPLY_REFERRAL:
		break;
	case LDB_REPLY_DONE:
		talloc_free(ares);
		ret = decide(ac);
		goto done;
	}
	talloc_free(ares);
	return LDB_SUCCESS;
done:
	if (ret != LDB_SUCCESS) {
		return ldb_module_done(ac->req, NULL, NULL, ret);
	}
	return LDB_SUCCESS;
}

static int guard_search_callback(struct ldb_request *search,
				 struct ldb_reply *ares)
{
	struct guard_ctx *ac = talloc_get_type_abort(search->context,
						     struct guard_ctx);

	return guard_base_reply(ac, ares, &ac->current, guard_decide);
}

static bool touches_tokens(const struct ldb_message *msg)
{
	unsigned i;

	for (i = 0; i < msg->num_elements; i++) {
		enum cr_guard_attr a = cr_guard_classify(msg->elements[i].name);

		if (a == CR_GUARD_ATTR_CREDENTIALS ||
		    a == CR_GUARD_ATTR_MASTER_KEYS) {
			return true;
		}
	}
	return false;
}

static struct guard_ctx *guard_ctx_new(struct ldb_module *module,
				       struct ldb_request *req,
				       const struct ldb_message *msg,
				       bool is_add)
{
	struct guard_ctx *ac = talloc_zero(req, struct guard_ctx);

	if (ac == NULL) {
		return NULL;
	}
	ac->module = module;
	ac->req = req;
	ac->msg = msg;
	ac->is_add = is_add;
	/* as the client named it, until the object is read */
	ac->owner = ldb_dn_get_extended_linearized(ac, msg->dn, 1);
	if (ac->owner == NULL) {
		TALLOC_FREE(ac);
	}
	return ac;
}

/*
 * Before any work that grows with the values: refuse a change that names
 * more of them than any acceptable change does.
 */
static int guard_bound(struct guard_ctx *ac, struct cr_guard_size *size)
{
	struct cr_guard_limits tmp;
	char *why = NULL;
	int ret;

	ret = cr_guard_bound(ac, guard_limits(ac->module, &tmp), ac->msg,
			     ac->is_add, size, &why);
	if (ret != 0) {
		return guard_refuse(ac, ret, why ? why : "refused");
	}
	return LDB_SUCCESS;
}

static int guard_add(struct ldb_module *module, struct ldb_request *req)
{
	const struct ldb_message *msg = req->op.add.message;
	struct guard_ctx *ac = NULL;
	struct cr_guard_size size;
	int ret;

	if (ldb_dn_is_special(msg->dn) || !touches_tokens(msg)) {
		return ldb_next_request(module, req);
	}
	ac = guard_ctx_new(module, req, msg, true);
	if (ac == NULL) {
		return ldb_module_oom(module);
	}
	ret = guard_bound(ac, &size);
	if (ret != LDB_SUCCESS) {
		return ret;
	}
	return guard_decide(ac);
}

/* What the review needs of the stored object, into ac->needs. */
static int guard_plan(struct guard_ctx *ac)
{
	bool permissive;
	int ret;

	permissive = ldb_request_get_control(
		ac->req, LDB_CONTROL_PERMISSIVE_MODIFY_OID) != NULL;
	ret = cr_guard_plan(ac->msg, false, permissive, &ac->needs);
	if (ret != 0) {
		return ldb_module_oom(ac->module);
	}
	return LDB_SUCCESS;
}

/*
 * Read what the review needs of the stored object (ac->needs), then
 * decide.
 */
static int guard_read(struct guard_ctx *ac)
{
	struct ldb_context *ldb = ldb_module_get_ctx(ac->module);
	struct guard_private *priv = NULL;
	struct ldb_request *search = NULL;
	const char **attrs = NULL;
	unsigned n = 0;
	int ret;

	/*
	 * The client's usual update (delete the old value, add the new one,
	 * set the timestamp) needs nothing stored: no read at all.
	 */
	if (!cr_guard_needs_any(&ac->needs)) {
		return guard_decide(ac);
	}
	attrs = talloc_zero_array(ac, const char *, 4);
	if (attrs == NULL) {
		return ldb_module_oom(ac->module);
	}
	/* the old timestamp is small: always, so the list is never empty */
	if (ac->needs.values[0]) {
		attrs[n++] = CR_ATTR_CREDENTIALS;
	}
	if (ac->needs.values[1]) {
		attrs[n++] = CR_ATTR_MASTER_KEYS;
	}
	attrs[n] = CR_GUARD_ATTR_TIMESTAMP_NAME;
	ret = ldb_build_search_req(&search, ldb, ac, ac->msg->dn,
				   LDB_SCOPE_BASE, "(objectClass=*)", attrs,
				   NULL, ac, guard_search_callback, ac->req);
	LDB_REQ_SET_LOCATION(search);
	if (ret != LDB_SUCCESS) {
		return ret;
	}
	/*
	 * On the DC: what we read only counts values and dates the change,
	 * nothing of it reaches the caller, so read it as the system.  That
	 * spares the per-attribute read checks (about a third of the
	 * guard's cost) and keeps the count limit for a writer who may
	 * write but not read the attribute.  Never over LDAP: the control
	 * is Samba-internal.
	 */
	priv = talloc_get_type(ldb_module_get_private(ac->module),
			       struct guard_private);
	if (priv != NULL && priv->local) {
		ret = ldb_request_add_control(search, LDB_CONTROL_AS_SYSTEM_OID,
					      false, NULL);
		if (ret != LDB_SUCCESS) {
			return ret;
		}
		/*
		 * The values as stored: the review compares only their
		 * binary part, so the DN part need not be turned back
		 * into the client's form, value by value.
		 */
		ret = ldb_request_add_control(search,
					      CR_GUARD_DN_STORAGE_FORMAT_OID,
					      false, NULL);
		if (ret != LDB_SUCCESS) {
			return ret;
		}
	}
	return ldb_next_request(ac->module, search);
}

/* Whether attrs (values of allowedAttributesEffective) holds name. */
static bool attr_listed(const struct ldb_message_element *attrs,
			const char *name)
{
	unsigned i;

	for (i = 0; attrs != NULL && i < attrs->num_values; i++) {
		const struct ldb_val *v = &attrs->values[i];

		if (v->length == strlen(name) &&
		    strncasecmp((const char *)v->data, name, v->length) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * The caller's allowedAttributesEffective on the object has arrived:
 * every attribute the change names must be in it, or the change is
 * refused without a stored value read or a token decoded.  Not only the
 * token attributes: the DC refuses a modify with any attribute the caller
 * may not write (the bench's refused-full: a full object and one
 * adminCount element), so reading thousands of stored values first would
 * be work for a modify that cannot succeed.  (Rights outside
 * write-property, a validated SPN write or a password change, do not
 * show there: a change this big that mixes one in is refused; split it.)
 */
static int guard_access_decide(struct guard_ctx *ac)
{
	const struct ldb_message_element *allowed = NULL;
	unsigned i;
	int ret;

	if (ac->access == NULL) {
		return guard_refuse_code(ac, EINVAL, LDB_ERR_NO_SUCH_OBJECT,
			"no such object, or the caller cannot see it");
	}
	allowed = ldb_msg_find_element(ac->access,
				       "allowedAttributesEffective");
	for (i = 0; i < ac->msg->num_elements; i++) {
		enum cr_guard_attr attr = cr_guard_classify(
			ac->msg->elements[i].name);
		const char *name = ac->msg->elements[i].name;
		char *why = NULL;

		if (attr == CR_GUARD_ATTR_CREDENTIALS ||
		    attr == CR_GUARD_ATTR_MASTER_KEYS ||
		    attr == CR_GUARD_ATTR_TIMESTAMP) {
			name = cr_guard_attr_name(attr);
		}
		if (attr_listed(allowed, name)) {
			continue;
		}
		why = talloc_asprintf(ac, "the caller may not write %s (a "
				      "change this big is checked for that "
				      "before its values are)", name);
		return guard_refuse_code(ac, why ? EINVAL : ENOMEM,
					 LDB_ERR_INSUFFICIENT_ACCESS_RIGHTS,
					 why);
	}
	/*
	 * The same answer holds the object's DN and, when the caller may
	 * read it, the timestamp: then a change whose count cannot grow
	 * (as many distinct values deleted as added) needs no second read
	 * of the object.  A timestamp that did not come back is unset or
	 * hidden from the caller: read it as the system, as before.
	 * Planned only now: it decodes the deleted values.
	 */
	ret = guard_plan(ac);
	if (ret != LDB_SUCCESS) {
		return ret;
	}
	if (!ac->needs.values[0] && !ac->needs.values[1] &&
	    (!ac->needs.timestamp ||
	     ldb_msg_find_element(ac->access,
				  CR_GUARD_ATTR_TIMESTAMP_NAME) != NULL)) {
		ac->current = talloc_move(ac, &ac->access);
		return guard_decide(ac);
	}
	TALLOC_FREE(ac->access);
	return guard_read(ac);
}

static int guard_access_callback(struct ldb_request *search,
				 struct ldb_reply *ares)
{
	struct guard_ctx *ac = talloc_get_type_abort(search->context,
						     struct guard_ctx);

	return guard_base_reply(ac, ares, &ac->access, guard_access_decide);
}


/*
 * May the caller write the token attributes of the object at all?  The
 * DC's acl module answers it, as the caller, through the constructed
 * attribute allowedAttributesEffective (the same write-property check
 * its modify makes): a search of one attribute, cheap next to reviewing
 * thousands of values for a modify it would refuse anyway.
 */
static int guard_check_access(struct guard_ctx *ac)
{
	struct ldb_context *ldb = ldb_module_get_ctx(ac->module);
	static const char * const attrs[] = {
		"allowedAttributesEffective", CR_GUARD_ATTR_TIMESTAMP_NAME,
		NULL
	};
	struct ldb_request *search = NULL;
	int ret;

	/*
	 * The timestamp is one small value: asking it here may spare the
	 * second read (guard_access_decide).
	 */
	ret = ldb_build_search_req(&search, ldb, ac, ac->msg->dn,
				   LDB_SCOPE_BASE, "(objectClass=*)", attrs,
				   NULL, ac, guard_access_callback, ac->req);
	LDB_REQ_SET_LOCATION(search);
	if (ret != LDB_SUCCESS) {
		return ret;
	}
	return ldb_next_request(ac->module, search);
}

static int guard_modify(struct ldb_module *module, struct ldb_request *req)
{
	const struct ldb_message *msg = req->op.mod.message;
	struct guard_private *priv = NULL;
	struct guard_ctx *ac = NULL;
	struct cr_guard_size size;
	int ret;

	if (ldb_dn_is_special(msg->dn) || !touches_tokens(msg)) {
		return ldb_next_request(module, req);
	}
	ac = guard_ctx_new(module, req, msg, false);
	if (ac == NULL) {
		return ldb_module_oom(module);
	}
	ret = guard_bound(ac, &size);
	if (ret != LDB_SUCCESS) {
		return ret;
	}
	/*
	 * The guard runs before the DC's access checks: a big change is
	 * only reviewed for a caller who may make it.  On the client's own
	 * connection the check would be a round trip for nothing.
	 */
	priv = talloc_get_type(ldb_module_get_private(module),
			       struct guard_private);
	if (!cr_guard_size_is_small(&size) && priv != NULL && priv->local &&
	    priv->acl) {
		return guard_check_access(ac);
	}
	ret = guard_plan(ac);
	if (ret != LDB_SUCCESS) {
		return ret;
	}
	return guard_read(ac);
}

static const struct ldb_module_ops guard_ops = {
	.name = CR_GUARD_MODULE_NAME,
	.init_context = guard_init_context,
	.add = guard_add,
	.modify = guard_modify,
};

const struct ldb_module_ops *cr_guard_module_ops(void)
{
	return &guard_ops;
}

int cr_guard_register(void)
{
	int ret = ldb_register_module(&guard_ops);

	if (ret == LDB_SUCCESS || ret == LDB_ERR_ENTRY_ALREADY_EXISTS) {
		return 0;
	}
	return EIO;
}
