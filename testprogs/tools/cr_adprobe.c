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

#include "adconn.h"
#include "adstore.h"
#include "encoding.h"
#include "who.h"

static int fail(int ret, const char *msg)
{
	fprintf(stderr, "cr_adprobe: %s\n", msg ? msg : strerror(ret));
	return ret == ESTALE ? 3 : 1;
}

int main(int argc, char **argv)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct cr_ad_params params = { .timeout = 5 };
	struct cr_adconn *conn = NULL;
	struct cr_ad_user *user = NULL;
	struct cr_who *who = NULL;
	const char *name = NULL;
	char *err = NULL;
	int ret;
	int i = 1;

	while (i + 1 < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--user") == 0) {
			name = argv[i + 1];
		} else if (strcmp(argv[i], "--dc") == 0) {
			params.dc = argv[i + 1];
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
	ret = (name != NULL) ? cr_who_by_name(mem, name, &who, &err)
			     : cr_who_by_uid(mem, getuid(), &who, &err);
	if (ret != 0) {
		return fail(ret, err);
	}
	ret = cr_adconn_connect(mem, &params, &conn, &err);
	if (ret != 0) {
		return fail(ret, err);
	}
	if (strcmp(argv[i], "whoami") == 0) {
		printf("%s %s %s %s\n", conn->principal, conn->dc, who->name,
		       who->sid);
		return 0;
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
