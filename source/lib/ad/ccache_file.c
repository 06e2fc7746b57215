/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading a FILE credential cache; see ccache_file.h.
 *
 *   file        := version(2) [v4: header] principal credential*
 *   header      := length(2) then length bytes of tags (skipped)
 *   principal   := name_type(4) count(4) realm:data component:data*count
 *   data        := length(4) bytes
 *   credential  := client:principal server:principal
 *                  keyblock := enctype(2) [v3: enctype(2)] data
 *                  authtime(4) starttime(4) endtime(4) renew_till(4)
 *                  is_skey(1) flags(4)
 *                  addresses := count(4) (type(2) data)*count
 *                  authdata  := count(4) (type(2) data)*count
 *                  ticket:data second_ticket:data
 *
 * All integers big-endian (versions 3 and 4).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "ad/ccache_file.h"
#include "util/cursor.h"
#include "util/error.h"
#include "util/stackframe.h"

#define CCACHE_V3 0x0503
#define CCACHE_V4 0x0504
/* more components than any principal has; bounds the work per entry */
#define CCACHE_MAX_COMPONENTS 16

struct cc_principal {
	uint32_t count;
	const uint8_t *realm;
	uint32_t realm_len;
	const uint8_t *comp[CCACHE_MAX_COMPONENTS];
	uint32_t comp_len[CCACHE_MAX_COMPONENTS];
};

static const uint8_t *get_data(struct cr_cursor *c, uint32_t *plen,
			       const char *what)
{
	uint32_t n = cr_get_be32(c, what);
	const uint8_t *p = NULL;

	if (n > cr_cursor_left(c)) {
		cr_cursor_fail(c, EBADMSG, what);
		*plen = 0;
		return NULL;
	}
	p = cr_get_bytes(c, n, what);
	*plen = (p != NULL) ? n : 0;
	return p;
}

static void get_principal(struct cr_cursor *c, struct cc_principal *p)
{
	uint32_t i;

	memset(p, 0, sizeof(*p));
	(void)cr_get_be32(c, "principal name type");
	p->count = cr_get_be32(c, "principal component count");
	if (p->count > CCACHE_MAX_COMPONENTS) {
		cr_cursor_fail(c, EBADMSG, "principal component count");
		return;
	}
	p->realm = get_data(c, &p->realm_len, "principal realm");
	for (i = 0; i < p->count && cr_cursor_ok(c); i++) {
		p->comp[i] = get_data(c, &p->comp_len[i],
				      "principal component");
	}
}

/* count(4) then (type(2) data) * count: addresses, authorization data */
static void skip_typed_list(struct cr_cursor *c, const char *what)
{
	uint32_t n = cr_get_be32(c, what);
	uint32_t len = 0;
	uint32_t i;

	/* each entry takes at least 6 bytes */
	if (n > cr_cursor_left(c) / 6) {
		cr_cursor_fail(c, EBADMSG, what);
		return;
	}
	for (i = 0; i < n && cr_cursor_ok(c); i++) {
		(void)cr_get_be16(c, what);
		(void)get_data(c, &len, what);
	}
}

