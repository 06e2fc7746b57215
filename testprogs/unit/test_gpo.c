/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for Group Policy: gPLink parsing (with hostile values), the
 * user's chain of containers, Windows' application order (site, domain,
 * OUs; enforced, blocked, disabled, linked twice), security filtering
 * over hand-built security descriptors, the cache file and the SYSVOL URL.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <talloc.h>

#include "util/cursor.h"
#include "util/encoding.h"
#include "gpo/gpo_link.h"
#include "gpo/gpo_order.h"
#include "gpo/gpo_sd.h"
#include "gpo/gpo_cache.h"
#include "gpo/gpo_smb.h"
#include "gpo/gpo_logon.h"
#include "gpo/policy.h"
#include "format/preg.h"
#include "test_util.h"

#define G1 "{31B2F340-016D-11D2-945F-00C04FB984F9}"
#define G2 "{6AC1786C-016F-11D2-945F-00C04FB984F9}"
#define G3 "{A423422D-1F12-48F4-8CDA-132410AF0DB1}"
#define G4 "{BC5F9BD6-FC8A-4139-AE22-62B3C60FF66B}"
#define POLICIES ",CN=Policies,CN=System,DC=roam,DC=test"
#define LINK(g, o) "[LDAP://cn=" g POLICIES ";" #o "]"

#define SID_ALICE "S-1-5-21-1-2-3-1103"
#define SID_BOB "S-1-5-21-1-2-3-1104"
#define SID_GROUP "S-1-5-21-1-2-3-513"
#define SID_AU "S-1-5-11"
#define SID_EVERYONE "S-1-1-0"

/* --- gPLink --------------------------------------------------------- */

static void test_gpo_gplink_valid(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct gpo_link *l = NULL;
	size_t n = 0;
	char *err = NULL;
	int ret;

	ret = gpo_parse_gplink(mem, LINK(G1, 0) LINK(G2, 2) " "
			       "[ldap://CN={a423422d-1f12-48f4-8cda-"
			       "132410af0db1},CN=Policies,CN=System,"
			       "DC=roam,DC=test;3]",
			       "DC=roam,DC=test", &l, &n, &err);
	assert_int_equal(ret, 0);
	assert_int_equal(n, 3);
	assert_string_equal(l[0].guid, G1);
	assert_int_equal(l[0].options, 0);
	assert_string_equal(l[0].dn, "cn=" G1 POLICIES);
	assert_string_equal(l[1].guid, G2);
	assert_int_equal(l[1].options, GPO_LINK_ENFORCED);
	/* GUIDs are normalised to upper case */
	assert_string_equal(l[2].guid, G3);
	assert_int_equal(l[2].options,
			 GPO_LINK_ENFORCED | GPO_LINK_DISABLED);

	/* " " is what Windows leaves when the last link goes */
	ret = gpo_parse_gplink(mem, " ", "OU=x", &l, &n, &err);
	assert_int_equal(ret, 0);
	assert_int_equal(n, 0);
	ret = gpo_parse_gplink(mem, "", "OU=x", &l, &n, &err);
	assert_int_equal(ret, 0);
	assert_int_equal(n, 0);
	/* unknown option bits are kept, big values accepted */
	ret = gpo_parse_gplink(mem, LINK(G1, 4294967295), "OU=x", &l, &n,
			       &err);
	assert_int_equal(ret, 0);
	assert_int_equal(l[0].options, UINT32_MAX);
	talloc_free(mem);
}

static void test_gpo_gplink_hostile(void **state)
{
	static const struct {
		const char *gplink;
		const char *why;
	} cases[] = {
		{ "[LDAP://cn=" G1 POLICIES ";0", "has no ']'" },
		{ "LDAP://cn=" G1 POLICIES ";0]", "expected '['" },
		{ "[LDAP://cn=" G1 POLICIES "]", "no ';'" },
		{ "[LDAP://cn=" G1 POLICIES ";]", "not a decimal" },
		{ "[LDAP://cn=" G1 POLICIES ";-1]", "not a decimal" },
		{ "[LDAP://cn=" G1 POLICIES ";0x2]", "not a decimal" },
		{ "[LDAP://cn=" G1 POLICIES ";4294967296]", "not a decimal" },
		{ "[LDAP://cn=" G1 POLICIES ";99999999999]", "not a decimal" },
		{ "[LDAP://cn=" G1 POLICIES "; 0]", "not a decimal" },
		{ "[LDAP://;0]", "empty DN" },
		{ "[LDAP:/cn=" G1 POLICIES ";0]", "LDAP://" },
		{ "[HTTP://cn=" G1 POLICIES ";0]", "LDAP://" },
		{ "[]", "LDAP://" },
		{ "[LDAP://cn={31B2F340-016D-11D2-945F},CN=x;0]", "cn={GUID}" },
		{ "[LDAP://cn={31B2F340-016D-11D2-945F-00C04FB984FZ},x;0]",
		  "cn={GUID}" },
		{ "[LDAP://ou=" G1 POLICIES ";0]", "cn={GUID}" },
		{ "[LDAP://cn=" G1 ";0]", "without a parent" },
		{ "[LDAP://cn=" G1 "x,CN=y;0]", "without a parent" },
		{ "[LDAP://cn=[" G1 POLICIES ";0]", "'[' inside" },
		{ LINK(G1, 0) "garbage", "expected '['" },
		{ LINK(G1, 0) "]", "expected '['" },
		{ LINK(G1, 0) "[", "has no ']'" },
	};
	struct cr_test_ctx *t = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TALLOC_CTX *mem = talloc_new(t->mem);
		struct gpo_link *l = NULL;
		size_t n = 99;
		char *err = NULL;
		int ret;

		printf("case %zu: %s\n", i, cases[i].gplink);
		ret = gpo_parse_gplink(mem, cases[i].gplink, "OU=Where",
				       &l, &n, &err);
		assert_int_equal(ret, EBADMSG);
		assert_null(l);
		assert_int_equal(n, 0);
		cr_assert_contains(err, "OU=Where");
		cr_assert_contains(err, cases[i].why);
		talloc_free(mem);
	}
}

