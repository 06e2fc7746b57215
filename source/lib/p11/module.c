/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The PKCS#11 function list of the credroam token; see module.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <gnutls/crypto.h>

#include "p11/mech.h"
#include "p11/module.h"
#include "util/encoding.h"

/* Most objects a search can return (every object of the token fits). */
#define MAX_FOUND 4096
/* Sessions one connection may hold open. */
#define MAX_SESSIONS 256

struct p11_session {
	struct p11_session *prev, *next;
	CK_SESSION_HANDLE handle;
	struct cr_p11_conn *conn;
	CK_FLAGS flags;
	bool finding;
	CK_OBJECT_HANDLE *found;
	size_t num_found;
	size_t next_found;
	struct cr_p11_op *sign;
	struct cr_p11_op *decrypt;
};

struct cr_p11_conn {
	bool initialized;
	bool logged_in;
	size_t num_sessions;
};

static struct cr_p11_token *g_tok;
static struct p11_session *g_sessions;
static CK_SESSION_HANDLE g_next_session = 1;
static struct cr_p11_conn g_default_conn;
static __thread struct cr_p11_conn *t_conn;

static struct cr_p11_conn *current(void)
{
	return t_conn != NULL ? t_conn : &g_default_conn;
}

static void lock(void)
{
	pthread_mutex_lock(&g_tok->lock);
}

static void unlock(void)
{
	pthread_mutex_unlock(&g_tok->lock);
}

/* Blank-padded copy, as every fixed-size PKCS#11 string is. */
static void pad(unsigned char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	memset(dst, ' ', size);
	memcpy(dst, src, n < size ? n : size);
}

static void close_session(struct p11_session *s)
{
	if (s->prev != NULL) {
		s->prev->next = s->next;
	} else {
		g_sessions = s->next;
	}
	if (s->next != NULL) {
		s->next->prev = s->prev;
	}
	s->conn->num_sessions--;
	talloc_free(s);
}

/* Every session of conn (the calling one's C_Finalize, or its end). */
static void close_sessions(struct cr_p11_conn *conn)
{
	struct p11_session *s = g_sessions;

	while (s != NULL) {
		struct p11_session *next = s->next;

		if (s->conn == conn) {
			close_session(s);
		}
		s = next;
	}
	conn->logged_in = false;
}

