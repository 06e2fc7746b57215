/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cr_adprobe: exercise adconn/adstore from integration tests.
 *
 *   cr_adprobe [--user NAME] [--dc HOST] timestamp
 *       print NAME's msPKIRoamingTimeStamp as hex, or "absent"
 *   cr_adprobe [--user NAME] count
 *       print "<credentials> <masterkeys>" value counts
 *   cr_adprobe [--user NAME] change ATTR OLD NEW
 *       one value-level change ("-" for none); exit 3 on a conflict
 *   cr_adprobe [--user NAME] bump
 *       bump the timestamp
 *   cr_adprobe whoami
 *   cr_adprobe [--user NAME] put|del TOKENFILE
 *       add / delete one token (as a DN-Binary value of NAME's DN) in the
 *       attribute its type belongs to
 *   cr_adprobe [--user NAME] value TOKENFILE
 *       print the DN-Binary value put would write
 *   cr_adprobe mkvalues DN TYPE N SIZE [SEED]
 *       print N DN-Binary values of tokens of TYPE with SIZE data bytes
 *       (offline; identifiers are SHA-1 thumbprints of SEED<i>)
 *   cr_adprobe mktomb TOKENFILE OUT
 *       write the tombstone of a token (offline)
 *   cr_adprobe mkmk CERT SID OUT
 *       create a master key file for SID with a domain key section wrapped
 *       for the backup key certificate CERT (DER); print the master key
 *   cr_adprobe bkrp-cert OUT
 *       fetch the domain backup key certificate over MS-BKRP (DER to OUT)
 *   cr_adprobe bkrp-restore MKFILE
 *       ask the DC to unwrap MKFILE's domain key section; print the key
 *   cr_adprobe [--user NAME] usn
 *       print the user object's uSNChanged
 *   cr_adprobe dcverify | dcverify-twice
 *       check that the server is a DC (dcverify.h), once or twice on one
 *       connection; print "<kind> <account> <host> <N> searches"
 *
 * --dc-account DN [--dc-host H]: before the command, take DN as the
 * server's computer account (and H as the ticket's host) instead of what
 * its rootDSE says (cr_dcverify_account), so every later check on this
 * connection sees that identity.
 *
 * Uses the caller's Kerberos ticket ($KRB5CCNAME).  Exit 0 ok, 1 failure
 * (message on stderr), 2 usage, 3 conflict (ESTALE).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "ad/adconn.h"
#include "ad/adstore.h"
#include "ad/bkrp.h"
#include "ad/dcverify.h"
#include "util/error.h"
#include "dpapi/dpapi.h"
#include "util/encoding.h"
#include "format/token.h"
#include "ad/who.h"

static int fail(int ret, const char *msg)
{
	fprintf(stderr, "cr_adprobe: %s\n", msg ? msg : strerror(ret));
	return ret == ESTALE ? 3 : 1;
}

static int read_file(TALLOC_CTX *mem_ctx, const char *path, uint8_t **data,
		     size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL) {
		return errno;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return EIO;
	}
	buf = talloc_size(mem_ctx, n + 1);
	if (buf == NULL || fread(buf, 1, n, f) != (size_t)n) {
		fclose(f);
		return EIO;
	}
	fclose(f);
	*data = buf;
	*len = n;
	return 0;
}

static int write_file(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (f == NULL) {
		return errno;
	}
	ok = fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	return ok ? 0 : EIO;
}

