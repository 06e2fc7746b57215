/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A roaming run's report: its entries, its summary line, its JSON and the
 * store's `last-run` file; see report.h.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <string.h>
#include <syslog.h>

#include "util/encoding.h"
#include "roam/report.h"
#include "util/stackframe.h"

#define LAST_RUN_FILE "last-run"

void cr_roam_problem(struct cr_roam_report *r, unsigned event,
		     const char *what, const char *fmt, ...)
{
	struct cr_roam_problem *problems = NULL;
	struct cr_roam_problem *p = NULL;
	va_list ap;

	problems = talloc_realloc(r, r->problems, struct cr_roam_problem,
				  r->num_problems + 1);
	if (problems == NULL) {
		r->incomplete = true;
		return;
	}
	r->problems = problems;
	p = &problems[r->num_problems++];
	p->event = event;
	p->what = talloc_strdup(problems, what);
	va_start(ap, fmt);
	p->message = talloc_vasprintf(problems, fmt, ap);
	va_end(ap);
	if (p->what == NULL || p->message == NULL) {
		r->incomplete = true;
	}
}

void cr_roam_note_action(struct cr_roam_report *r,
			 const struct cr_sync_action *a, bool ok)
{
	struct cr_roam_done *actions = NULL;
	struct cr_roam_done *d = NULL;

	actions = talloc_realloc(r, r->actions, struct cr_roam_done,
				 r->num_actions + 1);
	if (actions == NULL) {
		r->incomplete = true;
		return;
	}
	r->actions = actions;
	d = &actions[r->num_actions++];
	d->verb = a->verb;
	d->rule = a->rule;
	d->type = a->type;
	d->id = talloc_strdup(actions, a->id);
	d->ok = ok;
	if (d->id == NULL) {
		r->incomplete = true;
	}
}

/* The worst event of the run: a problem's, else a conflict, else OK. */
static unsigned summary_event(const struct cr_roam_report *r)
{
	unsigned event = CR_EVENT_OK;
	size_t i;

	for (i = 0; i < r->num_problems; i++) {
		if (r->problems[i].event > event) {
			event = r->problems[i].event;
		}
	}
	if (r->conflicts > 0 && event == CR_EVENT_OK) {
		event = CR_EVENT_CONFLICT;
	}
	return event;
}

static char *summary_line(TALLOC_CTX *mem_ctx,
			  const struct cr_roam_report *r)
{
	const char *off_reason = r->off_reason ? r->off_reason : "by policy";
	const char *dry = r->dry_run ? "dry run: would have " : "";

	if (r->busy) {
		return talloc_strdup(mem_ctx, "another roaming run is in "
				     "progress; this one did nothing");
	}
	if (!r->roaming_on) {
		return talloc_asprintf(mem_ctx, "roaming is off: %s",
				       off_reason);
	}
	if (r->fast_path) {
		return talloc_strdup(mem_ctx, "nothing changed");
	}
	return talloc_asprintf(mem_ctx,
		"%s%u uploaded, %u downloaded, %u deleted in AD "
		"(tombstones), %u tombstones removed, %u moved to "
		"trash, %u imported, %u certificates and %u keys "
		"made usable, %u conflicts, %zu problems%s",
		dry, r->uploaded, r->downloaded, r->tombstoned, r->eroded,
		r->trashed, r->imported, r->certs_written, r->keys_written,
		r->conflicts, r->num_problems,
		r->incomplete ? " (report incomplete: out of memory)" : "");
}

void cr_roam_report_log(struct cr_roam_report *r)
{
	int priority = LOG_AUTHPRIV | LOG_WARNING;
	size_t i;

	if (r->event == 0) {
		r->event = summary_event(r);
	}
	r->summary = summary_line(r, r);
	if (r->dry_run || r->summary == NULL) {
		return;
	}
	if (r->event == CR_EVENT_OK) {
		priority = LOG_AUTHPRIV | LOG_INFO;
	}
	syslog(priority, "credroam: user %s (%s): event %u: %s [trigger %s]",
	       r->user ? r->user : "?", r->sid ? r->sid : "?", r->event,
	       r->summary, r->trigger ? r->trigger : "manual");
	for (i = 0; i < r->num_trash_dropped; i++) {
		const struct cr_trash_drop *d = &r->trash_dropped[i];

		syslog(LOG_AUTHPRIV | LOG_INFO,
		       "credroam: user %s: trash/%s dropped (%s): %llu days "
		       "old, %llu bytes", r->user ? r->user : "?", d->name,
		       d->why, (unsigned long long)(d->age / 86400),
		       (unsigned long long)d->size);
	}
	for (i = 0; i < r->num_problems; i++) {
		syslog(LOG_AUTHPRIV | LOG_WARNING,
		       "credroam: user %s: event %u: %s: %s",
		       r->user ? r->user : "?", r->problems[i].event,
		       r->problems[i].what, r->problems[i].message);
	}
}

const char *cr_roam_event_name(unsigned event)
{
	switch (event) {
	case CR_EVENT_OK:
		return "success";
	case CR_EVENT_CONFLICT:
		return "conflict";
	case CR_EVENT_AD_READ:
		return "cannot read from AD";
	case CR_EVENT_AD_WRITE:
		return "cannot write to AD";
	case CR_EVENT_TOO_MANY_LOCAL:
		return "too many local tokens";
	case CR_EVENT_TOO_MANY_AD:
		return "too many tokens in AD";
	case CR_EVENT_TOO_BIG:
		return "token too big";
	default:
		return "none";
	}
}