static void test_gpo_gplink_limits(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct gpo_link *l = NULL;
	char *many = talloc_strdup(mem, "");
	char *huge = NULL;
	char *err = NULL;
	size_t n = 0;
	unsigned i;
	int ret;

	for (i = 0; i < GPO_MAX_LINKS; i++) {
		many = talloc_strdup_append(many, LINK(G1, 0));
	}
	assert_non_null(many);
	ret = gpo_parse_gplink(mem, many, "OU=x", &l, &n, &err);
	assert_int_equal(ret, 0);
	assert_int_equal(n, GPO_MAX_LINKS);
	many = talloc_strdup_append(many, LINK(G1, 0));
	ret = gpo_parse_gplink(mem, many, "OU=x", &l, &n, &err);
	assert_int_equal(ret, EBADMSG);
	cr_assert_contains(err, "more than");

	huge = talloc_zero_size(mem, GPO_MAX_GPLINK_LEN + 2);
	assert_non_null(huge);
	memset(huge, ' ', GPO_MAX_GPLINK_LEN + 1);
	ret = gpo_parse_gplink(mem, huge, "OU=x", &l, &n, &err);
	assert_int_equal(ret, EBADMSG);
	cr_assert_contains(err, "longer than");
	talloc_free(mem);
}

static void test_gpo_extension_names(void **state)
{
	assert_true(gpo_lists_registry_cse(
		"[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}"
		"{D02B1F73-3407-48AE-BA88-E8213C6761F1}]"));
	assert_true(gpo_lists_registry_cse(
		"[{3060E8D0-7020-11D2-842D-00C04FA372D4}"
		"{3060E8CE-7020-11D2-842D-00C04FA372D4}]"
		"[{35378eac-683f-11d2-a89a-00c04fbbcfa2}"
		"{0F6B957E-509E-11D1-A7CC-0000F87571E3}]"));
	/* as a tool extension it does not count */
	assert_false(gpo_lists_registry_cse(
		"[{3060E8D0-7020-11D2-842D-00C04FA372D4}"
		"{35378EAC-683F-11D2-A89A-00C04FBBCFA2}]"));
	assert_false(gpo_lists_registry_cse(NULL));
	assert_false(gpo_lists_registry_cse(""));
	assert_false(gpo_lists_registry_cse("[{35378EAC-683F-11D2"));
	assert_int_equal(gpo_user_version(0x00030007), 3);
	assert_int_equal(gpo_user_version(0x0000ffff), 0);
}

/* --- chain ----------------------------------------------------------- */

static void test_gpo_chain(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct gpo_som *s = NULL;
	char *err = NULL;
	size_t n = 0;
	int ret;

	ret = gpo_user_chain(mem, "CN=alice,CN=Users,DC=roam,DC=test", &s,
			     &n, &err);
	assert_int_equal(ret, 0);
	assert_int_equal(n, 1);
	assert_int_equal(s[0].kind, GPO_SOM_DOMAIN);
	assert_string_equal(s[0].dn, "DC=roam,DC=test");

	ret = gpo_user_chain(mem, "CN=Smith\\, Bob,OU=Sub,CN=Misc,OU=Roam,"
			     "DC=child,DC=roam,DC=test", &s, &n, &err);
	assert_int_equal(ret, 0);
	assert_int_equal(n, 3);
	assert_string_equal(s[0].dn, "DC=child,DC=roam,DC=test");
	assert_string_equal(s[1].dn, "OU=Roam,DC=child,DC=roam,DC=test");
	assert_int_equal(s[1].kind, GPO_SOM_OU);
	assert_string_equal(s[2].dn,
			    "OU=Sub,CN=Misc,OU=Roam,DC=child,DC=roam,DC=test");

	/* an escaped comma is not a separator; an OU= inside a value is
	 * not an OU */
	ret = gpo_user_chain(mem, "CN=a\\,OU=fake,OU=Real,DC=x", &s, &n,
			     &err);
	assert_int_equal(ret, 0);
	assert_int_equal(n, 2);
	assert_string_equal(s[1].dn, "OU=Real,DC=x");

	ret = gpo_user_chain(mem, "DC=roam,DC=test", &s, &n, &err);
	assert_int_equal(ret, EINVAL);
	ret = gpo_user_chain(mem, "CN=alice,OU=x", &s, &n, &err);
	assert_int_equal(ret, EINVAL);
	cr_assert_contains(err, "no domain part");
	ret = gpo_user_chain(mem, "", &s, &n, &err);
	assert_int_equal(ret, EINVAL);
	ret = gpo_user_chain(mem, "CN=a,,DC=x", &s, &n, &err);
	assert_int_equal(ret, EINVAL);
	ret = gpo_user_chain(mem, "CN=a,DC=x\\", &s, &n, &err);
	assert_int_equal(ret, EINVAL);
	ret = gpo_user_chain(mem, "CN=a,DC=x,", &s, &n, &err);
	assert_int_equal(ret, EINVAL);
	talloc_free(mem);
}

/* --- order ----------------------------------------------------------- */

static void set_links(TALLOC_CTX *mem, struct gpo_som *som,
		      const char *gplink)
{
	char *err = NULL;
	int ret = gpo_parse_gplink(mem, gplink, som->dn, &som->links,
				   &som->num_links, &err);

	assert_int_equal(ret, 0);
}

