/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pam_credroam: credential roaming at logon, logoff and screen unlock for
 * the domain users of a winbind member; see pam_credroam(8).
 *
 *   auth     after pam_winbind: the password's DPAPI pre-keys go into the
 *            user's kernel keyring (put there by a child running as the
 *            user), the password is never kept; an unlock service also
 *            starts a run.  Always PAM_IGNORE: the auth result is not ours.
 *   setcred  PAM_REINITIALIZE_CRED / PAM_REFRESH_CRED (GNOME's lock screen
 *            through gdm-password) starts an unlock run.
 *   session  open: `credroam sync --trigger logon` as the user, waited for
 *            at most the time budget, then left to finish on its own.
 *            close: the same with --trigger logoff, while pam_winbind's
 *            ticket cache still exists (applications close sessions before
 *            pam_setcred(PAM_DELETE_CRED) destroys it); the close of the
 *            user's last session forgets the keyring entries.
 *
 * Root, local users and services not listed cost a few microseconds and
 * nothing else.  Nothing here ever fails a logon.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define PAM_SM_AUTH
#define PAM_SM_SESSION
#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "keys/keyring.h"
#include "pam_credroam_keys.h"
#include "pam_credroam_opts.h"
#include "pam_credroam_run.h"
#include "pam_credroam_sessions.h"
#include "gpo/policy.h"
#include "util/stackframe.h"
#include "ad/who.h"
#include "util/error.h"

/* A policy-off note younger than this lets a logon skip the run. */
#define PCR_POLICY_OFF_FRESH (90 * 60)
/* How long a PAM-started run waits for another run's lock. */
#define PCR_RUN_LOCK_WAIT "30"
/*
 * The least a session waits for its counter's lock (only root's PAM
 * processes take it, for microseconds), even with budget=0.
 */
#define PCR_COUNTER_WAIT_MIN_US 100000

enum pcr_trigger {
	PCR_LOGON,
	PCR_LOGOFF,
	PCR_UNLOCK,
};

static const char *trigger_names[] = {
	[PCR_LOGON] = "logon",
	[PCR_LOGOFF] = "logoff",
	[PCR_UNLOCK] = "unlock",
};

struct pcr_ctx {
	pam_handle_t *pamh;
	struct pcr_opts *opts;
	const char *service;
	char *user;		/* canonical name from NSS */
	uid_t uid;
	gid_t gid;
	char *home;
	struct cr_who *who;
	uint64_t t0;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void pcr_debug(const struct pcr_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void pcr_debug(const struct pcr_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->opts == NULL || !c->opts->debug) {
		return;
	}
	va_start(ap, fmt);
	pam_vsyslog(c->pamh, LOG_DEBUG, fmt, ap);
	va_end(ap);
}

/*
 * Options, service, user.  Returns true when the module has work for this
 * user; otherwise says why at debug level.
 */
static bool pcr_prepare(TALLOC_CTX *mem_ctx, pam_handle_t *pamh, int argc,
			const char **argv, bool with_unlock,
			struct pcr_ctx **pctx)
{
	struct pcr_ctx *c = NULL;
	struct credroam_conf *conf = NULL;
	const void *item = NULL;
	struct passwd pwbuf;
	struct passwd *pw = NULL;
	char *errmsg = NULL;
	char *buf = NULL;
	size_t i;
	bool listed;
	int ret;

	*pctx = NULL;
	c = talloc_zero(mem_ctx, struct pcr_ctx);
	if (c == NULL) {
		return false;
	}
	*pctx = c;
	c->pamh = pamh;
	c->t0 = now_us();

	ret = credroam_conf_load(c, pcr_opts_conf_path(argc, argv), &conf,
				 &errmsg);
	if (ret != 0) {
		pam_syslog(pamh, LOG_WARNING, "%s; using the defaults",
			   (errmsg != NULL) ? errmsg : strerror(ret));
		conf = NULL;
	}
	ret = pcr_opts_parse(c, conf, argc, argv, &c->opts);
	if (ret != 0) {
		pam_syslog(pamh, LOG_ERR, "out of memory");
		return false;
	}
	for (i = 0; conf != NULL && i < conf->num_warnings; i++) {
		pam_syslog(pamh, LOG_WARNING, "%s", conf->warnings[i]);
	}
	for (i = 0; i < c->opts->num_warnings; i++) {
		pam_syslog(pamh, LOG_WARNING, "%s", c->opts->warnings[i]);
	}

