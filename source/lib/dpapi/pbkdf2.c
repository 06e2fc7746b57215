/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DPAPI's PBKDF2 variant; see pbkdf2.h.
 *
 * The HMAC key is set once per derivation: gnutls_hmac_output() leaves the
 * context keyed and ready for the next message, so each round costs two
 * compression-function calls plus the finalisation, nothing more.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "dpapi/alg.h"
#include "dpapi/pbkdf2.h"
#include "util/secret.h"

int cr_dpapi_pbkdf2(gnutls_mac_algorithm_t mac,
		    const uint8_t *password, size_t password_len,
		    const uint8_t *salt, size_t salt_len,
		    uint32_t rounds, uint8_t *out, size_t out_len)
{
	gnutls_hmac_hd_t h = NULL;
	uint8_t t[CR_DPAPI_MAX_HASH];
	uint8_t u[CR_DPAPI_MAX_HASH];
	size_t hlen = gnutls_hmac_get_len(mac);
	size_t done = 0;
	uint32_t block = 1;
	int ret = EIO;
	int rc;

	if (rounds == 0 || out_len == 0 || hlen == 0 ||
	    hlen > sizeof(t)) {
		return EINVAL;
	}
	rc = gnutls_hmac_init(&h, mac, password, password_len);
	if (rc < 0) {
		return EIO;
	}
	while (done < out_len) {
		uint8_t be[4] = {
			(uint8_t)(block >> 24), (uint8_t)(block >> 16),
			(uint8_t)(block >> 8), (uint8_t)block,
		};
		size_t take = out_len - done;
		uint32_t r;
		size_t i;

		rc = gnutls_hmac(h, salt, salt_len);
		if (rc == 0) {
			rc = gnutls_hmac(h, be, sizeof(be));
		}
		if (rc < 0) {
			goto done;
		}
		gnutls_hmac_output(h, t);
		for (r = 1; r < rounds; r++) {
			/* the running XOR t, not u, is what DPAPI hashes */
			rc = gnutls_hmac(h, t, hlen);
			if (rc < 0) {
				goto done;
			}
			gnutls_hmac_output(h, u);
			for (i = 0; i < hlen; i++) {
				t[i] ^= u[i];
			}
		}
		if (take > hlen) {
			take = hlen;
		}
		memcpy(out + done, t, take);
		done += take;
		block++;
	}
	ret = 0;
done:
	gnutls_hmac_deinit(h, NULL);
	credroam_wipe(t, sizeof(t));
	credroam_wipe(u, sizeof(u));
	return ret;
}
