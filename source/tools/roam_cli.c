/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Shared options and output of the commands that run the engine.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "roam_cli.h"
#include "util/secret.h"

int roam_cli_take_option(struct cr_cli *cli, TALLOC_CTX *mem_ctx, int argc,
			 char **argv, int *i, struct cr_roam_options *opts,
			 int *rc)
{
	const char *value = NULL;

	if (cr_cli_opt(argc, argv, i, "--password-file", &value)) {
		char *pw = NULL;
		char *err = NULL;
		int ret = cr_cli_read_password(mem_ctx, value, &pw, &err);

		if (ret != 0) {
			*rc = cr_cli_fail(cli, "%s", err ? err
							 : strerror(ret));
			return -1;
		}
		opts->password = pw;
		return 1;
	}
	if (cr_cli_opt(argc, argv, i, "--server", &opts->dc) ||
	    cr_cli_opt(argc, argv, i, "--store", &opts->store_path) ||
	    cr_cli_opt(argc, argv, i, "--conf", &opts->conf_path)) {
		return 1;
	}
	if (cr_cli_opt(argc, argv, i, "--materialize", &value)) {
		bool ok = cr_materialize_parse(value, &opts->materialize);

		if (!ok) {
			*rc = cr_cli_usage(cli, ROAM_CLI_OPTIONS,
					   "--materialize takes token or "
					   "files, not '%s'", value);
			return -1;
		}
		return 1;
	}
	if (strcmp(argv[*i], "--no-keyring") == 0) {
		opts->no_keyring = true;
		return 1;
	}
	return 0;
}

void roam_cli_print_report(const struct cr_roam_report *r, bool verbose)
{
	size_t i;

	printf("%s: %s\n", r->user ? r->user : "you",
	       r->summary ? r->summary : "(no summary)");
	for (i = 0; i < r->num_problems; i++) {
		const struct cr_roam_problem *p = &r->problems[i];
		if (p->event != 0) {
			printf("  %s: %s (event %u)\n", p->what, p->message,
			       p->event);
		} else {
			printf("  %s: %s\n", p->what, p->message);
		}
	}
	if (!verbose) {
		return;
	}
	for (i = 0; i < r->num_actions; i++) {
		const struct cr_roam_done *d = &r->actions[i];
		if (d->verb == CR_SYNC_KEEP) {
			continue;
		}
		printf("  %-11s %u\\%s (%s)%s\n", cr_sync_verb_name(d->verb),
		       d->type, d->id, cr_sync_rule_name(d->rule),
		       d->ok ? "" : " FAILED");
	}
}
