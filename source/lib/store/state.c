/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The last-synced view; see state.h.  JSON through jansson, read with
 * strict type checks: a state that does not have the expected shape is
 * refused as a whole (the caller falls back to state.old).
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "util/encoding.h"
#include "util/error.h"
#include "util/fault.h"
#include "store/state.h"
#include "util/stackframe.h"
#include "format/token.h"

#define STATE_FILE "state"
#define STATE_OLD "state.old"
#define STATE_VERSION 1
#define STATE_MAX_ITEMS 100000

static json_t *opt_string(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

int cr_state_to_json(TALLOC_CTX *mem_ctx, const struct cr_state *state,
		     char **ptext, char **errmsg)
{
	json_t *o = json_object();
	json_t *items = json_array();
	json_t *certs = json_array();
	char *dump = NULL;
	size_t i;
	int ret = 0;

	*ptext = NULL;
	if (o == NULL || items == NULL || certs == NULL) {
		json_decref(items);
		json_decref(certs);
		ret = ENOMEM;
		goto done;
	}
	json_object_set_new(o, "version", json_integer(STATE_VERSION));
	json_object_set_new(o, "sid", opt_string(state->sid));
	json_object_set_new(o, "dn", opt_string(state->dn));
	if (state->has_timestamp) {
		char *hex = cr_hex_upper(mem_ctx, state->timestamp, 16);
		json_object_set_new(o, "timestamp", opt_string(hex));
		TALLOC_FREE(hex);
	} else {
		json_object_set_new(o, "timestamp", json_null());
	}
	json_object_set_new(o, "usn_changed",
			    json_integer((json_int_t)state->usn_changed));
	json_object_set_new(o, "usn_dc", opt_string(state->usn_dc));
	json_object_set_new(o, "fingerprint", opt_string(state->fingerprint));
	json_object_set_new(o, "policy", opt_string(state->policy));
	json_object_set_new(o, "synced",
			    json_integer((json_int_t)state->synced));
	for (i = 0; i < state->num_items; i++) {
		const struct cr_state_item *it = &state->items[i];
		json_array_append_new(items, json_pack("{s:i,s:s,s:s}",
			"type", (int)it->type, "id", it->id,
			"sha1", it->sha1));
	}
	json_object_set_new(o, "items", items);
	for (i = 0; i < state->num_certs; i++) {
		const struct cr_state_cert *c = &state->certs[i];
		json_array_append_new(certs, json_pack("{s:s,s:i,s:o,s:i,s:b}",
			"thumbprint", c->thumbprint,
			"cert_type", (int)c->cert_type,
			"key_id", opt_string(c->key_id),
			"key_type", (int)c->key_type,
			"key_written", c->key_written));
	}
	json_object_set_new(o, "certs", certs);
	dump = json_dumps(o, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (dump == NULL) {
		ret = ENOMEM;
		goto done;
	}
	*ptext = talloc_strdup(mem_ctx, dump);
	free(dump);
	if (*ptext == NULL) {
		ret = ENOMEM;
	}
done:
	json_decref(o);
	if (ret != 0) {
		cr_seterr(errmsg, "cannot encode the state: %s",
			  strerror(ret));
	}
	return ret;
}

static bool get_opt_string(TALLOC_CTX *mem_ctx, json_t *o, const char *key,
			   char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		return true;
	}
	if (!json_is_string(v)) {
		return false;
	}
	*out = talloc_strdup(mem_ctx, json_string_value(v));
	return *out != NULL;
}

static bool is_hex_sha1(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 2 * CR_SHA1_LEN) {
		return false;
	}
	for (i = 0; s[i] != '\0'; i++) {
		bool hex = (s[i] >= '0' && s[i] <= '9') ||
			   (s[i] >= 'A' && s[i] <= 'F');
		if (!hex) {
			return false;
		}
	}
	return true;
}

