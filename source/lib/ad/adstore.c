/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The roaming attributes of one user object; see adstore.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <talloc.h>
#include <ldb.h>
#include <util/discard.h>

#include "ad/adstore.h"
#include "ad/dcverify.h"
#include "util/cursor.h"
#include "util/error.h"
#include "util/stackframe.h"

/* Ranged retrieval pages are at most this many loops, i.e. 10^6 values. */
#define CR_AD_MAX_RANGE_PAGES 1000

const char *cr_ad_attr_name(enum cr_ad_attr attr)
{
	return (attr == CR_AD_MASTERKEYS) ? CR_ATTR_MASTERKEYS
					  : CR_ATTR_CREDENTIALS;
}

/* Map an ldb result to errno with a message naming what was attempted. */
static int ldb_fail(TALLOC_CTX *mem_ctx, struct cr_adconn *conn, int rc,
		    char **errmsg, const char *what, const char *dn)
{
	const char *why = ldb_errstring(conn->ldb);

	cr_seterr(errmsg, "%s on '%s' at %s failed: %s", what, dn,
		  conn->dc, (why && why[0]) ? why : ldb_strerror(rc));
	switch (rc) {
	case LDB_ERR_INSUFFICIENT_ACCESS_RIGHTS:
	case LDB_ERR_INVALID_CREDENTIALS:
	case LDB_ERR_STRONG_AUTH_REQUIRED:
		return EACCES;
	case LDB_ERR_NO_SUCH_OBJECT:
		return ENOENT;
	case LDB_ERR_REFERRAL:
		/* a read-only DC refers writes elsewhere: never retried */
		return EROFS;
	case LDB_ERR_NO_SUCH_ATTRIBUTE:
	case LDB_ERR_ATTRIBUTE_OR_VALUE_EXISTS:
		return ESTALE;
	case LDB_ERR_SIZE_LIMIT_EXCEEDED:
	case LDB_ERR_ADMIN_LIMIT_EXCEEDED:
		return E2BIG;
	case LDB_ERR_TIME_LIMIT_EXCEEDED:
		return ETIMEDOUT;
	case LDB_ERR_UNAVAILABLE:
	case LDB_ERR_BUSY:
	case LDB_ERR_OTHER:
	case LDB_ERR_OPERATIONS_ERROR:
		return EIO;
	default:
		return EIO;
	}
}

/* A synchronous request with our timeout (ldb_search has none). */
static int run_request(struct cr_adconn *conn, struct ldb_request *req)
{
	int rc;

	ldb_set_timeout(conn->ldb, req, conn->timeout);
	rc = ldb_request(conn->ldb, req);
	if (rc == LDB_SUCCESS) {
		rc = ldb_wait(req->handle, LDB_WAIT_ALL);
	}
	return rc;
}

static int search(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
		  const char *base, enum ldb_scope scope, const char *filter,
		  const char * const *attrs, struct ldb_result **pres)
{
	struct ldb_result *res = NULL;
	struct ldb_request *req = NULL;
	struct ldb_dn *dn = NULL;
	int rc;

	*pres = NULL;
	res = talloc_zero(mem_ctx, struct ldb_result);
	dn = ldb_dn_new(res, conn->ldb, base);
	if (res == NULL || dn == NULL) {
		talloc_free(res);
		return LDB_ERR_OPERATIONS_ERROR;
	}
	rc = ldb_build_search_req(&req, conn->ldb, res, dn, scope, filter,
				  attrs, NULL, res,
				  ldb_search_default_callback, NULL);
	if (rc == LDB_SUCCESS) {
		conn->searches += 1;
		rc = run_request(conn, req);
	}
	if (rc != LDB_SUCCESS) {
		talloc_free(res);
		return rc;
	}
	*pres = res;
	return LDB_SUCCESS;
}

static int search_base(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
		       const char *base, const char * const *attrs,
		       struct ldb_result **pres)
{
	return search(mem_ctx, conn, base, LDB_SCOPE_BASE, "(objectClass=*)",
		      attrs, pres);
}

static int naming_context(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
			  char **pbase, char **errmsg)
{
	const char * const attrs[] = { "defaultNamingContext", NULL };
	struct ldb_result *res = NULL;
	const char *base = NULL;
	int rc;

	*pbase = NULL;
	rc = search_base(mem_ctx, conn, "", attrs, &res);
	if (rc != LDB_SUCCESS) {
		return ldb_fail(mem_ctx, conn, rc, errmsg, "reading rootDSE",
				conn->dc);
	}
	if (res->count == 1) {
		base = ldb_msg_find_attr_as_string(res->msgs[0],
						   "defaultNamingContext",
						   NULL);
	}
	if (base == NULL) {
		cr_seterr(errmsg, "'%s' has no defaultNamingContext; "
			  "is it an Active Directory DC?", conn->dc);
		talloc_free(res);
		return EIO;
	}
	*pbase = talloc_strdup(mem_ctx, base);
	talloc_free(res);
	return (*pbase != NULL) ? 0 : ENOMEM;
}

