/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * BCRYPT_ECCKEY_BLOB (CNG EC keys, public and private): every accepted blob
 * must build back to its input byte for byte, and a private one that GnuTLS
 * accepts must survive PKCS#8 and come back as the same blob.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "dpapi/eccblob.h"
#include "dpapi/privkey.h"
#include "util/error.h"

/* The largest blob is ECS6/ECK6: 8 + 3 * 66 bytes; leave room around. */
#define MAX_LENGTH 1024

static int fuzz_one_input(const uint8_t *data, size_t size);

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL;
	struct cr_ec_key *ec = NULL;
	struct cr_privkey *k = NULL;
	struct cr_privkey *back = NULL;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint8_t *p8 = NULL;
	size_t p8_len = 0;
	char *err = NULL;
	bool priv;

	if (size > MAX_LENGTH) {
		return 0;
	}
	mem = talloc_new(NULL);
	if (cr_bcrypt_ecc_parse(mem, data, size, &ec, &err) != 0) {
		goto done;
	}
	priv = ec->k.len > 0;
	if (cr_bcrypt_ecc_build(mem, ec, priv, &out, &out_len, &err) != 0 ||
	    out_len != size || memcmp(out, data, size) != 0) {
		abort();
	}
	/* a public blob or a point GnuTLS refuses ends here (accepted) */
	if (!priv || cr_privkey_wrap_ec(mem, ec, &k) != 0 ||
	    cr_privkey_to_pkcs8(mem, k, false, &p8, &p8_len, &err) != 0) {
		goto done;
	}
	if (cr_privkey_from_pkcs8(mem, p8, p8_len, &back, &err) != 0 ||
	    back->ec == NULL) {
		abort();
	}
	back->ec->ecdh = k->ec->ecdh;
	if (cr_bcrypt_ecc_build(mem, back->ec, true, &out, &out_len,
				&err) != 0 ||
	    out_len != size || memcmp(out, data, size) != 0) {
		abort();
	}
done:
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
