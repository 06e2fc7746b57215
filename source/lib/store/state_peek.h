/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The two fields of the state (state.h; `sid` and `fingerprint` as
 * cr_state_to_json writes them) that tell whether the store changed
 * since the last run that saved it, read without the rest of the store
 * code: pam_credroam's helper uses it at logoff.
 */
#ifndef CREDROAM_STATE_PEEK_H
#define CREDROAM_STATE_PEEK_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

/*
 * text is a state file's bytes.  Returns 0; EBADMSG (not JSON), ENOENT
 * (either field missing or not a string) with a message; ENOMEM.
 */
int cr_state_peek(TALLOC_CTX *mem_ctx, const uint8_t *text, size_t len,
		  char **psid, char **pfingerprint, char **errmsg);

#endif
