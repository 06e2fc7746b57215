/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The token as a PKCS#11 module (function list), served by the agent
 * over p11-kit's remoting, one connection per client process.
 *
 * A connection is a PKCS#11 application: its own C_Initialize, sessions
 * and login state.  The agent serves each connection in its own thread
 * (p11_kit_remote_serve_module() blocks), and the functions find the
 * connection of the calling thread in a thread-local pointer set by
 * cr_p11_conn_enter().  A thread that entered none (a unit test calling
 * the functions directly) uses one default connection.  Every call takes
 * the token's mutex, so connections see one consistent token.
 */
#ifndef CREDROAM_P11_MODULE_H
#define CREDROAM_P11_MODULE_H

#include "p11/pkcs11.h"
#include "p11/token.h"

/* The only slot. */
#define CR_P11_SLOT_ID 1

/* The function list serving tok (one token per process). */
CK_FUNCTION_LIST *cr_p11_module(struct cr_p11_token *tok);

struct cr_p11_conn;

/* This thread serves a new connection from now on (NULL: no memory). */
struct cr_p11_conn *cr_p11_conn_enter(void);

/* The connection ended: close what it left open, forget it. */
void cr_p11_conn_leave(struct cr_p11_conn *conn);

#endif
