/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Shared plumbing of the `credroam` command: its context, output for people
 * and for machines (--json), and the exit-status contract of DESIGN.md 7:
 * 0 success, 1 handled failure with a one-line reason on stderr (or an
 * "error" object with --json), 2 bad usage.
 */
#ifndef CREDROAM_CLI_H
#define CREDROAM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <talloc.h>

#include "format/token.h"

#define CR_EXIT_OK 0
#define CR_EXIT_FAIL 1
#define CR_EXIT_USAGE 2

struct cr_cli {
	const char *progname;
	bool json;
	const char *cmdpath;	/* "token decode", for messages */
};

struct cr_cmd {
	const char *name;
	int (*fn)(struct cr_cli *cli, int argc, char **argv);
	const char *usage;	/* every required option, as in its errors */
	const char *help;
	bool group;		/* fn dispatches its own table */
};

/*
 * Dispatch argv[0] in a table; prints the table for an unknown name.  A
 * command (not a group) given --help or -h anywhere before "--" prints its
 * usage and help on stdout and is not run.
 */
int cr_cli_dispatch(struct cr_cli *cli, const struct cr_cmd *table,
		    int argc, char **argv);

/*
 * Report a handled failure: "credroam: <message>" on stderr, or with --json
 * {"error": {"code": ..., "message": ...}} on stdout.  Returns CR_EXIT_FAIL.
 */
int cr_cli_fail(struct cr_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Bad usage: message plus the usage line on stderr; returns CR_EXIT_USAGE. */
int cr_cli_usage(struct cr_cli *cli, const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print a JSON object (and free it); returns CR_EXIT_OK or CR_EXIT_FAIL. */
int cr_cli_print_json(struct cr_cli *cli, json_t *obj);

/*
 * Read a whole file ("-" is stdin) into a talloc buffer, at most max bytes.
 * On failure returns errno and sets *errmsg naming the file.
 */
int cr_cli_read_file(TALLOC_CTX *mem_ctx, const char *path, size_t max,
		     uint8_t **data, size_t *len, char **errmsg);

/*
 * A password from a file: its first line without the line end (marked
 * secret).  Errors name the file.
 */
int cr_cli_read_password(TALLOC_CTX *mem_ctx, const char *path,
			 char **password, char **errmsg);

/*
 * "--name VALUE" or "--name=VALUE" at argv[*i]: true and *value set (and
 * *i moved past VALUE); false otherwise.
 */
bool cr_cli_opt(int argc, char **argv, int *i, const char *name,
		const char **value);

/*
 * The one JSON form of a refused AD value or token (credroam token
 * decode, credroam list, and samba-tool credroam alike):
 * {"problem": "<cr_token_problem_name>", "message": "<refusal>"}, or
 * null when message is NULL (acceptable).  Bytes of the message that are
 * not UTF-8 come out as '?'.  NULL only when out of memory.
 */
json_t *cr_cli_json_refusal(enum cr_token_problem problem,
			    const char *message);

/* Strip a global --json flag out of argv (anywhere before "--"). */
void cr_cli_take_json_flag(struct cr_cli *cli, int *argc, char **argv);

#endif
