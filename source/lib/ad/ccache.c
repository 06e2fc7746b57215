/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Checking the user's Kerberos ticket cache before anything talks to the
 * DC, so that "no ticket" and "ticket expired" get their own clear errors
 * instead of a GSSAPI failure deep inside the LDAP bind.
 *
 * A FILE cache (what pam_winbind and kinit make on Debian) is read by
 * ccache_file.c, without a Kerberos library.  Any other type (KEYRING,
 * DIR, KCM, or no name at all, where krb5.conf decides) is read with MIT
 * krb5, loaded on first use (util/lazylib.h): linked, it cost every run
 * four libraries beside Samba's own Kerberos (Heimdal, private), which
 * does the actual authentication later.  The two stacks never share a
 * handle.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <krb5/krb5.h>

#include "ad/adconn.h"
#include "ad/ccache_file.h"
#include "util/error.h"
#include "util/lazylib.h"
#include "util/secret.h"
#include "util/stackframe.h"

/* a FILE cache larger than this is left to MIT krb5 */
#define CCACHE_FILE_MAX (4u * 1024 * 1024)

/* MIT krb5, typed with its own prototypes; filled on first use */
static struct {
	__typeof__(krb5_init_context) *init_context;
	__typeof__(krb5_free_context) *free_context;
	__typeof__(krb5_cc_default_name) *cc_default_name;
	__typeof__(krb5_cc_resolve) *cc_resolve;
	__typeof__(krb5_cc_get_principal) *cc_get_principal;
	__typeof__(krb5_unparse_name) *unparse_name;
	__typeof__(krb5_cc_start_seq_get) *cc_start_seq_get;
	__typeof__(krb5_cc_next_cred) *cc_next_cred;
	__typeof__(krb5_free_cred_contents) *free_cred_contents;
	__typeof__(krb5_cc_end_seq_get) *cc_end_seq_get;
	__typeof__(krb5_free_unparsed_name) *free_unparsed_name;
	__typeof__(krb5_free_principal) *free_principal;
	__typeof__(krb5_cc_close) *cc_close;
	__typeof__(krb5_cc_get_type) *cc_get_type;
	__typeof__(krb5_cc_get_name) *cc_get_name;
	__typeof__(krb5_get_error_message) *get_error_message;
	__typeof__(krb5_free_error_message) *free_error_message;
} mit;
static bool mit_loaded;

static int load_mit(TALLOC_CTX *mem_ctx, char **errmsg)
{
	const struct cr_lazy_sym syms[] = {
		{ "krb5_init_context", (void **)&mit.init_context },
		{ "krb5_free_context", (void **)&mit.free_context },
		{ "krb5_cc_default_name", (void **)&mit.cc_default_name },
		{ "krb5_cc_resolve", (void **)&mit.cc_resolve },
		{ "krb5_cc_get_principal", (void **)&mit.cc_get_principal },
		{ "krb5_unparse_name", (void **)&mit.unparse_name },
		{ "krb5_cc_start_seq_get", (void **)&mit.cc_start_seq_get },
		{ "krb5_cc_next_cred", (void **)&mit.cc_next_cred },
		{ "krb5_free_cred_contents",
		  (void **)&mit.free_cred_contents },
		{ "krb5_cc_end_seq_get", (void **)&mit.cc_end_seq_get },
		{ "krb5_free_unparsed_name",
		  (void **)&mit.free_unparsed_name },
		{ "krb5_free_principal", (void **)&mit.free_principal },
		{ "krb5_cc_close", (void **)&mit.cc_close },
		{ "krb5_cc_get_type", (void **)&mit.cc_get_type },
		{ "krb5_cc_get_name", (void **)&mit.cc_get_name },
		{ "krb5_get_error_message", (void **)&mit.get_error_message },
		{ "krb5_free_error_message",
		  (void **)&mit.free_error_message },
		{ NULL, NULL },
	};
	int ret;

	if (mit_loaded) {
		return 0;
	}
	ret = cr_lazylib_load(mem_ctx, CR_LIBKRB5_SONAME, syms,
			      "reading a Kerberos ticket cache that is not "
			      "a FILE", errmsg);
	mit_loaded = (ret == 0);
	return ret;
}

