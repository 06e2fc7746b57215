/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Registration: where each application looks for PKCS#11 modules, made to
 * show the user's credroam token, and kept so (every `credroam sync`, the
 * agent's start), until `credroam register --remove` takes it all away and
 * says so for the runs that follow.
 *
 *   p11-kit     $XDG_CONFIG_HOME/pkcs11/modules/credroam.module with
 *               `remote: unix:path=<agent socket>`: GnuTLS, NetworkManager,
 *               OpenConnect, p11tool and p11-kit-proxy users
 *   nss         the shared NSS database ~/.pki/nssdb (created when missing:
 *               every Chromium and Evolution uses it when it exists) and
 *               ~/.local/share/pki/nssdb when it exists (Chromium from M146
 *               without ~/.pki/nssdb): a `library=` entry for
 *               credroam-pkcs11.so in its pkcs11.txt
 *   firefox,    the pkcs11.txt of each profile of profiles.ini
 *   thunderbird (~/.mozilla/firefox, ~/.thunderbird)
 *
 * NSS's pkcs11.txt is edited as whole entries (blocks between blank
 * lines): ours is the block whose name= is "credroam"; every other block
 * is written back byte for byte, atomically, with the file's mode.  NSS
 * writes pkcs11.txt only when a module is added or removed through it, so
 * a database whose application runs is never edited: a Firefox or
 * Thunderbird profile that is locked by a live process is left for the
 * next run (the entry says so).  The shared database has no lock to test;
 * an atomic rename never shows a reader half a file, and a running
 * Chromium sees the module at its next start.
 */
#ifndef CREDROAM_TOOLS_REGISTER_H
#define CREDROAM_TOOLS_REGISTER_H

#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>

/* The name of our entries: credroam.module, pkcs11.txt's name=. */
#define CR_REG_NAME "credroam"

struct cr_reg_paths {
	const char *home;
	const char *config_home;	/* $XDG_CONFIG_HOME or ~/.config */
	const char *socket;		/* the agent's socket */
	const char *nss_module;		/* credroam-pkcs11.so */
};

enum cr_reg_action {
	CR_REG_CHECK,		/* look, change nothing */
	CR_REG_ADD,
	CR_REG_REMOVE,
};

struct cr_reg_entry {
	const char *kind;	/* "p11-kit", "nss", "firefox", "thunderbird" */
	char *path;		/* the file or database */
	bool registered;	/* our entry is there now */
	bool changed;		/* this call wrote it */
	char *note;		/* why not, or what to know; NULL */
};

/*
 * The user's paths: $HOME, $XDG_CONFIG_HOME, the agent's socket
 * ($XDG_RUNTIME_DIR/credroam/pkcs11, else /run/user/<uid>/...), the NSS
 * module as installed ($CREDROAM_NSS_MODULE overrides, for tests).
 */
int cr_reg_paths_default(TALLOC_CTX *mem_ctx, struct cr_reg_paths **paths,
			 char **errmsg);

/*
 * Do the action everywhere.  One entry per place; a place that cannot be
 * handled gets a note and does not stop the others.  Returns 0 or ENOMEM.
 */
int cr_register(TALLOC_CTX *mem_ctx, const struct cr_reg_paths *p,
		enum cr_reg_action action, struct cr_reg_entry **entries,
		size_t *num_entries, char **errmsg);

/*
 * The user said `credroam register --remove`: runs leave registration
 * alone until `credroam register` ($XDG_CONFIG_HOME/credroam/unregistered).
 */
bool cr_reg_opted_out(const struct cr_reg_paths *p);
int cr_reg_set_opted_out(const struct cr_reg_paths *p, bool out,
			 char **errmsg);

/* What runs do: CR_REG_ADD unless opted out; never fails the caller. */
void cr_register_keep(TALLOC_CTX *mem_ctx);

/* ---- for people and machines (register_show.c) ---- */

struct json_t;
struct json_t *cr_reg_entries_json(const struct cr_reg_entry *e, size_t n);
void cr_reg_entries_print(const struct cr_reg_entry *e, size_t n,
			  const char *indent);

/* ---- one place each (register_p11kit.c, register_nss.c) ---- */

int cr_reg_p11kit(TALLOC_CTX *mem_ctx, const struct cr_reg_paths *p,
		  enum cr_reg_action action, struct cr_reg_entry *e);

/*
 * The NSS database in dir (sql: format).  create: make a missing database
 * with certutil first (the shared one); else a missing one is noted.
 * in_use: an application holds it open (the entry is left alone).
 */
int cr_reg_nss_db(TALLOC_CTX *mem_ctx, const char *dir, const char *module,
		  enum cr_reg_action action, bool create, bool in_use,
		  struct cr_reg_entry *e);

/*
 * pkcs11.txt's text with our entry added (module path) or removed; every
 * other entry kept byte for byte.  *present: ours was there (same path).
 * Pure, for the unit test.
 */
int cr_reg_nss_edit(TALLOC_CTX *mem_ctx, const char *text, size_t len,
		    const char *module, bool add, char **out, bool *present,
		    bool *changed);

/* The profile folders of a profiles.ini (absolute), for register.c. */
int cr_reg_mozilla_profiles(TALLOC_CTX *mem_ctx, const char *base,
			    char ***dirs, size_t *num_dirs);

/* A Firefox/Thunderbird profile that a live process holds. */
bool cr_reg_mozilla_in_use(const char *dir);

#endif