	ret = pam_get_item(pamh, PAM_SERVICE, &item);
	c->service = (ret == PAM_SUCCESS && item != NULL) ? item : "";
	listed = pcr_service_listed(c->opts->services, c->service) ||
		 (with_unlock &&
		  pcr_service_listed(c->opts->unlock_services, c->service));
	if (!listed) {
		pcr_debug(c, "service '%s' does not roam", c->service);
		return false;
	}

	ret = pam_get_item(pamh, PAM_USER, &item);
	if (ret != PAM_SUCCESS || item == NULL) {
		pcr_debug(c, "no user");
		return false;
	}
	buf = talloc_size(c, 16384);
	if (buf == NULL) {
		return false;
	}
	ret = getpwnam_r(item, &pwbuf, buf, 16384, &pw);
	if (ret != 0 || pw == NULL) {
		pcr_debug(c, "'%s' is unknown to NSS", (const char *)item);
		return false;
	}
	if (pw->pw_uid == 0) {
		pcr_debug(c, "root does not roam");
		return false;
	}
	c->uid = pw->pw_uid;
	c->gid = pw->pw_gid;
	c->user = talloc_strdup(c, pw->pw_name);
	c->home = talloc_strdup(c, pw->pw_dir);
	TALLOC_FREE(buf);
	if (c->user == NULL || c->home == NULL) {
		return false;
	}
	ret = cr_who_by_uid(c, c->uid, &c->who, &errmsg);
	if (ret == ENOENT) {
		pcr_debug(c, "'%s' is not a domain user: skipped in %llu us",
			  c->user, (unsigned long long)(now_us() - c->t0));
		return false;
	}
	if (ret != 0) {
		pam_syslog(pamh, LOG_NOTICE, "no roaming for '%s': %s",
			   c->user, (errmsg != NULL) ? errmsg : strerror(ret));
		return false;
	}
	cr_err_clear(&errmsg);
	return true;
}

static bool running_as(uid_t uid)
{
	return getuid() == uid && geteuid() == uid;
}

struct pcr_keys {
	pcr_keys_put_fn put;
	pcr_keys_forget_fn forget;
	pcr_keys_store_unchanged_fn store_unchanged;
};

/*
 * credroam/pam_credroam_keys.so from beside this module, loaded for good
 * (GnuTLS does not like being unloaded).
 */
static bool pcr_load_keys(const struct pcr_ctx *c, struct pcr_keys *keys)
{
	TALLOC_CTX *frame = talloc_stackframe();
	Dl_info info = { 0 };
	char *self = NULL;
	char *path = NULL;
	void *handle = NULL;
	bool ok = false;

	*keys = (struct pcr_keys) { 0 };
	if (dladdr((void *)pam_sm_authenticate, &info) == 0 ||
	    info.dli_fname == NULL) {
		pam_syslog(c->pamh, LOG_ERR, "cannot tell where "
			   "pam_credroam.so was loaded from");
		goto done;
	}
	self = talloc_strdup(frame, info.dli_fname);
	if (self == NULL) {
		goto done;
	}
	path = talloc_asprintf(frame, "%s/credroam/pam_credroam_keys.so",
			       dirname(self));
	if (path == NULL) {
		goto done;
	}
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (handle == NULL) {
		pam_syslog(c->pamh, LOG_ERR, "%s", dlerror());
		goto done;
	}
	keys->put = (pcr_keys_put_fn)dlsym(handle, PCR_KEYS_PUT_SYMBOL);
	keys->forget = (pcr_keys_forget_fn)dlsym(handle,
						 PCR_KEYS_FORGET_SYMBOL);
	keys->store_unchanged = (pcr_keys_store_unchanged_fn)dlsym(
		handle, PCR_KEYS_STORE_UNCHANGED_SYMBOL);
	ok = keys->put != NULL && keys->forget != NULL &&
	     keys->store_unchanged != NULL;
	if (!ok) {
		pam_syslog(c->pamh, LOG_ERR, "%s lacks %s, %s or %s", path,
			   PCR_KEYS_PUT_SYMBOL, PCR_KEYS_FORGET_SYMBOL,
			   PCR_KEYS_STORE_UNCHANGED_SYMBOL);
	}
done:
	TALLOC_FREE(frame);
	return ok;
}

struct put_prekeys_arg {
	pcr_keys_put_fn put;
	const char *password;
	const char *sid;
};

static int put_prekeys(void *private_data)
{
	struct put_prekeys_arg *a = private_data;
	int ret;

	ret = a->put(a->password, a->sid, CR_KEYRING_TIMEOUT);
	return (ret == 0) ? 0 : 1;
}

struct forget_arg {
	pcr_keys_forget_fn forget;
	const char *sid;
};

static int forget_keys(void *private_data)
{
	struct forget_arg *a = private_data;

	return (a->forget(a->sid) == 0) ? 0 : 1;
}

/*
 * The password's pre-keys into the user's keyring, derived by a child
 * running as the user; the password itself is never copied or kept.
 */
static void pcr_store_prekeys(struct pcr_ctx *c)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct put_prekeys_arg arg = { .sid = c->who->sid };
	struct pcr_identity *id = NULL;
	struct pcr_keys keys;
	const void *tok = NULL;
	char *errmsg = NULL;
	int result = -1;
	int ret;

