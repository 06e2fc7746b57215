/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cr_polwrite OUT [--from OLD] NAME=VALUE | NAME=unset | NAME=del ...
 *
 * Writes a GPO's User/Registry.pol the way the admin side will
 * (policy_pol_update): NAME=VALUE sets a DIMS value (REG_DWORD), NAME=unset
 * drops it ("not configured").  NAME=del appends a "**del.NAME" entry
 * (REG_SZ " ", as the Group Policy editor writes a deletion).  NAME is
 * the registry value name (DIMSRoaming, DIMSRoamingTombstoneDays, ...).
 * For the Group Policy integration tests.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <talloc.h>

#include "gpo/policy.h"
#include "format/preg.h"

static int read_all(TALLOC_CTX *mem_ctx, const char *path, uint8_t **pdata,
		    size_t *plen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0;
	size_t cap = 0;

	if (f == NULL) {
		return errno;
	}
	while (!feof(f)) {
		size_t r;

		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			data = talloc_realloc(mem_ctx, data, uint8_t, cap);
			if (data == NULL) {
				fclose(f);
				return ENOMEM;
			}
		}
		r = fread(data + len, 1, cap - len, f);
		len += r;
		if (r == 0 && ferror(f)) {
			fclose(f);
			return EIO;
		}
	}
	fclose(f);
	*pdata = data;
	*plen = len;
	return 0;
}

static int lookup(const char *name, size_t len, enum policy_id *pid)
{
	unsigned i;

	for (i = 0; i < POLICY_NUM; i++) {
		const char *n = policy_value_name((enum policy_id)i);

		if (strlen(n) == len && strncasecmp(n, name, len) == 0) {
			*pid = (enum policy_id)i;
			return 0;
		}
	}
	return ENOENT;
}

int main(int argc, char **argv)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct policy_change *changes = NULL;
	const char **dels = NULL;
	size_t num_changes = 0;
	size_t num_dels = 0;
	uint8_t *old = NULL;
	size_t old_len = 0;
	uint8_t *out = NULL;
	size_t out_len = 0;
	struct preg_file *f = NULL;
	const char *out_path = NULL;
	char *err = NULL;
	FILE *fo = NULL;
	size_t written = 0;
	int rc = 1;
	int ret;
	int i;

	if (argc < 2 || mem == NULL) {
		fprintf(stderr, "usage: cr_polwrite OUT [--from OLD] "
			"NAME=VALUE|NAME=unset|NAME=del ...\n");
		return 2;
	}
	out_path = argv[1];
	changes = talloc_zero_array(mem, struct policy_change, argc);
	dels = talloc_zero_array(mem, const char *, argc);
	if (changes == NULL || dels == NULL) {
		goto done;
	}
	for (i = 2; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		enum policy_id id = POLICY_NUM;
		int found = ENOENT;

		if (strcmp(argv[i], "--from") == 0 && i + 1 < argc) {
			ret = read_all(mem, argv[++i], &old, &old_len);
			if (ret != 0) {
				fprintf(stderr, "cr_polwrite: %s: %s\n",
					argv[i], strerror(ret));
				goto done;
			}
			continue;
		}
		if (eq != NULL) {
			found = lookup(argv[i], (size_t)(eq - argv[i]), &id);
		}
		if (found != 0) {
			fprintf(stderr, "cr_polwrite: bad change '%s'\n",
				argv[i]);
			rc = 2;
			goto done;
		}
		if (strcmp(eq + 1, "del") == 0) {
			dels[num_dels++] = policy_value_name(id);
			continue;
		}
		changes[num_changes].id = id;
		if (strcmp(eq + 1, "unset") == 0) {
			changes[num_changes].remove = true;
		} else {
			changes[num_changes].value =
				(uint32_t)strtoul(eq + 1, NULL, 0);
		}
		num_changes++;
	}
	ret = policy_pol_update(mem, old, old_len, changes, num_changes,
				&out, &out_len, &err);
	if (ret == 0 && num_dels > 0) {
		ret = preg_parse(mem, out, out_len, out_path, &f, &err);
		for (i = 0; ret == 0 && (size_t)i < num_dels; i++) {
			char *name = talloc_asprintf(mem, "**del.%s", dels[i]);

			ret = (name != NULL)
				? preg_add_sz(f, POLICY_KEY, name, " ", &err)
				: ENOMEM;
		}
		if (ret == 0) {
			ret = preg_write(mem, f, &out, &out_len, &err);
		}
	}
	if (ret != 0) {
		fprintf(stderr, "cr_polwrite: %s\n", err ? err : strerror(ret));
		goto done;
	}
	fo = fopen(out_path, "wb");
	written = (fo != NULL) ? fwrite(out, 1, out_len, fo) : 0;
	if (written != out_len) {
		fprintf(stderr, "cr_polwrite: cannot write '%s'\n", out_path);
		goto done;
	}
	rc = 0;
done:
	if (fo != NULL) {
		ret = fclose(fo);
		rc = (ret != 0) ? 1 : rc;
	}
	talloc_free(mem);
	return rc;
}