static int parse_items(struct cr_state *st, json_t *arr, const char **why)
{
	size_t i;
	json_t *v = NULL;

	if (!json_is_array(arr) || json_array_size(arr) > STATE_MAX_ITEMS) {
		*why = "'items' is not a list of bounded size";
		return EBADMSG;
	}
	st->items = talloc_zero_array(st, struct cr_state_item,
				      json_array_size(arr) + 1);
	if (st->items == NULL) {
		return ENOMEM;
	}
	json_array_foreach(arr, i, v) {
		struct cr_state_item *it = &st->items[i];
		json_int_t type = json_integer_value(json_object_get(v,
								     "type"));
		const char *id = json_string_value(json_object_get(v, "id"));
		const char *sha1 = json_string_value(json_object_get(v,
								     "sha1"));

		if (!json_is_integer(json_object_get(v, "type")) ||
		    type < 0 || type > 9 || id == NULL ||
		    cr_token_check_identifier((unsigned)type, id, strlen(id),
					      NULL) != CR_TOKEN_OK ||
		    !is_hex_sha1(sha1)) {
			*why = "an item is not {type, safe id, sha1}";
			return EBADMSG;
		}
		it->type = (unsigned)type;
		it->id = talloc_strdup(st->items, id);
		it->sha1 = talloc_strdup(st->items, sha1);
		if (it->id == NULL || it->sha1 == NULL) {
			return ENOMEM;
		}
	}
	st->num_items = json_array_size(arr);
	return 0;
}

static int parse_certs(struct cr_state *st, json_t *arr, const char **why)
{
	size_t i;
	json_t *v = NULL;

	if (!json_is_array(arr) || json_array_size(arr) > STATE_MAX_ITEMS) {
		*why = "'certs' is not a list of bounded size";
		return EBADMSG;
	}
	st->certs = talloc_zero_array(st, struct cr_state_cert,
				      json_array_size(arr) + 1);
	if (st->certs == NULL) {
		return ENOMEM;
	}
	json_array_foreach(arr, i, v) {
		struct cr_state_cert *c = &st->certs[i];
		const char *tp = json_string_value(json_object_get(v,
							"thumbprint"));
		json_t *kid = json_object_get(v, "key_id");
		json_t *kw = json_object_get(v, "key_written");

		if (!is_hex_sha1(tp) || !json_is_boolean(kw) ||
		    !(json_is_null(kid) || json_is_string(kid))) {
			*why = "a certificate entry is malformed";
			return EBADMSG;
		}
		c->thumbprint = talloc_strdup(st->certs, tp);
		c->cert_type = (unsigned)json_integer_value(
			json_object_get(v, "cert_type"));
		c->key_type = (unsigned)json_integer_value(
			json_object_get(v, "key_type"));
		c->key_written = json_is_true(kw);
		if (json_is_string(kid)) {
			const char *k = json_string_value(kid);
			if (cr_token_check_identifier(c->key_type, k,
						      strlen(k), NULL) !=
			    CR_TOKEN_OK) {
				*why = "a certificate's key id is unsafe";
				return EBADMSG;
			}
			c->key_id = talloc_strdup(st->certs, k);
		}
		if (c->thumbprint == NULL) {
			return ENOMEM;
		}
	}
	st->num_certs = json_array_size(arr);
	return 0;
}

int cr_state_from_json(TALLOC_CTX *mem_ctx, const uint8_t *text, size_t len,
		       struct cr_state **pstate, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_state *st = NULL;
	json_error_t jerr;
	json_t *o = NULL;
	char *ts = NULL;
	const char *why = NULL;
	bool ok;
	int ret = 0;

	*pstate = NULL;
	o = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		cr_seterr(errmsg, "not JSON (line %d: %s)", jerr.line,
			  o == NULL ? jerr.text : "not an object");
		ret = EBADMSG;
		goto done;
	}
	if (json_integer_value(json_object_get(o, "version")) !=
	    STATE_VERSION) {
		cr_seterr(errmsg, "unknown state version");
		ret = EBADMSG;
		goto done;
	}
	st = talloc_zero(frame, struct cr_state);
	if (st == NULL) {
		ret = ENOMEM;
		goto done;
	}
	ok = get_opt_string(st, o, "sid", &st->sid) &&
	     get_opt_string(st, o, "dn", &st->dn) &&
	     get_opt_string(st, o, "fingerprint", &st->fingerprint) &&
	     get_opt_string(st, o, "policy", &st->policy) &&
	     get_opt_string(st, o, "usn_dc", &st->usn_dc) &&
	     get_opt_string(frame, o, "timestamp", &ts);
	if (!ok) {
		cr_seterr(errmsg, "a field is not a string");
		ret = EBADMSG;
		goto done;
	}
	st->synced = (uint64_t)json_integer_value(json_object_get(o,
								  "synced"));
	/* absent in older states: unknown */
	st->usn_changed = (uint64_t)json_integer_value(
		json_object_get(o, "usn_changed"));
	if (ts != NULL) {
		uint8_t *bin = NULL;

		ret = strlen(ts) != 32 ? EBADMSG
			: cr_hex_decode(frame, ts, 32, &bin, NULL);
		if (ret != 0) {
			cr_seterr(errmsg, "timestamp is not 16 bytes "
				  "of hex");
			ret = EBADMSG;
			goto done;
		}
		memcpy(st->timestamp, bin, 16);
		st->has_timestamp = true;
	}
	ret = parse_items(st, json_object_get(o, "items"), &why);
	if (ret == 0) {
		ret = parse_certs(st, json_object_get(o, "certs"), &why);
	}
	if (ret != 0) {
		cr_seterr(errmsg, "%s", why != NULL ? why
							 : strerror(ret));
		goto done;
	}
	*pstate = talloc_move(mem_ctx, &st);