	ret = pam_get_item(c->pamh, PAM_AUTHTOK, &tok);
	if (ret != PAM_SUCCESS || tok == NULL || *(const char *)tok == '\0') {
		pcr_debug(c, "no password for '%s' (key or ticket logon): "
			  "runs will unlock master keys through the DC",
			  c->user);
		goto done;
	}
	if (!pcr_load_keys(c, &keys)) {
		goto done;
	}
	arg.put = keys.put;
	arg.password = tok;
	if (running_as(c->uid)) {
		result = put_prekeys(&arg);
	} else if (geteuid() == 0) {
		ret = pcr_identity_get(frame, c->user, c->uid, c->gid, &id,
				       &errmsg);
		if (ret == 0) {
			ret = pcr_as_user(id, put_prekeys, &arg, &result);
		}
		if (ret != 0) {
			pam_syslog(c->pamh, LOG_ERR, "cannot act as '%s': %s",
				   c->user, (errmsg != NULL) ? errmsg :
				   strerror(ret));
			goto done;
		}
	} else {
		pcr_debug(c, "running as uid %u: cannot reach the keyring of "
			  "'%s'", (unsigned)geteuid(), c->user);
		goto done;
	}
	if (result != 0) {
		pam_syslog(c->pamh, LOG_ERR, "cannot put the pre-keys into the "
			   "keyring of '%s'", c->user);
		goto done;
	}
	pcr_debug(c, "pre-keys of '%s' (%s) are in the user keyring",
		  c->user, c->who->sid);
done:
	cr_err_clear(&errmsg);
	TALLOC_FREE(frame);
}

static char *pam_or_own_env(TALLOC_CTX *mem_ctx, const struct pcr_ctx *c,
			    const char *name)
{
	const char *v = pam_getenv(c->pamh, name);

	if (v == NULL && running_as(c->uid)) {
		/* a screen locker: the session's own environment */
		v = getenv(name);
	}
	if (v == NULL) {
		return NULL;
	}
	return talloc_asprintf(mem_ctx, "%s=%s", name, v);
}

