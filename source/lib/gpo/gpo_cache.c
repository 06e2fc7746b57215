/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The per-user GPO cache file; see gpo_internal.h.
 *
 * Layout (little-endian; str = le32 length + bytes, no NUL inside, at most
 * GPO_CACHE_MAX_STRING bytes):
 *
 *   "CRGPOC\0\1"
 *   str user_dn, str logon
 *   le32 n, n x str sid
 *   le32 n, n x str gpo_dn
 *   le32 n, n x { str guid, le32 version, str path, u8 has_pol,
 *                 le32 len, len bytes of PReg }
 *
 * Nothing may follow.  Every PReg blob must parse.  The file is the
 * caller's (the user's own), so a broken one is only a cache miss.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic_file.h"
#include "util/cursor.h"
#include "util/error.h"
#include "util/readfile.h"
#include "gpo/gpo_cache.h"
#include "gpo/policy.h"
#include "format/preg.h"
#include "util/stackframe.h"

static char *get_str(TALLOC_CTX *mem_ctx, struct cr_cursor *c,
		     const char *what)
{
	uint32_t n = cr_get_le32(c, what);
	const uint8_t *p = NULL;

	if (!cr_cursor_ok(c)) {
		return NULL;
	}
	if (n > GPO_CACHE_MAX_STRING) {
		cr_cursor_fail(c, EBADMSG, what);
		return NULL;
	}
	p = cr_get_bytes(c, n, what);
	if (p == NULL) {
		return NULL;
	}
	if (memchr(p, '\0', n) != NULL) {
		cr_cursor_fail(c, EBADMSG, what);
		return NULL;
	}
	return talloc_strndup(mem_ctx, (const char *)p, n);
}

/* A count of items of at least min_size bytes each, checked against the
 * bytes left before anything is allocated. */
static uint32_t get_count(struct cr_cursor *c, size_t min_size,
			  const char *what)
{
	uint32_t n = cr_get_le32(c, what);

	if (cr_cursor_ok(c) && (uint64_t)n * min_size > cr_cursor_left(c)) {
		cr_cursor_fail(c, EBADMSG, what);
		return 0;
	}
	return n;
}

static char **get_strs(TALLOC_CTX *mem_ctx, struct cr_cursor *c,
		       size_t *pnum, bool *poom, const char *what)
{
	uint32_t n = get_count(c, 4, what);
	char **v = NULL;
	uint32_t i;

	*pnum = 0;
	if (!cr_cursor_ok(c)) {
		return NULL;
	}
	v = talloc_zero_array(mem_ctx, char *, n + 1);
	if (v == NULL) {
		*poom = true;
		return NULL;
	}
	for (i = 0; i < n && cr_cursor_ok(c); i++) {
		v[i] = get_str(v, c, what);
		if (v[i] == NULL && cr_cursor_ok(c)) {
			*poom = true;
			return NULL;
		}
	}
	*pnum = n;
	return v;
}

