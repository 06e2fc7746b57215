/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Checking the user's Kerberos ticket cache before anything talks to the
 * DC, so that "no ticket" and "ticket expired" get their own clear errors
 * instead of a GSSAPI failure deep inside the LDAP bind.
 *
 * This reads the cache with MIT krb5 (the FILE/DIR/KEYRING formats are the
 * same on disk); Samba's own Kerberos (Heimdal, private) does the actual
 * authentication later.  The two stacks never share a handle.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <krb5/krb5.h>

#include "ad/adconn.h"
#include "util/error.h"

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
	m = krb5_get_error_message(kctx, kret);
	cr_seterr(errmsg, "%s '%s': %s%s", what, name,
		  m ? m : "unknown error", advice);
	krb5_free_error_message(kctx, m);
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

int cr_ccache_tgt(TALLOC_CTX *mem_ctx, const char *ccache,
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
	kret = krb5_init_context(&kctx);
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
		name = krb5_cc_default_name(kctx);
	}
	kret = krb5_cc_resolve(kctx, name, &cc);
	if (kret != 0) {
		set_krb5_error(mem_ctx, errmsg, kctx, kret,
			       "Kerberos ticket cache", name, "");
		ret = ENOENT;
		goto done;
	}
	kret = krb5_cc_get_principal(kctx, cc, &client);
	if (kret != 0) {
		set_krb5_error(mem_ctx, errmsg, kctx, kret,
			       "no Kerberos ticket in cache", name,
			       "; log on again or run kinit");
		ret = ENOENT;
		goto done;
	}
	kret = krb5_unparse_name(kctx, client, &pname);
	if (kret != 0) {
		ret = ENOMEM;
		goto done;
	}
	kret = krb5_cc_start_seq_get(kctx, cc, &cursor);
	if (kret != 0) {
		set_krb5_error(mem_ctx, errmsg, kctx, kret,
			       "cannot read Kerberos ticket cache", name, "");
		ret = EIO;
		goto done;
	}
	while (krb5_cc_next_cred(kctx, cc, &cursor, &cred) == 0) {
		bool is_tgt = is_tgt_for(&cred, &client->realm);
		uint64_t end = (uint32_t)cred.times.endtime;

		if (is_tgt && end > tgt->endtime) {
			tgt->endtime = end;
			tgt->authtime = (uint32_t)cred.times.authtime;
			found = true;
		}
		krb5_free_cred_contents(kctx, &cred);
	}
	krb5_cc_end_seq_get(kctx, cc, &cursor);
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
					krb5_cc_get_type(kctx, cc),
					krb5_cc_get_name(kctx, cc));
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
		krb5_free_unparsed_name(kctx, pname);
	}
	if (client != NULL) {
		krb5_free_principal(kctx, client);
	}
	if (cc != NULL) {
		krb5_cc_close(kctx, cc);
	}
	krb5_free_context(kctx);
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
