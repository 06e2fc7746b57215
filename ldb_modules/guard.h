/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam_guard's decision: is an LDAP add or modify of a user's roaming
 * attributes acceptable (DESIGN.md 6)?
 *
 * This is the pure part, without a module stack, so cmocka can test every
 * rule: the ldb module (guard_module.c) only gathers the object's current
 * values, asks cr_guard_review() and acts on the answer.
 *
 * A value of msPKIAccountCredentials or msPKIDPAPIMasterKeys is accepted
 * when cr_ad_value_judge() (format/advalue.h, the same answer the client
 * and the tools give) accepts it for the attribute, the object's DN and
 * max_token_size: a well-formed DN-Binary "B:<n>:<HEX>:<DN>" whose DN is the
 * object itself (plain, no <GUID=...> parts), whose binary part is a token
 * of at most max_token_size bytes that cr_token_parse() decodes and
 * cr_token_check() accepts (safe identifier of its type's form, stored
 * SHA-1 matching the data), and whose type belongs in that attribute; and
 * the attribute holds at most max_tokens values after the change.
 *
 * Attributes are recognised as a client may name them: any case, with
 * options (";binary"), with an "OID." prefix, or by attributeID.
 */
#ifndef CREDROAM_GUARD_H
#define CREDROAM_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <ldb.h>

/* attributeID of each, from the AD schema (MS-ADA2) */
#define CR_GUARD_OID_TIMESTAMP "1.2.840.113556.1.4.1892"
#define CR_GUARD_OID_MASTER_KEYS "1.2.840.113556.1.4.1893"
#define CR_GUARD_OID_CREDENTIALS "1.2.840.113556.1.4.1894"
#define CR_GUARD_ATTR_TIMESTAMP_NAME "msPKIRoamingTimeStamp"
#define CR_GUARD_TIMESTAMP_LEN 16

/*
 * Defaults: the largest token any DIMSRoamingMaxTokenSize allows, and
 * twice Windows' default DIMSRoamingMaxNumTokens (2000): the client itself
 * stops at twice its limit (live tokens plus tombstones).  A domain whose
 * policy allows more must raise "credroam:max tokens" too.
 */
#define CR_GUARD_DEFAULT_MAX_TOKEN_SIZE 100000
#define CR_GUARD_DEFAULT_MAX_TOKENS 4000
/* what a configuration may ask for */
#define CR_GUARD_MAX_TOKENS_CEILING 1000000

enum cr_guard_attr {
	CR_GUARD_ATTR_OTHER = 0,
	CR_GUARD_ATTR_CREDENTIALS,	/* msPKIAccountCredentials */
	CR_GUARD_ATTR_MASTER_KEYS,	/* msPKIDPAPIMasterKeys */
	CR_GUARD_ATTR_TIMESTAMP,	/* msPKIRoamingTimeStamp */
};

struct cr_guard_limits {
	size_t max_token_size;	/* bytes of one token */
	size_t max_tokens;	/* values of one attribute */
};

void cr_guard_limits_default(struct cr_guard_limits *limits);

/* Which attribute an element name (as sent by a client) means. */
enum cr_guard_attr cr_guard_classify(const char *name);
/* "msPKIAccountCredentials", ...; "" for OTHER */
const char *cr_guard_attr_name(enum cr_guard_attr attr);

/*
 * What a change names of the token attributes, counted from the message
 * alone.
 */
struct cr_guard_size {
	size_t values;	/* values of both token attributes, all elements */
	size_t bytes;	/* their total length */
};

/*
 * A change at most this big costs the guard less than finding out
 * whether the caller may write the object at all.
 */
#define CR_GUARD_SMALL_VALUES 16
#define CR_GUARD_SMALL_BYTES (1024 * 1024)

/*
 * The first look at a change (an add when is_add, else a modify), before
 * anything is decoded and at a cost of one step per element and value:
 * EINVAL and a message when it names more values of one token attribute
 * than an acceptable change does, that is more than max_tokens to add or
 * replace across all its elements, or more than max_tokens to delete.
 * Otherwise 0 and its size in *size.  cr_guard_review() starts with it.
 */
