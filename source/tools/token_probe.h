/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What `credroam status` says of the agent and its token: is its socket
 * there, does it answer, and the token as any PKCS#11 application sees it
 * (through p11-kit-client.so, the way every client reaches it).
 */
#ifndef CREDROAM_TOOLS_TOKEN_PROBE_H
#define CREDROAM_TOOLS_TOKEN_PROBE_H

#include <stdbool.h>
#include <talloc.h>

struct cr_token_probe {
	char *socket;
	bool socket_exists;
	bool reachable;		/* connect() succeeded */
	bool token;		/* a token answered */
	char *label;
	bool login_required;	/* CKF_LOGIN_REQUIRED: no master key yet */
	unsigned long certs;
	unsigned long private_keys;	/* visible ones (not logged in: 0
					 * when the token hides them) */
	char *problem;		/* why not, or NULL */
};

/* Never fails but for memory: what cannot be learnt goes in problem. */
int cr_token_probe(TALLOC_CTX *mem_ctx, const char *socket,
		   struct cr_token_probe **out);

struct json_t;
struct json_t *cr_token_probe_json(const struct cr_token_probe *p);
void cr_token_probe_print(const struct cr_token_probe *p);

#endif