/* HOME, USER, LOGNAME, PATH, and what the session knows of Kerberos/XDG. */
static char **pcr_run_env(TALLOC_CTX *mem_ctx, const struct pcr_ctx *c)
{
	static const char *passed[] = {
		"KRB5CCNAME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR",
	};
	char **env = NULL;
	size_t n = 0;
	size_t i;

	env = talloc_zero_array(mem_ctx, char *, 8);
	if (env == NULL) {
		return NULL;
	}
	env[n++] = talloc_asprintf(env, "HOME=%s", c->home);
	env[n++] = talloc_asprintf(env, "USER=%s", c->user);
	env[n++] = talloc_asprintf(env, "LOGNAME=%s", c->user);
	env[n++] = talloc_strdup(env, "PATH=/usr/local/bin:/usr/bin:/bin");
	for (i = 0; i < sizeof(passed) / sizeof(passed[0]); i++) {
		char *v = pam_or_own_env(env, c, passed[i]);

		if (v != NULL) {
			env[n++] = v;
		}
	}
	for (i = 0; i < n; i++) {
		if (env[i] == NULL) {
			TALLOC_FREE(env);
			return NULL;
		}
	}
	return env;
}

/* <XDG_DATA_HOME or ~/.local/share>/credroam */
static char *pcr_store_dir(TALLOC_CTX *mem_ctx, const struct pcr_ctx *c)
{
	const char *data = pam_getenv(c->pamh, "XDG_DATA_HOME");

	if (data != NULL && data[0] == '/') {
		return talloc_asprintf(mem_ctx, "%s/credroam", data);
	}
	return talloc_asprintf(mem_ctx, "%s/.local/share/credroam", c->home);
}

/* The last run said the policy is off, recently enough to believe it. */
static bool pcr_policy_off_fresh(const struct pcr_ctx *c)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *store = pcr_store_dir(frame, c);
	char *note = NULL;
	struct stat st;
	time_t now = time(NULL);
	bool fresh = false;

	if (store == NULL) {
		goto done;
	}
	note = talloc_asprintf(frame, "%s/policy-off", store);
	if (note == NULL || lstat(note, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != c->uid) {
		goto done;
	}
	fresh = st.st_mtime <= now && now - st.st_mtime < PCR_POLICY_OFF_FRESH;
done:
	TALLOC_FREE(frame);
	return fresh;
}

static void pcr_report_run(const struct pcr_ctx *c, enum pcr_trigger trig,
			   enum pcr_spawn_outcome outcome, int status,
			   uint64_t started)
{
	unsigned long long ms = (now_us() - started) / 1000;

	if (outcome == PCR_SPAWN_BACKGROUND) {
		pcr_debug(c, "%s run for '%s' goes on in the background after "
			  "%llu ms", trigger_names[trig], c->user, ms);
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		pcr_debug(c, "%s run for '%s' done in %llu ms",
			  trigger_names[trig], c->user, ms);
		return;
	}
	/* the run logged its own reason; this only says it failed */
	pam_syslog(c->pamh, LOG_NOTICE, "%s run for '%s' failed (%s %d) "
		   "after %llu ms", trigger_names[trig], c->user,
		   WIFEXITED(status) ? "exit" : "signal",
		   WIFEXITED(status) ? WEXITSTATUS(status) :
		   (WIFSIGNALED(status) ? WTERMSIG(status) : -1), ms);
}

/*
 * One roaming run as the user.  Waits for it at most budget_us; the
 * logoff run forgets the keyring entries after it when no session is left.
 */