static void set_krb5_error(TALLOC_CTX *mem_ctx, char **errmsg,
			   krb5_context kctx, krb5_error_code kret,
			   const char *what, const char *name,
			   const char *advice)
{
	const char *m = NULL;

	/*
	 * The common cases get our own words: with Samba's Kerberos loaded
	 * in the same process, MIT's error table is not always the one
	 * consulted, and "Unknown error -1765328189" helps nobody.
	 */
	switch (kret) {
	case KRB5_FCC_NOFILE:
		cr_seterr(errmsg, "%s '%s': it does not exist%s",
			  what, name, advice);
		return;
	case KRB5_FCC_PERM:
		cr_seterr(errmsg, "%s '%s': permission denied%s",
			  what, name, advice);
		return;
	case KRB5_CC_NOTFOUND:
	case KRB5_CC_END:
		cr_seterr(errmsg, "%s '%s': it holds no credentials%s",
			  what, name, advice);
		return;
	default:
		break;
	}
	m = mit.get_error_message(kctx, kret);
	cr_seterr(errmsg, "%s '%s': %s%s", what, name,
		  m ? m : "unknown error", advice);
	mit.free_error_message(kctx, m);
}

static bool is_tgt_for(const krb5_creds *cred,
		       const krb5_data *realm)
{
	const krb5_principal srv = cred->server;

	if (srv == NULL || srv->length != 2) {
		return false;
	}
	if (srv->data[0].length != 6 ||
	    memcmp(srv->data[0].data, "krbtgt", 6) != 0) {
		return false;
	}
	return srv->data[1].length == realm->length &&
	       memcmp(srv->data[1].data, realm->data, realm->length) == 0;
}

static int mit_ccache_tgt(TALLOC_CTX *mem_ctx, const char *ccache,
			  struct cr_ccache_tgt **ptgt, char **errmsg)
{
	krb5_context kctx = NULL;
	krb5_ccache cc = NULL;
	krb5_principal client = NULL;
	krb5_cc_cursor cursor = NULL;
	krb5_creds cred;
	struct cr_ccache_tgt *tgt = NULL;
	char *pname = NULL;
	const char *name = ccache;
	bool found = false;
	krb5_error_code kret;
	int ret;

	*ptgt = NULL;
	memset(&cred, 0, sizeof(cred));
	ret = load_mit(mem_ctx, errmsg);
	if (ret != 0) {
		return ret;
	}
	kret = mit.init_context(&kctx);
	if (kret != 0) {
		cr_seterr(errmsg, "cannot initialise Kerberos: %s",
			  strerror(kret));
		return EIO;
	}
	tgt = talloc_zero(mem_ctx, struct cr_ccache_tgt);
	if (tgt == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (name == NULL) {
		name = mit.cc_default_name(kctx);
	}
	kret = mit.cc_resolve(kctx, name, &cc);
	if (kret != 0) {
		set_krb5_error(mem_ctx, errmsg, kctx, kret,
			       "Kerberos ticket cache", name, "");
		ret = ENOENT;
		goto done;
	}
	kret = mit.cc_get_principal(kctx, cc, &client);
	if (kret != 0) {
		set_krb5_error(mem_ctx, errmsg, kctx, kret,
			       "no Kerberos ticket in cache", name,
			       "; log on again or run kinit");
		ret = ENOENT;
		goto done;
	}
	kret = mit.unparse_name(kctx, client, &pname);
	if (kret != 0) {
		ret = ENOMEM;
		goto done;
	}
	kret = mit.cc_start_seq_get(kctx, cc, &cursor);
	if (kret != 0) {
		set_krb5_error(mem_ctx, errmsg, kctx, kret,
			       "cannot read Kerberos ticket cache", name, "");
		ret = EIO;
		goto done;
	}
	while (mit.cc_next_cred(kctx, cc, &cursor, &cred) == 0) {
		bool is_tgt = is_tgt_for(&cred, &client->realm);
		uint64_t end = (uint32_t)cred.times.endtime;

		if (is_tgt && end > tgt->endtime) {
			tgt->endtime = end;
			tgt->authtime = (uint32_t)cred.times.authtime;
			found = true;
		}
		mit.free_cred_contents(kctx, &cred);
	}
	mit.cc_end_seq_get(kctx, cc, &cursor);
	if (!found) {
		cr_seterr(errmsg, "no ticket-granting ticket for "
			  "'%s' in '%s'; log on again or run kinit", pname,
			  name);
		ret = ENOENT;
		goto done;
	}
	tgt->name = talloc_strdup(tgt, name);
	tgt->principal = talloc_strdup(tgt, pname);
	tgt->resolved = talloc_asprintf(tgt, "%s:%s",
					mit.cc_get_type(kctx, cc),
					mit.cc_get_name(kctx, cc));
	if (tgt->name == NULL || tgt->principal == NULL ||
	    tgt->resolved == NULL) {
		ret = ENOMEM;
		goto done;
	}
	*ptgt = tgt;
	tgt = NULL;
	ret = 0;
done:
	TALLOC_FREE(tgt);
	if (pname != NULL) {
		mit.free_unparsed_name(kctx, pname);
	}
	if (client != NULL) {
		mit.free_principal(kctx, client);
	}
	if (cc != NULL) {
		mit.cc_close(kctx, cc);
	}
	mit.free_context(kctx);
	return ret;
}

/* The path of a FILE cache name ("FILE:/tmp/krb5cc_1000", "/tmp/x"). */
static const char *file_path(const char *name)
{
	if (name == NULL) {
		return NULL;
	}
	if (strncmp(name, "FILE:", 5) == 0) {
		return name + 5;
	}
	return (name[0] == '/') ? name : NULL;
}

/* The file's bytes (kept secret: session keys), or ENOENT/EACCES/EFBIG. */
static int read_cache_file(TALLOC_CTX *mem_ctx, const char *path,
			   uint8_t **pdata, size_t *plen)
{
	struct stat st;
	uint8_t *data = NULL;
	size_t got = 0;
	int fd = -1;
	int ret;

	*pdata = NULL;
	*plen = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		return errno;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		ret = EINVAL;
		goto done;
	}
	if ((uint64_t)st.st_size > CCACHE_FILE_MAX) {
		ret = EFBIG;
		goto done;
	}
	data = talloc_size(mem_ctx, (size_t)st.st_size + 1);
	if (data == NULL) {
		ret = ENOMEM;
		goto done;
	}
	credroam_keep_secret(data);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		got += (size_t)n;
	}
	*pdata = data;
	*plen = got;
	data = NULL;
	ret = 0;
