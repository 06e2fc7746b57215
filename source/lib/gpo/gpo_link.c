/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Where GPOs are linked: gPLink values, gPCUserExtensionNames and the
 * user's chain of containers; see gpo_internal.h.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/encoding.h"
#include "util/error.h"
#include "gpo/gpo_link.h"
#include "util/stackframe.h"

#define GPO_LINK_PREFIX "LDAP://"
#define GPO_GUID_BRACED_LEN 38	/* "{" 36 "}" */
#define GPO_MAX_DN_LEN 4096u

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char ascii_upper(char c)
{
	if (c >= 'a' && c <= 'z') {
		return (char)(c - 'a' + 'A');
	}
	return c;
}

/* "{xxxxxxxx-...}" at s (len bytes available): the GUID, upper case. */
static char *braced_guid(TALLOC_CTX *mem_ctx, const char *s, size_t len)
{
	char inner[GPO_GUID_BRACED_LEN - 1];
	struct cr_guid g;
	char *out = NULL;
	size_t i;
	bool ok;

	if (len < GPO_GUID_BRACED_LEN || s[0] != '{' ||
	    s[GPO_GUID_BRACED_LEN - 1] != '}') {
		return NULL;
	}
	memcpy(inner, s + 1, GPO_GUID_BRACED_LEN - 2);
	inner[GPO_GUID_BRACED_LEN - 2] = '\0';
	ok = cr_guid_parse(inner, &g);
	if (!ok) {
		return NULL;
	}
	out = talloc_strndup(mem_ctx, s, GPO_GUID_BRACED_LEN);
	if (out == NULL) {
		return NULL;
	}
	for (i = 0; out[i] != '\0'; i++) {
		out[i] = ascii_upper(out[i]);
	}
	return out;
}

/* Options: 1 to 10 decimal digits, at most UINT32_MAX. */
static bool parse_options(const char *s, size_t len, uint32_t *popts)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10) {
		return false;
	}
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX) {
		return false;
	}
	*popts = (uint32_t)v;
	return true;
}

/*
 * One link between '[' and ']' (exclusive): "LDAP://<dn>;<options>".
 * Returns 0, ENOMEM, or EBADMSG with *pwhy saying what is wrong.
 */
static int parse_one(TALLOC_CTX *mem_ctx, const char *s, size_t len,
		     struct gpo_link *link, const char **pwhy)
{
	const size_t plen = strlen(GPO_LINK_PREFIX);
	const char *dn = NULL;
	const char *semi = NULL;
	size_t dn_len;
	size_t i;
	bool ok;

	if (len < plen || strncasecmp(s, GPO_LINK_PREFIX, plen) != 0) {
		*pwhy = "does not start with LDAP://";
		return EBADMSG;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == ';') {
			semi = s + i;
		}
	}
	if (semi == NULL) {
		*pwhy = "has no ';' before the options";
		return EBADMSG;
	}
	dn = s + plen;
	if (semi < dn) {
		*pwhy = "has no DN";
		return EBADMSG;
	}
	dn_len = (size_t)(semi - dn);
	if (dn_len == 0) {
		*pwhy = "has an empty DN";
		return EBADMSG;
	}
	if (dn_len > GPO_MAX_DN_LEN) {
		*pwhy = "has a DN that is too long";
		return EBADMSG;
	}
	ok = parse_options(semi + 1, len - (size_t)(semi + 1 - s),
			   &link->options);
	if (!ok) {
		*pwhy = "has options that are not a decimal number";
		return EBADMSG;
	}
	if (dn_len < 3 || strncasecmp(dn, "cn=", 3) != 0) {
		*pwhy = "names no cn={GUID}";
		return EBADMSG;
	}
	link->guid = braced_guid(mem_ctx, dn + 3, dn_len - 3);
	if (link->guid == NULL) {
		*pwhy = "names no cn={GUID}";
		return EBADMSG;
	}
	if (dn_len < 3 + GPO_GUID_BRACED_LEN + 2 ||
	    dn[3 + GPO_GUID_BRACED_LEN] != ',') {
		*pwhy = "has a GPO DN without a parent";
		return EBADMSG;
	}
	link->dn = talloc_strndup(mem_ctx, dn, dn_len);
	if (link->dn == NULL) {
		return ENOMEM;
	}
	return 0;
}

