/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BKRP client; see bkrp.h.
 *
 * BackuprKey, opnum 0 of 3dde7c30-165d-11d1-ab8f-00805f14db40 v1.0:
 *
 *   NET_API_STATUS BackuprKey([in] GUID *pguidActionAgent,
 *	[in, size_is(cbDataIn)] byte *pDataIn, [in] DWORD cbDataIn,
 *	[out, size_is(,*pcbDataOut)] byte **ppDataOut,
 *	[out] DWORD *pcbDataOut, [in] DWORD dwParam);
 *
 * Request stub (NDR20, little-endian; top-level pointers are [ref], so no
 * referent ids): GUID (16), max_count (4), data_in, pad to 4, cbDataIn
 * (4), dwParam (4).  Response stub: referent id of *ppDataOut (4; 0 for
 * NULL), then if not NULL max_count (4), the bytes, pad to 4; then
 * pcbDataOut (4) and the WERROR (4).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>
#include <tevent.h>
#include <util/data_blob.h>
#include <core/ntstatus.h>
#include <core/error.h>
#include <gen_ndr/misc.h>
#include <gen_ndr/dcerpc.h>
#include <ndr.h>
#include <credentials.h>
#include <param.h>
#include <dcerpc.h>

#include "ad/adconn.h"
#include "ad/bkrp.h"
#include "ad/dcverify.h"
#include "util/cursor.h"
#include "util/error.h"
#include "util/lazylib.h"
#include "util/secret.h"
#include "util/stackframe.h"

#define CR_BKRP_DEFAULT_TIMEOUT 5

/* The interface as libdcerpc needs it: endpoints and auth services set. */
static const char * const cr_bkrp_endpoint_names[] = {
	"ncacn_np:[\\pipe\\protected_storage]",
	"ncacn_ip_tcp:",
};
static const struct ndr_interface_string_array cr_bkrp_endpoints = {
	.count = 2,
	.names = cr_bkrp_endpoint_names,
};
static const char * const cr_bkrp_authservice_names[] = { "host" };
static const struct ndr_interface_string_array cr_bkrp_authservices = {
	.count = 1,
	.names = cr_bkrp_authservice_names,
};
static const struct ndr_interface_table cr_bkrp_table = {
	.name = "backupkey",
	.syntax_id = {
		.uuid = {
			.time_low = 0x3dde7c30,
			.time_mid = 0x165d,
			.time_hi_and_version = 0x11d1,
			.clock_seq = { 0xab, 0x8f },
			.node = { 0x00, 0x80, 0x5f, 0x14, 0xdb, 0x40 },
		},
		.if_version = 1,
	},
	.helpstring = "Remote Backup Key Storage",
	.endpoints = &cr_bkrp_endpoints,
	.authservices = &cr_bkrp_authservices,
};

/* Transports in order of preference, and the port to probe first. */
static const struct {
	const char *prefix;
	const char *options;
	uint16_t port;
} cr_bkrp_transports[] = {
	{ "ncacn_np", "\\pipe\\protected_storage,seal", 445 },
	{ "ncacn_ip_tcp", "seal", 135 },
};

const char *cr_bkrp_werror_name(uint32_t werror)
{
	switch (werror) {
	case CR_WERR_OK:
		return "WERR_OK";
	case CR_WERR_FILE_NOT_FOUND:
		return "WERR_FILE_NOT_FOUND";
	case CR_WERR_ACCESS_DENIED:
		return "WERR_ACCESS_DENIED";
	case CR_WERR_INVALID_ACCESS:
		return "WERR_INVALID_ACCESS";
	case CR_WERR_INVALID_DATA:
		return "WERR_INVALID_DATA";
	case CR_WERR_NOT_SUPPORTED:
		return "WERR_NOT_SUPPORTED";
	case CR_WERR_INVALID_PARAMETER:
		return "WERR_INVALID_PARAMETER";
	default:
		return NULL;
	}
}

