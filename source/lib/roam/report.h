/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What one roaming run (or purge) did, for people and for JSON: counts,
 * every action, every problem, one summary line.  The report is filled
 * as the run goes; it never decides anything.
 */
#ifndef CREDROAM_ROAM_REPORT_H
#define CREDROAM_ROAM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "gpo/gpo.h"
#include "gpo/policy.h"
#include "roam/sync.h"
#include "store/localstore.h"
#include "store/trash.h"

/* Windows event ids the summary uses (besides those of sync.h). */
#define CR_EVENT_OK 1
#define CR_EVENT_AD_READ 1004
#define CR_EVENT_AD_WRITE 1005

struct cr_roam_problem {
	char *what;		/* "AD value 3 of msPKIAccountCredentials" */
	char *message;
	unsigned event;		/* Windows event id, 0 if none */
};

struct cr_roam_done {
	enum cr_sync_verb verb;
	enum cr_sync_rule rule;
	unsigned type;
	char *id;
	bool ok;		/* applied (or would be, in a dry run) */
};

struct cr_roam_report {
	char *user;
	char *sid;
	char *dn;
	char *dc;
	char *store;
	char *trigger;
	bool busy;		/* another run held the lock: nothing done */
	bool roaming_on;
	char *off_reason;
	struct policy *policy;		/* effective */
	struct cr_gpo_result *gpo;	/* NULL without Group Policy */
	bool fast_path;
	bool dry_run;
	unsigned ldap_searches;
	unsigned ldap_modifies;
	unsigned bkrp_calls;
	unsigned retries;
	unsigned uploaded, downloaded, tombstoned, eroded, trashed;
	unsigned imported, deleted_locally, certs_written, keys_written;
	/* materialize = token: keys_written counts keys found to open (the
	 * token serves them); keys_wiped the key files of an older run or
	 * an import that were wiped and removed since */
	unsigned keys_wiped;
	enum cr_materialize materialize;	/* in force for this run */
	unsigned conflicts;
	size_t local_tokens, ad_values;
	struct cr_roam_done *actions;
	size_t num_actions;
	struct cr_roam_problem *problems;
	size_t num_problems;
	/* what trash/'s retention dropped (store/trash.h) */
	struct cr_trash_drop *trash_dropped;
	size_t num_trash_dropped;
	/* an action or problem could not be recorded (out of memory): the
	 * lists above are incomplete, and the summary and JSON say so */
	bool incomplete;
	unsigned event;		/* the summary's event id */
	char *summary;		/* the one line logged */
	uint64_t started;	/* FILETIME */
	double seconds;
};

/*
 * Record a problem with one input (what) that the run reports and goes
 * past.  Out of memory marks the report incomplete: a problem is never
 * dropped silently, yet a full memory does not fail a run whose own work
 * succeeded.
 */
void cr_roam_problem(struct cr_roam_report *r, unsigned event,
		     const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Record an action of the reconciliation (ok: applied); as above. */
void cr_roam_note_action(struct cr_roam_report *r,
			 const struct cr_sync_action *a, bool ok);

/* The summary's event and line; logged to syslog unless a dry run. */
void cr_roam_report_log(struct cr_roam_report *r);

/*
 * The report as JSON (complete: every action and problem), for
 * `credroam sync --json` and the store's `last-run` file.
 */
struct json_t;
struct json_t *cr_roam_report_json(const struct cr_roam_report *r);

/* `last-run` in the store: the report as JSON, for `credroam status`. */
void cr_roam_write_last_run(struct cr_store *store,
			    const struct cr_roam_report *r);

/* Names for JSON and people. */
const char *cr_roam_event_name(unsigned event);

#endif