static json_t *str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *policy_json(const struct policy *p)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; p != NULL && i < POLICY_NUM; i++) {
		json_object_set_new(o, policy_value_name(i), json_pack(
			"{s:I,s:o}", "value", (json_int_t)p->v[i].value,
			"source", str_or_null(p->v[i].source)));
	}
	return o;
}

/* Name, age and size of each drop: never the content. */
static json_t *trash_drops_json(const struct cr_roam_report *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < r->num_trash_dropped; i++) {
		const struct cr_trash_drop *d = &r->trash_dropped[i];

		json_array_append_new(a, json_pack(
			"{s:s,s:I,s:I,s:s}", "name", d->name,
			"age_days", (json_int_t)(d->age / 86400),
			"size", (json_int_t)d->size, "why", d->why));
	}
	return a;
}

json_t *cr_roam_report_json(const struct cr_roam_report *r)
{
	TALLOC_CTX *frame = talloc_stackframe();
	json_t *o = json_object();
	json_t *actions = json_array();
	json_t *problems = json_array();
	json_t *counts = NULL;
	size_t i;

	json_object_set_new(o, "user", str_or_null(r->user));
	json_object_set_new(o, "sid", str_or_null(r->sid));
	json_object_set_new(o, "dn", str_or_null(r->dn));
	json_object_set_new(o, "dc", str_or_null(r->dc));
	json_object_set_new(o, "store", str_or_null(r->store));
	json_object_set_new(o, "trigger", str_or_null(r->trigger));
	json_object_set_new(o, "started",
			    str_or_null(cr_filetime_iso8601(frame,
							    r->started)));
	json_object_set_new(o, "seconds", json_real(r->seconds));
	json_object_set_new(o, "busy", json_boolean(r->busy));
	json_object_set_new(o, "dry_run", json_boolean(r->dry_run));
	json_object_set_new(o, "roaming", json_boolean(r->roaming_on));
	json_object_set_new(o, "off_reason", str_or_null(r->off_reason));
	json_object_set_new(o, "policy", policy_json(r->policy));
	json_object_set_new(o, "fast_path", json_boolean(r->fast_path));
	json_object_set_new(o, "event", json_integer(r->event));
	json_object_set_new(o, "event_name",
			    json_string(cr_roam_event_name(r->event)));
	json_object_set_new(o, "summary", str_or_null(r->summary));
	json_object_set_new(o, "ldap_searches",
			    json_integer(r->ldap_searches));
	json_object_set_new(o, "ldap_modifies",
			    json_integer(r->ldap_modifies));
	json_object_set_new(o, "bkrp_calls", json_integer(r->bkrp_calls));
	json_object_set_new(o, "retries", json_integer(r->retries));
	json_object_set_new(o, "incomplete", json_boolean(r->incomplete));
	json_object_set_new(o, "materialize",
			    json_string(cr_materialize_name(r->materialize)));
	counts = json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,"
			   "s:I,s:I}",
			   "uploaded", r->uploaded,
			   "downloaded", r->downloaded,
			   "tombstoned", r->tombstoned,
			   "eroded", r->eroded,
			   "trashed", r->trashed,
			   "imported", r->imported,
			   "deleted_locally", r->deleted_locally,
			   "certs_written", r->certs_written,
			   "keys_written", r->keys_written,
			   "keys_wiped", r->keys_wiped,
			   "conflicts", r->conflicts,
			   "local_tokens", (json_int_t)r->local_tokens,
			   "ad_values", (json_int_t)r->ad_values);
	json_object_set_new(o, "counts", counts);
	for (i = 0; i < r->num_actions; i++) {
		const struct cr_roam_done *d = &r->actions[i];
		json_array_append_new(actions, json_pack(
			"{s:s,s:s,s:i,s:s,s:b}",
			"verb", cr_sync_verb_name(d->verb),
			"rule", cr_sync_rule_name(d->rule),
			"type", (int)d->type, "id", d->id ? d->id : "",
			"ok", d->ok));
	}
	json_object_set_new(o, "actions", actions);
	json_object_set_new(o, "trash_dropped", trash_drops_json(r));
	for (i = 0; i < r->num_problems; i++) {
		const struct cr_roam_problem *p = &r->problems[i];
		json_array_append_new(problems, json_pack(
			"{s:s,s:s,s:i}", "what", p->what ? p->what : "",
			"message", p->message ? p->message : "",
			"event", (int)p->event));
	}
	json_object_set_new(o, "problems", problems);
	TALLOC_FREE(frame);
	return o;
}

void cr_roam_write_last_run(struct cr_store *store,
			    const struct cr_roam_report *r)
{
	json_t *o = cr_roam_report_json(r);
	char *text = NULL;

	if (o == NULL) {
		return;
	}
	text = json_dumps(o, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(o);
	if (text == NULL) {
		return;
	}
	cr_store_write_root_file(store, LAST_RUN_FILE, (const uint8_t *)text,
				 strlen(text), NULL);
	free(text);
}
