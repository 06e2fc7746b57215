/*
 * The pieces behind cr_gpo_user_policy() (gpo.h), each a pure function
 * that the unit tests drive with hand-built inputs:
 *
 *   gpo_link.c   gPLink and gPCUserExtensionNames parsing, the user's
 *                chain of containers (scopes of management, "SOMs")
 *   gpo_order.c  Windows' application order: site, domain, OUs top down;
 *                disabled links, blocked inheritance, enforced links
 *   gpo_sd.c     security filtering: a self-relative security descriptor
 *                and the access check for Read + Apply Group Policy
 *   gpo_cache.c  the per-user cache file
 *   gpo_smb.c    reading User/Registry.pol from SYSVOL (libsmbclient)
 *   gpo_logon.c  which logon the cached token groups belong to
 */
#ifndef CREDROAM_GPO_INTERNAL_H
#define CREDROAM_GPO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "gpo.h"
#include "preg.h"

/* gPLink options ([MS-ADTS] 2.2.2 / [MS-GPOL] 2.2.2) */
#define GPO_LINK_DISABLED 0x1u
#define GPO_LINK_ENFORCED 0x2u
/* gPOptions */
#define GPO_OPTIONS_BLOCK_INHERITANCE 0x1u
/* the GPO's flags attribute */
#define GPO_FLAG_USER_DISABLED 0x1u
#define GPO_FLAG_MACHINE_DISABLED 0x2u

/* The registry client-side extension (Administrative Templates). */
#define GPO_REGISTRY_CSE "{35378EAC-683F-11D2-A89A-00C04FBBCFA2}"
/* Apply-Group-Policy extended right ([MS-ADTS] 5.1.3.2.1). */
#define GPO_APPLY_RIGHT "edacfd8f-ffb3-11d1-b41d-00a0c968f939"

/* Bounds far above anything real, so hostile values cost little. */
#define GPO_MAX_GPLINK_LEN (256u * 1024)
#define GPO_MAX_LINKS 1000u
#define GPO_MAX_CHAIN 64u
#define GPO_MAX_SD_LEN (256u * 1024)
#define GPO_MAX_POL_SIZE PREG_MAX_FILE_SIZE

/* One [LDAP://<dn>;<options>] of a gPLink, in the order written. */
struct gpo_link {
	char *dn;
	/* "{...}" from the DN's first RDN, upper case */
	char *guid;
	uint32_t options;
};

/*
 * Parse a gPLink value.  Whitespace between links is allowed (Windows
 * leaves " " when the last link is removed).  Each link must be
 * "[LDAP://cn={GUID},<rest>;<decimal options>]"; anything else is EBADMSG
 * with a message naming `where` (the container's DN) and the offset.
 */
int gpo_parse_gplink(TALLOC_CTX *mem_ctx, const char *gplink,
		     const char *where, struct gpo_link **plinks,
		     size_t *pnum, char **errmsg);

/*
 * Whether gPCUserExtensionNames ("[{CSE}{tool}...][...]") lists the
 * registry extension as a client-side extension.
 */
bool gpo_lists_registry_cse(const char *extension_names);

/* The user version: high 16 bits of versionNumber. */
uint32_t gpo_user_version(uint32_t version_number);

enum gpo_som_kind {
	GPO_SOM_SITE = 0,
	GPO_SOM_DOMAIN,
	GPO_SOM_OU,
};

/* A container whose gPLink can apply to the user. */
struct gpo_som {
	enum gpo_som_kind kind;
	const char *dn;
	/* filled from LDAP */
	bool found;
	uint32_t gpoptions;
	struct gpo_link *links;
	size_t num_links;
};

/*
 * The user's domain and OUs from the user's DN, in application order:
 * the domain (the DN's trailing DC= components), then each OU= ancestor
 * from the top down.  CN= containers (CN=Users) cannot carry links and are
 * skipped, as Windows does.  EINVAL when the DN has no DC= suffix or is
 * deeper than GPO_MAX_CHAIN.
 */
int gpo_user_chain(TALLOC_CTX *mem_ctx, const char *user_dn,
		   struct gpo_som **psoms, size_t *pnum, char **errmsg);

/*
 * Windows' order over the links of soms[] (site first if any, then the
 * domain, then OUs top down; each SOM's links in gPLink order): entries
 * that are not enforced in SOM order, then enforced ones in reverse SOM
 * order, so a higher enforced link wins over a lower one.  Every link is
 * listed; disabled links and links cut off by a lower SOM's blocked
 * inheritance are not applied, with the reason.  A GPO linked more than
 * once applies once, at its last place.  Only guid, dn, linked_at,
 * enforced, applied and why are set.
 */
int gpo_order(TALLOC_CTX *mem_ctx, const struct gpo_som *soms,
	      size_t num_soms, struct cr_gpo **pgpos, size_t *pnum,
	      char **errmsg);

/*
 * Security filtering: does the DACL of a self-relative security
 * descriptor give a token (SID strings) Read (read property) and the
 * Apply Group Policy extended right, with no deny first?  ACEs are
 * evaluated in order, inherit-only ACEs skipped, object ACEs honoured.
 * *pwhy says why not (on mem_ctx).  EBADMSG for a malformed descriptor.
 */
int gpo_sd_check(TALLOC_CTX *mem_ctx, const uint8_t *sd, size_t len,
		 const char * const *sids, size_t num_sids, bool *papplies,
		 char **pwhy, char **errmsg);

/* A SID in binary form as a string ("S-1-5-11"); NULL if malformed. */
char *gpo_sid_string(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		     size_t *pconsumed);

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

/* "principal@authtime" of the TGT in ccache, for the token groups cache. */
int gpo_logon_id(TALLOC_CTX *mem_ctx, const char *ccache, char **pid,
		 char **errmsg);

#endif
