/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Whose state it is and the store's fingerprint it recorded, without
 * loading the rest; see state_peek.h.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "store/state_peek.h"
#include "util/error.h"

int cr_state_peek(TALLOC_CTX *mem_ctx, const uint8_t *text, size_t len,
		  char **psid, char **pfingerprint, char **errmsg)
{
	json_error_t jerr;
	json_t *o = NULL;
	const char *sid = NULL;
	const char *fp = NULL;
	int ret = 0;

	*psid = NULL;
	*pfingerprint = NULL;
	o = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		cr_seterr(errmsg, "state: not a JSON object");
		ret = EBADMSG;
		goto done;
	}
	sid = json_string_value(json_object_get(o, "sid"));
	fp = json_string_value(json_object_get(o, "fingerprint"));
	if (sid == NULL || fp == NULL) {
		cr_seterr(errmsg, "state: no sid or fingerprint");
		ret = ENOENT;
		goto done;
	}
	*psid = talloc_strdup(mem_ctx, sid);
	*pfingerprint = talloc_strdup(mem_ctx, fp);
	if (*psid == NULL || *pfingerprint == NULL) {
		TALLOC_FREE(*psid);
		TALLOC_FREE(*pfingerprint);
		ret = ENOMEM;
	}
done:
	json_decref(o);
	return ret;
}