/* "G1+,G2" style: applied GUIDs in order, '-' for not applied */
static char *summary(TALLOC_CTX *mem, const struct cr_gpo *g, size_t n)
{
	char *s = talloc_strdup(mem, "");
	size_t i;

	for (i = 0; i < n; i++) {
		const char *short_name =
			(strcmp(g[i].guid, G1) == 0) ? "G1" :
			(strcmp(g[i].guid, G2) == 0) ? "G2" :
			(strcmp(g[i].guid, G3) == 0) ? "G3" : "G4";

		s = talloc_asprintf_append(s, "%s%s%s", i ? "," : "",
					   short_name,
					   g[i].applied ? "" : "-");
	}
	return s;
}

static void test_gpo_order_lsdou(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct gpo_som s[4] = {
		{ .kind = GPO_SOM_SITE, .dn = "CN=Site" },
		{ .kind = GPO_SOM_DOMAIN, .dn = "DC=roam,DC=test" },
		{ .kind = GPO_SOM_OU, .dn = "OU=Top,DC=roam,DC=test" },
		{ .kind = GPO_SOM_OU, .dn = "OU=Low,OU=Top,DC=roam,DC=test" },
	};
	struct cr_gpo *g = NULL;
	char *err = NULL;
	size_t n = 0;
	int ret;

	set_links(mem, &s[0], LINK(G4, 0));
	/* within a container the link written last wins: applied last */
	set_links(mem, &s[1], LINK(G1, 0) LINK(G2, 0));
	set_links(mem, &s[3], LINK(G3, 0));
	ret = gpo_order(mem, s, 4, &g, &n, &err);
	assert_int_equal(ret, 0);
	assert_string_equal(summary(mem, g, n), "G4,G1,G2,G3");
	assert_string_equal(g[3].linked_at, "OU=Low,OU=Top,DC=roam,DC=test");
	assert_string_equal(g[1].dn, "cn=" G1 POLICIES);
	talloc_free(mem);
}

static void test_gpo_order_enforced(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct gpo_som s[3] = {
		{ .kind = GPO_SOM_DOMAIN, .dn = "DC=d" },
		{ .kind = GPO_SOM_OU, .dn = "OU=a,DC=d" },
		{ .kind = GPO_SOM_OU, .dn = "OU=b,OU=a,DC=d" },
	};
	struct cr_gpo *g = NULL;
	char *err = NULL;
	size_t n = 0;
	int ret;

	/* enforced links apply after all others, the highest last */
	set_links(mem, &s[0], LINK(G1, 2) LINK(G4, 0));
	set_links(mem, &s[1], LINK(G2, 2));
	set_links(mem, &s[2], LINK(G3, 0));
	ret = gpo_order(mem, s, 3, &g, &n, &err);
	assert_int_equal(ret, 0);
	assert_string_equal(summary(mem, g, n), "G4,G3,G2,G1");
	assert_true(g[3].enforced);
	assert_false(g[0].enforced);
	talloc_free(mem);
}

static void test_gpo_order_blocked(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct gpo_som s[4] = {
		{ .kind = GPO_SOM_SITE, .dn = "CN=Site" },
		{ .kind = GPO_SOM_DOMAIN, .dn = "DC=d" },
		{ .kind = GPO_SOM_OU, .dn = "OU=a,DC=d",
		  .gpoptions = GPO_OPTIONS_BLOCK_INHERITANCE },
		{ .kind = GPO_SOM_OU, .dn = "OU=b,OU=a,DC=d" },
	};
	struct cr_gpo *g = NULL;
	char *err = NULL;
	size_t n = 0;
	int ret;

	set_links(mem, &s[0], LINK(G4, 0));
	set_links(mem, &s[1], LINK(G1, 0) LINK(G2, 2));
	set_links(mem, &s[2], LINK(G3, 0));
	ret = gpo_order(mem, s, 4, &g, &n, &err);
	assert_int_equal(ret, 0);
	/* site and domain blocked, the blocking OU's own link applies, the
	 * enforced domain link gets through */
	assert_string_equal(summary(mem, g, n), "G4-,G1-,G3,G2");
	assert_string_equal(g[0].why, "inheritance blocked at 'OU=a,DC=d'");
	assert_string_equal(g[1].why, "inheritance blocked at 'OU=a,DC=d'");
	assert_null(g[2].why);

	/* the domain blocking cuts off the site only */
	s[2].gpoptions = 0;
	s[1].gpoptions = GPO_OPTIONS_BLOCK_INHERITANCE;
	ret = gpo_order(mem, s, 4, &g, &n, &err);
	assert_int_equal(ret, 0);
	assert_string_equal(summary(mem, g, n), "G4-,G1,G3,G2");
	/* other gPOptions bits do not block */
	s[1].gpoptions = 2;
	ret = gpo_order(mem, s, 4, &g, &n, &err);
	assert_int_equal(ret, 0);
	assert_string_equal(summary(mem, g, n), "G4,G1,G3,G2");
	talloc_free(mem);
}

