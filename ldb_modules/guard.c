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

/* [0] credentials, [1] master keys; -1 for any other attribute */
static int attr_slot(enum cr_guard_attr attr)
{
	if (attr == CR_GUARD_ATTR_CREDENTIALS) {
		return 0;
	}
	if (attr == CR_GUARD_ATTR_MASTER_KEYS) {
		return 1;
	}
	return -1;
}

static enum cr_guard_attr slot_attr(int k)
{
	return k == 0 ? CR_GUARD_ATTR_CREDENTIALS : CR_GUARD_ATTR_MASTER_KEYS;
}

/* An element's operation: an add of a new object adds every value. */
static unsigned element_op(const struct ldb_message_element *el, bool is_add)
{
	return is_add ? LDB_FLAG_MOD_ADD : LDB_FLAG_MOD_TYPE(el->flags);
}

int cr_guard_bound(TALLOC_CTX *mem_ctx, const struct cr_guard_limits *limits,
		   const struct ldb_message *msg, bool is_add,
		   struct cr_guard_size *size, char **errmsg)
{
	size_t written[2] = { 0, 0 };
	size_t deleted[2] = { 0, 0 };
	unsigned i, j;
	int k;

	memset(size, 0, sizeof(*size));
	/* one step per element first: the counts need no value */
	for (i = 0; i < msg->num_elements; i++) {
		const struct ldb_message_element *el = &msg->elements[i];

		k = attr_slot(cr_guard_classify(el->name));
		if (k < 0) {
			continue;
		}
		if (element_op(el, is_add) == LDB_FLAG_MOD_DELETE) {
			deleted[k] += el->num_values;
		} else {
			written[k] += el->num_values;
		}
		size->values += el->num_values;
	}
	for (k = 0; k < 2; k++) {
		const char *name = cr_guard_attr_name(slot_attr(k));

		if (written[k] > limits->max_tokens) {
			cr_seterr(errmsg, "%s: the change names %zu "
				  "values to add or replace, more than the "
				  "limit of %zu (credroam:max tokens)", name,
				  written[k], limits->max_tokens);
			return EINVAL;
		}
		if (deleted[k] > limits->max_tokens) {
			cr_seterr(errmsg, "%s: the change names %zu "
				  "values to delete, more than the limit of "
				  "%zu (credroam:max tokens)", name,
				  deleted[k], limits->max_tokens);
			return EINVAL;
		}
	}
	for (i = 0; i < msg->num_elements; i++) {
		const struct ldb_message_element *el = &msg->elements[i];

		if (attr_slot(cr_guard_classify(el->name)) < 0) {
			continue;
		}
		for (j = 0; j < el->num_values; j++) {
			size->bytes += el->values[j].length;
		}
	}
	return 0;
}

bool cr_guard_size_is_small(const struct cr_guard_size *size)
{
	return size->values <= CR_GUARD_SMALL_VALUES &&
	       size->bytes <= CR_GUARD_SMALL_BYTES;
}

/*
 * cr_guard_check_value(), also handing back the token's bytes (on
 * mem_ctx) so that the review decodes each value once; the identity only
 * when _identity is not NULL.  The rules of one value are
 * format/advalue.h's, as for the roaming run and the tools: the DN part is
 * compared with cr_dn_equal() against the owner's linearized DN
 * (owner_str, or the owner's when NULL), so the DC refuses exactly what a
 * client leaves alone.
 */
static int check_value(TALLOC_CTX *mem_ctx, struct ldb_context *ldb,
		       const struct cr_guard_limits *limits,
		       enum cr_guard_attr attr, struct ldb_dn *owner,
		       const char *owner_str, const struct ldb_val *value,
		       uint8_t **_bin, size_t *_bin_len, char **_identity,
		       char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_ad_value_rules rules = {
		.attribute = cr_guard_attr_name(attr),
		.owner_dn = owner_str,
		.max_token_size = limits->max_token_size,
	};
	struct cr_ad_value *v = NULL;
	char *identity = NULL;
	int ret;

	*_bin = NULL;
	*_bin_len = 0;
	if (_identity != NULL) {
		*_identity = NULL;
	}
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
		rules.owner_dn = ldb_dn_get_linearized(owner);
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
	if (_identity != NULL) {
		identity = cr_token_identity(frame, v->token);
		if (identity == NULL) {
			ret = ENOMEM;
			cr_seterr(errmsg, "out of memory");
			goto done;
		}
		*_identity = talloc_move(mem_ctx, &identity);
	}
	*_bin = talloc_memdup(mem_ctx, v->token->raw, v->token->raw_len);
	if (*_bin == NULL) {
		ret = ENOMEM;
		cr_seterr(errmsg, "out of memory");
		goto done;
	}
	*_bin_len = v->token->raw_len;
done:
	TALLOC_FREE(frame);
	return ret;
}

