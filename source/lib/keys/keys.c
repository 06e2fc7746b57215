/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Session master keys; see keys.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "ad/bkrp.h"
#include "dpapi/dpapi.h"
#include "util/error.h"
#include "keys/keys.h"
#include "util/secret.h"
#include "util/stackframe.h"

struct cr_keys_mk {
	char *guid;		/* lower case */
	uint8_t *mk;		/* secret */
	size_t len;
};

struct cr_keys {
	char *sid;
	struct cr_adconn *conn;
	struct cr_bkrp *bkrp;
	bool use_keyring;
	struct cr_prekey *prekeys;	/* secret */
	size_t num_prekeys;
	struct cr_keys_mk *mks;
	size_t num_mks;
	unsigned bkrp_calls;
};

struct cr_keys *cr_keys_new(TALLOC_CTX *mem_ctx, const char *sid,
			    struct cr_adconn *conn, bool use_keyring)
{
	struct cr_keys *keys = talloc_zero(mem_ctx, struct cr_keys);

	if (keys == NULL) {
		return NULL;
	}
	keys->sid = talloc_strdup(keys, sid);
	if (keys->sid == NULL) {
		TALLOC_FREE(keys);
		return NULL;
	}
	keys->conn = conn;
	keys->use_keyring = use_keyring;
	return keys;
}

int cr_keys_add_password(struct cr_keys *keys, const char *password,
			 char **errmsg)
{
	struct cr_prekey *prekeys = NULL;
	size_t count = 0;
	int ret;

	ret = cr_prekeys_from_password(keys, password, keys->sid, &prekeys,
				       &count, errmsg);
	if (ret != 0) {
		return ret;
	}
	TALLOC_FREE(keys->prekeys);
	keys->prekeys = prekeys;
	keys->num_prekeys = count;
	if (keys->use_keyring) {
		/* Later runs of the session need no password; a keyring
		 * that refuses only costs them a DC round trip. */
		cr_keyring_put_prekeys(keys->sid, prekeys, count,
				       CR_KEYRING_TIMEOUT, NULL);
	}
	return 0;
}

int cr_keys_load_keyring(struct cr_keys *keys, char **errmsg)
{
	struct cr_prekey *prekeys = NULL;
	size_t count = 0;
	int ret;

	if (!keys->use_keyring || keys->num_prekeys > 0) {
		return keys->num_prekeys > 0 ? 0 : ENOENT;
	}
	ret = cr_keyring_get_prekeys(keys, keys->sid, &prekeys, &count,
				     errmsg);
	if (ret != 0) {
		return ret;
	}
	keys->prekeys = prekeys;
	keys->num_prekeys = count;
	return 0;
}

bool cr_keys_have_prekeys(const struct cr_keys *keys)
{
	return keys->num_prekeys > 0;
}

unsigned cr_keys_bkrp_calls(const struct cr_keys *keys)
{
	return keys->bkrp_calls;
}

const uint8_t *cr_keys_find(const struct cr_keys *keys, const char *guid,
			    size_t *mk_len)
{
	size_t i;

	for (i = 0; i < keys->num_mks; i++) {
		if (strcasecmp(keys->mks[i].guid, guid) == 0) {
			*mk_len = keys->mks[i].len;
			return keys->mks[i].mk;
		}
	}
	return NULL;
}