int gpo_parse_gplink(TALLOC_CTX *mem_ctx, const char *gplink,
		     const char *where, struct gpo_link **plinks,
		     size_t *pnum, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct gpo_link *links = NULL;
	size_t num = 0;
	size_t len;
	size_t pos = 0;
	int ret;

	*plinks = NULL;
	*pnum = 0;
	len = strnlen(gplink, GPO_MAX_GPLINK_LEN + 1);
	if (len > GPO_MAX_GPLINK_LEN) {
		cr_seterr(errmsg, "gPLink of '%s' is longer than %u "
			  "bytes", where, GPO_MAX_GPLINK_LEN);
		ret = EBADMSG;
		goto done;
	}
	links = talloc_zero_array(frame, struct gpo_link, 1);
	if (links == NULL) {
		ret = ENOMEM;
		goto done;
	}
	while (true) {
		const char *close = NULL;
		const char *open2 = NULL;
		const char *why = NULL;
		size_t inner;

		while (pos < len && is_blank(gplink[pos])) {
			pos++;
		}
		if (pos == len) {
			break;
		}
		if (gplink[pos] != '[') {
			cr_seterr(errmsg, "gPLink of '%s': expected "
				  "'[' at offset %zu", where, pos);
			ret = EBADMSG;
			goto done;
		}
		close = memchr(gplink + pos + 1, ']', len - pos - 1);
		if (close == NULL) {
			cr_seterr(errmsg, "gPLink of '%s': the link "
				  "at offset %zu has no ']'", where, pos);
			ret = EBADMSG;
			goto done;
		}
		inner = (size_t)(close - (gplink + pos + 1));
		open2 = memchr(gplink + pos + 1, '[', inner);
		if (open2 != NULL) {
			cr_seterr(errmsg, "gPLink of '%s': '[' inside "
				  "the link at offset %zu", where, pos);
			ret = EBADMSG;
			goto done;
		}
		if (num >= GPO_MAX_LINKS) {
			cr_seterr(errmsg, "gPLink of '%s' has more "
				  "than %u links", where, GPO_MAX_LINKS);
			ret = EBADMSG;
			goto done;
		}
		links = talloc_realloc(frame, links, struct gpo_link, num + 1);
		if (links == NULL) {
			ret = ENOMEM;
			goto done;
		}
		links[num] = (struct gpo_link) { .dn = NULL };
		ret = parse_one(links, gplink + pos + 1, inner, &links[num],
				&why);
		if (ret == EBADMSG) {
			cr_seterr(errmsg, "gPLink of '%s': the link "
				  "at offset %zu %s", where, pos, why);
			goto done;
		}
		if (ret != 0) {
			goto done;
		}
		num++;
		pos = (size_t)(close - gplink) + 1;
	}
	*plinks = talloc_move(mem_ctx, &links);
	*pnum = num;
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

bool gpo_lists_registry_cse(const char *names)
{
	const size_t glen = GPO_GUID_BRACED_LEN;
	size_t len;
	size_t i;

	if (names == NULL) {
		return false;
	}
	len = strnlen(names, GPO_MAX_GPLINK_LEN);
	/* the first GUID of each [...] group is the extension */
	for (i = 0; i + 1 + glen <= len; i++) {
		if (names[i] != '[') {
			continue;
		}
		if (strncasecmp(names + i + 1, GPO_REGISTRY_CSE, glen) == 0) {
			return true;
		}
	}
	return false;
}

uint32_t gpo_user_version(uint32_t version_number)
{
	return version_number >> 16;
}

/*
 * Offsets where the RDNs of a DN start (after unescaped commas).
 * Returns the count, or 0 on a bad DN.
 */
static size_t rdn_starts(const char *dn, size_t *starts, size_t max)
{
	size_t n = 0;
	size_t i;

	if (dn[0] == '\0' || max == 0) {
		return 0;
	}
	starts[n++] = 0;
	for (i = 0; dn[i] != '\0'; i++) {
		if (dn[i] == '\\') {
			if (dn[i + 1] == '\0') {
				return 0;
			}
			i++;
			continue;
		}
		if (dn[i] == ',') {
			if (n >= max || dn[i + 1] == '\0') {
				return 0;
			}
			starts[n++] = i + 1;
		}
	}
	/* each RDN is type=value with a non-empty type */
	for (i = 0; i < n; i++) {
		size_t t = strcspn(dn + starts[i], "=,");

		if (t == 0 || dn[starts[i] + t] != '=') {
			return 0;
		}
	}
	return n;
}

static bool rdn_is(const char *rdn, const char *type)
{
	size_t tl = strlen(type);

	while (*rdn == ' ') {
		rdn++;
	}
	return strncasecmp(rdn, type, tl) == 0 && rdn[tl] == '=';
}

int gpo_user_chain(TALLOC_CTX *mem_ctx, const char *user_dn,
		   struct gpo_som **psoms, size_t *pnum, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	size_t starts[GPO_MAX_CHAIN + 1];
	struct gpo_som *soms = NULL;
	size_t n;
	size_t dom;
	size_t num = 0;
	size_t i;
	int ret;

	*psoms = NULL;
	*pnum = 0;
	n = rdn_starts(user_dn, starts, GPO_MAX_CHAIN + 1);
	if (n == 0 || n > GPO_MAX_CHAIN) {
		cr_seterr(errmsg, "'%s' is not a DN credroam can "
			  "walk (empty, malformed or deeper than %u)",
			  user_dn, GPO_MAX_CHAIN);
		ret = EINVAL;
		goto done;
	}
	/* the domain: the trailing run of DC= components */
	dom = n;
	while (dom > 0 && rdn_is(user_dn + starts[dom - 1], "DC")) {
		dom--;
	}
	if (dom == n || dom == 0) {
		cr_seterr(errmsg, "'%s' has no domain part (DC=...) "
			  "below its own name", user_dn);
		ret = EINVAL;
		goto done;
	}
	soms = talloc_zero_array(frame, struct gpo_som, n);
	if (soms == NULL) {
		ret = ENOMEM;
		goto done;
	}
	soms[num].kind = GPO_SOM_DOMAIN;
	soms[num].dn = talloc_strdup(soms, user_dn + starts[dom]);
	if (soms[num].dn == NULL) {
		ret = ENOMEM;
		goto done;
	}
	num++;
	/* OUs from the top down; starts[0] is the user itself */
	for (i = dom - 1; i >= 1; i--) {
		if (!rdn_is(user_dn + starts[i], "OU")) {
			continue;
		}
		soms[num].kind = GPO_SOM_OU;
		soms[num].dn = talloc_strdup(soms, user_dn + starts[i]);
		if (soms[num].dn == NULL) {
			ret = ENOMEM;
			goto done;
		}
		num++;
	}
	*psoms = talloc_move(mem_ctx, &soms);
	*pnum = num;
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}
