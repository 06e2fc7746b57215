/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Timing driver for bench_dpapi.sh: milliseconds per master key decryption
 * through libcredroam, and through the best loop the same libraries allow
 * (HMAC key set once with gnutls_hmac_init, gnutls_hmac + _output per
 * round, then the cipher and the MAC check), on the same file.
 *
 *   bench_dpapi prekey FILE PREKEY_HEX N     libcredroam, raw pre-key
 *   bench_dpapi bestloop FILE PREKEY_HEX N   hand-written best loop
 *   bench_dpapi backupkey FILE PVK N         libcredroam, backup key
 *   bench_dpapi backupkey_import FILE PVK N  the same, PVK parse and key
 *                                            import counted in each
 *   bench_dpapi import FILE PVK N            PVK parse + GnuTLS key import
 *   bench_dpapi rsa FILE PVK N               the bare RSA decryption of the
 *                                            domain key section (GnuTLS)
 *
 * Prints the best of five batches of N, in CPU ms per decryption (CPU
 * time, like the impacket side: the build machine is shared, so elapsed
 * time measures the neighbours too).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gnutls/crypto.h>

#include "dpapi/dpapi.h"
#include "dpapi/stackframe.h"
#include "util/encoding.h"
#include "util/secret.h"

#define BATCHES 5

static uint8_t *read_all(TALLOC_CTX *mem, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	*len = 0;
	if (f == NULL) {
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = talloc_size(mem, (size_t)n);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			*len = (size_t)n;
		} else {
			TALLOC_FREE(buf);
		}
	}
	fclose(f);
	return buf;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The floor: what any implementation on GnuTLS must at least spend. */
static bool best_loop(const struct cr_mk_blob *b, const uint8_t *pk,
		      size_t pk_len)
{
	const struct cr_dpapi_hash *h = cr_dpapi_hash_by_alg(b->alg_hash);
	const struct cr_dpapi_cipher *c = cr_dpapi_cipher_by_alg(b->alg_crypt);
	gnutls_hmac_hd_t hd = NULL;
	uint8_t t[64];
	uint8_t u[64];
	uint8_t kiv[64];
	uint8_t buf[256];
	uint8_t k1[64];
	uint8_t mac[64];
	uint8_t be[4];
	size_t need = c->key_len + c->block_len;
	size_t done = 0;
	uint32_t blk;
	uint32_t r;
	size_t i;
	bool ok;

	gnutls_hmac_init(&hd, h->mac, pk, pk_len);
	for (blk = 1; done < need; blk++) {
		be[0] = (uint8_t)(blk >> 24);
		be[1] = (uint8_t)(blk >> 16);
		be[2] = (uint8_t)(blk >> 8);
		be[3] = (uint8_t)blk;
		gnutls_hmac(hd, b->salt, 16);
		gnutls_hmac(hd, be, 4);
		gnutls_hmac_output(hd, t);
		for (r = 1; r < b->rounds; r++) {
			gnutls_hmac(hd, t, h->len);
			gnutls_hmac_output(hd, u);
			for (i = 0; i < h->len; i++) {
				t[i] ^= u[i];
			}
		}
		i = need - done < h->len ? need - done : h->len;
		memcpy(kiv + done, t, i);
		done += i;
	}
	gnutls_hmac_deinit(hd, NULL);
	memcpy(buf, b->ct, b->ct_len);
	cr_dpapi_cbc(false, c, kiv, kiv + c->key_len, buf, b->ct_len);
	gnutls_hmac_fast(h->mac, pk, pk_len, buf, 16, k1);
	gnutls_hmac_fast(h->mac, k1, h->len, buf + b->ct_len - 64, 64, mac);
	ok = memcmp(mac, buf + 16, h->len) == 0;
	credroam_wipe(buf, sizeof(buf));
	return ok;
}

/* PVK parse and key import, the per-run cost of the backup key path. */
static bool import_once(TALLOC_CTX *mem, const uint8_t *pvk, size_t len,
			gnutls_privkey_t *key, char **err)
{
	struct cr_rsa_key *rsa = NULL;
	uint32_t spec = 0;
	int ret;

	ret = cr_pvk_parse(mem, pvk, len, &rsa, &spec, err);
	if (ret == 0) {
		ret = cr_rsa_key_to_privkey(rsa, key, err, mem);
	}
	talloc_free(rsa);
	return ret == 0;
}

