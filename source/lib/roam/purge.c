/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * `credroam purge`: your own roaming values out of AD; see roam.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "ad/adstore.h"
#include "format/token.h"
#include "keys/keyring.h"
#include "roam/roam.h"
#include "roam/session.h"
#include "util/error.h"
#include "util/fault.h"
#include "util/stackframe.h"

static bool purge_value(const char *value, enum cr_purge_what what)
{
	TALLOC_CTX *frame = NULL;
	struct cr_token *t = NULL;
	uint8_t *bin = NULL;
	size_t len = 0;
	char *dn = NULL;
	bool tomb = false;
	int ret;

	if (what == CR_PURGE_ALL) {
		return true;
	}
	frame = talloc_stackframe();
	ret = cr_dnbinary_parse(frame, value, strlen(value), &bin, &len, &dn,
				NULL, NULL);
	if (ret == 0) {
		ret = cr_token_parse(frame, bin, len, &t, NULL, NULL);
	}
	if (ret == 0) {
		tomb = cr_token_is_tombstone(t);
	}
	TALLOC_FREE(frame);
	return tomb;
}

/* *removed_any: at least one value went (the timestamp must move). */
static int purge_ad(struct cr_roam_session *c,
		    const struct cr_ad_values *vals, enum cr_purge_what what,
		    bool *removed_any, char **errmsg)
{
	size_t i;
	int ret;

	for (i = 0; i < vals->count; i++) {
		bool purge = purge_value(vals->values[i], what);

		if (!purge) {
			continue;
		}
		cr_fault_point("ad-modify", "purge");
		ret = cr_adstore_change_value(c, c->conn, c->report->dn,
					      vals->attr, vals->values[i],
					      NULL, errmsg);
		if (ret == ESTALE) {
			continue;	/* gone already */
		}
		if (ret != 0) {
			return ret;
		}
		*removed_any = true;
		c->report->eroded++;
	}
	return 0;
}

static int purge_local(struct cr_roam_session *c, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_store_view *view = NULL;
	char **names = NULL;
	size_t n = 0;
	size_t i;
	int ret;

	ret = cr_store_load(frame, c->store, &view, errmsg);
	for (i = 0; ret == 0 && i < view->num_tokens; i++) {
		const struct cr_token *t = view->tokens[i].token;
		ret = cr_store_trash_token(c->store, t->type, t->identifier,
					   errmsg);
		c->report->trashed++;
	}
	if (ret == 0) {
		ret = cr_store_list_certs(frame, c->store, &names, &n, errmsg);
	}
	for (i = 0; ret == 0 && i < n; i++) {
		ret = cr_store_trash_cert_file(c->store, names[i], errmsg);
	}
	if (ret == 0) {
		ret = cr_store_unlink_root_file(c->store, "state", errmsg);
	}
	if (ret == 0) {
		ret = cr_store_unlink_root_file(c->store, "state.old",
						errmsg);
	}
	if (ret == 0) {
		cr_keyring_forget(c->report->sid, NULL, NULL);
	}
	TALLOC_FREE(frame);
	return ret;
}

int cr_roam_purge(TALLOC_CTX *mem_ctx, const struct cr_roam_options *opts,
		  enum cr_purge_what what, struct cr_roam_report **preport,
		  char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_roam_session *c = NULL;
	uint8_t ts[CR_TIMESTAMP_LEN];
	bool removed_any = false;
	bool moved_by_other = false;
	int ret;

	*preport = NULL;
	c = cr_roam_session_new(frame, opts);
	if (c == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_roam_session_open(c, errmsg);
	if (ret != 0 || c->report->busy) {
		goto report;
	}
	ret = cr_roam_session_connect(c, errmsg);
	if (ret == 0) {
		ret = cr_roam_session_find_user(c, errmsg);
	}
	if (ret == 0) {
		ret = cr_roam_session_writable_dc(c, errmsg);
	}
	if (ret == 0) {
		ret = cr_adstore_read_tokens(c->conn, c->user, errmsg);
	}
	if (ret == 0) {
		ret = purge_ad(c, &c->user->mkeys, what, &removed_any,
			       errmsg);
	}
	if (ret == 0) {
		ret = purge_ad(c, &c->user->creds, what, &removed_any,
			       errmsg);
	}
	if (ret == 0 && removed_any) {
		ret = cr_roam_session_bump_timestamp(c, ts, &moved_by_other,
						     errmsg);
	}
	if (ret == 0 && what == CR_PURGE_ALL) {
		ret = purge_local(c, errmsg);
	}
	c->report->summary = talloc_asprintf(c->report, "%u values removed "
					     "from AD, %u local tokens moved "
					     "to trash", c->report->eroded,
					     c->report->trashed);
report:
	cr_roam_session_count_costs(c);
	*preport = talloc_steal(mem_ctx, c->report);
done:
	TALLOC_FREE(frame);
	return ret;
}
