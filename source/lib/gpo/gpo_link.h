/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gPLink and gPCUserExtensionNames parsing, the user's chain of
 * containers (scopes of management, "SOMs"): gpo_link.c.
 */
#ifndef CREDROAM_GPO_LINK_H
#define CREDROAM_GPO_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>


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

/* Bounds far above anything real, so hostile values cost little. */
#define GPO_MAX_GPLINK_LEN (256u * 1024)
#define GPO_MAX_LINKS 1000u
#define GPO_MAX_CHAIN 64u

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

#endif
