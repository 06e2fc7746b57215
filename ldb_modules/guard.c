/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam_guard's decision, without a module stack (see guard.h).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "guard.h"
#include "util/error.h"
#include "util/stackframe.h"
#include "format/advalue.h"
#include "format/token.h"

/*
 * Room for "B:<digits>:" and ":<DN>" around the hex of a token: a value
 * longer than this cannot hold an acceptable token, so it is refused
 * before anything is decoded.
 */
#define CR_GUARD_VALUE_OVERHEAD (16 + 4096)
/* deleted values cr_guard_plan() compares before it just reads */
#define CR_GUARD_PLAN_MAX_DELETES 256
/* how much of a client's DN a message repeats */
#define CR_GUARD_SHOW_DN 256

void cr_guard_limits_default(struct cr_guard_limits *limits)
{
	limits->max_token_size = CR_GUARD_DEFAULT_MAX_TOKEN_SIZE;
	limits->max_tokens = CR_GUARD_DEFAULT_MAX_TOKENS;
}

static bool name_is(const char *name, size_t len, const char *want)
{
	return len == strlen(want) && strncasecmp(name, want, len) == 0;
}

enum cr_guard_attr cr_guard_classify(const char *name)
{
	size_t len;

	if (name == NULL) {
		return CR_GUARD_ATTR_OTHER;
	}
	if (strncasecmp(name, "OID.", 4) == 0) {
		name += 4;
	}
	/* ";binary", ";range=0-*", ...: the attribute is what precedes */
	len = strcspn(name, ";");
	if (name_is(name, len, CR_ATTR_CREDENTIALS) ||
	    name_is(name, len, CR_GUARD_OID_CREDENTIALS)) {
		return CR_GUARD_ATTR_CREDENTIALS;
	}
	if (name_is(name, len, CR_ATTR_MASTER_KEYS) ||
	    name_is(name, len, CR_GUARD_OID_MASTER_KEYS)) {
		return CR_GUARD_ATTR_MASTER_KEYS;
	}
	if (name_is(name, len, CR_GUARD_ATTR_TIMESTAMP_NAME) ||
	    name_is(name, len, CR_GUARD_OID_TIMESTAMP)) {
		return CR_GUARD_ATTR_TIMESTAMP;
	}
	return CR_GUARD_ATTR_OTHER;
}

const char *cr_guard_attr_name(enum cr_guard_attr attr)
{
	switch (attr) {
	case CR_GUARD_ATTR_CREDENTIALS:
		return CR_ATTR_CREDENTIALS;
	case CR_GUARD_ATTR_MASTER_KEYS:
		return CR_ATTR_MASTER_KEYS;
	case CR_GUARD_ATTR_TIMESTAMP:
		return CR_GUARD_ATTR_TIMESTAMP_NAME;
	case CR_GUARD_ATTR_OTHER:
		break;
	}
	return "";
}

/*
 * The rules of one value are format/advalue.h's, as for the roaming run
 * and the tools: the DN part is compared with cr_dn_equal() against the
 * owner's linearized DN, not with ldb_dn_compare(), so the DC refuses
 * exactly what a client leaves alone.
 */
