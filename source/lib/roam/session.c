/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Opening what a roaming run needs, and the one AD write every run that
 * changed AD ends with (the timestamp); see session.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ad/dcsel.h"
#include "ad/who.h"
#include "gpo/policy.h"
#include "roam/session.h"
#include "util/encoding.h"
#include "util/error.h"

#define MAX_TIMESTAMP_RETRIES 3

struct cr_roam_session *cr_roam_session_new(
	TALLOC_CTX *mem_ctx, const struct cr_roam_options *opts)
{
	struct cr_roam_session *s = talloc_zero(mem_ctx,
						struct cr_roam_session);
	const char *trigger = opts->trigger ? opts->trigger : "manual";

	if (s == NULL) {
		return NULL;
	}
	s->opts = opts;
	s->now = cr_filetime_now();
	s->report = talloc_zero(s, struct cr_roam_report);
	if (s->report == NULL) {
		TALLOC_FREE(s);
		return NULL;
	}
	s->report->started = s->now;
	s->report->dry_run = opts->dry_run;
	s->report->trigger = talloc_strdup(s->report, trigger);
	return s;
}

/* The session's master keys, over s->conn; the DC in the report. */
static int open_keys(struct cr_roam_session *s, char **errmsg)
{
	int ret;

	s->report->dc = talloc_strdup(s->report, s->conn->dc);
	s->keys = cr_keys_new(s, s->report->sid, s->conn,
			      !s->opts->no_keyring);
	if (s->report->dc == NULL || s->keys == NULL) {
		return ENOMEM;
	}
	if (s->opts->password != NULL) {
		ret = cr_keys_add_password(s->keys, s->opts->password,
					   errmsg);
		if (ret != 0) {
			return ret;
		}
	} else {
		cr_keys_load_keyring(s->keys, NULL);
	}
	return 0;
}

/*
 * The DC credroam.conf prefers ([sync] dc): tried first, the others
 * after it.  A file that does not load is reported later, with the
 * policy; here it only means no preference.
 */
static int configured_dc(struct cr_roam_session *s, const char **pdc)
{
	const char *path = s->opts->conf_path ? s->opts->conf_path
					      : CREDROAM_CONF_PATH;
	struct credroam_conf *conf = NULL;
	char *err = NULL;
	int ret;

	*pdc = NULL;
	ret = credroam_conf_load(s, path, &conf, &err);
	if (ret != 0) {
		cr_err_clear(&err);
		return ret == ENOMEM ? ENOMEM : 0;
	}
	if (conf->dc != NULL) {
		*pdc = talloc_steal(s, conf->dc);
	}
	TALLOC_FREE(conf);
	return 0;
}

int cr_roam_session_open(struct cr_roam_session *s, char **errmsg)
{
	struct cr_who *who = NULL;
	char *path = NULL;
	char *warning = NULL;
	int ret;

	ret = cr_who_by_uid(s, getuid(), &who, errmsg);
	if (ret != 0) {
		return ret;
	}
	s->report->user = talloc_strdup(s->report, who->name);
	s->report->sid = talloc_strdup(s->report, who->sid);
	if (s->opts->store_path != NULL) {
		path = talloc_strdup(s, s->opts->store_path);
	} else {
		ret = cr_store_default_path(s, &path, errmsg);
		if (ret != 0) {
			return ret;
		}
	}
	s->report->store = talloc_strdup(s->report, path);
	ret = cr_store_open(s, path, true, &s->store, errmsg);
	if (ret != 0) {
		return ret;
	}
	ret = cr_store_lock(s->store, s->opts->wait, NULL);
	if (ret == EWOULDBLOCK) {
		s->report->busy = true;
		return 0;
	}
	if (ret != 0) {
		return ret;
	}
	ret = cr_state_load(s, s->store, &s->state, &warning, errmsg);
	if (ret != 0) {
		return ret;
	}
	if (warning != NULL) {
		cr_roam_problem(s->report, 0, "state", "%s", warning);
	}
	return 0;
}

int cr_roam_session_connect(struct cr_roam_session *s, char **errmsg)
{
	struct cr_ad_params params = {
		.dc = s->opts->dc,
	};
	struct cr_dcsel sel = {
		.writable = false,
	};
	int ret;

	ret = configured_dc(s, &sel.preferred);
	if (ret != 0) {
		return ret;
	}
	ret = cr_dcsel_connect(s, &params, &sel, &s->conn, errmsg);
	if (ret != 0) {
		s->report->event = CR_EVENT_AD_READ;
		return ret;
	}
	return open_keys(s, errmsg);
}

