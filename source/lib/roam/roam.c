/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One roaming run; see roam.h and DESIGN.md sections 3 to 5.  This file
 * only orders the steps; each step is its own file:
 *
 *   session.c        who, store (locked), state, AD, keys
 *   view.c           L, R and S, with the upload filters' facts
 *   local_changes.c  what the user did in certs/
 *   sync.c           every rule of the reconciliation
 *   apply.c          the decided writes, local then AD
 *   materialize.c    certs/ made to match roaming/
 *   report.c         the report, its summary line and JSON
 *
 * The order of the steps is what makes a killed run safe to repeat:
 * local changes the user made in certs/ become tokens in roaming/ first
 * (deterministic names, so a repeat writes the same identities), then the
 * reconciliation's local writes, then its AD writes, then the timestamp,
 * then the usable files, and the state last.  Whatever happened before a
 * kill is seen by the next run as "already in sync" or "changed on one
 * side", never as a loss.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "roam/apply.h"
#include "roam/local_changes.h"
#include "roam/materialize.h"
#include "roam/roam.h"
#include "roam/session.h"
#include "roam/sync.h"
#include "roam/view.h"
#include "util/encoding.h"
#include "util/error.h"
#include "util/fault.h"
#include "util/stackframe.h"

#define MAX_CONFLICT_RETRIES 3
#define POLICY_OFF_FILE "policy-off"

/* ---- policy and the fast path ---------------------------------------- */

static char *policy_digest(TALLOC_CTX *mem_ctx, const struct policy *p)
{
	uint8_t d[CR_SHA1_LEN];
	uint32_t vals[POLICY_NUM];
	size_t i;

	for (i = 0; i < POLICY_NUM; i++) {
		vals[i] = p->v[i].value;
	}
	cr_sha1(vals, sizeof(vals), d);
	return cr_hex_upper(mem_ctx, d, sizeof(d));
}

static struct cr_sync_policy sync_policy_of(const struct policy *p,
					    uint64_t now)
{
	return (struct cr_sync_policy) {
		.tombstone_days = p->v[POLICY_TOMBSTONE_DAYS].value,
		.max_tokens = p->v[POLICY_MAX_NUM_TOKENS].value,
		.max_token_size = p->v[POLICY_MAX_TOKEN_SIZE].value,
		.roam_unaffiliated_keys =
			p->v[POLICY_ROAM_UNAFFILIATED_KEYS].value != 0,
		.roam_unused_dpapi_keys =
			p->v[POLICY_ROAM_UNUSED_DPAPI_KEYS].value != 0,
		.roam_smart_card_certificates =
			p->v[POLICY_ROAM_SMART_CARD_CERTS].value != 0,
		.now = now,
	};
}

