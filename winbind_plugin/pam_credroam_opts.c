/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pam_credroam's options; see pam_credroam_opts.h.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "pam_credroam_opts.h"
#include "gpo/policy.h"

#define PCR_MAX_LIST 64
#define PCR_MAX_PATH 4096

/*
 * Screen lockers that authenticate through their own PAM service.  GNOME's
 * lock screen goes through gdm-password and says so with
 * pam_setcred(PAM_REINITIALIZE_CRED), which pam_sm_setcred handles.
 */
static const char *default_unlock[] = {
	"xscreensaver", "gnome-screensaver", "cinnamon-screensaver",
	"mate-screensaver", "xfce4-screensaver", "kde", "kscreensaver",
	"i3lock", "swaylock", "vlock", NULL,
};

/* the same as credroam.conf's default (gpo/policy_conf.c says why) */
static const char *builtin_services[] = {
	"login", "sshd", "gdm-password", "gdm-smartcard", "lightdm", "sddm",
	"xrdp-sesman", NULL,
};

static int add_warning(struct pcr_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int add_warning(struct pcr_opts *o, const char *fmt, ...)
{
	const char **tmp = NULL;
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = talloc_vasprintf(o, fmt, ap);
	va_end(ap);
	if (msg == NULL) {
		return ENOMEM;
	}
	tmp = talloc_realloc(o, o->warnings, const char *,
			     o->num_warnings + 2);
	if (tmp == NULL) {
		TALLOC_FREE(msg);
		return ENOMEM;
	}
	tmp[o->num_warnings++] = talloc_move(tmp, &msg);
	tmp[o->num_warnings] = NULL;
	o->warnings = tmp;
	return 0;
}

/*
 * "a,b,c" (or "*") into a NULL-terminated list.  Returns 0, ENOMEM, or
 * EINVAL with *why set.
 */
static int parse_list(TALLOC_CTX *mem_ctx, const char *v, const char ***out,
		      const char **why)
{
	const char **list = NULL;
	const char *p = v;
	size_t n = 0;

	list = talloc_zero_array(mem_ctx, const char *, PCR_MAX_LIST + 1);
	if (list == NULL) {
		return ENOMEM;
	}
	if (strcmp(v, "*") == 0) {
		list[0] = talloc_strdup(list, "*");
		if (list[0] == NULL) {
			TALLOC_FREE(list);
			return ENOMEM;
		}
		*out = list;
		return 0;
	}
	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		bool ok;

		if (len == 0) {
			p++;
			continue;
		}
		if (n >= PCR_MAX_LIST) {
			*why = "too many names";
			TALLOC_FREE(list);
			return EINVAL;
		}
		ok = credroam_conf_service_name_ok(p, len);
		if (!ok) {
			*why = "not a PAM service name";
			TALLOC_FREE(list);
			return EINVAL;
		}
		list[n] = talloc_strndup(list, p, len);
		if (list[n] == NULL) {
			TALLOC_FREE(list);
			return ENOMEM;
		}
		n++;
		p += len;
	}
	*out = list;
	return 0;
}

static const char **copy_list(TALLOC_CTX *mem_ctx, const char **src)
{
	const char **list = NULL;
	size_t n = 0;
	size_t i;

	while (src != NULL && src[n] != NULL) {
		n++;
	}
	list = talloc_zero_array(mem_ctx, const char *, n + 1);
	if (list == NULL) {
		return NULL;
	}
	for (i = 0; i < n; i++) {
		list[i] = talloc_strdup(list, src[i]);
		if (list[i] == NULL) {
			TALLOC_FREE(list);
			return NULL;
		}
	}
	return list;
}

static bool path_ok(const char *v)
{
	size_t len = strlen(v);

	return len > 1 && len < PCR_MAX_PATH && v[0] == '/';
}

bool pcr_service_listed(const char **list, const char *service)
{
	size_t i;

	if (list == NULL || service == NULL) {
		return false;
	}
	for (i = 0; list[i] != NULL; i++) {
		if (strcmp(list[i], "*") == 0 ||
		    strcmp(list[i], service) == 0) {
			return true;
		}
	}
	return false;
}

const char *pcr_opts_conf_path(int argc, const char **argv)
{
	const char *path = NULL;
	int i;

	for (i = 0; i < argc; i++) {
		if (argv[i] != NULL && strncmp(argv[i], "conf=", 5) == 0) {
			path = argv[i] + 5;
		}
	}
	return path;
}

