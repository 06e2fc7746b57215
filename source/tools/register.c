/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Registration everywhere, and the user's opt-out; see register.h.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "register.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/stackframe.h"

#define OPT_OUT_FILE "credroam/unregistered"

static const char *env_abs(const char *name)
{
	const char *v = getenv(name);

	return (v != NULL && v[0] == '/') ? v : NULL;
}

int cr_reg_paths_default(TALLOC_CTX *mem_ctx, struct cr_reg_paths **pp,
			 char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_reg_paths *p = NULL;
	const char *home = env_abs("HOME");
	const char *v = NULL;
	int ret = ENOMEM;

	*pp = NULL;
	if (home == NULL) {
		struct passwd *pw = getpwuid(getuid());

		home = (pw != NULL) ? pw->pw_dir : NULL;
	}
	if (home == NULL) {
		cr_seterr(errmsg, "cannot tell your home folder: HOME is "
			  "not set and uid %u has no passwd entry",
			  (unsigned)getuid());
		ret = ENOENT;
		goto done;
	}
	p = talloc_zero(frame, struct cr_reg_paths);
	if (p == NULL) {
		goto done;
	}
	p->home = talloc_strdup(p, home);
	v = env_abs("XDG_CONFIG_HOME");
	p->config_home = (v != NULL) ? talloc_strdup(p, v) :
		talloc_asprintf(p, "%s/.config", home);
	v = env_abs("CREDROAM_AGENT_SOCKET");
	if (v != NULL) {
		p->socket = talloc_strdup(p, v);
	} else if ((v = env_abs("XDG_RUNTIME_DIR")) != NULL) {
		p->socket = talloc_asprintf(p, "%s/credroam/pkcs11", v);
	} else {
		p->socket = talloc_asprintf(p, "/run/user/%u/credroam/pkcs11",
					    (unsigned)getuid());
	}
	v = env_abs("CREDROAM_NSS_MODULE");
	p->nss_module = talloc_strdup(p, (v != NULL) ? v :
				      CREDROAM_NSS_MODULE);
	if (p->home == NULL || p->config_home == NULL || p->socket == NULL ||
	    p->nss_module == NULL) {
		goto done;
	}
	*pp = talloc_move(mem_ctx, &p);
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

static struct cr_reg_entry *new_entry(TALLOC_CTX *mem_ctx,
				      struct cr_reg_entry **list, size_t *n,
				      const char *kind)
{
	struct cr_reg_entry *l = NULL;

	l = talloc_realloc(mem_ctx, *list, struct cr_reg_entry, *n + 1);
	if (l == NULL) {
		return NULL;
	}
	*list = l;
	memset(&l[*n], 0, sizeof(l[*n]));
	l[*n].kind = kind;
	return &l[(*n)++];
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Every profile of one Mozilla application. */
static int reg_mozilla(TALLOC_CTX *mem_ctx, const struct cr_reg_paths *p,
		       enum cr_reg_action action, const char *kind,
		       const char *base_rel, struct cr_reg_entry **list,
		       size_t *n)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *base = talloc_asprintf(frame, "%s/%s", p->home, base_rel);
	char **dirs = NULL;
	size_t num = 0;
	size_t i;
	int ret = ENOMEM;

	if (base == NULL) {
		goto done;
	}
	ret = cr_reg_mozilla_profiles(frame, base, &dirs, &num);
	for (i = 0; ret == 0 && i < num; i++) {
		struct cr_reg_entry *e = new_entry(mem_ctx, list, n, kind);
		bool in_use = cr_reg_mozilla_in_use(dirs[i]);

		if (e == NULL) {
			ret = ENOMEM;
			break;
		}
		ret = cr_reg_nss_db(*list, dirs[i], p->nss_module, action,
				    false, in_use, e);
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_register(TALLOC_CTX *mem_ctx, const struct cr_reg_paths *p,
		enum cr_reg_action action, struct cr_reg_entry **pentries,
		size_t *pnum, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_reg_entry *list = NULL;
	struct cr_reg_entry *e = NULL;
	char *shared = NULL;
	char *xdg_shared = NULL;
	size_t n = 0;
	int ret = ENOMEM;

	*pentries = NULL;
	*pnum = 0;
	shared = talloc_asprintf(frame, "%s/.pki/nssdb", p->home);
	xdg_shared = talloc_asprintf(frame, "%s/.local/share/pki/nssdb",
				     p->home);
	if (shared == NULL || xdg_shared == NULL) {
		goto done;
	}
	e = new_entry(frame, &list, &n, "p11-kit");
	if (e == NULL) {
		goto done;
	}
	ret = cr_reg_p11kit(list, p, action, e);
	if (ret != 0) {
		goto done;
	}
	/* the shared database: made when missing, every reader uses it */
	if (action == CR_REG_ADD) {
		char *pki = talloc_asprintf(frame, "%s/.pki", p->home);

		if (pki == NULL) {
			ret = ENOMEM;
			goto done;
		}
		(void)mkdir(pki, 0700);
	}
	e = new_entry(frame, &list, &n, "nss");
	if (e == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ret = cr_reg_nss_db(list, shared, p->nss_module, action, true, false,
			    e);
	if (ret == 0 && is_dir(xdg_shared)) {
		e = new_entry(frame, &list, &n, "nss");
		ret = (e == NULL) ? ENOMEM :
			cr_reg_nss_db(list, xdg_shared, p->nss_module, action,
				      false, false, e);
	}
	if (ret == 0) {
		ret = reg_mozilla(frame, p, action, "firefox",
				  ".mozilla/firefox", &list, &n);
	}
	if (ret == 0) {
		ret = reg_mozilla(frame, p, action, "thunderbird",
				  ".thunderbird", &list, &n);
	}
	if (ret != 0) {
		goto done;
	}
	*pentries = talloc_move(mem_ctx, &list);
	*pnum = n;
done:
	if (ret == ENOMEM) {
		cr_err_nomem(errmsg, ret);
	}
	TALLOC_FREE(frame);
	return ret;
}

bool cr_reg_opted_out(const struct cr_reg_paths *p)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", p->config_home, OPT_OUT_FILE);
	return lstat(path, &st) == 0;
}

int cr_reg_set_opted_out(const struct cr_reg_paths *p, bool out,
			 char **errmsg)
{
	static const char text[] = "credroam register --remove was run: "
		"runs leave PKCS#11 registration alone until `credroam "
		"register`.\n";
	char dir[4096];
	char path[4096];
	int ret;

	snprintf(dir, sizeof(dir), "%s/credroam", p->config_home);
	snprintf(path, sizeof(path), "%s/%s", p->config_home, OPT_OUT_FILE);
	if (!out) {
		if (unlink(path) != 0 && errno != ENOENT) {
			ret = errno;
			cr_seterr(errmsg, "cannot remove %s: %s", path,
				  strerror(ret));
			return ret;
		}
		return 0;
	}
	(void)mkdir(p->config_home, 0700);
	(void)mkdir(dir, 0700);
	ret = cr_write_atomic(path, (const uint8_t *)text, sizeof(text) - 1,
			      0644, true);
	if (ret != 0) {
		cr_seterr(errmsg, "cannot write %s: %s", path, strerror(ret));
	}
	return ret;
}

void cr_register_keep(TALLOC_CTX *mem_ctx)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_reg_paths *p = NULL;
	struct cr_reg_entry *entries = NULL;
	size_t n = 0;
	char *err = NULL;
	int ret;

	(void)mem_ctx;
	ret = cr_reg_paths_default(frame, &p, &err);
	if (ret == 0 && !cr_reg_opted_out(p)) {
		(void)cr_register(frame, p, CR_REG_ADD, &entries, &n, &err);
	}
	cr_err_clear(&err);
	TALLOC_FREE(frame);
}
