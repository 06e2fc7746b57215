/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for the credroam.conf parser.  The parser takes a
 * length, but the input is handed over as a NUL-terminated copy, as a file
 * read into a string would be.  Oracle: an accepted file's values are in
 * range and its warnings are well-formed strings.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "gpo/policy.h"
#include "util/error.h"

/* credroam_conf_load() refuses files over 1 MiB; stay well inside. */
#define MAX_LENGTH (64 * 1024)

static int fuzz_one_input(const uint8_t *data, size_t size);

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL;
	struct credroam_conf *conf = NULL;
	char *text = NULL;
	char *err = NULL;
	size_t i;
	int rc;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem = talloc_new(NULL);
	if (mem == NULL) {
		return 0;
	}
	/* all size bytes (NULs included, the parser must stop at them) + NUL */
	text = talloc_size(mem, size + 1);
	if (text == NULL) {
		goto done;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	rc = credroam_conf_parse(mem, text, size, "fuzz.conf", &conf, &err);
	if (rc != 0) {
		/* rejected: the message must name the file */
		if (err == NULL || strncmp(err, "fuzz.conf", 9) != 0) {
			abort();
		}
		goto done;
	}
	for (i = 0; i < POLICY_NUM; i++) {
		uint32_t min;
		uint32_t max;

		policy_range((enum policy_id)i, &min, &max);
		if (conf->pol_set[i] &&
		    (conf->pol[i] < min || conf->pol[i] > max)) {
			abort();
		}
	}
	if (!(conf->time_budget > 0.0 && conf->time_budget <= 60.0) ||
	    conf->timeout < 1 || conf->timeout > 300) {
		abort();
	}
	for (i = 0; i < conf->num_warnings; i++) {
		if (strlen(conf->warnings[i]) == 0) {
			abort();
		}
	}
	for (i = 0; i < conf->num_services; i++) {
		if (strlen(conf->services[i]) == 0) {
			abort();
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