static int parse_arg(struct pcr_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	const char *v = (eq != NULL) ? eq + 1 : NULL;
	size_t klen = (eq != NULL) ? (size_t)(eq - arg) : strlen(arg);
	const char **list = NULL;
	const char *why = NULL;
	uint64_t us = 0;
	int ret = 0;

	if (klen == 11 && strncmp(arg, "materialize", klen) == 0 &&
	    v != NULL) {
		bool ok = cr_materialize_parse(v, &o->materialize);

		if (!ok) {
			return add_warning(o, "materialize='%s': expected "
					   "token or files", v);
		}
		return 0;
	}
	if (klen == 5 && strncmp(arg, "agent", klen) == 0 && v != NULL) {
		if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0) {
			o->agent = strcmp(v, "yes") == 0;
			return 0;
		}
		return add_warning(o, "agent='%s': expected yes or no", v);
	}
	if (v == NULL) {
		if (strcmp(arg, "debug") == 0) {
			o->debug = true;
			return 0;
		}
		return add_warning(o, "unknown option '%s' ignored", arg);
	}
	if (klen == 6 && strncmp(arg, "budget", klen) == 0) {
		bool ok = credroam_conf_parse_seconds(v, PCR_MAX_BUDGET_US,
						      &us);

		if (!ok) {
			return add_warning(o, "budget='%s': expected seconds "
					   "from 0 to 60 (e.g. 2.5); keeping "
					   "%.3f", v,
					   (double)o->budget_us / 1e6);
		}
		o->budget_us = us;
		return 0;
	}
	if ((klen == 8 && strncmp(arg, "services", klen) == 0) ||
	    (klen == 6 && strncmp(arg, "unlock", klen) == 0)) {
		bool unlock = (klen == 6);

		ret = parse_list(o, v, &list, &why);
		if (ret == EINVAL) {
			return add_warning(o, "%.*s='%s': %s; keeping the "
					   "previous list", (int)klen, arg, v,
					   why);
		}
		if (ret != 0) {
			return ret;
		}
		if (unlock) {
			talloc_free(o->unlock_services);
			o->unlock_services = list;
		} else {
			talloc_free(o->services);
			o->services = list;
		}
		return 0;
	}
	if ((klen == 8 && strncmp(arg, "credroam", klen) == 0) ||
	    (klen == 4 && strncmp(arg, "conf", klen) == 0) ||
	    (klen == 6 && strncmp(arg, "rundir", klen) == 0)) {
		char *copy = NULL;

		if (!path_ok(v)) {
			return add_warning(o, "%.*s='%s': expected an absolute "
					   "path", (int)klen, arg, v);
		}
		copy = talloc_strdup(o, v);
		if (copy == NULL) {
			return ENOMEM;
		}
		if (klen == 8) {
			o->credroam = copy;
		} else if (klen == 4) {
			o->conf_path = copy;
		} else {
			o->rundir = copy;
		}
		return 0;
	}
	return add_warning(o, "unknown option '%.*s' ignored", (int)klen, arg);
}

int pcr_opts_parse(TALLOC_CTX *mem_ctx, const struct credroam_conf *conf,
		   int argc, const char **argv, struct pcr_opts **popts)
{
	struct pcr_opts *o = NULL;
	int ret = ENOMEM;
	int i;

	*popts = NULL;
	o = talloc_zero(mem_ctx, struct pcr_opts);
	if (o == NULL) {
		goto done;
	}
	o->budget_us = 2000000;
	o->credroam = PCR_DEFAULT_CREDROAM;
	o->rundir = PCR_DEFAULT_RUNDIR;
	o->agent = true;
	o->services = copy_list(o, builtin_services);
	o->unlock_services = copy_list(o, default_unlock);
	o->warnings = talloc_zero_array(o, const char *, 1);
	if (o->services == NULL || o->unlock_services == NULL ||
	    o->warnings == NULL) {
		goto done;
	}
	if (conf != NULL) {
		const char **svc = NULL;

		o->debug = conf->pam_debug;
		if (conf->time_budget >= 0 && conf->time_budget <= 60) {
			o->budget_us = (uint64_t)(conf->time_budget * 1e6 +
						  0.5);
		}
		svc = copy_list(o, conf->services);
		if (svc == NULL) {
			goto done;
		}
		talloc_free(o->services);
		o->services = svc;
	}
	for (i = 0; i < argc; i++) {
		if (argv[i] == NULL) {
			continue;
		}
		ret = parse_arg(o, argv[i]);
		if (ret != 0) {
			goto done;
		}
	}
	*popts = talloc_move(mem_ctx, &o);
	ret = 0;
done:
	TALLOC_FREE(o);
	return ret;
}