/* The calling connection's session h, with the lock taken. */
static CK_RV enter_session(CK_SESSION_HANDLE h, struct p11_session **ps)
{
	struct cr_p11_conn *conn = current();
	struct p11_session *s = NULL;

	*ps = NULL;
	if (!conn->initialized) {
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	lock();
	for (s = g_sessions; s != NULL; s = s->next) {
		if (s->handle == h && s->conn == conn) {
			*ps = s;
			return CKR_OK;
		}
	}
	unlock();
	return CKR_SESSION_HANDLE_INVALID;
}

static CK_RV check_slot(CK_SLOT_ID id)
{
	if (!current()->initialized) {
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	return id == CR_P11_SLOT_ID ? CKR_OK : CKR_SLOT_ID_INVALID;
}

static CK_RV p11_initialize(void *args)
{
	struct cr_p11_conn *conn = current();
	const CK_C_INITIALIZE_ARGS *a = args;

	if (a != NULL && a->pReserved != NULL) {
		return CKR_ARGUMENTS_BAD;
	}
	if (conn->initialized) {
		return CKR_CRYPTOKI_ALREADY_INITIALIZED;
	}
	conn->initialized = true;
	return CKR_OK;
}

static CK_RV p11_finalize(void *reserved)
{
	struct cr_p11_conn *conn = current();

	if (reserved != NULL) {
		return CKR_ARGUMENTS_BAD;
	}
	if (!conn->initialized) {
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	lock();
	close_sessions(conn);
	unlock();
	conn->initialized = false;
	return CKR_OK;
}

static CK_RV p11_get_info(CK_INFO *info)
{
	if (!current()->initialized) {
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	if (info == NULL) {
		return CKR_ARGUMENTS_BAD;
	}
	memset(info, 0, sizeof(*info));
	info->cryptokiVersion.major = 2;
	info->cryptokiVersion.minor = 40;
	pad(info->manufacturerID, sizeof(info->manufacturerID), "credroam");
	pad(info->libraryDescription, sizeof(info->libraryDescription),
	    "credroam roaming certificates");
	info->libraryVersion.major = 0;
	info->libraryVersion.minor = 1;
	return CKR_OK;
}

static CK_RV p11_get_function_list(CK_FUNCTION_LIST **list);

static CK_RV p11_get_slot_list(CK_BBOOL present, CK_SLOT_ID *list,
			       CK_ULONG *count)
{
	CK_RV rv = CKR_OK;

	if (!current()->initialized) {
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	}
	if (count == NULL) {
		return CKR_ARGUMENTS_BAD;
	}
	if (list != NULL && *count < 1) {
		rv = CKR_BUFFER_TOO_SMALL;
	} else if (list != NULL) {
		list[0] = CR_P11_SLOT_ID;
	}
	*count = 1;
	return rv;
}

static CK_RV p11_get_slot_info(CK_SLOT_ID id, CK_SLOT_INFO *info)
{
	CK_RV rv = check_slot(id);

	if (rv != CKR_OK) {
		return rv;
	}
	if (info == NULL) {
		return CKR_ARGUMENTS_BAD;
	}
	memset(info, 0, sizeof(*info));
	pad(info->slotDescription, sizeof(info->slotDescription),
	    "credroam agent");
	pad(info->manufacturerID, sizeof(info->manufacturerID), "credroam");
	info->flags = CKF_TOKEN_PRESENT;
	info->hardwareVersion.major = 0;
	info->firmwareVersion.major = 0;
	return CKR_OK;
}

static size_t count_sessions(bool rw)
{
	struct p11_session *s = NULL;
	size_t n = 0;

	for (s = g_sessions; s != NULL; s = s->next) {
		if (!rw || (s->flags & CKF_RW_SESSION) != 0) {
			n++;
		}
	}
	return n;
}

static CK_RV p11_get_token_info(CK_SLOT_ID id, CK_TOKEN_INFO *info)
{
	CK_RV rv = check_slot(id);
	uint8_t digest[CR_SHA1_LEN];
	char serial[17];
	size_t i;

	if (rv != CKR_OK) {
		return rv;
	}
	if (info == NULL) {
		return CKR_ARGUMENTS_BAD;
	}
	lock();
	cr_p11_token_reload(g_tok, false, NULL);
	memset(info, 0, sizeof(*info));
	memcpy(info->label, g_tok->label, sizeof(info->label));
	pad(info->manufacturerID, sizeof(info->manufacturerID), "credroam");
	pad(info->model, sizeof(info->model), "roaming store");
	/* stable per user: the SID's SHA-1, 16 hex digits */
	gnutls_hash_fast(GNUTLS_DIG_SHA1, g_tok->p.sid,
			 strlen(g_tok->p.sid), digest);
	for (i = 0; i < 8; i++) {
		snprintf(serial + 2 * i, 3, "%02X", digest[i]);
	}
	memcpy(info->serialNumber, serial, 16);
	info->flags = CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED |
		      CKF_RNG;
	if (cr_p11_token_login_required(g_tok)) {
		info->flags |= CKF_LOGIN_REQUIRED;
	}
	info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
	info->ulSessionCount = count_sessions(false);
	info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
	info->ulRwSessionCount = count_sessions(true);
	info->ulMaxPinLen = 1024;
	info->ulMinPinLen = 1;
	info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	info->hardwareVersion.major = 0;
	info->firmwareVersion.major = 0;
	memset(info->utcTime, ' ', sizeof(info->utcTime));
	unlock();
	return CKR_OK;
}

static CK_RV p11_get_mechanism_list(CK_SLOT_ID id, CK_MECHANISM_TYPE *list,
				    CK_ULONG *count)
{
	CK_RV rv = check_slot(id);
	size_t n;

	if (rv != CKR_OK) {
		return rv;
	}
	if (count == NULL) {
		return CKR_ARGUMENTS_BAD;
	}
	n = cr_p11_mech_list(NULL, 0);
	if (list != NULL && *count < n) {
		*count = n;
		return CKR_BUFFER_TOO_SMALL;
	}
	cr_p11_mech_list(list, n);
	*count = n;
	return CKR_OK;
}

static CK_RV p11_get_mechanism_info(CK_SLOT_ID id, CK_MECHANISM_TYPE type,
				    CK_MECHANISM_INFO *info)
{
	CK_RV rv = check_slot(id);

	if (rv != CKR_OK) {
		return rv;
	}
	if (info == NULL) {
		return CKR_ARGUMENTS_BAD;
	}
	return cr_p11_mech_info(type, info);
}

static CK_RV p11_open_session(CK_SLOT_ID id, CK_FLAGS flags, void *app,
			      CK_NOTIFY notify, CK_SESSION_HANDLE *ph)
{
	struct cr_p11_conn *conn = current();
	struct p11_session *s = NULL;
	CK_RV rv = check_slot(id);

	if (rv != CKR_OK) {
		return rv;
	}
	if ((flags & CKF_SERIAL_SESSION) == 0) {
		return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	}
	if (ph == NULL) {
		return CKR_ARGUMENTS_BAD;
	}
	if (conn->num_sessions >= MAX_SESSIONS) {
		return CKR_SESSION_COUNT;
	}
	lock();
	/* a new session sees the store as it is now */
	cr_p11_token_reload(g_tok, false, NULL);
	s = talloc_zero(g_tok, struct p11_session);
	if (s == NULL) {
		unlock();
		return CKR_HOST_MEMORY;
	}
	s->handle = g_next_session++;
	s->conn = conn;
	s->flags = flags;
	s->next = g_sessions;
	if (g_sessions != NULL) {
		g_sessions->prev = s;
	}
	g_sessions = s;
	conn->num_sessions++;
	*ph = s->handle;
	unlock();
	return CKR_OK;
}

static CK_RV p11_close_session(CK_SESSION_HANDLE h)
{
	struct p11_session *s = NULL;
	CK_RV rv = enter_session(h, &s);

	if (rv != CKR_OK) {
		return rv;
	}
	close_session(s);
	if (current()->num_sessions == 0) {
		/* the last session closed logs the application out */
		current()->logged_in = false;
	}
	unlock();
	return CKR_OK;
}

static CK_RV p11_close_all_sessions(CK_SLOT_ID id)
{
	CK_RV rv = check_slot(id);

	if (rv != CKR_OK) {
		return rv;
	}
	lock();
	close_sessions(current());
	unlock();
	return CKR_OK;
}

static CK_RV p11_get_session_info(CK_SESSION_HANDLE h, CK_SESSION_INFO *info)
{
	struct p11_session *s = NULL;
	CK_RV rv = enter_session(h, &s);
	bool rw;

	if (rv != CKR_OK) {
		return rv;
	}
	if (info == NULL) {
		unlock();
		return CKR_ARGUMENTS_BAD;
	}
	rw = (s->flags & CKF_RW_SESSION) != 0;
	memset(info, 0, sizeof(*info));
	info->slotID = CR_P11_SLOT_ID;
	info->flags = s->flags;
	if (s->conn->logged_in) {
		info->state = rw ? CKS_RW_USER_FUNCTIONS
				 : CKS_RO_USER_FUNCTIONS;
	} else {
		info->state = rw ? CKS_RW_PUBLIC_SESSION
				 : CKS_RO_PUBLIC_SESSION;
	}
	unlock();
	return CKR_OK;
}

/*
 * C_Login with the domain password.  When no key is locked (the session's
 * master keys opened them all), any PIN is accepted: the token does not
 * say CKF_LOGIN_REQUIRED then, so Firefox and Chromium never ask, and
 * programs that log in anyway (p11tool --login, pkcs11-tool -l) work.
 */
static CK_RV p11_login(CK_SESSION_HANDLE h, CK_USER_TYPE user,
		       unsigned char *pin, CK_ULONG pin_len)
{
	struct p11_session *s = NULL;
	CK_RV rv = enter_session(h, &s);

	if (rv != CKR_OK) {
		return rv;
	}
	if (user != CKU_USER) {
		rv = user == CKU_SO ? CKR_PIN_INCORRECT
				    : CKR_USER_TYPE_INVALID;
		goto done;
	}
	if (s->conn->logged_in) {
		rv = CKR_USER_ALREADY_LOGGED_IN;
		goto done;
	}
	rv = cr_p11_token_login(g_tok, pin, pin_len);
	if (rv == CKR_OK) {
		s->conn->logged_in = true;
	}
done:
	unlock();
	return rv;
}

static CK_RV p11_logout(CK_SESSION_HANDLE h)
{
	struct p11_session *s = NULL;
	CK_RV rv = enter_session(h, &s);

	if (rv != CKR_OK) {
		return rv;
	}
	if (!s->conn->logged_in) {
		rv = CKR_USER_NOT_LOGGED_IN;
	}
	s->conn->logged_in = false;
	unlock();
	return rv;
}

static CK_RV p11_get_attribute_value(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh,
				     CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	struct p11_session *s = NULL;
	const struct cr_p11_object *o = NULL;
	CK_RV rv = enter_session(h, &s);

	if (rv != CKR_OK) {
		return rv;
	}
	o = cr_p11_token_object(g_tok, oh);
	if (o == NULL) {
		rv = CKR_OBJECT_HANDLE_INVALID;
	} else if (tmpl == NULL && count > 0) {
		rv = CKR_ARGUMENTS_BAD;
	} else {
		rv = cr_p11_object_get(o, tmpl, count);
	}
	unlock();
	return rv;
}

static CK_RV p11_get_object_size(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh,
				 CK_ULONG *size)
{
	struct p11_session *s = NULL;
	CK_RV rv = enter_session(h, &s);

	if (rv != CKR_OK) {
		return rv;
	}
	if (cr_p11_token_object(g_tok, oh) == NULL) {
		rv = CKR_OBJECT_HANDLE_INVALID;
	} else if (size == NULL) {
		rv = CKR_ARGUMENTS_BAD;
	} else {
		*size = CK_UNAVAILABLE_INFORMATION;
	}
	unlock();
	return rv;
}

static CK_RV p11_find_objects_init(CK_SESSION_HANDLE h, CK_ATTRIBUTE *tmpl,
				   CK_ULONG count)
{
	struct p11_session *s = NULL;
	CK_RV rv = enter_session(h, &s);
	size_t i;

	if (rv != CKR_OK) {
		return rv;
	}
	if (s->finding) {
		rv = CKR_OPERATION_ACTIVE;
		goto done;
	}
	if (tmpl == NULL && count > 0) {
		rv = CKR_ARGUMENTS_BAD;
		goto done;
	}
	TALLOC_FREE(s->found);
	s->found = talloc_array(s, CK_OBJECT_HANDLE, g_tok->num_objs + 1);
	if (s->found == NULL) {
		rv = CKR_HOST_MEMORY;
		goto done;
	}
	s->num_found = 0;
	s->next_found = 0;
	for (i = 0; i < g_tok->num_objs && s->num_found < MAX_FOUND; i++) {
		const struct cr_p11_object *o = g_tok->objs[i];

		if (cr_p11_object_matches(o, tmpl, count)) {
			s->found[s->num_found++] = o->handle;
		}
	}
	s->finding = true;
done:
	unlock();
	return rv;
}

static CK_RV p11_find_objects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE *out,
			      CK_ULONG max, CK_ULONG *count)
{
	struct p11_session *s = NULL;
	CK_RV rv = enter_session(h, &s);
	CK_ULONG n = 0;

	if (rv != CKR_OK) {
		return rv;
	}
	if (!s->finding) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	} else if (count == NULL || (out == NULL && max > 0)) {
		rv = CKR_ARGUMENTS_BAD;
	} else {
		while (n < max && s->next_found < s->num_found) {
			out[n++] = s->found[s->next_found++];
		}
		*count = n;
	}
	unlock();
	return rv;
}

static CK_RV p11_find_objects_final(CK_SESSION_HANDLE h)
{
	struct p11_session *s = NULL;
	CK_RV rv = enter_session(h, &s);

	if (rv != CKR_OK) {
		return rv;
	}
	if (!s->finding) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	}
	s->finding = false;
	TALLOC_FREE(s->found);
	unlock();
	return rv;
}

static CK_RV op_init(CK_SESSION_HANDLE h, enum cr_p11_op_kind kind,
		     CK_MECHANISM *m, CK_OBJECT_HANDLE key)
{
	struct p11_session *s = NULL;
	const struct cr_p11_object *o = NULL;
	struct cr_p11_op **slot = NULL;
	CK_RV rv = enter_session(h, &s);

	if (rv != CKR_OK) {
		return rv;
	}
	slot = kind == CR_P11_OP_SIGN ? &s->sign : &s->decrypt;
	if (m == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto done;
	}
	if (*slot != NULL) {
		rv = CKR_OPERATION_ACTIVE;
		goto done;
	}
	o = cr_p11_token_object(g_tok, key);
	if (o == NULL) {
		rv = CKR_KEY_HANDLE_INVALID;
		goto done;
	}
	rv = cr_p11_op_init(s, kind, m, o, slot);
done:
	unlock();
	return rv;
}

/* The key of the session's operation, or NULL when it went away. */
static const struct cr_p11_key *op_key(const struct cr_p11_op *op)
{
	const struct cr_p11_object *o = cr_p11_token_object(g_tok,
							    op->key_handle);

	return o != NULL ? o->key : NULL;
}

/*
 * One-part or final signature.  A length query (out NULL) or a short
 * buffer keeps the operation; anything else ends it (PKCS#11 5.2).
 */
static CK_RV sign_final(CK_SESSION_HANDLE h, const uint8_t *data,
			CK_ULONG len, bool one_part, uint8_t *out,
			CK_ULONG *out_len)
{
	struct p11_session *s = NULL;
	const struct cr_p11_key *key = NULL;
	CK_RV rv = enter_session(h, &s);
	size_t n;

	if (rv != CKR_OK) {
		return rv;
	}
	if (s->sign == NULL) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto done;
	}
	if (out_len == NULL || (one_part && data == NULL && len > 0)) {
		rv = CKR_ARGUMENTS_BAD;
		goto end;
	}
	if (out == NULL) {
		*out_len = s->sign->out_len;
		goto done;
	}
	key = op_key(s->sign);
	if (key == NULL) {
		rv = CKR_KEY_HANDLE_INVALID;
		goto end;
	}
	if (one_part && s->sign->data != NULL) {
		/* C_Sign after C_SignUpdate */
		rv = CKR_OPERATION_ACTIVE;
		goto end;
	}
	n = *out_len;
	rv = cr_p11_op_sign(s->sign, key, one_part ? data : NULL,
			    one_part ? len : 0, out, &n);
	*out_len = n;
	if (rv == CKR_BUFFER_TOO_SMALL) {
		goto done;
	}
end:
	TALLOC_FREE(s->sign);
done:
	unlock();
	return rv;
}

