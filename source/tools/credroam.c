/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam: Windows Credential Roaming for Samba winbind members.
 * The command-line front end; see credroam(1) and DESIGN.md section 7.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

static const struct cr_cmd credroam_commands[] = {
	{ "token", cmd_token, "decode FILE|-",
	  "decode a roaming token or a DN-Binary value" },
	{ "dpapi", cmd_dpapi, "masterkey|unprotect|key ...",
	  "DPAPI master keys, blobs and private keys" },
	{ "sync", cmd_sync, "[--dry-run]", "one roaming run for you" },
	{ "status", cmd_status, "", "policy in force, last run, problems" },
	{ "list", cmd_list, "[--remote] [--server HOST]",
	  "your roaming tokens in AD (--local comes with the local store)" },
	{ "import", cmd_import, "CERT KEY | FILE.p12",
	  "make a certificate and key roam" },
	{ "export", cmd_export, "THUMBPRINT --p12 OUT",
	  "export a roamed certificate and key" },
	{ "purge", cmd_purge, "[--tombstones|--all]",
	  "remove your roaming data from AD" },
	{ "pulse", cmd_pulse, "", "ask the watcher for a run now" },
	{ "policy", cmd_policy, "show|set ...",
	  "the DIMSRoaming Group Policy values" },
	{ "watch", cmd_watch, "", "the per-user watcher (systemd unit)" },
	{ NULL, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	struct cr_cli cli = {
		.progname = "credroam",
	};

	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("credroam %s\n", CREDROAM_VERSION);
		return CR_EXIT_OK;
	}
	argc -= 1;
	argv += 1;
	cr_cli_take_json_flag(&cli, &argc, argv);
	return cr_cli_dispatch(&cli, credroam_commands, argc, argv);
}
