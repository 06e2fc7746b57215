/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The top-level subcommands of `credroam`, one file each (cmd_<name>.c).
 * Plain declarations, like the functables of Samba's `net`: a command that
 * is listed in credroam.c but not built fails the link.
 */
#ifndef CREDROAM_COMMANDS_H
#define CREDROAM_COMMANDS_H

#include "cli.h"

int cmd_token(struct cr_cli *cli, int argc, char **argv);
int cmd_dpapi(struct cr_cli *cli, int argc, char **argv);
int cmd_sync(struct cr_cli *cli, int argc, char **argv);
int cmd_status(struct cr_cli *cli, int argc, char **argv);
int cmd_list(struct cr_cli *cli, int argc, char **argv);
int cmd_import(struct cr_cli *cli, int argc, char **argv);
int cmd_export(struct cr_cli *cli, int argc, char **argv);
int cmd_purge(struct cr_cli *cli, int argc, char **argv);
int cmd_pulse(struct cr_cli *cli, int argc, char **argv);
int cmd_policy(struct cr_cli *cli, int argc, char **argv);
int cmd_watch(struct cr_cli *cli, int argc, char **argv);
int cmd_agent(struct cr_cli *cli, int argc, char **argv);
int cmd_register(struct cr_cli *cli, int argc, char **argv);

#endif
