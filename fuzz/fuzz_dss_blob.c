/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * CryptoAPI DSS key blobs (PUBLICKEYBLOB "DSS1", PRIVATEKEYBLOB "DSS2",
 * version-3 "DSS4" with x or, as in a DSS container, without): every
 * accepted blob must build back to its input byte for byte.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "dpapi/dssblob.h"
#include "util/error.h"

/* The largest blob is a DSS4 one with j: 52 + 4 * 128 + 2 * 20. */
#define MAX_LENGTH 1024

static int fuzz_one_input(const uint8_t *data, size_t size);

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL;
	struct cr_dsa_key *k = NULL;
	struct cr_dss_seed seed;
	uint8_t *out = NULL;
	size_t out_len = 0;
	char *err = NULL;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem = talloc_new(NULL);
	if (cr_dss_blob_parse(mem, data, size, &k, &seed, &err) == 0) {
		bool priv = k->x.len > 0;

		if (cr_dss_blob_build(mem, k, priv, &seed, &out, &out_len,
				      &err) != 0 ||
		    out_len != size || memcmp(out, data, size) != 0) {
			abort();
		}
	}
	if (cr_dss_v3_recognise(data, size)) {
		struct cr_dss_v3 *info = NULL;
		int i;

		/* a container's public section (no x), an exported blob */
		for (i = 0; i < 2; i++) {
			bool with_x = i == 1;

			if (cr_dss_v3_parse(mem, data, size, with_x, &k, &info,
					    &err) == 0 &&
			    (cr_dss_v3_build(mem, k, with_x, info, &out,
					     &out_len, &err) != 0 ||
			     out_len != size ||
			     memcmp(out, data, size) != 0)) {
				abort();
			}
		}
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