/* Take ownership of mk (secret) and remember it under guid. */
/* mkf (the file mk was unlocked from): also cache it in the keyring. */
static int remember(struct cr_keys *keys, const char *guid, uint8_t *mk,
		    size_t len, const uint8_t *mkf, size_t mkf_len)
{
	struct cr_keys_mk *mks = NULL;
	size_t i;

	mks = talloc_realloc(keys, keys->mks, struct cr_keys_mk,
			     keys->num_mks + 1);
	if (mks == NULL) {
		return ENOMEM;
	}
	keys->mks = mks;
	mks[keys->num_mks].guid = talloc_strdup(mks, guid);
	if (mks[keys->num_mks].guid == NULL) {
		return ENOMEM;
	}
	for (i = 0; mks[keys->num_mks].guid[i] != '\0'; i++) {
		char *c = &mks[keys->num_mks].guid[i];
		if (*c >= 'A' && *c <= 'F') {
			*c = *c - 'A' + 'a';
		}
	}
	mks[keys->num_mks].mk = talloc_steal(mks, mk);
	mks[keys->num_mks].len = len;
	keys->num_mks++;
	if (mkf != NULL && keys->use_keyring) {
		cr_keyring_put_masterkey(keys->sid, guid, mkf, mkf_len, mk,
					 len, CR_KEYRING_TIMEOUT, NULL);
	}
	return 0;
}

static int unlock_with_prekeys(TALLOC_CTX *mem_ctx, struct cr_keys *keys,
			       const struct cr_mkf *mkf, uint8_t **mk)
{
	size_t i;

	for (i = 0; i < keys->num_prekeys; i++) {
		int ret = cr_mkf_decrypt_prekey(mem_ctx, mkf,
						keys->prekeys[i].key,
						CR_DPAPI_PREKEY_LEN, mk, NULL);
		if (ret == 0) {
			return 0;
		}
	}
	return EACCES;
}

static int unlock_with_dc(TALLOC_CTX *mem_ctx, struct cr_keys *keys,
			  const struct cr_mkf *mkf, uint8_t **mk,
			  size_t *mk_len, char **errmsg)
{
	int ret;

	if (keys->conn == NULL) {
		cr_seterr(errmsg, "no DC connection");
		return EHOSTUNREACH;
	}
	if (keys->bkrp == NULL) {
		ret = cr_bkrp_connect_conn(keys, keys->conn, &keys->bkrp,
					   errmsg);
		if (ret != 0) {
			return ret;
		}
	}
	keys->bkrp_calls++;
	return cr_bkrp_masterkey(mem_ctx, keys->bkrp, mkf, mk, mk_len,
				 errmsg);
}

int cr_keys_unlock(struct cr_keys *keys, const char *guid,
		   const uint8_t *mkf_data, size_t mkf_len, const uint8_t **pmk,
		   size_t *pmk_len, const char **how, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_mkf *mkf = NULL;
	const uint8_t *found = NULL;
	uint8_t *mk = NULL;
	uint8_t *cached = NULL;
	size_t cached_len = 0;
	size_t len = 0;
	char *dc_err = NULL;
	const char *via = NULL;
	int ret;

	*pmk = NULL;
	found = cr_keys_find(keys, guid, &len);
	if (found != NULL) {
		via = "memory";
		ret = 0;
		goto found;
	}
	ret = cr_mkf_parse(frame, mkf_data, mkf_len, guid, &mkf, errmsg);
	if (ret != 0) {
		goto done;
	}
	if (strcasecmp(mkf->guid, guid) != 0) {
		cr_seterr(errmsg, "master key file '%s' holds master "
			  "key %s", guid, mkf->guid);
		ret = EINVAL;
		goto done;
	}
	/* cached only for exactly this file (keyring.h) */
	if (keys->use_keyring &&
	    cr_keyring_get_masterkey(frame, keys->sid, guid, mkf_data,
				     mkf_len, &cached, &cached_len,
				     NULL) != 0) {
		cached = NULL;
	}
	ret = unlock_with_prekeys(frame, keys, mkf, &mk);
	if (ret == 0) {
		via = "password";
		len = talloc_get_size(mk);
	} else {
		ret = unlock_with_dc(frame, keys, mkf, &mk, &len, &dc_err);
		via = "dc";
	}
	if (ret == 0 && cached != NULL) {
		/*
		 * The file confirmed or refused the keyring's copy: an
		 * entry planted for this file's bytes (anyone with the
		 * user's keyring can bind one) is overwritten below.
		 */
		bool same = cached_len == len &&
			    gnutls_memcmp(cached, mk, len) == 0;

		via = same ? "keyring" : "keyring refused";
		if (same) {
			mkf_data = NULL;	/* the entry is right: keep it */
		}
	}
	if (ret != 0) {
		cr_seterr(errmsg, "cannot unlock master key %s: %s%s",
			  guid, keys->num_prekeys > 0
				? "the password does not open it, and the DC "
				  "says: "
				: "no password at hand, and the DC says: ",
			  dc_err != NULL ? dc_err : strerror(ret));
		ret = EACCES;
		goto done;
	}
	ret = remember(keys, guid, mk, len, mkf_data, mkf_len);
	if (ret != 0) {
		goto done;
	}
	found = cr_keys_find(keys, guid, &len);
found:
	*pmk = found;
	*pmk_len = len;
	if (how != NULL) {
		*how = via;
	}
done:
	cr_err_clear(&dc_err);
	TALLOC_FREE(frame);
	return ret;
}

