/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * /etc/samba/credroam.conf: the administrator's override file.  The format
 * is documented in policy.h and docs-xml/credroam.conf.5.xml.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "gpo/policy.h"
#include "util/stackframe.h"

#define CONF_MAX_SIZE (1024u * 1024)
#define CONF_MAX_SERVICES 64
#define CONF_MAX_NAME 255

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum conf_section {
	SECTION_NONE = 0,
	SECTION_POLICY,
	SECTION_PAM,
	SECTION_SYNC,
	SECTION_UNKNOWN,
};

enum conf_kind {
	KIND_BOOL,
	KIND_UINT,
	KIND_SECONDS,
	KIND_LIST,
	KIND_HOST,
	KIND_MATERIALIZE,
};

enum conf_key_id {
	KEY_ROAMING,
	KEY_TOMBSTONE_DAYS,
	KEY_MAX_TOKENS,
	KEY_MAX_TOKEN_SIZE,
	KEY_ROAM_UNAFFILIATED,
	KEY_ROAM_UNUSED_DPAPI,
	KEY_ROAM_SMART_CARD,
	KEY_OVERRIDE,
	KEY_PAM_DEBUG,
	KEY_PAM_TIME_BUDGET,
	KEY_PAM_SERVICES,
	KEY_SYNC_DC,
	KEY_SYNC_TIMEOUT,
	KEY_SYNC_MATERIALIZE,
	KEY_NUM
};

static const struct {
	enum conf_section section;
	const char *name;
	enum conf_kind kind;
	enum policy_id pol;	/* POLICY_NUM if not a policy value */
	uint32_t min;
	uint32_t max;
} conf_keys[KEY_NUM] = {
	[KEY_ROAMING] = { SECTION_POLICY, "roaming", KIND_BOOL,
			  POLICY_DIMS_ROAMING, 0, 1 },
	[KEY_TOMBSTONE_DAYS] = { SECTION_POLICY, "tombstone days", KIND_UINT,
				 POLICY_TOMBSTONE_DAYS, 1, 3650 },
	[KEY_MAX_TOKENS] = { SECTION_POLICY, "max tokens", KIND_UINT,
			     POLICY_MAX_NUM_TOKENS, 1, 10000 },
	[KEY_MAX_TOKEN_SIZE] = { SECTION_POLICY, "max token size", KIND_UINT,
				 POLICY_MAX_TOKEN_SIZE, 1, 100000 },
	[KEY_ROAM_UNAFFILIATED] = { SECTION_POLICY, "roam unaffiliated keys",
				    KIND_BOOL,
				    POLICY_ROAM_UNAFFILIATED_KEYS, 0, 1 },
	[KEY_ROAM_UNUSED_DPAPI] = { SECTION_POLICY, "roam unused dpapi keys",
				    KIND_BOOL,
				    POLICY_ROAM_UNUSED_DPAPI_KEYS, 0, 1 },
	[KEY_ROAM_SMART_CARD] = { SECTION_POLICY,
				  "roam smart card certificates", KIND_BOOL,
				  POLICY_ROAM_SMART_CARD_CERTS, 0, 1 },
	[KEY_OVERRIDE] = { SECTION_POLICY, "override", KIND_BOOL,
			   POLICY_NUM, 0, 1 },
	[KEY_PAM_DEBUG] = { SECTION_PAM, "debug", KIND_BOOL,
			    POLICY_NUM, 0, 1 },
	[KEY_PAM_TIME_BUDGET] = { SECTION_PAM, "time budget", KIND_SECONDS,
				  POLICY_NUM, 0, 60 },
	[KEY_PAM_SERVICES] = { SECTION_PAM, "services", KIND_LIST,
			       POLICY_NUM, 0, CONF_MAX_SERVICES },
	[KEY_SYNC_DC] = { SECTION_SYNC, "dc", KIND_HOST,
			  POLICY_NUM, 1, CONF_MAX_NAME },
	[KEY_SYNC_TIMEOUT] = { SECTION_SYNC, "timeout", KIND_UINT,
			       POLICY_NUM, 1, 300 },
	[KEY_SYNC_MATERIALIZE] = { SECTION_SYNC, "materialize",
				   KIND_MATERIALIZE, POLICY_NUM, 0, 0 },
};

