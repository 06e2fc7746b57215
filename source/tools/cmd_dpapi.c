/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam dpapi: master keys, blobs and private keys (DESIGN.md 7).
 *
 *   dpapi masterkey FILE (--password-file F --sid SID | --backup-key PVK |
 *                         --prekey-file F | --dc [--server HOST])
 *   dpapi unprotect BLOB --master-key-file F [--entropy HEX]
 *   dpapi key FILE --master-key-file F [--out KEY.pem]
 *
 * Secrets come from files the user chose (F: a file, or - for standard
 * input), never from the command line, where /proc/PID/cmdline shows
 * them to every local user; what they unlock is printed because that is
 * the command's purpose.  A wrong key prints
 * nothing but the "HMAC check failed" reason.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic_file.h"
#include "ad/bkrp.h"
#include "cli.h"
#include "commands.h"
#include "dpapi/dpapi.h"
#include "dpapi/stackframe.h"
#include "util/encoding.h"
#include "util/error.h"
#include "util/secret.h"

#define CR_DPAPI_FILE_MAX (4 * 1024 * 1024)

static const char *cr_usage_masterkey =
	"FILE (--password-file F --sid SID | --backup-key PVK | "
	"--prekey-file F | --dc [--server HOST])";
static const char *cr_usage_unprotect = "BLOB --master-key-file F "
	"[--entropy HEX]";
static const char *cr_usage_key = "FILE --master-key-file F "
	"[--out KEY.pem]";


/* Hex from the command line (--entropy; marked in case it matters). */
static int cr_arg_hex(TALLOC_CTX *mem_ctx, const char *hex, const char *what,
		      uint8_t **out, size_t *out_len, char **errmsg)
{
	size_t n = strlen(hex);
	int ret;

	ret = cr_hex_decode(mem_ctx, hex, n, out, NULL);
	if (ret != 0) {
		cr_seterr(errmsg, "%s is not hex", what);
		return ret;
	}
	credroam_keep_secret(*out);
	*out_len = n / 2;
	return 0;
}

/*
 * A secret in hex from a file, or standard input for "-": one line, line
 * end and trailing blanks ignored.  Every copy is marked secret.
 */
static int cr_file_hex(TALLOC_CTX *mem_ctx, const char *path,
		       const char *what, uint8_t **out, size_t *out_len,
		       char **errmsg)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	*out_len = 0;
	ret = cr_cli_read_file(mem_ctx, path, 4096, &data, &len, errmsg);
	if (ret != 0) {
		return ret;
	}
	credroam_keep_secret(data);
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r' ||
			   data[len - 1] == ' ' || data[len - 1] == '\t')) {
		len--;
	}
	if (len == 0 || len % 2 != 0 ||
	    memchr(data, '\n', len) != NULL) {
		cr_seterr(errmsg, "%s '%s' must hold one line of hex "
			  "(an even number of digits)", what, path);
		ret = EINVAL;
		goto done;
	}
	ret = cr_hex_decode(mem_ctx, (const char *)data, len, out, NULL);
	if (ret != 0) {
		cr_seterr(errmsg, "%s '%s' is not hex", what, path);
		goto done;
	}
	credroam_keep_secret(*out);
	*out_len = len / 2;
done:
	TALLOC_FREE(data);
	return ret;
}

/* A secret given on the command line: refused, with what to use instead. */
static int cr_secret_arg(struct cr_cli *cli, const char *usage,
			 const char *opt)
{
	return cr_cli_usage(cli, usage, "%s HEX would show the key to every "
			    "local user (/proc/PID/cmdline): give %s-file F "
			    "(- for standard input)", opt, opt);
}

static const char *cr_alg_name(uint32_t alg, bool hash)
{
	if (hash) {
		const struct cr_dpapi_hash *h = cr_dpapi_hash_by_alg(alg);

		return h ? h->name : "unknown";
	} else {
		const struct cr_dpapi_cipher *c = cr_dpapi_cipher_by_alg(alg);

		return c ? c->name : "unknown";
	}
}