static const struct cr_prekey *creation_prekey(const struct cr_keys *keys)
{
	size_t i;

	/* Windows 10 1607 and later protect a domain user's new master
	 * key with the PBKDF2 variant of the NT hash. */
	for (i = 0; i < keys->num_prekeys; i++) {
		if (keys->prekeys[i].kind == CR_DPAPI_DERIV_NT_PBKDF2) {
			return &keys->prekeys[i];
		}
	}
	return NULL;
}

int cr_keys_create(TALLOC_CTX *mem_ctx, struct cr_keys *keys,
		   struct cr_guid *guid, uint8_t **pmkf, size_t *pmkf_len,
		   char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct cr_prekey *prekey = creation_prekey(keys);
	struct cr_backup_pubkey *backup = NULL;
	struct cr_mkf_params params = { .sid = keys->sid };
	struct cr_mkf *mkf = NULL;
	uint8_t *mk = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	uint8_t *out = NULL;
	size_t out_len = 0;
	int ret;

	*pmkf = NULL;
	if (prekey == NULL) {
		cr_seterr(errmsg, "you have no DPAPI master key yet, "
			  "and making one needs your password (log on "
			  "through PAM, or give --password-file)");
		ret = EPERM;
		goto done;
	}
	if (keys->conn == NULL) {
		cr_seterr(errmsg, "making a master key needs the "
			  "domain's backup key, and no DC answers");
		ret = EHOSTUNREACH;
		goto done;
	}
	if (keys->bkrp == NULL) {
		ret = cr_bkrp_connect_conn(keys, keys->conn, &keys->bkrp,
					   errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	keys->bkrp_calls++;
	ret = cr_bkrp_retrieve_cert(frame, keys->bkrp, &der, &der_len, errmsg);
	if (ret == 0) {
		ret = cr_backup_pubkey_from_cert(frame, der, der_len, &backup,
						 errmsg);
	}
	if (ret != 0) {
		cr_wraperr(errmsg, "cannot get the domain's backup "
			   "key to make a master key");
		goto done;
	}
	params.prekey = prekey->key;
	params.prekey_len = CR_DPAPI_PREKEY_LEN;
	params.backup = backup;
	ret = cr_mkf_create(frame, &params, &mkf, &mk, errmsg);
	if (ret == 0) {
		ret = cr_mkf_serialize(frame, mkf, &out, &out_len, errmsg);
	}
	if (ret != 0) {
		goto done;
	}
	if (!cr_guid_parse(mkf->guid, guid)) {
		ret = EINVAL;
		goto done;
	}
	ret = remember(keys, mkf->guid, mk, talloc_get_size(mk), out,
		       out_len);
	if (ret != 0) {
		goto done;
	}
	*pmkf = talloc_move(mem_ctx, &out);
	*pmkf_len = out_len;
done:
	TALLOC_FREE(frame);
	return ret;
}
