/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The credential roaming policy; see policy.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "util/error.h"
#include "gpo/policy.h"
#include "format/preg.h"
#include "util/stackframe.h"

#define POLICY_SOURCE_DEFAULT "default"
#define POLICY_SOURCE_CONF "credroam.conf"

static const struct {
	const char *name;
	uint32_t def;
	uint32_t min;
	uint32_t max;
} policy_info[POLICY_NUM] = {
	[POLICY_DIMS_ROAMING] = {
		"DIMSRoaming", 0, 0, UINT32_MAX },
	[POLICY_TOMBSTONE_DAYS] = {
		"DIMSRoamingTombstoneDays", 60, 1, 3650 },
	[POLICY_MAX_NUM_TOKENS] = {
		"DIMSRoamingMaxNumTokens", 2000, 1, 10000 },
	[POLICY_MAX_TOKEN_SIZE] = {
		"DIMSRoamingMaxTokenSize", 65535, 1, 100000 },
	[POLICY_AE_POLICY] = {
		"AEPolicy", 0, 0, UINT32_MAX },
	[POLICY_ROAM_UNAFFILIATED_KEYS] = {
		"RoamUnaffiliatedKeys", 0, 0, 1 },
	[POLICY_ROAM_UNUSED_DPAPI_KEYS] = {
		"RoamUnusedDpapiKeys", 0, 0, 1 },
	[POLICY_ROAM_SMART_CARD_CERTS] = {
		"RoamSmartCardCertificates", 0, 0, 1 },
};

const char *policy_value_name(enum policy_id id)
{
	if ((unsigned)id >= POLICY_NUM) {
		return "?";
	}
	return policy_info[id].name;
}

uint32_t policy_default(enum policy_id id)
{
	if ((unsigned)id >= POLICY_NUM) {
		return 0;
	}
	return policy_info[id].def;
}

void policy_range(enum policy_id id, uint32_t *min, uint32_t *max)
{
	*min = 0;
	*max = UINT32_MAX;
	if ((unsigned)id < POLICY_NUM) {
		*min = policy_info[id].min;
		*max = policy_info[id].max;
	}
}

/* The policy value called `name` (any ASCII case), or POLICY_NUM. */
static enum policy_id policy_lookup(const char *name)
{
	unsigned i;

	for (i = 0; i < POLICY_NUM; i++) {
		if (preg_key_equal(name, policy_info[i].name)) {
			return (enum policy_id)i;
		}
	}
	return POLICY_NUM;
}

static void value_reset(struct policy_value *v, enum policy_id id)
{
	*v = (struct policy_value) {
		.value = policy_info[id].def,
		.source = POLICY_SOURCE_DEFAULT,
	};
}

struct policy *policy_new(TALLOC_CTX *mem_ctx)
{
	struct policy *p = talloc_zero(mem_ctx, struct policy);
	unsigned i;

	if (p == NULL) {
		return NULL;
	}
	for (i = 0; i < POLICY_NUM; i++) {
		value_reset(&p->v[i], (enum policy_id)i);
	}
	return p;
}

static int gpo_set(struct policy *p, enum policy_id id,
		   const struct preg_entry *e, const char *source)
{
	struct policy_value *v = &p->v[id];
	int ret = 0;

	value_reset(v, id);
	v->set = true;
	v->source = source;
	if (e->type == PREG_REG_DWORD) {
		v->configured = (uint32_t)e->num;
		goto done;
	}
	v->invalid = true;
	v->note = talloc_asprintf(p, "%s in GPO '%s' is %s, not REG_DWORD",
				  policy_info[id].name, source,
				  preg_type_name(p, e->type));
	if (v->note == NULL) {
		ret = ENOMEM;
	}
done:
	return ret;
}

static int gpo_delete(struct policy *p, enum policy_id id,
		      const char *source, const char *how)
{
	struct policy_value *v = &p->v[id];
	int ret = 0;

	if (!v->set && v->deleted_by == NULL) {
		/* nothing to delete; keep "not set" without a story */
		goto done;
	}
	value_reset(v, id);
	v->deleted_by = source;
	v->note = talloc_asprintf(p, "%s was deleted by %s in GPO '%s'",
				  policy_info[id].name, how, source);
	if (v->note == NULL) {
		ret = ENOMEM;
	}
done:
	return ret;
}

static int gpo_delete_all(struct policy *p, const char *source,
			  const char *how)
{
	unsigned i;
	int ret = 0;

	for (i = 0; i < POLICY_NUM && ret == 0; i++) {
		ret = gpo_delete(p, (enum policy_id)i, source, how);
	}
	return ret;
}

/*
 * Apply a ';'-separated list (**DeleteValues: value names; **DeleteKeys:
 * key paths).
 */
