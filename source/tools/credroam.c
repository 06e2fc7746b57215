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
#include "roam_cli.h"

/*
 * Each usage names every option the command requires; `credroam COMMAND
 * --help` prints it (cmd_<name>.c prints the same with its usage errors).
 */
static const struct cr_cmd credroam_commands[] = {
	{ "token", cmd_token, "decode FILE|-",
	  "decode a roaming token or a DN-Binary value", true },
	{ "dpapi", cmd_dpapi, "masterkey|unprotect|key ...",
	  "DPAPI master keys, blobs and private keys", true },
	{ "sync", cmd_sync,
	  "[--dry-run] [--full] [--quiet] [--trigger NAME] "
	  "[--wait SECONDS] " ROAM_CLI_OPTIONS,
	  "one roaming run for you" },
	{ "status", cmd_status, ROAM_CLI_OPTIONS,
	  "policy in force, last run, problems" },
	{ "list", cmd_list, "[--local|--remote] [--server HOST] [--store DIR]",
	  "your roaming tokens, on this machine or in AD" },
	{ "import", cmd_import,
	  "CERT KEY | FILE.p12 [--p12-password-file F] " ROAM_CLI_OPTIONS,
	  "make a certificate and key roam" },
	{ "export", cmd_export,
	  "THUMBPRINT --p12 OUT --p12-password-file F " ROAM_CLI_OPTIONS,
	  "export a roamed certificate and key as PKCS#12" },
	{ "purge", cmd_purge, "--tombstones | --all --yes " ROAM_CLI_OPTIONS,
	  "remove your roaming data from AD" },
	{ "pulse", cmd_pulse, "[--timeout SECONDS] [--store DIR]",
	  "ask the watcher for a run now" },
	{ "policy", cmd_policy,
	  "[show] [--conf FILE] [--server HOST] [--cache FILE | --no-cache]",
	  "the DIMSRoaming Group Policy values in force for you" },
	{ "watch", cmd_watch,
	  "[--debounce SECONDS] [--max-delay SECONDS] [--refresh MINUTES] "
	  "[--store DIR]",
	  "the per-user watcher (systemd unit)" },
	{ "agent", cmd_agent,
	  "[--socket PATH] [--foreground] [--store DIR] [--no-keyring] "
	  "[--no-dc] [--server HOST] [--conf FILE] [--user NAME --sid SID]",
	  "your certificates as a PKCS#11 token (p11-kit remoting)" },
	{ "register", cmd_register,
	  "[--check | --remove | --keep] [--quiet]",
	  "show your credroam token to Firefox, Chromium, GnuTLS, ..." },
	{ NULL, NULL, NULL, NULL, false },
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
