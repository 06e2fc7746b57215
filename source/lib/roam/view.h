/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The roaming view of one run: the local store's tokens (L), AD's (R)
 * and the state (S), turned into the arrays sync.c reconciles.  Gathering
 * and facts only; every rule is sync.c's.
 *
 * AD values that cannot be used (malformed, refused, in the wrong
 * attribute, naming another DN, an older duplicate) are reported and left
 * alone; they keep their place in `remote` with token NULL.
 */
#ifndef CREDROAM_ROAM_VIEW_H
#define CREDROAM_ROAM_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>

#include "ad/adconn.h"
#include "ad/adstore.h"
#include "format/token.h"
#include "roam/report.h"
#include "roam/sync.h"
#include "store/localstore.h"
#include "store/state.h"

/* One value of AD's roaming attributes. */
struct cr_roam_remote {
	enum cr_ad_attr attr;
	const char *value;	/* the DN-Binary string as read */
	struct cr_token *token;	/* NULL: left alone, or a duplicate */
	/* an older copy of an identity AD holds twice: to be removed from
	 * AD (sync.c), never reconciled; token is NULL then */
	struct cr_token *duplicate;
};

struct cr_roam_view {
	struct cr_store_view *local;	/* L */
	struct cr_roam_remote *remote;	/* R, in AD's order */
	size_t num_remote;
};

/* What sync.c reads: L, R and S with the facts of the upload filters. */
struct cr_roam_sync_input {
	struct cr_sync_local *local;
	size_t num_local;
	struct cr_sync_remote *remote;	/* value_index: into view->remote */
	size_t num_remote;
	struct cr_sync_state *state;
	size_t num_state;
};

/* (Re)load L from the store. */
int cr_roam_view_load_local(struct cr_roam_view *v, struct cr_store *store,
			    char **errmsg);

/*
 * (Re)read R: the user's values from AD, each checked (report gets the
 * ones left alone), duplicates resolved by sync.c's rule.
 */
int cr_roam_view_read_remote(struct cr_roam_view *v, struct cr_adconn *conn,
			     struct cr_ad_user *user,
			     struct cr_roam_report *report, char **errmsg);

/*
 * Add AD's values of one attribute to R (checked as above, no I/O), and
 * resolve duplicates among all of R: for cr_roam_view_read_remote() and
 * for tests that build a view by hand.  dn: the user's.
 */
int cr_roam_view_add_remote(struct cr_roam_view *v,
			    const struct cr_ad_values *vals, const char *dn,
			    struct cr_roam_report *report);
int cr_roam_view_drop_duplicates(struct cr_roam_view *v,
				 struct cr_roam_report *report);

/* A live token of this identity: the local store's, else AD's. */
const struct cr_token *cr_roam_view_find_token(const struct cr_roam_view *v,
					       unsigned type, const char *id);

/* The local store's token of this identity (live or not), or NULL. */
const struct cr_token *cr_roam_view_find_local(const struct cr_roam_view *v,
					       unsigned type, const char *id);

/*
 * Does AD's live content equal these items (type, id, content hash)?
 * Tells a change nobody announced (a run killed between its token writes
 * and its timestamp write, a tool that forgot the timestamp) from none.
 */
bool cr_roam_view_remote_matches(const struct cr_roam_view *v,
				 const struct cr_state_item *items, size_t n);

/*
 * The arrays for cr_sync_reconcile(), on mem_ctx, pointing into v and
 * state.  Local tokens listed in left_out (a dry run's simulated removals)
 * are not part of L.
 */
int cr_roam_view_sync_input(TALLOC_CTX *mem_ctx, const struct cr_roam_view *v,
			    const struct cr_state *state,
			    const struct cr_state_item *left_out,
			    size_t num_left_out,
			    struct cr_roam_sync_input **input);

/* The live master key tokens (type 0) of L and of R. */
struct cr_roam_masterkeys {
	const struct cr_token **local;
	size_t num_local;
	const struct cr_token **remote;
	size_t num_remote;
};

int cr_roam_view_masterkeys(TALLOC_CTX *mem_ctx, const struct cr_roam_view *v,
			    struct cr_roam_masterkeys **mks);

#endif