static CK_RV p11_sign_init(CK_SESSION_HANDLE h, CK_MECHANISM *m,
			   CK_OBJECT_HANDLE key)
{
	return op_init(h, CR_P11_OP_SIGN, m, key);
}

static CK_RV p11_sign(CK_SESSION_HANDLE h, unsigned char *data,
		      CK_ULONG len, unsigned char *sig, CK_ULONG *sig_len)
{
	return sign_final(h, data, len, true, sig, sig_len);
}

static CK_RV p11_sign_update(CK_SESSION_HANDLE h, unsigned char *data,
			     CK_ULONG len)
{
	struct p11_session *s = NULL;
	CK_RV rv = enter_session(h, &s);

	if (rv != CKR_OK) {
		return rv;
	}
	if (s->sign == NULL) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
	} else if (data == NULL && len > 0) {
		rv = CKR_ARGUMENTS_BAD;
		TALLOC_FREE(s->sign);
	} else {
		rv = cr_p11_op_update(s->sign, data, len);
		if (rv != CKR_OK) {
			TALLOC_FREE(s->sign);
		}
	}
	unlock();
	return rv;
}

static CK_RV p11_sign_final(CK_SESSION_HANDLE h, unsigned char *sig,
			    CK_ULONG *sig_len)
{
	return sign_final(h, NULL, 0, false, sig, sig_len);
}