/* The effective policy (Group Policy over the local configuration). */
static int compute_policy(struct cr_roam_session *s, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_roam_report *r = s->report;
	const char *conf_path = s->opts->conf_path;
	struct credroam_conf *conf = NULL;
	char *cache = NULL;
	int ret;

	if (conf_path == NULL) {
		conf_path = CREDROAM_CONF_PATH;
	}
	ret = credroam_conf_load(frame, conf_path, &conf, errmsg);
	if (ret != 0) {
		goto done;
	}
	cache = talloc_asprintf(frame, "%s/gpo-cache", s->store->root);
	if (cache == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_gpo_user_policy(r, s->conn, r->dn, cache, &r->gpo, errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "reading your Group Policy");
		goto done;
	}
	ret = policy_merge(r, r->gpo->policy, conf, &r->policy, errmsg);
	if (ret != 0) {
		goto done;
	}
	r->roaming_on = policy_roaming_on(r->policy);
	if (!r->roaming_on) {
		r->off_reason = policy_reason_off(r, r->policy);
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

/* AD's timestamp is what the state recorded (both absent counts). */
static bool timestamp_unchanged(const struct cr_roam_session *s)
{
	if (!s->state->has_timestamp || !s->user->has_timestamp) {
		return s->state->has_timestamp == s->user->has_timestamp;
	}
	return memcmp(s->state->timestamp, s->user->timestamp,
		      CR_TIMESTAMP_LEN) == 0;
}

/* A key that could not be decrypted before may be now. */
static bool undecrypted_key_may_open(const struct cr_roam_session *s)
{
	const struct cr_state *state = s->state;
	size_t i;

	if (!cr_keys_have_prekeys(s->keys)) {
		return false;
	}
	for (i = 0; i < state->num_certs; i++) {
		if (state->certs[i].key_id != NULL &&
		    !state->certs[i].key_written) {
			return true;
		}
	}
	return false;
}

/*
 * Nothing changed since the last run: same user, same files, same
 * policy, same AD timestamp.
 */
static bool fast_path_ok(const struct cr_roam_session *s,
			 const char *fingerprint)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_state *state = s->state;
	char *digest = NULL;
	bool ok = false;

	if (s->opts->full || fingerprint == NULL || state->sid == NULL ||
	    state->fingerprint == NULL || state->policy == NULL ||
	    !state->has_timestamp || !s->user->has_timestamp) {
		goto done;
	}
	digest = policy_digest(frame, s->report->policy);
	if (digest == NULL) {
		goto done;
	}
	ok = strcmp(state->sid, s->report->sid) == 0 &&
	     strcmp(state->fingerprint, fingerprint) == 0 &&
	     strcmp(state->policy, digest) == 0 &&
	     memcmp(state->timestamp, s->user->timestamp,
		    CR_TIMESTAMP_LEN) == 0 &&
	     !undecrypted_key_may_open(s);
done:
	TALLOC_FREE(frame);
	return ok;
}

static void write_policy_off(struct cr_roam_session *s)
{
	const char *why = s->report->off_reason ? s->report->off_reason : "";

	cr_store_write_root_file(s->store, POLICY_OFF_FILE,
				 (const uint8_t *)why, strlen(why), NULL);
}

/* ---- reconcile and apply ---------------------------------------------- */

static void count_result(struct cr_roam_report *r,
			 const struct cr_sync_result *res)
{
	TALLOC_CTX *frame = talloc_stackframe();
	size_t i;

	r->local_tokens = res->live_local;
	r->ad_values = res->ad_values;
	for (i = 0; i < res->num_actions; i++) {
		const struct cr_sync_action *a = &res->actions[i];
		char *what = NULL;

		if (a->event == CR_EVENT_CONFLICT) {
			r->conflicts++;
		}
		if (a->event == CR_EVENT_NONE ||
		    a->event == CR_EVENT_CONFLICT) {
			continue;
		}
		what = talloc_asprintf(frame, "%u\\%s", a->type, a->id);
		cr_roam_problem(r, a->event, what ? what : "token",
				"%s: %s", cr_sync_verb_name(a->verb),
				cr_sync_rule_name(a->rule));
	}
	TALLOC_FREE(frame);
}

/* The reconciliation of one attempt: L, R and S as they are now. */
static int reconcile(TALLOC_CTX *mem_ctx, struct cr_roam_session *s,
		     const struct cr_roam_view *v,
		     const struct cr_roam_local_changes *changes,
		     const struct cr_sync_policy *policy,
		     struct cr_sync_result **res)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_roam_sync_input *in = NULL;
	int ret;

	ret = cr_roam_view_sync_input(frame, v, s->state,
				      changes->dry_removed,
				      changes->num_dry_removed, &in);
	if (ret == 0) {
		ret = cr_sync_reconcile(mem_ctx, in->local, in->num_local,
					in->remote, in->num_remote,
					in->state, in->num_state, policy,
					res);
	}
	/* the actions point into the arrays: they live as long */
	if (ret == 0) {
		talloc_steal(*res, in);
	}
	TALLOC_FREE(frame);
	return ret;
}

/* The state items of next: what L and R hold alike now (sync.c). */
static int set_next_items(struct cr_state *next,
			  const struct cr_sync_result *res)
{
	struct cr_sync_state *agreed = NULL;
	struct cr_state_item *items = NULL;
	size_t n = 0;
	size_t i;
	int ret;

	ret = cr_sync_next_state(next, res, &agreed, &n);
	if (ret != 0) {
		return ret;
	}
	items = talloc_zero_array(next, struct cr_state_item, n + 1);
	if (items == NULL) {
		return ENOMEM;
	}
	for (i = 0; i < n; i++) {
		items[i].type = agreed[i].type;
		items[i].id = talloc_steal(items, (char *)agreed[i].id);
		items[i].sha1 = talloc_steal(items, (char *)agreed[i].sha1);
	}
	TALLOC_FREE(agreed);
	next->items = items;
	next->num_items = n;
	return 0;
}

/*
 * Reconcile and apply, re-reading AD after a write conflict.  *stopped:
 * too many values in AD, roaming stopped for this user.
 */