static void test_gpo_order_disabled_and_twice(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct gpo_som s[2] = {
		{ .kind = GPO_SOM_DOMAIN, .dn = "DC=d" },
		{ .kind = GPO_SOM_OU, .dn = "OU=a,DC=d" },
	};
	struct cr_gpo *g = NULL;
	char *err = NULL;
	size_t n = 0;
	int ret;

	/* a disabled enforced link is still disabled */
	set_links(mem, &s[0], LINK(G1, 1) LINK(G2, 3) LINK(G3, 0));
	set_links(mem, &s[1], LINK(G3, 0));
	ret = gpo_order(mem, s, 2, &g, &n, &err);
	assert_int_equal(ret, 0);
	/* G3 linked twice applies once, at its last place */
	assert_string_equal(summary(mem, g, n), "G1-,G3-,G3,G2-");
	assert_string_equal(g[0].why, "link disabled");
	assert_string_equal(g[3].why, "link disabled");
	cr_assert_contains(g[1].why, "applied later through its link at "
			   "'OU=a,DC=d'");

	ret = gpo_order(mem, s, 0, &g, &n, &err);
	assert_int_equal(ret, 0);
	assert_int_equal(n, 0);
	talloc_free(mem);
}

/* --- security descriptors ------------------------------------------- */

struct t_ace {
	uint8_t type;
	uint8_t flags;
	uint32_t mask;
	const char *object_type;	/* GUID string or NULL */
	const char *sid;
};

static void put_sid(struct cr_buf *b, const char *s)
{
	uint32_t sub[15];
	unsigned long long auth;
	unsigned n = 0;
	char *end = NULL;
	unsigned i;

	assert_int_equal(strncmp(s, "S-1-", 4), 0);
	auth = strtoull(s + 4, &end, 10);
	while (*end == '-') {
		sub[n++] = (uint32_t)strtoul(end + 1, &end, 10);
	}
	cr_put_u8(b, 1);
	cr_put_u8(b, (uint8_t)n);
	for (i = 0; i < 6; i++) {
		cr_put_u8(b, (uint8_t)(auth >> (8 * (5 - i))));
	}
	for (i = 0; i < n; i++) {
		cr_put_le32(b, sub[i]);
	}
}

static uint8_t *build_sd(TALLOC_CTX *mem, const struct t_ace *aces,
			 size_t n, size_t *plen)
{
	struct cr_buf acl;
	struct cr_buf sd;
	size_t i;

	cr_buf_init(&acl, mem, false);
	for (i = 0; i < n; i++) {
		struct cr_buf a;
		bool obj = (aces[i].type == 5 || aces[i].type == 6);

		cr_buf_init(&a, mem, false);
		cr_put_u8(&a, aces[i].type);
		cr_put_u8(&a, aces[i].flags);
		cr_put_le16(&a, 0);	/* size, below */
		cr_put_le32(&a, aces[i].mask);
		if (obj) {
			struct cr_guid g;

			cr_put_le32(&a, aces[i].object_type ? 1 : 0);
			if (aces[i].object_type != NULL) {
				assert_true(cr_guid_parse(aces[i].object_type,
							  &g));
				cr_put_bytes(&a, g.b, 16);
			}
		}
		put_sid(&a, aces[i].sid);
		assert_false(a.oom);
		cr_store_le16(a.data + 2, (uint16_t)a.len);
		cr_put_bytes(&acl, a.data, a.len);
		talloc_free(a.data);
	}
	cr_buf_init(&sd, mem, false);
	cr_put_u8(&sd, 1);
	cr_put_u8(&sd, 0);
	cr_put_le16(&sd, 0x8004);	/* self-relative, DACL present */
	cr_put_le32(&sd, 0);
	cr_put_le32(&sd, 0);
	cr_put_le32(&sd, 0);
	cr_put_le32(&sd, 20);		/* DACL right after the header */
	cr_put_u8(&sd, 4);
	cr_put_u8(&sd, 0);
	cr_put_le16(&sd, (uint16_t)(8 + acl.len));
	cr_put_le16(&sd, (uint16_t)n);
	cr_put_le16(&sd, 0);
	cr_put_bytes(&sd, acl.data, acl.len);
	talloc_free(acl.data);
	assert_false(sd.oom);
	*plen = sd.len;
	return sd.data;
}

#define READ_ALL 0x00020094u	/* RC | LC | RP | LO, GPMC's "Read" */
#define CR 0x00000100u

/* The SD samba-tool gpo create gives, in ACE terms. */
static const struct t_ace default_aces[] = {
	{ 0, 0x02, 0x000f01ff, NULL, "S-1-5-21-1-2-3-512" },
	{ 0, 0x02, READ_ALL, NULL, SID_AU },
	{ 5, 0x02, CR, GPO_APPLY_RIGHT, SID_AU },
};

static int check(TALLOC_CTX *mem, const struct t_ace *aces, size_t n,
		 const char *user, bool *applies, char **why)
{
	const char *sids[] = { user, SID_GROUP, SID_EVERYONE, SID_AU };
	size_t len = 0;
	uint8_t *sd = build_sd(mem, aces, n, &len);
	char *err = NULL;

	return gpo_sd_check(mem, sd, len, sids, 4, applies, why, &err);
}

static void test_gpo_sd_default_applies(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	bool applies = false;
	char *why = NULL;
	int ret;

	ret = check(mem, default_aces, 3, SID_ALICE, &applies, &why);
	assert_int_equal(ret, 0);
	assert_true(applies);
	assert_null(why);
	talloc_free(mem);
}