/*
 * The DC is read-only: it holds none of the roaming attributes (they are
 * in the filtered attribute set) and refers every write.  Reading there
 * would look like "everything was deleted": take the whole run to a
 * writable DC instead, keys (BKRP) included.
 */
static int leave_rodc(struct cr_roam_session *s, char **errmsg)
{
	struct cr_ad_params params = {
		.dc = NULL,
	};
	struct cr_dcsel sel = {
		.exclude = s->conn->dc,
		.writable = true,
	};
	struct cr_adconn *writable = NULL;
	int ret;

	ret = cr_dcsel_connect(s, &params, &sel, &writable, errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "'%s' is a read-only domain controller, "
			   "which holds no roaming data", s->conn->dc);
		return ret;
	}
	cr_roam_problem(s->report, 0, "AD", "'%s' is a read-only domain "
			"controller: reading and writing at '%s'",
			s->conn->dc, writable->dc);
	TALLOC_FREE(s->keys);
	TALLOC_FREE(s->conn);
	s->conn = writable;
	return open_keys(s, errmsg);
}

const char *cr_roam_session_known_dn(const struct cr_roam_session *s)
{
	const struct cr_state *state = s->state;
	bool known = state->dn != NULL && state->sid != NULL &&
		     strcmp(state->sid, s->report->sid) == 0;

	return known ? state->dn : NULL;
}

int cr_roam_session_set_user(struct cr_roam_session *s,
			     struct cr_ad_user *user)
{
	s->user = talloc_steal(s, user);
	s->report->dn = talloc_strdup(s->report, s->user->dn);
	return s->report->dn != NULL ? 0 : ENOMEM;
}

int cr_roam_session_writable_dc(struct cr_roam_session *s, char **errmsg)
{
	struct cr_ad_user *user = NULL;
	bool rodc = false;
	int ret;

	if (s->user->has_timestamp) {
		/* a read-only DC never holds one */
		return 0;
	}
	/* No timestamp: a user who never roamed, or a read-only DC.  Only
	 * then is it worth asking. */
	ret = cr_dcsel_is_rodc(s->conn, &rodc, errmsg);
	if (ret != 0 || !rodc) {
		return ret;
	}
	if (s->opts->dc != NULL) {
		cr_seterr(errmsg, "'%s' is a read-only domain controller, "
			  "which holds no roaming data; name a writable one",
			  s->conn->dc);
		return EROFS;
	}
	ret = leave_rodc(s, errmsg);
	if (ret != 0) {
		return ret;
	}
	ret = cr_adstore_lookup(s, s->conn, s->report->sid, &user, errmsg);
	if (ret != 0) {
		return ret;
	}
	TALLOC_FREE(s->user);
	return cr_roam_session_set_user(s, user);
}

int cr_roam_session_find_user(struct cr_roam_session *s, char **errmsg)
{
	struct cr_ad_user *user = NULL;
	int ret;

	ret = cr_adstore_lookup(s, s->conn, s->report->sid, &user, errmsg);
	if (ret != 0) {
		return ret;
	}
	return cr_roam_session_set_user(s, user);
}

int cr_roam_session_bump_timestamp(struct cr_roam_session *s,
				   uint8_t new_ts[CR_TIMESTAMP_LEN],
				   bool *moved_by_other, char **errmsg)
{
	unsigned attempt;
	int ret = 0;

	*moved_by_other = false;
	for (attempt = 0; attempt <= MAX_TIMESTAMP_RETRIES; attempt++) {
		struct cr_ad_user *now = NULL;
		const uint8_t *old_ts = NULL;

		if (s->user->has_timestamp) {
			old_ts = s->user->timestamp;
		}
		ret = cr_adstore_bump_timestamp(s, s->conn, s->report->dn,
						old_ts, s->now, new_ts,
						errmsg);
		if (ret != ESTALE) {
			return ret;
		}
		*moved_by_other = true;
		/* Someone moved it first: another machine, or a guarded DC
		 * that moves it with every token change.  Move it on from
		 * what it is now. */
		ret = cr_adstore_lookup_dn(s, s->conn, s->report->dn,
					   s->report->sid, &now, errmsg);
		if (ret != 0) {
			return ret;
		}
		s->user->has_timestamp = now->has_timestamp;
		memcpy(s->user->timestamp, now->timestamp, CR_TIMESTAMP_LEN);
	}
	return ret;
}

void cr_roam_session_count_costs(struct cr_roam_session *s)
{
	if (s->conn != NULL) {
		s->report->ldap_searches = s->conn->searches;
		s->report->ldap_modifies = s->conn->modifies;
	}
	if (s->keys != NULL) {
		s->report->bkrp_calls = cr_keys_bkrp_calls(s->keys);
	}
}
