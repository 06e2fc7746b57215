/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One certificate's key for `credroam export --p12`; see roam.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "roam/materialize.h"
#include "roam/roam.h"
#include "roam/session.h"
#include "roam/view.h"
#include "util/error.h"
#include "util/secret.h"
#include "util/stackframe.h"

int cr_roam_export_key(TALLOC_CTX *mem_ctx,
		       const struct cr_roam_options *opts,
		       const char *thumbprint, char **pem, size_t *pem_len,
		       char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_roam_session *s = NULL;
	struct cr_roam_view *v = NULL;
	const struct cr_token *cert = NULL;
	char *key = NULL;
	size_t key_len = 0;
	int ret = ENOMEM;

	*pem = NULL;
	*pem_len = 0;
	s = cr_roam_session_new(frame, opts);
	v = talloc_zero(frame, struct cr_roam_view);
	if (s == NULL || v == NULL) {
		goto done;
	}
	ret = cr_roam_session_open(s, errmsg);
	if (ret == 0 && s->report->busy) {
		cr_seterr(errmsg, "a roaming run holds your store; try "
			  "again (or --wait)");
		ret = EBUSY;
	}
	if (ret == 0) {
		/* the master keys: the keyring, the password, or the DC */
		ret = cr_roam_session_connect(s, errmsg);
	}
	if (ret == 0) {
		ret = cr_roam_view_load_local(v, s->store, errmsg);
	}
	if (ret != 0) {
		goto done;
	}
	cert = cr_roam_view_find_token(v, CR_TOKEN_CAPI_CERT, thumbprint);
	if (cert == NULL) {
		cert = cr_roam_view_find_token(v, CR_TOKEN_CNG_CERT,
					       thumbprint);
	}
	if (cert == NULL) {
		cr_seterr(errmsg, "no certificate %s roams here (see "
			  "'credroam list --local')", thumbprint);
		ret = ENOENT;
		goto done;
	}
	ret = cr_roam_materialize_key(frame, s->keys, v, cert, &key,
				      &key_len, errmsg);
	if (ret != 0) {
		goto done;
	}
	*pem = talloc_move(mem_ctx, &key);
	*pem_len = key_len;
done:
	TALLOC_FREE(frame);
	return ret;
}