static void test_gpo_sd_filtering(void **state)
{
	static const struct {
		struct t_ace aces[4];
		size_t n;
		bool alice;
		bool bob;
		const char *why;	/* alice's */
	} cases[] = {
		/* a deny for alice first: she is out, bob stays */
		{ { { 6, 0, CR, GPO_APPLY_RIGHT, SID_ALICE },
		    { 0, 0, READ_ALL, NULL, SID_AU },
		    { 5, 0, CR, GPO_APPLY_RIGHT, SID_AU } }, 3,
		  false, true, "Apply Group Policy is denied to "
		  SID_ALICE },
		/* a deny after the allows comes too late */
		{ { { 0, 0, READ_ALL, NULL, SID_AU },
		    { 5, 0, CR, GPO_APPLY_RIGHT, SID_AU },
		    { 6, 0, CR, GPO_APPLY_RIGHT, SID_ALICE } }, 3,
		  true, true, NULL },
		/* Read only: no apply right */
		{ { { 0, 0, READ_ALL, NULL, SID_AU } }, 1, false, false,
		  "no ACE grants Apply Group Policy" },
		/* apply right for a group alice is in, read for everyone */
		{ { { 0, 0, READ_ALL, NULL, SID_EVERYONE },
		    { 5, 0, CR, GPO_APPLY_RIGHT, SID_GROUP } }, 2,
		  true, true, NULL },
		/* apply for alice only, read for her too */
		{ { { 0, 0, READ_ALL | CR, NULL, SID_ALICE } }, 1,
		  true, false, NULL },
		/* an extended right that is not Apply Group Policy */
		{ { { 0, 0, READ_ALL, NULL, SID_AU },
		    { 5, 0, CR, "00299570-246d-11d0-a768-00aa006e0529",
		      SID_AU } }, 2,
		  false, false, "no ACE grants Apply Group Policy" },
		/* inherit-only ACEs do not count */
		{ { { 0, 0, READ_ALL, NULL, SID_AU },
		    { 5, 0x0a, CR, GPO_APPLY_RIGHT, SID_AU } }, 2,
		  false, false, "no ACE grants Apply Group Policy" },
		/* Read denied to alice */
		{ { { 1, 0, 0x10, NULL, SID_ALICE },
		    { 0, 0, READ_ALL, NULL, SID_AU },
		    { 5, 0, CR, GPO_APPLY_RIGHT, SID_AU } }, 3,
		  false, true, "Read is denied to " SID_ALICE },
		/* GENERIC_ALL grants both */
		{ { { 0, 0, 0x10000000, NULL, SID_AU } }, 1, true, true,
		  NULL },
		/* all extended rights (CR without an object type) */
		{ { { 0, 0, READ_ALL, NULL, SID_AU },
		    { 5, 0, CR, NULL, SID_AU } }, 2, true, true, NULL },
		/* a property read is not Read of the object */
		{ { { 5, 0, 0x10, "bf967950-0de6-11d0-a285-00aa003049e2",
		      SID_AU },
		    { 5, 0, CR, GPO_APPLY_RIGHT, SID_AU } }, 2,
		  false, false, "no ACE grants Read" },
		/* an ACE for someone else */
		{ { { 0, 0, READ_ALL | CR, NULL, "S-1-5-21-9-9-9-500" } }, 1,
		  false, false, "no ACE grants Apply Group Policy" },
		/* deny all extended rights to a group alice is in */
		{ { { 6, 0, CR, NULL, SID_GROUP },
		    { 0, 0, READ_ALL | CR, NULL, SID_AU } }, 2,
		  false, false, "denied to " SID_GROUP },
		/* an audit ACE is not an allow */
		{ { { 2, 0, READ_ALL | CR, NULL, SID_AU } }, 1, false, false,
		  "no ACE grants Apply Group Policy" },
	};
	struct cr_test_ctx *t = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TALLOC_CTX *mem = talloc_new(t->mem);
		bool applies = !cases[i].alice;
		char *why = NULL;
		int ret;

		printf("case %zu\n", i);
		ret = check(mem, cases[i].aces, cases[i].n, SID_ALICE,
			    &applies, &why);
		assert_int_equal(ret, 0);
		assert_int_equal(applies, cases[i].alice);
		if (cases[i].why != NULL) {
			cr_assert_contains(why, cases[i].why);
		}
		ret = check(mem, cases[i].aces, cases[i].n, SID_BOB, &applies,
			    &why);
		/* bob is in the group too; only SID_ALICE ACEs differ */
		assert_int_equal(ret, 0);
		assert_int_equal(applies, cases[i].bob);
		talloc_free(mem);
	}
}

static void test_gpo_sd_no_dacl(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	const char *sids[] = { SID_ALICE };
	uint8_t sd[20] = { 1, 0, 0x00, 0x80 };
	bool applies = false;
	char *why = NULL;
	char *err = NULL;
	size_t len = 0;
	uint8_t *empty = NULL;
	int ret;

	/* no DACL: everyone may */
	ret = gpo_sd_check(mem, sd, sizeof(sd), sids, 1, &applies, &why,
			   &err);
	assert_int_equal(ret, 0);
	assert_true(applies);
	/* DACL present but NULL (offset 0): everyone may */
	sd[2] = 0x04;
	ret = gpo_sd_check(mem, sd, sizeof(sd), sids, 1, &applies, &why,
			   &err);
	assert_int_equal(ret, 0);
	assert_true(applies);
	/* an empty DACL: nobody may */
	empty = build_sd(mem, NULL, 0, &len);
	ret = gpo_sd_check(mem, empty, len, sids, 1, &applies, &why, &err);
	assert_int_equal(ret, 0);
	assert_false(applies);
	assert_non_null(why);
	talloc_free(mem);
}

