/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam purge --tombstones | --all: clean your own roaming values out
 * of AD (DESIGN.md 7).  --all asks for --yes: it stops roaming what you
 * have (local copies are moved to the store's trash/, not destroyed).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "roam_cli.h"
#include "util/stackframe.h"
#include "util/error.h"

#define PURGE_USAGE "--tombstones | --all --yes " ROAM_CLI_OPTIONS

int cmd_purge(struct cr_cli *cli, int argc, char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_roam_options opts = { .trigger = "purge" };
	struct cr_roam_report *report = NULL;
	enum cr_purge_what what = CR_PURGE_TOMBSTONES;
	bool chosen = false;
	bool yes = false;
	char *err = NULL;
	int rc = CR_EXIT_FAIL;
	int ret;
	int i;

	cli->cmdpath = "purge";
	for (i = 0; i < argc; i++) {
		int taken = roam_cli_take_option(cli, frame, argc, argv, &i,
						 &opts, &rc);
		if (taken < 0) {
			goto done;
		}
		if (taken > 0) {
			continue;
		}
		if (strcmp(argv[i], "--tombstones") == 0 && !chosen) {
			what = CR_PURGE_TOMBSTONES;
			chosen = true;
		} else if (strcmp(argv[i], "--all") == 0 && !chosen) {
			what = CR_PURGE_ALL;
			chosen = true;
		} else if (strcmp(argv[i], "--yes") == 0) {
			yes = true;
		} else {
			rc = cr_cli_usage(cli, PURGE_USAGE,
					  "unexpected argument '%s'", argv[i]);
			goto done;
		}
	}
	if (!chosen) {
		rc = cr_cli_usage(cli, PURGE_USAGE, "say what to purge");
		goto done;
	}
	if (what == CR_PURGE_ALL && !yes) {
		rc = cr_cli_usage(cli, PURGE_USAGE, "--all removes every "
				  "roaming token of yours from AD; add --yes "
				  "if you mean it");
		goto done;
	}
	ret = cr_roam_purge(frame, &opts, what, &report, &err);
	if (ret != 0) {
		rc = cr_cli_fail(cli, "purge failed: %s",
				 err ? err : strerror(ret));
		goto done;
	}
	if (cli->json) {
		rc = cr_cli_print_json(cli, cr_roam_report_json(report));
		goto done;
	}
	printf("%s\n", report->busy ? "another roaming run is in progress; "
	       "try again" : report->summary);
	rc = report->busy ? CR_EXIT_FAIL : CR_EXIT_OK;
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return rc;
}
