/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam list [--remote] [--json]: the calling user's roaming tokens as
 * AD holds them (msPKIAccountCredentials, msPKIDPAPIMasterKeys): type,
 * identifier, time, flags, size and whether the stored SHA-1 matches.
 *
 * --local lists the tokens of the local store's roaming/ instead, and
 * for certificates whether certs/ holds them usable (.crt, .key).  A
 * value that does not decode is listed as a problem (which attribute,
 * which value, why) and the others are still shown; the command still
 * succeeds, since listing is its job.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ad/adconn.h"
#include "ad/adstore.h"
#include "cli.h"
#include "commands.h"
#include "format/advalue.h"
#include "util/encoding.h"
#include "util/error.h"
#include "store/localstore.h"
#include "util/stackframe.h"
#include "format/token.h"
#include "ad/who.h"

#define LIST_USAGE "[--local|--remote] [--server HOST] [--store DIR]"

struct list_entry {
	enum cr_ad_attr attr;
	size_t index;		/* among the attribute's values, from 0 */
	struct cr_token *token;	/* NULL when malformed */
	char *modified;
	char *sha1;
	/* cr_ad_value_judge's verdict: NULL when acceptable */
	char *refusal;
	enum cr_token_problem problem;
};

struct list_view {
	struct cr_who *who;
	struct cr_ad_user *user;
	const char *dc;
	struct list_entry *entries;
	size_t count;
	size_t malformed;
};

/*
 * Judge one value as the roaming run does: in its attribute, for the
 * user's own object.  Out of memory leaves the entry malformed.
 */
static void list_decode(TALLOC_CTX *mem_ctx, enum cr_ad_attr attr,
			size_t index, const char *value, const char *owner,
			struct list_entry *e)
{
	const struct cr_ad_value_rules rules = {
		.attribute = cr_ad_attr_name(attr),
		.owner_dn = owner,
	};
	struct cr_ad_value *judged = NULL;
	int ret;

	*e = (struct list_entry) { .attr = attr, .index = index };
	ret = cr_ad_value_judge(mem_ctx, value, strlen(value), &rules,
				&judged, NULL);
	if (ret == ENOMEM) {
		e->refusal = talloc_strdup(mem_ctx, strerror(ret));
		return;
	}
	e->token = judged->token;
	e->problem = judged->problem;
	e->refusal = judged->refusal;
	if (e->token != NULL) {
		e->modified = cr_filetime_iso8601(mem_ctx,
						  e->token->filetime);
		e->sha1 = cr_hex_upper(mem_ctx, e->token->sha1, CR_SHA1_LEN);
	}
}

static int list_collect(TALLOC_CTX *mem_ctx, const char *server,
			struct list_view *v, char **errmsg)
{
	struct cr_ad_params params = { .dc = server };
	struct cr_adconn *conn = NULL;
	const struct cr_ad_values *sets[2] = { NULL, NULL };
	size_t total;
	size_t s;
	size_t i;
	int ret;

	ret = cr_who_by_uid(mem_ctx, getuid(), &v->who, errmsg);
	if (ret != 0) {
		return ret;
	}
	ret = cr_adconn_connect(mem_ctx, &params, &conn, errmsg);
	if (ret != 0) {
		return ret;
	}
	v->dc = conn->dc;
	ret = cr_adstore_lookup(mem_ctx, conn, v->who->sid, &v->user, errmsg);
	if (ret != 0) {
		return ret;
	}
	ret = cr_adstore_read_tokens(conn, v->user, errmsg);
	if (ret != 0) {
		return ret;
	}
	sets[0] = &v->user->mkeys;
	sets[1] = &v->user->creds;
	total = sets[0]->count + sets[1]->count;
	v->entries = talloc_zero_array(mem_ctx, struct list_entry,
				       total + 1);
	if (v->entries == NULL) {
		return ENOMEM;
	}
	for (s = 0; s < 2; s++) {
		for (i = 0; i < sets[s]->count; i++) {
			struct list_entry *e = &v->entries[v->count++];

			list_decode(v->entries, sets[s]->attr, i,
				    sets[s]->values[i], v->user->dn, e);
			if (e->token == NULL) {
				v->malformed += 1;
			}
		}
	}
	return 0;
}

