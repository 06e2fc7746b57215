/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The actions of one reconciliation, done; see apply.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "ad/adstore.h"
#include "format/token.h"
#include "roam/apply.h"
#include "util/error.h"
#include "util/fault.h"
#include "util/stackframe.h"

/*
 * One LDAP modify deleting the exact old value and adding the new one
 * (DESIGN.md 5.4).  new_token NULL: an erosion, in type's attribute.
 */
static int ad_change(struct cr_roam_session *s, unsigned type,
		     const char *old_value, const struct cr_token *new_token,
		     const char *what, bool *ad_written, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *new_value = NULL;
	const char *attr = NULL;
	enum cr_ad_attr which = CR_AD_CREDENTIALS;
	int ret;

	if (new_token != NULL) {
		type = new_token->type;
		ret = cr_dnbinary_build(frame, new_token->raw,
					new_token->raw_len, s->report->dn,
					&new_value, errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	attr = cr_token_type_attribute(type);
	if (attr != NULL && strcasecmp(attr, CR_ATTR_MASTERKEYS) == 0) {
		which = CR_AD_MASTERKEYS;
	}
	cr_fault_point("ad-modify", what);
	ret = cr_adstore_change_value(frame, s->conn, s->report->dn, which,
				      old_value, new_value, errmsg);
	if (ret == 0) {
		*ad_written = true;
		cr_fault_point("ad-modify-done", what);
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

static int apply_local(struct cr_roam_session *s,
		       const struct cr_roam_view *v,
		       const struct cr_sync_action *a, char **errmsg)
{
	const struct cr_token *rt = NULL;
	int ret = 0;

	switch (a->verb) {
	case CR_SYNC_DOWNLOAD:
		rt = v->remote[a->remote->value_index].token;
		s->report->downloaded++;
		ret = cr_store_put_token(s->store, rt, errmsg);
		break;
	case CR_SYNC_TRASH_LOCAL:
		ret = cr_store_trash_token(s->store, a->type, a->id, errmsg);
		s->report->trashed++;
		if (ret == ENOENT) {
			cr_err_clear(errmsg);	/* gone already */
			ret = 0;
		}
		break;
	default:
		break;
	}
	return ret;
}

static int apply_remote(struct cr_roam_session *s,
			const struct cr_roam_view *v,
			const struct cr_sync_action *a, bool *ad_written,
			char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_roam_remote *rr = NULL;
	const struct cr_token *lt = NULL;
	struct cr_token *tomb = NULL;
	char *what = talloc_asprintf(frame, "%u\\%s", a->type, a->id);
	int ret = 0;

	if (a->remote != NULL) {
		rr = &v->remote[a->remote->value_index];
	}
	switch (a->verb) {
	case CR_SYNC_UPLOAD:
		lt = cr_roam_view_find_local(v, a->type, a->id);
		if (lt == NULL) {
			ret = ENOENT;
			break;
		}
		ret = ad_change(s, a->type, rr ? rr->value : NULL, lt, what,
				ad_written, errmsg);
		s->report->uploaded += ret == 0 ? 1 : 0;
		break;
	case CR_SYNC_TOMBSTONE:
		ret = cr_token_tombstone(frame, rr->token, s->now, &tomb,
					 errmsg);
		if (ret == 0) {
			ret = ad_change(s, a->type, rr->value, tomb, what,
					ad_written, errmsg);
		}
		s->report->tombstoned += ret == 0 ? 1 : 0;
		break;
	case CR_SYNC_ERODE:
		ret = ad_change(s, a->type, rr->value, NULL, what, ad_written,
				errmsg);
		s->report->eroded += ret == 0 ? 1 : 0;
		break;
	default:
		break;
	}
	TALLOC_FREE(frame);
	return ret;
}

static bool verb_is_local(enum cr_sync_verb verb)
{
	return verb == CR_SYNC_DOWNLOAD || verb == CR_SYNC_TRASH_LOCAL;
}

static bool verb_is_remote(enum cr_sync_verb verb)
{
	return verb == CR_SYNC_UPLOAD || verb == CR_SYNC_TOMBSTONE ||
	       verb == CR_SYNC_ERODE;
}

int cr_roam_apply(struct cr_roam_session *s, const struct cr_roam_view *v,
		  const struct cr_sync_result *res, bool *ad_written,
		  char **errmsg)
{
	struct cr_roam_report *report = s->report;
	size_t i;
	int ret = 0;

	for (i = 0; i < res->num_actions; i++) {
		const struct cr_sync_action *a = &res->actions[i];

		if (!verb_is_local(a->verb)) {
			continue;
		}
		ret = apply_local(s, v, a, errmsg);
		cr_roam_note_action(report, a, ret == 0);
		if (ret != 0) {
			return ret;
		}
	}
	for (i = 0; i < res->num_actions; i++) {
		const struct cr_sync_action *a = &res->actions[i];

		if (!verb_is_remote(a->verb)) {
			continue;
		}
		ret = apply_remote(s, v, a, ad_written, errmsg);
		if (ret == ESTALE) {
			return ret;
		}
		cr_roam_note_action(report, a, ret == 0);
		if (ret != 0) {
			cr_wraperr(errmsg, "writing %u\\%s to AD", a->type,
				   a->id);
			report->event = CR_EVENT_AD_WRITE;
			return ret;
		}
	}
	for (i = 0; i < res->num_actions; i++) {
		const struct cr_sync_action *a = &res->actions[i];

		if (!verb_is_local(a->verb) && !verb_is_remote(a->verb)) {
			cr_roam_note_action(report, a, true);
		}
	}
	return 0;
}
