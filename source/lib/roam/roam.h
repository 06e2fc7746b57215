/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One roaming run for the calling user (DESIGN.md 3): who, policy, fast
 * path, load, local changes, reconcile, apply, materialize, state, one
 * summary line.  Every step that changes something is idempotent, so a
 * run killed anywhere and run again converges (fault.h marks the points).
 */
#ifndef CREDROAM_ROAM_H
#define CREDROAM_ROAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "roam/options.h"
#include "roam/report.h"

/*
 * Run.  Returns 0 when the run did its job (also: policy off, another run
 * busy, problems reported per token), else an errno with *errmsg (the DC
 * cannot be reached, the store cannot be opened, ...); *report is set in
 * both cases when possible, and the run leaves everything as it was.
 */
int cr_roam_run(TALLOC_CTX *mem_ctx, const struct cr_roam_options *opts,
		struct cr_roam_report **report, char **errmsg);

enum cr_purge_what {
	CR_PURGE_TOMBSTONES,	/* the tombstones in AD */
	CR_PURGE_ALL,		/* every token in AD; local copies to trash/ */
};

/*
 * Remove your own roaming values from AD, value by value, and move the
 * timestamp.  CR_PURGE_ALL also moves roaming/ and certs/ into trash/
 * and forgets the state and the session's keys, so that nothing comes
 * back by itself: roaming starts again from what you import next.
 */
int cr_roam_purge(TALLOC_CTX *mem_ctx, const struct cr_roam_options *opts,
		  enum cr_purge_what what, struct cr_roam_report **report,
		  char **errmsg);

/*
 * The PKCS#8 PEM (secret) of a roamed certificate's key, decrypted in
 * memory from roaming/ with the session's master keys (keyring, password
 * or the DC), for `credroam export --p12` when certs/ has no key file.
 * Takes the store's lock as a run does.  ENOENT: no such certificate, or
 * no container of it opens here.
 */
int cr_roam_export_key(TALLOC_CTX *mem_ctx,
		       const struct cr_roam_options *opts,
		       const char *thumbprint, char **pem, size_t *pem_len,
		       char **errmsg);

#endif
