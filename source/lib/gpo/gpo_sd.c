/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Security filtering of GPOs: a bounded reader for self-relative security
 * descriptors ([MS-DTYP] 2.4.6) and the access check the Group Policy
 * client makes ([MS-GPOL] 3.2.5.1.6): the user needs Read and the
 * Apply-Group-Policy extended right on the GPO object.
 *
 * Samba's NDR for security descriptors is in a private library
 * (spec/samba-integration.md 1.6), so this parses the format itself.
 *
 * The check follows Windows' access check for two wanted rights: ACEs are
 * read in order, inherit-only ACEs skipped; the first ACE for one of the
 * token's SIDs that covers a right still undecided decides it (an allow
 * grants, a deny denies).  Both rights granted: the GPO applies.
 *
 *   Read                READ_PROPERTY (0x10), GENERIC_READ or GENERIC_ALL
 *                       in an ACE without an object type.  An object ACE
 *                       naming a property (set) covers only that property,
 *                       not the object.
 *   Apply Group Policy  CONTROL_ACCESS (0x100) or GENERIC_ALL in an ACE
 *                       without an object type, or an object ACE whose
 *                       object type is edacfd8f-ffb3-11d1-b41d-00a0c968f939.
 *
 * Conditional (callback) ACEs cannot be evaluated here and are ignored, as
 * are audit and label ACEs.  No DACL, or a NULL DACL, grants everything.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/cursor.h"
#include "util/encoding.h"
#include "util/error.h"
#include "gpo/gpo_sd.h"
#include "util/stackframe.h"

#define SD_HEADER_LEN 20
#define SD_DACL_PRESENT 0x0004u
#define ACL_HEADER_LEN 8
#define ACE_HEADER_LEN 4
#define SID_MAX_SUBAUTH 15

#define ACE_ALLOWED 0x00
#define ACE_DENIED 0x01
#define ACE_ALLOWED_OBJECT 0x05
#define ACE_DENIED_OBJECT 0x06
#define ACE_FLAG_INHERIT_ONLY 0x08
#define ACE_OBJECT_TYPE_PRESENT 0x1u
#define ACE_INHERITED_OBJECT_TYPE_PRESENT 0x2u

#define RIGHT_READ_PROPERTY 0x00000010u
#define RIGHT_CONTROL_ACCESS 0x00000100u
#define RIGHT_GENERIC_ALL 0x10000000u
#define RIGHT_GENERIC_READ 0x80000000u

enum decision {
	UNDECIDED = 0,
	GRANTED,
	DENIED,
};

char *gpo_sid_string(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
		     size_t *pconsumed)
{
	struct cr_cursor c;
	uint8_t rev;
	uint8_t count;
	uint64_t auth = 0;
	char *s = NULL;
	size_t i;

	*pconsumed = 0;
	cr_cursor_init(&c, p, len);
	rev = cr_get_u8(&c, "SID revision");
	count = cr_get_u8(&c, "SID sub-authority count");
	for (i = 0; i < 6; i++) {
		auth = (auth << 8) | cr_get_u8(&c, "SID authority");
	}
	if (!cr_cursor_ok(&c) || rev != 1 || count > SID_MAX_SUBAUTH ||
	    cr_cursor_left(&c) < (size_t)count * 4) {
		return NULL;
	}
	if (auth >= ((uint64_t)1 << 32)) {
		s = talloc_asprintf(mem_ctx, "S-1-0x%012" PRIx64, auth);
	} else {
		s = talloc_asprintf(mem_ctx, "S-1-%" PRIu64, auth);
	}
	for (i = 0; i < count && s != NULL; i++) {
		uint32_t sub = cr_get_le32(&c, "SID sub-authority");

		s = talloc_asprintf_append(s, "-%" PRIu32, sub);
	}
	if (s == NULL) {
		return NULL;
	}
	*pconsumed = 8 + (size_t)count * 4;
	return s;
}

static bool token_has(const char * const *sids, size_t num, const char *sid)
{
	size_t i;

	for (i = 0; i < num; i++) {
		if (sids[i] != NULL && strcmp(sids[i], sid) == 0) {
			return true;
		}
	}
	return false;
}

struct ace {
	uint8_t type;
	uint8_t flags;
	uint32_t mask;
	bool has_object_type;
	struct cr_guid object_type;
	char *sid;
};

