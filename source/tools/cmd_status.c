/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam status: the policy in force and where each value comes from,
 * why roaming is off when it is, the last run, what the store holds and
 * what a run would do now (a dry run: nothing is written); the agent, its
 * token and where applications are told of it (registration).
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "store/localstore.h"
#include "policy_show.h"
#include "register.h"
#include "token_probe.h"
#include "roam_cli.h"
#include "util/stackframe.h"
#include "store/state.h"
#include "util/error.h"

#define STATUS_USAGE ROAM_CLI_OPTIONS

struct status_local {
	size_t tokens;
	size_t certs;
	size_t keys;
	json_t *last_run;	/* the store's last-run file, or NULL */
};

static void status_local(TALLOC_CTX *mem_ctx, const char *path,
			 struct status_local *sl)
{
	struct cr_store *store = NULL;
	struct cr_store_view *view = NULL;
	struct cr_state *state = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	size_t i;

	if (path == NULL ||
	    cr_store_open(mem_ctx, path, false, &store, NULL) != 0) {
		return;
	}
	if (cr_store_load(mem_ctx, store, &view, NULL) == 0) {
		sl->tokens = view->num_tokens;
	}
	if (cr_state_load(mem_ctx, store, &state, NULL, NULL) == 0) {
		sl->certs = state->num_certs;
		for (i = 0; i < state->num_certs; i++) {
			sl->keys += state->certs[i].key_written ? 1 : 0;
		}
	}
	if (cr_store_read_root_file(mem_ctx, store, "last-run", &data, &len,
				    NULL) == 0) {
		sl->last_run = json_loadb((const char *)data, len, 0, NULL);
	}
}

/* The agent, its token, and each registration (looked at, not changed). */
static int status_token(TALLOC_CTX *mem_ctx, struct cr_token_probe **probe,
			struct cr_reg_paths **rp, struct cr_reg_entry **regs,
			size_t *num_regs)
{
	char *err = NULL;
	int ret;

	ret = cr_reg_paths_default(mem_ctx, rp, &err);
	if (ret == 0) {
		ret = cr_token_probe(mem_ctx, (*rp)->socket, probe);
	}
	if (ret == 0) {
		ret = cr_register(mem_ctx, *rp, CR_REG_CHECK, regs, num_regs,
				  &err);
	}
	cr_err_clear(&err);
	return ret;
}

/* The policy the same way `credroam policy` shows it. */
static struct cr_policy_view policy_view(const struct cr_roam_report *r)
{
	struct cr_policy_view v = {
		.user = r->user,
		.sid = r->sid,
		.dn = r->dn,
		.dc = r->dc,
		.effective = r->policy,
		.gpo = r->gpo,
	};
	return v;
}

static void print_last_run(json_t *last)
{
	const char *started = NULL;
	const char *summary = NULL;
	const char *trigger = NULL;
	json_int_t event = 0;

	if (last == NULL) {
		printf("Last run: none on this machine\n");
		return;
	}
	started = json_string_value(json_object_get(last, "started"));
	summary = json_string_value(json_object_get(last, "summary"));
	trigger = json_string_value(json_object_get(last, "trigger"));
	event = json_integer_value(json_object_get(last, "event"));
	printf("Last run: %s (%s), event %lld: %s\n",
	       started ? started : "?", trigger ? trigger : "?",
	       (long long)event, summary ? summary : "?");
}

int cmd_status(struct cr_cli *cli, int argc, char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_roam_options opts = { .dry_run = true, .full = true,
					.trigger = "status" };
	struct cr_roam_report *r = NULL;
	struct status_local sl = { 0 };
	struct cr_token_probe *probe = NULL;
	struct cr_reg_paths *rp = NULL;
	struct cr_reg_entry *regs = NULL;
	size_t num_regs = 0;
	char *path = NULL;
	char *err = NULL;
	int rc = CR_EXIT_FAIL;
	int ret;
	int i;

	cli->cmdpath = "status";
	for (i = 0; i < argc; i++) {
		int taken = roam_cli_take_option(cli, frame, argc, argv, &i,
						 &opts, &rc);
		if (taken < 0) {
			goto done;
		}
		if (taken == 0) {
			rc = cr_cli_usage(cli, STATUS_USAGE,
					  "unknown argument '%s'", argv[i]);
			goto done;
		}
	}
	/* The store's own files first: the dry run writes none. */
	if (opts.store_path != NULL) {
		path = talloc_strdup(frame, opts.store_path);
	} else {
		cr_store_default_path(frame, &path, NULL);
	}
	status_local(frame, path, &sl);
	ret = status_token(frame, &probe, &rp, &regs, &num_regs);
	if (ret != 0) {
		rc = cr_cli_fail(cli, "%s", strerror(ret));
		goto done;
	}
	ret = cr_roam_run(frame, &opts, &r, &err);
	if (cli->json) {
		json_t *o = json_object();

		json_object_set_new(o, "agent", cr_token_probe_json(probe));
		json_object_set_new(o, "registration", json_pack(
			"{s:b,s:o}", "opted_out", cr_reg_opted_out(rp),
			"places", cr_reg_entries_json(regs, num_regs)));
		json_object_set_new(o, "store", path ? json_string(path)
						     : json_null());
		json_object_set_new(o, "local_tokens",
				    json_integer((json_int_t)sl.tokens));
		json_object_set_new(o, "usable_certificates",
				    json_integer((json_int_t)sl.certs));
		json_object_set_new(o, "usable_keys",
				    json_integer((json_int_t)sl.keys));
		json_object_set_new(o, "last_run",
				    sl.last_run ? sl.last_run : json_null());
		json_object_set_new(o, "now", r ? cr_roam_report_json(r)
						: json_null());
		if (r != NULL && r->policy != NULL) {
			struct cr_policy_view pv = policy_view(r);
			json_object_set_new(o, "policy",
					    cr_policy_view_json(&pv));
		}
		if (ret != 0) {
			json_object_set_new(o, "error", json_string(
				err ? err : strerror(ret)));
		}
		rc = cr_cli_print_json(cli, o);
		goto done;
	}
	printf("User: %s (%s)\n", r && r->user ? r->user : "?",
	       r && r->sid ? r->sid : "?");
	printf("Store: %s: %zu roamed tokens, %zu usable certificates, "
	       "%zu with their keys\n", path ? path : "?", sl.tokens,
	       sl.certs, sl.keys);
	print_last_run(sl.last_run);
	json_decref(sl.last_run);
	cr_token_probe_print(probe);
	printf("Registration%s:\n", cr_reg_opted_out(rp) ?
	       " (removed at your request: credroam register)" : "");
	cr_reg_entries_print(regs, num_regs, "  ");
	if (ret != 0) {
		printf("Now: cannot check with AD: %s\n",
		       err ? err : strerror(ret));
		rc = CR_EXIT_FAIL;
		goto done;
	}
	if (r->busy) {
		printf("Now: a roaming run is in progress\n");
		rc = CR_EXIT_OK;
		goto done;
	}
	if (r->policy != NULL) {
		struct cr_policy_view pv = policy_view(r);
		cr_policy_view_print(stdout, &pv);
	}
	if (r->roaming_on) {
		printf("AD (%s): %zu values; this machine: %zu tokens\n",
		       r->dc ? r->dc : "?", r->ad_values, r->local_tokens);
		printf("A run now would do this:\n");
		roam_cli_print_report(r, true);
	}
	rc = CR_EXIT_OK;
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return rc;
}