static json_t *list_entry_json(const struct list_entry *e)
{
	const struct cr_token *t = e->token;
	const char *tname = NULL;
	json_t *o = json_object();

	json_object_set_new(o, "attribute",
			    json_string(cr_ad_attr_name(e->attr)));
	json_object_set_new(o, "index", json_integer((json_int_t)e->index));
	json_object_set_new(o, "refusal",
			    cr_cli_json_refusal(e->problem, e->refusal));
	json_object_set_new(o, "malformed", json_boolean(t == NULL));
	if (t == NULL) {
		return o;
	}
	tname = cr_token_type_name(t->type);
	json_object_set_new(o, "type", json_integer(t->type));
	json_object_set_new(o, "type_name",
			    tname ? json_string(tname) : json_null());
	json_object_set_new(o, "identifier", json_string(t->id_escaped));
	json_object_set_new(o, "filetime", json_integer(
		(json_int_t)t->filetime));
	json_object_set_new(o, "modified",
			    e->modified ? json_string(e->modified)
					: json_null());
	json_object_set_new(o, "flags", json_integer(t->flags));
	json_object_set_new(o, "tombstone",
			    json_boolean(cr_token_is_tombstone(t)));
	json_object_set_new(o, "data_length", json_integer(t->data_length));
	json_object_set_new(o, "size", json_integer((json_int_t)t->raw_len));
	json_object_set_new(o, "sha1", json_string(e->sha1));
	json_object_set_new(o, "sha1_valid", json_boolean(t->sha1_valid));
	return o;
}

static int list_print_json(struct cr_cli *cli, const struct list_view *v)
{
	json_t *o = json_object();
	json_t *tokens = json_array();
	size_t i;

	if (o == NULL || tokens == NULL) {
		json_decref(o);
		json_decref(tokens);
		return cr_cli_fail(cli, "out of memory");
	}
	json_object_set_new(o, "source", json_string("remote"));
	json_object_set_new(o, "user", json_string(v->who->name));
	json_object_set_new(o, "sid", json_string(v->who->sid));
	json_object_set_new(o, "dn", json_string(v->user->dn));
	json_object_set_new(o, "dc", json_string(v->dc));
	for (i = 0; i < v->count; i++) {
		json_array_append_new(tokens, list_entry_json(&v->entries[i]));
	}
	json_object_set_new(o, "tokens", tokens);
	json_object_set_new(o, "count", json_integer((json_int_t)v->count));
	json_object_set_new(o, "malformed",
			    json_integer((json_int_t)v->malformed));
	return cr_cli_print_json(cli, o);
}

static void list_print_text(TALLOC_CTX *mem_ctx, const struct list_view *v)
{
	size_t i;

	printf("%s (%s) at %s: %zu tokens", v->who->name, v->who->sid, v->dc,
	       v->count);
	if (v->malformed > 0) {
		printf(", %zu malformed", v->malformed);
	}
	printf("\n");
	for (i = 0; i < v->count; i++) {
		const struct list_entry *e = &v->entries[i];
		const struct cr_token *t = e->token;
		const char *tname = NULL;

		if (t == NULL) {
			printf("MALFORMED %s value %zu: %s (%s)\n",
			       cr_ad_attr_name(e->attr), e->index, e->refusal,
			       cr_token_problem_name(e->problem));
			continue;
		}
		tname = cr_token_type_name(t->type);
		printf("%u %-20s %-40s %s flags=0x%04x%s size=%zu data=%u "
		       "sha1=%s%s%s\n", t->type,
		       tname ? tname : talloc_asprintf(mem_ctx, "type%u",
						       t->type),
		       t->id_escaped, e->modified ? e->modified : "?",
		       t->flags, cr_token_is_tombstone(t) ? " tombstone" : "",
		       t->raw_len, t->data_length,
		       t->sha1_valid ? "ok" : "MISMATCH",
		       e->refusal ? " REFUSED: " : "",
		       e->refusal ? e->refusal : "");
	}
}

static json_t *local_token_json(TALLOC_CTX *mem_ctx, struct cr_store *store,
				const struct cr_token *t)
{
	const char *tname = cr_token_type_name(t->type);
	json_t *o = json_object();

	json_object_set_new(o, "type", json_integer(t->type));
	json_object_set_new(o, "type_name",
			    tname ? json_string(tname) : json_null());
	json_object_set_new(o, "identifier", json_string(t->id_escaped));
	json_object_set_new(o, "filetime", json_integer(
		(json_int_t)t->filetime));
	json_object_set_new(o, "modified", json_string(
		cr_filetime_iso8601(mem_ctx, t->filetime)));
	json_object_set_new(o, "flags", json_integer(t->flags));
	json_object_set_new(o, "size", json_integer((json_int_t)t->raw_len));
	json_object_set_new(o, "data_length", json_integer(t->data_length));
	json_object_set_new(o, "sha1", json_string(
		cr_token_content_hash(mem_ctx, t)));
	if (cr_token_type_is_certificate(t->type)) {
		char *crt = talloc_asprintf(mem_ctx, "%s.crt", t->identifier);
		char *key = talloc_asprintf(mem_ctx, "%s.key", t->identifier);
		json_object_set_new(o, "certificate_file", json_boolean(
			cr_store_cert_file_exists(store, crt)));
		json_object_set_new(o, "key_file", json_boolean(
			cr_store_cert_file_exists(store, key)));
	}
	return o;
}