done:
	json_decref(o);
	TALLOC_FREE(frame);
	return ret;
}

static int load_one(TALLOC_CTX *mem_ctx, struct cr_store *store,
		    const char *name, struct cr_state **pstate, char **why)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int ret;

	ret = cr_store_read_root_file(mem_ctx, store, name, &data, &len, why);
	if (ret == 0) {
		ret = cr_state_from_json(mem_ctx, data, len, pstate, why);
	}
	TALLOC_FREE(data);
	return ret;
}

int cr_state_load(TALLOC_CTX *mem_ctx, struct cr_store *store,
		  struct cr_state **pstate, char **warning, char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct cr_state *st = NULL;
	char *why = NULL;
	char *why_old = NULL;
	int ret;

	(void)errmsg;
	*pstate = NULL;
	if (warning != NULL) {
		*warning = NULL;
	}
	ret = load_one(frame, store, STATE_FILE, &st, &why);
	if (ret != 0) {
		int ret_old = load_one(frame, store, STATE_OLD, &st, &why_old);
		if (ret == ENOENT && ret_old == ENOENT) {
			st = NULL;	/* a first run */
		} else if (warning != NULL && ret_old == 0) {
			*warning = talloc_asprintf(mem_ctx, "%s/state: %s; "
				"using state.old", store->root,
				ret == ENOENT ? "missing" : why);
		} else if (warning != NULL) {
			*warning = talloc_asprintf(mem_ctx, "%s/state: %s, "
				"state.old: %s; starting from an empty state",
				store->root,
				ret == ENOENT ? "missing" : why,
				ret_old == ENOENT ? "missing" : why_old);
		}
	}
	if (st == NULL) {
		st = talloc_zero(frame, struct cr_state);
		if (st == NULL) {
			ret = ENOMEM;
			goto done;
		}
	}
	*pstate = talloc_move(mem_ctx, &st);
	ret = 0;
done:
	cr_err_clear(&why);
	TALLOC_FREE(frame);
	return ret;
}

int cr_state_save(struct cr_store *store, const struct cr_state *state,
		  char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *text = NULL;
	int ret;

	ret = cr_state_to_json(frame, state, &text, errmsg);
	if (ret != 0) {
		goto done;
	}
	cr_fault_point("state-keep-old", NULL);
	ret = cr_store_rename_root_file(store, STATE_FILE, STATE_OLD, errmsg);
	if (ret != 0 && ret != ENOENT) {
		goto done;
	}
	cr_fault_point("state-write", NULL);
	ret = cr_store_write_root_file(store, STATE_FILE,
				       (const uint8_t *)text, strlen(text),
				       errmsg);
done:
	TALLOC_FREE(frame);
	return ret;
}

const struct cr_state_item *cr_state_find(const struct cr_state *state,
					  unsigned type, const char *id)
{
	size_t i;

	for (i = 0; i < state->num_items; i++) {
		if (state->items[i].type == type &&
		    strcmp(state->items[i].id, id) == 0) {
			return &state->items[i];
		}
	}
	return NULL;
}

const struct cr_state_cert *cr_state_find_cert(const struct cr_state *state,
					       const char *thumbprint)
{
	size_t i;

	for (i = 0; i < state->num_certs; i++) {
		if (strcmp(state->certs[i].thumbprint, thumbprint) == 0) {
			return &state->certs[i];
		}
	}
	return NULL;
}
