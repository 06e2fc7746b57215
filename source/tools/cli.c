/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Shared plumbing of the credroam command; see cli.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util/error.h"
#include "util/readfile.h"
#include "util/secret.h"

static bool is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 ||
	       strcmp(arg, "help") == 0;
}

/* --help or -h among a command's arguments (before "--") */
static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			break;
		}
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			return true;
		}
	}
	return false;
}

static void print_table(FILE *f, const struct cr_cli *cli,
			const struct cr_cmd *table)
{
	const struct cr_cmd *c = NULL;
	const char *parent = cli->cmdpath;

	fprintf(f, "usage: %s%s%s COMMAND [ARGS]\n\ncommands:\n",
		cli->progname, parent ? " " : "", parent ? parent : "");
	for (c = table; c->name != NULL; c++) {
		if (c->fn == NULL) {
			continue;
		}
		fprintf(f, "  %s %s\n      %s\n", c->name,
			c->usage ? c->usage : "", c->help ? c->help : "");
	}
	fprintf(f, "\n%s%s%s COMMAND --help: that command's usage\n",
		cli->progname, parent ? " " : "", parent ? parent : "");
}

int cr_cli_dispatch(struct cr_cli *cli, const struct cr_cmd *table,
		    int argc, char **argv)
{
	const struct cr_cmd *c = NULL;
	const char *parent = cli->cmdpath;
	char path[256];
	int rc;

	if (argc >= 1) {
		for (c = table; c->name != NULL; c++) {
			bool match = (strcmp(c->name, argv[0]) == 0);

			if (match && c->fn != NULL) {
				break;
			}
		}
	}
	if (argc < 1 || c->name == NULL) {
		bool help = argc >= 1 && is_help(argv[0]);

		if (argc >= 1 && !help) {
			fprintf(stderr, "%s: unknown command '%s%s%s'\n",
				cli->progname, parent ? parent : "",
				parent ? " " : "", argv[0]);
		}
		print_table(help ? stdout : stderr, cli, table);
		return help ? CR_EXIT_OK : CR_EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "%s%s%s", parent ? parent : "",
		 parent ? " " : "", c->name);
	if (!c->group && wants_help(argc - 1, argv + 1)) {
		printf("usage: %s %s %s\n\n%s\n", cli->progname, path,
		       c->usage ? c->usage : "", c->help ? c->help : "");
		return CR_EXIT_OK;
	}
	cli->cmdpath = path;
	rc = c->fn(cli, argc - 1, argv + 1);
	cli->cmdpath = parent;
	return rc;
}

int cr_cli_fail(struct cr_cli *cli, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	msg = talloc_vasprintf(NULL, fmt, ap);
	va_end(ap);

	if (cli->json) {
		json_t *o = json_pack("{s:{s:s, s:s?}}", "error",
				      "message", msg ? msg : "out of memory",
				      "command", cli->cmdpath);
		if (o != NULL) {
			json_dumpf(o, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
			json_decref(o);
		}
	}
	fprintf(stderr, "%s: %s\n", cli->progname,
		msg ? msg : "out of memory");
	talloc_free(msg);
	return CR_EXIT_FAIL;
}

int cr_cli_usage(struct cr_cli *cli, const char *usage, const char *fmt, ...)
{
	va_list ap;

	if (fmt != NULL) {
		fprintf(stderr, "%s: ", cli->progname);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fprintf(stderr, "usage: %s %s %s\n", cli->progname,
		cli->cmdpath ? cli->cmdpath : "", usage ? usage : "");
	return CR_EXIT_USAGE;
}

int cr_cli_print_json(struct cr_cli *cli, json_t *obj)
{
	int rc;

	if (obj == NULL) {
		return cr_cli_fail(cli, "out of memory building JSON");
	}
	rc = json_dumpf(obj, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(obj);
	return (rc == 0) ? CR_EXIT_OK : CR_EXIT_FAIL;
}

int cr_cli_read_file(TALLOC_CTX *mem_ctx, const char *path, size_t max,
		     uint8_t **data, size_t *len, char **errmsg)
{
	bool is_stdin = (strcmp(path, "-") == 0);
	int fd = -1;
	int ret;

	*data = NULL;
	*len = 0;
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = errno;
		cr_seterr(errmsg, "cannot open '%s': %s", path,
			  strerror(ret));
		return ret;
	}
	ret = cr_read_fd(mem_ctx, fd, max, is_stdin ? "stdin" : path, data,
			 len, errmsg);
	if (!is_stdin) {
		close(fd);
	}
	if (ret == ENOMEM) {
		cr_seterr(errmsg, "out of memory reading '%s'", path);
	}
	return ret;
}

void cr_cli_take_json_flag(struct cr_cli *cli, int *argc, char **argv)
{
	int i, j;

	for (i = 0, j = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			for (; i < *argc; i++) {
				argv[j++] = argv[i];
			}
			break;
		}
		if (strcmp(argv[i], "--json") == 0) {
			cli->json = true;
			continue;
		}
		argv[j++] = argv[i];
	}
	argv[j] = NULL;
	*argc = j;
}

/* The password: the file's first line, without its line end. */
int cr_cli_read_password(TALLOC_CTX *mem_ctx, const char *path,
			 char **password, char **errmsg)
{
	uint8_t *data = NULL;
	size_t len = 0;
	char *pw = NULL;
	int ret;

	*password = NULL;
	ret = cr_cli_read_file(mem_ctx, path, 4096, &data, &len, errmsg);
	if (ret != 0) {
		return ret;
	}
	credroam_keep_secret(data);
	if (len > 0 && data[len - 1] == '\n') {
		len--;
	}
	if (len > 0 && data[len - 1] == '\r') {
		len--;
	}
	if (memchr(data, '\0', len) != NULL || memchr(data, '\n', len)) {
		talloc_free(data);
		cr_seterr(errmsg, "password file '%s' must hold one "
			  "line", path);
		return EINVAL;
	}
	pw = talloc_size(mem_ctx, len + 1);
	if (pw == NULL) {
		talloc_free(data);
		return ENOMEM;
	}
	credroam_keep_secret(pw);
	memcpy(pw, data, len);
	pw[len] = '\0';
	talloc_free(data);
	*password = pw;
	return 0;
}

/* "--name VALUE" or "--name=VALUE"; advances *i past a separate value. */
bool cr_cli_opt(int argc, char **argv, int *i, const char *name,
		const char **value)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0) {
		return false;
	}
	if (argv[*i][n] == '=') {
		*value = argv[*i] + n + 1;
		return true;
	}
	if (argv[*i][n] == '\0' && *i + 1 < argc) {
		*i += 1;
		*value = argv[*i];
		return true;
	}
	return false;
}

json_t *cr_cli_json_refusal(enum cr_token_problem problem,
			    const char *message)
{
	json_t *msg = NULL;
	char *copy = NULL;
	size_t i;

	if (message == NULL) {
		return json_null();
	}
	msg = json_string(message);
	if (msg == NULL) {
		/* not UTF-8 (a DN part may hold any byte): keep ASCII */
		copy = talloc_strdup(NULL, message);
		for (i = 0; copy != NULL && copy[i] != '\0'; i++) {
			if ((unsigned char)copy[i] >= 0x80) {
				copy[i] = '?';
			}
		}
		msg = (copy != NULL) ? json_string(copy) : NULL;
		TALLOC_FREE(copy);
	}
	if (msg == NULL) {
		return NULL;
	}
	return json_pack("{s:s,s:o}", "problem",
			 cr_token_problem_name(problem), "message", msg);
}
