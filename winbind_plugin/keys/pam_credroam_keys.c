/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pam_credroam_keys.so: pre-keys into the user keyring; see
 * pam_credroam_keys.h.
 */
#include "config.h"

#include <errno.h>

#include "keys/keyring.h"
#include "pam_credroam_keys.h"
#include "util/stackframe.h"

int pcr_keys_put_from_password(const char *password, const char *sid,
			       unsigned timeout)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_prekey *prekeys = NULL;
	size_t count = 0;
	int ret;

	ret = cr_prekeys_from_password(frame, password, sid, &prekeys,
				       &count, NULL);
	if (ret == 0) {
		ret = cr_keyring_put_prekeys(sid, prekeys, count, timeout,
					     NULL);
	}
	/* the pre-keys are marked secret: freeing the frame wipes them */
	TALLOC_FREE(frame);
	return ret;
}

int pcr_keys_forget(const char *sid)
{
	return cr_keyring_forget(sid, NULL, NULL);
}