static int list_local(struct cr_cli *cli, TALLOC_CTX *mem_ctx,
		      const char *store_path)
{
	struct cr_store *store = NULL;
	struct cr_store_view *view = NULL;
	char *path = NULL;
	char *err = NULL;
	json_t *o = NULL;
	json_t *tokens = NULL;
	json_t *problems = NULL;
	size_t i;
	int ret = 0;

	path = talloc_strdup(mem_ctx, store_path);
	if (path == NULL) {
		ret = cr_store_default_path(mem_ctx, &path, &err);
	}
	if (ret == 0) {
		ret = cr_store_open(mem_ctx, path, false, &store, &err);
	}
	if (ret == ENOENT && !cli->json) {
		/* not a failure: the first roaming run makes the store */
		printf("%s: no store yet (the first 'credroam sync' or logon "
		       "makes it): 0 tokens\n", path);
		return CR_EXIT_OK;
	}
	if (ret == ENOENT) {
		o = json_pack("{s:s, s:s, s:b, s:[], s:i, s:[]}",
			      "source", "local", "store", path,
			      "exists", false, "tokens", "count", 0,
			      "problems");
		return cr_cli_print_json(cli, o);
	}
	if (ret == 0) {
		ret = cr_store_load(mem_ctx, store, &view, &err);
	}
	if (ret != 0) {
		ret = cr_cli_fail(cli, "%s", err ? err : strerror(ret));
		cr_err_clear(&err);
		return ret;
	}
	if (!cli->json) {
		printf("%s: %zu tokens\n", path, view->num_tokens);
		for (i = 0; i < view->num_tokens; i++) {
			const struct cr_token *t = view->tokens[i].token;
			const char *tname = cr_token_type_name(t->type);
			char *crt = talloc_asprintf(mem_ctx, "%s.crt",
						    t->identifier);
			char *key = talloc_asprintf(mem_ctx, "%s.key",
						    t->identifier);
			bool cert = cr_token_type_is_certificate(t->type);

			printf("%u %-20s %-40s %s size=%zu%s%s\n", t->type,
			       tname ? tname : "?", t->id_escaped,
			       cr_filetime_iso8601(mem_ctx, t->filetime),
			       t->raw_len,
			       cert && cr_store_cert_file_exists(store, crt)
				       ? " usable:.crt" : "",
			       cert && cr_store_cert_file_exists(store, key)
				       ? "+.key" : "");
		}
		for (i = 0; i < view->num_problems; i++) {
			printf("PROBLEM %s: %s\n", view->problems[i].relpath,
			       view->problems[i].message);
		}
		return CR_EXIT_OK;
	}
	o = json_object();
	tokens = json_array();
	problems = json_array();
	for (i = 0; i < view->num_tokens; i++) {
		json_array_append_new(tokens, local_token_json(
			mem_ctx, store, view->tokens[i].token));
	}
	for (i = 0; i < view->num_problems; i++) {
		json_array_append_new(problems, json_pack("{s:s,s:s}",
			"file", view->problems[i].relpath,
			"message", view->problems[i].message));
	}
	json_object_set_new(o, "source", json_string("local"));
	json_object_set_new(o, "store", json_string(path));
	json_object_set_new(o, "tokens", tokens);
	json_object_set_new(o, "count",
			    json_integer((json_int_t)view->num_tokens));
	json_object_set_new(o, "problems", problems);
	return cr_cli_print_json(cli, o);
}

int cmd_list(struct cr_cli *cli, int argc, char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct list_view v = { .who = NULL };
	const char *server = NULL;
	const char *store_path = NULL;
	bool local = false;
	char *err = NULL;
	int rc = CR_EXIT_FAIL;
	int ret;
	int i;

	cli->cmdpath = "list";
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--remote") == 0) {
			continue;
		}
		if (strcmp(argv[i], "--local") == 0) {
			local = true;
			continue;
		}
		if (cr_cli_opt(argc, argv, &i, "--store", &store_path)) {
			continue;
		}
		if (strcmp(argv[i], "--server") == 0 && i + 1 < argc) {
			server = argv[++i];
			continue;
		}
		rc = cr_cli_usage(cli, LIST_USAGE, "unknown argument '%s'",
				  argv[i]);
		goto done;
	}
	if (local) {
		rc = list_local(cli, frame, store_path);
		goto done;
	}
	ret = list_collect(frame, server, &v, &err);
	if (ret != 0) {
		rc = cr_cli_fail(cli, "%s while listing your roaming tokens "
				 "in AD", err ? err : strerror(ret));
		goto done;
	}
	if (cli->json) {
		rc = list_print_json(cli, &v);
		goto done;
	}
	list_print_text(frame, &v);
	rc = CR_EXIT_OK;
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return rc;
}
