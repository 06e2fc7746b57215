/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Domain identity through winbind; see who.h.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <wbclient.h>

#include "util/error.h"
#include "util/stackframe.h"
#include "ad/who.h"

static int fill_from_sid(TALLOC_CTX *mem_ctx, struct cr_who *who,
			 const struct wbcDomainSid *sid, char **errmsg)
{
	char buf[WBC_SID_STRING_BUFLEN];
	char *domain = NULL;
	char *account = NULL;
	enum wbcSidType type;
	wbcErr wret;

	wbcSidToStringBuf(sid, buf, sizeof(buf));
	who->sid = talloc_strdup(who, buf);
	wret = wbcLookupSid(sid, &domain, &account, &type);
	if (!WBC_ERROR_IS_OK(wret)) {
		cr_seterr(errmsg, "winbind cannot name SID '%s': %s",
			  buf, wbcErrorString(wret));
		return EIO;
	}
	if (type != WBC_SID_NAME_USER) {
		cr_seterr(errmsg, "'%s\\%s' (%s) is not a user",
			  domain, account, buf);
		wbcFreeMemory(domain);
		wbcFreeMemory(account);
		return EINVAL;
	}
	who->domain = talloc_strdup(who, domain);
	who->account = talloc_strdup(who, account);
	wbcFreeMemory(domain);
	wbcFreeMemory(account);
	if (who->sid == NULL || who->domain == NULL || who->account == NULL) {
		return ENOMEM;
	}
	return 0;
}

int cr_who_by_uid(TALLOC_CTX *mem_ctx, uid_t uid, struct cr_who **pwho,
		  char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_who *who = NULL;
	struct wbcDomainSid sid;
	struct passwd *pw = NULL;
	wbcErr wret;
	int ret;

	*pwho = NULL;
	who = talloc_zero(frame, struct cr_who);
	if (who == NULL) {
		ret = ENOMEM;
		goto done;
	}
	who->uid = uid;
	wret = wbcUidToSid(uid, &sid);
	if (wret == WBC_ERR_WINBIND_NOT_AVAILABLE) {
		cr_seterr(errmsg, "winbind is not running; credential "
			  "roaming needs a winbind domain member");
		ret = EIO;
		goto done;
	}
	if (!WBC_ERROR_IS_OK(wret)) {
		cr_seterr(errmsg, "uid %u is not a domain user (%s); "
			  "credential roaming is for domain users only",
			  (unsigned)uid, wbcErrorString(wret));
		ret = ENOENT;
		goto done;
	}
	ret = fill_from_sid(mem_ctx, who, &sid, errmsg);
	if (ret != 0) {
		goto done;
	}
	pw = getpwuid(uid);
	who->name = talloc_strdup(who, pw ? pw->pw_name : who->account);
	if (who->name == NULL) {
		ret = ENOMEM;
		goto done;
	}
	*pwho = talloc_move(mem_ctx, &who);
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_who_by_name(TALLOC_CTX *mem_ctx, const char *name,
		   struct cr_who **pwho, char **errmsg)
{
	struct passwd *pw = getpwnam(name);
	struct cr_who *who = NULL;
	int ret;

	*pwho = NULL;
	if (pw == NULL) {
		cr_seterr(errmsg, "no such user '%s'", name);
		return ENOENT;
	}
	ret = cr_who_by_uid(mem_ctx, pw->pw_uid, &who, errmsg);
	if (ret == 0) {
		*pwho = who;
	}
	return ret;
}