static int gpo_delete_list(struct policy *p, const struct preg_entry *e,
			   const char *source, bool keys)
{
	TALLOC_CTX *frame = talloc_stackframe();
	char *list = NULL;
	char *item = NULL;
	char *save = NULL;
	int ret = 0;

	if (e->str == NULL) {
		/* not a string: nothing Windows could split either */
		goto done;
	}
	list = talloc_strdup(frame, e->str);
	if (list == NULL) {
		ret = ENOMEM;
		goto done;
	}
	for (item = strtok_r(list, ";", &save); item != NULL && ret == 0;
	     item = strtok_r(NULL, ";", &save)) {
		enum policy_id id;

		if (keys) {
			bool within = preg_key_within(POLICY_KEY, item);

			if (within) {
				ret = gpo_delete_all(p, source,
						     "**DeleteKeys");
			}
			continue;
		}
		id = policy_lookup(item);
		if (id != POLICY_NUM) {
			ret = gpo_delete(p, id, source, "**DeleteValues");
		}
	}
done:
	TALLOC_FREE(frame);
	return ret;
}

int policy_apply_preg(struct policy *p, const struct preg_file *f,
		      const char *source, char **errmsg)
{
	char *label = NULL;
	size_t i;
	int ret = 0;

	label = talloc_strdup(p, (source != NULL) ? source : "?");
	if (label == NULL) {
		ret = ENOMEM;
		goto done;
	}
	for (i = 0; i < f->num_entries && ret == 0; i++) {
		const struct preg_entry *e = f->entries[i];
		enum policy_id id = POLICY_NUM;
		bool ours = preg_key_equal(e->key, POLICY_KEY);

		if (e->action == PREG_ACTION_DELETE_KEYS) {
			/* the list names full key paths, whatever e->key is */
			ret = gpo_delete_list(p, e, label, true);
			continue;
		}
		if (!ours) {
			continue;
		}
		if (e->target != NULL) {
			id = policy_lookup(e->target);
		}
		switch (e->action) {
		case PREG_ACTION_SET:
			if (id != POLICY_NUM) {
				ret = gpo_set(p, id, e, label);
			}
			break;
		case PREG_ACTION_SOFT:
			if (id != POLICY_NUM && !p->v[id].set) {
				ret = gpo_set(p, id, e, label);
			}
			break;
		case PREG_ACTION_DEL:
			if (id != POLICY_NUM) {
				ret = gpo_delete(p, id, label, "**del.");
			}
			break;
		case PREG_ACTION_DELVALS:
			ret = gpo_delete_all(p, label, "**delvals.");
			break;
		case PREG_ACTION_DELETE_VALUES:
			ret = gpo_delete_list(p, e, label, false);
			break;
		case PREG_ACTION_DELETE_KEYS:
		case PREG_ACTION_OTHER:
			break;
		}
	}
done:
	if (ret != 0) {
		cr_seterr(errmsg, "applying policy from '%s': out of "
			  "memory", (source != NULL) ? source : "?");
	}
	return ret;
}

bool policy_roaming_on(const struct policy *p)
{
	return (p->v[POLICY_DIMS_ROAMING].value & POLICY_DIMS_ROAMING_ON) != 0;
}

int policy_merge(TALLOC_CTX *mem_ctx, const struct policy *gpo,
		 const struct credroam_conf *conf, struct policy **out,
		 char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct policy *eff = NULL;
	unsigned i;
	int ret = ENOMEM;

	*out = NULL;
	eff = policy_new(frame);
	if (eff == NULL) {
		goto done;
	}
	if (conf != NULL) {
		eff->override = conf->override;
		if (conf->present && conf->path != NULL) {
			eff->conf_path = talloc_strdup(eff, conf->path);
			if (eff->conf_path == NULL) {
				goto done;
			}
		}
	}
	for (i = 0; i < POLICY_NUM; i++) {
		const struct policy_value *g = &gpo->v[i];
		struct policy_value *v = &eff->v[i];
		bool conf_set = (conf != NULL && conf->pol_set[i]);

		if (conf_set && (conf->override || !g->set)) {
			v->set = true;
			v->configured = conf->pol[i];
			v->source = POLICY_SOURCE_CONF;
		} else if (g->set) {
			*v = *g;
		} else {
			v->deleted_by = g->deleted_by;
			v->note = g->note;
		}
		/* strings must live as long as eff */
		if (v->source != NULL) {
			v->source = talloc_strdup(eff, v->source);
		}
		if (v->note != NULL) {
			v->note = talloc_strdup(eff, v->note);
		}
		if (v->deleted_by != NULL) {
			v->deleted_by = talloc_strdup(eff, v->deleted_by);
		}
		if (v->source == NULL) {
			goto done;
		}
		if (v->set && !v->invalid &&
		    (v->configured < policy_info[i].min ||
		     v->configured > policy_info[i].max)) {
			v->invalid = true;
			v->note = talloc_asprintf(eff, "%s = %u from %s is "
				"outside %u..%u; using the default %u",
				policy_info[i].name, v->configured,
				v->source,
				policy_info[i].min, policy_info[i].max,
				policy_info[i].def);
			if (v->note == NULL) {
				goto done;
			}
		}
		v->value = (v->set && !v->invalid) ? v->configured :
			   policy_info[i].def;
	}
	*out = talloc_move(mem_ctx, &eff);
	ret = 0;
done:
	if (ret != 0) {
		cr_seterr(errmsg, "merging the policy: out of "
			  "memory");
	}
	TALLOC_FREE(frame);
	return ret;
}

