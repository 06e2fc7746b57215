/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading GPO files from SYSVOL with libsmbclient; see gpo_internal.h.
 *
 * Kerberos only, with the user's ticket cache, no anonymous or NTLM
 * fallback.  libsmbclient asks for signing only when an encryption level
 * is set, so the context asks for encryption ("request"): that makes
 * signing required and encrypts where the DC offers SMB3 encryption.
 *
 * libsmbclient finds the ticket cache through KRB5CCNAME only; while the
 * context lives, KRB5CCNAME names the connection's cache and the previous
 * value comes back when it is freed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libsmbclient.h>

#include "util/error.h"
#include "gpo/gpo_smb.h"
#include "util/lazylib.h"
#include "util/stackframe.h"

struct smbclient_api {
	__typeof__(smbc_getOptionUserData) *getOptionUserData;
	__typeof__(smbc_free_context) *free_context;
	__typeof__(smbc_new_context) *new_context;
	__typeof__(smbc_setDebug) *setDebug;
	__typeof__(smbc_setLogCallback) *setLogCallback;
	__typeof__(smbc_setOptionUserData) *setOptionUserData;
	__typeof__(smbc_setFunctionAuthDataWithContext)
		*setFunctionAuthDataWithContext;
	__typeof__(smbc_setOptionUseKerberos) *setOptionUseKerberos;
	__typeof__(smbc_setOptionFallbackAfterKerberos)
		*setOptionFallbackAfterKerberos;
	__typeof__(smbc_setOptionUseCCache) *setOptionUseCCache;
	__typeof__(smbc_setOptionNoAutoAnonymousLogin)
		*setOptionNoAutoAnonymousLogin;
	__typeof__(smbc_setOptionSmbEncryptionLevel)
		*setOptionSmbEncryptionLevel;
	__typeof__(smbc_setTimeout) *setTimeout;
	__typeof__(smbc_setUser) *setUser;
	__typeof__(smbc_init_context) *init_context;
	__typeof__(smbc_setOptionProtocols) *setOptionProtocols;
	__typeof__(smbc_getFunctionOpen) *getFunctionOpen;
	__typeof__(smbc_getFunctionRead) *getFunctionRead;
	__typeof__(smbc_getFunctionClose) *getFunctionClose;
	__typeof__(smbc_getFunctionStat) *getFunctionStat;
};

/* filled by load_smbclient() on the first SYSVOL read of the process */
static struct smbclient_api smbclient;
static bool smbclient_loaded;

static int load_smbclient(TALLOC_CTX *mem_ctx, char **errmsg)
{
	const struct cr_lazy_sym syms[] = {
		{ "smbc_getOptionUserData",
		  (void **)&smbclient.getOptionUserData },
		{ "smbc_free_context", (void **)&smbclient.free_context },
		{ "smbc_new_context", (void **)&smbclient.new_context },
		{ "smbc_setDebug", (void **)&smbclient.setDebug },
		{ "smbc_setLogCallback", (void **)&smbclient.setLogCallback },
		{ "smbc_setOptionUserData",
		  (void **)&smbclient.setOptionUserData },
		{ "smbc_setFunctionAuthDataWithContext",
		  (void **)&smbclient.setFunctionAuthDataWithContext },
		{ "smbc_setOptionUseKerberos",
		  (void **)&smbclient.setOptionUseKerberos },
		{ "smbc_setOptionFallbackAfterKerberos",
		  (void **)&smbclient.setOptionFallbackAfterKerberos },
		{ "smbc_setOptionUseCCache",
		  (void **)&smbclient.setOptionUseCCache },
		{ "smbc_setOptionNoAutoAnonymousLogin",
		  (void **)&smbclient.setOptionNoAutoAnonymousLogin },
		{ "smbc_setOptionSmbEncryptionLevel",
		  (void **)&smbclient.setOptionSmbEncryptionLevel },
		{ "smbc_setTimeout", (void **)&smbclient.setTimeout },
		{ "smbc_setUser", (void **)&smbclient.setUser },
		{ "smbc_init_context", (void **)&smbclient.init_context },
		{ "smbc_setOptionProtocols",
		  (void **)&smbclient.setOptionProtocols },
		{ "smbc_getFunctionOpen", (void **)&smbclient.getFunctionOpen },
		{ "smbc_getFunctionRead", (void **)&smbclient.getFunctionRead },
		{ "smbc_getFunctionClose",
		  (void **)&smbclient.getFunctionClose },
		{ "smbc_getFunctionStat", (void **)&smbclient.getFunctionStat },
		{ NULL, NULL },
	};

	int ret;

	if (smbclient_loaded) {
		return 0;
	}
	ret = cr_lazylib_load(mem_ctx, CR_LIBSMBCLIENT_SONAME, syms,
			      "reading Group Policy from SYSVOL", errmsg);
	smbclient_loaded = (ret == 0);
	return ret;
}

