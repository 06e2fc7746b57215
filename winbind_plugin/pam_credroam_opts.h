/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pam_credroam's options: /etc/samba/credroam.conf [pam] first, then the
 * arguments on the PAM line, which win.  Pure (no PAM, no I/O besides what
 * the caller hands in), so the unit tests drive it directly.
 *
 *   debug              log what the module decides (never a secret)
 *   budget=SECONDS     how long logon/logoff waits for the run (0..60,
 *                      fractions allowed; default 2); then the run goes on
 *                      in the background
 *   services=a,b,...   the services whose sessions roam (logon/logoff);
 *                      "*" means every service; default from credroam.conf
 *                      (login, sshd, gdm-password, gdm-smartcard, lightdm,
 *                      sddm, xrdp-sesman)
 *   unlock=a,b,...     screen lockers: a successful auth of these services
 *                      runs a roaming run (trigger "unlock")
 *   credroam=PATH      the program to run (absolute; default /usr/bin/credroam)
 *   conf=PATH          credroam.conf to read (absolute)
 *   rundir=PATH        where session counters live (absolute; default
 *                      /run/credroam)
 *   materialize=token|files
 *                      key files in certs/ or the token only (passed to
 *                      the run as --materialize; default: credroam.conf
 *                      [sync] materialize, else token)
 *   agent=yes|no       start the user's agent at session open when
 *                      systemd --user does not (default yes)
 *
 * A bad or unknown argument never fails a logon: it is reported as a
 * warning and the previous value stays.
 */
#ifndef PAM_CREDROAM_OPTS_H
#define PAM_CREDROAM_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "gpo/policy.h"

#define PCR_DEFAULT_CREDROAM "/usr/bin/credroam"
#define PCR_DEFAULT_RUNDIR "/run/credroam"
#define PCR_MAX_BUDGET_US (60u * 1000000u)

struct pcr_opts {
	bool debug;
	uint64_t budget_us;
	const char **services;		/* NULL-terminated */
	const char **unlock_services;	/* NULL-terminated */
	const char *credroam;
	const char *conf_path;		/* NULL: CREDROAM_CONF_PATH */
	const char *rundir;
	enum cr_materialize materialize;	/* DEFAULT: the run decides */
	bool agent;			/* start the agent without systemd */
	const char **warnings;		/* NULL-terminated, may be empty */
	size_t num_warnings;
};

/* The conf= argument (the last one wins), or NULL. */
const char *pcr_opts_conf_path(int argc, const char **argv);

/*
 * Options from conf (may be NULL: built-in defaults) and the PAM
 * arguments.  Returns 0 or ENOMEM; everything else is a warning.
 */
int pcr_opts_parse(TALLOC_CTX *mem_ctx, const struct credroam_conf *conf,
		   int argc, const char **argv, struct pcr_opts **popts);

/* Is service in list ("*" matches any)? */
bool pcr_service_listed(const char **list, const char *service);

#endif
