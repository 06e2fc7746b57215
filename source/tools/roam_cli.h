/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Options every command that runs the roaming engine takes (sync, status,
 * import, purge): where the store is, the password, the DC, the config.
 */
#ifndef CREDROAM_ROAM_CLI_H
#define CREDROAM_ROAM_CLI_H

#include <stdbool.h>

#include "cli.h"
#include "roam/roam.h"

#define ROAM_CLI_OPTIONS \
	"[--password-file F] [--server HOST] [--store DIR] [--conf FILE] " \
	"[--no-keyring] [--materialize token|files]"

/*
 * Take one of the common options at argv[*i] into opts (reading the
 * password file).  1: taken, 0: not one of them, -1: failed (reported).
 */
int roam_cli_take_option(struct cr_cli *cli, TALLOC_CTX *mem_ctx, int argc,
			 char **argv, int *i, struct cr_roam_options *opts,
			 int *rc);

/* People's rendering of a report: a summary and the problems. */
void roam_cli_print_report(const struct cr_roam_report *r, bool verbose);

#endif