/* N values of generated tokens, one per line. */
static int mkvalues(TALLOC_CTX *mem, int argc, char **argv)
{
	const char *dn = argv[0];
	unsigned type = atoi(argv[1]);
	unsigned n = atoi(argv[2]);
	size_t size = atoi(argv[3]);
	const char *seed = argc > 4 ? argv[4] : "credroam";
	uint8_t *data = talloc_zero_size(mem, size + 1);
	unsigned i;

	for (i = 0; i < n && data != NULL; i++) {
		struct cr_token *t = NULL;
		uint8_t sha[CR_SHA1_LEN];
		uint8_t *raw = NULL;
		size_t raw_len = 0;
		char *name = talloc_asprintf(mem, "%s%u", seed, i);
		char *id = NULL;
		char *value = NULL;
		char *err = NULL;
		size_t k;
		int ret;

		cr_sha1(name, strlen(name), sha);
		id = cr_hex_upper(mem, sha, sizeof(sha));
		if (type == CR_TOKEN_CNG_KEY) {
			id = cr_hex_lower(mem, sha, sizeof(sha));
		} else if (type == CR_TOKEN_DPAPI_MASTER_KEY) {
			struct cr_guid g;

			memcpy(g.b, sha, sizeof(g.b));
			id = cr_guid_string(mem, &g);
		}
		for (k = 0; k < size; k++) {
			data[k] = (uint8_t)(sha[k % sizeof(sha)] + k);
		}
		ret = cr_token_build(mem, type, id, cr_filetime_now(), 0,
				     data, size, NULL, 0, &t, &err);
		if (ret == 0) {
			ret = cr_token_serialize(mem, t, &raw, &raw_len, &err);
		}
		if (ret == 0) {
			ret = cr_dnbinary_build(mem, raw, raw_len, dn, &value,
						&err);
		}
		if (ret != 0) {
			return fail(ret, err);
		}
		printf("%s\n", value);
		talloc_free(t);
		talloc_free(raw);
		talloc_free(value);
	}
	return 0;
}

static int mktomb(TALLOC_CTX *mem, const char *in, const char *out)
{
	struct cr_token *t = NULL;
	struct cr_token *tomb = NULL;
	uint8_t *data = NULL;
	uint8_t *raw = NULL;
	size_t len = 0;
	size_t raw_len = 0;
	char *err = NULL;
	int ret;

	ret = read_file(mem, in, &data, &len);
	if (ret == 0) {
		ret = cr_token_parse(mem, data, len, &t, NULL, &err);
	}
	if (ret == 0) {
		ret = cr_token_tombstone(mem, t, cr_filetime_now(), &tomb,
					 &err);
	}
	if (ret == 0) {
		ret = cr_token_serialize(mem, tomb, &raw, &raw_len, &err);
	}
	if (ret == 0) {
		ret = write_file(out, raw, raw_len);
	}
	return (ret == 0) ? 0 : fail(ret, err);
}

/* A master key file with a domain key section for the cert in CERT. */
static int mkmk(TALLOC_CTX *mem, const char *certfile, const char *sid,
		const char *out)
{
	struct cr_backup_pubkey *backup = NULL;
	struct cr_mkf_params p = { .sid = NULL };
	struct cr_mkf *mkf = NULL;
	uint8_t prekey[CR_DPAPI_PREKEY_LEN];
	uint8_t *der = NULL;
	uint8_t *mk = NULL;
	uint8_t *file = NULL;
	size_t der_len = 0;
	size_t file_len = 0;
	char *err = NULL;
	int ret;

	memset(prekey, 0x5a, sizeof(prekey));
	ret = read_file(mem, certfile, &der, &der_len);
	if (ret == 0) {
		ret = cr_backup_pubkey_from_cert(mem, der, der_len, &backup,
						 &err);
	}
	if (ret != 0) {
		return fail(ret, err);
	}
	p.sid = sid;
	p.prekey = prekey;
	p.prekey_len = sizeof(prekey);
	p.backup = backup;
	ret = cr_mkf_create(mem, &p, &mkf, &mk, &err);
	if (ret == 0) {
		ret = cr_mkf_serialize(mem, mkf, &file, &file_len, &err);
	}
	if (ret == 0) {
		ret = write_file(out, file, file_len);
	}
	if (ret != 0) {
		return fail(ret, err);
	}
	printf("%s\n", cr_hex_lower(mem, mk, CR_DPAPI_MK_LEN));
	return 0;
}

