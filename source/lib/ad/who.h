/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Who a roaming run is for: domain user name and SID through winbind.
 */
#ifndef CREDROAM_WHO_H
#define CREDROAM_WHO_H

#include <stdbool.h>
#include <sys/types.h>
#include <talloc.h>

struct cr_who {
	uid_t uid;
	char *name;	/* "ROAM\alice" as NSS shows it */
	char *sid;	/* "S-1-5-21-..." */
	char *domain;	/* NetBIOS domain */
	char *account;	/* "alice" */
};

/*
 * The domain user behind a uid.  ENOENT (with a message) for a local user
 * winbind does not know; EIO when winbind cannot be asked.
 */
int cr_who_by_uid(TALLOC_CTX *mem_ctx, uid_t uid, struct cr_who **pwho,
		  char **errmsg);

/* The same for a name ("ROAM\alice", "alice@roam.test" or "alice"). */
int cr_who_by_name(TALLOC_CTX *mem_ctx, const char *name,
		   struct cr_who **pwho, char **errmsg);

#endif