static bool bytes_equal(const uint8_t *a, uint32_t alen, const uint8_t *b,
			uint32_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* krbtgt/<realm>@<anything>: a TGT for the client's realm */
static bool is_tgt_for(const struct cc_principal *server,
		       const struct cc_principal *client)
{
	return server->count == 2 &&
	       bytes_equal(server->comp[0], server->comp_len[0],
			   (const uint8_t *)"krbtgt", 6) &&
	       bytes_equal(server->comp[1], server->comp_len[1],
			   client->realm, client->realm_len);
}

/* Append bytes, escaping what krb5_unparse_name escapes. */
static char *append_part(char *s, const uint8_t *p, uint32_t len, bool *odd)
{
	uint32_t i;

	for (i = 0; i < len && s != NULL; i++) {
		char ch = (char)p[i];

		if (p[i] < 0x20 || p[i] == 0x7f) {
			*odd = true;
			return s;
		}
		if (ch == '/' || ch == '@' || ch == '\\') {
			s = talloc_asprintf_append_buffer(s, "\\%c", ch);
		} else {
			s = talloc_asprintf_append_buffer(s, "%c", ch);
		}
	}
	return s;
}

static char *unparse(TALLOC_CTX *mem_ctx, const struct cc_principal *p,
		     bool *odd)
{
	char *s = talloc_strdup(mem_ctx, "");
	uint32_t i;

	for (i = 0; i < p->count && s != NULL; i++) {
		if (i > 0) {
			s = talloc_strdup_append_buffer(s, "/");
		}
		s = append_part(s, p->comp[i], p->comp_len[i], odd);
	}
	if (s != NULL) {
		s = talloc_strdup_append_buffer(s, "@");
	}
	return append_part(s, p->realm, p->realm_len, odd);
}

int cr_ccache_file_parse(TALLOC_CTX *mem_ctx, const uint8_t *data,
			 size_t len, const char *name,
			 struct cr_ccache_tgt **ptgt, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_ccache_tgt *tgt = NULL;
	struct cc_principal client;
	struct cc_principal cl;
	struct cc_principal server;
	struct cr_cursor c;
	uint16_t version;
	uint32_t klen = 0;
	bool found = false;
	bool odd = false;
	int ret;

	*ptgt = NULL;
	cr_cursor_init(&c, data, len);
	version = cr_get_be16(&c, "version");
	if (cr_cursor_ok(&c) && version != CCACHE_V3 &&
	    version != CCACHE_V4) {
		cr_seterr(errmsg, "Kerberos ticket cache '%s': file format "
			  "version 0x%04x is not read here", name, version);
		ret = ((version >> 8) == 0x05) ? EPROTONOSUPPORT : EBADMSG;
		goto done;
	}
	if (version == CCACHE_V4) {
		uint16_t hlen = cr_get_be16(&c, "header length");

		cr_skip(&c, hlen, "header");
	}
	if (cr_cursor_ok(&c) && cr_cursor_left(&c) == 0) {
		cr_seterr(errmsg, "no Kerberos ticket in cache '%s': it "
			  "holds no principal; log on again or run kinit",
			  name);
		ret = ENOENT;
		goto done;
	}
	get_principal(&c, &client);
	tgt = talloc_zero(frame, struct cr_ccache_tgt);
	if (tgt == NULL) {
		ret = ENOMEM;
		goto done;
	}
	while (cr_cursor_ok(&c) && cr_cursor_left(&c) > 0) {
		uint32_t authtime;
		uint32_t endtime;

		get_principal(&c, &cl);
		get_principal(&c, &server);
		(void)cr_get_be16(&c, "keyblock enctype");
		if (version == CCACHE_V3) {
			(void)cr_get_be16(&c, "keyblock enctype");
		}
		(void)get_data(&c, &klen, "keyblock");
		authtime = cr_get_be32(&c, "authtime");
		(void)cr_get_be32(&c, "starttime");
		endtime = cr_get_be32(&c, "endtime");
		(void)cr_get_be32(&c, "renew_till");
		(void)cr_get_u8(&c, "is_skey");
		(void)cr_get_be32(&c, "ticket flags");
		skip_typed_list(&c, "addresses");
		skip_typed_list(&c, "authorization data");
		(void)get_data(&c, &klen, "ticket");
		(void)get_data(&c, &klen, "second ticket");
		if (!cr_cursor_ok(&c)) {
			break;
		}
		if (is_tgt_for(&server, &client) && endtime > tgt->endtime) {
			tgt->endtime = endtime;
			tgt->authtime = authtime;
			found = true;
		}
	}
	if (!cr_cursor_ok(&c)) {
		cr_seterr(errmsg, "Kerberos ticket cache '%s' is malformed: "
			  "%s at offset %zu", name,
			  c.fail_what ? c.fail_what : "?", c.fail_off);
		ret = EBADMSG;
		goto done;
	}
	tgt->principal = unparse(tgt, &client, &odd);
	if (tgt->principal == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (odd) {
		cr_seterr(errmsg, "Kerberos ticket cache '%s': its principal "
			  "has control characters", name);
		ret = EPROTONOSUPPORT;
		goto done;
	}
	if (!found) {
		cr_seterr(errmsg, "no ticket-granting ticket for '%s' in "
			  "'%s'; log on again or run kinit", tgt->principal,
			  name);
		ret = ENOENT;
		goto done;
	}
	*ptgt = talloc_move(mem_ctx, &tgt);
	ret = 0;
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}