char *policy_reason_off(TALLOC_CTX *mem_ctx, const struct policy *p)
{
	const struct policy_value *v = &p->v[POLICY_DIMS_ROAMING];
	const char *conf = (p->conf_path != NULL) ? p->conf_path :
			   CREDROAM_CONF_PATH;
	bool from_conf;

	if (policy_roaming_on(p)) {
		return NULL;
	}
	from_conf = (v->set && strcmp(v->source, POLICY_SOURCE_CONF) == 0);
	if (from_conf && p->override) {
		return talloc_asprintf(mem_ctx, "credential roaming is forced "
				       "off by 'roaming = no' with 'override "
				       "= yes' in %s", conf);
	}
	if (from_conf) {
		return talloc_asprintf(mem_ctx, "no GPO sets DIMSRoaming and "
				       "%s says 'roaming = no'", conf);
	}
	if (v->set && v->invalid) {
		return talloc_asprintf(mem_ctx, "credential roaming is off: "
				       "%s", (v->note != NULL) ? v->note :
				       "DIMSRoaming is not usable");
	}
	if (v->set) {
		return talloc_asprintf(mem_ctx, "DIMSRoaming is 0x%x in GPO "
				       "'%s' (bit 0x1, roam certificates and "
				       "keys, is not set)", v->configured,
				       v->source);
	}
	if (v->deleted_by != NULL) {
		return talloc_asprintf(mem_ctx, "%s, and no later GPO sets it",
				       (v->note != NULL) ? v->note :
				       "DIMSRoaming was deleted");
	}
	return talloc_asprintf(mem_ctx, "no GPO sets DIMSRoaming under "
			       "HKCU\\%s, and %s does not say 'roaming = "
			       "yes'", POLICY_KEY, conf);
}

int policy_pol_update(TALLOC_CTX *mem_ctx, const uint8_t *old,
		      size_t old_len, const struct policy_change *changes,
		      size_t num_changes, uint8_t **out, size_t *out_len,
		      char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct preg_file *f = NULL;
	char *msg = NULL;
	size_t c;
	int ret = EINVAL;

	*out = NULL;
	*out_len = 0;
	if (old != NULL) {
		ret = preg_parse(frame, old, old_len, "Registry.pol", &f,
				 &msg);
		if (ret != 0) {
			goto done;
		}
	} else {
		f = preg_new(frame);
		if (f == NULL) {
			ret = ENOMEM;
			goto done;
		}
	}
	for (c = 0; c < num_changes; c++) {
		const struct policy_change *ch = &changes[c];
		const char *name = NULL;
		bool replaced = false;
		size_t i = 0;

		if ((unsigned)ch->id >= POLICY_NUM) {
			msg = talloc_asprintf(frame, "unknown policy value "
					      "%d", (int)ch->id);
			ret = EINVAL;
			goto done;
		}
		name = policy_info[ch->id].name;
		if (!ch->remove && (ch->value < policy_info[ch->id].min ||
				    ch->value > policy_info[ch->id].max)) {
			msg = talloc_asprintf(frame, "%s = %u is outside "
					      "%u..%u", name, ch->value,
					      policy_info[ch->id].min,
					      policy_info[ch->id].max);
			ret = EINVAL;
			goto done;
		}
		while (i < f->num_entries) {
			const struct preg_entry *e = f->entries[i];
			bool match = (e->target != NULL &&
				      e->action != PREG_ACTION_OTHER &&
				      preg_key_equal(e->key, POLICY_KEY) &&
				      preg_key_equal(e->target, name));
			char *key = NULL;

			if (!match) {
				i++;
				continue;
			}
			if (ch->remove || replaced) {
				preg_remove(f, i);
				continue;
			}
			/* keep the file's spelling of the key */
			key = talloc_strdup(frame, e->key);
			if (key == NULL) {
				ret = ENOMEM;
				goto done;
			}
			ret = preg_replace_dword(f, i, key, name, ch->value,
						 &msg);
			if (ret != 0) {
				goto done;
			}
			replaced = true;
			i++;
		}
		if (!ch->remove && !replaced) {
			ret = preg_add_dword(f, POLICY_KEY, name, ch->value,
					     &msg);
			if (ret != 0) {
				goto done;
			}
		}
	}
	ret = preg_write(frame, f, out, out_len, &msg);
	if (ret == 0) {
		talloc_steal(mem_ctx, *out);
	}
done:
	if (ret != 0) {
		cr_seterr(errmsg, "updating the credential roaming "
			  "policy: %s", (msg != NULL) ? msg : "out of memory");
	}
	cr_err_clear(&msg);
	TALLOC_FREE(frame);
	return ret;
}
