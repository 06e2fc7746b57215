/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Domain key sections.  Mode 0 (first byte even): the rest is a section;
 * parse, serialize back, same bytes required.  Mode 1: the rest is what a
 * backup key would decrypt - byte 1 picks the version, bytes 2-3 the length
 * of the RSA plaintext, which is encrypted to a fixed key made at start-up,
 * the remainder is the access check ciphertext - so the plaintext and
 * access-check parsers behind RSA are reached.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include <gnutls/abstract.h>

#include "dpapi/domainkey.h"
#include "util/error.h"

/* A section is about 430 bytes; RSA-16384 would still fit. */
#define MAX_LENGTH 4096

static gnutls_privkey_t priv;
static gnutls_pubkey_t pub;

int LLVMFuzzerInitialize(int *argc, char ***argv);
static int fuzz_one_input(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* 1280 bits: cheap to decrypt, yet a v3 plaintext (128 bytes) fits */
	if (gnutls_privkey_init(&priv) < 0 ||
	    gnutls_privkey_generate(priv, GNUTLS_PK_RSA, 1280, 0) < 0 ||
	    gnutls_pubkey_init(&pub) < 0 ||
	    gnutls_pubkey_import_privkey(pub, priv, 0, 0) < 0) {
		abort();
	}
	return 0;
}

static void structured(TALLOC_CTX *mem, const uint8_t *data, size_t size)
{
	struct cr_domainkey dk;
	struct cr_domainkey_plain *p = NULL;
	gnutls_datum_t pt;
	gnutls_datum_t ct = { NULL, 0 };
	size_t n;
	size_t i;
	char *err = NULL;

	if (size < 3) {
		return;
	}
	/* at most 149 bytes fit RSA-1280 with PKCS#1 padding */
	n = ((size_t)data[1] << 8 | data[2]) % 150;
	if (size - 3 < n) {
		return;
	}
	pt = (gnutls_datum_t) { .data = (uint8_t *)(uintptr_t)(data + 3),
				.size = (unsigned)n };
	if (gnutls_pubkey_encrypt_data(pub, 0, &pt, &ct) < 0) {
		return;
	}
	memset(&dk, 0, sizeof(dk));
	dk.version = 2 + (data[0] & 1);
	dk.secret = talloc_size(mem, ct.size);
	for (i = 0; i < ct.size; i++) {
		dk.secret[i] = ct.data[ct.size - 1 - i];
	}
	dk.secret_len = ct.size;
	dk.access = talloc_size(mem, size - 3 - n + 1);
	memcpy(dk.access, data + 3 + n, size - 3 - n);
	dk.access_len = (uint32_t)(size - 3 - n);
	(void)cr_domainkey_decrypt(mem, &dk, priv, &p, &err);
	gnutls_free(ct.data);
}

static int fuzz_one_input(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem = NULL;
	struct cr_domainkey *dk = NULL;
	uint8_t *out = NULL;
	uint8_t *mk = NULL;
	size_t out_len = 0;
	size_t mk_len = 0;
	char *err = NULL;

	if (size < 1 || size > MAX_LENGTH) {
		return 0;
	}
	mem = talloc_new(NULL);
	if ((data[0] & 2) != 0) {
		structured(mem, data + 1, size - 1);
		goto done;
	}
	(void)cr_domainkey_dc_reply(mem, data + 1, size - 1, &mk, &mk_len,
				    &err);
	if (cr_domainkey_parse(mem, data + 1, size - 1, &dk, &err) != 0) {
		goto done;
	}
	if (cr_domainkey_serialize(mem, dk, &out, &out_len, &err) != 0 ||
	    out_len != size - 1 || memcmp(out, data + 1, out_len) != 0) {
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
