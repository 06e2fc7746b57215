/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The credential roaming policy: what the user's GPOs say
 * (User/Registry.pol, key Software\Policies\Microsoft\Cryptography\
 * AutoEnrollment, [roaming.md] 5), what the administrator's
 * /etc/samba/credroam.conf says, and the effective result with the source
 * of every value.
 *
 * (Not to be confused with Samba's <samba-4.0/policy.h>; this tree's
 * source/lib comes first on the include path.)
 *
 * Flow:
 *
 *   p = policy_new(ctx);                       all "not set"
 *   for each GPO in application order (lowest precedence first):
 *       preg_parse(...); policy_apply_preg(p, file, "GPO name {GUID}");
 *   credroam_conf_load(ctx, NULL, &conf, &err);
 *   policy_merge(ctx, p, conf, &eff, &err);    defaults, ranges, override
 *   if (!policy_roaming_on(eff)) log(policy_reason_off(ctx, eff));
 *
 * Registry semantics: entries are applied in order, a later GPO's value
 * replaces an earlier one, and **del.<name>, **delvals., **DeleteValues
 * and **DeleteKeys delete what earlier entries set.  **soft.<name> sets a
 * value only if it is not set.
 */
#ifndef CREDROAM_POLICY_H
#define CREDROAM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "format/preg.h"

#define CREDROAM_CONF_PATH "/etc/samba/credroam.conf"
#define POLICY_KEY "Software\\Policies\\Microsoft\\Cryptography\\AutoEnrollment"

enum policy_id {
	POLICY_DIMS_ROAMING = 0,
	POLICY_TOMBSTONE_DAYS,
	POLICY_MAX_NUM_TOKENS,
	POLICY_MAX_TOKEN_SIZE,
	POLICY_AE_POLICY,
	POLICY_ROAM_UNAFFILIATED_KEYS,
	POLICY_ROAM_UNUSED_DPAPI_KEYS,
	POLICY_ROAM_SMART_CARD_CERTS,
	POLICY_NUM
};

#define POLICY_DIMS_ROAMING_ON 0x1u	/* bit 0x1: roam certs and keys */

struct policy_value {
	/* effective value: the default unless `set` and not `invalid` */
	uint32_t value;
	/* a GPO or credroam.conf configures it */
	bool set;
	/* configured, but out of range or not a REG_DWORD: default used */
	bool invalid;
	/* the configured number (when set and a DWORD) */
	uint32_t configured;
	/* "default", "credroam.conf", or the GPO's label */
	const char *source;
	/* why it is invalid or unset ("deleted by **del. in GPO X"), or NULL */
	const char *note;
	/* the GPO whose deletion removed it, or NULL */
	const char *deleted_by;
};

struct policy {
	struct policy_value v[POLICY_NUM];
	/* effective policy only: credroam.conf said override = yes */
	bool override;
	/* effective policy only: the conf file that was read, or NULL */
	const char *conf_path;
};

/* Registry value name ("DIMSRoaming", ...). */
const char *policy_value_name(enum policy_id id);
/* Default and range (min..max; 0..UINT32_MAX when any value is valid). */
uint32_t policy_default(enum policy_id id);
void policy_range(enum policy_id id, uint32_t *min, uint32_t *max);

/* Nothing set; every value at its default with source "default". */
struct policy *policy_new(TALLOC_CTX *mem_ctx);

/*
 * Apply one GPO's parsed User/Registry.pol on top of p, entry by entry, for
 * POLICY_KEY (compared without regard to ASCII case).  `source` labels the
 * values it sets (copied).  Other keys and unknown values are ignored.
 * Returns 0 or ENOMEM.
 */
int policy_apply_preg(struct policy *p, const struct preg_file *f,
		      const char *source, char **errmsg);

/* Roaming is on iff DIMSRoaming has bit 0x1 (on an effective policy). */
bool policy_roaming_on(const struct policy *p);

/*
 * One sentence saying why roaming is off ("no GPO sets DIMSRoaming ...",
 * "DIMSRoaming is 0x0 in GPO 'X'", "roaming = no in credroam.conf forces
 * ..."), or NULL if it is on.  On mem_ctx.
 */
char *policy_reason_off(TALLOC_CTX *mem_ctx, const struct policy *p);

/*
 * What certs/ holds besides the PEM certificates (credroam.conf [sync]
 * materialize, pam_credroam's materialize=, `credroam sync --materialize`,
 * the last given wins): TOKEN, nothing more: the keys stay in their DPAPI
 * containers and the agent's PKCS#11 token serves them; FILES: also the
 * PKCS#8 key files, for programs that cannot use PKCS#11.  DEFAULT: not
 * said here, the next source decides (in the end TOKEN).
 */
enum cr_materialize {
	CR_MATERIALIZE_DEFAULT = 0,
	CR_MATERIALIZE_TOKEN,
	CR_MATERIALIZE_FILES,
};

/* "token" or "files" (any case) -> the mode; false for anything else. */
bool cr_materialize_parse(const char *s, enum cr_materialize *mode);
/* "token" or "files"; DEFAULT is TOKEN. */
const char *cr_materialize_name(enum cr_materialize mode);

