/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The per-user cache of what the last policy run learnt, and the
 * reduced Registry.pol it keeps: gpo_cache.c.
 */
#ifndef CREDROAM_GPO_CACHE_H
#define CREDROAM_GPO_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "format/preg.h"

#define GPO_MAX_POL_SIZE PREG_MAX_FILE_SIZE

/*
 * The cache file: what the last run learnt that an unchanged policy does
 * not need to fetch again.
 */
struct gpo_cache_pol {
	char *guid;
	uint32_t version;	/* whole versionNumber */
	char *path;		/* gPCFileSysPath it was read from */
	bool has_pol;
	/* the DIMS-relevant entries of User/Registry.pol as a PReg file */
	uint8_t *pol;
	size_t pol_len;
};

struct gpo_cache {
	char *user_dn;
	/* the logon (principal and TGT authtime) the SIDs belong to */
	char *logon;
	char **sids;		/* the user's SID first, then tokenGroups */
	size_t num_sids;
	char **gpo_dns;		/* every GPO the user's SOMs linked */
	size_t num_gpo_dns;
	struct gpo_cache_pol *pols;
	size_t num_pols;
};

#define GPO_CACHE_MAGIC "CRGPOC\x00\x01"
#define GPO_CACHE_MAGIC_LEN 8
#define GPO_CACHE_MAX_SIZE (32u * 1024 * 1024)
#define GPO_CACHE_MAX_STRING 65536u

/* EBADMSG for anything but a well-formed file (exact: no trailing bytes). */
int gpo_cache_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		    const char *name, struct gpo_cache **pcache,
		    char **errmsg);
int gpo_cache_encode(TALLOC_CTX *mem_ctx, const struct gpo_cache *cache,
		     uint8_t **pdata, size_t *plen, char **errmsg);
/* ENOENT when there is no file. */
int gpo_cache_read(TALLOC_CTX *mem_ctx, const char *path, uint8_t **pdata,
		   size_t *plen, char **errmsg);
/* Atomic replace: temp file in the same directory, fsync, rename. */
int gpo_cache_write(TALLOC_CTX *mem_ctx, const char *path,
		    const uint8_t *data, size_t len, char **errmsg);

/*
 * Keep only the entries policy_apply_preg() looks at (POLICY_KEY and
 * **DeleteKeys), as a PReg file.
 */
int gpo_pol_reduce(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		   const char *name, uint8_t **pout, size_t *plen,
		   char **errmsg);

#endif