static void pcr_start_run(struct pcr_ctx *c, enum pcr_trigger trig,
			  uint64_t budget_us, const char *counter_path)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct pcr_spawn sp = { .budget_us = budget_us };
	struct pcr_identity *id = NULL;
	enum pcr_spawn_outcome outcome;
	char *errmsg = NULL;
	char **argv = NULL;
	uint64_t started = now_us();
	int status = -1;
	int ret;

	if (!running_as(c->uid) && geteuid() != 0) {
		pcr_debug(c, "running as uid %u: cannot run as '%s'",
			  (unsigned)geteuid(), c->user);
		goto done;
	}
	ret = pcr_identity_get(frame, c->user, c->uid, c->gid, &id, &errmsg);
	if (ret != 0) {
		pam_syslog(c->pamh, LOG_ERR, "'%s': %s", c->user,
			   (errmsg != NULL) ? errmsg : strerror(ret));
		goto done;
	}
	argv = talloc_zero_array(frame, char *, 10);
	if (argv == NULL) {
		goto done;
	}
	if (c->opts->materialize != CR_MATERIALIZE_DEFAULT) {
		/* the PAM line wins over credroam.conf, as on the CLI */
		argv[7] = talloc_strdup(argv, "--materialize");
		argv[8] = talloc_strdup(argv, cr_materialize_name(
						      c->opts->materialize));
		if (argv[7] == NULL || argv[8] == NULL) {
			goto done;
		}
	}
	argv[0] = talloc_strdup(argv, c->opts->credroam);
	argv[1] = talloc_strdup(argv, "sync");
	argv[2] = talloc_strdup(argv, "--trigger");
	argv[3] = talloc_strdup(argv, trigger_names[trig]);
	argv[4] = talloc_strdup(argv, "--quiet");
	argv[5] = talloc_strdup(argv, "--wait");
	argv[6] = talloc_strdup(argv, PCR_RUN_LOCK_WAIT);
	if (argv[0] == NULL || argv[1] == NULL || argv[2] == NULL ||
	    argv[3] == NULL || argv[4] == NULL || argv[5] == NULL ||
	    argv[6] == NULL) {
		goto done;
	}
	sp.id = id;
	sp.path = c->opts->credroam;
	sp.argv = argv;
	sp.envp = pcr_run_env(frame, c);
	if (sp.envp == NULL) {
		goto done;
	}
	if (trig == PCR_LOGOFF && counter_path != NULL) {
		struct pcr_keys keys;

		if (pcr_load_keys(c, &keys)) {
			sp.forget_sid = c->who->sid;
			sp.counter_path = counter_path;
			sp.forget_fn = keys.forget;
		}
	}
	ret = pcr_spawn_run(&sp, &outcome, &status, &errmsg, frame);
	if (ret != 0) {
		pam_syslog(c->pamh, LOG_ERR, "%s run for '%s': %s",
			   trigger_names[trig], c->user,
			   (errmsg != NULL) ? errmsg : strerror(ret));
		goto done;
	}
	pcr_report_run(c, trig, outcome, status, started);
done:
	cr_err_clear(&errmsg);
	TALLOC_FREE(frame);
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
				   const char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct pcr_ctx *c = NULL;
	bool go;

	(void)flags;
	go = pcr_prepare(frame, pamh, argc, argv, true, &c);
	if (!go) {
		goto done;
	}
	pcr_store_prekeys(c);
	if (pcr_service_listed(c->opts->unlock_services, c->service)) {
		pcr_start_run(c, PCR_UNLOCK, 0, NULL);
	}
done:
	TALLOC_FREE(frame);
	return PAM_IGNORE;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc,
			      const char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct pcr_ctx *c = NULL;
	bool go;

	if ((flags & (PAM_REINITIALIZE_CRED | PAM_REFRESH_CRED)) == 0) {
		goto done;
	}
	/* unlock services started their run at auth already */
	go = pcr_prepare(frame, pamh, argc, argv, false, &c);
	if (!go || pcr_service_listed(c->opts->unlock_services, c->service)) {
		goto done;
	}
	pcr_start_run(c, PCR_UNLOCK, 0, NULL);
done:
	TALLOC_FREE(frame);
	return PAM_IGNORE;
}

/* What the logoff's check as the user found. */
enum pcr_logoff_check {
	PCR_STORE_UNCHANGED = 0,
	PCR_STORE_CHANGED = 1,		/* or cannot tell: a run decides */
	PCR_STORE_UNCHANGED_KEPT = 2,	/* and the keys could not go */
};

struct store_unchanged_arg {
	pcr_keys_store_unchanged_fn store_unchanged;
	pcr_keys_forget_fn forget;	/* the last session: or NULL */
	const char *store;
	const char *sid;
};

static int store_unchanged(void *private_data)
{
	struct store_unchanged_arg *a = private_data;

	if (a->store_unchanged(a->store, a->sid) != 0) {
		return PCR_STORE_CHANGED;
	}
	if (a->forget != NULL && a->forget(a->sid) != 0) {
		return PCR_STORE_UNCHANGED_KEPT;
	}
	return PCR_STORE_UNCHANGED;
}