struct gpo_smb {
	SMBCCTX *ctx;
	char *server;
	char *user;
	char *realm;
	char *old_ccname;	/* KRB5CCNAME before, or NULL */
	bool set_ccname;
};

static void smb_log_discard(void *private_ptr, int level, const char *msg)
{
}

static void smb_auth(SMBCCTX *c, const char *srv, const char *shr,
		     char *wg, int wglen, char *un, int unlen,
		     char *pw, int pwlen)
{
	struct gpo_smb *smb = smbclient.getOptionUserData(c);

	if (smb == NULL || wglen <= 0 || unlen <= 0 || pwlen <= 0) {
		return;
	}
	snprintf(wg, (size_t)wglen, "%s", smb->realm);
	snprintf(un, (size_t)unlen, "%s", smb->user);
	/* no password: the ticket cache is the only credential */
	pw[0] = '\0';
}

static int gpo_smb_destructor(struct gpo_smb *smb)
{
	if (smb->ctx != NULL) {
		smbclient.free_context(smb->ctx, 1);
		smb->ctx = NULL;
	}
	if (smb->set_ccname) {
		if (smb->old_ccname != NULL) {
			setenv("KRB5CCNAME", smb->old_ccname, 1);
		} else {
			unsetenv("KRB5CCNAME");
		}
		smb->set_ccname = false;
	}
	return 0;
}