done:
	TALLOC_FREE(data);
	close(fd);
	return ret;
}

int cr_ccache_tgt(TALLOC_CTX *mem_ctx, const char *ccache,
		  struct cr_ccache_tgt **ptgt, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char *path = file_path(ccache);
	struct cr_ccache_tgt *tgt = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	int ret;

	*ptgt = NULL;
	if (path == NULL) {
		ret = mit_ccache_tgt(mem_ctx, ccache, ptgt, errmsg);
		goto done;
	}
	ret = read_cache_file(frame, path, &data, &len);
	switch (ret) {
	case 0:
		break;
	case ENOENT:
		cr_seterr(errmsg, "no Kerberos ticket in cache '%s': it does "
			  "not exist; log on again or run kinit", ccache);
		goto done;
	case EACCES:
		cr_seterr(errmsg, "no Kerberos ticket in cache '%s': "
			  "permission denied; log on again or run kinit",
			  ccache);
		ret = ENOENT;
		goto done;
	case ENOMEM:
		goto done;
	default:
		/* not a plain file, or a very large one: the library */
		ret = mit_ccache_tgt(mem_ctx, ccache, ptgt, errmsg);
		goto done;
	}
	ret = cr_ccache_file_parse(frame, data, len, ccache, &tgt, errmsg);
	if (ret == EPROTONOSUPPORT) {
		cr_err_clear(errmsg);
		ret = mit_ccache_tgt(mem_ctx, ccache, ptgt, errmsg);
		goto done;
	}
	if (ret == EBADMSG) {
		ret = EIO;
	}
	if (ret != 0) {
		goto done;
	}
	tgt->name = talloc_strdup(tgt, ccache);
	tgt->resolved = talloc_asprintf(tgt, "FILE:%s", path);
	if (tgt->name == NULL || tgt->resolved == NULL) {
		ret = ENOMEM;
		goto done;
	}
	*ptgt = talloc_move(mem_ctx, &tgt);
done:
	if (data != NULL) {
		credroam_wipe(data, len);
	}
	TALLOC_FREE(frame);
	return ret;
}

int cr_ccache_check(TALLOC_CTX *mem_ctx, const char *ccache,
		    char **presolved, char **pprincipal, uint64_t *pend,
		    char **errmsg)
{
	struct cr_ccache_tgt *tgt = NULL;
	int ret;

	*presolved = NULL;
	*pprincipal = NULL;
	*pend = 0;
	ret = cr_ccache_tgt(mem_ctx, ccache, &tgt, errmsg);
	if (ret != 0) {
		return ret;
	}
	if (tgt->endtime <= (uint64_t)time(NULL)) {
		char when[32];
		time_t t = (time_t)tgt->endtime;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		cr_seterr(errmsg, "the Kerberos ticket of '%s' in "
			  "'%s' expired at %s; log on again or run kinit",
			  tgt->principal, tgt->name, when);
		ret = EKEYEXPIRED;
		goto done;
	}
	*pprincipal = talloc_move(mem_ctx, &tgt->principal);
	*presolved = talloc_move(mem_ctx, &tgt->resolved);
	*pend = tgt->endtime;
	ret = 0;
done:
	TALLOC_FREE(tgt);
	return ret;
}
