/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The roaming attributes of one user object in AD: ranged reads,
 * value-level writes, the 16-byte timestamp (DESIGN.md 3, 5.4).
 *
 * Values are handled as the DN-Binary strings AD stores
 * ("B:<count>:<HEX>:<DN>"); decoding the token inside is the token codec's
 * job.  Writes never replace a whole attribute: these are linked attributes,
 * and every removed value stays in the object as a deleted link.
 */
#ifndef CREDROAM_ADSTORE_H
#define CREDROAM_ADSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "ad/adconn.h"

struct ldb_message;

#define CR_ATTR_CREDENTIALS "msPKIAccountCredentials"
#define CR_ATTR_MASTERKEYS "msPKIDPAPIMasterKeys"
#define CR_ATTR_TIMESTAMP "msPKIRoamingTimeStamp"
#define CR_TIMESTAMP_LEN 16

enum cr_ad_attr {
	CR_AD_CREDENTIALS = 0,
	CR_AD_MASTERKEYS = 1,
};

struct cr_ad_values {
	enum cr_ad_attr attr;
	char **values;		/* DN-Binary strings, as the DC returned them */
	size_t count;
};

struct cr_ad_user {
	char *dn;
	char *sid;
	bool has_timestamp;
	uint8_t timestamp[CR_TIMESTAMP_LEN];
	uint64_t usn_changed;
	/* filled by cr_adstore_read_tokens() */
	struct cr_ad_values creds;
	struct cr_ad_values mkeys;
};

const char *cr_ad_attr_name(enum cr_ad_attr attr);

/*
 * Find a user object by SID ("S-1-5-21-...") and read its timestamp and
 * uSNChanged: one base search.  ENOENT when no object is visible.
 */
int cr_adstore_lookup(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
		      const char *sid, struct cr_ad_user **puser,
		      char **errmsg);

/*
 * The same for a DN remembered from an earlier run: one base search that
 * also checks the object still has the SID.  ENOENT when the object moved
 * or is another one now (then use cr_adstore_lookup()).
 */
int cr_adstore_lookup_dn(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
			 const char *dn, const char *sid,
			 struct cr_ad_user **puser, char **errmsg);

/*
 * The user from an object a wider search returned (the Group Policy
 * search asks for CR_ATTR_TIMESTAMP and uSNChanged of the user's DN too);
 * the caller has checked that msg is the object of sid.
 */
int cr_adstore_user_from_msg(TALLOC_CTX *mem_ctx,
			     const struct ldb_message *msg, const char *sid,
			     struct cr_ad_user **puser, char **errmsg);

/*
 * Read both token attributes of user->dn, following ranged retrieval
 * ("attr;range=0-1499") for any number of values.
 */
int cr_adstore_read_tokens(struct cr_adconn *conn, struct cr_ad_user *user,
			   char **errmsg);

/*
 * One value-level change in one LDAP modify: delete old_value (if any),
 * add new_value (if any).  If another writer changed the value first, the
 * DC refuses the modify and this returns ESTALE ("conflict, re-read").
 */
int cr_adstore_change_value(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
			    const char *dn, enum cr_ad_attr attr,
			    const char *old_value, const char *new_value,
			    char **errmsg);

/*
 * Set msPKIRoamingTimeStamp to old[8..15] || now (DESIGN.md 5.4), as a
 * delete of the exact old value plus an add, so two machines racing cannot
 * both think they wrote it (ESTALE for the loser).  old may be NULL when
 * the object has none.  Returns the value written in new_ts.
 */
int cr_adstore_bump_timestamp(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
			      const char *dn, const uint8_t *old_ts,
			      uint64_t now,
			      uint8_t new_ts[CR_TIMESTAMP_LEN],
			      char **errmsg);

#endif
