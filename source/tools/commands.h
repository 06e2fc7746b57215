/*
 * The top-level subcommands of `credroam`.  Each lives in its own file
 * (cmd_<name>.c); they are weak here so the tool links while a part is being
 * built, and a missing one is simply not listed.
 */
#ifndef CREDROAM_COMMANDS_H
#define CREDROAM_COMMANDS_H

#include "cli.h"

#define CR_CMD(name) \
	int cmd_##name(struct cr_cli *cli, int argc, char **argv) \
		__attribute__((weak))

CR_CMD(token);
CR_CMD(dpapi);
CR_CMD(sync);
CR_CMD(status);
CR_CMD(list);
CR_CMD(import);
CR_CMD(export);
CR_CMD(purge);
CR_CMD(pulse);
CR_CMD(policy);
CR_CMD(watch);

#undef CR_CMD

#endif
