/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Linux side of one user's roaming (DESIGN.md 4), under
 * $XDG_DATA_HOME/credroam (default ~/.local/share/credroam), mode 0700:
 *
 *   roaming/<TypeName>/<identifier>   every roamed token, byte-exact
 *   certs/<THUMBPRINT>.crt|.key|.p12  what people and programs use
 *   trash/                            whatever a run removed, but
 *                                     decrypted keys (wiped, deleted)
 *   state, state.old                  the last-synced view (state.c)
 *
 * Every access goes through a directory descriptor with *at() calls and
 * O_NOFOLLOW, so a symlink planted inside the store is never followed and
 * nothing outside it is ever touched.  Every write is atomic (temporary
 * file, fsync, rename, fsync of the directory); a removal is a rename
 * into trash/, except for a decrypted private key: that is overwritten
 * and deleted, since its DPAPI-protected token is the copy that counts.
 */
#ifndef CREDROAM_LOCALSTORE_H
#define CREDROAM_LOCALSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <talloc.h>

#include "format/token.h"

struct cr_store {
	char *root;		/* absolute path, for messages */
	int root_fd;
	int roaming_fd;
	int certs_fd;
	int trash_fd;
	int lock_fd;		/* -1 until cr_store_lock() */
};

/* A token file of roaming/ that loaded. */
struct cr_store_token {
	struct cr_token *token;
	char *relpath;		/* "roaming/CAPICertificate/3B83..." */
};

/* A file of roaming/ that was not loaded, and why. */
struct cr_store_problem {
	char *relpath;
	char *message;
};

struct cr_store_view {
	struct cr_store_token *tokens;
	size_t num_tokens;
	struct cr_store_problem *problems;
	size_t num_problems;
};

/* Largest file the store reads (a token, a PEM file). */
#define CR_STORE_MAX_FILE (2 * 1024 * 1024)

/* $XDG_DATA_HOME/credroam, else $HOME/.local/share/credroam. */
int cr_store_default_path(TALLOC_CTX *mem_ctx, char **path, char **errmsg);

/*
 * Open (and with create, make) the store and its folders, 0700.  Refuses
 * a root that is a symlink, not a directory, or not owned by the caller.
 * The descriptors close when the struct is freed.
 */
int cr_store_open(TALLOC_CTX *mem_ctx, const char *root, bool create,
		  struct cr_store **pstore, char **errmsg);

/*
 * One run at a time per store: an exclusive flock on <root>/.lock,
 * waiting up to wait_seconds (0: not at all).  EWOULDBLOCK when another
 * run holds it.  Released when the store is freed.
 */
int cr_store_lock(struct cr_store *store, unsigned wait_seconds,
		  char **errmsg);

/* Every token of roaming/ (regular files only; others are problems). */
int cr_store_load(TALLOC_CTX *mem_ctx, struct cr_store *store,
		  struct cr_store_view **pview, char **errmsg);

/* The folder of roaming/ that holds a token type ("CAPICertificate"). */
const char *cr_store_type_dir(unsigned type);

/* Write a token (checked: cr_token_check()) to roaming/, atomically. */
int cr_store_put_token(struct cr_store *store, const struct cr_token *token,
		       char **errmsg);

/* Move roaming/<type>/<id> to trash/; ENOENT when it is not there. */
int cr_store_trash_token(struct cr_store *store, unsigned type,
			 const char *id, char **errmsg);

/*
 * Files of certs/ by plain name ("X.crt"): atomic write with a mode, read
 * (ENOENT when absent; EINVAL when not a regular file), move to trash/,
 * rename within certs/ (refuses to replace an existing file: EEXIST).
 */
int cr_store_write_cert_file(struct cr_store *store, const char *name,
			     const uint8_t *data, size_t len, mode_t mode,
			     char **errmsg);
int cr_store_read_cert_file(TALLOC_CTX *mem_ctx, struct cr_store *store,
			    const char *name, uint8_t **data, size_t *len,
			    char **errmsg);
/* Make a file of certs/ private (0600), as a key must be. */
int cr_store_protect_cert_file(struct cr_store *store, const char *name,
			       char **errmsg);
bool cr_store_cert_file_exists(struct cr_store *store, const char *name);
/*
 * A file that holds a decrypted private key by its name: .key (PEM or
 * DER) and the key containers .p12 and .pfx (any case).
 */
bool cr_store_is_key_file(const char *name);

/*
 * Overwrite name (in dirfd, "dir" for messages) with zeros, then delete
 * it: the bytes go before the name, so no other link to the inode keeps
 * them.  ENOENT when absent; EINVAL when not a regular file.
 */
int cr_store_wipe_at(int dirfd, const char *dir, const char *name,
		     char **errmsg);

/*
 * Remove a file of certs/: to trash/, except a decrypted private key
 * (cr_store_is_key_file: .key, .p12, .pfx), which is overwritten with zeros and deleted (its roamed,
 * DPAPI-protected token is what remains).
 */
int cr_store_trash_cert_file(struct cr_store *store, const char *name,
			     char **errmsg);
int cr_store_rename_cert_file(struct cr_store *store, const char *from,
			      const char *to, char **errmsg);

/* Plain names of the regular files in certs/, sorted. */
int cr_store_list_certs(TALLOC_CTX *mem_ctx, struct cr_store *store,
			char ***pnames, size_t *pcount, char **errmsg);

/*
 * Small files at the root (state, state.old, policy-off): atomic write,
 * read (ENOENT when absent), rename, unlink.
 */
int cr_store_write_root_file(struct cr_store *store, const char *name,
			     const uint8_t *data, size_t len, char **errmsg);
int cr_store_read_root_file(TALLOC_CTX *mem_ctx, struct cr_store *store,
			    const char *name, uint8_t **data, size_t *len,
			    char **errmsg);
int cr_store_rename_root_file(struct cr_store *store, const char *from,
			      const char *to, char **errmsg);
int cr_store_unlink_root_file(struct cr_store *store, const char *name,
			      char **errmsg);

/*
 * A fingerprint of roaming/ and certs/ (names, sizes, mtimes, inodes):
 * equal fingerprints mean nothing changed there since.  Upper-case hex.
 */
int cr_store_fingerprint(TALLOC_CTX *mem_ctx, struct cr_store *store,
			 char **pfp, char **errmsg);

#endif