/*
 * The session services of Debian 12's logins whose PAM files include
 * common-auth and common-session (where pam-auth-update puts
 * pam_credroam), each read from its package:
 *   login (login), sshd (openssh-server), gdm-password (gdm3; GNOME's
 *   lock screen too, with PAM_REINITIALIZE_CRED), lightdm (lightdm: Xfce,
 *   MATE, Cinnamon; light-locker unlocks through it, as an auth only),
 *   sddm (sddm: KDE Plasma), xrdp-sesman (xrdp: remote desktop),
 *   gdm-smartcard (gdm3's alternative of gdm-smartcard-pkcs11-exclusive,
 *   -sssd-exclusive or -sssd-or-password: a PKINIT logon, no password
 *   reaches common-auth, so the run unlocks master keys over MS-BKRP with
 *   the session's ticket).
 * Not listed: gdm-autologin, lightdm-autologin and sddm-autologin
 * (pam_permit: no password and no Kerberos ticket, a run could not reach
 * AD), gdm-fingerprint (no ticket either), the greeters' own services
 * (gdm-launch-environment, lightdm-greeter, sddm-greeter: system users).
 * Screen lockers with a service of their own are the unlock list of
 * pam_credroam_opts.c: xscreensaver, mate-screensaver, cinnamon-screensaver,
 * gnome-screensaver (files in their packages; GNOME 43 itself unlocks
 * through gdm-password), kde (kscreenlocker's service name, no file of its
 * own: Debian's "other" includes the common files), xfce4-screensaver (not
 * in Debian 12; Xfce locks with light-locker or xscreensaver).
 */
static const char *default_services[] = {
	"login", "sshd", "gdm-password", "gdm-smartcard", "lightdm", "sddm",
	"xrdp-sesman",
};

struct conf_parser {
	TALLOC_CTX *frame;
	struct credroam_conf *conf;
	const char *path;
	unsigned line;
	unsigned key_line[KEY_NUM];
	char *err;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static char lower(char c)
{
	if (c >= 'A' && c <= 'Z') {
		return (char)(c - 'A' + 'a');
	}
	return c;
}

/* Lower-case copy with blanks trimmed and inner runs folded to one space. */
static char *normalise(TALLOC_CTX *mem_ctx, const char *s, size_t n)
{
	char *out = talloc_array(mem_ctx, char, n + 1);
	size_t o = 0;
	size_t i;
	bool space = false;

	if (out == NULL) {
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (is_blank(s[i])) {
			space = (o > 0);
			continue;
		}
		if (space) {
			out[o++] = ' ';
			space = false;
		}
		out[o++] = lower(s[i]);
	}
	out[o] = '\0';
	return out;
}

/* Copy of s[0..n) without leading and trailing blanks. */
static char *trim(TALLOC_CTX *mem_ctx, const char *s, size_t n)
{
	while (n > 0 && is_blank(s[0])) {
		s++;
		n--;
	}
	while (n > 0 && is_blank(s[n - 1])) {
		n--;
	}
	return talloc_strndup(mem_ctx, s, n);
}

static int cp_error(struct conf_parser *cp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int cp_error(struct conf_parser *cp, const char *fmt, ...)
{
	va_list ap;
	char *why = NULL;

	va_start(ap, fmt);
	why = talloc_vasprintf(cp->frame, fmt, ap);
	va_end(ap);
	cp->err = talloc_asprintf(cp->frame, "%s:%u: %s", cp->path, cp->line,
				  (why != NULL) ? why : "out of memory");
	return EINVAL;
}

static int cp_warn(struct conf_parser *cp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int cp_warn(struct conf_parser *cp, const char *fmt, ...)
{
	struct credroam_conf *conf = cp->conf;
	const char **tmp = NULL;
	char *why = NULL;
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	why = talloc_vasprintf(cp->frame, fmt, ap);
	va_end(ap);
	if (why == NULL) {
		return ENOMEM;
	}
	msg = talloc_asprintf(conf, "%s:%u: %s", cp->path, cp->line, why);
	TALLOC_FREE(why);
	if (msg == NULL) {
		return ENOMEM;
	}
	tmp = talloc_realloc(conf, conf->warnings, const char *,
			     conf->num_warnings + 2);
	if (tmp == NULL) {
		TALLOC_FREE(msg);
		return ENOMEM;
	}
	tmp[conf->num_warnings++] = talloc_move(tmp, &msg);
	tmp[conf->num_warnings] = NULL;
	conf->warnings = tmp;
	return 0;
}

bool cr_materialize_parse(const char *s, enum cr_materialize *mode)
{
	if (strcasecmp(s, "token") == 0) {
		*mode = CR_MATERIALIZE_TOKEN;
		return true;
	}
	if (strcasecmp(s, "files") == 0) {
		*mode = CR_MATERIALIZE_FILES;
		return true;
	}
	return false;
}

const char *cr_materialize_name(enum cr_materialize mode)
{
	return (mode == CR_MATERIALIZE_FILES) ? "files" : "token";
}

static bool parse_bool(const char *v, bool *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* Decimal digits only, no sign, no overflow past UINT32_MAX. */
static bool parse_uint(const char *v, uint32_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (v[0] == '\0') {
		return false;
	}
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9') {
			return false;
		}
		n = n * 10 + (uint64_t)(v[i] - '0');
		if (n > UINT32_MAX) {
			return false;
		}
	}
	*out = (uint32_t)n;
	return true;
}

bool credroam_conf_parse_seconds(const char *v, uint64_t max_us,
				 uint64_t *usec)
{
	uint64_t whole = 0;
	uint64_t frac = 0;
	uint64_t scale = 1000000;
	uint64_t total;
	size_t i = 0;
	size_t digits = 0;

	while (v[i] >= '0' && v[i] <= '9') {
		whole = whole * 10 + (uint64_t)(v[i] - '0');
		if (whole > 1000000) {
			return false;
		}
		i++;
	}
	if (i == 0) {
		return false;
	}
	if (v[i] == '.') {
		i++;
		while (v[i] >= '0' && v[i] <= '9') {
			if (++digits > 6) {
				return false;
			}
			scale /= 10;
			frac += (uint64_t)(v[i] - '0') * scale;
			i++;
		}
		if (digits == 0) {
			return false;
		}
	}
	if (v[i] != '\0') {
		return false;
	}
	total = whole * 1000000 + frac;
	if (total > max_us) {
		return false;
	}
	*usec = total;
	return true;
}

bool credroam_conf_service_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > CONF_MAX_NAME) {
		return false;
	}
	for (i = 0; i < len; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_' ||
			  c == '.' || c == '+' || c == '@';

		if (!ok) {
			return false;
		}
	}
	return true;
}

