/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for the state file parser, with a round-trip oracle:
 * a state that parses is written again and must parse to the same JSON.
 * The state lives in the user's own store, so it is only as hostile as
 * the user (or a disk that corrupts it); it must still never crash a run.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "store/state.h"
#include "util/error.h"

static int fuzz_one_input(const uint8_t *data, size_t size);

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct cr_state *st = NULL;
	struct cr_state *again = NULL;
	char *text = NULL;
	char *text2 = NULL;
	int rc;

	if (size > 1024 * 1024) {
		talloc_free(mem);
		return 0;
	}
	rc = cr_state_from_json(mem, data, size, &st, NULL);
	if (rc == 0) {
		rc = cr_state_to_json(mem, st, &text, NULL);
		if (rc != 0) {
			abort();
		}
		rc = cr_state_from_json(mem, (const uint8_t *)text,
					strlen(text), &again, NULL);
		if (rc == 0) {
			rc = cr_state_to_json(mem, again, &text2, NULL);
		}
		if (rc != 0 || strcmp(text, text2) != 0) {
			abort();
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