int cr_guard_check_value(TALLOC_CTX *mem_ctx, struct ldb_context *ldb,
			 const struct cr_guard_limits *limits,
			 enum cr_guard_attr attr, struct ldb_dn *owner,
			 const struct ldb_val *value, char **_identity,
			 char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_ad_value_rules rules = {
		.attribute = cr_guard_attr_name(attr),
		.owner_dn = ldb_dn_get_linearized(owner),
		.max_token_size = limits->max_token_size,
	};
	struct cr_ad_value *v = NULL;
	int ret;

	*_identity = NULL;
	/* before any work that grows with the value */
	if (value->length / 2 > limits->max_token_size +
	    CR_GUARD_VALUE_OVERHEAD) {
		ret = EINVAL;
		cr_seterr(errmsg, "value of %zu bytes is too long "
			  "for a token of at most %zu bytes",
			  value->length, limits->max_token_size);
		goto done;
	}
	if (rules.owner_dn == NULL) {
		ret = ENOMEM;
		cr_seterr(errmsg, "out of memory");
		goto done;
	}
	ret = cr_ad_value_judge(frame, (const char *)value->data,
				value->length, &rules, &v, errmsg);
	if (ret != 0 && v != NULL && v->problem == CR_AD_VALUE_TOO_BIG) {
		cr_seterr(errmsg, "%s (credroam:max token size)", v->refusal);
	}
	if (ret != 0) {
		goto done;
	}
	*_identity = cr_token_identity(mem_ctx, v->token);
	if (*_identity == NULL) {
		ret = ENOMEM;
		cr_seterr(errmsg, "out of memory");
		goto done;
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

/*
 * The values of one token attribute as the change goes on: what is
 * stored, then each element applied in order.  Values are compared by
 * their binary part (the DN part must be the object's own anyway), raw
 * when a stored value does not decode.
 */
struct guard_entry {
	const uint8_t *key;
	size_t key_len;
	bool raw;
	bool present;
	bool stored;		/* was there before the change */
	const char *identity;
};

struct guard_model {
	struct guard_entry *entries;
	size_t num;
	size_t count_before;
	bool loaded;		/* entries start with every stored value */
};

static int entry_from_value(TALLOC_CTX *mem_ctx, const struct ldb_val *v,
			    struct guard_entry *e)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_token *token = NULL;
	uint8_t *bin = NULL;
	size_t bin_len = 0;
	char *dn_str = NULL;
	int ret;

	*e = (struct guard_entry) { .present = true };
	ret = cr_dnbinary_parse(mem_ctx, (const char *)v->data, v->length,
				&bin, &bin_len, &dn_str, NULL, NULL);
	if (ret == ENOMEM) {
		goto done;
	}
	if (ret != 0) {
		/* points into the message, which outlives the review */
		e->key = v->data;
		e->key_len = v->length;
		e->raw = true;
		e->identity = "(not a DN-Binary value)";
		ret = 0;
		goto done;
	}
	TALLOC_FREE(dn_str);
	e->key = bin;
	e->key_len = bin_len;
	e->identity = "(malformed token)";
	ret = cr_token_parse(frame, bin, bin_len, &token, NULL, NULL);
	if (ret == 0) {
		e->identity = cr_token_identity(mem_ctx, token);
		ret = (e->identity == NULL) ? ENOMEM : 0;
	} else if (ret != ENOMEM) {
		ret = 0;
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

static bool same_value(const struct guard_entry *a,
		       const struct guard_entry *b)
{
	return a->raw == b->raw && a->key_len == b->key_len &&
	       (a->key_len == 0 || memcmp(a->key, b->key, a->key_len) == 0);
}

/* The first entry holding probe's value that is present (or not). */
static struct guard_entry *model_find(struct guard_model *m,
				      const struct guard_entry *probe,
				      bool present)
{
	size_t i;

	for (i = 0; i < m->num; i++) {
		struct guard_entry *e = &m->entries[i];

		if (e->present == present && same_value(e, probe)) {
			return e;
		}
	}
	return NULL;
}

static int model_append(TALLOC_CTX *mem_ctx, struct guard_model *m,
			const struct guard_entry *e)
{
	struct guard_entry *grown = NULL;

	grown = talloc_realloc(mem_ctx, m->entries, struct guard_entry,
			       m->num + 1);
	if (grown == NULL) {
		return ENOMEM;
	}
	m->entries = grown;
	m->entries[m->num++] = *e;
	return 0;
}

static int model_load(TALLOC_CTX *mem_ctx, struct guard_model *m,
		      const struct ldb_message *current,
		      enum cr_guard_attr attr)
{
	unsigned i, j;
	int ret = 0;

	m->loaded = true;
	if (current == NULL) {
		return 0;
	}
	for (i = 0; i < current->num_elements; i++) {
		const struct ldb_message_element *el = &current->elements[i];

		if (cr_guard_classify(el->name) != attr) {
			continue;
		}
		for (j = 0; j < el->num_values; j++) {
			struct guard_entry e;

			ret = entry_from_value(mem_ctx, &el->values[j], &e);
			if (ret != 0) {
				return ret;
			}
			e.stored = true;
			ret = model_append(mem_ctx, m, &e);
			if (ret != 0) {
				return ret;
			}
			m->count_before++;
		}
	}
	return 0;
}

static size_t model_count(const struct guard_model *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->num; i++) {
		if (m->entries[i].present) {
			n++;
		}
	}
	return n;
}

static int list_add(TALLOC_CTX *mem_ctx, const char ***list, size_t *num,
		    const char *s)
{
	const char **grown = NULL;

	grown = talloc_realloc(mem_ctx, *list, const char *, *num + 1);
	if (grown == NULL) {
		return ENOMEM;
	}
	grown[*num] = talloc_strdup(grown, s);
	if (grown[*num] == NULL) {
		*list = grown;
		return ENOMEM;
	}
	*list = grown;
	(*num)++;
	return 0;
}

/* Apply one element of the change to the model of its attribute. */
static int apply_element(TALLOC_CTX *mem_ctx, struct ldb_context *ldb,
			 const struct cr_guard_limits *limits,
			 struct ldb_dn *owner, unsigned el_index,
			 const struct ldb_message_element *el,
			 enum cr_guard_attr attr, unsigned op,
			 struct guard_model *m, char **errmsg)
{
	const char *attr_name = cr_guard_attr_name(attr);
	unsigned j;
	size_t i;
	int ret = 0;

	if (op != LDB_FLAG_MOD_ADD && op != LDB_FLAG_MOD_REPLACE &&
	    op != LDB_FLAG_MOD_DELETE) {
		cr_seterr(errmsg, "%s: element %u has an unknown "
			  "modification type 0x%x", attr_name, el_index, op);
		return EINVAL;
	}
	/* before any work that grows with the number of values */
	if (op != LDB_FLAG_MOD_DELETE && el->num_values > limits->max_tokens) {
		cr_seterr(errmsg, "%s: %u values in one element, more "
			  "than the limit of %zu (credroam:max tokens)",
			  attr_name, el->num_values, limits->max_tokens);
		return EINVAL;
	}
	if (op == LDB_FLAG_MOD_REPLACE ||
	    (op == LDB_FLAG_MOD_DELETE && el->num_values == 0)) {
		for (i = 0; i < m->num; i++) {
			/* present again below if the new values keep it */
			m->entries[i].present = false;
		}
	}
	for (j = 0; j < el->num_values; j++) {
		struct guard_entry e;
		struct guard_entry *found = NULL;
		char *identity = NULL;
		char *why = NULL;

		if (op == LDB_FLAG_MOD_DELETE) {
			ret = entry_from_value(mem_ctx, &el->values[j], &e);
			if (ret != 0) {
				goto nomem;
			}
			found = model_find(m, &e, true);
			if (found != NULL) {
				found->present = false;
				continue;
			}
			/*
			 * Not read: stored, or the modify fails; a second
			 * delete of it is the same removal.
			 */
			if (!m->loaded && model_find(m, &e, false) == NULL) {
				e.stored = true;
				e.present = false;
				ret = model_append(mem_ctx, m, &e);
				if (ret != 0) {
					goto nomem;
				}
			}
			continue;
		}
		ret = cr_guard_check_value(mem_ctx, ldb, limits, attr, owner,
					   &el->values[j], &identity, &why);
		if (ret == ENOMEM) {
			goto nomem;
		}
		if (ret != 0) {
			cr_seterr(errmsg, "%s value %u: %s", attr_name,
				  j + 1, why);
			return ret;
		}
		ret = entry_from_value(mem_ctx, &el->values[j], &e);
		if (ret != 0) {
			goto nomem;
		}
		/* a REPLACE that keeps a value: not a change */
		if (op == LDB_FLAG_MOD_REPLACE) {
			found = model_find(m, &e, false);
		}
		if (found != NULL) {
			found->present = true;
			continue;
		}
		e.identity = identity;
		ret = model_append(mem_ctx, m, &e);
		if (ret != 0) {
			goto nomem;
		}
	}
	return 0;
nomem:
	cr_seterr(errmsg, "out of memory");
	return ENOMEM;
}

/* What went in and out, once all elements are applied. */
static int model_report(TALLOC_CTX *mem_ctx, const struct guard_model *m,
			struct cr_guard_review *r)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < m->num && ret == 0; i++) {
		const struct guard_entry *e = &m->entries[i];

		if (e->stored && !e->present) {
			ret = list_add(mem_ctx, &r->removed, &r->num_removed,
				       e->identity);
		} else if (!e->stored && e->present) {
			ret = list_add(mem_ctx, &r->added, &r->num_added,
				       e->identity);
		}
	}
	return ret;
}

