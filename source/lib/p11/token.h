/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The state of the one credroam token: its objects, built from the
 * store's roaming/ (certificate elements and DPAPI-protected key
 * containers), the master keys that opened the keys, and whether a login
 * is needed.  Private keys are decrypted here and nowhere else: from the
 * session keyring's master keys or pre-keys (pam_credroam), else MS-BKRP
 * with the user's Kerberos ticket, else the password given to C_Login.
 *
 * One mutex guards everything: every connection of the agent shares one
 * token.  Functions below expect the caller to hold it, except
 * cr_p11_token_new() and cr_p11_token_poll().
 */
#ifndef CREDROAM_P11_TOKEN_H
#define CREDROAM_P11_TOKEN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "p11/object.h"
#include "p11/pkcs11.h"

struct cr_keys;
struct cr_adconn;

struct cr_p11_token_params {
	const char *store_path;	/* the store's root */
	const char *user;	/* "ROAM\alice": the label */
	const char *sid;	/* the owner of the master keys */
	bool use_keyring;	/* read (and fill) the session keyring */
	bool use_dc;		/* MS-BKRP when the keyring has nothing */
	const char *dc;		/* NULL: winbind, then DNS */
};

struct cr_p11_token {
	pthread_mutex_t lock;
	struct cr_p11_token_params p;	/* copied */
	char label[33];			/* 32 blank-padded bytes + NUL */
	TALLOC_CTX *objs_ctx;		/* the objects and their keys */
	struct cr_p11_object **objs;
	size_t num_objs;
	CK_OBJECT_HANDLE next_handle;
	unsigned generation;		/* moves at each reload */
	char *fingerprint;		/* of the store when loaded */
	struct cr_keys *keys;		/* keyring / DC */
	struct cr_keys *login_keys;	/* C_Login's password */
	struct cr_adconn *conn;
	time_t dc_tried;		/* last failed DC connection */
	unsigned num_keys;		/* private keys served */
	unsigned locked_keys;		/* keys a password could open */
	bool keyring_seen;		/* keys came through the keyring */
	bool keyring_gone;		/* ...and it lost them: until it has
					 * entries again, no keyring, no DC */
	char *problem;			/* the last load's first problem */
	/* written into the token, not yet a pair that can roam (write.c) */
	struct cr_p11_pending *pending;
	size_t num_pending;
	/* CKA_IDs of certificates C_DestroyObject removed, until gone */
	struct cr_p11_id *destroyed;
	size_t num_destroyed;
	/* roaming/ or certs/ changed through the token: start a run */
	void (*changed)(void *data);
	void *changed_data;
};

struct cr_p11_id {
	uint8_t b[20];
};

/* A key or certificate written into the token, waiting for its mate. */
struct cr_p11_pending {
	uint8_t *der;			/* a certificate, or NULL */
	size_t der_len;
	struct cr_privkey *key;		/* a key, or NULL (secret) */
	uint8_t id[20];			/* the key id of either */
	char *label;
};

int cr_p11_token_new(TALLOC_CTX *mem_ctx,
		     const struct cr_p11_token_params *params,
		     struct cr_p11_token **ptok, char **errmsg);

/*
 * Load the objects again if the store changed since (or force): objects
 * that stay the same keep their handles.  A missing store is an empty
 * token.
 */
int cr_p11_token_reload(struct cr_p11_token *tok, bool force,
			char **errmsg);

/* Whether C_Login is needed before the private keys appear. */
bool cr_p11_token_login_required(const struct cr_p11_token *tok);

/*
 * C_Login with the user's domain password: the pre-keys it gives must
 * open a master key of a locked key (CKR_PIN_INCORRECT otherwise); the
 * master keys stay in the agent only.  Without locked keys any PIN is
 * accepted.
 */
CK_RV cr_p11_token_login(struct cr_p11_token *tok, const uint8_t *pin,
			 size_t pin_len);

/* Forget every decrypted key and master key (objects of keys go too). */
void cr_p11_token_wipe(struct cr_p11_token *tok);

struct cr_p11_object *cr_p11_token_object(const struct cr_p11_token *tok,
					  CK_OBJECT_HANDLE handle);

/*
 * The other direction (write.c): C_CreateObject of an X.509 certificate
 * or an RSA private key, C_GenerateKeyPair of an RSA key.  A key and its
 * certificate, once both are there, are written to roaming/ as Windows
 * keeps them (a CAPI container under the preferred master key and a
 * certificate element), so they roam with the next run, which
 * tok->changed starts.  Until its mate comes, an object lives in the
 * agent only.
 */
CK_RV cr_p11_token_create(struct cr_p11_token *tok, CK_ATTRIBUTE *tmpl,
			  CK_ULONG count, CK_OBJECT_HANDLE *handle);
CK_RV cr_p11_token_generate(struct cr_p11_token *tok, const CK_MECHANISM *m,
			    const CK_ATTRIBUTE *pub, CK_ULONG pub_count,
			    const CK_ATTRIBUTE *priv, CK_ULONG priv_count,
			    CK_OBJECT_HANDLE *pub_handle,
			    CK_OBJECT_HANDLE *priv_handle);
/*
 * C_DestroyObject: a roamed certificate leaves certs/, so the next run
 * removes its tokens and AD gets tombstones; its key objects go with it
 * (destroying any of the three removes the three).
 */
CK_RV cr_p11_token_destroy(struct cr_p11_token *tok, CK_OBJECT_HANDLE h);

/* A destroyed certificate's objects stay hidden (write.c). */
bool cr_p11_token_hidden(const struct cr_p11_token *tok,
			 const uint8_t id[20]);

/* Objects of the pending keys and certificates (write.c). */
int cr_p11_token_pending_objects(struct cr_p11_token *tok,
				 TALLOC_CTX *mem_ctx,
				 struct cr_p11_object ***objs, size_t *count);

/*
 * The agent's periodic check, taking the lock: the keyring entries the
 * keys came through are gone (logoff, purge): wipe; the store changed:
 * reload.  Returns true when the token changed.
 */
bool cr_p11_token_poll(struct cr_p11_token *tok);

#endif