static CK_RV p11_decrypt_init(CK_SESSION_HANDLE h, CK_MECHANISM *m,
			      CK_OBJECT_HANDLE key)
{
	return op_init(h, CR_P11_OP_DECRYPT, m, key);
}

static CK_RV p11_decrypt(CK_SESSION_HANDLE h, unsigned char *in,
			 CK_ULONG in_len, unsigned char *out,
			 CK_ULONG *out_len)
{
	struct p11_session *s = NULL;
	const struct cr_p11_key *key = NULL;
	CK_RV rv = enter_session(h, &s);
	size_t n;

	if (rv != CKR_OK) {
		return rv;
	}
	if (s->decrypt == NULL) {
		rv = CKR_OPERATION_NOT_INITIALIZED;
		goto done;
	}
	if (out_len == NULL || in == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto end;
	}
	key = op_key(s->decrypt);
	if (key == NULL) {
		rv = CKR_KEY_HANDLE_INVALID;
		goto end;
	}
	if (out == NULL) {
		/* an upper bound, which PKCS#11 allows for a query */
		*out_len = key->sig_len;
		goto done;
	}
	n = *out_len;
	rv = cr_p11_op_decrypt(s->decrypt, key, in, in_len, out, &n);
	*out_len = n;
	if (rv == CKR_BUFFER_TOO_SMALL) {
		goto done;
	}
end:
	TALLOC_FREE(s->decrypt);
done:
	unlock();
	return rv;
}