/*
 * An attribute can grow through a replace, a delete of all values, more
 * values added than (distinct) values deleted, or deletes that may miss.
 */
static int element_may_grow(TALLOC_CTX *mem_ctx,
			    const struct ldb_message_element *el, unsigned op,
			    struct guard_model *deleted, size_t *num_added,
			    bool *grows)
{
	unsigned j;
	int ret;

	if (op == LDB_FLAG_MOD_ADD) {
		*num_added += el->num_values;
		return 0;
	}
	/*
	 * Telling distinct values apart costs a compare per pair: past a
	 * few hundred, reading the stored values is the cheaper answer.
	 */
	if (op != LDB_FLAG_MOD_DELETE || el->num_values == 0 ||
	    deleted->num + el->num_values > CR_GUARD_PLAN_MAX_DELETES) {
		*grows = true;
		return 0;
	}
	for (j = 0; j < el->num_values; j++) {
		struct guard_entry e;

		ret = entry_from_value(mem_ctx, &el->values[j], &e);
		if (ret != 0) {
			return ret;
		}
		/* not a DN-Binary value: it cannot remove one */
		if (e.raw || model_find(deleted, &e, true) != NULL) {
			continue;
		}
		ret = model_append(mem_ctx, deleted, &e);
		if (ret != 0) {
			return ret;
		}
	}
	return 0;
}

