/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Distinguished names as text, without ldb: is this string a plain DN,
 * and do two DNs name the same object?
 *
 * The owner check of a DN-Binary value (format/advalue.h) needs the
 * answer in the client, the DC's guard and the Python extension alike,
 * so it is one pure function here instead of ldb_dn_compare() in one
 * place and strcasecmp() in another.  It agrees with ldb_dn_compare() on
 * the DNs AD hands out (testprogs/unit/test_advalue.c compares them):
 *
 *  - attribute types compare case-insensitively ("cn" == "CN");
 *  - values compare as ldb's default folding does: escapes decoded
 *    ("\2C" == "\," == ","), spaces around a value and around the ','
 *    separators ignored, runs of spaces inside a value count as one,
 *    ASCII letters case-insensitively;
 *  - an extended DN ("<GUID=...>;CN=...", "<SID=...>") is never equal to
 *    anything: it would be resolved by the server and could name another
 *    object than its text.
 *
 * It is stricter than ldb in what it calls a DN, never more lenient:
 * an attribute type is a letter followed by letters, digits or '-'
 * directly before its '=' (ldb also skips spaces inside it); an escape
 * is '\' and a special character or two hex digits, never a NUL (ldb
 * takes "\zz" and a trailing '\'); ',', '+', '=', ';', '<', '>' and '"'
 * in a value must be escaped (multi-valued RDNs are not supported, as in
 * ldb).  Non-ASCII letters compare byte for byte (a DC folds them too):
 * a client writes its own DN as AD returned it.
 */
#ifndef CREDROAM_DN_H
#define CREDROAM_DN_H

#include <stdbool.h>
#include <stddef.h>
#include <talloc.h>

/*
 * The canonical form of the len bytes at dn (no NUL needed): types in
 * upper case, values folded, specials and bytes below 0x20 escaped as
 * \HH, one ',' between RDNs.  Two DNs are equal iff their canonical
 * forms are.  0, EBADMSG (not a plain DN; extended DNs included) with a
 * message "'<dn>' is not a DN: <why> at offset N", or ENOMEM.
 */
int cr_dn_canonical(TALLOC_CTX *mem_ctx, const char *dn, size_t len,
		    char **_canon, char **errmsg);

/* Do a and b name the same object?  False when either is not a DN. */
bool cr_dn_equal(const char *a, size_t alen, const char *b, size_t blen);

/* Does dn (after leading spaces) start with an extended component? */
bool cr_dn_is_extended(const char *dn, size_t len);

#endif
