/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BKRP BackuprKey reply stubs.  Oracle: an accepted reply is rebuilt
 * from what the parser returned and must be the input again, except for
 * the referent id and the NDR padding, which the parser does not keep.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "ad/bkrp.h"
#include "util/cursor.h"
#include "util/error.h"

#define MAX_LENGTH (CR_BKRP_MAX_DATA + 64)

static int fuzz_one_input(const uint8_t *data, size_t size);

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint32_t werr = 0;
	char *err = NULL;
	size_t expect;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem = talloc_new(NULL);
	if (cr_bkrp_pull_response(mem, data, size, &out, &out_len, &werr,
				  &err) != 0) {
		goto done;
	}
	/* exact: the lengths accounted for every byte */
	expect = (out != NULL) ? 8 + out_len + (4 - out_len % 4) % 4 + 8 : 12;
	if (expect != size || out_len != cr_le32(data + size - 8) ||
	    werr != cr_le32(data + size - 4) ||
	    (out != NULL && memcmp(out, data + 8, out_len) != 0)) {
		abort();
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