static void test_gpo_sd_hostile(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	const char *sids[] = { SID_ALICE, SID_AU };
	size_t len = 0;
	uint8_t *good = build_sd(mem, default_aces, 3, &len);
	uint8_t *bad = NULL;
	bool applies = true;
	char *why = NULL;
	char *err = NULL;
	size_t cut;
	int ret;

	/* every truncation is refused, never read past */
	for (cut = 0; cut < len; cut++) {
		bad = talloc_memdup(mem, good, cut ? cut : 1);
		ret = gpo_sd_check(mem, bad, cut, sids, 2, &applies, &why,
				   &err);
		printf("cut %zu: %d %s\n", cut, ret, err ? err : "");
		assert_int_equal(ret, EBADMSG);
		assert_false(applies);
		talloc_free(bad);
	}
	/* revision 2 */
	bad = talloc_memdup(mem, good, len);
	bad[0] = 2;
	ret = gpo_sd_check(mem, bad, len, sids, 2, &applies, &why, &err);
	assert_int_equal(ret, EBADMSG);
	cr_assert_contains(err, "revision");
	/* DACL offset past the end, or inside the header */
	memcpy(bad, good, len);
	cr_store_le32(bad + 16, (uint32_t)len);
	ret = gpo_sd_check(mem, bad, len, sids, 2, &applies, &why, &err);
	assert_int_equal(ret, EBADMSG);
	cr_store_le32(bad + 16, 4);
	ret = gpo_sd_check(mem, bad, len, sids, 2, &applies, &why, &err);
	assert_int_equal(ret, EBADMSG);
	cr_store_le32(bad + 16, 0xffffffffu);
	ret = gpo_sd_check(mem, bad, len, sids, 2, &applies, &why, &err);
	assert_int_equal(ret, EBADMSG);
	/* ACL size lying (larger than the buffer) */
	memcpy(bad, good, len);
	cr_store_le16(bad + 22, (uint16_t)(len + 1));
	ret = gpo_sd_check(mem, bad, len, sids, 2, &applies, &why, &err);
	assert_int_equal(ret, EBADMSG);
	cr_assert_contains(err, "DACL size");
	/* ACE count larger than what is there */
	memcpy(bad, good, len);
	cr_store_le16(bad + 24, 65535);
	ret = gpo_sd_check(mem, bad, len, sids, 2, &applies, &why, &err);
	assert_int_equal(ret, EBADMSG);
	/* ACE size 0 (would loop) and ACE size past the ACL */
	memcpy(bad, good, len);
	cr_store_le16(bad + 28 + 2, 0);
	ret = gpo_sd_check(mem, bad, len, sids, 2, &applies, &why, &err);
	assert_int_equal(ret, EBADMSG);
	cr_store_le16(bad + 28 + 2, 0xfff0);
	ret = gpo_sd_check(mem, bad, len, sids, 2, &applies, &why, &err);
	assert_int_equal(ret, EBADMSG);
	/* a SID claiming 15 sub-authorities in a short ACE */
	memcpy(bad, good, len);
	bad[28 + 8 + 1] = 15;
	ret = gpo_sd_check(mem, bad, len, sids, 2, &applies, &why, &err);
	assert_int_equal(ret, EBADMSG);
	cr_assert_contains(err, "SID");
	/* a SID claiming 16 */
	bad[28 + 8 + 1] = 16;
	ret = gpo_sd_check(mem, bad, len, sids, 2, &applies, &why, &err);
	assert_int_equal(ret, EBADMSG);
	/* an object ACE whose flags promise a GUID that is not there */
	memcpy(bad, good, len);
	{
		size_t third = 20 + 8 + cr_le16(good + 28 + 2) +
			       cr_le16(good + 28 + cr_le16(good + 30) + 2);

		cr_store_le32(bad + third + 8, 3);
		ret = gpo_sd_check(mem, bad, len, sids, 2, &applies, &why,
				   &err);
		assert_int_equal(ret, EBADMSG);
	}
	/* oversized descriptor */
	ret = gpo_sd_check(mem, good, GPO_MAX_SD_LEN + 1, sids, 2, &applies,
			   &why, &err);
	assert_int_equal(ret, EBADMSG);
	talloc_free(mem);
}

static void test_gpo_sid_string(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	const uint8_t au[] = { 1, 1, 0, 0, 0, 0, 0, 5, 11, 0, 0, 0 };
	const uint8_t big[] = { 1, 0, 1, 0, 0, 0, 0, 0 };
	size_t used = 0;
	char *s = NULL;

	s = gpo_sid_string(mem, au, sizeof(au), &used);
	assert_string_equal(s, "S-1-5-11");
	assert_int_equal(used, 12);
	s = gpo_sid_string(mem, big, sizeof(big), &used);
	assert_string_equal(s, "S-1-0x010000000000");
	s = gpo_sid_string(mem, au, 11, &used);
	assert_null(s);
	assert_int_equal(used, 0);
	talloc_free(mem);
}

/* --- cache ------------------------------------------------------------ */

static uint8_t *dims_pol(TALLOC_CTX *mem, size_t *plen, bool with_other)
{
	struct preg_file *f = preg_new(mem);
	uint8_t *out = NULL;
	int ret;

	assert_non_null(f);
	if (with_other) {
		ret = preg_add_dword(f, "Software\\Policies\\Other", "X", 7,
				     NULL);
		assert_int_equal(ret, 0);
	}
	ret = preg_add_dword(f, POLICY_KEY, "DIMSRoaming", 1, NULL);
	assert_int_equal(ret, 0);
	if (with_other) {
		ret = preg_add_sz(f, "Software\\Other", "Y", "text", NULL);
		assert_int_equal(ret, 0);
	}
	ret = preg_add_sz(f, POLICY_KEY, "**del.DIMSRoamingTombstoneDays", " ",
			  NULL);
	assert_int_equal(ret, 0);
	ret = preg_add_sz(f, "Software\\Anything", "**DeleteKeys",
			  "Software\\Policies\\Microsoft\\Cryptography", NULL);
	assert_int_equal(ret, 0);
	ret = preg_write(mem, f, &out, plen, NULL);
	assert_int_equal(ret, 0);
	return out;
}

static struct gpo_cache *sample_cache(TALLOC_CTX *mem)
{
	struct gpo_cache *c = talloc_zero(mem, struct gpo_cache);