int gpo_cache_parse(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		    const char *name, struct gpo_cache **pcache,
		    char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct gpo_cache *cache = NULL;
	struct cr_cursor c;
	bool oom = false;
	uint32_t n;
	uint32_t i;
	int ret;

	*pcache = NULL;
	if (len > GPO_CACHE_MAX_SIZE) {
		cr_seterr(errmsg, "GPO cache '%s' is larger than %u "
			  "bytes", name, GPO_CACHE_MAX_SIZE);
		ret = EBADMSG;
		goto done;
	}
	cache = talloc_zero(frame, struct gpo_cache);
	if (cache == NULL) {
		ret = ENOMEM;
		goto done;
	}
	cr_cursor_init(&c, data, len);
	if (len < GPO_CACHE_MAGIC_LEN ||
	    memcmp(data, GPO_CACHE_MAGIC, GPO_CACHE_MAGIC_LEN) != 0) {
		cr_cursor_fail(&c, EBADMSG, "signature");
	}
	cr_skip(&c, GPO_CACHE_MAGIC_LEN, "signature");
	cache->user_dn = get_str(cache, &c, "user DN");
	cache->logon = get_str(cache, &c, "logon");
	cache->sids = get_strs(cache, &c, &cache->num_sids, &oom, "SID");
	cache->gpo_dns = get_strs(cache, &c, &cache->num_gpo_dns, &oom,
				  "GPO DN");
	/* guid, version, path, has_pol, length: at least 17 bytes */
	n = get_count(&c, 17, "Registry.pol count");
	if (cr_cursor_ok(&c) && !oom) {
		cache->pols = talloc_zero_array(cache, struct gpo_cache_pol,
						n + 1);
		oom = (cache->pols == NULL);
	}
	for (i = 0; i < n && cr_cursor_ok(&c) && !oom; i++) {
		struct gpo_cache_pol *p = &cache->pols[i];
		struct preg_file *f = NULL;
		uint8_t has;
		uint32_t plen;
		const uint8_t *bytes = NULL;

		p->guid = get_str(cache->pols, &c, "GPO GUID");
		p->version = cr_get_le32(&c, "GPO version");
		p->path = get_str(cache->pols, &c, "GPO path");
		has = cr_get_u8(&c, "has Registry.pol");
		plen = cr_get_le32(&c, "Registry.pol length");
		if (cr_cursor_ok(&c) && has > 1) {
			cr_cursor_fail(&c, EBADMSG, "has Registry.pol");
		}
		if (cr_cursor_ok(&c) && has == 0 && plen != 0) {
			cr_cursor_fail(&c, EBADMSG, "Registry.pol length");
		}
		bytes = cr_get_bytes(&c, plen, "Registry.pol");
		if (!cr_cursor_ok(&c)) {
			break;
		}
		p->has_pol = (has == 1);
		if (p->has_pol) {
			ret = preg_parse(frame, bytes, plen, "cached", &f,
					 NULL);
			if (ret == ENOMEM) {
				oom = true;
				break;
			}
			if (ret != 0) {
				cr_cursor_fail(&c, EBADMSG, "Registry.pol");
				break;
			}
			p->pol = talloc_memdup(cache->pols, bytes, plen);
			oom = (p->pol == NULL && plen > 0);
			p->pol_len = plen;
		}
		cache->num_pols = i + 1;
	}
	if (oom) {
		ret = ENOMEM;
		goto done;
	}
	if (cr_cursor_ok(&c) && cr_cursor_left(&c) != 0) {
		cr_cursor_fail(&c, EBADMSG, "end of file");
	}
	if (!cr_cursor_ok(&c)) {
		cr_seterr(errmsg, "GPO cache '%s' is malformed at "
			  "offset %zu (%s)", name, c.fail_off,
			  c.fail_what ? c.fail_what : "?");
		ret = EBADMSG;
		goto done;
	}
	if (cache->user_dn == NULL || cache->logon == NULL) {
		ret = ENOMEM;
		goto done;
	}
	*pcache = talloc_move(mem_ctx, &cache);
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

static void put_str(struct cr_buf *b, const char *s)
{
	size_t n = (s != NULL) ? strlen(s) : 0;

	cr_put_le32(b, (uint32_t)n);
	cr_put_bytes(b, s, n);
}

static bool str_ok(const char *s)
{
	return s == NULL || strlen(s) <= GPO_CACHE_MAX_STRING;
}

int gpo_cache_encode(TALLOC_CTX *mem_ctx, const struct gpo_cache *cache,
		     uint8_t **pdata, size_t *plen, char **errmsg)
{
	struct cr_buf b;
	bool ok = str_ok(cache->user_dn) && str_ok(cache->logon);
	size_t i;

	*pdata = NULL;
	*plen = 0;
	for (i = 0; i < cache->num_sids; i++) {
		ok = ok && str_ok(cache->sids[i]);
	}
	for (i = 0; i < cache->num_gpo_dns; i++) {
		ok = ok && str_ok(cache->gpo_dns[i]);
	}
	for (i = 0; i < cache->num_pols; i++) {
		ok = ok && str_ok(cache->pols[i].guid) &&
		     str_ok(cache->pols[i].path) &&
		     cache->pols[i].pol_len <= GPO_MAX_POL_SIZE;
	}
	if (!ok) {
		cr_seterr(errmsg, "GPO cache: a value is too long to "
			  "store");
		return EINVAL;
	}
	cr_buf_init(&b, mem_ctx, false);
	cr_put_bytes(&b, GPO_CACHE_MAGIC, GPO_CACHE_MAGIC_LEN);
	put_str(&b, cache->user_dn);
	put_str(&b, cache->logon);
	cr_put_le32(&b, (uint32_t)cache->num_sids);
	for (i = 0; i < cache->num_sids; i++) {
		put_str(&b, cache->sids[i]);
	}
	cr_put_le32(&b, (uint32_t)cache->num_gpo_dns);
	for (i = 0; i < cache->num_gpo_dns; i++) {
		put_str(&b, cache->gpo_dns[i]);
	}
	cr_put_le32(&b, (uint32_t)cache->num_pols);
	for (i = 0; i < cache->num_pols; i++) {
		const struct gpo_cache_pol *p = &cache->pols[i];
		size_t n = p->has_pol ? p->pol_len : 0;

		put_str(&b, p->guid);
		cr_put_le32(&b, p->version);
		put_str(&b, p->path);
		cr_put_u8(&b, p->has_pol ? 1 : 0);
		cr_put_le32(&b, (uint32_t)n);
		cr_put_bytes(&b, p->pol, n);
	}
	if (b.oom) {
		TALLOC_FREE(b.data);
		return ENOMEM;
	}
	if (b.len > GPO_CACHE_MAX_SIZE) {
		TALLOC_FREE(b.data);
		cr_seterr(errmsg, "GPO cache would be larger than %u "
			  "bytes", GPO_CACHE_MAX_SIZE);
		return EINVAL;
	}
	*pdata = b.data;
	*plen = b.len;
	return 0;
}

int gpo_cache_read(TALLOC_CTX *mem_ctx, const char *path, uint8_t **pdata,
		   size_t *plen, char **errmsg)
{
	int fd = -1;
	int ret;

	*pdata = NULL;
	*plen = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ret = errno;
		if (ret != ENOENT) {
			cr_seterr(errmsg, "cannot open GPO cache "
				  "'%s': %s", path, strerror(ret));
		}
		return ret;
	}
	ret = cr_read_regular_fd(mem_ctx, fd, GPO_CACHE_MAX_SIZE, path,
				 pdata, plen, errmsg);
	close(fd);
	if (ret != 0 && ret != ENOMEM) {
		cr_wraperr(errmsg, "GPO cache");
	}
	return ret;
}