/*
 * Decode the ACE at body (size bytes including the header).  Returns 0,
 * ENOMEM, EBADMSG (*pwhat names the field) or ENOTSUP for an ACE type
 * the check ignores.
 */
static int decode_ace(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t size,
		      struct ace *a, const char **pwhat)
{
	struct cr_cursor c;
	uint32_t oflags = 0;
	size_t used = 0;

	cr_cursor_init(&c, p, size);
	a->type = cr_get_u8(&c, "ACE type");
	a->flags = cr_get_u8(&c, "ACE flags");
	cr_skip(&c, 2, "ACE size");
	if (a->type != ACE_ALLOWED && a->type != ACE_DENIED &&
	    a->type != ACE_ALLOWED_OBJECT && a->type != ACE_DENIED_OBJECT) {
		return ENOTSUP;
	}
	a->mask = cr_get_le32(&c, "ACE access mask");
	if (a->type == ACE_ALLOWED_OBJECT || a->type == ACE_DENIED_OBJECT) {
		oflags = cr_get_le32(&c, "object ACE flags");
		if ((oflags & ACE_OBJECT_TYPE_PRESENT) != 0) {
			a->has_object_type = true;
			cr_get_copy(&c, a->object_type.b, 16,
				    "ACE object type");
		}
		if ((oflags & ACE_INHERITED_OBJECT_TYPE_PRESENT) != 0) {
			cr_skip(&c, 16, "ACE inherited object type");
		}
	}
	if (!cr_cursor_ok(&c)) {
		*pwhat = c.fail_what;
		return EBADMSG;
	}
	a->sid = gpo_sid_string(mem_ctx, p + c.off, cr_cursor_left(&c),
				&used);
	if (a->sid == NULL) {
		*pwhat = "ACE SID";
		return EBADMSG;
	}
	return 0;
}

static void decide(enum decision *d, bool covers, bool allow)
{
	if (covers && *d == UNDECIDED) {
		*d = allow ? GRANTED : DENIED;
	}
}

