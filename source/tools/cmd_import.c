/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam import CERT KEY | FILE.p12: put a certificate and its key into
 * the store's certs/ (checked: the key must be the certificate's) and run
 * a roaming run, which turns them into Windows' certificate element and
 * DPAPI-protected key container and uploads them.  When the run cannot
 * finish (no DC), the files wait in certs/ for the next one.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "store/localstore.h"
#include "store/material.h"
#include "roam_cli.h"
#include "util/secret.h"
#include "util/stackframe.h"
#include "util/error.h"

#define IMPORT_USAGE \
	"CERT KEY | FILE.p12 [--p12-password-file F] " ROAM_CLI_OPTIONS

static bool looks_like_pkcs12(const uint8_t *data, size_t len)
{
	/* DER SEQUENCE, not PEM text */
	return len > 4 && data[0] == 0x30 && memmem(data, len, "-----", 5) ==
		NULL && memmem(data, len > 64 ? 64 : len,
			       "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07",
			       10) != NULL;
}

static int place_pair(TALLOC_CTX *mem_ctx, struct cr_store *store,
		      const struct cr_material_pair *pair, char **errmsg)
{
	char *crt = cr_material_der_to_pem(mem_ctx, "CERTIFICATE", pair->der,
					   pair->der_len);
	uint8_t *pem = NULL;
	size_t pem_len = 0;
	char name[64];
	int ret;

	if (crt == NULL) {
		return ENOMEM;
	}
	snprintf(name, sizeof(name), "%s.crt", pair->thumbprint);
	ret = cr_store_write_cert_file(store, name, (const uint8_t *)crt,
				       strlen(crt), 0644, errmsg);
	if (ret != 0 || pair->key == NULL) {
		return ret;
	}
	ret = cr_privkey_to_pkcs8(mem_ctx, pair->key, true, &pem, &pem_len,
				  errmsg);
	if (ret != 0) {
		return ret;
	}
	snprintf(name, sizeof(name), "%s.key", pair->thumbprint);
	return cr_store_write_cert_file(store, name, pem, pem_len, 0600,
					errmsg);
}

int cmd_import(struct cr_cli *cli, int argc, char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_roam_options opts = { .trigger = "import" };
	struct cr_roam_report *report = NULL;
	struct cr_material_pair *pair = NULL;
	struct cr_store *store = NULL;
	const char *files[2] = { NULL, NULL };
	const char *p12pw_file = NULL;
	char *p12pw = NULL;
	uint8_t *data[2] = { NULL, NULL };
	size_t len[2] = { 0, 0 };
	size_t nfiles = 0;
	char *path = NULL;
	char *err = NULL;
	int rc = CR_EXIT_FAIL;
	int ret;
	int i;

	cli->cmdpath = "import";
	for (i = 0; i < argc; i++) {
		int taken = roam_cli_take_option(cli, frame, argc, argv, &i,
						 &opts, &rc);
		if (taken < 0) {
			goto done;
		}
		if (taken > 0 || cr_cli_opt(argc, argv, &i,
					    "--p12-password-file",
					    &p12pw_file)) {
			continue;
		}
		if (argv[i][0] == '-' || nfiles == 2) {
			rc = cr_cli_usage(cli, IMPORT_USAGE,
					  "unexpected argument '%s'", argv[i]);
			goto done;
		}
		files[nfiles++] = argv[i];
	}
	if (nfiles == 0) {
		rc = cr_cli_usage(cli, IMPORT_USAGE, "what to import?");
		goto done;
	}
	for (i = 0; i < (int)nfiles; i++) {
		ret = cr_cli_read_file(frame, files[i], 1024 * 1024, &data[i],
				       &len[i], &err);
		if (ret != 0) {
			rc = cr_cli_fail(cli, "%s", err);
			goto done;
		}
		credroam_keep_secret(data[i]);
	}
	if (nfiles == 1 && looks_like_pkcs12(data[0], len[0])) {
		if (p12pw_file != NULL) {
			ret = cr_cli_read_password(frame, p12pw_file, &p12pw,
						   &err);
			if (ret != 0) {
				rc = cr_cli_fail(cli, "%s", err);
				goto done;
			}
		}
		ret = cr_material_pair_from_pkcs12(frame, files[0], data[0],
						   len[0], p12pw, &pair, &err);
	} else {
		ret = cr_material_pair_from_files(frame, files[0], data[0],
						  len[0], files[1], data[1],
						  len[1], &pair, &err);
	}
	if (ret != 0) {
		rc = cr_cli_fail(cli, "nothing imported: %s",
				 err ? err : strerror(ret));
		goto done;
	}
	if (opts.store_path != NULL) {
		path = talloc_strdup(frame, opts.store_path);
	} else {
		ret = cr_store_default_path(frame, &path, &err);
	}
	if (ret == 0) {
		ret = cr_store_open(frame, path, true, &store, &err);
	}
	if (ret == 0) {
		ret = place_pair(frame, store, pair, &err);
	}
	if (ret != 0) {
		rc = cr_cli_fail(cli, "nothing imported: %s",
				 err ? err : strerror(ret));
		goto done;
	}
	TALLOC_FREE(store);
	ret = cr_roam_run(frame, &opts, &report, &err);
	if (ret != 0) {
		rc = cr_cli_fail(cli, "%s is in %s/certs and will roam with "
				 "the next run; this one failed: %s",
				 pair->thumbprint, path,
				 err ? err : strerror(ret));
		goto done;
	}
	for (i = 0; i < (int)report->num_problems; i++) {
		const struct cr_roam_problem *p = &report->problems[i];
		if (strncmp(p->what, "certs/", 6) == 0 &&
		    strncmp(p->what + 6, pair->thumbprint, 40) == 0) {
			rc = cr_cli_fail(cli, "%s: %s", p->what, p->message);
			goto done;
		}
	}
	if (!report->roaming_on) {
		rc = cr_cli_fail(cli, "%s is in %s/certs, but roaming is off "
				 "for you: %s", pair->thumbprint, path,
				 report->off_reason ? report->off_reason
						    : "by policy");
		goto done;
	}
	if (cli->json) {
		rc = cr_cli_print_json(cli, cr_roam_report_json(report));
		goto done;
	}
	printf("imported %s\n", pair->thumbprint);
	roam_cli_print_report(report, false);
	rc = CR_EXIT_OK;
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return rc;
}
