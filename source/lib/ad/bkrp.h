/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * MS-BKRP client: BackuprKey (opnum 0) over DCE/RPC to a DC, with the
 * user's Kerberos ticket and packet privacy (spec/dpapi.md 3.4,
 * spec/testbed.md 9).
 *
 * Two uses: fetch the domain's ClientWrap certificate (to write a domain
 * key section into a new master key file), and ask the DC to unwrap a
 * master key file's domain key section (only its owner may).
 *
 * The interface's NDR is in Samba's private libraries only, so the one
 * call is marshalled here by hand (cr_bkrp_push_request() and the bounded
 * cr_bkrp_pull_response(), exposed for tests and fuzzing); transport,
 * Kerberos and sealing are Samba's public libdcerpc.
 */
#ifndef CREDROAM_BKRP_H
#define CREDROAM_BKRP_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "ad/adconn.h"
#include "util/encoding.h"

struct tevent_context;
struct tevent_req;

#define CR_BKRP_BACKUP_GUID "7f752b10-178e-11d1-ab8f-00805f14db40"
#define CR_BKRP_RESTORE_GUID_WIN2K "7fe94d50-178e-11d1-ab8f-00805f14db40"
#define CR_BKRP_RETRIEVE_BACKUP_KEY_GUID \
	"018ff48a-eaba-40c6-8f6d-72370240e967"
#define CR_BKRP_RESTORE_GUID "47270c64-2fc7-499b-ac5b-0e37cdce899a"

/* Refuse to send or accept more than this in one call. */
#define CR_BKRP_MAX_DATA (256 * 1024)

/* WERROR values a BackuprKey reply carries (MS-ERREF). */
#define CR_WERR_OK 0x00000000u
#define CR_WERR_FILE_NOT_FOUND 0x00000002u
#define CR_WERR_ACCESS_DENIED 0x00000005u
#define CR_WERR_INVALID_ACCESS 0x0000000cu
#define CR_WERR_INVALID_DATA 0x0000000du
#define CR_WERR_NOT_SUPPORTED 0x00000032u
#define CR_WERR_INVALID_PARAMETER 0x00000057u

struct cr_bkrp {
	struct tevent_context *ev;
	struct loadparm_context *lp_ctx;
	struct cli_credentials *creds;
	struct dcerpc_pipe *pipe;
	char *dc;
	char *binding;		/* the binding string that connected */
	char *principal;	/* whose ticket */
	unsigned timeout;	/* seconds per call */
	unsigned calls;		/* BackuprKey calls sent */
};

/*
 * Connect to a DC of the ticket's realm (params as for cr_adconn_connect:
 * smb.conf, ccache, DC override, timeout): ncacn_np \pipe\protected_storage
 * first, then ncacn_ip_tcp, both sealed, Kerberos only.  Errors: ENOENT /
 * EKEYEXPIRED (ticket), EHOSTUNREACH (no DC answers), EACCES (bind
 * refused), EPROTO (not sealed), EIO.
 */
int cr_bkrp_connect(TALLOC_CTX *mem_ctx, const struct cr_ad_params *params,
		    struct cr_bkrp **pbkrp, char **errmsg);

/*
 * The same, reusing an LDAP connection's event context, configuration,
 * credentials and DC.  conn must outlive the result.
 */
int cr_bkrp_connect_conn(TALLOC_CTX *mem_ctx, struct cr_adconn *conn,
			 struct cr_bkrp **pbkrp, char **errmsg);

/*
 * One BackuprKey call: action GUID (string form), data in, param.
 * The reply's data and WERROR; errors of the call itself (transport,
 * DCE/RPC fault, malformed reply) fail the request (errno style).
 */
struct tevent_req *cr_bkrp_call_send(TALLOC_CTX *mem_ctx,
				     struct tevent_context *ev,
				     struct cr_bkrp *bkrp,
				     const char *action,
				     const uint8_t *data_in, size_t in_len,
				     uint32_t param);
int cr_bkrp_call_recv(struct tevent_req *req, TALLOC_CTX *mem_ctx,
		      uint8_t **data_out, size_t *out_len, uint32_t *werror,
		      char **errmsg);

/* The domain's ClientWrap certificate (DER). */
int cr_bkrp_retrieve_cert(TALLOC_CTX *mem_ctx, struct cr_bkrp *bkrp,
			  uint8_t **der, size_t *der_len, char **errmsg);

/*
 * Ask the DC to unwrap a domain key section (the bytes as stored in the
 * master key file).  The reply's data exactly as the DC sent it (a zero
 * DWORD, then the master key; secret): feed it to cr_domainkey_dc_reply().
 * EACCES when the DC refuses (another user's key), EINVAL when it finds
 * the section invalid, ENOENT when it lacks the backup key.
 */
int cr_bkrp_restore(TALLOC_CTX *mem_ctx, struct cr_bkrp *bkrp,
		    const uint8_t *section, size_t section_len,
		    uint8_t **reply, size_t *reply_len, char **errmsg);

struct cr_mkf;

/*
 * The master key of a master key file through its domain key section and
 * a DC (cr_bkrp_restore() + cr_domainkey_dc_reply()).  ENOENT when the
 * file has no domain key section.  The key is secret (64 bytes).
 */
int cr_bkrp_masterkey(TALLOC_CTX *mem_ctx, struct cr_bkrp *bkrp,
		      const struct cr_mkf *mkf, uint8_t **master_key,
		      size_t *master_key_len, char **errmsg);

/* "WERR_INVALID_ACCESS" etc., or NULL for one not named here. */
const char *cr_bkrp_werror_name(uint32_t werror);

/* The NDR stub of a BackuprKey request. */
int cr_bkrp_push_request(TALLOC_CTX *mem_ctx, const struct cr_guid *action,
			 const uint8_t *data_in, size_t in_len,
			 uint32_t param, uint8_t **stub, size_t *stub_len);

/*
 * Parse a BackuprKey response stub exactly: the data_out pointer, its
 * conformant array, data_out_len (must equal the array's size), the
 * WERROR, nothing after.  EBADMSG with a message naming the field.
 */
int cr_bkrp_pull_response(TALLOC_CTX *mem_ctx, const uint8_t *stub,
			  size_t stub_len, uint8_t **data_out,
			  size_t *out_len, uint32_t *werror, char **errmsg);

#endif
