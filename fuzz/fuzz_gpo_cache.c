/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for the per-user GPO cache file (gpo_cache_parse),
 * with a round-trip oracle: every file accepted comes back byte for byte
 * from gpo_cache_encode().
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "gpo/gpo_cache.h"
#include "util/error.h"

/* A cache holds a few reduced Registry.pol files; 1 MiB leaves room. */
#define MAX_LENGTH (1024 * 1024)

static int fuzz_one_input(const uint8_t *data, size_t size);

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL;
	struct gpo_cache *c = NULL;
	uint8_t *out = NULL;
	size_t out_len = 0;
	char *err = NULL;
	int rc;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem = talloc_new(NULL);
	if (mem == NULL) {
		return 0;
	}
	rc = gpo_cache_parse(mem, data, size, "fuzz", &c, &err);
	if (rc != 0) {
		if (rc != ENOMEM && err == NULL) {
			abort();
		}
		goto done;
	}
	rc = gpo_cache_encode(mem, c, &out, &out_len, &err);
	if (rc == ENOMEM) {
		goto done;
	}
	if (rc != 0 || out_len != size || memcmp(out, data, size) != 0) {
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