/* The user as one search result shows it. */
static int fill_user(struct cr_ad_user *user, const struct ldb_message *msg,
		     const char *sid)
{
	const struct ldb_val *ts = NULL;

	user->dn = talloc_strdup(user, ldb_dn_get_linearized(msg->dn));
	user->sid = talloc_strdup(user, sid);
	if (user->dn == NULL || user->sid == NULL) {
		return ENOMEM;
	}
	user->usn_changed = ldb_msg_find_attr_as_uint64(msg, "uSNChanged", 0);
	ts = ldb_msg_find_ldb_val(msg, CR_ATTR_TIMESTAMP);
	if (ts != NULL && ts->length == CR_TIMESTAMP_LEN) {
		memcpy(user->timestamp, ts->data, CR_TIMESTAMP_LEN);
		user->has_timestamp = true;
	}
	return 0;
}

int cr_adstore_lookup(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
		      const char *sid, struct cr_ad_user **puser,
		      char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char * const attrs[] = {
		CR_ATTR_TIMESTAMP, "uSNChanged", NULL,
	};
	struct cr_ad_user *user = NULL;
	struct ldb_result *res = NULL;
	char *base = NULL;
	char *filter = NULL;
	int rc;
	int ret;

	*puser = NULL;
	user = talloc_zero(frame, struct cr_ad_user);
	filter = talloc_asprintf(frame, "(objectSid=%s)", sid);
	if (user == NULL || filter == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (strspn(sid, "S-0123456789") != strlen(sid)) {
		cr_seterr(errmsg, "'%s' is not a SID", sid);
		ret = EINVAL;
		goto done;
	}
	ret = naming_context(frame, conn, &base, errmsg);
	if (ret != 0) {
		goto done;
	}
	rc = search(frame, conn, base, LDB_SCOPE_SUBTREE, filter, attrs,
		    &res);
	if (rc != LDB_SUCCESS) {
		ret = ldb_fail(mem_ctx, conn, rc, errmsg, "looking up user",
			       sid);
		goto done;
	}
	if (res->count != 1) {
		cr_seterr(errmsg, "no user object with SID '%s' is "
			  "visible at %s", sid, conn->dc);
		ret = ENOENT;
		goto done;
	}
	ret = fill_user(user, res->msgs[0], sid);
	if (ret != 0) {
		goto done;
	}
	*puser = talloc_move(mem_ctx, &user);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_adstore_lookup_dn(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
			 const char *dn, const char *sid,
			 struct cr_ad_user **puser, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char * const attrs[] = {
		CR_ATTR_TIMESTAMP, "uSNChanged", NULL,
	};
	struct cr_ad_user *user = NULL;
	struct ldb_result *res = NULL;
	char *filter = NULL;
	int rc;
	int ret;

	*puser = NULL;
	if (strspn(sid, "S-0123456789") != strlen(sid)) {
		cr_seterr(errmsg, "'%s' is not a SID", sid);
		ret = EINVAL;
		goto done;
	}
	user = talloc_zero(frame, struct cr_ad_user);
	filter = talloc_asprintf(frame, "(objectSid=%s)", sid);
	if (user == NULL || filter == NULL) {
		ret = ENOMEM;
		goto done;
	}
	rc = search(frame, conn, dn, LDB_SCOPE_BASE, filter, attrs, &res);
	if (rc == LDB_ERR_NO_SUCH_OBJECT ||
	    (rc == LDB_SUCCESS && res->count != 1)) {
		cr_seterr(errmsg, "'%s' is not (any more) the object "
			  "of SID '%s'", dn, sid);
		ret = ENOENT;
		goto done;
	}
	if (rc != LDB_SUCCESS) {
		ret = ldb_fail(mem_ctx, conn, rc, errmsg, "reading user", dn);
		goto done;
	}
	ret = fill_user(user, res->msgs[0], sid);
	if (ret != 0) {
		goto done;
	}
	*puser = talloc_move(mem_ctx, &user);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_adstore_user_from_msg(TALLOC_CTX *mem_ctx,
			     const struct ldb_message *msg, const char *sid,
			     struct cr_ad_user **puser, char **errmsg)
{
	struct cr_ad_user *user = NULL;
	int ret = ENOMEM;

	*puser = NULL;
	user = talloc_zero(mem_ctx, struct cr_ad_user);
	if (user != NULL) {
		ret = fill_user(user, msg, sid);
	}
	if (ret != 0) {
		TALLOC_FREE(user);
		cr_err_nomem(errmsg, ret);
		return ret;
	}
	*puser = user;
	return 0;
}

/*
 * Find the values of attr in msg: either "attr" (the DC sent everything)
 * or "attr;range=LOW-HIGH" (a Windows DC pages above MaxValRange).
 * *next is the next page's start, or 0 when this was the last page.
 */
static const struct ldb_message_element *find_range(
	const struct ldb_message *msg, const char *attr, uint64_t *next)
{
	size_t alen = strlen(attr);
	unsigned i;

	*next = 0;
	for (i = 0; i < msg->num_elements; i++) {
		const char *name = msg->elements[i].name;
		const char *high = NULL;
		char *end = NULL;
		uint64_t h;

		if (strncasecmp(name, attr, alen) != 0) {
			continue;
		}
		if (name[alen] == '\0') {
			return &msg->elements[i];
		}
		if (strncasecmp(name + alen, ";range=", 7) != 0) {
			continue;
		}
		high = strchr(name + alen + 7, '-');
		if (high == NULL) {
			continue;
		}
		if (strcmp(high + 1, "*") != 0) {
			errno = 0;
			h = strtoull(high + 1, &end, 10);
			if (errno == 0 && end != NULL && *end == '\0') {
				*next = h + 1;
			}
		}
		return &msg->elements[i];
	}
	return NULL;
}

static int read_attr(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
		     const char *dn, enum cr_ad_attr which,
		     struct cr_ad_values *out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char *attr = cr_ad_attr_name(which);
	char **values = NULL;
	size_t count = 0;
	uint64_t start = 0;
	unsigned page;
	int ret = 0;

	values = talloc_zero_array(frame, char *, 1);
	if (values == NULL) {
		ret = ENOMEM;
		goto done;
	}
	for (page = 0; page < CR_AD_MAX_RANGE_PAGES; page++) {
		const char *attrs[2] = { NULL, NULL };
		const struct ldb_message_element *el = NULL;
		struct ldb_result *res = NULL;
		char **grown = NULL;
		uint64_t next = 0;
		unsigned i;
		int rc;

		attrs[0] = (page == 0) ? attr
			: talloc_asprintf(frame, "%s;range=%" PRIu64 "-*",
					  attr, start);
		if (attrs[0] == NULL) {
			ret = ENOMEM;
			goto done;
		}
		rc = search_base(frame, conn, dn, attrs, &res);
		if (rc != LDB_SUCCESS) {
			ret = ldb_fail(mem_ctx, conn, rc, errmsg,
				       "reading roaming tokens", dn);
			goto done;
		}
		if (res->count != 1) {
			cr_seterr(errmsg, "user object '%s' vanished "
				  "while reading %s", dn, attr);
			ret = ENOENT;
			goto done;
		}
		el = find_range(res->msgs[0], attr, &next);
		if (el == NULL) {
			break;
		}
		if (el->num_values > SIZE_MAX / sizeof(char *) - count - 1) {
			ret = ENOMEM;
			goto done;
		}
		grown = talloc_realloc(frame, values, char *,
				       count + el->num_values + 1);
		if (grown == NULL) {
			ret = ENOMEM;
			goto done;
		}
		values = grown;
		for (i = 0; i < el->num_values; i++) {
			values[count] = talloc_strndup(values,
				(const char *)el->values[i].data,
				el->values[i].length);
			if (values[count] == NULL) {
				ret = ENOMEM;
				goto done;
			}
			count++;
		}
		values[count] = NULL;
		TALLOC_FREE(res);
		if (next == 0 || next <= start) {
			break;
		}
		start = next;
	}
	out->attr = which;
	out->count = count;
	out->values = talloc_move(mem_ctx, &values);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_adstore_read_tokens(struct cr_adconn *conn, struct cr_ad_user *user,
			   char **errmsg)
{
	int ret;

	ret = read_attr(user, conn, user->dn, CR_AD_CREDENTIALS,
			&user->creds, errmsg);
	if (ret != 0) {
		return ret;
	}
	return read_attr(user, conn, user->dn, CR_AD_MASTERKEYS,
			 &user->mkeys, errmsg);
}

/*
 * Every write goes through here: only to a writable DC whose identity was
 * checked over this connection (dcverify.h), then the modify.
 */
static int modify(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
		  struct ldb_message *msg, const char *what, const char *dn,
		  char **errmsg)
{
	struct ldb_request *req = NULL;
	int rc;
	int ret;

	ret = cr_dcverify(conn, CR_DC_NEED_WRITE, errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "%s on '%s'", what, dn);
		return ret;
	}
	rc = ldb_build_mod_req(&req, conn->ldb, msg, msg, NULL, NULL,
			       ldb_op_default_callback, NULL);
	if (rc == LDB_SUCCESS) {
		conn->modifies += 1;
		rc = run_request(conn, req);
	}
	if (rc != LDB_SUCCESS) {
		return ldb_fail(mem_ctx, conn, rc, errmsg, what, dn);
	}
	return 0;
}

static int add_element(struct ldb_message *msg, const char *attr, int flags,
		       const void *data, size_t len)
{
	struct ldb_message_element *el = NULL;
	struct ldb_val v = {
		.data = discard_const_p(uint8_t, data),
		.length = len,
	};
	int rc;

	rc = ldb_msg_add_empty(msg, attr, flags, &el);
	if (rc != LDB_SUCCESS) {
		return rc;
	}
	/*
	 * Into this element: ldb_msg_add_value() would look the name up and
	 * append to the first element of that name, turning "delete old, add
	 * new" into "delete old and new, add nothing".
	 */
	return ldb_msg_element_add_value(msg->elements, el, &v);
}

int cr_adstore_change_value(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
			    const char *dn, enum cr_ad_attr attr,
			    const char *old_value, const char *new_value,
			    char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char *name = cr_ad_attr_name(attr);
	struct ldb_message *msg = NULL;
	int rc = LDB_SUCCESS;
	int ret;

	msg = ldb_msg_new(frame);
	if (msg == NULL) {
		ret = ENOMEM;
		goto done;
	}
	msg->dn = ldb_dn_new(msg, conn->ldb, dn);
	if (msg->dn == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (old_value != NULL) {
		rc = add_element(msg, name, LDB_FLAG_MOD_DELETE, old_value,
				 strlen(old_value));
	}
	if (rc == LDB_SUCCESS && new_value != NULL) {
		rc = add_element(msg, name, LDB_FLAG_MOD_ADD, new_value,
				 strlen(new_value));
	}
	if (rc != LDB_SUCCESS) {
		ret = ENOMEM;
		goto done;
	}
	if (msg->num_elements == 0) {
		ret = 0;
		goto done;
	}
	ret = modify(mem_ctx, conn, msg,
		     old_value && new_value ? "replacing a value of "
		     CR_ATTR_CREDENTIALS "/" CR_ATTR_MASTERKEYS
		     : new_value ? "adding a roaming token"
		     : "deleting a roaming token", dn, errmsg);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_adstore_bump_timestamp(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
			      const char *dn, const uint8_t *old_ts,
			      uint64_t now,
			      uint8_t new_ts[CR_TIMESTAMP_LEN],
			      char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct ldb_message *msg = NULL;
	uint8_t value[CR_TIMESTAMP_LEN];
	int rc = LDB_SUCCESS;
	int ret;

	/* previous change time first, this change's time last */
	if (old_ts != NULL) {
		memcpy(value, old_ts + 8, 8);
	} else {
		cr_store_le64(value, now);
	}
	cr_store_le64(value + 8, now);

	msg = ldb_msg_new(frame);
	if (msg == NULL) {
		ret = ENOMEM;
		goto done;
	}
	msg->dn = ldb_dn_new(msg, conn->ldb, dn);
	if (msg->dn == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (old_ts != NULL) {
		rc = add_element(msg, CR_ATTR_TIMESTAMP, LDB_FLAG_MOD_DELETE,
				 old_ts, CR_TIMESTAMP_LEN);
	}
	if (rc == LDB_SUCCESS) {
		rc = add_element(msg, CR_ATTR_TIMESTAMP, LDB_FLAG_MOD_ADD,
				 value, sizeof(value));
	}
	if (rc != LDB_SUCCESS) {
		ret = ENOMEM;
		goto done;
	}
	ret = modify(mem_ctx, conn, msg, "updating " CR_ATTR_TIMESTAMP, dn,
		     errmsg);
	if (ret != 0) {
		goto done;
	}
	memcpy(new_ts, value, CR_TIMESTAMP_LEN);
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}
