/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A master key file's key through a DC: the MS-BKRP client (bkrp.h) meets
 * the DPAPI engine's domain key section and its DC reply hook.
 */
#include "config.h"

#include <errno.h>

#include <talloc.h>

#include "ad/bkrp.h"
#include "dpapi/domainkey.h"
#include "dpapi/masterkey.h"
#include "util/error.h"
#include "util/stackframe.h"

int cr_bkrp_masterkey(TALLOC_CTX *mem_ctx, struct cr_bkrp *bkrp,
		      const struct cr_mkf *mkf, uint8_t **master_key,
		      size_t *master_key_len, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t *section = NULL;
	uint8_t *reply = NULL;
	uint8_t *mk = NULL;
	size_t section_len = 0;
	size_t reply_len = 0;
	size_t mk_len = 0;
	char *err = NULL;
	int ret;

	*master_key = NULL;
	*master_key_len = 0;
	if (mkf->dk == NULL) {
		cr_seterr(errmsg, "master key %s has no domain key "
			  "section: a DC cannot recover it", mkf->guid);
		ret = ENOENT;
		goto done;
	}
	ret = cr_domainkey_serialize(frame, mkf->dk, &section, &section_len,
				     &err);
	if (ret == 0) {
		ret = cr_bkrp_restore(frame, bkrp, section, section_len,
				      &reply, &reply_len, &err);
	}
	if (ret == 0) {
		ret = cr_domainkey_dc_reply(frame, reply, reply_len, &mk,
					    &mk_len, &err);
	}
	if (ret != 0) {
		cr_seterr(errmsg, "master key %s: %s", mkf->guid,
			  err ? err : "failed");
		goto done;
	}
	*master_key = talloc_move(mem_ctx, &mk);
	*master_key_len = mk_len;
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return ret;
}
