/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading User/Registry.pol from SYSVOL (libsmbclient, loaded on
 * first use): gpo_smb.c.
 */
#ifndef CREDROAM_GPO_SMB_H
#define CREDROAM_GPO_SMB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

/* SYSVOL over SMB. */
struct gpo_smb;
int gpo_smb_open(TALLOC_CTX *mem_ctx, const char *server,
		 const char *principal, const char *ccache, unsigned timeout,
		 struct gpo_smb **psmb, char **errmsg);
/*
 * Read <gPCFileSysPath>\<rel>.  A path on the domain's DFS name (or the
 * DC's) is read from the DC the connection was opened to.  ENOENT if the
 * file does not exist, EFBIG over max bytes.
 */
int gpo_smb_read(TALLOC_CTX *mem_ctx, struct gpo_smb *smb,
		 const char *sysvol_path, const char *rel, size_t max,
		 uint8_t **pdata, size_t *plen, char **errmsg);
/* Whether the directory exists (for "GPT missing" vs "no file"). */
int gpo_smb_dir_exists(TALLOC_CTX *mem_ctx, struct gpo_smb *smb,
		       const char *sysvol_path, bool *pexists, char **errmsg);
/*
 * "smb://server/share/a/b" for a gPCFileSysPath plus rel ('/'-separated);
 * server is dc when the path names the domain or dc.  NULL for a path that
 * is not \\server\share[\...], has empty, "." or ".." components or
 * characters Windows forbids in names.
 */
char *gpo_smb_url(TALLOC_CTX *mem_ctx, const char *dc, const char *domain,
		  const char *sysvol_path, const char *rel);

#endif