/*
 * The administrator's override file, INI style:
 *
 *   # comment (also ';'), blank lines ignored
 *   [policy]
 *   roaming = yes|no                     DIMSRoaming 1 / 0
 *   tombstone days = 1..3650
 *   max tokens = 1..10000
 *   max token size = 1..100000
 *   roam unaffiliated keys = yes|no
 *   roam unused dpapi keys = yes|no
 *   roam smart card certificates = yes|no
 *   override = yes|no                    yes: these win over GPOs
 *   [pam]
 *   debug = yes|no
 *   time budget = 2.0                    seconds, 0 < t <= 60
 *   services = login sshd gdm-password   trigger services (default:
 *     gdm-smartcard lightdm sddm         policy_conf.c says why)
 *     xrdp-sesman
 *   [sync]
 *   dc = HOST                            instead of DC discovery
 *   timeout = 5                          seconds, 1..300
 *   materialize = token|files            default token (cr_materialize)
 *
 * Section and key names ignore case, and runs of blanks inside a key count
 * as one space ("max  token size").  Booleans are yes/no, true/false,
 * on/off, 1/0.  Numbers are decimal without sign.  A leading UTF-8 byte
 * order mark is skipped; comments after a value are not supported.  A bad
 * value, a line that is neither a section, a comment nor "key = value", or
 * a NUL byte is an error naming file:line.  An unknown section or key, a
 * key outside any section and a repeated key (the last one wins) give
 * warnings.
 */
struct credroam_conf {
	const char *path;		/* as given, for messages */
	bool present;			/* the file existed */

	/* [policy]; pol_set[] says whether the key was given */
	uint32_t pol[POLICY_NUM];
	bool pol_set[POLICY_NUM];
	unsigned pol_line[POLICY_NUM];
	bool override;

	/* [pam] */
	bool pam_debug;
	double time_budget;		/* default 2.0 */
	const char **services;		/* NULL-terminated; default set */
	size_t num_services;

	/* [sync] */
	char *dc;			/* NULL: discover */
	unsigned timeout;		/* default 5 */
	enum cr_materialize materialize;	/* DEFAULT when not given */

	const char **warnings;		/* "file:line: ..." */
	size_t num_warnings;
};

/*
 * "2", "2.5", "0.25": seconds (digits, optionally '.' and 1..6 digits,
 * without locale) to microseconds, at most max_us.  Shared with
 * pam_credroam, which links policy_conf.c on its own.
 */
bool credroam_conf_parse_seconds(const char *v, uint64_t max_us,
				 uint64_t *usec);

/* The len bytes at s are a PAM service name: [A-Za-z0-9._+@-]{1,255}. */
bool credroam_conf_service_name_ok(const char *s, size_t len);

/* Defaults for everything, as if the file were empty. */
struct credroam_conf *credroam_conf_new(TALLOC_CTX *mem_ctx,
					const char *path);

/*
 * Parse len bytes of text (need not be NUL-terminated).  `path` names the
 * file in messages.  Returns 0, EINVAL (bad line or value; *errmsg is
 * "path:line: ...") or ENOMEM.
 */
int credroam_conf_parse(TALLOC_CTX *mem_ctx, const char *text, size_t len,
			const char *path, struct credroam_conf **out,
			char **errmsg);

/*
 * Read and parse a file; path NULL means CREDROAM_CONF_PATH.  A missing
 * file gives the defaults with present = false and returns 0.  Returns 0,
 * EINVAL, EIO, EACCES, EFBIG (over 1 MiB) or ENOMEM.
 */
int credroam_conf_load(TALLOC_CTX *mem_ctx, const char *path,
		       struct credroam_conf **out, char **errmsg);

/*
 * Effective policy: per value, credroam.conf if it sets the value and says
 * override = yes; else the GPOs if they set it; else credroam.conf if it
 * sets it; else the default.  Then ranges: a GPO value out of range falls
 * back to the default with `invalid` and a note.  conf may be NULL.
 * Returns 0 or ENOMEM.
 */
int policy_merge(TALLOC_CTX *mem_ctx, const struct policy *gpo,
		 const struct credroam_conf *conf, struct policy **out,
		 char **errmsg);

/* One change for policy_pol_update(). */
struct policy_change {
	enum policy_id id;
	bool remove;		/* drop the value ("not configured") */
	uint32_t value;		/* when !remove; must be within range */
};

/*
 * Admin side (samba-tool credroam policy set): apply changes to a GPO's
 * User/Registry.pol and return the new file.  old may be NULL (no file
 * yet).  For each change every entry under POLICY_KEY that names the value
 * (plain, **del.<name>, **soft.<name>) is removed; a set then puts one
 * REG_DWORD in place of the first such entry, or at the end.  All other
 * entries are kept byte for byte and in order.  Returns 0, EBADMSG (old
 * is malformed), EINVAL (value out of range) or ENOMEM.
 */
int policy_pol_update(TALLOC_CTX *mem_ctx, const uint8_t *old,
		      size_t old_len, const struct policy_change *changes,
		      size_t num_changes, uint8_t **out, size_t *out_len,
		      char **errmsg);

#endif
