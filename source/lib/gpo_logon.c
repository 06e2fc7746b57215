/*
 * Which logon a set of token groups belongs to; see gpo_internal.h.
 *
 * Windows filters GPOs with the groups of the user's logon token, so a
 * group change takes effect at the next logon.  credroam reads the groups
 * from AD (tokenGroups) once per logon and keeps them in the cache; the
 * logon is identified by the TGT's client and authtime, which Kerberos
 * keeps across renewals and changes with every new logon (kinit).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <krb5.h>

#include "error.h"
#include "gpo_internal.h"

static bool is_tgt(const krb5_creds *cred, const krb5_data *realm)
{
	const krb5_principal srv = cred->server;

	return srv != NULL && srv->length == 2 &&
	       srv->data[0].length == 6 &&
	       memcmp(srv->data[0].data, "krbtgt", 6) == 0 &&
	       srv->data[1].length == realm->length &&
	       memcmp(srv->data[1].data, realm->data, realm->length) == 0;
}

int gpo_logon_id(TALLOC_CTX *mem_ctx, const char *ccache, char **pid,
		 char **errmsg)
{
	krb5_context kctx = NULL;
	krb5_ccache cc = NULL;
	krb5_principal client = NULL;
	krb5_cc_cursor cursor = NULL;
	krb5_creds cred;
	char *pname = NULL;
	int64_t authtime = -1;
	krb5_error_code kret;
	int ret;

	*pid = NULL;
	memset(&cred, 0, sizeof(cred));
	kret = krb5_init_context(&kctx);
	if (kret != 0) {
		cr_seterr(mem_ctx, errmsg, "cannot initialise Kerberos: %s",
			  strerror(kret));
		return EIO;
	}
	kret = (ccache != NULL) ? krb5_cc_resolve(kctx, ccache, &cc)
				: krb5_cc_default(kctx, &cc);
	if (kret == 0) {
		kret = krb5_cc_get_principal(kctx, cc, &client);
	}
	if (kret == 0) {
		kret = krb5_unparse_name(kctx, client, &pname);
	}
	if (kret == 0) {
		kret = krb5_cc_start_seq_get(kctx, cc, &cursor);
	}
	if (kret != 0) {
		const char *why = krb5_get_error_message(kctx, kret);

		cr_seterr(mem_ctx, errmsg, "cannot read Kerberos ticket cache "
			  "'%s': %s", ccache ? ccache : "(default)", why);
		krb5_free_error_message(kctx, why);
		ret = ENOENT;
		goto done;
	}
	while (krb5_cc_next_cred(kctx, cc, &cursor, &cred) == 0) {
		if (is_tgt(&cred, &client->realm)) {
			authtime = (uint32_t)cred.times.authtime;
		}
		krb5_free_cred_contents(kctx, &cred);
	}
	krb5_cc_end_seq_get(kctx, cc, &cursor);
	if (authtime < 0) {
		cr_seterr(mem_ctx, errmsg, "no ticket-granting ticket for '%s' "
			  "in '%s'", pname, ccache ? ccache : "(default)");
		ret = ENOENT;
		goto done;
	}
	*pid = talloc_asprintf(mem_ctx, "%s@%" PRId64, pname, authtime);
	ret = (*pid != NULL) ? 0 : ENOMEM;
done:
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