static int reconcile_and_apply(struct cr_roam_session *s,
			       struct cr_roam_view *v,
			       const struct cr_roam_local_changes *changes,
			       struct cr_state *next, bool *ad_written,
			       bool *stopped, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_roam_report *r = s->report;
	const struct cr_sync_policy policy = sync_policy_of(r->policy,
							    s->now);
	struct cr_sync_result *res = NULL;
	unsigned attempt;
	size_t i;
	int ret = ESTALE;

	*stopped = false;
	for (attempt = 0; ret == ESTALE && attempt <= MAX_CONFLICT_RETRIES;
	     attempt++) {
		if (attempt > 0) {
			/* another machine wrote meanwhile: look again */
			cr_err_clear(errmsg);
			r->retries++;
			TALLOC_FREE(r->actions);
			r->num_actions = 0;
			ret = cr_roam_view_read_remote(v, s->conn, s->user, r,
						       errmsg);
			if (ret == 0) {
				ret = cr_roam_view_load_local(v, s->store,
							      errmsg);
			}
			if (ret != 0) {
				goto done;
			}
		}
		TALLOC_FREE(res);
		ret = reconcile(frame, s, v, changes, &policy, &res);
		if (ret != 0) {
			goto done;
		}
		if (res->stopped) {
			cr_roam_problem(r, res->stop_event, "AD",
				"%zu values in AD, more than twice "
				"DIMSRoamingMaxNumTokens (%u): roaming "
				"stopped for this user until an "
				"administrator cleans up (samba-tool "
				"credroam purge)", res->ad_values,
				policy.max_tokens);
			*stopped = true;
			goto done;
		}
		if (s->opts->dry_run) {
			for (i = 0; i < res->num_actions; i++) {
				cr_roam_note_action(r, &res->actions[i], true);
			}
			count_result(r, res);
			goto done;
		}
		ret = cr_roam_apply(s, v, res, ad_written, errmsg);
	}
	if (ret == ESTALE) {
		cr_seterr(errmsg, "AD kept changing under this run (%u write "
			  "conflicts); try again", MAX_CONFLICT_RETRIES + 1);
		goto done;
	}
	if (ret != 0) {
		goto done;
	}
	count_result(r, res);
	ret = set_next_items(next, res);
done:
	TALLOC_FREE(frame);
	return ret;
}

/* ---- the run ----------------------------------------------------------- */

/*
 * The timestamp the next run compares: moved on when AD changed, else
 * AD's as read.
 */
static int record_timestamp(struct cr_roam_session *s, struct cr_roam_view *v,
			    bool ad_written, struct cr_state *next,
			    char **errmsg)
{
	uint8_t new_ts[CR_TIMESTAMP_LEN];
	bool moved_by_other = false;
	int ret;

	if (!ad_written) {
		if (s->user->has_timestamp) {
			memcpy(next->timestamp, s->user->timestamp,
			       CR_TIMESTAMP_LEN);
			next->has_timestamp = true;
		}
		return 0;
	}
	cr_fault_point("ad-timestamp", NULL);
	ret = cr_roam_session_bump_timestamp(s, new_ts, &moved_by_other,
					     errmsg);
	if (ret != 0) {
		s->report->event = CR_EVENT_AD_WRITE;
		return ret;
	}
	cr_fault_point("ad-timestamp-done", NULL);
	memcpy(next->timestamp, new_ts, CR_TIMESTAMP_LEN);
	next->has_timestamp = true;
	if (moved_by_other) {
		/* Someone else moved the timestamp while we wrote: record
		 * ours only if AD holds exactly what we think, else the next
		 * run must look (not take the fast path past changes it
		 * never saw). */
		ret = cr_roam_view_read_remote(v, s->conn, s->user,
					       s->report, errmsg);
		if (ret != 0) {
			return ret;
		}
		next->has_timestamp = cr_roam_view_remote_matches(
			v, next->items, next->num_items);
	}
	return 0;
}

static int save_state(struct cr_roam_session *s, struct cr_state *next,
		      char **errmsg)
{
	int ret;

	next->sid = talloc_strdup(next, s->report->sid);
	next->dn = talloc_strdup(next, s->report->dn);
	next->policy = policy_digest(next, s->report->policy);
	next->synced = s->now;
	if (next->sid == NULL || next->dn == NULL || next->policy == NULL) {
		return ENOMEM;
	}
	ret = cr_store_fingerprint(next, s->store, &next->fingerprint,
				   errmsg);
	if (ret != 0) {
		return ret;
	}
	return cr_state_save(s->store, next, errmsg);
}

