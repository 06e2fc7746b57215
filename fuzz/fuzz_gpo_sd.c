/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for the security descriptor reader behind GPO security
 * filtering (gpo_sd_check).  The token is fixed; the input is the
 * self-relative descriptor.  Oracles: a refused descriptor says why, a
 * GPO that does not apply says why, and the answer does not depend on
 * being asked twice.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <talloc.h>

#include "gpo/gpo_sd.h"
#include "util/error.h"

/* nTSecurityDescriptor values are a few KiB; the reader stops at 256. */
#define MAX_LENGTH (GPO_MAX_SD_LEN + 16)

static int fuzz_one_input(const uint8_t *data, size_t size);

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	static const char * const sids[] = {
		"S-1-5-21-1-2-3-1103", "S-1-5-21-1-2-3-513", "S-1-1-0",
		"S-1-5-11",
	};
	TALLOC_CTX *mem = NULL;
	bool applies = false;
	bool again = false;
	char *why = NULL;
	char *err = NULL;
	size_t used = 0;
	int rc;
	int rc2;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem = talloc_new(NULL);
	if (mem == NULL) {
		return 0;
	}
	rc = gpo_sd_check(mem, data, size, sids, 4, &applies, &why, &err);
	if (rc == EBADMSG && (err == NULL || applies)) {
		abort();
	}
	if (rc == 0 && !applies && why == NULL) {
		abort();
	}
	rc2 = gpo_sd_check(mem, data, size, sids, 4, &again, &why, &err);
	if (rc != ENOMEM && rc2 != ENOMEM && (rc2 != rc || again != applies)) {
		abort();
	}
	(void)gpo_sid_string(mem, data, size, &used);
	if (used > size) {
		abort();
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