int gpo_smb_open(TALLOC_CTX *mem_ctx, const char *server,
		 const char *principal, const char *ccache, unsigned timeout,
		 struct gpo_smb **psmb, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct gpo_smb *smb = NULL;
	const char *at = NULL;
	const char *old = getenv("KRB5CCNAME");
	SMBCCTX *inited = NULL;
	int rc;
	int ret;

	*psmb = NULL;
	ret = load_smbclient(mem_ctx, errmsg);
	if (ret != 0) {
		goto done;
	}
	smb = talloc_zero(frame, struct gpo_smb);
	if (smb == NULL) {
		ret = ENOMEM;
		goto done;
	}
	talloc_set_destructor(smb, gpo_smb_destructor);
	at = strrchr(principal, '@');
	smb->server = talloc_strdup(smb, server);
	smb->user = (at != NULL)
		? talloc_strndup(smb, principal, (size_t)(at - principal))
		: talloc_strdup(smb, principal);
	smb->realm = talloc_strdup(smb, (at != NULL) ? at + 1 : "");
	if (smb->server == NULL || smb->user == NULL || smb->realm == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (ccache != NULL && (old == NULL || strcmp(old, ccache) != 0)) {
		if (old != NULL) {
			smb->old_ccname = talloc_strdup(smb, old);
			if (smb->old_ccname == NULL) {
				ret = ENOMEM;
				goto done;
			}
		}
		rc = setenv("KRB5CCNAME", ccache, 1);
		if (rc != 0) {
			ret = errno;
			goto done;
		}
		smb->set_ccname = true;
	}
	smb->ctx = smbclient.new_context();
	if (smb->ctx == NULL) {
		ret = ENOMEM;
		goto done;
	}
	smbclient.setDebug(smb->ctx, 0);
	smbclient.setLogCallback(smb->ctx, NULL, smb_log_discard);
	smbclient.setOptionUserData(smb->ctx, smb);
	smbclient.setFunctionAuthDataWithContext(smb->ctx, smb_auth);
	smbclient.setOptionUseKerberos(smb->ctx, true);
	smbclient.setOptionFallbackAfterKerberos(smb->ctx, false);
	smbclient.setOptionUseCCache(smb->ctx, true);
	smbclient.setOptionNoAutoAnonymousLogin(smb->ctx, true);
	smbclient.setOptionSmbEncryptionLevel(smb->ctx,
					      SMBC_ENCRYPTLEVEL_REQUEST);
	smbclient.setTimeout(smb->ctx, (int)(timeout ? timeout : 5) * 1000);
	smbclient.setUser(smb->ctx, smb->user);
	inited = smbclient.init_context(smb->ctx);
	if (inited == NULL) {
		ret = errno ? errno : EIO;
		smbclient.free_context(smb->ctx, 1);
		smb->ctx = NULL;
		cr_seterr(errmsg, "cannot set up an SMB client for "
			  "SYSVOL on '%s': %s", server, strerror(ret));
		goto done;
	}
	smbclient.setOptionProtocols(smb->ctx, "SMB2_02", "SMB3");
	*psmb = talloc_move(mem_ctx, &smb);
	ret = 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

static bool url_plain(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~' || c == '{' || c == '}';
}

/* Append one path component, percent-encoded; false if unacceptable. */
static bool append_component(char **url, const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (n == 1 && s[0] == '.') ||
	    (n == 2 && s[0] == '.' && s[1] == '.')) {
		return false;
	}
	*url = talloc_asprintf_append(*url, "/");
	for (i = 0; i < n && *url != NULL; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == ':' || c == '*' ||
		    c == '?' || c == '"' || c == '<' || c == '>' || c == '|') {
			return false;
		}
		if (url_plain(c)) {
			*url = talloc_asprintf_append(*url, "%c", c);
		} else {
			*url = talloc_asprintf_append(*url, "%%%02X", c);
		}
	}
	return *url != NULL;
}

/* Components of s separated by any of seps, appended to *url. */
static bool append_path(char **url, const char *s, const char *seps)
{
	while (*s != '\0') {
		size_t n = strcspn(s, seps);
		bool ok = append_component(url, s, n);

		if (!ok) {
			return false;
		}
		s += n;
		if (*s != '\0') {
			s++;
			if (*s == '\0') {
				return false;
			}
		}
	}
	return true;
}

char *gpo_smb_url(TALLOC_CTX *mem_ctx, const char *dc, const char *domain,
		  const char *sysvol_path, const char *rel)
{
	const char *p = sysvol_path;
	const char *server = NULL;
	char *url = NULL;
	size_t n;
	bool ok;

	if (p == NULL || strncmp(p, "\\\\", 2) != 0) {
		return NULL;
	}
	p += 2;
	n = strcspn(p, "\\");
	if (n == 0 || p[n] != '\\') {
		return NULL;	/* no server or no share */
	}
	server = p;
	p += n + 1;
	/* the domain's DFS name means any DC: the one we talk to */
	if ((strlen(domain) == n && strncasecmp(server, domain, n) == 0) ||
	    (strlen(dc) == n && strncasecmp(server, dc, n) == 0)) {
		url = talloc_asprintf(mem_ctx, "smb://%s", dc);
	} else {
		url = talloc_strdup(mem_ctx, "smb:/");
		ok = (url != NULL) && append_component(&url, server, n);
		if (!ok) {
			TALLOC_FREE(url);
		}
	}
	if (url == NULL) {
		return NULL;
	}
	ok = append_path(&url, p, "\\");
	if (ok && rel != NULL && rel[0] != '\0') {
		ok = append_path(&url, rel, "/");
	}
	if (!ok) {
		TALLOC_FREE(url);
	}
	return url;
}

