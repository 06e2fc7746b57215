/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Three-way reconciliation of one user's roaming tokens (DESIGN.md 5):
 * the local store (L), Active Directory (R) and the state (S, what L and R
 * agreed on at the end of the last successful run).  A pure function: it
 * reads three lists and the policy and returns a list of actions; the
 * roaming run does all I/O.
 *
 * Identity of an item is the type digit plus the identifier; its content
 * identity is the upper-case hex SHA-1 of its data.
 */
#ifndef CREDROAM_SYNC_H
#define CREDROAM_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "util/encoding.h"

/* One item of the local store. */
struct cr_sync_local {
	unsigned type;
	const char *id;
	const char *sha1;	/* content identity */
	uint64_t filetime;	/* last local modification */
	size_t token_size;	/* bytes of the token an upload would write */
	/* facts for the upload filters, computed by the caller */
	bool affiliated;	/* a key whose certificate roams too */
	/* a master key some roamed key needs ("Preferred" needs no fact:
	 * it names the key in use) */
	bool protects_roamed_key;
	bool smart_card;	/* certificate/request of a smart card */
};

/* One token in AD (only well-formed, safe ones: the caller reports the
 * others and leaves them alone). */
struct cr_sync_remote {
	unsigned type;
	const char *id;
	const char *sha1;
	uint64_t filetime;
	bool tombstone;
	/* an older copy of an identity AD holds twice (see
	 * cr_sync_drop_duplicates()): removed from AD, never reconciled */
	bool duplicate;
	size_t value_index;	/* the caller's handle on the AD value */
};

/* One entry of the state. */
struct cr_sync_state {
	unsigned type;
	const char *id;
	const char *sha1;
};

struct cr_sync_policy {
	uint32_t tombstone_days;
	uint32_t max_tokens;
	uint32_t max_token_size;
	bool roam_unaffiliated_keys;
	bool roam_unused_dpapi_keys;
	bool roam_smart_card_certificates;
	uint64_t now;		/* FILETIME of this run */
};

enum cr_sync_verb {
	CR_SYNC_KEEP,		/* in sync: record in S */
	CR_SYNC_UPLOAD,		/* L -> R (add, or replace R's value) */
	CR_SYNC_DOWNLOAD,	/* R -> L */
	CR_SYNC_TRASH_LOCAL,	/* move L to trash/, forget in S */
	CR_SYNC_TOMBSTONE,	/* replace R's live value with a tombstone */
	CR_SYNC_ERODE,		/* delete R's expired tombstone */
	CR_SYNC_FORGET,		/* drop from S, nothing else */
	CR_SYNC_SKIP,		/* nothing now, for a reason (see event) */
};

/* Windows event ids (Microsoft-Windows-CertificateServicesClient-
 * CredentialRoaming) that mean the same as what the run saw. */
enum cr_sync_event {
	CR_EVENT_NONE = 0,
	CR_EVENT_CONFLICT = 501,
	CR_EVENT_TOO_MANY_LOCAL = 1008,
	CR_EVENT_TOO_MANY_AD = 1009,
	CR_EVENT_TOO_BIG = 1011,
};

/* Why the table chose the verb, for logs and tests. */
enum cr_sync_rule {
	CR_RULE_SAME,			/* L == R */
	CR_RULE_LOCAL_CHANGED,		/* S == R != L */
	CR_RULE_REMOTE_CHANGED,		/* S == L != R */
	CR_RULE_CONFLICT_LOCAL_WINS,	/* both changed, L newer */
	CR_RULE_CONFLICT_REMOTE_WINS,	/* both changed, R newer or tie */
	CR_RULE_MASTERKEY_CONFLICT,	/* type 0 differs: both kept */
	CR_RULE_NEW_LOCAL,		/* L only */
	CR_RULE_REMOVED_FROM_AD,	/* L and S, not R */
	CR_RULE_NEW_REMOTE,		/* R only */
	CR_RULE_DELETED_LOCALLY,	/* R and S, not L */
	/* type 0: restore, never tombstone */
	CR_RULE_MASTERKEY_DELETED_LOCALLY,
	CR_RULE_TOMBSTONE_WINS,		/* R tombstone newer than L */
	CR_RULE_RECREATED,		/* L newer than R's tombstone */
	CR_RULE_TOMBSTONE_ONLY,		/* R tombstone, no L */
	CR_RULE_TOMBSTONE_EXPIRED,	/* tombstone older than the policy */
	CR_RULE_STATE_ONLY,		/* only S remembers it */
	CR_RULE_FILTERED,		/* an upload filter keeps it local */
	CR_RULE_TOO_BIG,		/* over DIMSRoamingMaxTokenSize */
	CR_RULE_TOO_MANY_LOCAL,		/* over DIMSRoamingMaxNumTokens */
	CR_RULE_DUPLICATE,		/* an older copy of an identity */
};

struct cr_sync_action {
	enum cr_sync_verb verb;
	enum cr_sync_rule rule;
	enum cr_sync_event event;
	unsigned type;
	const char *id;
	const struct cr_sync_local *local;	/* NULL if none */
	const struct cr_sync_remote *remote;	/* NULL if none */
	const struct cr_sync_state *state;	/* NULL if none */
};

struct cr_sync_result {
	/* true when roaming stopped for this user (too many AD values) */
	bool stopped;
	enum cr_sync_event stop_event;
	struct cr_sync_action *actions;
	size_t num_actions;
	size_t live_local;	/* live local items counted for 1008 */
	size_t ad_values;	/* live + tombstones counted for 1009 */
};

/*
 * Reconcile.  The arrays are not modified; actions point into them.
 * Duplicate identities in `remote` must be marked by the caller
 * (cr_sync_drop_duplicates()): each marked copy is removed from AD
 * (CR_SYNC_ERODE, CR_RULE_DUPLICATE), except a master key's, which is
 * never removed; only the unmarked copy takes part in the table.
 * Returns 0 or ENOMEM.
 */
int cr_sync_reconcile(TALLOC_CTX *mem_ctx,
		      const struct cr_sync_local *local, size_t num_local,
		      const struct cr_sync_remote *remote, size_t num_remote,
		      const struct cr_sync_state *state, size_t num_state,
		      const struct cr_sync_policy *policy,
		      struct cr_sync_result **presult);

/*
 * AD may hold one identity twice: two machines added it at once, or
 * changed it at two DCs before replication met (linked-value replication
 * keeps every value, so both the old and the new change survive).  The
 * copy that roams: the newer FILETIME; on a tie a tombstone (an equal
 * copy never undoes a deletion), then the greater content hash.  The
 * choice depends on the values only, never on their order or on which
 * DC was read, so every machine keeps the same copy and removes the same
 * others: writers never fight.  dropped[] (num_remote entries) is true on
 * entry for values out of the game already (never compared) and gets true
 * for each older copy; returns how many it added.
 */
size_t cr_sync_drop_duplicates(const struct cr_sync_remote *remote,
			       size_t num_remote, bool *dropped);

/*
 * The S column of the next run: what L and R hold alike once the
 * actions are done (kept, uploaded, downloaded; a skipped item keeps
 * what was agreed, a differing master key AD's hash).  The strings are
 * copies on *next.  Returns 0 or ENOMEM.
 */
int cr_sync_next_state(TALLOC_CTX *mem_ctx, const struct cr_sync_result *res,
		       struct cr_sync_state **next, size_t *num_next);

const char *cr_sync_verb_name(enum cr_sync_verb verb);
const char *cr_sync_rule_name(enum cr_sync_rule rule);

#endif