int cr_bkrp_push_request(TALLOC_CTX *mem_ctx, const struct cr_guid *action,
			 const uint8_t *data_in, size_t in_len,
			 uint32_t param, uint8_t **stub, size_t *stub_len)
{
	struct cr_buf b;

	*stub = NULL;
	*stub_len = 0;
	if (in_len > CR_BKRP_MAX_DATA) {
		return EINVAL;
	}
	cr_buf_init(&b, mem_ctx, false);
	cr_put_bytes(&b, action->b, sizeof(action->b));
	cr_put_le32(&b, (uint32_t)in_len);	/* max_count */
	cr_put_bytes(&b, data_in, in_len);
	cr_put_zeros(&b, (4 - in_len % 4) % 4);
	cr_put_le32(&b, (uint32_t)in_len);	/* cbDataIn */
	cr_put_le32(&b, param);
	if (b.oom) {
		TALLOC_FREE(b.data);
		return ENOMEM;
	}
	*stub = b.data;
	*stub_len = b.len;
	return 0;
}

int cr_bkrp_pull_response(TALLOC_CTX *mem_ctx, const uint8_t *stub,
			  size_t stub_len, uint8_t **data_out,
			  size_t *out_len, uint32_t *werror, char **errmsg)
{
	struct cr_cursor c;
	const uint8_t *data = NULL;
	uint32_t ptr;
	uint32_t count = 0;
	uint32_t len;
	uint32_t werr;
	uint8_t *copy = NULL;

	*data_out = NULL;
	*out_len = 0;
	*werror = 0;

	cr_cursor_init(&c, stub, stub_len);
	ptr = cr_get_le32(&c, "ppDataOut referent");
	if (ptr != 0) {
		count = cr_get_le32(&c, "ppDataOut max_count");
		if (cr_cursor_ok(&c) &&
		    (count > CR_BKRP_MAX_DATA || count > cr_cursor_left(&c))) {
			cr_cursor_fail(&c, EBADMSG, "ppDataOut bytes");
		}
		data = cr_get_bytes(&c, count, "ppDataOut bytes");
		cr_skip(&c, (4 - c.off % 4) % 4, "ppDataOut padding");
	}
	len = cr_get_le32(&c, "pcbDataOut");
	werr = cr_get_le32(&c, "WERROR");
	if (!cr_cursor_ok(&c)) {
		cr_seterr(errmsg, "malformed BackuprKey reply (%zu "
			  "bytes): %s runs past the end at offset %zu",
			  stub_len, c.fail_what ? c.fail_what : "a field",
			  c.fail_off);
		return EBADMSG;
	}
	if (cr_cursor_left(&c) != 0) {
		cr_seterr(errmsg, "malformed BackuprKey reply: %zu "
			  "trailing bytes after the WERROR at offset %zu",
			  cr_cursor_left(&c), c.off);
		return EBADMSG;
	}
	if (len != count) {
		cr_seterr(errmsg, "malformed BackuprKey reply: "
			  "pcbDataOut says %u bytes, the array holds %u",
			  len, count);
		return EBADMSG;
	}
	if (data != NULL) {
		/* the restore reply holds a master key */
		copy = credroam_secret_dup(mem_ctx, data, count ? count : 1);
		if (copy == NULL) {
			return ENOMEM;
		}
	}
	*data_out = copy;
	*out_len = count;
	*werror = werr;
	return 0;
}

/* A usable message and errno for an NTSTATUS of libdcerpc. */
static int map_status(NTSTATUS st)
{
	int e = map_errno_from_nt_status(st);

	if (NT_STATUS_EQUAL(st, NT_STATUS_ACCESS_DENIED) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_LOGON_FAILURE) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_WRONG_PASSWORD) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_NO_SUCH_USER)) {
		return EACCES;
	}
	if (NT_STATUS_EQUAL(st, NT_STATUS_IO_TIMEOUT)) {
		return ETIMEDOUT;
	}
	if (NT_STATUS_EQUAL(st, NT_STATUS_CONNECTION_REFUSED) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_HOST_UNREACHABLE) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_NETWORK_UNREACHABLE) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_CONNECTION_RESET) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_CONNECTION_DISCONNECTED)) {
		return EHOSTUNREACH;
	}
	if (e == 0 || e == EINVAL) {
		return EIO;
	}
	return e;
}