static CK_RV p11_generate_random(CK_SESSION_HANDLE h, unsigned char *out,
				 CK_ULONG len)
{
	struct p11_session *s = NULL;
	CK_RV rv = enter_session(h, &s);

	if (rv != CKR_OK) {
		return rv;
	}
	unlock();
	if (out == NULL && len > 0) {
		return CKR_ARGUMENTS_BAD;
	}
	if (len > 0 && gnutls_rnd(GNUTLS_RND_RANDOM, out, len) != 0) {
		return CKR_FUNCTION_FAILED;
	}
	return CKR_OK;
}

static CK_RV p11_seed_random(CK_SESSION_HANDLE h, unsigned char *seed,
			     CK_ULONG len)
{
	return CKR_RANDOM_SEED_NOT_SUPPORTED;
}

static CK_RV p11_wait_for_slot_event(CK_FLAGS flags, CK_SLOT_ID *slot,
				     void *reserved)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

/* What the token does not do. */
static CK_RV p11_init_token(CK_SLOT_ID id, unsigned char *pin, CK_ULONG len,
			    unsigned char *label)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_init_pin(CK_SESSION_HANDLE h, unsigned char *pin,
			  CK_ULONG len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_set_pin(CK_SESSION_HANDLE h, unsigned char *old,
			 CK_ULONG old_len, unsigned char *new_pin,
			 CK_ULONG new_len)
{
	/* the PIN is the domain password: change it in the domain */
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_get_operation_state(CK_SESSION_HANDLE h,
				     unsigned char *state, CK_ULONG *len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_set_operation_state(CK_SESSION_HANDLE h,
				     unsigned char *state, CK_ULONG len,
				     CK_OBJECT_HANDLE ek, CK_OBJECT_HANDLE ak)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

/* The session h, writable, with the lock taken. */
static CK_RV enter_rw_session(CK_SESSION_HANDLE h, struct p11_session **ps)
{
	CK_RV rv = enter_session(h, ps);

	if (rv == CKR_OK && ((*ps)->flags & CKF_RW_SESSION) == 0) {
		unlock();
		*ps = NULL;
		rv = CKR_SESSION_READ_ONLY;
	}
	return rv;
}

static CK_RV p11_create_object(CK_SESSION_HANDLE h, CK_ATTRIBUTE *tmpl,
			       CK_ULONG count, CK_OBJECT_HANDLE *oh)
{
	struct p11_session *s = NULL;
	CK_RV rv = enter_rw_session(h, &s);

	if (rv != CKR_OK) {
		return rv;
	}
	if ((tmpl == NULL && count > 0) || oh == NULL) {
		rv = CKR_ARGUMENTS_BAD;
	} else {
		rv = cr_p11_token_create(g_tok, tmpl, count, oh);
	}
	unlock();
	return rv;
}

static CK_RV p11_copy_object(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh,
			     CK_ATTRIBUTE *tmpl, CK_ULONG count,
			     CK_OBJECT_HANDLE *newh)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_destroy_object(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh)
{
	struct p11_session *s = NULL;
	CK_RV rv = enter_rw_session(h, &s);

	if (rv != CKR_OK) {
		return rv;
	}
	rv = cr_p11_token_destroy(g_tok, oh);
	unlock();
	return rv;
}

static CK_RV p11_set_attribute_value(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh,
				     CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
	return CKR_ACTION_PROHIBITED;
}

static CK_RV p11_encrypt_init(CK_SESSION_HANDLE h, CK_MECHANISM *m,
			      CK_OBJECT_HANDLE key)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_encrypt(CK_SESSION_HANDLE h, unsigned char *in,
			 CK_ULONG in_len, unsigned char *out,
			 CK_ULONG *out_len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_encrypt_update(CK_SESSION_HANDLE h, unsigned char *in,
				CK_ULONG in_len, unsigned char *out,
				CK_ULONG *out_len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_encrypt_final(CK_SESSION_HANDLE h, unsigned char *out,
			       CK_ULONG *out_len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_decrypt_update(CK_SESSION_HANDLE h, unsigned char *in,
				CK_ULONG in_len, unsigned char *out,
				CK_ULONG *out_len)
{
	/* RSA decryption is one part */
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_decrypt_final(CK_SESSION_HANDLE h, unsigned char *out,
			       CK_ULONG *out_len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_digest_init(CK_SESSION_HANDLE h, CK_MECHANISM *m)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_digest(CK_SESSION_HANDLE h, unsigned char *in,
			CK_ULONG in_len, unsigned char *out,
			CK_ULONG *out_len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_digest_update(CK_SESSION_HANDLE h, unsigned char *in,
			       CK_ULONG in_len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_digest_key(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_digest_final(CK_SESSION_HANDLE h, unsigned char *out,
			      CK_ULONG *out_len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_sign_recover_init(CK_SESSION_HANDLE h, CK_MECHANISM *m,
				   CK_OBJECT_HANDLE key)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_sign_recover(CK_SESSION_HANDLE h, unsigned char *in,
			      CK_ULONG in_len, unsigned char *out,
			      CK_ULONG *out_len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_verify_init(CK_SESSION_HANDLE h, CK_MECHANISM *m,
			     CK_OBJECT_HANDLE key)
{
	/* verify with the certificate, in the application */
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_verify(CK_SESSION_HANDLE h, unsigned char *in,
			CK_ULONG in_len, unsigned char *sig, CK_ULONG sig_len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_verify_update(CK_SESSION_HANDLE h, unsigned char *in,
			       CK_ULONG in_len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_verify_final(CK_SESSION_HANDLE h, unsigned char *sig,
			      CK_ULONG sig_len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_verify_recover_init(CK_SESSION_HANDLE h, CK_MECHANISM *m,
				     CK_OBJECT_HANDLE key)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_verify_recover(CK_SESSION_HANDLE h, unsigned char *sig,
				CK_ULONG sig_len, unsigned char *out,
				CK_ULONG *out_len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_dual_update(CK_SESSION_HANDLE h, unsigned char *in,
			     CK_ULONG in_len, unsigned char *out,
			     CK_ULONG *out_len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_generate_key(CK_SESSION_HANDLE h, CK_MECHANISM *m,
			      CK_ATTRIBUTE *tmpl, CK_ULONG count,
			      CK_OBJECT_HANDLE *key)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_generate_key_pair(CK_SESSION_HANDLE h, CK_MECHANISM *m,
				   CK_ATTRIBUTE *pub, CK_ULONG pub_count,
				   CK_ATTRIBUTE *priv, CK_ULONG priv_count,
				   CK_OBJECT_HANDLE *pubh,
				   CK_OBJECT_HANDLE *privh)
{
	struct p11_session *s = NULL;
	CK_RV rv = enter_rw_session(h, &s);

	if (rv != CKR_OK) {
		return rv;
	}
	if (m == NULL || pubh == NULL || privh == NULL ||
	    (pub == NULL && pub_count > 0) ||
	    (priv == NULL && priv_count > 0)) {
		rv = CKR_ARGUMENTS_BAD;
	} else {
		rv = cr_p11_token_generate(g_tok, m, pub, pub_count, priv,
					   priv_count, pubh, privh);
	}
	unlock();
	return rv;
}

static CK_RV p11_wrap_key(CK_SESSION_HANDLE h, CK_MECHANISM *m,
			  CK_OBJECT_HANDLE wk, CK_OBJECT_HANDLE key,
			  unsigned char *out, CK_ULONG *out_len)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_unwrap_key(CK_SESSION_HANDLE h, CK_MECHANISM *m,
			    CK_OBJECT_HANDLE uk, unsigned char *in,
			    CK_ULONG in_len, CK_ATTRIBUTE *tmpl,
			    CK_ULONG count, CK_OBJECT_HANDLE *key)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_derive_key(CK_SESSION_HANDLE h, CK_MECHANISM *m,
			    CK_OBJECT_HANDLE base, CK_ATTRIBUTE *tmpl,
			    CK_ULONG count, CK_OBJECT_HANDLE *key)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_RV p11_get_function_status(CK_SESSION_HANDLE h)
{
	return CKR_FUNCTION_NOT_PARALLEL;
}

static CK_RV p11_cancel_function(CK_SESSION_HANDLE h)
{
	return CKR_FUNCTION_NOT_PARALLEL;
}

static CK_FUNCTION_LIST function_list = {
	.version = { 2, 40 },
	.C_Initialize = p11_initialize,
	.C_Finalize = p11_finalize,
	.C_GetInfo = p11_get_info,
	.C_GetFunctionList = p11_get_function_list,
	.C_GetSlotList = p11_get_slot_list,
	.C_GetSlotInfo = p11_get_slot_info,
	.C_GetTokenInfo = p11_get_token_info,
	.C_GetMechanismList = p11_get_mechanism_list,
	.C_GetMechanismInfo = p11_get_mechanism_info,
	.C_InitToken = p11_init_token,
	.C_InitPIN = p11_init_pin,
	.C_SetPIN = p11_set_pin,
	.C_OpenSession = p11_open_session,
	.C_CloseSession = p11_close_session,
	.C_CloseAllSessions = p11_close_all_sessions,
	.C_GetSessionInfo = p11_get_session_info,
	.C_GetOperationState = p11_get_operation_state,
	.C_SetOperationState = p11_set_operation_state,
	.C_Login = p11_login,
	.C_Logout = p11_logout,
	.C_CreateObject = p11_create_object,
	.C_CopyObject = p11_copy_object,
	.C_DestroyObject = p11_destroy_object,
	.C_GetObjectSize = p11_get_object_size,
	.C_GetAttributeValue = p11_get_attribute_value,
	.C_SetAttributeValue = p11_set_attribute_value,
	.C_FindObjectsInit = p11_find_objects_init,
	.C_FindObjects = p11_find_objects,
	.C_FindObjectsFinal = p11_find_objects_final,
	.C_EncryptInit = p11_encrypt_init,
	.C_Encrypt = p11_encrypt,
	.C_EncryptUpdate = p11_encrypt_update,
	.C_EncryptFinal = p11_encrypt_final,
	.C_DecryptInit = p11_decrypt_init,
	.C_Decrypt = p11_decrypt,
	.C_DecryptUpdate = p11_decrypt_update,
	.C_DecryptFinal = p11_decrypt_final,
	.C_DigestInit = p11_digest_init,
	.C_Digest = p11_digest,
	.C_DigestUpdate = p11_digest_update,
	.C_DigestKey = p11_digest_key,
	.C_DigestFinal = p11_digest_final,
	.C_SignInit = p11_sign_init,
	.C_Sign = p11_sign,
	.C_SignUpdate = p11_sign_update,
	.C_SignFinal = p11_sign_final,
	.C_SignRecoverInit = p11_sign_recover_init,
	.C_SignRecover = p11_sign_recover,
	.C_VerifyInit = p11_verify_init,
	.C_Verify = p11_verify,
	.C_VerifyUpdate = p11_verify_update,
	.C_VerifyFinal = p11_verify_final,
	.C_VerifyRecoverInit = p11_verify_recover_init,
	.C_VerifyRecover = p11_verify_recover,
	.C_DigestEncryptUpdate = p11_dual_update,
	.C_DecryptDigestUpdate = p11_dual_update,
	.C_SignEncryptUpdate = p11_dual_update,
	.C_DecryptVerifyUpdate = p11_dual_update,
	.C_GenerateKey = p11_generate_key,
	.C_GenerateKeyPair = p11_generate_key_pair,
	.C_WrapKey = p11_wrap_key,
	.C_UnwrapKey = p11_unwrap_key,
	.C_DeriveKey = p11_derive_key,
	.C_SeedRandom = p11_seed_random,
	.C_GenerateRandom = p11_generate_random,
	.C_GetFunctionStatus = p11_get_function_status,
	.C_CancelFunction = p11_cancel_function,
	.C_WaitForSlotEvent = p11_wait_for_slot_event,
};

static CK_RV p11_get_function_list(CK_FUNCTION_LIST **list)
{
	if (list == NULL) {
		return CKR_ARGUMENTS_BAD;
	}
	*list = &function_list;
	return CKR_OK;
}

CK_FUNCTION_LIST *cr_p11_module(struct cr_p11_token *tok)
{
	g_tok = tok;
	return &function_list;
}

struct cr_p11_conn *cr_p11_conn_enter(void)
{
	t_conn = talloc_zero(NULL, struct cr_p11_conn);
	return t_conn;
}

void cr_p11_conn_leave(struct cr_p11_conn *conn)
{
	if (conn == NULL) {
		return;
	}
	lock();
	close_sessions(conn);
	unlock();
	if (t_conn == conn) {
		t_conn = NULL;
	}
	talloc_free(conn);
}
