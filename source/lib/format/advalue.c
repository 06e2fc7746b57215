/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Is this AD value acceptable?  See advalue.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "format/advalue.h"
#include "format/dn.h"
#include "format/token.h"
#include "util/error.h"

/* how much of a DN a message repeats */
#define CR_AD_SHOW_DN 256

static const struct cr_ad_value_rules cr_ad_no_rules = {
	.attribute = NULL,
};

/* One trailing line end of a text line is not part of the value. */
static size_t cr_ad_strip_line_end(const char *s, size_t len)
{
	if (len >= 1 && s[len - 1] == '\n') {
		len--;
		if (len >= 1 && s[len - 1] == '\r') {
			len--;
		}
	}
	return len;
}

static int cr_ad_too_big(size_t token_len, size_t max,
			 enum cr_token_problem *problem, char **why)
{
	if (max == 0 || token_len <= max) {
		return 0;
	}
	*problem = CR_AD_VALUE_TOO_BIG;
	cr_seterr(why, "token of %zu bytes is larger than the limit of %zu "
		  "bytes", token_len, max);
	return EINVAL;
}

/* Rule 3: a plain DN, the owner's when the rules name it. */
static int cr_ad_judge_dn(const char *dn, const char *owner,
			  enum cr_token_problem *problem, char **why)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	size_t len = strlen(dn);
	int show = (int)(len < CR_AD_SHOW_DN ? len : CR_AD_SHOW_DN);
	char *canon = NULL;
	char *owner_canon = NULL;
	char *err = NULL;
	int ret;

	if (frame == NULL) {
		return ENOMEM;
	}
	if (cr_dn_is_extended(dn, len)) {
		ret = EINVAL;
		*problem = CR_AD_DN_EXTENDED;
		cr_seterr(why, "DN part '%.*s' has <GUID=...> or <SID=...> "
			  "components; only a plain DN is accepted", show, dn);
		goto done;
	}
	ret = cr_dn_canonical(frame, dn, len, &canon, &err);
	if (ret == EBADMSG) {
		*problem = CR_DNB_BAD_DN;
		cr_seterr(why, "DN part %s", err);
		goto done;
	}
	if (ret != 0 || owner == NULL) {
		goto done;
	}
	ret = cr_dn_canonical(frame, owner, strlen(owner), &owner_canon,
			      NULL);
	if (ret == ENOMEM) {
		goto done;
	}
	if (ret != 0 || strcmp(canon, owner_canon) != 0) {
		ret = EINVAL;
		*problem = CR_AD_DN_NOT_OWNER;
		cr_seterr(why, "DN part '%.*s' is not the object itself "
			  "('%.*s')", show, dn, CR_AD_SHOW_DN, owner);
		goto done;
	}
done:
	cr_err_clear(&err);
	TALLOC_FREE(frame);
	return ret;
}

/* Rules 4 and 5 (and 1 on the token): decode into v, check. */
static int cr_ad_judge_bin(struct cr_ad_value *v, const uint8_t *bin,
			   size_t len, const struct cr_ad_value_rules *rules,
			   char **why)
{
	const char *home = NULL;
	int ret;

	ret = cr_ad_too_big(len, rules->max_token_size, &v->problem, why);
	if (ret != 0) {
		return ret;
	}
	ret = cr_token_parse(v, bin, len, &v->token, &v->problem, why);
	if (ret != 0) {
		return ret;
	}
	ret = cr_token_check(v, v->token, &v->problem, why);
	if (ret != 0) {
		return ret;
	}
	if (rules->attribute == NULL) {
		return 0;
	}
	home = cr_token_type_attribute(v->token->type);
	if (home == NULL || strcasecmp(home, rules->attribute) != 0) {
		v->problem = CR_AD_WRONG_ATTRIBUTE;
		cr_seterr(why, "token '%u\\%s' of type %u belongs in %s, not "
			  "in %s", v->token->type, v->token->id_escaped,
			  v->token->type, home ? home : "no attribute",
			  rules->attribute);
		return EINVAL;
	}
	return 0;
}

/*
 * The end of both judges: the verdict goes into v->refusal and *errmsg;
 * v is handed over unless memory ran out.
 */