/* Policy on, and something may have changed: the full run. */
static int full_run(struct cr_roam_session *s, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_roam_view *v = NULL;
	struct cr_roam_local_changes *changes = NULL;
	struct cr_state *next = NULL;
	bool ad_written = false;
	bool stopped = false;
	size_t i;
	int ret = ENOMEM;

	v = talloc_zero(frame, struct cr_roam_view);
	next = talloc_zero(frame, struct cr_state);
	if (v == NULL || next == NULL) {
		goto done;
	}
	ret = cr_roam_view_read_remote(v, s->conn, s->user, s->report,
				       errmsg);
	if (ret != 0) {
		s->report->event = CR_EVENT_AD_READ;
		goto done;
	}
	if (timestamp_unchanged(s) &&
	    !cr_roam_view_remote_matches(v, s->state->items,
					 s->state->num_items)) {
		/* AD changed without the timestamp moving: move it, or the
		 * other machines' fast path never sees the change. */
		ad_written = true;
	}
	ret = cr_roam_view_load_local(v, s->store, errmsg);
	if (ret == 0) {
		ret = cr_roam_local_changes(frame, s, v, &changes, errmsg);
	}
	if (ret == 0 && changes->changed) {
		ret = cr_roam_view_load_local(v, s->store, errmsg);
	}
	if (ret == 0) {
		ret = reconcile_and_apply(s, v, changes, next, &ad_written,
					  &stopped, errmsg);
	}
	if (ret != 0 || s->opts->dry_run || stopped) {
		goto done;
	}
	for (i = 0; i < v->local->num_problems; i++) {
		cr_roam_problem(s->report, 0, v->local->problems[i].relpath,
				"left alone: %s",
				v->local->problems[i].message);
	}
	ret = record_timestamp(s, v, ad_written, next, errmsg);
	if (ret == 0) {
		ret = cr_roam_view_load_local(v, s->store, errmsg);
	}
	if (ret == 0) {
		ret = cr_roam_materialize(s, v, next, errmsg);
	}
	if (ret == 0) {
		ret = save_state(s, next, errmsg);
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

static int run(struct cr_roam_session *s, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *fp = NULL;
	bool fast = false;
	int ret;

	ret = cr_roam_session_open(s, errmsg);
	if (ret != 0 || s->report->busy) {
		goto done;
	}
	ret = cr_roam_session_find_user(s, errmsg);
	if (ret != 0) {
		s->report->event = CR_EVENT_AD_READ;
		goto done;
	}
	ret = compute_policy(s, errmsg);
	if (ret != 0) {
		goto done;
	}
	if (!s->report->roaming_on) {
		if (!s->opts->dry_run) {
			write_policy_off(s);
		}
		goto done;
	}
	if (!s->opts->dry_run) {
		cr_store_unlink_root_file(s->store, POLICY_OFF_FILE, NULL);
	}
	ret = cr_store_fingerprint(frame, s->store, &fp, errmsg);
	if (ret != 0) {
		goto done;
	}
	fast = fast_path_ok(s, fp);
	if (fast) {
		s->report->fast_path = true;
		goto done;
	}
	ret = full_run(s, errmsg);
done:
	TALLOC_FREE(frame);
	return ret;
}

static void log_failure(struct cr_roam_report *r, int ret,
			const char *message)
{
	if (r->event == 0) {
		r->event = CR_EVENT_AD_READ;
	}
	r->summary = talloc_asprintf(r, "failed: %s",
				     message ? message : strerror(ret));
	syslog(LOG_AUTHPRIV | LOG_ERR,
	       "credroam: user %s: event %u: roaming run failed: %s",
	       r->user ? r->user : "?", r->event, r->summary);
}

int cr_roam_run(TALLOC_CTX *mem_ctx, const struct cr_roam_options *opts,
		struct cr_roam_report **preport, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_roam_session *s = NULL;
	struct timespec t0;
	struct timespec t1;
	int ret;

	*preport = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	s = cr_roam_session_new(frame, opts);
	if (s == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = run(s, errmsg);
	cr_roam_session_count_costs(s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s->report->seconds = (double)(t1.tv_sec - t0.tv_sec) +
			     (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (ret != 0) {
		log_failure(s->report, ret, errmsg ? *errmsg : NULL);
	} else {
		cr_roam_report_log(s->report);
	}
	if (s->store != NULL && !s->report->busy && !opts->dry_run) {
		cr_roam_write_last_run(s->store, s->report);
	}
	*preport = talloc_move(mem_ctx, &s->report);
done:
	TALLOC_FREE(frame);
	return ret;
}
