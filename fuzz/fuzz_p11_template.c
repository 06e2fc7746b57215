/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for what a client writes into the agent's token:
 * C_CreateObject templates (certificates, RSA keys, anything else), the
 * attribute values read back with C_GetAttributeValue's rules, and a
 * search with the same template.  A client is only the user's own
 * process, but the agent holds every key of the user: no template may
 * crash it or make it read past a value.
 *
 * Input: records of [type index: 1][length: 2, little endian][value],
 * the type an index into the attribute types a token looks at.  The
 * token's store does not exist, so nothing is written anywhere.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "p11/token.h"
#include "util/error.h"

#define MAX_ATTRS 32

static const CK_ATTRIBUTE_TYPE types[] = {
	CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL, CKA_VALUE,
	CKA_CERTIFICATE_TYPE, CKA_ISSUER, CKA_SERIAL_NUMBER, CKA_KEY_TYPE,
	CKA_SUBJECT, CKA_ID, CKA_SENSITIVE, CKA_SIGN, CKA_DECRYPT,
	CKA_MODULUS, CKA_MODULUS_BITS, CKA_PUBLIC_EXPONENT,
	CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1,
	CKA_EXPONENT_2, CKA_COEFFICIENT, CKA_EC_PARAMS, CKA_EC_POINT,
	CKA_EXTRACTABLE,
};

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct cr_p11_token_params params = {
		.store_path = "/nonexistent/credroam-fuzz-store",
		.user = "FUZZ\\user",
		.sid = "S-1-5-21-1-2-3-1000",
	};
	struct cr_p11_token *tok = NULL;
	CK_ATTRIBUTE tmpl[MAX_ATTRS];
	CK_ATTRIBUTE orig[MAX_ATTRS];
	CK_ULONG n = 0;
	CK_OBJECT_HANDLE h = 0;
	size_t off = 0;
	size_t i;

	if (size > 256 * 1024 ||
	    cr_p11_token_new(mem, &params, &tok, NULL) != 0) {
		talloc_free(mem);
		return 0;
	}
	while (n < MAX_ATTRS && size - off >= 3) {
		size_t len = (size_t)data[off + 1] |
			     ((size_t)data[off + 2] << 8);
		uint8_t *v = NULL;

		tmpl[n].type = types[data[off] % (sizeof(types) /
						  sizeof(types[0]))];
		off += 3;
		if (len > size - off) {
			len = size - off;
		}
		/* an exact copy: reading past it is a bug ASan sees */
		v = talloc_memdup(mem, data + off, len);
		tmpl[n].pValue = len > 0 ? v : NULL;
		tmpl[n].ulValueLen = len;
		off += len;
		n++;
	}
	memcpy(orig, tmpl, sizeof(tmpl[0]) * n);
	(void)cr_p11_token_create(tok, tmpl, n, &h);
	for (i = 0; i < tok->num_objs; i++) {
		/* each call with the buffers' true lengths, as a client
		 * must (C_GetAttributeValue rewrites them) */
		memcpy(tmpl, orig, sizeof(tmpl[0]) * n);
		(void)cr_p11_object_matches(tok->objs[i], tmpl, n);
		(void)cr_p11_object_get(tok->objs[i], tmpl, n);
	}
	talloc_free(mem);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int ret = fuzz_one_input(data, size);

	/* an input is a whole caller: its messages go with it */
	cr_err_drain();
	return ret;
}
