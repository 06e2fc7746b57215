/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam export THUMBPRINT --p12 OUT: a PKCS#12 of a roamed certificate
 * and its private key: the key file the last run made (materialize =
 * files), else the key decrypted in memory from its roamed container
 * with the session's master keys (materialize = token: no key file).  The
 * PKCS#12 password comes from --p12-password-file (a key is never written
 * unprotected outside the store).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/atomic_file.h"
#include "commands.h"
#include "util/error.h"
#include "store/localstore.h"
#include "store/material.h"
#include "roam_cli.h"
#include "util/secret.h"
#include "util/stackframe.h"

#define EXPORT_USAGE \
	"THUMBPRINT --p12 OUT --p12-password-file F " ROAM_CLI_OPTIONS

/* The PKCS#12, atomically, never over an existing file. */
static int write_new_file(const char *path, const uint8_t *data, size_t len,
			  char **errmsg, TALLOC_CTX *errctx)
{
	int ret = cr_write_atomic(path, data, len, 0600, false);

	if (ret != 0) {
		cr_seterr(errmsg, "cannot write '%s': %s", path,
			  ret == EEXIST ? "it exists (not overwritten)"
					: strerror(ret));
	}
	return ret;
}

int cmd_export(struct cr_cli *cli, int argc, char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_material_pair *pair = NULL;
	struct cr_store *store = NULL;
	const char *thumbprint = NULL;
	const char *out = NULL;
	const char *pwfile = NULL;
	struct cr_roam_options opts = { .trigger = "export" };
	char *pem = NULL;
	size_t pem_len = 0;
	bool no_key_file = false;
	char *password = NULL;
	char *path = NULL;
	char *name_crt = NULL;
	char *name_key = NULL;
	uint8_t *crt = NULL;
	size_t crt_len = 0;
	uint8_t *key = NULL;
	size_t key_len = 0;
	uint8_t *p12 = NULL;
	size_t p12_len = 0;
	char *err = NULL;
	int rc = CR_EXIT_FAIL;
	int ret;
	int i;

	cli->cmdpath = "export";
	for (i = 0; i < argc; i++) {
		int taken = roam_cli_take_option(cli, frame, argc, argv, &i,
						 &opts, &rc);

		if (taken < 0) {
			goto done;
		}
		if (taken > 0 ||
		    cr_cli_opt(argc, argv, &i, "--p12", &out) ||
		    cr_cli_opt(argc, argv, &i, "--p12-password-file",
			       &pwfile)) {
			continue;
		}
		if (argv[i][0] == '-' || thumbprint != NULL) {
			rc = cr_cli_usage(cli, EXPORT_USAGE,
					  "unexpected argument '%s'", argv[i]);
			goto done;
		}
		thumbprint = argv[i];
	}
	if (thumbprint == NULL || out == NULL || pwfile == NULL) {
		rc = cr_cli_usage(cli, EXPORT_USAGE, "THUMBPRINT, --p12 and "
				  "--p12-password-file are required");
		goto done;
	}
	name_crt = talloc_asprintf(frame, "%s.crt", thumbprint);
	name_key = talloc_asprintf(frame, "%s.key", thumbprint);
	ret = cr_cli_read_password(frame, pwfile, &password, &err);
	if (ret == 0) {
		path = talloc_strdup(frame, opts.store_path);
		if (path == NULL) {
			ret = cr_store_default_path(frame, &path, &err);
		}
	}
	if (ret == 0) {
		ret = cr_store_open(frame, path, false, &store, &err);
	}
	if (ret == 0) {
		ret = cr_store_read_cert_file(frame, store, name_crt, &crt,
					      &crt_len, &err);
		if (ret == ENOENT) {
			err = talloc_asprintf(frame, "no certificate %s in "
					      "%s/certs (see 'credroam list "
					      "--local')", thumbprint, path);
		}
	}
	if (ret == 0) {
		ret = cr_store_read_cert_file(frame, store, name_key, &key,
					      &key_len, NULL);
		credroam_keep_secret(key);
		no_key_file = ret == ENOENT;
	}
	if (no_key_file) {
		/* no key file (materialize = token): from its container */
		TALLOC_FREE(store);
		ret = cr_roam_export_key(frame, &opts, thumbprint, &pem,
					 &pem_len, &err);
		key = (uint8_t *)pem;
		key_len = pem_len;
		if (ret != 0) {
			cr_wraperr(&err, "the private key of %s is not usable "
				   "on this machine (with --password-file "
				   "if your DC cannot unlock it)",
				   thumbprint);
		}
	}
	if (ret == 0) {
		ret = cr_material_pair_from_files(frame, name_crt, crt,
						  crt_len, name_key, key,
						  key_len, &pair, &err);
	}
	if (ret == 0) {
		ret = cr_material_pkcs12(frame, pair->der, pair->der_len,
					 pair->key, password, thumbprint,
					 &p12, &p12_len, &err);
	}
	if (ret == 0) {
		ret = write_new_file(out, p12, p12_len, &err, frame);
	}
	if (ret != 0) {
		rc = cr_cli_fail(cli, "%s", err ? err : strerror(ret));
		goto done;
	}
	if (!cli->json) {
		printf("%s exported to %s\n", thumbprint, out);
		rc = CR_EXIT_OK;
		goto done;
	}
	rc = cr_cli_print_json(cli, json_pack("{s:s,s:s,s:I}", "thumbprint",
					      thumbprint, "file", out, "size",
					      (json_int_t)p12_len));
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return rc;
}