static int cr_ad_verdict(TALLOC_CTX *mem_ctx, struct cr_ad_value **v,
			 int ret, char **why, struct cr_ad_value **_v,
			 char **errmsg)
{
	if (ret == ENOMEM) {
		cr_err_clear(why);
		cr_err_nomem(errmsg, ret);
		return ret;
	}
	if (ret != 0) {
		(*v)->refusal = talloc_strdup(*v, (*why != NULL) ? *why
							     : strerror(ret));
		if ((*v)->refusal == NULL) {
			cr_err_clear(why);
			cr_err_nomem(errmsg, ENOMEM);
			return ENOMEM;
		}
		cr_seterr(errmsg, "%s", (*v)->refusal);
	}
	cr_err_clear(why);
	*_v = talloc_move(mem_ctx, v);
	return ret;
}

int cr_ad_value_judge(TALLOC_CTX *mem_ctx, const char *value, size_t len,
		      const struct cr_ad_value_rules *rules,
		      struct cr_ad_value **_v, char **errmsg)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct cr_ad_value *v = NULL;
	uint8_t *bin = NULL;
	size_t bin_len = 0;
	char *why = NULL;
	int ret;

	*_v = NULL;
	if (frame == NULL) {
		return ENOMEM;
	}
	if (rules == NULL) {
		rules = &cr_ad_no_rules;
	}
	v = talloc_zero(frame, struct cr_ad_value);
	if (v == NULL) {
		ret = ENOMEM;
		goto done;
	}
	if (rules->text) {
		len = cr_ad_strip_line_end(value, len);
	}
	v->len = len;

	/* rule 1 before any work: hex is two characters a byte */
	if (rules->max_token_size != 0 &&
	    len / 2 > rules->max_token_size + CR_AD_VALUE_OVERHEAD) {
		ret = EINVAL;
		v->problem = CR_AD_VALUE_TOO_BIG;
		cr_seterr(&why, "value of %zu bytes is too long for a token "
			  "of at most %zu bytes", len, rules->max_token_size);
		goto verdict;
	}
	ret = cr_dnbinary_parse(frame, value, len, &bin, &bin_len, &v->dn,
				&v->problem, &why);
	if (ret != 0) {
		goto verdict;
	}
	v->dn = talloc_steal(v, v->dn);
	/* the cheap rules first: size, then the DN part */
	ret = cr_ad_too_big(bin_len, rules->max_token_size, &v->problem,
			    &why);
	if (ret != 0) {
		goto verdict;
	}
	ret = cr_ad_judge_dn(v->dn, rules->owner_dn, &v->problem, &why);
	if (ret == EINVAL || ret == EBADMSG) {
		/* refused for its DN part: still show what it holds */
		int rc = cr_token_parse(v, bin, bin_len, &v->token, NULL,
					NULL);

		ret = (rc == ENOMEM) ? rc : ret;
	}
	if (ret != 0) {
		goto verdict;
	}
	ret = cr_ad_judge_bin(v, bin, bin_len, rules, &why);
verdict:
	ret = cr_ad_verdict(mem_ctx, &v, ret, &why, _v, errmsg);
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}

int cr_ad_token_judge(TALLOC_CTX *mem_ctx, const uint8_t *bin, size_t len,
		      const struct cr_ad_value_rules *rules,
		      struct cr_ad_value **_v, char **errmsg)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct cr_ad_value *v = NULL;
	char *why = NULL;
	int ret;

	*_v = NULL;
	if (frame == NULL) {
		return ENOMEM;
	}
	if (rules == NULL) {
		rules = &cr_ad_no_rules;
	}
	v = talloc_zero(frame, struct cr_ad_value);
	if (v == NULL) {
		ret = ENOMEM;
		goto done;
	}
	v->len = len;
	ret = cr_ad_judge_bin(v, bin, len, rules, &why);
	ret = cr_ad_verdict(mem_ctx, &v, ret, &why, _v, errmsg);
done:
	cr_err_nomem(errmsg, ret);
	TALLOC_FREE(frame);
	return ret;
}