int gpo_sd_check(TALLOC_CTX *mem_ctx, const uint8_t *sd, size_t len,
		 const char * const *sids, size_t num_sids, bool *papplies,
		 char **pwhy, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_guid apply_right;
	struct cr_cursor c;
	enum decision read = UNDECIDED;
	enum decision apply = UNDECIDED;
	const char *read_sid = NULL;
	const char *apply_sid = NULL;
	const char *what = NULL;
	uint8_t revision;
	uint16_t control;
	uint32_t dacl_off;
	uint16_t acl_size;
	uint16_t count;
	size_t off;
	size_t end;
	uint16_t i;
	bool ok;
	int ret;

	*papplies = false;
	*pwhy = NULL;
	ok = cr_guid_parse(GPO_APPLY_RIGHT, &apply_right);
	if (!ok) {
		ret = EINVAL;
		goto done;
	}
	if (len > GPO_MAX_SD_LEN) {
		cr_seterr(errmsg, "security descriptor of %zu bytes "
			  "is larger than %u", len, GPO_MAX_SD_LEN);
		ret = EBADMSG;
		goto done;
	}
	cr_cursor_init(&c, sd, len);
	revision = cr_get_u8(&c, "revision");
	cr_skip(&c, 1, "sbz1");
	control = cr_get_le16(&c, "control");
	cr_skip(&c, 12, "owner, group and SACL offsets");
	dacl_off = cr_get_le32(&c, "DACL offset");
	if (!cr_cursor_ok(&c)) {
		cr_seterr(errmsg, "security descriptor of %zu bytes "
			  "is truncated in its header (%s)", len, c.fail_what);
		ret = EBADMSG;
		goto done;
	}
	if (revision != 1) {
		cr_seterr(errmsg, "security descriptor revision is "
			  "%u, not 1", revision);
		ret = EBADMSG;
		goto done;
	}
	if ((control & SD_DACL_PRESENT) == 0 || dacl_off == 0) {
		/* no DACL or a NULL DACL: everyone may do everything */
		*papplies = true;
		ret = 0;
		goto done;
	}
	if (dacl_off < SD_HEADER_LEN || dacl_off > len ||
	    len - dacl_off < ACL_HEADER_LEN) {
		cr_seterr(errmsg, "security descriptor: DACL offset "
			  "%" PRIu32 " is outside its %zu bytes", dacl_off,
			  len);
		ret = EBADMSG;
		goto done;
	}
	cr_cursor_init(&c, sd + dacl_off, len - dacl_off);
	cr_skip(&c, 2, "ACL revision and sbz1");
	acl_size = cr_get_le16(&c, "ACL size");
	count = cr_get_le16(&c, "ACE count");
	if (acl_size < ACL_HEADER_LEN || acl_size > len - dacl_off) {
		cr_seterr(errmsg, "security descriptor: DACL size "
			  "%u runs past the end (%zu bytes left) at offset %"
			  PRIu32, acl_size, len - dacl_off, dacl_off);
		ret = EBADMSG;
		goto done;
	}
	off = dacl_off + ACL_HEADER_LEN;
	end = dacl_off + acl_size;
	for (i = 0; i < count; i++) {
		struct ace a = { .sid = NULL };
		uint16_t ace_size;
		bool allow;
		bool covers_read;
		bool covers_apply;

		if (end - off < ACE_HEADER_LEN) {
			cr_seterr(errmsg, "security descriptor: ACE "
				  "%u of %u starts past the DACL's end at "
				  "offset %zu", i, count, off);
			ret = EBADMSG;
			goto done;
		}
		ace_size = cr_le16(sd + off + 2);
		if (ace_size < ACE_HEADER_LEN || ace_size > end - off) {
			cr_seterr(errmsg, "security descriptor: ACE "
				  "%u size %u is wrong (%zu bytes left in the "
				  "DACL) at offset %zu", i, ace_size,
				  end - off, off);
			ret = EBADMSG;
			goto done;
		}
		ret = decode_ace(frame, sd + off, ace_size, &a, &what);
		if (ret == EBADMSG) {
			cr_seterr(errmsg, "security descriptor: ACE "
				  "%u is malformed (%s) at offset %zu", i,
				  what, off);
			goto done;
		}
		off += ace_size;
		if (ret == ENOTSUP) {
			continue;
		}
		if (ret != 0) {
			goto done;
		}
		if ((a.flags & ACE_FLAG_INHERIT_ONLY) != 0 ||
		    !token_has(sids, num_sids, a.sid)) {
			continue;
		}
		allow = (a.type == ACE_ALLOWED || a.type == ACE_ALLOWED_OBJECT);
		covers_read = !a.has_object_type &&
			(a.mask & (RIGHT_READ_PROPERTY | RIGHT_GENERIC_READ |
				   RIGHT_GENERIC_ALL)) != 0;
		if (a.has_object_type) {
			covers_apply = (a.mask & (RIGHT_CONTROL_ACCESS |
						  RIGHT_GENERIC_ALL)) != 0 &&
				memcmp(a.object_type.b, apply_right.b, 16) == 0;
		} else {
			covers_apply = (a.mask & (RIGHT_CONTROL_ACCESS |
						  RIGHT_GENERIC_ALL)) != 0;
		}
		if (covers_read && read == UNDECIDED) {
			read_sid = a.sid;
		}
		if (covers_apply && apply == UNDECIDED) {
			apply_sid = a.sid;
		}
		decide(&read, covers_read, allow);
		decide(&apply, covers_apply, allow);
	}
	ret = 0;
	if (read == GRANTED && apply == GRANTED) {
		*papplies = true;
	} else if (apply == DENIED) {
		*pwhy = talloc_asprintf(mem_ctx, "security filtering: Apply "
					"Group Policy is denied to %s",
					apply_sid);
	} else if (read == DENIED) {
		*pwhy = talloc_asprintf(mem_ctx, "security filtering: Read is "
					"denied to %s", read_sid);
	} else if (apply == UNDECIDED) {
		*pwhy = talloc_strdup(mem_ctx, "security filtering: no ACE "
				      "grants Apply Group Policy to the user "
				      "or its groups");
	} else {
		*pwhy = talloc_strdup(mem_ctx, "security filtering: no ACE "
				      "grants Read to the user or its groups");
	}
	if (!*papplies && *pwhy == NULL) {
		ret = ENOMEM;
	}
done:
	TALLOC_FREE(frame);
	return ret;
}
