/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * "Give me the private key in this file": recognise a CAPI container (RSA
 * or DSS provider), a CNG key file or a MIB1 transport blob (bare, or
 * inside a roaming token) and decrypt its private key with a master key.
 */
#ifndef CREDROAM_DPAPI_KEYFILE_H
#define CREDROAM_DPAPI_KEYFILE_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "dpapi/pkcs8.h"
#include "dpapi/privkey.h"

struct cr_dpapi_keyfile_info {
	/* "capi", "capi-dss", "cng", "mib1" (static) */
	const char *kind;
	char *name;		/* container / key name */
	uint32_t export_flag;	/* CAPI only; UINT32_MAX if none */
};

/* Any key type (RSA, EC, DSA). */
int cr_dpapi_keyfile_decrypt_any(TALLOC_CTX *mem_ctx, const uint8_t *data,
				 size_t len, const uint8_t *mk, size_t mk_len,
				 struct cr_privkey **key,
				 struct cr_dpapi_keyfile_info *info,
				 char **errmsg);
/* RSA keys only (refuses the others, naming them). */
int cr_dpapi_keyfile_decrypt(TALLOC_CTX *mem_ctx, const uint8_t *data,
			     size_t len, const uint8_t *mk, size_t mk_len,
			     struct cr_rsa_key **key,
			     struct cr_dpapi_keyfile_info *info,
			     char **errmsg);

#endif