static int cr_dpapi_masterkey(struct cr_cli *cli, int argc, char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char *file = NULL;
	const char *pwfile = NULL;
	const char *sid = NULL;
	const char *pvk = NULL;
	const char *prekey_arg = NULL;
	const char *prekey_file = NULL;
	const char *server = NULL;
	bool dc = false;
	struct cr_mkf *mkf = NULL;
	struct cr_domainkey_plain *plain = NULL;
	enum cr_dpapi_derivation how = CR_DPAPI_DERIV_PREKEY;
	uint8_t *data = NULL;
	size_t len = 0;
	uint8_t *mk = NULL;
	uint8_t sha[20];
	char *err = NULL;
	int modes;
	int rc = CR_EXIT_FAIL;
	int ret;
	int i;

	for (i = 0; i < argc; i++) {
		if (cr_cli_opt(argc, argv, &i, "--password-file", &pwfile) ||
		    cr_cli_opt(argc, argv, &i, "--sid", &sid) ||
		    cr_cli_opt(argc, argv, &i, "--backup-key", &pvk) ||
		    cr_cli_opt(argc, argv, &i, "--prekey-file", &prekey_file) ||
		    cr_cli_opt(argc, argv, &i, "--prekey", &prekey_arg) ||
		    cr_cli_opt(argc, argv, &i, "--server", &server)) {
			continue;
		}
		if (strcmp(argv[i], "--dc") == 0) {
			dc = true;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			rc = cr_cli_usage(cli, cr_usage_masterkey,
					  "unknown option '%s'", argv[i]);
			goto done;
		}
		if (file != NULL) {
			rc = cr_cli_usage(cli, cr_usage_masterkey,
					  "one FILE only");
			goto done;
		}
		file = argv[i];
	}
	if (prekey_arg != NULL) {
		rc = cr_secret_arg(cli, cr_usage_masterkey, "--prekey");
		goto done;
	}
	modes = (pwfile != NULL) + (pvk != NULL) + (prekey_file != NULL) + dc;
	if (file == NULL || modes != 1 || ((pwfile != NULL) != (sid != NULL)) ||
	    (server != NULL && !dc)) {
		rc = cr_cli_usage(cli, cr_usage_masterkey,
				  "give FILE and exactly one way to unlock it");
		goto done;
	}
	ret = cr_cli_read_file(frame, file, CR_DPAPI_FILE_MAX, &data, &len,
			       &err);
	if (ret == 0) {
		ret = cr_mkf_parse(frame, data, len, file, &mkf, &err);
	}
	if (ret != 0) {
		rc = cr_cli_fail(cli, "%s", err);
		goto done;
	}
	if (pwfile != NULL) {
		char *pw = NULL;

		ret = cr_cli_read_password(frame, pwfile, &pw, &err);
		if (ret == 0) {
			ret = cr_mkf_decrypt_password(frame, mkf, pw, sid, &mk,
						      &how, &err);
		}
		TALLOC_FREE(pw);
	} else if (prekey_file != NULL) {
		uint8_t *pk = NULL;
		size_t pk_len = 0;

		ret = cr_file_hex(frame, prekey_file, "pre-key file", &pk,
				  &pk_len, &err);
		if (ret == 0) {
			ret = cr_mkf_decrypt_prekey(frame, mkf, pk, pk_len,
						    &mk, &err);
		}
		how = CR_DPAPI_DERIV_PREKEY;
	} else if (dc) {
		/* MS-BKRP restore with the caller's ticket (bkrp.h) */
		struct cr_ad_params params = { .dc = server };
		struct cr_adconn *conn = NULL;
		struct cr_bkrp *bkrp = NULL;
		size_t mk_len = 0;

		/* over a connection that can check the DC's identity */
		ret = cr_adconn_connect(frame, &params, &conn, &err);
		if (ret == 0) {
			ret = cr_bkrp_connect_conn(frame, conn, &bkrp, &err);
		}
		if (ret == 0) {
			ret = cr_bkrp_masterkey(frame, bkrp, mkf, &mk, &mk_len,
						&err);
		}
		how = CR_DPAPI_DERIV_DC;
	} else {
		uint8_t *pdata = NULL;
		size_t plen = 0;
		struct cr_rsa_key *rsa = NULL;
		gnutls_privkey_t key = NULL;
		uint32_t spec = 0;

		ret = cr_cli_read_file(frame, pvk, 64 * 1024, &pdata, &plen,
				       &err);
		if (ret == 0) {
			credroam_keep_secret(pdata);
			ret = cr_pvk_parse(frame, pdata, plen, &rsa, &spec,
					   &err);
		}
		if (ret == 0) {
			ret = cr_rsa_key_to_privkey(rsa, &key, &err, frame);
		}
		if (ret == 0) {
			ret = cr_mkf_decrypt_backupkey(frame, mkf, key, &mk,
						       &plain, &err);
			gnutls_privkey_deinit(key);
		}
		how = CR_DPAPI_DERIV_BACKUP_KEY;
	}
	if (ret != 0) {
		rc = cr_cli_fail(cli, "%s", err ? err : strerror(ret));
		goto done;
	}
	if (!cr_dpapi_mk_sha1(mk, CR_DPAPI_MK_LEN, sha)) {
		rc = cr_cli_fail(cli, "SHA-1 failed");
		goto done;
	}
	if (cli->json) {
		json_t *o = json_object();
		char *mk_hex = cr_hex_lower(frame, mk, CR_DPAPI_MK_LEN);

		credroam_keep_secret(mk_hex);
		json_object_set_new(o, "guid", json_string(mkf->guid));
		json_object_set_new(o, "policy", json_integer(mkf->policy));
		json_object_set_new(o, "master_key", json_string(mk_hex));
		json_object_set_new(o, "master_key_sha1",
			json_string(cr_hex_lower(frame, sha, sizeof(sha))));
		json_object_set_new(o, "derivation",
			json_string(cr_dpapi_derivation_name(how)));
		json_object_set_new(o, "rounds",
			json_integer(mkf->mk->rounds));
		json_object_set_new(o, "hash_algorithm",
			json_string(cr_alg_name(mkf->mk->alg_hash, true)));
		json_object_set_new(o, "cipher_algorithm",
			json_string(cr_alg_name(mkf->mk->alg_crypt, false)));
		if (mkf->dk != NULL) {
			json_object_set_new(o, "domain_key_version",
				json_integer(mkf->dk->version));
			json_object_set_new(o, "domain_key_guid", json_string(
				cr_guid_string(frame, &mkf->dk->key_guid)));
		}
		if (plain != NULL) {
			json_object_set_new(o, "access_sid",
				json_string(plain->access_sid));
		}
		rc = cr_cli_print_json(cli, o);
		goto done;
	}
	printf("guid:             %s\n", mkf->guid);
	printf("policy:           0x%x\n", mkf->policy);
	printf("algorithms:       %s/%s, %u rounds\n",
	       cr_alg_name(mkf->mk->alg_hash, true),
	       cr_alg_name(mkf->mk->alg_crypt, false), mkf->mk->rounds);
	if (mkf->dk != NULL) {
		printf("domain key:       version %u, backup key %s\n",
		       mkf->dk->version,
		       cr_guid_string(frame, &mkf->dk->key_guid));
	}
	if (plain != NULL) {
		printf("access SID:       %s\n", plain->access_sid);
	}
	printf("derivation:       %s\n", cr_dpapi_derivation_name(how));
	{
		char *mk_hex = cr_hex_lower(frame, mk, CR_DPAPI_MK_LEN);

		credroam_keep_secret(mk_hex);
		printf("master key:       %s\n", mk_hex);
	}
	printf("master key SHA-1: %s\n",
	       cr_hex_lower(frame, sha, sizeof(sha)));
	rc = CR_EXIT_OK;
done:
	credroam_wipe(sha, sizeof(sha));
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return rc;
}

