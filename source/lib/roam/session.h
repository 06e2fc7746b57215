/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What every step of one roaming run (or purge) needs: the caller's
 * options, the report, the run's time, the user's locked store and its
 * state as loaded, the AD connection and user object, the session's
 * master keys.  Whatever only some steps share travels as arguments.
 */
#ifndef CREDROAM_ROAM_SESSION_H
#define CREDROAM_ROAM_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>

#include "ad/adconn.h"
#include "ad/adstore.h"
#include "keys/keys.h"
#include "roam/options.h"
#include "roam/report.h"
#include "store/localstore.h"
#include "store/state.h"

struct cr_roam_session {
	const struct cr_roam_options *opts;
	struct cr_roam_report *report;
	uint64_t now;			/* FILETIME of this run */
	struct cr_store *store;		/* locked */
	struct cr_state *state;		/* as loaded */
	struct cr_adconn *conn;
	struct cr_ad_user *user;
	struct cr_keys *keys;
};

/* A session with its report; nothing opened yet.  NULL: no memory. */
struct cr_roam_session *cr_roam_session_new(
	TALLOC_CTX *mem_ctx, const struct cr_roam_options *opts);

/*
 * Who, the store (locked), the state: everything local.  Another run
 * holding the lock is no error: report->busy is set and nothing else
 * opened.
 */
int cr_roam_session_open(struct cr_roam_session *s, char **errmsg);

/* AD (connected and bound) and the session's keys. */
int cr_roam_session_connect(struct cr_roam_session *s, char **errmsg);

/* The DN the state remembers for this user, or NULL. */
const char *cr_roam_session_known_dn(const struct cr_roam_session *s);

/* s->user (and report->dn) from an object read elsewhere. */
int cr_roam_session_set_user(struct cr_roam_session *s,
			     struct cr_ad_user *user);

/*
 * The user's object (s->user, report->dn), by SID: a first run, or the
 * DN the state remembers is not the user's any more (two searches).
 */
int cr_roam_session_find_user(struct cr_roam_session *s, char **errmsg);

/*
 * Before roaming values are read or written: when s->user has no
 * timestamp and s->conn is a read-only DC (which holds no roaming values:
 * never "everything was deleted"), the connection, the keys and s->user
 * move to a writable DC; EROFS when the caller named that read-only DC.
 * A user with a timestamp costs nothing; one without, two searches.
 */
int cr_roam_session_writable_dc(struct cr_roam_session *s, char **errmsg);

/*
 * Move msPKIRoamingTimeStamp on, re-reading it if someone moved it
 * meanwhile (*moved_by_other then true); new_ts gets the value written.
 */
int cr_roam_session_bump_timestamp(struct cr_roam_session *s,
				   uint8_t new_ts[CR_TIMESTAMP_LEN],
				   bool *moved_by_other, char **errmsg);

/* What the session cost (LDAP, BKRP), into the report. */
void cr_roam_session_count_costs(struct cr_roam_session *s);

#endif