/* filled by load_dcerpc() on the first MS-BKRP call of the process */
static struct {
	__typeof__(dcerpc_init) *init;
	__typeof__(dcerpc_pipe_connect) *pipe_connect;
	__typeof__(dcerpc_binding_handle_auth_info) *auth_info;
	__typeof__(dcerpc_binding_handle_set_timeout) *set_timeout;
	__typeof__(dcerpc_binding_handle_raw_call_send) *raw_call_send;
	__typeof__(dcerpc_binding_handle_raw_call_recv) *raw_call_recv;
} dcerpc;
static bool dcerpc_loaded;

static int load_dcerpc(TALLOC_CTX *mem_ctx, char **errmsg)
{
	const struct cr_lazy_sym syms[] = {
		{ "dcerpc_init", (void **)&dcerpc.init },
		{ "dcerpc_pipe_connect", (void **)&dcerpc.pipe_connect },
		/* libdcerpc-binding's, found through libdcerpc's own needs */
		{ "dcerpc_binding_handle_auth_info",
		  (void **)&dcerpc.auth_info },
		{ "dcerpc_binding_handle_set_timeout",
		  (void **)&dcerpc.set_timeout },
		{ "dcerpc_binding_handle_raw_call_send",
		  (void **)&dcerpc.raw_call_send },
		{ "dcerpc_binding_handle_raw_call_recv",
		  (void **)&dcerpc.raw_call_recv },
		{ NULL, NULL },
	};
	int ret;

	if (dcerpc_loaded) {
		return 0;
	}
	ret = cr_lazylib_load(mem_ctx, CR_LIBDCERPC_SONAME, syms,
			      "asking the DC for a master key (MS-BKRP)",
			      errmsg);
	dcerpc_loaded = (ret == 0);
	return ret;
}

/*
 * Try the transports on one DC.  On failure *errmsg lists each attempt.
 */
static int connect_dc(struct cr_bkrp *b, const char *dc, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *why = talloc_strdup(frame, "");
	int ret = EHOSTUNREACH;
	size_t i;

	for (i = 0; i < sizeof(cr_bkrp_transports) /
			sizeof(cr_bkrp_transports[0]) && why != NULL; i++) {
		struct dcerpc_pipe *p = NULL;
		char *binding = NULL;
		enum dcerpc_AuthType atype = DCERPC_AUTH_TYPE_NONE;
		enum dcerpc_AuthLevel alevel = DCERPC_AUTH_LEVEL_NONE;
		NTSTATUS st;
		bool up;
		int e;

		binding = talloc_asprintf(frame, "%s:%s[%s]",
					  cr_bkrp_transports[i].prefix, dc,
					  cr_bkrp_transports[i].options);
		if (binding == NULL) {
			ret = ENOMEM;
			goto done;
		}
		up = cr_adconn_reachable(dc, cr_bkrp_transports[i].port,
					 (int)b->timeout * 1000);
		if (!up) {
			why = talloc_asprintf_append(why, "%s'%s': port %u "
				"refused or no answer within %u s",
				why[0] ? "; " : "", binding,
				(unsigned)cr_bkrp_transports[i].port,
				b->timeout);
			continue;
		}
		st = dcerpc.pipe_connect(b, &p, binding, &cr_bkrp_table,
					  b->creds, b->ev, b->lp_ctx);
		if (!NT_STATUS_IS_OK(st)) {
			e = map_status(st);
			/* an auth failure is the answer, not a transport's */
			if (ret != EACCES) {
				ret = e;
			}
			why = talloc_asprintf_append(why, "%s'%s': %s",
				why[0] ? "; " : "", binding, nt_errstr(st));
			continue;
		}
		dcerpc.auth_info(p->binding_handle, &atype, &alevel);
		if (alevel != DCERPC_AUTH_LEVEL_PRIVACY) {
			why = talloc_asprintf_append(why, "%s'%s': the "
				"connection is not sealed (auth level %d)",
				why[0] ? "; " : "", binding, (int)alevel);
			ret = EPROTO;
			TALLOC_FREE(p);
			continue;
		}
		dcerpc.set_timeout(p->binding_handle, b->timeout);
		b->pipe = p;
		b->dc = talloc_strdup(b, dc);
		b->binding = talloc_move(b, &binding);
		if (b->dc == NULL) {
			ret = ENOMEM;
			goto done;
		}
		ret = 0;
		goto done;
	}
	if (why == NULL) {
		ret = ENOMEM;
		goto done;
	}
	cr_seterr(errmsg, "MS-BKRP to '%s' as '%s' failed: %s", dc,
		  b->principal ? b->principal : "?", why);
done:
	TALLOC_FREE(frame);
	return ret;
}

