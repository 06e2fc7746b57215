/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: the AD value judge (cr_ad_value_judge) and the DN
 * comparison under it (cr_dn_equal).
 *
 * The first byte picks the rules (bit 0: an attribute, bit 1: an owner,
 * bit 2: a token size limit, bit 3: text); the rest is the value.
 *
 * Oracles: the judge's return, problem and refusal agree (0 iff no
 * problem and no refusal; EBADMSG/EINVAL always with both); a value it
 * accepts has a token and a DN part that cr_dn_equal() finds equal to
 * itself and, when an owner was given, to the owner; a canonical DN is
 * its own canonical form.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "format/advalue.h"
#include "format/dn.h"
#include "format/token.h"
#include "util/error.h"

/* a whole token in hex plus a long DN, and the rules byte */
#define MAX_LENGTH (2 * 128 * 1024 + 4096 + 1)

#define OWNER "CN=alice,CN=Users,DC=roam,DC=test"

static int fuzz_one_input(const uint8_t *data, size_t size);

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem_ctx = NULL;
	struct cr_ad_value_rules rules = { .attribute = NULL };
	struct cr_ad_value *v = NULL;
	const char *s = NULL;
	char *canon = NULL;
	char *again = NULL;
	size_t len;
	int rc;

	if (size < 1 || size > MAX_LENGTH) {
		return 0;
	}
	mem_ctx = talloc_new(NULL);
	if (mem_ctx == NULL) {
		return 0;
	}
	if (data[0] & 1) {
		rules.attribute = (data[0] & 0x10) ? CR_ATTR_MASTER_KEYS
						   : CR_ATTR_CREDENTIALS;
	}
	if (data[0] & 2) {
		rules.owner_dn = OWNER;
	}
	if (data[0] & 4) {
		rules.max_token_size = 100000;
	}
	rules.text = (data[0] & 8) != 0;
	/* the judge takes a length: no NUL-terminated copy needed */
	s = (const char *)data + 1;
	len = size - 1;

	rc = cr_ad_value_judge(mem_ctx, s, len, &rules, &v, NULL);
	if (rc == ENOMEM) {
		goto done;
	}
	if (v == NULL) {
		abort();
	}
	if (rc == 0) {
		if (v->problem != CR_TOKEN_OK || v->refusal != NULL ||
		    v->token == NULL || v->dn == NULL) {
			abort();
		}
		if (!cr_dn_equal(v->dn, strlen(v->dn), v->dn,
				 strlen(v->dn))) {
			abort();
		}
		if (rules.owner_dn != NULL &&
		    !cr_dn_equal(v->dn, strlen(v->dn), OWNER,
				 strlen(OWNER))) {
			abort();
		}
	} else if (rc == EBADMSG || rc == EINVAL) {
		/* EIO (SHA-1 failing) is the only other, and has no name */
		if (v->problem == CR_TOKEN_OK || v->refusal == NULL) {
			abort();
		}
	}

	/* the same bytes as a bare DN: canonical forms are fixed points */
	rc = cr_dn_canonical(mem_ctx, s, len, &canon, NULL);
	if (rc == 0) {
		rc = cr_dn_canonical(mem_ctx, canon, strlen(canon), &again,
				     NULL);
		if (rc != ENOMEM && (rc != 0 || strcmp(canon, again) != 0)) {
			abort();
		}
	}
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
