/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The user's preferred DPAPI master key (spec/dpapi.md): the key the
 * "Preferred" token names while it has not expired, else a new key made
 * as Windows makes it (a password pre-key at hand) with a new Preferred.
 * Decides and builds only: the caller writes the new tokens.
 */
#ifndef CREDROAM_KEYS_PREFERRED_H
#define CREDROAM_KEYS_PREFERRED_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "format/token.h"
#include "keys/keys.h"
#include "util/encoding.h"

/* How long a new Preferred names its key, as Windows. */
#define CR_PREFERRED_LIFETIME_DAYS 90

struct cr_preferred_key {
	struct cr_guid guid;
	const uint8_t *mk;		/* owned by keys */
	size_t mk_len;
	/*
	 * To write into the local store, the key first: a Preferred naming
	 * a missing key would be worse than a key without a Preferred (the
	 * next call adopts that one).  NULL: nothing to write.
	 */
	struct cr_token *new_key;
	struct cr_token *new_preferred;
};

/*
 * The preferred master key.  local: the local store's master key tokens
 * (type 0, "Preferred" among them), remote: AD's live ones; a token is
 * looked up in local first.  A local key without any Preferred (a run
 * killed between writing both) is adopted rather than another made.
 * now: FILETIME of the new tokens.
 */
int cr_keys_preferred(TALLOC_CTX *mem_ctx, struct cr_keys *keys,
		      const struct cr_token * const *local, size_t num_local,
		      const struct cr_token * const *remote,
		      size_t num_remote, uint64_t now,
		      struct cr_preferred_key **result, char **errmsg);

#endif
