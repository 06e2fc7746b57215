/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DPAPI blobs: parse, serialize back and require the same bytes, then run
 * the sign check and (when it could pass) decryption with a fixed key.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "dpapi/blob.h"
#include "util/error.h"

/* Key file blobs are under 2 KiB; credential blobs a few KiB. */
#define MAX_LENGTH 16384

static int fuzz_one_input(const uint8_t *data, size_t size);

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	static const uint8_t mk[64] = { 7 };
	TALLOC_CTX *mem = NULL;
	struct cr_dpapi_blob *b = NULL;
	uint8_t *out = NULL;
	uint8_t *plain = NULL;
	size_t out_len = 0;
	size_t plain_len = 0;
	char *err = NULL;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem = talloc_new(NULL);
	if (cr_dpapi_blob_parse(mem, data, size, &b, &err) != 0) {
		goto done;
	}
	if (cr_dpapi_blob_serialize(mem, b, &out, &out_len, &err) != 0 ||
	    out_len != size || memcmp(out, data, size) != 0) {
		abort();
	}
	(void)cr_dpapi_blob_decrypt(mem, b, mk, sizeof(mk), data,
				    size < 8 ? size : 8, &plain, &plain_len,
				    &err);
	(void)cr_dpapi_blob_description(mem, b);
	/* re-protecting what the blob says must decrypt again */
	{
		struct cr_dpapi_protect opt = {
			.alg_crypt = b->alg_crypt,
			.alg_hash = b->alg_hash,
		};
		uint8_t *again = NULL;
		size_t again_len = 0;

		if (cr_dpapi_protect(mem, &b->mk_guid, mk, sizeof(mk),
				     b->data, b->data_len, NULL, 0, &opt,
				     &again, &again_len, &err) == 0) {
			if (cr_dpapi_unprotect(mem, again, again_len, mk,
					       sizeof(mk), NULL, 0, &plain,
					       &plain_len, &err) != 0 ||
			    plain_len != b->data_len ||
			    memcmp(plain, b->data, plain_len) != 0) {
				abort();
			}
		}
	}
done:
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
