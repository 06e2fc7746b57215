/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Is this AD value acceptable?  The one answer for the roaming run, the
 * DC's guard (credroam_guard), `credroam token decode`, `credroam list`
 * and the Python extension (`samba-tool credroam`).
 *
 * A value of msPKIAccountCredentials or msPKIDPAPIMasterKeys is
 * acceptable when, in this order:
 *
 *  1. it is not bigger than the rules' token size allows (checked on the
 *     length before anything is decoded, then on the token);
 *  2. it is a well-formed DN-Binary "B:<n>:<HEX>:<DN>" (cr_dnbinary_parse);
 *  3. its DN part is a plain DN (no <GUID=...>/<SID=...>: the server
 *     would resolve those and they could name another object than the
 *     text) and, when the rules name the owner, names the owner
 *     (cr_dn_equal, format/dn.h);
 *  4. its binary part is a token that cr_token_parse() decodes and
 *     cr_token_check() accepts (known type, safe identifier of its
 *     type's form, stored SHA-1 matching the data);
 *  5. the token's type belongs in the attribute the value sits in, when
 *     the rules name it.
 *
 * The first rule that fails decides the problem and the message.
 */
#ifndef CREDROAM_ADVALUE_H
#define CREDROAM_ADVALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "format/token.h"

/*
 * Room for "B:<digits>:" and ":<DN>" around the hex of a token: with a
 * token size limit, a longer value is refused before it is decoded.
 */
#define CR_AD_VALUE_OVERHEAD (16 + 4096)

struct cr_ad_value_rules {
	/*
	 * The attribute the value sits in (CR_ATTR_CREDENTIALS or
	 * CR_ATTR_MASTER_KEYS, any case), or NULL: any.
	 */
	const char *attribute;
	/* The DN of the object holding the value, or NULL: not checked. */
	const char *owner_dn;
	/* Largest token in bytes (DIMSRoamingMaxTokenSize), 0: no limit. */
	size_t max_token_size;
	/*
	 * The value is a line of text from a file or a user: one trailing
	 * "\n" or "\r\n" is not part of it.  A value read from AD is never
	 * text (false).
	 */
	bool text;
};

struct cr_ad_value {
	size_t len;	/* bytes judged (text: without the line end) */
	/* the DN part; NULL when the DN-Binary wrapper did not parse */
	char *dn;
	/*
	 * the token, when the binary part decodes as one (also when the
	 * value is refused, for its DN part too); NULL when it does not
	 * (malformed) or was not decoded (too big)
	 */
	struct cr_token *token;
	/* CR_TOKEN_OK when acceptable, else the first rule that failed */
	enum cr_token_problem problem;
	/* NULL when acceptable, else why (on this struct, not a message) */
	char *refusal;
};

/*
 * Judge the DN-Binary value of len bytes at value (no NUL needed) under
 * rules (NULL: no rules beyond the formats).
 *
 * Returns 0 (acceptable), EBADMSG (malformed: the wrapper or the token
 * does not decode, or the token's stored SHA-1 does not match its data),
 * EINVAL (decodes, but refused: an unknown type, an unsafe identifier,
 * an extended or foreign DN part, the wrong attribute, too big) or
 * ENOMEM.  Except for ENOMEM, *_v (on mem_ctx) says what was found and
 * why it was refused, and *errmsg gets the refusal as a message.  A
 * caller that keeps the token talloc_steal()s v->token.
 */
int cr_ad_value_judge(TALLOC_CTX *mem_ctx, const char *value, size_t len,
		      const struct cr_ad_value_rules *rules,
		      struct cr_ad_value **_v, char **errmsg);

/*
 * The same for a token without its DN-Binary wrapper (a .token file):
 * rules 1, 4 and 5; owner_dn and text are ignored, v->dn is NULL.
 */
int cr_ad_token_judge(TALLOC_CTX *mem_ctx, const uint8_t *bin, size_t len,
		      const struct cr_ad_value_rules *rules,
		      struct cr_ad_value **_v, char **errmsg);

#endif
