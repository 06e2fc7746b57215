/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Private key files of any kind; see keyfile.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "util/cursor.h"
#include "dpapi/stackframe.h"
#include "dpapi/capi.h"
#include "dpapi/capi_dss.h"
#include "dpapi/cng.h"
#include "dpapi/cngkey.h"
#include "dpapi/keyfile.h"
#include "util/error.h"

#define CR_TOKEN_HEADER_LEN 132

int cr_dpapi_keyfile_decrypt_any(TALLOC_CTX *mem_ctx, const uint8_t *data,
				 size_t len, const uint8_t *mk, size_t mk_len,
				 struct cr_privkey **key,
				 struct cr_dpapi_keyfile_info *info,
				 char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_rsa_key *rsa = NULL;
	struct cr_dsa_key *dsa = NULL;
	struct cr_capi_key *capi = NULL;
	struct cr_cng_key *cng = NULL;
	struct cr_mib1 *mib = NULL;
	int ret;

	*key = NULL;
	memset(info, 0, sizeof(*info));
	info->export_flag = UINT32_MAX;
	/* a roaming token (types 1, 2, 9) carries the file after its header */
	if (len >= CR_TOKEN_HEADER_LEN && data[0] == '%' && data[2] == '\\' &&
	    cr_le32(data + 0x80) == len - CR_TOKEN_HEADER_LEN) {
		data += CR_TOKEN_HEADER_LEN;
		len -= CR_TOKEN_HEADER_LEN;
	}
	if (len >= 4 && memcmp(data, "MIB1", 4) == 0) {
		ret = cr_mib1_parse(frame, data, len, &mib, errmsg);
		if (ret != 0) {
			goto done;
		}
		info->kind = "mib1";
		data = mib->key_file;
		len = mib->key_file_len;
	}
	if (len >= 4 && cr_le32(data) == 1) {
		info->kind = info->kind ? info->kind : "cng";
		ret = cr_cng_key_parse(frame, data, len, &cng, errmsg);
		if (ret == 0) {
			info->name = talloc_strdup(mem_ctx, cng->name);
			ret = cr_cng_key_decrypt_any(mem_ctx, cng, mk, mk_len,
						     key, errmsg);
		}
	} else if (len >= 4 && cr_le32(data) == 2 && info->kind == NULL) {
		info->kind = "capi";
		ret = cr_capi_key_parse(frame, data, len, &capi, errmsg);
		if (ret == 0) {
			info->name = talloc_strdup(mem_ctx, capi->name);
		}
		if (ret == 0 && cr_capi_dss_container(capi)) {
			info->kind = "capi-dss";
			ret = cr_capi_dss_decrypt(frame, capi, CR_CAPI_ANY,
				mk, mk_len, &dsa, &info->export_flag, errmsg);
			if (ret == 0) {
				ret = cr_privkey_wrap_dsa(mem_ctx, dsa, key);
			}
		} else if (ret == 0) {
			ret = cr_capi_key_decrypt(frame, capi, CR_CAPI_ANY,
				mk, mk_len, &rsa, &info->export_flag, errmsg);
			if (ret == 0) {
				ret = cr_privkey_wrap_rsa(mem_ctx, rsa, key);
			}
		}
	} else {
		ret = EBADMSG;
		cr_seterr(errmsg, "not a CAPI key container, CNG key "
			  "file or MIB1 blob");
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_dpapi_keyfile_decrypt(TALLOC_CTX *mem_ctx, const uint8_t *data,
			     size_t len, const uint8_t *mk, size_t mk_len,
			     struct cr_rsa_key **key,
			     struct cr_dpapi_keyfile_info *info,
			     char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_privkey *any = NULL;
	int ret;

	*key = NULL;
	/* on mem_ctx: info->name lives there */
	ret = cr_dpapi_keyfile_decrypt_any(mem_ctx, data, len, mk, mk_len,
					   &any, info, errmsg);
	if (ret == 0 && any->alg != GNUTLS_PK_RSA) {
		ret = EINVAL;
		cr_seterr(errmsg, "%s key '%s' is %s, not RSA",
			  info->kind, info->name,
			  cr_privkey_describe(frame, any));
	}
	if (ret == 0) {
		*key = talloc_steal(mem_ctx, any->rsa);
	}
	TALLOC_FREE(any);
	TALLOC_FREE(frame);
	return ret;
}