int gpo_cache_write(TALLOC_CTX *mem_ctx, const char *path,
		    const uint8_t *data, size_t len, char **errmsg)
{
	int ret = cr_write_atomic(path, data, len, 0600, true);

	if (ret != 0) {
		cr_seterr(errmsg, "cannot write GPO cache '%s': %s",
			  path, strerror(ret));
	}
	return ret;
}

int gpo_pol_reduce(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len,
		   const char *name, uint8_t **pout, size_t *plen,
		   char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct preg_file *in = NULL;
	struct preg_file *out = NULL;
	size_t i;
	int ret;

	*pout = NULL;
	*plen = 0;
	ret = preg_parse(frame, data, len, name, &in, errmsg);
	if (ret != 0) {
		goto done;
	}
	out = preg_new(frame);
	if (out == NULL) {
		ret = ENOMEM;
		goto done;
	}
	for (i = 0; i < in->num_entries; i++) {
		const struct preg_entry *e = in->entries[i];
		bool keep = (e->action == PREG_ACTION_DELETE_KEYS) ||
			    preg_key_equal(e->key, POLICY_KEY);

		if (!keep) {
			continue;
		}
		ret = preg_add(out, e->key, e->value, e->type, e->data,
			       e->size, NULL);
		if (ret != 0) {
			cr_seterr(errmsg, "%s: cannot keep entry %zu "
				  "(%s)", name, i, strerror(ret));
			goto done;
		}
	}
	ret = preg_write(mem_ctx, out, pout, plen, errmsg);
done:
	TALLOC_FREE(frame);
	return ret;
}