/* Host name, IPv4 or IPv6 address: letters, digits, '.', '-', ':', '_'. */
static bool host_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '.' ||
			  c == ':' || c == '_';

		if (!ok) {
			return false;
		}
	}
	return i > 0 && i <= CONF_MAX_NAME && s[0] != '-';
}

static int set_services(struct conf_parser *cp, const char *v)
{
	struct credroam_conf *conf = cp->conf;
	const char **list = NULL;
	char *copy = NULL;
	char *save = NULL;
	char *tok = NULL;
	size_t n = 0;
	bool ok;
	int ret = ENOMEM;

	copy = talloc_strdup(cp->frame, v);
	list = talloc_zero_array(conf, const char *, CONF_MAX_SERVICES + 1);
	if (copy == NULL || list == NULL) {
		goto done;
	}
	for (tok = strtok_r(copy, " \t,", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t,", &save)) {
		if (n >= CONF_MAX_SERVICES) {
			ret = cp_error(cp, "services: more than %u names",
				       CONF_MAX_SERVICES);
			goto done;
		}
		ok = credroam_conf_service_name_ok(tok, strlen(tok));
		if (!ok) {
			ret = cp_error(cp, "services: '%s' is not a PAM "
				       "service name", tok);
			goto done;
		}
		list[n] = talloc_strdup(list, tok);
		if (list[n] == NULL) {
			goto done;
		}
		n++;
	}
	talloc_free(conf->services);
	conf->services = list;
	conf->num_services = n;
	list = NULL;
	ret = 0;
done:
	TALLOC_FREE(list);
	TALLOC_FREE(copy);
	return ret;
}

static int set_value(struct conf_parser *cp, enum conf_key_id k,
		     const char *v)
{
	struct credroam_conf *conf = cp->conf;
	const char *name = conf_keys[k].name;
	bool b = false;
	uint32_t n = 0;
	uint64_t usec = 0;
	enum cr_materialize mode = CR_MATERIALIZE_DEFAULT;
	bool ok;
	int ret = 0;

	switch (conf_keys[k].kind) {
	case KIND_BOOL:
		ok = parse_bool(v, &b);
		if (!ok) {
			ret = cp_error(cp, "%s = '%s': expected yes or no",
				       name, v);
			goto done;
		}
		n = b ? 1 : 0;
		break;
	case KIND_UINT:
		ok = parse_uint(v, &n);
		if (!ok || n < conf_keys[k].min || n > conf_keys[k].max) {
			ret = cp_error(cp, "%s = '%s': expected a number from "
				       "%u to %u", name, v, conf_keys[k].min,
				       conf_keys[k].max);
			goto done;
		}
		break;
	case KIND_SECONDS:
		ok = credroam_conf_parse_seconds(
			v, (uint64_t)conf_keys[k].max * 1000000, &usec);
		if (!ok || usec == 0) {
			ret = cp_error(cp, "%s = '%s': expected seconds, more "
				       "than 0 and at most %u (e.g. 2.5)",
				       name, v, conf_keys[k].max);
			goto done;
		}
		break;
	case KIND_LIST:
		ret = set_services(cp, v);
		goto done;
	case KIND_HOST:
		ok = host_ok(v);
		if (!ok) {
			ret = cp_error(cp, "%s = '%s': not a host name or "
				       "address", name, v);
			goto done;
		}
		break;
	case KIND_MATERIALIZE:
		ok = cr_materialize_parse(v, &mode);
		if (!ok) {
			ret = cp_error(cp, "%s = '%s': expected token or "
				       "files", name, v);
			goto done;
		}
		break;
	}

	if (conf_keys[k].pol != POLICY_NUM) {
		enum policy_id id = conf_keys[k].pol;

		conf->pol[id] = n;
		conf->pol_set[id] = true;
		conf->pol_line[id] = cp->line;
		goto done;
	}
	switch (k) {
	case KEY_OVERRIDE:
		conf->override = b;
		break;
	case KEY_PAM_DEBUG:
		conf->pam_debug = b;
		break;
	case KEY_PAM_TIME_BUDGET:
		conf->time_budget = (double)usec / 1000000.0;
		break;
	case KEY_SYNC_DC:
		TALLOC_FREE(conf->dc);
		conf->dc = talloc_strdup(conf, v);
		if (conf->dc == NULL) {
			ret = ENOMEM;
		}
		break;
	case KEY_SYNC_TIMEOUT:
		conf->timeout = n;
		break;
	case KEY_SYNC_MATERIALIZE:
		conf->materialize = mode;
		break;
	default:
		break;
	}
done:
	return ret;
}

static int parse_line(struct conf_parser *cp, enum conf_section *section,
		      const char *s, size_t n)
{
	static const char *section_names[] = {
		[SECTION_POLICY] = "policy",
		[SECTION_PAM] = "pam",
		[SECTION_SYNC] = "sync",
	};
	const char *eq = NULL;
	char *key = NULL;
	char *val = NULL;
	size_t i;
	unsigned k;
	int ret = 0;

	while (n > 0 && is_blank(s[0])) {
		s++;
		n--;
	}
	while (n > 0 && is_blank(s[n - 1])) {
		n--;
	}
	if (n == 0 || s[0] == '#' || s[0] == ';') {
		goto done;
	}
	if (s[0] == '[') {
		if (s[n - 1] != ']') {
			ret = cp_error(cp, "section header without ']'");
			goto done;
		}
		key = normalise(cp->frame, s + 1, n - 2);
		if (key == NULL) {
			ret = ENOMEM;
			goto done;
		}
		*section = SECTION_UNKNOWN;
		for (i = 1; i < ARRAY_SIZE(section_names); i++) {
			if (strcmp(key, section_names[i]) == 0) {
				*section = (enum conf_section)i;
			}
		}
		if (*section == SECTION_UNKNOWN) {
			ret = cp_warn(cp, "unknown section [%s] ignored", key);
		}
		goto done;
	}
	eq = memchr(s, '=', n);
	if (eq == NULL) {
		ret = cp_error(cp, "expected 'key = value', a [section] or a "
			       "comment");
		goto done;
	}
	key = normalise(cp->frame, s, (size_t)(eq - s));
	val = trim(cp->frame, eq + 1, n - (size_t)(eq - s) - 1);
	if (key == NULL || val == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (key[0] == '\0') {
		ret = cp_error(cp, "missing key before '='");
		goto done;
	}
	if (*section == SECTION_UNKNOWN) {
		goto done;
	}
	if (*section == SECTION_NONE) {
		ret = cp_warn(cp, "'%s' outside any section ignored", key);
		goto done;
	}
	for (k = 0; k < KEY_NUM; k++) {
		if (conf_keys[k].section == *section &&
		    strcmp(conf_keys[k].name, key) == 0) {
			break;
		}
	}
	if (k == KEY_NUM) {
		ret = cp_warn(cp, "unknown key '%s' ignored", key);
		goto done;
	}
	if (val[0] == '\0' && conf_keys[k].kind != KIND_LIST) {
		ret = cp_error(cp, "%s: empty value", key);
		goto done;
	}
	if (cp->key_line[k] != 0) {
		ret = cp_warn(cp, "'%s' repeats line %u; this one wins", key,
			      cp->key_line[k]);
		if (ret != 0) {
			goto done;
		}
	}
	cp->key_line[k] = cp->line;
	ret = set_value(cp, (enum conf_key_id)k, val);
done:
	TALLOC_FREE(key);
	TALLOC_FREE(val);
	return ret;
}

struct credroam_conf *credroam_conf_new(TALLOC_CTX *mem_ctx,
					const char *path)
{
	struct credroam_conf *conf = NULL;
	size_t i;

	conf = talloc_zero(mem_ctx, struct credroam_conf);
	if (conf == NULL) {
		goto fail;
	}
	conf->path = talloc_strdup(conf, (path != NULL) ? path :
				   CREDROAM_CONF_PATH);
	conf->services = talloc_zero_array(conf, const char *,
					   CONF_MAX_SERVICES + 1);
	if (conf->path == NULL || conf->services == NULL) {
		goto fail;
	}
	for (i = 0; i < ARRAY_SIZE(default_services); i++) {
		conf->services[i] = default_services[i];
	}
	conf->num_services = i;
	conf->time_budget = 2.0;
	conf->timeout = 5;
	return conf;
fail:
	TALLOC_FREE(conf);
	return NULL;
}

int credroam_conf_parse(TALLOC_CTX *mem_ctx, const char *text, size_t len,
			const char *path, struct credroam_conf **out,
			char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct conf_parser cp = { .frame = frame };
	enum conf_section section = SECTION_NONE;
	size_t pos = 0;
	int ret = ENOMEM;

	*out = NULL;
	cp.conf = credroam_conf_new(frame, path);
	if (cp.conf == NULL) {
		goto done;
	}
	cp.conf->present = true;
	cp.path = cp.conf->path;
	if (len > CONF_MAX_SIZE) {
		cp.err = talloc_asprintf(frame, "%s: %zu bytes is larger "
					 "than %u", cp.path, len,
					 CONF_MAX_SIZE);
		ret = EINVAL;
		goto done;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		/* a UTF-8 byte order mark, as some editors write it */
		pos = 3;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = (nl != NULL) ? (size_t)(nl - (text + pos)) :
			   len - pos;

		cp.line++;
		if (memchr(text + pos, '\0', n) != NULL) {
			ret = cp_error(&cp, "NUL byte in the line");
			goto done;
		}
		ret = parse_line(&cp, &section, text + pos, n);
		if (ret != 0) {
			goto done;
		}
		pos += n + ((nl != NULL) ? 1 : 0);
	}
	*out = talloc_move(mem_ctx, &cp.conf);
	ret = 0;
done:
	if (ret != 0) {
		cr_seterr(errmsg, "%s", (cp.err != NULL) ? cp.err :
			  "credroam.conf: out of memory");
	}
	TALLOC_FREE(frame);
	return ret;
}

int credroam_conf_load(TALLOC_CTX *mem_ctx, const char *path,
		       struct credroam_conf **out, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = -1;
	int ret = ENOMEM;

	*out = NULL;
	if (path == NULL) {
		path = CREDROAM_CONF_PATH;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1 && errno == ENOENT) {
		*out = credroam_conf_new(mem_ctx, path);
		ret = (*out != NULL) ? 0 : ENOMEM;
		goto done;
	}
	if (fd == -1) {
		ret = errno;
		cr_seterr(errmsg, "cannot open %s: %s", path,
			  strerror(ret));
		goto done;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		ret = EIO;
		cr_seterr(errmsg, "%s is not a regular file", path);
		goto done;
	}
	if (st.st_size > CONF_MAX_SIZE) {
		ret = EFBIG;
		cr_seterr(errmsg, "%s: %lld bytes is larger than %u",
			  path, (long long)st.st_size, CONF_MAX_SIZE);
		goto done;
	}
	/*
	 * Not util/readfile.c: that wipes with GnuTLS, and the PAM module,
	 * which reads this file, links no GnuTLS.
	 */
	buf = talloc_array(frame, char, CONF_MAX_SIZE + 1);
	if (buf == NULL) {
		goto done;
	}
	while (got <= CONF_MAX_SIZE) {
		ssize_t n = read(fd, buf + got, CONF_MAX_SIZE + 1 - got);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			ret = EIO;
			cr_seterr(errmsg, "reading %s: %s", path,
				  strerror(errno));
			goto done;
		}
		if (n == 0) {
			break;
		}
		got += (size_t)n;
	}
	if (got > CONF_MAX_SIZE) {
		ret = EFBIG;
		cr_seterr(errmsg, "%s grew past %u bytes", path,
			  CONF_MAX_SIZE);
		goto done;
	}
	ret = credroam_conf_parse(mem_ctx, buf, got, path, out, errmsg);
done:
	if (fd != -1) {
		close(fd);
	}
	TALLOC_FREE(frame);
	return ret;
}