int cr_guard_plan(const struct ldb_message *msg, bool is_add,
		  bool permissive, struct cr_guard_needs *needs)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct guard_model deleted[2];
	size_t num_added[2] = { 0, 0 };
	bool grows[2] = { false, false };
	bool guarded = false;
	bool sets_timestamp = false;
	unsigned i, k;
	int ret = 0;

	memset(needs, 0, sizeof(*needs));
	memset(deleted, 0, sizeof(deleted));
	for (i = 0; i < msg->num_elements; i++) {
		const struct ldb_message_element *el = &msg->elements[i];
		enum cr_guard_attr attr = cr_guard_classify(el->name);

		if (attr == CR_GUARD_ATTR_TIMESTAMP) {
			sets_timestamp = true;
			continue;
		}
		if (attr == CR_GUARD_ATTR_OTHER) {
			continue;
		}
		guarded = true;
		if (is_add) {
			continue;
		}
		k = (attr == CR_GUARD_ATTR_CREDENTIALS) ? 0 : 1;
		ret = element_may_grow(frame, el, LDB_FLAG_MOD_TYPE(el->flags),
				       &deleted[k], &num_added[k], &grows[k]);
		if (ret != 0) {
			goto done;
		}
	}
	/* an add starts from nothing: there is nothing to read */
	if (!guarded || is_add) {
		goto done;
	}
	for (k = 0; k < 2; k++) {
		needs->values[k] = permissive || grows[k] ||
				   num_added[k] > deleted[k].num;
	}
	needs->timestamp = !sets_timestamp;
	needs->dn = msg->dn == NULL || ldb_dn_has_extended(msg->dn) ||
		    ldb_dn_get_comp_num(msg->dn) == 0;
done:
	TALLOC_FREE(frame);
	return ret;
}

bool cr_guard_needs_any(const struct cr_guard_needs *needs)
{
	return needs->values[0] || needs->values[1] || needs->timestamp ||
	       needs->dn;
}