static int cr_dpapi_unprotect_cmd(struct cr_cli *cli, int argc, char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char *file = NULL;
	const char *mk_arg = NULL;
	const char *mk_file = NULL;
	const char *ent_hex = NULL;
	struct cr_dpapi_blob *b = NULL;
	uint8_t *data = NULL;
	uint8_t *mk = NULL;
	uint8_t *ent = NULL;
	uint8_t *plain = NULL;
	size_t len = 0;
	size_t mk_len = 0;
	size_t ent_len = 0;
	size_t plain_len = 0;
	char *err = NULL;
	int rc = CR_EXIT_FAIL;
	int ret;
	int i;

	for (i = 0; i < argc; i++) {
		if (cr_cli_opt(argc, argv, &i, "--master-key-file",
			       &mk_file) ||
		    cr_cli_opt(argc, argv, &i, "--master-key", &mk_arg) ||
		    cr_cli_opt(argc, argv, &i, "--entropy", &ent_hex)) {
			continue;
		}
		if ((argv[i][0] == '-' && argv[i][1] != '\0') ||
		    file != NULL) {
			rc = cr_cli_usage(cli, cr_usage_unprotect,
					  "unexpected '%s'", argv[i]);
			goto done;
		}
		file = argv[i];
	}
	if (mk_arg != NULL) {
		rc = cr_secret_arg(cli, cr_usage_unprotect, "--master-key");
		goto done;
	}
	if (file == NULL || mk_file == NULL) {
		rc = cr_cli_usage(cli, cr_usage_unprotect,
				  "BLOB and --master-key-file are required");
		goto done;
	}
	if (ent_hex != NULL) {
		ret = cr_arg_hex(frame, ent_hex, "--entropy", &ent, &ent_len,
				 &err);
		if (ret != 0) {
			rc = cr_cli_usage(cli, cr_usage_unprotect, "%s", err);
			goto done;
		}
	}
	ret = cr_file_hex(frame, mk_file, "master key file", &mk, &mk_len,
			  &err);
	if (ret != 0) {
		rc = cr_cli_fail(cli, "%s", err);
		goto done;
	}
	ret = cr_cli_read_file(frame, file, CR_DPAPI_FILE_MAX, &data, &len,
			       &err);
	if (ret == 0) {
		ret = cr_dpapi_blob_parse(frame, data, len, &b, &err);
	}
	if (ret == 0) {
		ret = cr_dpapi_blob_decrypt(frame, b, mk, mk_len, ent, ent_len,
					    &plain, &plain_len, &err);
	}
	if (ret != 0) {
		rc = cr_cli_fail(cli, "'%s': %s", file, err);
		goto done;
	}
	if (cli->json) {
		json_t *o = json_object();
		char *hex = cr_hex_lower(frame, plain, plain_len);

		credroam_keep_secret(hex);
		json_object_set_new(o, "plaintext_hex", json_string(hex));
		json_object_set_new(o, "description",
			json_string(cr_dpapi_blob_description(frame, b)));
		json_object_set_new(o, "master_key_guid",
			json_string(cr_guid_string(frame, &b->mk_guid)));
		json_object_set_new(o, "flags", json_integer(b->flags));
		json_object_set_new(o, "cipher_algorithm",
			json_string(cr_alg_name(b->alg_crypt, false)));
		json_object_set_new(o, "hash_algorithm",
			json_string(cr_alg_name(b->alg_hash, true)));
		rc = cr_cli_print_json(cli, o);
		goto done;
	}
	if (fwrite(plain, 1, plain_len, stdout) != plain_len ||
	    fflush(stdout) != 0) {
		rc = cr_cli_fail(cli, "cannot write the plaintext: %s",
				 strerror(errno));
		goto done;
	}
	rc = CR_EXIT_OK;
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return rc;
}

