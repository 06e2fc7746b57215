/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the caller of a roaming run (or purge) chooses; see roam.h.
 */
#ifndef CREDROAM_ROAM_OPTIONS_H
#define CREDROAM_ROAM_OPTIONS_H

#include <stdbool.h>

#include "gpo/policy.h"

struct cr_roam_options {
	const char *store_path;	/* NULL: cr_store_default_path() */
	const char *password;	/* NULL: keyring pre-keys, then the DC */
	const char *conf_path;	/* NULL: CREDROAM_CONF_PATH */
	const char *dc;		/* NULL: discover */
	const char *trigger;	/* "manual", "logon", ... for the log */
	bool dry_run;		/* decide, write nothing */
	bool full;		/* skip the fast path */
	bool no_keyring;	/* neither read nor fill the kernel keyring */
	unsigned wait;		/* seconds to wait for another run's lock */
	enum cr_materialize materialize;	/* DEFAULT: credroam.conf */
};

#endif
