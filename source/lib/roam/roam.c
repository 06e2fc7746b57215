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
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "roam/apply.h"
#include "roam/local_changes.h"
#include "roam/materialize.h"
#include "roam/roam.h"
#include "roam/session.h"
#include "roam/sync.h"
#include "roam/view.h"
#include "util/cursor.h"
#include "util/encoding.h"
#include "util/error.h"
#include "util/fault.h"
#include "util/stackframe.h"

#define MAX_CONFLICT_RETRIES 3
#define POLICY_OFF_FILE "policy-off"

/* ---- policy and the fast path ---------------------------------------- */

/*
 * The policy values and, with materialize = token, the mode: a state
 * saved under the other mode never takes the fast path, so a switch
 * makes (or wipes) the key files at the next run.  Files mode hashes as
 * before the setting existed, so those states stay valid.
 */
static char *policy_digest(TALLOC_CTX *mem_ctx, const struct policy *p,
			   enum cr_materialize mode)
{
	static const char token_mark[] = "materialize=token";
	uint8_t d[CR_SHA1_LEN];
	uint8_t buf[POLICY_NUM * sizeof(uint32_t) + sizeof(token_mark)];
	uint32_t vals[POLICY_NUM];
	size_t len = sizeof(vals);
	size_t i;

	for (i = 0; i < POLICY_NUM; i++) {
		vals[i] = p->v[i].value;
	}
	memcpy(buf, vals, sizeof(vals));
	if (mode != CR_MATERIALIZE_FILES) {
		memcpy(buf + len, token_mark, sizeof(token_mark) - 1);
		len += sizeof(token_mark) - 1;
	}
	cr_sha1(buf, len, d);
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

/*
 * The user's Group Policy, for user_dn; with sid, the user object comes
 * from the same search (gpo.h), *moved when user_dn is not the user's.
 */
static int read_gpo(struct cr_roam_session *s, const char *user_dn,
		    const char *sid, bool *moved, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_roam_report *r = s->report;
	char *cache = NULL;
	int ret;

	*moved = false;
	TALLOC_FREE(r->gpo);
	cache = talloc_asprintf(frame, "%s/gpo-cache", s->store->root);
	if (cache == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_gpo_user_policy(r, s->conn, user_dn, sid, r->sid, cache,
				 &r->gpo, errmsg);
	if (ret != 0) {
		cr_wraperr(errmsg, "reading your Group Policy");
		goto done;
	}
	if (sid != NULL && r->gpo->user_moved) {
		*moved = true;
		goto done;
	}
	if (sid != NULL) {
		ret = cr_roam_session_set_user(s, r->gpo->user);
		r->gpo->user = NULL;
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

/*
 * The user object and the effective policy (Group Policy over the local
 * configuration).  With the DN the state remembers, both come from one
 * search; a first run, or a user who moved, finds the object by SID first.
 */
static int find_user_and_policy(struct cr_roam_session *s, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_roam_report *r = s->report;
	const char *conf_path = s->opts->conf_path;
	const char *dn = cr_roam_session_known_dn(s);
	struct credroam_conf *conf = NULL;
	bool moved = true;
	int ret;

	if (conf_path == NULL) {
		conf_path = CREDROAM_CONF_PATH;
	}
	ret = credroam_conf_load(frame, conf_path, &conf, errmsg);
	if (ret != 0) {
		goto done;
	}
	if (dn != NULL) {
		ret = read_gpo(s, dn, r->sid, &moved, errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	if (moved) {
		ret = cr_roam_session_find_user(s, errmsg);
		if (ret != 0) {
			r->event = CR_EVENT_AD_READ;
			goto done;
		}
		ret = read_gpo(s, r->dn, NULL, &moved, errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	ret = policy_merge(r, r->gpo->policy, conf, &r->policy, errmsg);
	if (ret != 0) {
		goto done;
	}
	/* the caller's choice, else credroam.conf's, else no key files */
	r->materialize = s->opts->materialize;
	if (r->materialize == CR_MATERIALIZE_DEFAULT) {
		r->materialize = conf->materialize;
	}
	if (r->materialize == CR_MATERIALIZE_DEFAULT) {
		r->materialize = CR_MATERIALIZE_TOKEN;
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

/*
 * msPKIRoamingTimeStamp is single-valued: when two machines write at two
 * DCs before replication meets, the last writer's value wins and the
 * other's is gone, although both machines' tokens are in AD (linked
 * values merge).  The winner's fast path would then never see the
 * loser's tokens.  The loser can tell: the timestamp it wrote itself
 * (its last change is the run's own time) was replaced by one whose
 * previous change is not its own, i.e. by a writer who never saw it.
 * Then it moves the timestamp on once more, so every other machine looks.
 */
static bool own_timestamp_lost(const struct cr_roam_session *s)
{
	const struct cr_state *state = s->state;
	bool wrote_it;

	if (!state->has_timestamp || !s->user->has_timestamp ||
	    timestamp_unchanged(s)) {
		return false;
	}
	wrote_it = cr_le64(state->timestamp + 8) == state->synced;
	return wrote_it && memcmp(s->user->timestamp, state->timestamp + 8,
				  8) != 0;
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
 * AD unchanged for this user: the object as the state recorded it, at the
 * same DC (uSNChanged), with the same timestamp.  The timestamp alone is
 * not enough once there are several DCs: two machines writing through two
 * DCs between replications leave, once replication has run, the linked
 * values of both but the timestamp of the last writer only, which that
 * writer's state already holds.  Replication changes the object's
 * uSNChanged at the receiving DC; a logon (lastLogon, logonCount: not
 * replicated) does not.
 */
static bool ad_unchanged(const struct cr_state *state,
			 const struct cr_ad_user *user, const char *dc)
{
	bool same_object = state->usn_changed != 0 && state->usn_dc != NULL &&
			   dc != NULL && strcasecmp(state->usn_dc, dc) == 0 &&
			   state->usn_changed == user->usn_changed;

	if (!same_object || state->has_timestamp != user->has_timestamp) {
		return false;
	}
	if (!state->has_timestamp) {
		return true;
	}
	return memcmp(state->timestamp, user->timestamp,
		      CR_TIMESTAMP_LEN) == 0;
}

/*
 * Nothing changed since the last run: same user, same files, same
 * policy, AD unchanged.
 */
static bool fast_path_ok(const struct cr_roam_session *s,
			 const char *fingerprint)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_state *state = s->state;
	char *digest = NULL;
	bool ok = false;

	if (s->opts->full || fingerprint == NULL || state->sid == NULL ||
	    state->fingerprint == NULL || state->policy == NULL) {
		goto done;
	}
	digest = policy_digest(frame, s->report->policy,
			       s->report->materialize);
	if (digest == NULL) {
		goto done;
	}
	/* a user who moved gets a full run, whose state has the new DN */
	ok = strcmp(state->sid, s->report->sid) == 0 &&
	     state->dn != NULL && strcmp(state->dn, s->report->dn) == 0 &&
	     strcmp(state->fingerprint, fingerprint) == 0 &&
	     strcmp(state->policy, digest) == 0 &&
	     ad_unchanged(state, s->user, s->conn->dc) &&
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
 * After our own write: the object's uSNChanged now, kept only if the
 * timestamp is still the one we wrote (else someone wrote after us, and
 * the next run must look).  Read before any re-read of the values, so the
 * recorded object is never newer than what the state knows.
 */
static int record_usn_after_write(struct cr_roam_session *s,
				  const uint8_t new_ts[CR_TIMESTAMP_LEN],
				  struct cr_state *next, char **errmsg)
{
	struct cr_ad_user *now = NULL;
	bool ours = false;
	int ret;

	ret = cr_adstore_lookup_dn(next, s->conn, s->report->dn,
				   s->report->sid, &now, errmsg);
	if (ret != 0) {
		return ret;
	}
	ours = now->has_timestamp &&
	       memcmp(now->timestamp, new_ts, CR_TIMESTAMP_LEN) == 0;
	next->usn_changed = ours ? now->usn_changed : 0;
	TALLOC_FREE(now);
	return 0;
}

/*
 * The timestamp and uSNChanged the next run compares: AD's as read when
 * this run wrote nothing, else as our write left them.
 */
static int record_timestamp(struct cr_roam_session *s, struct cr_roam_view *v,
			    bool ad_written, struct cr_state *next,
			    char **errmsg)
{
	uint8_t new_ts[CR_TIMESTAMP_LEN];
	bool moved_by_other = false;
	int ret;

	next->usn_dc = talloc_strdup(next, s->conn->dc);
	if (next->usn_dc == NULL) {
		return ENOMEM;
	}
	if (!ad_written) {
		if (s->user->has_timestamp) {
			memcpy(next->timestamp, s->user->timestamp,
			       CR_TIMESTAMP_LEN);
			next->has_timestamp = true;
		}
		/* the object as read is the object now (the values this run
		 * read are at least as new) */
		next->usn_changed = s->user->usn_changed;
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
	ret = record_usn_after_write(s, new_ts, next, errmsg);
	if (ret != 0) {
		return ret;
	}
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
	next->policy = policy_digest(next, s->report->policy,
				     s->report->materialize);
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
	if (own_timestamp_lost(s)) {
		cr_roam_problem(s->report, 0, "AD", "this machine's change of "
				"the roaming timestamp was overwritten by a "
				"writer at another DC who had not seen it; "
				"moving it on so that every machine looks");
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

/*
 * trash/'s retention (store/trash.h): entries live for the tombstone
 * lifetime, and trash/ holds at most one complete copy of what AD may
 * hold for the user (MaxNumTokens x MaxTokenSize bytes, and as many
 * entries as tokens plus their certificate files): whatever an AD writer
 * adds and tombstones between runs, trash/ never outgrows what roaming/
 * itself may have to hold, and a purge of everything still fits.  Every
 * run does it, the fast path too (a local readdir, no LDAP), so keys
 * trashed by earlier versions go at the next run.  A failure is reported,
 * not fatal: the run's own work is done.
 */
static void expire_trash(struct cr_roam_session *s)
{
	struct cr_roam_report *r = s->report;
	const struct policy *p = r->policy;
	struct cr_trash_limits limits = {
		.max_age = (uint64_t)p->v[POLICY_TOMBSTONE_DAYS].value * 86400,
		.max_bytes = (uint64_t)p->v[POLICY_MAX_NUM_TOKENS].value *
			     p->v[POLICY_MAX_TOKEN_SIZE].value,
		.max_entries = (size_t)p->v[POLICY_MAX_NUM_TOKENS].value * 2,
	};
	char *err = NULL;
	int ret;

	ret = cr_store_trash_expire(r, s->store, time(NULL), &limits,
				    &r->trash_dropped, &r->num_trash_dropped,
				    &err);
	if (ret != 0) {
		cr_roam_problem(r, 0, "trash/", "retention: %s",
				err ? err : strerror(ret));
	}
	cr_err_clear(&err);
}

/*
 * A logoff run whose store is as the last run left it: what a logoff is
 * for (uploading what changed during the session) is done, and what AD
 * holds now the next logon fetches.  No connection, no search.
 */
static bool logoff_has_nothing_to_do(const struct cr_roam_session *s,
				     const char *fingerprint)
{
	const struct cr_state *state = s->state;
	const char *trigger = s->opts->trigger;

	return !s->opts->full && trigger != NULL &&
	       strcmp(trigger, "logoff") == 0 && fingerprint != NULL &&
	       state->sid != NULL && state->fingerprint != NULL &&
	       strcmp(state->sid, s->report->sid) == 0 &&
	       strcmp(state->fingerprint, fingerprint) == 0;
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
	ret = cr_store_fingerprint(frame, s->store, &fp, errmsg);
	if (ret != 0) {
		goto done;
	}
	if (logoff_has_nothing_to_do(s, fp)) {
		s->report->fast_path = true;
		s->report->roaming_on = true;
		s->report->dn = talloc_strdup(s->report, s->state->dn);
		goto done;
	}
	ret = cr_roam_session_connect(s, errmsg);
	if (ret != 0) {
		goto done;
	}
	ret = find_user_and_policy(s, errmsg);
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
	fast = fast_path_ok(s, fp);
	s->report->fast_path = fast;
	if (!fast) {
		/* before roaming values are read: never at a read-only DC
		 * (a fast path reads and writes none) */
		ret = cr_roam_session_writable_dc(s, errmsg);
		if (ret != 0) {
			s->report->event = CR_EVENT_AD_READ;
			goto done;
		}
		ret = full_run(s, errmsg);
	}
	if (ret == 0 && !s->opts->dry_run) {
		expire_trash(s);
	}
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
	/*
	 * A run that changed nothing writes nothing: last-run stays the
	 * record of the last run that did something (or failed), and the
	 * no-change run is in the log.
	 */
	if (s->store != NULL && !s->report->busy && !opts->dry_run &&
	    !(ret == 0 && s->report->fast_path)) {
		cr_roam_write_last_run(s->store, s->report);
	}
	*preport = talloc_move(mem_ctx, &s->report);
done:
	TALLOC_FREE(frame);
	return ret;
}