static int smb_errno_msg(TALLOC_CTX *mem_ctx, char **errmsg, int err,
			 const char *what, const char *url)
{
	cr_seterr(errmsg, "%s '%s' over SMB (Kerberos, signed) "
		  "failed: %s", what, url, strerror(err));
	return err;
}

int gpo_smb_read(TALLOC_CTX *mem_ctx, struct gpo_smb *smb,
		 const char *sysvol_path, const char *rel, size_t max,
		 uint8_t **pdata, size_t *plen, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	smbc_open_fn fopen_fn = smbclient.getFunctionOpen(smb->ctx);
	smbc_read_fn fread_fn = smbclient.getFunctionRead(smb->ctx);
	smbc_close_fn fclose_fn = smbclient.getFunctionClose(smb->ctx);
	SMBCFILE *fh = NULL;
	char *url = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	int ret;

	*pdata = NULL;
	*plen = 0;
	url = gpo_smb_url(frame, smb->server, smb->realm, sysvol_path, rel);
	if (url == NULL) {
		cr_seterr(errmsg, "GPO path '%s' is not a UNC path "
			  "credroam can follow", sysvol_path);
		ret = EINVAL;
		goto done;
	}
	data = talloc_size(frame, max + 1);
	if (data == NULL) {
		ret = ENOMEM;
		goto done;
	}
	errno = 0;
	fh = fopen_fn(smb->ctx, url, O_RDONLY, 0);
	if (fh == NULL) {
		ret = errno ? errno : EIO;
		if (ret != ENOENT) {
			smb_errno_msg(mem_ctx, errmsg, ret, "opening", url);
		}
		goto done;
	}
	while (len <= max) {
		ssize_t r = fread_fn(smb->ctx, fh, data + len, max + 1 - len);

		if (r < 0) {
			ret = smb_errno_msg(mem_ctx, errmsg,
					    errno ? errno : EIO, "reading",
					    url);
			goto done;
		}
		if (r == 0) {
			break;
		}
		len += (size_t)r;
	}
	if (len > max) {
		cr_seterr(errmsg, "'%s' is larger than %zu bytes", url,
			  max);
		ret = EFBIG;
		goto done;
	}
	*pdata = talloc_memdup(mem_ctx, data, len ? len : 1);
	if (*pdata == NULL) {
		ret = ENOMEM;
		goto done;
	}
	*plen = len;
	ret = 0;
done:
	if (fh != NULL) {
		fclose_fn(smb->ctx, fh);
	}
	TALLOC_FREE(frame);
	return ret;
}

int gpo_smb_dir_exists(TALLOC_CTX *mem_ctx, struct gpo_smb *smb,
		       const char *sysvol_path, bool *pexists, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	smbc_stat_fn stat_fn = smbclient.getFunctionStat(smb->ctx);
	struct stat st;
	char *url = NULL;
	int rc;
	int ret;

	*pexists = false;
	url = gpo_smb_url(frame, smb->server, smb->realm, sysvol_path, NULL);
	if (url == NULL) {
		ret = EINVAL;
		goto done;
	}
	errno = 0;
	rc = stat_fn(smb->ctx, url, &st);
	if (rc == 0) {
		*pexists = S_ISDIR(st.st_mode);
		ret = 0;
		goto done;
	}
	ret = errno ? errno : EIO;
	if (ret == ENOENT || ret == ENOTDIR) {
		ret = 0;
		goto done;
	}
	smb_errno_msg(mem_ctx, errmsg, ret, "checking", url);
done:
	TALLOC_FREE(frame);
	return ret;
}