int cr_guard_bound(TALLOC_CTX *mem_ctx, const struct cr_guard_limits *limits,
		   const struct ldb_message *msg, bool is_add,
		   struct cr_guard_size *size, char **errmsg);
bool cr_guard_size_is_small(const struct cr_guard_size *size);

/*
 * What of the stored object a review needs, so that the module reads no
 * more than that: on a DC the read is most of the guard's cost, and on
 * the client's own connection it is a round trip.
 */
struct cr_guard_needs {
	/*
	 * The stored values of [0] credentials, [1] master keys: only when
	 * the change may make the attribute grow (a replace, more values
	 * added than deleted, a permissive modify), for the count limit.
	 * Otherwise every deleted value must exist for the modify to
	 * succeed, so the attribute cannot grow.
	 */
	bool values[2];
	/* the stored timestamp: the change does not set one, the guard does */
	bool timestamp;
	/* the stored DN: the request names the object by GUID or SID */
	bool dn;
};

/*
 * Fill *needs for msg (an add when is_add, else a modify; permissive
 * when it carries the permissive-modify control).  Returns 0 or ENOMEM.
 */
int cr_guard_plan(const struct ldb_message *msg, bool is_add,
		  bool permissive, struct cr_guard_needs *needs);
bool cr_guard_needs_any(const struct cr_guard_needs *needs);

/* how many token identities a review names in each list */
#define CR_GUARD_REVIEW_IDS 16

/* The result of a review that accepted the change. */
struct cr_guard_review {
	bool guarded;		/* touches a token attribute */
	bool sets_timestamp;	/* names msPKIRoamingTimeStamp itself */
	/*
	 * Tokens added / removed, both attributes: how many, and the
	 * identity ("7\3B83BF...") of the first CR_GUARD_REVIEW_IDS.
	 */
	const char **added;
	size_t num_added;
	const char **removed;
	size_t num_removed;
	/* values each token attribute holds after the change */
	size_t count_after[2];	/* [0] credentials, [1] master keys */
	bool counted[2];	/* count_after is known: the values were read */
};

/*
 * Review msg (an add when is_add, else a modify) for the object owner.
 * current is the object as stored (its token attributes), or NULL when
 * it could not be read (an add, or an object the caller cannot see);
 * read says which token attributes current holds (NULL: both), as
 * cr_guard_plan() asked.  For an attribute not read, deleted values
 * count as removed and the count limit is not checked (the plan read
 * it whenever the change could grow it).
 *
 * Returns 0 with *_review (talloc'ed on mem_ctx; guarded == false when
 * msg touches no token attribute), ENOMEM, or EINVAL / EBADMSG when a
 * rule refuses the change, with a message naming the attribute, the
 * value's position and the problem.
 *
 * The cost grows with the number and size of the values (stored and
 * named), each decoded once; cr_guard_bound() limits their number.
 */
int cr_guard_review(TALLOC_CTX *mem_ctx, struct ldb_context *ldb,
		    const struct cr_guard_limits *limits,
		    const struct ldb_message *msg, bool is_add,
		    struct ldb_dn *owner, const struct ldb_message *current,
		    const struct cr_guard_needs *read,
		    struct cr_guard_review **_review, char **errmsg);

/*
 * One value alone: 0 and the token's identity in *_identity (on
 * mem_ctx), or EINVAL / EBADMSG and a message.
 */
int cr_guard_check_value(TALLOC_CTX *mem_ctx, struct ldb_context *ldb,
			 const struct cr_guard_limits *limits,
			 enum cr_guard_attr attr, struct ldb_dn *owner,
			 const struct ldb_val *value, char **_identity,
			 char **errmsg);

/*
 * The timestamp a change writes (DESIGN.md 5): bytes 8..15 of the old
 * value (zeros when there is none or it is not 16 bytes) followed by now
 * as a little-endian FILETIME.
 */
void cr_guard_timestamp(const uint8_t *old, size_t old_len, uint64_t now,
			uint8_t out[CR_GUARD_TIMESTAMP_LEN]);

#endif