int cr_guard_check_value(TALLOC_CTX *mem_ctx, struct ldb_context *ldb,
			 const struct cr_guard_limits *limits,
			 enum cr_guard_attr attr, struct ldb_dn *owner,
			 const struct ldb_val *value, char **_identity,
			 char **errmsg)
{
	uint8_t *bin = NULL;
	size_t bin_len = 0;
	int ret;

	ret = check_value(mem_ctx, ldb, limits, attr, owner, NULL, value,
			  &bin, &bin_len, _identity, errmsg);
	TALLOC_FREE(bin);
	return ret;
}

/*
 * A value of a token attribute as the review meets it: stored, or named
 * by an element of the change.  Values are compared by their binary part
 * (the DN part must be the object's own anyway), raw when a value is not
 * DN-Binary.
 */
struct guard_ref {
	const uint8_t *key;
	size_t key_len;
	bool raw;
	size_t node;		/* its distinct value in the model */
};

/*
 * One distinct value: the copies stored before the change, the copies
 * there have been (stored, then added), and those present now.  present
 * counts only while epoch is the model's: a replace bumps the model's
 * epoch and so empties the attribute in one step.
 */
struct guard_node {
	size_t first_ref;
	size_t stored;
	size_t copies;
	size_t present;
	size_t epoch;
};

/*
 * The values of one token attribute as the change goes on: every value
 * the review meets is a ref, the refs are sorted once to find the
 * distinct values (nodes), and then each element is applied in order at
 * a constant cost per value.  No linear search, so the cost grows with
 * the size of the change, never with its square.
 */
struct guard_model {
	struct guard_ref *refs;
	size_t num_refs;
	size_t num_stored;	/* refs[0 .. num_stored - 1] are stored */
	struct guard_node *nodes;
	size_t num_nodes;
	size_t epoch;
	size_t count;		/* values present */
	bool loaded;		/* the refs start with every stored value */
};

/* The key of a value that is only compared (stored, or to delete). */
static int ref_from_value(TALLOC_CTX *mem_ctx, const struct ldb_val *v,
			  struct guard_ref *ref)
{
	uint8_t *bin = NULL;
	size_t bin_len = 0;
	char *dn_str = NULL;
	int ret;

	*ref = (struct guard_ref) { .key = NULL };
	ret = cr_dnbinary_parse(mem_ctx, (const char *)v->data, v->length,
				&bin, &bin_len, &dn_str, NULL, NULL);
	if (ret == ENOMEM) {
		return ret;
	}
	if (ret != 0) {
		/* points into the message, which outlives the review */
		ref->key = v->data;
		ref->key_len = v->length;
		ref->raw = true;
		return 0;
	}
	TALLOC_FREE(dn_str);
	ref->key = bin;
	ref->key_len = bin_len;
	return 0;
}

/*
 * The identity a report shows: decoded again, only for the few values a
 * report names.
 */
static int ref_identity(TALLOC_CTX *mem_ctx, const struct guard_ref *ref,
			const char **_identity)
{
	TALLOC_CTX *frame = NULL;
	struct cr_token *token = NULL;
	int ret;

	if (ref->raw) {
		*_identity = "(not a DN-Binary value)";
		return 0;
	}
	frame = talloc_stackframe();
	*_identity = "(malformed token)";
	ret = cr_token_parse(frame, ref->key, ref->key_len, &token, NULL,
			     NULL);
	if (ret == 0) {
		*_identity = cr_token_identity(mem_ctx, token);
		ret = (*_identity == NULL) ? ENOMEM : 0;
	} else if (ret != ENOMEM) {
		ret = 0;
	}
	TALLOC_FREE(frame);
	return ret;
}

/* Order of keys: raw last, then by length, then by bytes. */
static int ref_cmp(const struct guard_ref *a, const struct guard_ref *b)
{
	if (a->raw != b->raw) {
		return a->raw ? 1 : -1;
	}
	if (a->key_len != b->key_len) {
		return a->key_len < b->key_len ? -1 : 1;
	}
	if (a->key_len == 0) {
		return 0;
	}
	return memcmp(a->key, b->key, a->key_len);
}