int cr_guard_review(TALLOC_CTX *mem_ctx, struct ldb_context *ldb,
		    const struct cr_guard_limits *limits,
		    const struct ldb_message *msg, bool is_add,
		    struct ldb_dn *owner, const struct ldb_message *current,
		    const struct cr_guard_needs *read,
		    struct cr_guard_review **_review, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_guard_review *r = NULL;
	struct guard_model models[2];
	unsigned i, k;
	int ret = 0;

	*_review = NULL;
	memset(models, 0, sizeof(models));
	r = talloc_zero(frame, struct cr_guard_review);
	if (r == NULL) {
		goto nomem;
	}
	for (i = 0; i < msg->num_elements; i++) {
		enum cr_guard_attr attr = cr_guard_classify(
			msg->elements[i].name);

		if (attr == CR_GUARD_ATTR_TIMESTAMP) {
			r->sets_timestamp = true;
		} else if (attr != CR_GUARD_ATTR_OTHER) {
			r->guarded = true;
		}
	}
	if (!r->guarded) {
		goto accept;
	}
	if (owner == NULL || !ldb_dn_validate(owner) ||
	    ldb_dn_get_comp_num(owner) == 0) {
		ret = EINVAL;
		cr_seterr(errmsg, "cannot tell which object '%.*s' "
			  "is, so its token values cannot be checked",
			  CR_GUARD_SHOW_DN,
			  owner ? ldb_dn_get_extended_linearized(frame, owner,
								 1) : "");
		goto done;
	}
	for (k = 0; k < 2; k++) {
		if (!is_add && read != NULL && !read->values[k]) {
			continue;
		}
		ret = model_load(frame, &models[k], is_add ? NULL : current,
				 k == 0 ? CR_GUARD_ATTR_CREDENTIALS :
				 CR_GUARD_ATTR_MASTER_KEYS);
		if (ret != 0) {
			goto nomem;
		}
	}
	for (i = 0; i < msg->num_elements; i++) {
		const struct ldb_message_element *el = &msg->elements[i];
		enum cr_guard_attr attr = cr_guard_classify(el->name);
		unsigned op = is_add ? LDB_FLAG_MOD_ADD :
			LDB_FLAG_MOD_TYPE(el->flags);

		if (attr != CR_GUARD_ATTR_CREDENTIALS &&
		    attr != CR_GUARD_ATTR_MASTER_KEYS) {
			continue;
		}
		k = (attr == CR_GUARD_ATTR_CREDENTIALS) ? 0 : 1;
		ret = apply_element(mem_ctx, ldb, limits, owner, i, el, attr,
				    op, &models[k], errmsg);
		if (ret != 0) {
			goto done;
		}
	}
	for (k = 0; k < 2; k++) {
		const char *name = cr_guard_attr_name(k == 0 ?
			CR_GUARD_ATTR_CREDENTIALS : CR_GUARD_ATTR_MASTER_KEYS);

		r->count_after[k] = model_count(&models[k]);
		r->counted[k] = models[k].loaded;
		/* never block a change that shrinks an oversized attribute */
		if (r->counted[k] &&
		    r->count_after[k] > limits->max_tokens &&
		    r->count_after[k] > models[k].count_before) {
			ret = EINVAL;
			cr_seterr(errmsg, "%s would hold %zu values, "
				  "more than the limit of %zu (credroam:max "
				  "tokens)", name, r->count_after[k],
				  limits->max_tokens);
			goto done;
		}
		ret = model_report(r, &models[k], r);
		if (ret != 0) {
			goto nomem;
		}
	}
accept:
	*_review = talloc_move(mem_ctx, &r);
	ret = 0;
	goto done;
nomem:
	ret = ENOMEM;
	cr_seterr(errmsg, "out of memory");
done:
	TALLOC_FREE(frame);
	return ret;
}

void cr_guard_timestamp(const uint8_t *old, size_t old_len, uint64_t now,
			uint8_t out[CR_GUARD_TIMESTAMP_LEN])
{
	unsigned i;

	memset(out, 0, CR_GUARD_TIMESTAMP_LEN);
	if (old != NULL && old_len == CR_GUARD_TIMESTAMP_LEN) {
		memcpy(out, old + 8, 8);
	}
	for (i = 0; i < 8; i++) {
		out[8 + i] = (uint8_t)(now >> (8 * i));
	}
}