static int bkrp_cmd(TALLOC_CTX *mem, struct cr_adconn *conn,
		    const char *cmd, const char *arg)
{
	struct cr_bkrp *bkrp = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char *err = NULL;
	int ret;

	ret = cr_bkrp_connect_conn(mem, conn, &bkrp, &err);
	if (ret != 0) {
		return fail(ret, err);
	}
	if (strcmp(cmd, "bkrp-cert") == 0) {
		ret = cr_bkrp_retrieve_cert(mem, bkrp, &data, &len, &err);
		if (ret == 0) {
			ret = write_file(arg, data, len);
		}
		if (ret != 0) {
			return fail(ret, err);
		}
		printf("%zu %s\n", len, bkrp->binding);
	} else {
		struct cr_mkf *mkf = NULL;
		uint8_t *sec = NULL;
		uint8_t *reply = NULL;
		uint8_t *mk = NULL;
		size_t sec_len = 0;
		size_t reply_len = 0;
		size_t mk_len = 0;

		ret = read_file(mem, arg, &data, &len);
		if (ret == 0) {
			ret = cr_mkf_parse(mem, data, len, arg, &mkf, &err);
		}
		if (ret == 0 && mkf->dk == NULL) {
			err = talloc_asprintf(mem, "'%s' has no domain key",
					      arg);
			ret = ENOENT;
		}
		if (ret == 0) {
			ret = cr_domainkey_serialize(mem, mkf->dk, &sec,
						     &sec_len, &err);
		}
		if (ret == 0) {
			ret = cr_bkrp_restore(mem, bkrp, sec, sec_len, &reply,
					      &reply_len, &err);
		}
		if (ret == 0) {
			ret = cr_domainkey_dc_reply(mem, reply, reply_len,
						    &mk, &mk_len, &err);
		}
		if (ret != 0) {
			return fail(ret, err);
		}
		printf("%s\n", cr_hex_lower(mem, mk, mk_len));
	}
	return 0;
}

static int token_value(TALLOC_CTX *mem, const char *path, const char *dn,
		       enum cr_ad_attr *attr, char **value)
{
	struct cr_token *t = NULL;
	const char *name = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char *err = NULL;
	int ret;

	ret = read_file(mem, path, &data, &len);
	if (ret == 0) {
		ret = cr_token_parse(mem, data, len, &t, NULL, &err);
	}
	if (ret == 0) {
		name = cr_token_type_attribute(t->type);
		ret = (name != NULL) ? 0 : EINVAL;
	}
	if (ret == 0) {
		ret = cr_dnbinary_build(mem, data, len, dn, value, &err);
	}
	if (ret != 0) {
		return fail(ret, err);
	}
	*attr = strcmp(name, CR_ATTR_MASTERKEYS) == 0 ? CR_AD_MASTERKEYS
						     : CR_AD_CREDENTIALS;
	return 0;
}

static int dcverify_cmd(struct cr_adconn *conn, bool twice)
{
	const char *account = NULL;
	const char *host = NULL;
	uint32_t uac = 0;
	char *err = NULL;
	int ret;

	ret = cr_dcverify(conn, CR_DC_NEED_WRITE, &err);
	if (ret == 0 && twice) {
		ret = cr_dcverify(conn, CR_DC_NEED_WRITE, &err);
	}
	if (ret != 0) {
		return fail(ret, err);
	}
	cr_dcverify_known(conn, &account, &host, &uac);
	printf("%s %s %s %u searches\n",
	       (uac & CR_UF_SERVER_TRUST_ACCOUNT) ? "writable-dc" : "rodc",
	       account, host, conn->searches);
	return 0;
}