static int ref_ptr_cmp(const void *pa, const void *pb)
{
	const struct guard_ref *const *a = pa;
	const struct guard_ref *const *b = pb;
	int c = ref_cmp(*a, *b);

	if (c != 0) {
		return c;
	}
	/* equal keys in the order they came: the first one names the node */
	return (*a < *b) ? -1 : (*a > *b);
}

/* Sort the refs once and give each distinct value its node. */
static int model_index(TALLOC_CTX *mem_ctx, struct guard_model *m)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct guard_ref **sorted = NULL;
	size_t i;
	int ret = 0;

	if (m->num_refs == 0) {
		goto done;
	}
	sorted = talloc_array(frame, struct guard_ref *, m->num_refs);
	m->nodes = talloc_zero_array(mem_ctx, struct guard_node,
				     m->num_refs);
	if (sorted == NULL || m->nodes == NULL) {
		ret = ENOMEM;
		goto done;
	}
	for (i = 0; i < m->num_refs; i++) {
		sorted[i] = &m->refs[i];
	}
	qsort(sorted, m->num_refs, sizeof(sorted[0]), ref_ptr_cmp);
	for (i = 0; i < m->num_refs; i++) {
		if (i == 0 || ref_cmp(sorted[i - 1], sorted[i]) != 0) {
			m->nodes[m->num_nodes].first_ref =
				(size_t)(sorted[i] - m->refs);
			m->num_nodes++;
		}
		sorted[i]->node = m->num_nodes - 1;
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

/* The copies of n present now (none since the last replace). */
static size_t *node_present(struct guard_model *m, struct guard_node *n)
{
	if (n->epoch != m->epoch) {
		n->epoch = m->epoch;
		n->present = 0;
	}
	return &n->present;
}

/* Apply the elements of attribute slot k, in order. */
static void model_apply(struct guard_model *m, const struct ldb_message *msg,
			bool is_add, int k)
{
	size_t r = m->num_stored;
	unsigned i, j;

	for (i = 0; i < m->num_stored; i++) {
		struct guard_node *n = &m->nodes[m->refs[i].node];

		n->stored++;
		n->copies++;
		(*node_present(m, n))++;
		m->count++;
	}
	for (i = 0; i < msg->num_elements; i++) {
		const struct ldb_message_element *el = &msg->elements[i];
		unsigned op = element_op(el, is_add);

		if (attr_slot(cr_guard_classify(el->name)) != k) {
			continue;
		}
		if (op == LDB_FLAG_MOD_REPLACE ||
		    (op == LDB_FLAG_MOD_DELETE && el->num_values == 0)) {
			/* present again below if the new values keep it */
			m->epoch++;
			m->count = 0;
		}
		for (j = 0; j < el->num_values; j++) {
			struct guard_node *n = &m->nodes[m->refs[r++].node];
			size_t *present = node_present(m, n);

			if (op == LDB_FLAG_MOD_DELETE) {
				if (*present > 0) {
					(*present)--;
					m->count--;
				} else if (!m->loaded && n->copies == 0) {
					/*
					 * Not read: stored, or the modify
					 * fails; a second delete of it is
					 * the same removal.
					 */
					n->stored++;
					n->copies++;
				}
				continue;
			}
			/*
			 * A replace that keeps a value takes a copy that is
			 * there; an add always makes one.
			 */
			if (op == LDB_FLAG_MOD_ADD || n->copies == *present) {
				n->copies++;
			}
			(*present)++;
			m->count++;
		}
	}
}

/*
 * What went in and out, once all elements are applied: every value
 * counted, the first CR_GUARD_REVIEW_IDS of each list named.
 */
static int model_report(TALLOC_CTX *mem_ctx, struct guard_model *m,
			struct cr_guard_review *r)
{
	size_t i, c;
	int ret = 0;

	if (r->added == NULL) {
		r->added = talloc_zero_array(mem_ctx, const char *,
					     CR_GUARD_REVIEW_IDS);
		r->removed = talloc_zero_array(mem_ctx, const char *,
					       CR_GUARD_REVIEW_IDS);
		if (r->added == NULL || r->removed == NULL) {
			return ENOMEM;
		}
	}
	/* in the order the review met them: stored first, then the change */
	for (i = 0; i < m->num_refs && ret == 0; i++) {
		struct guard_node *n = &m->nodes[m->refs[i].node];
		size_t present = *node_present(m, n);
		const char *identity = NULL;
		const char **list = r->added;
		size_t *num = &r->num_added;
		size_t copies;

		if (n->first_ref != i || present == n->stored) {
			continue;
		}
		if (present < n->stored) {
			list = r->removed;
			num = &r->num_removed;
			copies = n->stored - present;
		} else {
			copies = present - n->stored;
		}
		if (*num >= CR_GUARD_REVIEW_IDS) {
			*num += copies;
			continue;
		}
		ret = ref_identity(mem_ctx, &m->refs[i], &identity);
		for (c = 0; c < copies && ret == 0; c++) {
			if (*num < CR_GUARD_REVIEW_IDS) {
				list[*num] = talloc_strdup(list, identity);
				if (list[*num] == NULL) {
					ret = ENOMEM;
					break;
				}
			}
			(*num)++;
		}
	}
	return ret;
}

/*
 * A model for each token attribute: the stored values of those loaded,
 * then every value of the change in message order, the written ones
 * checked (the first refusal is the one reported, as the client sent
 * them).
 */
static int models_build(TALLOC_CTX *mem_ctx, TALLOC_CTX *err_ctx,
			struct ldb_context *ldb,
			const struct cr_guard_limits *limits,
			const struct ldb_message *msg, bool is_add,
			struct ldb_dn *owner, const struct ldb_message *current,
			const bool loaded[2], struct guard_model models[2],
			char **errmsg)
{
	const char *owner_str = ldb_dn_get_linearized(owner);
	size_t num_refs[2] = { 0, 0 };
	unsigned i, j;
	int k;
	int ret;

	if (owner_str == NULL) {
		goto nomem;
	}
	for (k = 0; k < 2; k++) {
		models[k].loaded = loaded[k];
	}
	/* how many refs: stored values, then the change's */
	for (i = 0; current != NULL && i < current->num_elements; i++) {
		k = attr_slot(cr_guard_classify(current->elements[i].name));
		if (k >= 0 && loaded[k]) {
			num_refs[k] += current->elements[i].num_values;
		}
	}
	for (i = 0; i < msg->num_elements; i++) {
		k = attr_slot(cr_guard_classify(msg->elements[i].name));
		if (k >= 0) {
			num_refs[k] += msg->elements[i].num_values;
		}
	}
	for (k = 0; k < 2; k++) {
		models[k].refs = talloc_zero_array(mem_ctx, struct guard_ref,
						   num_refs[k]);
		if (models[k].refs == NULL && num_refs[k] > 0) {
			goto nomem;
		}
	}
	for (i = 0; current != NULL && i < current->num_elements; i++) {
		const struct ldb_message_element *el = &current->elements[i];
		struct guard_model *m = NULL;

		k = attr_slot(cr_guard_classify(el->name));
		if (k < 0 || !loaded[k]) {
			continue;
		}
		m = &models[k];
		for (j = 0; j < el->num_values; j++) {
			ret = ref_from_value(mem_ctx, &el->values[j],
					     &m->refs[m->num_refs]);
			if (ret != 0) {
				goto nomem;
			}
			m->num_refs++;
		}
		m->num_stored = m->num_refs;
	}
	for (i = 0; i < msg->num_elements; i++) {
		const struct ldb_message_element *el = &msg->elements[i];
		unsigned op = element_op(el, is_add);
		enum cr_guard_attr attr = cr_guard_classify(el->name);
		const char *attr_name = cr_guard_attr_name(attr);
		struct guard_model *m = NULL;

		k = attr_slot(attr);
		if (k < 0) {
			continue;
		}
		m = &models[k];
		if (op != LDB_FLAG_MOD_ADD && op != LDB_FLAG_MOD_REPLACE &&
		    op != LDB_FLAG_MOD_DELETE) {
			cr_seterr(errmsg, "%s: element %u has an "
				  "unknown modification type 0x%x",
				  attr_name, i, op);
			return EINVAL;
		}
		for (j = 0; j < el->num_values; j++) {
			struct guard_ref *ref = &m->refs[m->num_refs];
			uint8_t *bin = NULL;
			char *why = NULL;

			if (op == LDB_FLAG_MOD_DELETE) {
				ret = ref_from_value(mem_ctx, &el->values[j],
						     ref);
				if (ret != 0) {
					goto nomem;
				}
				m->num_refs++;
				continue;
			}
			ret = check_value(mem_ctx, ldb, limits, attr, owner,
					  owner_str, &el->values[j], &bin,
					  &ref->key_len, NULL, &why);
			if (ret == ENOMEM) {
				cr_err_clear(&why);
				goto nomem;
			}
			if (ret != 0) {
				cr_seterr(errmsg, "%s value %u: %s",
					  attr_name, j + 1, why);
				cr_err_clear(&why);
				return ret;
			}
			ref->key = bin;
			m->num_refs++;
		}
	}
	for (k = 0; k < 2; k++) {
		ret = model_index(mem_ctx, &models[k]);
		if (ret != 0) {
			goto nomem;
		}
	}
	return 0;
nomem:
	cr_seterr(errmsg, "out of memory");
	return ENOMEM;
}

/*
 * Deleted values cr_guard_plan() tells apart before it just reads: an
 * attribute can grow through a replace, a delete of all values, more
 * values added than (distinct) values deleted, or deletes that may miss.
 */
static int plan_deleted(TALLOC_CTX *mem_ctx,
			const struct ldb_message_element *el,
			struct guard_model *deleted, bool *grows)
{
	unsigned j;
	int ret;

	/*
	 * Telling distinct values apart costs a sort of what the change
	 * names (cr_guard_bound() limits it), far less than reading the
	 * stored values: on a DC that read copies the whole object.
	 */
	if (el->num_values == 0) {
		*grows = true;
		return 0;
	}
	for (j = 0; j < el->num_values; j++) {
		struct guard_ref *ref = &deleted->refs[deleted->num_refs];

		ret = ref_from_value(mem_ctx, &el->values[j], ref);
		if (ret != 0) {
			return ret;
		}
		/* not a DN-Binary value: it cannot remove one */
		if (!ref->raw) {
			deleted->num_refs++;
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
	size_t num_deleted[2] = { 0, 0 };
	bool grows[2] = { false, false };
	bool guarded = false;
	bool sets_timestamp = false;
	unsigned i;
	int k;
	int ret = 0;

	memset(needs, 0, sizeof(*needs));
	memset(deleted, 0, sizeof(deleted));
	/* room for every deleted value of each attribute */
	for (i = 0; !is_add && i < msg->num_elements; i++) {
		const struct ldb_message_element *el = &msg->elements[i];

		k = attr_slot(cr_guard_classify(el->name));
		if (k >= 0 && LDB_FLAG_MOD_TYPE(el->flags) ==
			      LDB_FLAG_MOD_DELETE) {
			num_deleted[k] += el->num_values;
		}
	}
	for (k = 0; k < 2; k++) {
		deleted[k].refs = talloc_zero_array(frame, struct guard_ref,
						    num_deleted[k]);
		if (deleted[k].refs == NULL && num_deleted[k] > 0) {
			ret = ENOMEM;
			goto done;
		}
	}
	for (i = 0; i < msg->num_elements; i++) {
		const struct ldb_message_element *el = &msg->elements[i];
		enum cr_guard_attr attr = cr_guard_classify(el->name);
		unsigned op = LDB_FLAG_MOD_TYPE(el->flags);

		if (attr == CR_GUARD_ATTR_TIMESTAMP) {
			sets_timestamp = true;
			continue;
		}
		k = attr_slot(attr);
		if (k < 0) {
			continue;
		}
		guarded = true;
		if (is_add) {
			continue;
		}
		if (op == LDB_FLAG_MOD_ADD) {
			num_added[k] += el->num_values;
		} else if (op == LDB_FLAG_MOD_DELETE) {
			ret = plan_deleted(frame, el, &deleted[k], &grows[k]);
			if (ret != 0) {
				goto done;
			}
		} else {
			grows[k] = true;
		}
	}
	/* an add starts from nothing: there is nothing to read */
	if (!guarded || is_add) {
		goto done;
	}
	for (k = 0; k < 2; k++) {
		ret = model_index(frame, &deleted[k]);
		if (ret != 0) {
			goto done;
		}
		needs->values[k] = permissive || grows[k] ||
				   num_added[k] > deleted[k].num_nodes;
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
	struct cr_guard_size size;
	bool loaded[2];
	unsigned i;
	int k;
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
	/* before any work that grows with the number of values */
	ret = cr_guard_bound(mem_ctx, limits, msg, is_add, &size, errmsg);
	if (ret != 0) {
		goto done;
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
		loaded[k] = is_add || read == NULL || read->values[k];
	}
	ret = models_build(frame, mem_ctx, ldb, limits, msg, is_add, owner,
			   is_add ? NULL : current, loaded, models, errmsg);
	if (ret != 0) {
		goto done;
	}
	for (k = 0; k < 2; k++) {
		const char *name = cr_guard_attr_name(slot_attr(k));

		model_apply(&models[k], msg, is_add, k);
		r->count_after[k] = models[k].count;
		r->counted[k] = models[k].loaded;
		/* never block a change that shrinks an oversized attribute */
		if (r->counted[k] &&
		    r->count_after[k] > limits->max_tokens &&
		    r->count_after[k] > models[k].num_stored) {
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
