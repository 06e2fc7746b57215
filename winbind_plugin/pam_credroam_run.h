/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Running things as the user from a PAM module: dropping privileges for
 * good, a short job in a child (putting the pre-keys into the user's
 * keyring), and the roaming run itself, detached from the login process
 * and waited for at most a time budget.
 *
 * Everything a child needs (group list, argv, environment) is prepared in
 * the parent, so that between fork and exec a child of a threaded login
 * manager only makes system calls.
 */
#ifndef PAM_CREDROAM_RUN_H
#define PAM_CREDROAM_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <talloc.h>

struct pcr_identity {
	const char *name;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t num_groups;
};

/* The user's uid, primary gid and supplementary groups (getgrouplist). */
int pcr_identity_get(TALLOC_CTX *mem_ctx, const char *name, uid_t uid,
		     gid_t gid, struct pcr_identity **pid, char **errmsg);

/*
 * Become the user for good: groups, then real/effective/saved gid, then
 * uid, and prove it: every id is the user's and setuid(0) fails.  Returns
 * 0 or an errno; on failure the caller must _exit().  A process already
 * running as the user (a screen locker) is left as it is.
 */
int pcr_become_user(const struct pcr_identity *id);

/*
 * Run fn(arg) in a child as the user; its return value (0..255) comes back
 * in *result.  Returns 0, or an errno when the child could not be made or
 * died.
 */
int pcr_as_user(const struct pcr_identity *id, int (*fn)(void *arg),
		void *arg, int *result);

struct pcr_spawn {
	const struct pcr_identity *id;
	const char *path;		/* program to exec */
	char **argv;			/* NULL-terminated */
	char **envp;			/* NULL-terminated */
	uint64_t budget_us;		/* how long the caller waits */
	/*
	 * After the run: when the session counter at counter_path (read by
	 * the supervisor as root) says no session is left, forget the
	 * keyring entries of forget_sid (forget_fn runs as the user).
	 */
	const char *forget_sid;
	const char *counter_path;
	int (*forget_fn)(const char *sid);
};

enum pcr_spawn_outcome {
	PCR_SPAWN_FINISHED,	/* *status is the run's wait status */
	PCR_SPAWN_BACKGROUND,	/* the budget ran out; it goes on */
};

/*
 * Start the run detached (double fork, new session, stdio on /dev/null,
 * all other descriptors closed, default signal handling) and wait for it
 * at most budget_us.  The supervisor stays root; the program runs as the
 * user.  The login process never gets a zombie.
 */
int pcr_spawn_run(const struct pcr_spawn *sp, enum pcr_spawn_outcome *out,
		  int *status, char **errmsg, TALLOC_CTX *errctx);

#endif
