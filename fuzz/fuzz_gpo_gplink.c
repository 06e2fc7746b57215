/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target for the Group Policy link strings: gPLink values
 * (gpo_parse_gplink), gPCUserExtensionNames and user DNs (the container
 * chain).  Oracle: every gPLink accepted, written back as
 * "[LDAP://<dn>;<options>]", parses to the same links.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "gpo/gpo_link.h"
#include "util/error.h"

/* A domain's gPLink holds a few links; the parser stops at 256 KiB. */
#define MAX_LENGTH (GPO_MAX_GPLINK_LEN + 16)

static int fuzz_one_input(const uint8_t *data, size_t size);

static void roundtrip(TALLOC_CTX *mem, const struct gpo_link *l, size_t n)
{
	struct gpo_link *again = NULL;
	size_t n2 = 0;
	char *s = talloc_strdup(mem, "");
	char *err = NULL;
	size_t i;
	int rc;

	for (i = 0; i < n && s != NULL; i++) {
		s = talloc_asprintf_append(s, "[LDAP://%s;%u]", l[i].dn,
					   l[i].options);
	}
	if (s == NULL) {
		return;
	}
	rc = gpo_parse_gplink(mem, s, "again", &again, &n2, &err);
	if (rc == ENOMEM) {
		return;
	}
	if (rc != 0 || n2 != n) {
		abort();
	}
	for (i = 0; i < n; i++) {
		if (strcmp(again[i].dn, l[i].dn) != 0 ||
		    strcmp(again[i].guid, l[i].guid) != 0 ||
		    again[i].options != l[i].options) {
			abort();
		}
	}
}

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL;
	struct gpo_link *links = NULL;
	struct gpo_som *soms = NULL;
	size_t n = 0;
	char *s = NULL;
	char *err = NULL;
	int rc;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem = talloc_new(NULL);
	s = (mem != NULL) ? talloc_strndup(mem, (const char *)data, size)
			  : NULL;
	if (s == NULL) {
		talloc_free(mem);
		return 0;
	}
	rc = gpo_parse_gplink(mem, s, "fuzz", &links, &n, &err);
	if (rc == 0) {
		roundtrip(mem, links, n);
	} else if (rc != ENOMEM && err == NULL) {
		/* a refusal always says why */
		abort();
	}
	(void)gpo_lists_registry_cse(s);
	rc = gpo_user_chain(mem, s, &soms, &n, &err);
	if (rc == 0 && (n == 0 || soms[0].kind != GPO_SOM_DOMAIN)) {
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