int main(int argc, char **argv)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct cr_ad_params params = { .timeout = 5 };
	struct cr_adconn *conn = NULL;
	struct cr_ad_user *user = NULL;
	struct cr_who *who = NULL;
	const char *name = NULL;
	const char *dc_account = NULL;
	const char *dc_host = NULL;
	char *err = NULL;
	int ret;
	int i = 1;

	while (i + 1 < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--user") == 0) {
			name = argv[i + 1];
		} else if (strcmp(argv[i], "--dc") == 0) {
			params.dc = argv[i + 1];
		} else if (strcmp(argv[i], "--dc-account") == 0) {
			dc_account = argv[i + 1];
		} else if (strcmp(argv[i], "--dc-host") == 0) {
			dc_host = argv[i + 1];
		} else {
			return 2;
		}
		i += 2;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: cr_adprobe [--user N] [--dc H] "
			"timestamp|count|change|bump|whoami\n");
		return 2;
	}
	if (strcmp(argv[i], "mkvalues") == 0 && i + 4 < argc) {
		return mkvalues(mem, argc - i - 1, argv + i + 1);
	}
	if (strcmp(argv[i], "mktomb") == 0 && i + 2 < argc) {
		return mktomb(mem, argv[i + 1], argv[i + 2]);
	}
	if (strcmp(argv[i], "mkmk") == 0 && i + 3 < argc) {
		return mkmk(mem, argv[i + 1], argv[i + 2], argv[i + 3]);
	}
	ret = (name != NULL) ? cr_who_by_name(mem, name, &who, &err)
			     : cr_who_by_uid(mem, getuid(), &who, &err);
	if (ret != 0) {
		return fail(ret, err);
	}
	ret = cr_adconn_connect(mem, &params, &conn, &err);
	if (ret != 0) {
		return fail(ret, err);
	}
	if (dc_account != NULL) {
		enum cr_dc_kind kind = CR_DC_NONE;

		/* the verdict is cached either way; later checks meet it */
		ret = cr_dcverify_account(conn, dc_account, dc_host,
					  CR_DC_NEED_BKRP, &kind, &err);
		cr_err_clear(&err);
	}
	if (strncmp(argv[i], "dcverify", 8) == 0) {
		bool twice = strcmp(argv[i], "dcverify-twice") == 0;

		return dcverify_cmd(conn, twice);
	}
	if (strcmp(argv[i], "whoami") == 0) {
		printf("%s %s %s %s\n", conn->principal, conn->dc, who->name,
		       who->sid);
		return 0;
	}
	if (strncmp(argv[i], "bkrp-", 5) == 0 && i + 1 < argc) {
		ret = bkrp_cmd(mem, conn, argv[i], argv[i + 1]);
		talloc_free(mem);
		return ret;
	}
	ret = cr_adstore_lookup(mem, conn, who->sid, &user, &err);
	if (ret != 0) {
		return fail(ret, err);
	}
	if (strcmp(argv[i], "timestamp") == 0) {
		printf("%s\n", user->has_timestamp
		       ? cr_hex_upper(mem, user->timestamp, CR_TIMESTAMP_LEN)
		       : "absent");
	} else if (strcmp(argv[i], "count") == 0) {
		ret = cr_adstore_read_tokens(conn, user, &err);
		if (ret != 0) {
			return fail(ret, err);
		}
		printf("%zu %zu\n", user->creds.count, user->mkeys.count);
	} else if (strcmp(argv[i], "change") == 0 && i + 3 < argc) {
		enum cr_ad_attr attr = strcmp(argv[i + 1], "mkeys") == 0
			? CR_AD_MASTERKEYS : CR_AD_CREDENTIALS;
		const char *o = strcmp(argv[i + 2], "-") ? argv[i + 2] : NULL;
		const char *n = strcmp(argv[i + 3], "-") ? argv[i + 3] : NULL;

		ret = cr_adstore_change_value(mem, conn, user->dn, attr, o, n,
					      &err);
		if (ret != 0) {
			return fail(ret, err);
		}
	} else if ((strcmp(argv[i], "put") == 0 ||
		    strcmp(argv[i], "del") == 0 ||
		    strcmp(argv[i], "value") == 0) && i + 1 < argc) {
		enum cr_ad_attr attr = CR_AD_CREDENTIALS;
		char *value = NULL;
		bool put = strcmp(argv[i], "put") == 0;

		ret = token_value(mem, argv[i + 1], user->dn, &attr, &value);
		if (ret != 0) {
			return ret;
		}
		if (strcmp(argv[i], "value") == 0) {
			printf("%s\n", value);
		} else {
			ret = cr_adstore_change_value(mem, conn, user->dn,
				attr, put ? NULL : value, put ? value : NULL,
				&err);
			if (ret != 0) {
				return fail(ret, err);
			}
			printf("%s\n", cr_ad_attr_name(attr));
		}
	} else if (strcmp(argv[i], "usn") == 0) {
		printf("%" PRIu64 "\n", user->usn_changed);
	} else if (strcmp(argv[i], "bump") == 0) {
		uint8_t ts[CR_TIMESTAMP_LEN];

		ret = cr_adstore_bump_timestamp(mem, conn, user->dn,
			user->has_timestamp ? user->timestamp : NULL,
			cr_filetime_now(), ts, &err);
		if (ret != 0) {
			return fail(ret, err);
		}
		printf("%s\n", cr_hex_upper(mem, ts, sizeof(ts)));
	} else {
		return 2;
	}
	talloc_free(mem);
	return 0;
}
