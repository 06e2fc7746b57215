/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for the FILE credential cache reader
 * (cr_ccache_file_parse): any input is either a TGT with a principal, or
 * an error with a message; never a read past the end.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "ad/ccache_file.h"
#include "util/error.h"

/* the reader refuses files above 4 MiB before parsing */
#define MAX_LENGTH (4 * 1024 * 1024)

static int fuzz_one_input(const uint8_t *data, size_t size);

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL;
	struct cr_ccache_tgt *tgt = NULL;
	char *err = NULL;
	int rc;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem = talloc_new(NULL);
	if (mem == NULL) {
		return 0;
	}
	rc = cr_ccache_file_parse(mem, data, size, "fuzz", &tgt, &err);
	if (rc != 0) {
		if (rc != ENOMEM && err == NULL) {
			abort();
		}
		if (tgt != NULL) {
			abort();
		}
		goto done;
	}
	if (tgt == NULL || tgt->principal == NULL ||
	    strchr(tgt->principal, '@') == NULL || tgt->endtime == 0) {
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

	cr_err_drain();
	return ret;
}