	c->user_dn = talloc_strdup(c, "CN=alice,CN=Users,DC=roam,DC=test");
	c->logon = talloc_strdup(c, "alice@ROAM.TEST@1700000000");
	c->sids = talloc_zero_array(c, char *, 2);
	c->sids[0] = talloc_strdup(c->sids, SID_ALICE);
	c->sids[1] = talloc_strdup(c->sids, SID_GROUP);
	c->num_sids = 2;
	c->gpo_dns = talloc_zero_array(c, char *, 1);
	c->gpo_dns[0] = talloc_strdup(c->gpo_dns, "CN=" G1 POLICIES);
	c->num_gpo_dns = 1;
	c->pols = talloc_zero_array(c, struct gpo_cache_pol, 2);
	c->pols[0].guid = talloc_strdup(c->pols, G1);
	c->pols[0].version = 0x00020000;
	c->pols[0].path = talloc_strdup(c->pols, "\\\\roam.test\\sysvol\\x");
	c->pols[0].has_pol = true;
	c->pols[0].pol = dims_pol(c->pols, &c->pols[0].pol_len, false);
	c->pols[1].guid = talloc_strdup(c->pols, G2);
	c->pols[1].version = 0x00010000;
	c->pols[1].path = talloc_strdup(c->pols, "\\\\roam.test\\sysvol\\y");
	c->num_pols = 2;
	return c;
}

static void test_gpo_cache_roundtrip(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct gpo_cache *c = sample_cache(mem);
	struct gpo_cache *back = NULL;
	uint8_t *data = NULL;
	uint8_t *again = NULL;
	size_t len = 0;
	size_t len2 = 0;
	char *err = NULL;
	int ret;

	ret = gpo_cache_encode(mem, c, &data, &len, &err);
	assert_int_equal(ret, 0);
	ret = gpo_cache_parse(mem, data, len, "test", &back, &err);
	assert_int_equal(ret, 0);
	assert_string_equal(back->user_dn, c->user_dn);
	assert_string_equal(back->logon, c->logon);
	assert_int_equal(back->num_sids, 2);
	assert_string_equal(back->sids[1], SID_GROUP);
	assert_int_equal(back->num_gpo_dns, 1);
	assert_int_equal(back->num_pols, 2);
	assert_true(back->pols[0].has_pol);
	assert_int_equal(back->pols[0].pol_len, c->pols[0].pol_len);
	assert_memory_equal(back->pols[0].pol, c->pols[0].pol,
			    c->pols[0].pol_len);
	assert_false(back->pols[1].has_pol);
	assert_int_equal(back->pols[1].version, 0x00010000);
	ret = gpo_cache_encode(mem, back, &again, &len2, &err);
	assert_int_equal(ret, 0);
	assert_int_equal(len2, len);
	assert_memory_equal(again, data, len);
	talloc_free(mem);
}

static void test_gpo_cache_hostile(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct gpo_cache *c = sample_cache(mem);
	struct gpo_cache *back = NULL;
	uint8_t *data = NULL;
	uint8_t *bad = NULL;
	size_t len = 0;
	size_t cut;
	char *err = NULL;
	size_t off;
	int ret;

	ret = gpo_cache_encode(mem, c, &data, &len, &err);
	assert_int_equal(ret, 0);
	for (cut = 0; cut < len; cut++) {
		ret = gpo_cache_parse(mem, data, cut, "t", &back, &err);
		assert_int_equal(ret, EBADMSG);
		assert_null(back);
	}
	/* trailing byte */
	bad = talloc_size(mem, len + 1);
	memcpy(bad, data, len);
	bad[len] = 0;
	ret = gpo_cache_parse(mem, bad, len + 1, "t", &back, &err);
	assert_int_equal(ret, EBADMSG);
	cr_assert_contains(err, "end of file");
	/* wrong magic */
	memcpy(bad, data, len);
	bad[7] = 2;
	ret = gpo_cache_parse(mem, bad, len, "t", &back, &err);
	assert_int_equal(ret, EBADMSG);
	cr_assert_contains(err, "signature");
	/* a string length that lies */
	memcpy(bad, data, len);
	cr_store_le32(bad + 8, 0xfffffff0u);
	ret = gpo_cache_parse(mem, bad, len, "t", &back, &err);
	assert_int_equal(ret, EBADMSG);
	/* a NUL inside a string */
	memcpy(bad, data, len);
	bad[12] = 0;
	ret = gpo_cache_parse(mem, bad, len, "t", &back, &err);
	assert_int_equal(ret, EBADMSG);
	/* a SID count far beyond the bytes left, before any allocation */
	off = 8 + 4 + strlen(c->user_dn) + 4 + strlen(c->logon);
	memcpy(bad, data, len);
	cr_store_le32(bad + off, 0x40000000u);
	ret = gpo_cache_parse(mem, bad, len, "t", &back, &err);
	assert_int_equal(ret, EBADMSG);
	/* a broken cached Registry.pol (its signature) */
	memcpy(bad, data, len);
	{
		uint8_t *p = memmem(bad, len, "PReg", 4);

		assert_non_null(p);
		p[0] = 'X';
	}
	ret = gpo_cache_parse(mem, bad, len, "t", &back, &err);
	assert_int_equal(ret, EBADMSG);
	cr_assert_contains(err, "Registry.pol");
	talloc_free(mem);
}

