/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The part of pam_credroam that needs GnuTLS, nettle and keyutils:
 * deriving the password's DPAPI pre-keys and the user keyring.  It is a
 * separate object, credroam/pam_credroam_keys.so beside the module,
 * loaded only when a domain user logs on: GnuTLS's constructor alone
 * costs milliseconds in every pam_start() (measured: a local user's
 * open+close went from +0.2 ms of work to +7 ms with it linked in), and
 * the module must cost local users and root next to nothing.
 */
#ifndef PAM_CREDROAM_KEYS_H
#define PAM_CREDROAM_KEYS_H

#define PCR_KEYS_PUT_SYMBOL "pcr_keys_put_from_password"
#define PCR_KEYS_FORGET_SYMBOL "pcr_keys_forget"
#define PCR_KEYS_STORE_UNCHANGED_SYMBOL "pcr_keys_store_unchanged"

/*
 * Derive every pre-key of password for sid and put them into the calling
 * uid's user keyring for timeout seconds; wipes what it derived.
 * Returns 0 or an errno.
 */
typedef int (*pcr_keys_put_fn)(const char *password, const char *sid,
			       unsigned timeout);

/* Unlink every credroam key of sid from the calling uid's keyring. */
typedef int (*pcr_keys_forget_fn)(const char *sid);

/*
 * The store at store_dir is as the last run that saved its state left it,
 * and that state is sid's: 0.  Changed: 1.  Cannot tell: an errno.  (It
 * needs GnuTLS for the fingerprint, hence here; pam_credroam asks it
 * at logoff, as the user, to skip a run with nothing to upload.)
 */
typedef int (*pcr_keys_store_unchanged_fn)(const char *store_dir,
					   const char *sid);

int pcr_keys_put_from_password(const char *password, const char *sid,
			       unsigned timeout);
int pcr_keys_forget(const char *sid);
int pcr_keys_store_unchanged(const char *store_dir, const char *sid);

#endif