/*
 * The store is as the last run left it: a logoff has nothing to upload
 * (what AD holds now, the next logon fetches), so no run is started; the
 * check reads the state's fingerprint and takes the store's, as the user.
 * The close of the last session then forgets the keyring entries in the
 * same child (one fork, not two).
 */
static bool pcr_logoff_has_nothing_to_do(const struct pcr_ctx *c,
					 bool last_session)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct store_unchanged_arg arg = { .sid = c->who->sid };
	struct pcr_identity *id = NULL;
	struct pcr_keys keys;
	int result = -1;
	int ret;

	arg.store = pcr_store_dir(frame, c);
	if (arg.store == NULL || !pcr_load_keys(c, &keys)) {
		goto done;
	}
	arg.store_unchanged = keys.store_unchanged;
	if (last_session) {
		arg.forget = keys.forget;
	}
	if (running_as(c->uid)) {
		result = store_unchanged(&arg);
		goto done;
	}
	if (geteuid() != 0) {
		goto done;
	}
	ret = pcr_identity_get(frame, c->user, c->uid, c->gid, &id, NULL);
	if (ret == 0) {
		ret = pcr_as_user(id, store_unchanged, &arg, &result);
	}
	if (ret != 0) {
		result = -1;
	}
done:
	if (result == PCR_STORE_UNCHANGED_KEPT) {
		pam_syslog(c->pamh, LOG_WARNING, "could not forget the "
			   "keyring entries of '%s'", c->user);
	}
	TALLOC_FREE(frame);
	return result == PCR_STORE_UNCHANGED ||
	       result == PCR_STORE_UNCHANGED_KEPT;
}

/* The close of the last session when no run follows it. */
static void pcr_forget_now(const struct pcr_ctx *c)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct forget_arg arg = { .sid = c->who->sid };
	struct pcr_identity *id = NULL;
	struct pcr_keys keys;
	int result = -1;
	int ret;

	if (!pcr_load_keys(c, &keys)) {
		goto done;
	}
	arg.forget = keys.forget;
	if (running_as(c->uid)) {
		result = forget_keys(&arg);
		goto done;
	}
	ret = pcr_identity_get(frame, c->user, c->uid, c->gid, &id, NULL);
	if (ret == 0) {
		(void)pcr_as_user(id, forget_keys, &arg, &result);
	}
done:
	if (result != 0) {
		pam_syslog(c->pamh, LOG_WARNING, "could not forget the "
			   "keyring entries of '%s'", c->user);
	}
	TALLOC_FREE(frame);
}

/*
 * The user's systemd manager runs: credroam-agent.socket starts the agent
 * on first use.  Only an lstat() of its private socket in the user's
 * runtime folder, which only the user and root can create: nothing here
 * opens, connects to or waits on anything.
 */
static bool pcr_user_manager_runs(const struct pcr_ctx *c)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/run/user/%u/systemd/private",
		 (unsigned)c->uid);
	return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	       st.st_uid == c->uid;
}

/* The session has a runtime folder (pam_systemd's XDG_RUNTIME_DIR). */
static bool pcr_has_runtime_dir(const struct pcr_ctx *c)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *v = pam_or_own_env(frame, c, "XDG_RUNTIME_DIR");
	const char *dir = (v != NULL) ? strchr(v, '=') : NULL;
	bool has = (dir != NULL && dir[1] == '/');

	TALLOC_FREE(frame);
	return has;
}

/*
 * Without systemd --user, `credroam agent` as the user, detached; it puts
 * itself in the background once its socket listens, and exits at once when
 * another agent of the user serves already.  Never waited for (budget 0):
 * the logon goes on whatever the agent does.
 */
