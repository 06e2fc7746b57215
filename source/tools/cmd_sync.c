/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam sync: one roaming run for the calling user (DESIGN.md 3, 7).
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "register.h"
#include "roam_cli.h"
#include "util/stackframe.h"
#include "util/error.h"

#define SYNC_USAGE \
	"[--dry-run] [--full] [--quiet] [--trigger NAME] [--wait SECONDS] " \
	ROAM_CLI_OPTIONS

int cmd_sync(struct cr_cli *cli, int argc, char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_roam_options opts = { .trigger = "manual" };
	struct cr_roam_report *report = NULL;
	const char *wait = NULL;
	bool quiet = false;
	char *err = NULL;
	int rc = CR_EXIT_FAIL;
	int ret;
	int i;

	cli->cmdpath = "sync";
	for (i = 0; i < argc; i++) {
		int taken = roam_cli_take_option(cli, frame, argc, argv, &i,
						 &opts, &rc);
		if (taken < 0) {
			goto done;
		}
		if (taken > 0) {
			continue;
		}
		if (strcmp(argv[i], "--dry-run") == 0) {
			opts.dry_run = true;
		} else if (strcmp(argv[i], "--full") == 0) {
			opts.full = true;
		} else if (strcmp(argv[i], "--quiet") == 0) {
			quiet = true;
		} else if (cr_cli_opt(argc, argv, &i, "--trigger",
				      &opts.trigger)) {
			continue;
		} else if (cr_cli_opt(argc, argv, &i, "--wait", &wait)) {
			char *end = NULL;
			unsigned long w = strtoul(wait, &end, 10);
			if (end == wait || *end != '\0' || w > 3600) {
				rc = cr_cli_usage(cli, SYNC_USAGE, "--wait "
						  "takes 0..3600 seconds");
				goto done;
			}
			opts.wait = (unsigned)w;
		} else {
			rc = cr_cli_usage(cli, SYNC_USAGE,
					  "unknown argument '%s'", argv[i]);
			goto done;
		}
	}
	ret = cr_roam_run(frame, &opts, &report, &err);
	if (ret == 0 && !opts.dry_run) {
		/* every run keeps the token's registration true (register.h) */
		cr_register_keep(frame);
	}
	if (cli->json && report != NULL) {
		json_t *o = cr_roam_report_json(report);
		if (ret != 0) {
			json_object_set_new(o, "error", json_pack(
				"{s:i,s:s}", "code", ret, "message",
				err ? err : strerror(ret)));
		}
		cr_cli_print_json(cli, o);
		rc = ret == 0 ? CR_EXIT_OK : CR_EXIT_FAIL;
		goto done;
	}
	if (ret != 0) {
		rc = cr_cli_fail(cli, "roaming run failed: %s",
				 err ? err : strerror(ret));
		goto done;
	}
	if (!quiet || report->num_problems > 0) {
		roam_cli_print_report(report, opts.dry_run);
	}
	rc = CR_EXIT_OK;
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return rc;
}
