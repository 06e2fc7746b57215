/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam policy [show] [--json] [--conf FILE] [--server HOST]
 *                 [--cache FILE | --no-cache]
 *
 * The calling user's roaming policy as a roaming run computes it: their
 * GPOs (cr_gpo_user_policy) merged with credroam.conf (policy_merge),
 * each value with its source, every GPO considered with why it was not
 * applied, and why roaming is off when it is.
 *
 * The GPO cache is the roaming run's own (<store>/gpo-cache), so that
 * this command and the run answer from, and refresh, the same file.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ad/adconn.h"
#include "ad/adstore.h"
#include "cli.h"
#include "commands.h"
#include "util/error.h"
#include "gpo/gpo.h"
#include "gpo/policy.h"
#include "store/localstore.h"
#include "policy_show.h"
#include "util/stackframe.h"
#include "ad/who.h"

#define POLICY_USAGE "[show] [--conf FILE] [--server HOST] " \
	"[--cache FILE | --no-cache]"

/* mkdir -p for the directories above path, mode 0700. */
static int make_parents(TALLOC_CTX *mem_ctx, const char *path)
{
	char *dir = talloc_strdup(mem_ctx, path);
	char *p = NULL;
	int rc;

	if (dir == NULL) {
		return ENOMEM;
	}
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/') {
			continue;
		}
		*p = '\0';
		rc = mkdir(dir, 0700);
		if (rc != 0 && errno != EEXIST) {
			int err = errno;

			talloc_free(dir);
			return err;
		}
		*p = '/';
	}
	talloc_free(dir);
	return 0;
}

static char *default_cache_path(TALLOC_CTX *mem_ctx)
{
	char *store = NULL;

	if (cr_store_default_path(mem_ctx, &store, NULL) != 0) {
		return NULL;
	}
	return talloc_asprintf(mem_ctx, "%s/gpo-cache", store);
}

struct policy_args {
	const char *conf;
	const char *server;
	const char *cache;
	bool no_cache;
};

static int policy_collect(TALLOC_CTX *mem_ctx, const struct policy_args *a,
			  struct cr_policy_view *v, char **errmsg)
{
	struct cr_ad_params params = { .dc = a->server };
	struct credroam_conf *conf = NULL;
	struct cr_who *who = NULL;
	struct cr_adconn *conn = NULL;
	struct cr_ad_user *user = NULL;
	struct cr_gpo_result *gpo = NULL;
	struct policy *eff = NULL;
	struct policy *none = NULL;
	const char *cache = a->cache;
	char *gpo_err = NULL;
	int ret;

	ret = credroam_conf_load(mem_ctx, a->conf, &conf, errmsg);
	if (ret != 0) {
		return ret;
	}
	v->conf = conf;
	if (params.dc == NULL) {
		params.dc = conf->dc;
	}
	params.timeout = conf->timeout;
	ret = cr_who_by_uid(mem_ctx, getuid(), &who, errmsg);
	if (ret != 0) {
		return ret;
	}
	v->user = who->name;
	v->sid = who->sid;
	if (cache == NULL && !a->no_cache) {
		cache = default_cache_path(mem_ctx);
	}
	if (cache != NULL && !a->no_cache) {
		ret = make_parents(mem_ctx, cache);
		if (ret != 0) {
			cr_seterr(errmsg, "cannot create the folder "
				  "of cache '%s': %s", cache, strerror(ret));
			return ret;
		}
	}
	ret = cr_adconn_connect(mem_ctx, &params, &conn, &gpo_err);
	if (ret == 0) {
		v->dc = conn->dc;
		ret = cr_adstore_lookup(mem_ctx, conn, who->sid, &user,
					&gpo_err);
	}
	if (ret == 0) {
		v->dn = user->dn;
		ret = cr_gpo_user_policy(mem_ctx, conn, user->dn, NULL,
					 who->sid, a->no_cache ? NULL : cache,
					 &gpo, &gpo_err);
	}
	if (ret != 0) {
		/* still show what credroam.conf alone gives */
		v->gpo_error = talloc_strdup(mem_ctx, gpo_err ? gpo_err
							 : strerror(ret));
		gpo = NULL;
	}
	v->gpo = gpo;
	none = policy_new(mem_ctx);
	if (none == NULL) {
		return ENOMEM;
	}
	ret = policy_merge(mem_ctx, gpo ? gpo->policy : none, conf, &eff,
			   errmsg);
	if (ret != 0) {
		return ret;
	}
	v->effective = eff;
	cr_err_clear(&gpo_err);
	return 0;
}

int cmd_policy(struct cr_cli *cli, int argc, char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_policy_view v = { .user = NULL };
	struct policy_args a = { .conf = NULL };
	char *err = NULL;
	int rc = CR_EXIT_FAIL;
	int ret;
	int i = 0;

	cli->cmdpath = "policy";
	if (argc > 0 && strcmp(argv[0], "show") == 0) {
		i = 1;
	} else if (argc > 0 && strcmp(argv[0], "set") == 0) {
		rc = cr_cli_fail(cli, "'policy set' is not available yet: "
				 "write the values into a GPO's "
				 "User/Registry.pol with the admin tools");
		goto done;
	}
	for (; i < argc; i++) {
		bool has_arg = (i + 1 < argc);

		if (strcmp(argv[i], "--conf") == 0 && has_arg) {
			a.conf = argv[++i];
		} else if (strcmp(argv[i], "--server") == 0 && has_arg) {
			a.server = argv[++i];
		} else if (strcmp(argv[i], "--cache") == 0 && has_arg) {
			a.cache = argv[++i];
		} else if (strcmp(argv[i], "--no-cache") == 0) {
			a.no_cache = true;
		} else {
			rc = cr_cli_usage(cli, POLICY_USAGE, "unknown argument "
					  "'%s'", argv[i]);
			goto done;
		}
	}
	ret = policy_collect(frame, &a, &v, &err);
	if (ret != 0) {
		rc = cr_cli_fail(cli, "%s while computing your roaming policy",
				 err ? err : strerror(ret));
		goto done;
	}
	if (cli->json) {
		json_t *o = cr_policy_view_json(&v);

		if (o == NULL) {
			rc = cr_cli_fail(cli, "out of memory");
			goto done;
		}
		rc = cr_cli_print_json(cli, o);
	} else {
		cr_policy_view_print(stdout, &v);
		rc = CR_EXIT_OK;
	}
	/* the view says why the GPOs are missing; the status says it too */
	if (rc == CR_EXIT_OK && v.gpo == NULL) {
		rc = CR_EXIT_FAIL;
	}
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return rc;
}