static void pcr_start_agent(struct pcr_ctx *c)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct pcr_spawn sp = { .budget_us = 0 };
	struct pcr_identity *id = NULL;
	enum pcr_spawn_outcome outcome;
	char *errmsg = NULL;
	char **argv = NULL;
	int status = -1;
	int ret;

	if (!c->opts->agent || pcr_user_manager_runs(c)) {
		goto done;
	}
	if (!pcr_has_runtime_dir(c)) {
		/*
		 * The agent's socket lives there: without one it would
		 * only load and exit, a whole process start beside the
		 * logon's run, on the same CPUs
		 */
		pcr_debug(c, "no XDG_RUNTIME_DIR for '%s': no agent",
			  c->user);
		goto done;
	}
	if (!running_as(c->uid) && geteuid() != 0) {
		goto done;
	}
	ret = pcr_identity_get(frame, c->user, c->uid, c->gid, &id, &errmsg);
	argv = talloc_zero_array(frame, char *, 3);
	if (ret != 0 || argv == NULL) {
		goto done;
	}
	argv[0] = talloc_strdup(argv, c->opts->credroam);
	argv[1] = talloc_strdup(argv, "agent");
	sp.id = id;
	sp.path = c->opts->credroam;
	sp.argv = argv;
	sp.envp = pcr_run_env(frame, c);
	if (argv[0] == NULL || argv[1] == NULL || sp.envp == NULL) {
		goto done;
	}
	ret = pcr_spawn_run(&sp, &outcome, &status, &errmsg, frame);
	if (ret != 0) {
		pam_syslog(c->pamh, LOG_ERR, "agent for '%s': %s", c->user,
			   (errmsg != NULL) ? errmsg : strerror(ret));
		goto done;
	}
	pcr_debug(c, "agent for '%s' started (no systemd --user)", c->user);
done:
	cr_err_clear(&errmsg);
	TALLOC_FREE(frame);
}

static int pcr_session(pam_handle_t *pamh, int argc, const char **argv,
		       enum pcr_trigger trig)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct pcr_ctx *c = NULL;
	char *counter = NULL;
	char *errmsg = NULL;
	unsigned sessions = 0;
	uint64_t started = now_us();
	uint64_t lock_wait;
	uint64_t spent;
	uint64_t left;
	int delta = (trig == PCR_LOGON) ? 1 : -1;
	int result = PAM_IGNORE;
	int ret;
	bool go;

	go = pcr_prepare(frame, pamh, argc, argv, false, &c);
	if (!go) {
		goto done;
	}
	result = PAM_SUCCESS;
	counter = pcr_sessions_path(frame, c->opts->rundir, c->uid);
	if (counter == NULL) {
		goto done;
	}
	/* the counter's lock and the run share the budget */
	lock_wait = c->opts->budget_us;
	if (lock_wait < PCR_COUNTER_WAIT_MIN_US) {
		lock_wait = PCR_COUNTER_WAIT_MIN_US;
	}
	ret = pcr_sessions_change(c->opts->rundir, counter, delta, lock_wait,
				  &sessions, &errmsg, frame);
	if (ret != 0) {
		/* without a count, never forget keys another session uses */
		pam_syslog(pamh, LOG_WARNING, "session count of '%s': %s",
			   c->user, errmsg);
		counter = NULL;
	}
	if (pcr_policy_off_fresh(c)) {
		pcr_debug(c, "roaming is off for '%s' (policy-off is recent): "
			  "no %s run", c->user, trigger_names[trig]);
		if (trig == PCR_LOGOFF && counter != NULL && sessions == 0) {
			pcr_forget_now(c);
		}
		goto done;
	}
	if (trig == PCR_LOGOFF &&
	    pcr_logoff_has_nothing_to_do(c, counter != NULL &&
					 sessions == 0)) {
		pcr_debug(c, "the store of '%s' is as its last run left it: "
			  "no logoff run (%llu us)", c->user,
			  (unsigned long long)(now_us() - started));
		goto done;
	}
	if (trig == PCR_LOGON) {
		pcr_start_agent(c);
	}
	spent = now_us() - started;
	left = (spent < c->opts->budget_us) ? c->opts->budget_us - spent : 0;
	pcr_start_run(c, trig, left, counter);
done:
	TALLOC_FREE(frame);
	return result;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc,
				   const char **argv)
{
	(void)flags;
	return pcr_session(pamh, argc, argv, PCR_LOGON);
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
				    const char **argv)
{
	(void)flags;
	return pcr_session(pamh, argc, argv, PCR_LOGOFF);
}