static int connect_dcs(struct cr_bkrp *b, const char * const *dcs,
		       char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *why = talloc_strdup(frame, "");
	int ret = EHOSTUNREACH;
	size_t i;

	ret = load_dcerpc(b, errmsg);
	if (ret != 0) {
		goto done;
	}
	/* registers gensec; without it every bind is INVALID_PARAMETER */
	dcerpc.init();
	for (i = 0; dcs[i] != NULL && why != NULL; i++) {
		char *err = NULL;

		ret = connect_dc(b, dcs[i], &err);
		if (ret == 0) {
			goto done;
		}
		why = talloc_asprintf_append(why, "%s%s", why[0] ? "; " : "",
					     err ? err : strerror(ret));
		TALLOC_FREE(err);
		if (ret == ENOMEM || ret == EACCES || ret == EPROTO) {
			break;
		}
	}
	if (why == NULL) {
		ret = ENOMEM;
		goto done;
	}
	cr_seterr(errmsg, "%s", why);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_bkrp_connect(TALLOC_CTX *mem_ctx, const struct cr_ad_params *params,
		    struct cr_bkrp **pbkrp, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_bkrp *b = NULL;
	const char **dcs = NULL;
	const char *ccname = params->ccache;
	const char *ccerr = NULL;
	const char *at = NULL;
	char *ccache = NULL;
	char *err = NULL;
	uint64_t end = 0;
	bool ok;
	int ret;

	*pbkrp = NULL;
	b = talloc_zero(frame, struct cr_bkrp);
	if (b == NULL) {
		ret = ENOMEM;
		goto done;
	}
	b->timeout = params->timeout ? params->timeout
				     : CR_BKRP_DEFAULT_TIMEOUT;
	b->ev = tevent_context_init(b);
	b->lp_ctx = loadparm_init(b);
	if (b->ev == NULL || b->lp_ctx == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ok = (params->smb_conf != NULL)
		? lpcfg_load(b->lp_ctx, params->smb_conf)
		: lpcfg_load_default(b->lp_ctx);
	if (ok) {
		ok = lpcfg_set_cmdline(b->lp_ctx, CR_NO_DELEGATION_OPTION,
				       "no");
	}
	if (!ok) {
		cr_seterr(errmsg, "cannot load Samba configuration "
			  "'%s'", params->smb_conf ? params->smb_conf
			  : "(default smb.conf)");
		ret = EIO;
		goto done;
	}
	if (ccname == NULL) {
		ccname = getenv("KRB5CCNAME");
	}
	ret = cr_ccache_check(frame, ccname, &ccache, &b->principal, &end,
			      &err);
	if (ret != 0) {
		cr_seterr(errmsg, "%s", err);
		goto done;
	}
	talloc_steal(b, b->principal);
	at = strrchr(b->principal, '@');
	ret = cr_adconn_find_dcs(frame, at ? at + 1 : "", params->dc, &dcs,
				 &err);
	if (ret != 0) {
		cr_seterr(errmsg, "%s", err);
		goto done;
	}
	b->creds = cli_credentials_init(b);
	if (b->creds == NULL) {
		ret = ENOMEM;
		goto done;
	}
	cli_credentials_set_conf(b->creds, b->lp_ctx);
	cli_credentials_set_kerberos_state(b->creds,
					   CRED_USE_KERBEROS_REQUIRED,
					   CRED_SPECIFIED);
	ret = cli_credentials_set_ccache(b->creds, b->lp_ctx, ccache,
					 CRED_SPECIFIED, &ccerr);
	if (ret != 0) {
		cr_seterr(errmsg, "Samba cannot use Kerberos ticket "
			  "cache '%s': %s", ccache,
			  ccerr ? ccerr : "unknown error");
		ret = ENOENT;
		goto done;
	}
	ret = connect_dcs(b, dcs, &err);
	if (ret != 0) {
		cr_seterr(errmsg, "%s", err ? err : strerror(ret));
		goto done;
	}
	*pbkrp = talloc_move(mem_ctx, &b);
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return ret;
}

int cr_bkrp_connect_conn(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
			 struct cr_bkrp **pbkrp, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_bkrp *b = NULL;
	const char *dcs[2] = { NULL, NULL };
	char *err = NULL;
	int ret;

	*pbkrp = NULL;
	b = talloc_zero(frame, struct cr_bkrp);
	if (b == NULL) {
		ret = ENOMEM;
		goto done;
	}
	b->ev = conn->ev;
	b->lp_ctx = conn->lp_ctx;
	b->creds = conn->creds;
	b->timeout = conn->timeout ? conn->timeout : CR_BKRP_DEFAULT_TIMEOUT;
	b->principal = talloc_strdup(b, conn->principal);
	if (b->principal == NULL) {
		ret = ENOMEM;
		goto done;
	}
	dcs[0] = conn->dc;
	/* master keys and their backups only to a checked DC (dcverify.h) */
	ret = cr_dcverify(conn, CR_DC_NEED_BKRP, errmsg);
	if (ret != 0) {
		goto done;
	}
	ret = connect_dcs(b, dcs, &err);
	if (ret != 0) {
		cr_seterr(errmsg, "%s", err ? err : strerror(ret));
		goto done;
	}
	*pbkrp = talloc_move(mem_ctx, &b);
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return ret;
}

struct cr_bkrp_call_state {
	const char *action;
	const char *dc;
	uint8_t *out;
	size_t out_len;
	uint32_t werror;
	char *errmsg;
};

static void cr_bkrp_call_done(struct tevent_req *subreq);

struct tevent_req *cr_bkrp_call_send(TALLOC_CTX *mem_ctx,
				     struct tevent_context *ev,
				     struct cr_bkrp *bkrp,
				     const char *action,
				     const uint8_t *data_in, size_t in_len,
				     uint32_t param)
{
	struct tevent_req *req = NULL;
	struct tevent_req *subreq = NULL;
	struct cr_bkrp_call_state *state = NULL;
	struct cr_guid guid;
	uint8_t *stub = NULL;
	size_t stub_len = 0;
	bool ok;
	int ret;

	req = tevent_req_create(mem_ctx, &state, struct cr_bkrp_call_state);
	if (req == NULL) {
		return NULL;
	}
	state->action = action;
	state->dc = bkrp->dc;
	ok = cr_guid_parse(action, &guid);
	if (!ok) {
		state->errmsg = talloc_asprintf(state, "'%s' is not a GUID",
						action);
		tevent_req_error(req, EINVAL);
		return tevent_req_post(req, ev);
	}
	ret = cr_bkrp_push_request(state, &guid, data_in, in_len, param,
				   &stub, &stub_len);
	if (ret != 0) {
		state->errmsg = talloc_asprintf(state, "BackuprKey(%s): %zu "
						"bytes of input are too many",
						action, in_len);
		tevent_req_error(req, ret);
		return tevent_req_post(req, ev);
	}
	bkrp->calls += 1;
	subreq = dcerpc.raw_call_send(state, ev, bkrp->pipe->binding_handle,
				      NULL, 0, 0, stub, stub_len);
	if (tevent_req_nomem(subreq, req)) {
		return tevent_req_post(req, ev);
	}
	tevent_req_set_callback(subreq, cr_bkrp_call_done, req);
	return req;
}

static void cr_bkrp_call_done(struct tevent_req *subreq)
{
	struct tevent_req *req = tevent_req_callback_data(subreq,
							  struct tevent_req);
	struct cr_bkrp_call_state *state = tevent_req_data(
		req, struct cr_bkrp_call_state);
	uint8_t *raw = NULL;
	size_t raw_len = 0;
	uint32_t flags = 0;
	NTSTATUS st;
	int ret;

	st = dcerpc.raw_call_recv(subreq, state, &raw, &raw_len, &flags);
	TALLOC_FREE(subreq);
	if (!NT_STATUS_IS_OK(st)) {
		state->errmsg = talloc_asprintf(state, "BackuprKey(%s) at "
						"'%s' failed: %s",
						state->action, state->dc,
						nt_errstr(st));
		tevent_req_error(req, map_status(st));
		return;
	}
	/* a restore reply holds a master key */
	credroam_keep_secret(raw);
	ret = cr_bkrp_pull_response(state, raw, raw_len, &state->out,
				    &state->out_len, &state->werror,
				    &state->errmsg);
	TALLOC_FREE(raw);
	if (ret != 0) {
		if (state->errmsg != NULL) {
			state->errmsg = talloc_asprintf(state, "from '%s': %s",
							state->dc,
							state->errmsg);
		}
		tevent_req_error(req, ret);
		return;
	}
	tevent_req_done(req);
}

int cr_bkrp_call_recv(struct tevent_req *req, TALLOC_CTX *mem_ctx,
		      uint8_t **data_out, size_t *out_len, uint32_t *werror,
		      char **errmsg)
{
	struct cr_bkrp_call_state *state = tevent_req_data(
		req, struct cr_bkrp_call_state);
	enum tevent_req_state rs;
	uint64_t err = 0;
	int ret = 0;

	*data_out = NULL;
	*out_len = 0;
	*werror = 0;
	if (tevent_req_is_error(req, &rs, &err)) {
		ret = (rs == TEVENT_REQ_USER_ERROR) ? (int)err
			: (rs == TEVENT_REQ_TIMED_OUT) ? ETIMEDOUT : ENOMEM;
		if (errmsg != NULL) {
			*errmsg = (state->errmsg != NULL)
				? talloc_move(mem_ctx, &state->errmsg)
				: talloc_strdup(mem_ctx, strerror(ret));
		}
		goto done;
	}
	*data_out = talloc_move(mem_ctx, &state->out);
	*out_len = state->out_len;
	*werror = state->werror;
done:
	tevent_req_received(req);
	return ret;
}

/* One call, synchronously, on the connection's event context. */
static int call_sync(TALLOC_CTX *mem_ctx, struct cr_bkrp *bkrp,
		     const char *action, const uint8_t *in, size_t in_len,
		     uint8_t **out, size_t *out_len, uint32_t *werror,
		     char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct tevent_req *req = NULL;
	bool ok;
	int ret;

	req = cr_bkrp_call_send(frame, bkrp->ev, bkrp, action, in, in_len,
				0);
	if (req == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ok = tevent_req_poll(req, bkrp->ev);
	if (!ok) {
		cr_seterr(errmsg, "BackuprKey(%s) at '%s': event "
			  "loop failed: %s", action, bkrp->dc,
			  strerror(errno));
		ret = EIO;
		goto done;
	}
	ret = cr_bkrp_call_recv(req, mem_ctx, out, out_len, werror, errmsg);
done:
	TALLOC_FREE(frame);
	return ret;
}

static int werror_errno(uint32_t werror)
{
	switch (werror) {
	case CR_WERR_ACCESS_DENIED:
	case CR_WERR_INVALID_ACCESS:
		return EACCES;
	case CR_WERR_INVALID_DATA:
	case CR_WERR_INVALID_PARAMETER:
		return EINVAL;
	case CR_WERR_FILE_NOT_FOUND:
		return ENOENT;
	case CR_WERR_NOT_SUPPORTED:
		return ENOTSUP;
	default:
		return EIO;
	}
}

static void werror_msg(TALLOC_CTX *mem_ctx, char **errmsg,
		       struct cr_bkrp *bkrp, const char *what,
		       uint32_t werror)
{
	const char *name = cr_bkrp_werror_name(werror);
	char *hint = NULL;

	if (werror == CR_WERR_INVALID_ACCESS ||
	    werror == CR_WERR_ACCESS_DENIED) {
		hint = talloc_asprintf(mem_ctx, " (only the key's owner may "
				       "restore it; '%s' is not the owner)",
				       bkrp->principal);
	} else if (werror == CR_WERR_NOT_SUPPORTED) {
		hint = talloc_strdup(mem_ctx, " (not a writable AD DC?)");
	}
	cr_seterr(errmsg, "%s at '%s' refused: %s (0x%08x)%s", what,
		  bkrp->dc, name ? name : "WERROR", werror,
		  hint ? hint : "");
	TALLOC_FREE(hint);
}

int cr_bkrp_retrieve_cert(TALLOC_CTX *mem_ctx, struct cr_bkrp *bkrp,
			  uint8_t **der, size_t *der_len, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	/* MS-BKRP says NULL; the pointer is [ref], so 4 zero bytes */
	static const uint8_t zero[4] = { 0, 0, 0, 0 };
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint32_t werror = 0;
	char *err = NULL;
	int ret;

	*der = NULL;
	*der_len = 0;
	ret = call_sync(frame, bkrp, CR_BKRP_RETRIEVE_BACKUP_KEY_GUID, zero,
			sizeof(zero), &out, &out_len, &werror, &err);
	if (ret != 0) {
		cr_seterr(errmsg, "%s", err);
		goto done;
	}
	if (werror != CR_WERR_OK) {
		werror_msg(mem_ctx, errmsg, bkrp,
			   "retrieving the domain backup key certificate",
			   werror);
		ret = werror_errno(werror);
		goto done;
	}
	/* a DER SEQUENCE at least */
	if (out == NULL || out_len < 16 || out[0] != 0x30) {
		cr_seterr(errmsg, "'%s' returned %zu bytes that are "
			  "not a DER certificate for the backup key",
			  bkrp->dc, out_len);
		ret = EBADMSG;
		goto done;
	}
	*der = talloc_move(mem_ctx, &out);
	*der_len = out_len;
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return ret;
}

int cr_bkrp_restore(TALLOC_CTX *mem_ctx, struct cr_bkrp *bkrp,
		    const uint8_t *section, size_t section_len,
		    uint8_t **reply, size_t *reply_len, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint32_t werror = 0;
	char *err = NULL;
	int ret;

	*reply = NULL;
	*reply_len = 0;
	ret = call_sync(frame, bkrp, CR_BKRP_RESTORE_GUID, section,
			section_len, &out, &out_len, &werror, &err);
	if (ret != 0) {
		cr_seterr(errmsg, "%s", err);
		goto done;
	}
	if (werror != CR_WERR_OK) {
		werror_msg(mem_ctx, errmsg, bkrp,
			   "restoring a master key (BACKUPKEY_RESTORE_GUID)",
			   werror);
		ret = werror_errno(werror);
		goto done;
	}
	if (out == NULL) {
		cr_seterr(errmsg, "'%s' restored the master key but "
			  "returned no data", bkrp->dc);
		ret = EBADMSG;
		goto done;
	}
	*reply = talloc_move(mem_ctx, &out);
	*reply_len = out_len;
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return ret;
}
