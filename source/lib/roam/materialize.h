/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Make certs/ match roaming/: a PEM certificate for every certificate
 * token, and the files of certificates that no longer roam moved to
 * trash/.  The private keys follow report->materialize: TOKEN (the
 * default) writes no key file: the agent's PKCS#11 token serves the keys
 * from their DPAPI containers, and a key file an older run left is wiped
 * and removed once its container is found to open; FILES writes each key
 * that can be decrypted as PKCS#8 PEM (mode 0600).
 */
#ifndef CREDROAM_ROAM_MATERIALIZE_H
#define CREDROAM_ROAM_MATERIALIZE_H

#include "roam/session.h"
#include "roam/view.h"
#include "store/state.h"

/*
 * v: L as it is now (R for master keys that do not roam here yet).
 * next: the state this run will save, its items already set (a key
 * written before from the same token is not decrypted again); gets its
 * certs.
 */
int cr_roam_materialize(struct cr_roam_session *s,
			const struct cr_roam_view *v, struct cr_state *next,
			char **errmsg);

/*
 * The PKCS#8 PEM (secret) of the certificate token cert's key, decrypted
 * from roaming/ with the session's keys: for `credroam export --p12`
 * when no key file exists (materialize = token).  ENOENT: no container
 * of this certificate opens.
 */
int cr_roam_materialize_key(TALLOC_CTX *mem_ctx, struct cr_keys *keys,
			    const struct cr_roam_view *v,
			    const struct cr_token *cert, char **pem,
			    size_t *pem_len, char **errmsg);

#endif