static void test_gpo_cache_file(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	char dir[] = "/tmp/test_gpo.XXXXXX";
	char *path = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char *err = NULL;
	struct stat st;
	int ret;

	assert_non_null(mkdtemp(dir));
	path = talloc_asprintf(mem, "%s/gpo.cache", dir);
	ret = gpo_cache_read(mem, path, &data, &len, &err);
	assert_int_equal(ret, ENOENT);
	ret = gpo_cache_write(mem, path, (const uint8_t *)"abc", 3, &err);
	assert_int_equal(ret, 0);
	ret = gpo_cache_write(mem, path, (const uint8_t *)"hello", 5, &err);
	assert_int_equal(ret, 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	ret = gpo_cache_read(mem, path, &data, &len, &err);
	assert_int_equal(ret, 0);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "hello", 5);
	/* nothing left behind */
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
	/* a directory that does not exist */
	ret = gpo_cache_write(mem, path, (const uint8_t *)"x", 1, &err);
	assert_int_equal(ret, ENOENT);
	cr_assert_contains(err, path);
	talloc_free(mem);
}

static void test_gpo_pol_reduce(void **state)
{
	struct cr_test_ctx *t = *state;
	TALLOC_CTX *mem = talloc_new(t->mem);
	struct policy *full = policy_new(mem);
	struct policy *reduced = policy_new(mem);
	struct preg_file *f = NULL;
	struct preg_file *r = NULL;
	uint8_t *raw = NULL;
	uint8_t *small = NULL;
	size_t raw_len = 0;
	size_t small_len = 0;
	char *err = NULL;
	unsigned i;
	int ret;

	raw = dims_pol(mem, &raw_len, true);
	ret = gpo_pol_reduce(mem, raw, raw_len, "G", &small, &small_len,
			     &err);
	assert_int_equal(ret, 0);
	assert_true(small_len < raw_len);
	ret = preg_parse(mem, raw, raw_len, "full", &f, &err);
	assert_int_equal(ret, 0);
	ret = preg_parse(mem, small, small_len, "small", &r, &err);
	assert_int_equal(ret, 0);
	/* DIMSRoaming, **del., **DeleteKeys: the other keys are gone */
	assert_int_equal(r->num_entries, 3);
	ret = policy_apply_preg(full, f, "G", &err);
	assert_int_equal(ret, 0);
	ret = policy_apply_preg(reduced, r, "G", &err);
	assert_int_equal(ret, 0);
	for (i = 0; i < POLICY_NUM; i++) {
		assert_int_equal(full->v[i].set, reduced->v[i].set);
		assert_int_equal(full->v[i].configured,
				 reduced->v[i].configured);
	}
	ret = gpo_pol_reduce(mem, raw, 10, "G", &small, &small_len, &err);
	assert_int_equal(ret, EBADMSG);
	talloc_free(mem);
}

/* --- SYSVOL URL ------------------------------------------------------- */

static void test_gpo_smb_url(void **state)
{
	static const struct {
		const char *path;
		const char *rel;
		const char *url;
	} cases[] = {
		{ "\\\\roam.test\\SysVol\\roam.test\\Policies\\" G1,
		  "User/Registry.pol",
		  "smb://dc1.roam.test/SysVol/roam.test/Policies/" G1
		  "/User/Registry.pol" },
		{ "\\\\ROAM.TEST\\sysvol\\x", NULL,
		  "smb://dc1.roam.test/sysvol/x" },
		{ "\\\\dc1.roam.test\\sysvol\\x", NULL,
		  "smb://dc1.roam.test/sysvol/x" },
		{ "\\\\other.host\\share\\a b%", "c",
		  "smb://other.host/share/a%20b%25/c" },
		{ "\\\\roam.test\\sysvol", NULL,
		  "smb://dc1.roam.test/sysvol" },
		{ "\\\\roam.test\\sysvol\\..\\x", NULL, NULL },
		{ "\\\\roam.test\\sysvol\\.\\x", NULL, NULL },
		{ "\\\\roam.test\\sysvol\\\\x", NULL, NULL },
		{ "\\\\roam.test\\sysvol\\x\\", NULL, NULL },
		{ "\\\\roam.test\\sysvol\\x", "../y", NULL },
		{ "\\\\roam.test\\sysvol\\x:y", NULL, NULL },
		{ "\\\\\\sysvol\\x", NULL, NULL },
		{ "//roam.test/sysvol/x", NULL, NULL },
		{ "", NULL, NULL },
	};
	struct cr_test_ctx *t = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *url = gpo_smb_url(t->mem, "dc1.roam.test", "ROAM.TEST",
					cases[i].path, cases[i].rel);

		printf("case %zu: %s\n", i, cases[i].path);
		if (cases[i].url == NULL) {
			assert_null(url);
		} else {
			assert_string_equal(url, cases[i].url);
		}
		talloc_free(url);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_gpo_gplink_valid),
		cr_unit_test(test_gpo_gplink_hostile),
		cr_unit_test(test_gpo_gplink_limits),
		cr_unit_test(test_gpo_extension_names),
		cr_unit_test(test_gpo_chain),
		cr_unit_test(test_gpo_order_lsdou),
		cr_unit_test(test_gpo_order_enforced),
		cr_unit_test(test_gpo_order_blocked),
		cr_unit_test(test_gpo_order_disabled_and_twice),
		cr_unit_test(test_gpo_sd_default_applies),
		cr_unit_test(test_gpo_sd_filtering),
		cr_unit_test(test_gpo_sd_no_dacl),
		cr_unit_test(test_gpo_sd_hostile),
		cr_unit_test(test_gpo_sid_string),
		cr_unit_test(test_gpo_cache_roundtrip),
		cr_unit_test(test_gpo_cache_hostile),
		cr_unit_test(test_gpo_cache_file),
		cr_unit_test(test_gpo_pol_reduce),
		cr_unit_test(test_gpo_smb_url),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.gpo", tests,
					   NULL, NULL);
}
