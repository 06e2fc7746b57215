/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One roaming run for the calling user (DESIGN.md 3): who, policy, fast
 * path, load, local changes, reconcile, apply, materialize, state, one
 * summary line.  Every step that changes something is idempotent, so a
 * run killed anywhere and run again converges (fault.h marks the points).
 */
#ifndef CREDROAM_ROAM_H
#define CREDROAM_ROAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "gpo/gpo.h"
#include "gpo/policy.h"
#include "roam/sync.h"

struct cr_roam_options {
	const char *store_path;	/* NULL: cr_store_default_path() */
	const char *password;	/* NULL: keyring pre-keys, then the DC */
	const char *conf_path;	/* NULL: CREDROAM_CONF_PATH */
	const char *dc;		/* NULL: discover */
	const char *trigger;	/* "manual", "logon", ... for the log */
	bool dry_run;		/* decide, write nothing */
	bool full;		/* skip the fast path */
	bool no_keyring;	/* neither read nor fill the kernel keyring */
	unsigned wait;		/* seconds to wait for another run's lock */
};

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
	unsigned conflicts;
	size_t local_tokens, ad_values;
	struct cr_roam_done *actions;
	size_t num_actions;
	struct cr_roam_problem *problems;
	size_t num_problems;
	unsigned event;		/* the summary's event id */
	char *summary;		/* the one line logged */
	uint64_t started;	/* FILETIME */
	double seconds;
};

/*
 * Run.  Returns 0 when the run did its job (also: policy off, another run
 * busy, problems reported per token), else an errno with *errmsg (the DC
 * cannot be reached, the store cannot be opened, ...); *report is set in
 * both cases when possible, and the run leaves everything as it was.
 */
int cr_roam_run(TALLOC_CTX *mem_ctx, const struct cr_roam_options *opts,
		struct cr_roam_report **report, char **errmsg);

enum cr_purge_what {
	CR_PURGE_TOMBSTONES,	/* the tombstones in AD */
	CR_PURGE_ALL,		/* every token in AD; local copies to trash/ */
};

/*
 * Remove your own roaming values from AD, value by value, and move the
 * timestamp.  CR_PURGE_ALL also moves roaming/ and certs/ into trash/
 * and forgets the state and the session's keys, so that nothing comes
 * back by itself: roaming starts again from what you import next.
 */
int cr_roam_purge(TALLOC_CTX *mem_ctx, const struct cr_roam_options *opts,
		  enum cr_purge_what what, struct cr_roam_report **report,
		  char **errmsg);

/*
 * The report as JSON (complete: every action and problem), for
 * `credroam sync --json` and the store's `last-run` file.
 */
struct json_t;
struct json_t *cr_roam_report_json(const struct cr_roam_report *r);

/* Names for JSON and people. */
const char *cr_roam_event_name(unsigned event);

#endif
