/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: credroam tokens (cr_token_parse).
 *
 * Oracles: a token that decodes serializes back to exactly its input; a
 * safe token survives an update and a tombstone with its identity and its
 * extra bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "format/token.h"
#include "util/error.h"

/* DIMSRoamingMaxTokenSize is at most 100000; leave room above it. */
#define MAX_LENGTH (128 * 1024)

static int fuzz_one_input(const uint8_t *data, size_t size);

static void check_derived(TALLOC_CTX *mem_ctx, const struct cr_token *t)
{
	static const uint8_t new_data[] = "new data";
	struct cr_token *u = NULL;
	int rc;

	rc = cr_token_update_data(mem_ctx, t, new_data, sizeof(new_data),
				  1234, &u, NULL);
	if (rc != 0) {
		/* refused tokens are never rewritten */
		if (t->id_problem == CR_TOKEN_OK) {
			abort();
		}
		return;
	}
	if (u->type != t->type || strcmp(u->identifier, t->identifier) != 0 ||
	    u->extra_length != t->extra_length ||
	    memcmp(u->extra, t->extra, t->extra_length) != 0 ||
	    !u->sha1_valid || u->filetime != 1234) {
		abort();
	}
	rc = cr_token_tombstone(mem_ctx, t, 5678, &u, NULL);
	if (rc != 0 || !cr_token_is_tombstone(u) || u->data_length != 0 ||
	    !u->sha1_valid || u->extra_length != t->extra_length) {
		abort();
	}
}

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem_ctx = NULL;
	struct cr_token *t = NULL;
	uint8_t *out = NULL;
	size_t out_len = 0;
	int rc;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem_ctx = talloc_new(NULL);
	rc = cr_token_parse(mem_ctx, data, size, &t, NULL, NULL);
	if (rc != 0) {
		goto done;
	}
	(void)cr_token_check(mem_ctx, t, NULL, NULL);
	(void)cr_token_identity(mem_ctx, t);
	rc = cr_token_serialize(mem_ctx, t, &out, &out_len, NULL);
	if (rc != 0 || out_len != size || memcmp(out, data, size) != 0) {
		abort();
	}
	check_derived(mem_ctx, t);
done:
	talloc_free(mem_ctx);
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
