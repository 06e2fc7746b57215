/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the files of one roaming run share (roam.c, roam_local.c,
 * roam_materialize.c, roam_report.c); not a public interface.
 */
#ifndef CREDROAM_ROAM_PRIVATE_H
#define CREDROAM_ROAM_PRIVATE_H

#include <stdarg.h>

#include "ad/adconn.h"
#include "ad/adstore.h"
#include "keys/keys.h"
#include "store/localstore.h"
#include "store/material.h"
#include "roam/roam.h"
#include "store/state.h"
#include "roam/sync.h"

/* The master key token that names the key in use (spec/dpapi.md). */
#define PREFERRED_ID "Preferred"

struct roam_ctx {
	const struct cr_roam_options *opts;
	struct cr_roam_report *report;
	uint64_t now;
	struct cr_store *store;
	struct cr_state *state;		/* as loaded */
	struct cr_state *next;		/* what this run will save */
	struct cr_adconn *conn;
	struct cr_ad_user *user;
	struct cr_keys *keys;
	struct cr_sync_policy sync_policy;
	size_t num_sr;
	size_t num_sl;
	unsigned erode_type;
	bool ad_written;
	bool bump_retried;
	bool local_changed;
	bool stopped;
	char *machine_guid;
	/* a dry run's local removals, simulated (ids into the state) */
	struct cr_state_item *dry_removed;
	size_t num_dry_removed;
	/* AD's tokens once read (roam.c), for cr_roam_find_token() */
	struct roam_view *view;
};

/* A live token of this identity: the local store's, else AD's. */
const struct cr_token *cr_roam_find_token(struct roam_ctx *c,
					  const struct cr_store_view *local,
					  unsigned type, const char *id);

struct roam_ctx *cr_roam_ctx_new(TALLOC_CTX *mem_ctx,
				 const struct cr_roam_options *opts);
/* Who, the store (locked), the state, AD, the keys; sets report->busy. */
int cr_roam_open(struct roam_ctx *c, char **errmsg);
/* The user's object (c->user, report->dn), by the DN the state knows. */
int cr_roam_find_user(struct roam_ctx *c, char **errmsg);

/* Move msPKIRoamingTimeStamp on, re-reading it if someone moved it. */
int cr_roam_bump_timestamp(struct roam_ctx *c, uint8_t new_ts[16],
			   char **errmsg);

void cr_roam_problem(struct cr_roam_report *r, unsigned event,
		     const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * What the user did in certs/ since the last run: a new certificate (and
 * key) dropped there becomes tokens in roaming/; a certificate of ours
 * that was removed takes its tokens to trash/.  Sets c->local_changed.
 */
int cr_roam_local_changes(struct roam_ctx *c,
			  const struct cr_store_view *local, char **errmsg);

/*
 * Import one certificate (and key) into roaming/ under the preferred
 * master key (made when the user has none and a password is at hand).
 * *thumbprint gets the certificate's.  Used by local changes and by
 * `credroam import`.
 */
int cr_roam_import_pair(struct roam_ctx *c, const struct cr_store_view *local,
			const struct cr_material_pair *pair, char **errmsg);

/*
 * Make certs/ match roaming/: a PEM certificate for every certificate
 * token, its PKCS#8 key when it can be decrypted, and the files of
 * certificates that no longer roam moved to trash/.  Fills c->next->certs.
 */
int cr_roam_materialize(struct roam_ctx *c, const struct cr_store_view *local,
			char **errmsg);

/* `last-run` in the store: the report as JSON, for `credroam status`. */
void cr_roam_write_last_run(struct cr_store *store,
			    const struct cr_roam_report *r);

#endif