/* The RSA step alone: what the backup key path cannot go below. */
static bool rsa_only(gnutls_privkey_t key, const struct cr_domainkey *dk)
{
	uint8_t ct[1024];
	uint8_t pt[1024];
	gnutls_datum_t c = { .data = ct, .size = dk->secret_len };
	uint32_t i;
	int rc;

	if (dk->secret_len > sizeof(ct)) {
		return false;
	}
	for (i = 0; i < dk->secret_len; i++) {
		ct[i] = dk->secret[dk->secret_len - 1 - i];
	}
	rc = gnutls_privkey_decrypt_data2(key, 0, &c, pt, 104);
	credroam_wipe(pt, sizeof(pt));
	return rc == 0;
}

int main(int argc, char **argv)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct cr_mkf *mkf = NULL;
	gnutls_privkey_t key = NULL;
	uint8_t *data = NULL;
	uint8_t *pk = NULL;
	size_t len = 0;
	size_t pk_len = 0;
	char *err = NULL;
	double best = 1e300;
	long n;
	int batch;
	long i;

	if (argc != 5 || (n = atol(argv[4])) <= 0) {
		fprintf(stderr, "usage: %s prekey|bestloop|backupkey FILE "
			"PREKEY_HEX|PVK N\n", argv[0]);
		return 2;
	}
	data = read_all(mem, argv[2], &len);
	if (data == NULL ||
	    cr_mkf_parse(mem, data, len, argv[2], &mkf, &err) != 0) {
		fprintf(stderr, "cannot load %s: %s\n", argv[2], err);
		return 1;
	}
	if (strcmp(argv[1], "backupkey") == 0 ||
	    strcmp(argv[1], "backupkey_import") == 0 ||
	    strcmp(argv[1], "import") == 0 || strcmp(argv[1], "rsa") == 0) {
		data = read_all(mem, argv[3], &len);
		if (data == NULL || !import_once(mem, data, len, &key, &err)) {
			fprintf(stderr, "cannot load %s: %s\n", argv[3], err);
			return 1;
		}
	} else if (cr_hex_decode(mem, argv[3], strlen(argv[3]), &pk, NULL) ==
		   0) {
		pk_len = strlen(argv[3]) / 2;
	} else {
		fprintf(stderr, "bad pre-key\n");
		return 2;
	}
	for (batch = 0; batch < BATCHES; batch++) {
		double t0 = now_ms();
		double per;

		for (i = 0; i < n; i++) {
			uint8_t *mk = NULL;
			bool ok;

			if (strcmp(argv[1], "import") == 0) {
				gnutls_privkey_t k2 = NULL;

				ok = import_once(mem, data, len, &k2, &err);
				gnutls_privkey_deinit(k2);
			} else if (strcmp(argv[1], "backupkey_import") == 0) {
				gnutls_privkey_t k2 = NULL;

				ok = import_once(mem, data, len, &k2, &err) &&
				     cr_mkf_decrypt_backupkey(mem, mkf, k2, &mk,
							      NULL, &err) == 0;
				gnutls_privkey_deinit(k2);
			} else if (strcmp(argv[1], "rsa") == 0) {
				ok = rsa_only(key, mkf->dk);
			} else if (key != NULL) {
				ok = cr_mkf_decrypt_backupkey(mem, mkf, key,
							      &mk, NULL,
							      &err) == 0;
			} else if (strcmp(argv[1], "bestloop") == 0) {
				ok = best_loop(mkf->mk, pk, pk_len);
			} else {
				ok = cr_mkf_decrypt_prekey(mem, mkf, pk,
							   pk_len, &mk,
							   &err) == 0;
			}
			if (!ok) {
				fprintf(stderr, "decryption failed: %s\n",
					err ? err : "best loop MAC");
				return 1;
			}
			talloc_free(mk);
		}
		per = (now_ms() - t0) / (double)n;
		if (per < best) {
			best = per;
		}
	}
	printf("%.4f\n", best);
	if (key != NULL) {
		gnutls_privkey_deinit(key);
	}
	talloc_free(mem);
	return 0;
}
