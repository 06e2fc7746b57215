/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for the Registry.pol parser, with a round-trip oracle:
 * every file preg_parse() accepts must come back byte for byte from
 * preg_write(), and the written file must parse again.  Accepted files are
 * then applied as a GPO; the effective policy must keep every value in
 * range and explain itself when roaming is off.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "gpo/policy.h"
#include "format/preg.h"
#include "util/error.h"

/* Real User/Registry.pol files are a few KiB; 1 MiB leaves room. */
#define MAX_LENGTH (1024 * 1024)

static int fuzz_one_input(const uint8_t *data, size_t size);

static void check_policy(TALLOC_CTX *mem, const struct preg_file *f)
{
	struct policy *gpo = policy_new(mem);
	struct policy *eff = NULL;
	char *err = NULL;
	unsigned i;
	int rc;

	if (gpo == NULL) {
		return;
	}
	/* twice, as two GPOs in a row */
	rc = policy_apply_preg(gpo, f, "GPO-1", &err);
	if (rc == 0) {
		rc = policy_apply_preg(gpo, f, "GPO-2", &err);
	}
	if (rc == 0) {
		rc = policy_merge(mem, gpo, NULL, &eff, &err);
	}
	if (rc != 0) {
		/* only ENOMEM is possible */
		if (rc != ENOMEM) {
			abort();
		}
		return;
	}
	for (i = 0; i < POLICY_NUM; i++) {
		uint32_t min;
		uint32_t max;
		uint32_t v = eff->v[i].value;

		policy_range((enum policy_id)i, &min, &max);
		if (v < min || v > max || eff->v[i].source == NULL) {
			abort();
		}
	}
	if (!policy_roaming_on(eff) && policy_reason_off(mem, eff) == NULL) {
		abort();
	}
}

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL;
	struct preg_file *f = NULL;
	struct preg_file *again = NULL;
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
	rc = preg_parse(mem, data, size, "fuzz.pol", &f, &err);
	if (rc != 0) {
		/* rejected input: fine, as long as it says why */
		if (err == NULL) {
			abort();
		}
		goto done;
	}
	rc = preg_write(mem, f, &out, &out_len, &err);
	if (rc != 0) {
		/* what the parser accepts, the writer must take */
		abort();
	}
	if (out_len != size || memcmp(out, data, size) != 0) {
		abort();
	}
	rc = preg_parse(mem, out, out_len, "again.pol", &again, &err);
	if (rc != 0 || again->num_entries != f->num_entries) {
		abort();
	}
	check_policy(mem, f);
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
