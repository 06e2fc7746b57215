/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam_guard as an ldb module (DESIGN.md 6, spec/dc-ldb-module.md).
 *
 * On a Samba AD DC it is the top of sam.ldb's stack
 * ("@MODULES: @LIST: credroam_guard,samba_dsdb"), loaded from Samba's ldb
 * module directory by ldb_modules/credroam_guard.c.  A client can put the
 * same code on top of its own ldb connection:
 *
 *	cr_guard_register();
 *	ldb_connect(ldb, "ldap://dc1...", 0,
 *		    (const char *[]){ "modules:credroam_guard", NULL });
 *
 * Limits, first found wins: the ldb connect options
 * "credroam_max_token_size:N" and "credroam_max_tokens:N"; the smb.conf
 * parametric options "credroam:max token size" and "credroam:max tokens"
 * (through the "loadparm" opaque Samba sets); the defaults of guard.h.
 *
 * Every accepted change and every refusal is logged through ldb_debug()
 * at LDB_DEBUG_ERROR (Samba "log level = 1"): who (account and SID from
 * the "sessionInfo" opaque, or the local uid), from where, whose object,
 * the token identities added and removed, and the outcome.
 */
#ifndef CREDROAM_GUARD_MODULE_H
#define CREDROAM_GUARD_MODULE_H

#include <ldb_module.h>

#define CR_GUARD_MODULE_NAME "credroam_guard"

const struct ldb_module_ops *cr_guard_module_ops(void);

/*
 * Make "credroam_guard" known to this process's ldb (once is enough; it
 * is fine if the module directory already registered it).  0 or EIO.
 */
int cr_guard_register(void);

#endif
