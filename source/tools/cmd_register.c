/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam register: make every application's PKCS#11 configuration show
 * the credroam token (p11-kit, the shared NSS database, each Firefox and
 * Thunderbird profile), check it, or take it away; see register.h.
 *
 *   credroam register            register, and let runs keep it so
 *   credroam register --check    say what is registered, change nothing
 *   credroam register --remove   remove every entry; runs leave it alone
 *                                until `credroam register` again
 *   credroam register --keep     what runs and the agent's start do:
 *                                register unless the user removed it
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "register.h"
#include "util/error.h"
#include "util/stackframe.h"

#define REGISTER_USAGE "[--check | --remove | --keep] [--quiet]"

int cmd_register(struct cr_cli *cli, int argc, char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	enum cr_reg_action action = CR_REG_ADD;
	struct cr_reg_paths *p = NULL;
	struct cr_reg_entry *entries = NULL;
	size_t n = 0;
	bool keep = false;
	bool quiet = false;
	bool opted_out = false;
	char *err = NULL;
	int rc = CR_EXIT_FAIL;
	int ret;
	int i;

	cli->cmdpath = "register";
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--check") == 0) {
			action = CR_REG_CHECK;
		} else if (strcmp(argv[i], "--remove") == 0) {
			action = CR_REG_REMOVE;
		} else if (strcmp(argv[i], "--keep") == 0) {
			keep = true;
		} else if (strcmp(argv[i], "--quiet") == 0) {
			quiet = true;
		} else {
			rc = cr_cli_usage(cli, REGISTER_USAGE,
					  "unknown argument '%s'", argv[i]);
			goto done;
		}
	}
	ret = cr_reg_paths_default(frame, &p, &err);
	if (ret != 0) {
		rc = cr_cli_fail(cli, "%s", err ? err : strerror(ret));
		goto done;
	}
	opted_out = cr_reg_opted_out(p);
	if (keep && opted_out) {
		action = CR_REG_CHECK;
	}
	if (action == CR_REG_REMOVE || (action == CR_REG_ADD && !keep)) {
		ret = cr_reg_set_opted_out(p, action == CR_REG_REMOVE, &err);
		if (ret != 0) {
			rc = cr_cli_fail(cli, "%s", err);
			goto done;
		}
		opted_out = action == CR_REG_REMOVE;
	}
	ret = cr_register(frame, p, action, &entries, &n, &err);
	if (ret != 0) {
		rc = cr_cli_fail(cli, "%s", err ? err : strerror(ret));
		goto done;
	}
	if (cli->json) {
		json_t *o = json_pack("{s:s,s:b,s:s,s:s,s:o}",
			"action", action == CR_REG_CHECK ? "check" :
				  action == CR_REG_REMOVE ? "remove" : "add",
			"opted_out", opted_out, "socket", p->socket,
			"nss_module", p->nss_module, "registrations",
			cr_reg_entries_json(entries, n));
		rc = cr_cli_print_json(cli, o);
		goto done;
	}
	if (!quiet) {
		if (opted_out) {
			printf("registration removed at your request; "
			       "`credroam register` brings it back\n");
		}
		cr_reg_entries_print(entries, n, "");
	}
	rc = CR_EXIT_OK;
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return rc;
}
