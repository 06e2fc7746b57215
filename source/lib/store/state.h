/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The last-synced view of one user's roaming (DESIGN.md 5, "S"): what the
 * local store and AD agreed on at the end of the last successful run, plus
 * what the fast path and materialization need to tell a change from no
 * change.  Kept in the store as `state` (JSON), replaced atomically; the
 * previous copy stays beside it as `state.old` and is used when `state`
 * is missing or unreadable.
 */
#ifndef CREDROAM_STATE_H
#define CREDROAM_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "store/localstore.h"

struct cr_state_item {
	unsigned type;
	char *id;
	char *sha1;		/* content identity, upper-case hex */
};

/* A certificate this machine made usable in certs/. */
struct cr_state_cert {
	char *thumbprint;	/* upper-case hex = file name stem */
	unsigned cert_type;	/* 3 or 7 */
	char *key_id;		/* token id of its key, or NULL */
	unsigned key_type;
	bool key_written;	/* certs/<thumbprint>.key was made */
};

struct cr_state {
	char *sid;
	char *dn;
	bool has_timestamp;
	uint8_t timestamp[16];
	/* The user object's uSNChanged as the run last read it, and the DC
	 * it read it from (uSNChanged is counted by each DC: a value from
	 * another DC says nothing).  The timestamp alone is not enough with
	 * several DCs: replication merges the linked values of two writers
	 * but keeps only the last writer's timestamp.  0 / NULL: unknown,
	 * the next run is a full run. */
	uint64_t usn_changed;
	char *usn_dc;
	char *fingerprint;	/* cr_store_fingerprint() after the run */
	char *policy;		/* digest of the policy in force */
	uint64_t synced;	/* FILETIME of the run that wrote it */
	struct cr_state_item *items;
	size_t num_items;
	struct cr_state_cert *certs;
	size_t num_certs;
};

/*
 * Load the state.  A store without one gives an empty state.  When
 * `state` is unreadable, `state.old` is used and *warning says so (the
 * caller logs it); when both are, the state is empty (a first run: every
 * difference becomes a conflict or a new item, nothing is lost).
 */
int cr_state_load(TALLOC_CTX *mem_ctx, struct cr_store *store,
		  struct cr_state **pstate, char **warning, char **errmsg);

/* Keep the current file as state.old, then write the new one. */
int cr_state_save(struct cr_store *store, const struct cr_state *state,
		  char **errmsg);

/* Serialize/parse (exposed for tests and the fuzzer). */
int cr_state_to_json(TALLOC_CTX *mem_ctx, const struct cr_state *state,
		     char **ptext, char **errmsg);
int cr_state_from_json(TALLOC_CTX *mem_ctx, const uint8_t *text, size_t len,
		       struct cr_state **pstate, char **errmsg);

const struct cr_state_item *cr_state_find(const struct cr_state *state,
					  unsigned type, const char *id);
const struct cr_state_cert *cr_state_find_cert(const struct cr_state *state,
					       const char *thumbprint);

#endif