/* Create path 0600 with the content, atomically. */
static int cr_write_private(TALLOC_CTX *mem_ctx, const char *path,
			    const uint8_t *data, size_t len, char **errmsg)
{
	int ret = cr_write_atomic(path, data, len, 0600, true);

	if (ret != 0) {
		cr_seterr(errmsg, "cannot write '%s': %s", path,
			  strerror(ret));
	}
	return ret;
}

static int cr_dpapi_key_cmd(struct cr_cli *cli, int argc, char **argv)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const char *file = NULL;
	const char *mk_arg = NULL;
	const char *mk_file = NULL;
	const char *out = NULL;
	struct cr_dpapi_keyfile_info info;
	struct cr_privkey *key = NULL;
	const char *alg = NULL;
	uint8_t *data = NULL;
	uint8_t *mk = NULL;
	uint8_t *pem = NULL;
	size_t len = 0;
	size_t mk_len = 0;
	size_t pem_len = 0;
	char *err = NULL;
	int rc = CR_EXIT_FAIL;
	int ret;
	int i;

	for (i = 0; i < argc; i++) {
		if (cr_cli_opt(argc, argv, &i, "--master-key-file",
			       &mk_file) ||
		    cr_cli_opt(argc, argv, &i, "--master-key", &mk_arg) ||
		    cr_cli_opt(argc, argv, &i, "--out", &out)) {
			continue;
		}
		if ((argv[i][0] == '-' && argv[i][1] != '\0') ||
		    file != NULL) {
			rc = cr_cli_usage(cli, cr_usage_key, "unexpected '%s'",
					  argv[i]);
			goto done;
		}
		file = argv[i];
	}
	if (mk_arg != NULL) {
		rc = cr_secret_arg(cli, cr_usage_key, "--master-key");
		goto done;
	}
	if (file == NULL || mk_file == NULL) {
		rc = cr_cli_usage(cli, cr_usage_key,
				  "FILE and --master-key-file are required");
		goto done;
	}
	ret = cr_file_hex(frame, mk_file, "master key file", &mk, &mk_len,
			  &err);
	if (ret != 0) {
		rc = cr_cli_fail(cli, "%s", err);
		goto done;
	}
	ret = cr_cli_read_file(frame, file, CR_DPAPI_FILE_MAX, &data, &len,
			       &err);
	if (ret == 0) {
		ret = cr_dpapi_keyfile_decrypt_any(frame, data, len, mk,
						   mk_len, &key, &info, &err);
	}
	if (ret == 0) {
		ret = cr_privkey_to_pkcs8(frame, key, true, &pem, &pem_len,
					  &err);
	}
	if (ret == 0 && out != NULL) {
		ret = cr_write_private(frame, out, pem, pem_len, &err);
	}
	if (ret != 0) {
		rc = cr_cli_fail(cli, "'%s': %s", file, err);
		goto done;
	}
	if (cli->json) {
		json_t *o = json_object();

		json_object_set_new(o, "kind", json_string(info.kind));
		json_object_set_new(o, "name", json_string(info.name));
		alg = key->alg == GNUTLS_PK_RSA ? "rsa" :
		      key->alg == GNUTLS_PK_DSA ? "dsa" :
		      key->ec->ecdh ? "ecdh" : "ecdsa";
		json_object_set_new(o, "algorithm", json_string(alg));
		json_object_set_new(o, "key", json_string(
			cr_privkey_describe(frame, key)));
		if (key->alg == GNUTLS_PK_RSA) {
			json_object_set_new(o, "bits", json_integer(
				cr_rsa_key_bits(key->rsa)));
		}
		if (info.export_flag != UINT32_MAX) {
			json_object_set_new(o, "export_flag",
					    json_integer(info.export_flag));
		}
		if (out != NULL) {
			json_object_set_new(o, "out", json_string(out));
		} else {
			json_object_set_new(o, "private_key_pem",
				json_stringn((const char *)pem, pem_len));
		}
		rc = cr_cli_print_json(cli, o);
		goto done;
	}
	if (out == NULL &&
	    (fwrite(pem, 1, pem_len, stdout) != pem_len ||
	     fflush(stdout) != 0)) {
		rc = cr_cli_fail(cli, "cannot write the key: %s",
				 strerror(errno));
		goto done;
	}
	if (out != NULL) {
		fprintf(stderr, "%s: %s key '%s' (%s) written to %s\n",
			cli->progname, info.kind, info.name,
			cr_privkey_describe(frame, key), out);
	}
	rc = CR_EXIT_OK;
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return rc;
}

static const struct cr_cmd cr_dpapi_commands[] = {
	{ "masterkey", cr_dpapi_masterkey,
	  "FILE --password-file F --sid SID|--backup-key PVK|--prekey-file F"
	  "|--dc",
	  "decrypt a master key file" },
	{ "unprotect", cr_dpapi_unprotect_cmd,
	  "BLOB --master-key-file F [--entropy HEX]",
	  "decrypt a DPAPI blob to stdout" },
	{ "key", cr_dpapi_key_cmd, "FILE --master-key-file F [--out KEY.pem]",
	  "CAPI/CNG/MIB1 private key to PKCS#8 PEM" },
	{ NULL, NULL, NULL, NULL },
};

int cmd_dpapi(struct cr_cli *cli, int argc, char **argv)
{
	return cr_cli_dispatch(cli, cr_dpapi_commands, argc, argv);
}
