/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Rendering of the roaming policy in force; see policy_show.h.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include "policy_show.h"
#include "util/stackframe.h"

static json_t *str_or_null(const char *s)
{
	return (s != NULL) ? json_string(s) : json_null();
}

static json_t *value_json(enum policy_id id, const struct policy_value *pv)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(policy_value_name(id)));
	json_object_set_new(o, "value", json_integer(pv->value));
	json_object_set_new(o, "set", json_boolean(pv->set));
	json_object_set_new(o, "invalid", json_boolean(pv->invalid));
	json_object_set_new(o, "configured",
			    pv->set ? json_integer(pv->configured)
				    : json_null());
	json_object_set_new(o, "source", str_or_null(pv->source));
	json_object_set_new(o, "note", str_or_null(pv->note));
	json_object_set_new(o, "deleted_by", str_or_null(pv->deleted_by));
	return o;
}

static json_t *gpo_json(const struct cr_gpo *g)
{
	json_t *o = json_object();

	json_object_set_new(o, "guid", str_or_null(g->guid));
	json_object_set_new(o, "name", str_or_null(g->name));
	json_object_set_new(o, "dn", str_or_null(g->dn));
	json_object_set_new(o, "linked_at", str_or_null(g->linked_at));
	json_object_set_new(o, "enforced", json_boolean(g->enforced));
	json_object_set_new(o, "applied", json_boolean(g->applied));
	json_object_set_new(o, "why", str_or_null(g->why));
	json_object_set_new(o, "found", json_boolean(g->found));
	json_object_set_new(o, "version", json_integer(g->version));
	json_object_set_new(o, "user_version",
			    json_integer(g->version >> 16));
	json_object_set_new(o, "flags", json_integer(g->flags));
	json_object_set_new(o, "registry_extension",
			    json_boolean(g->registry_cse));
	json_object_set_new(o, "has_registry_pol",
			    json_boolean(g->has_registry_pol));
	json_object_set_new(o, "path", str_or_null(g->path));
	return o;
}

json_t *cr_policy_view_json(const struct cr_policy_view *v)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct policy *p = v->effective;
	const struct cr_gpo_result *r = v->gpo;
	json_t *o = json_object();
	json_t *values = json_array();
	json_t *gpos = json_array();
	json_t *warnings = json_array();
	char *off = NULL;
	size_t i;

	if (o == NULL || values == NULL || gpos == NULL || warnings == NULL) {
		json_decref(o);
		json_decref(values);
		json_decref(gpos);
		json_decref(warnings);
		TALLOC_FREE(frame);
		return NULL;
	}
	json_object_set_new(o, "user", str_or_null(v->user));
	json_object_set_new(o, "sid", str_or_null(v->sid));
	json_object_set_new(o, "dn", str_or_null(v->dn));
	json_object_set_new(o, "dc", str_or_null(v->dc));
	if (p != NULL) {
		off = policy_reason_off(frame, p);
		json_object_set_new(o, "roaming",
				    json_boolean(policy_roaming_on(p)));
		json_object_set_new(o, "reason_off", str_or_null(off));
		json_object_set_new(o, "override", json_boolean(p->override));
		json_object_set_new(o, "conf_path", str_or_null(p->conf_path));
		for (i = 0; i < POLICY_NUM; i++) {
			json_array_append_new(values,
				value_json((enum policy_id)i, &p->v[i]));
		}
	}
	json_object_set_new(o, "values", values);
	json_object_set_new(o, "gpo_error", str_or_null(v->gpo_error));
	for (i = 0; r != NULL && i < r->num_gpos; i++) {
		json_array_append_new(gpos, gpo_json(&r->gpos[i]));
	}
	json_object_set_new(o, "gpos", gpos);
	if (r != NULL) {
		json_object_set_new(o, "site", str_or_null(r->site));
		json_object_set_new(o, "site_note", str_or_null(r->site_note));
		json_object_set_new(o, "from_cache",
				    json_boolean(r->from_cache));
		json_object_set_new(o, "groups_from_cache",
				    json_boolean(r->groups_from_cache));
		json_object_set_new(o, "groups_from",
				    str_or_null(r->groups_from));
		json_object_set_new(o, "token_sids",
				    json_integer((json_int_t)
						 r->num_token_sids));
		json_object_set_new(o, "ldap_searches",
				    json_integer(r->ldap_searches));
		json_object_set_new(o, "smb_reads",
				    json_integer(r->smb_reads));
		json_object_set_new(o, "cache_note",
				    str_or_null(r->cache_note));
	}
	for (i = 0; v->conf != NULL && i < v->conf->num_warnings; i++) {
		json_array_append_new(warnings,
				      json_string(v->conf->warnings[i]));
	}
	json_object_set_new(o, "conf_warnings", warnings);
	TALLOC_FREE(frame);
	return o;
}

void cr_policy_view_print(FILE *out, const struct cr_policy_view *v)
{
	TALLOC_CTX *frame = talloc_stackframe();
	const struct policy *p = v->effective;
	const struct cr_gpo_result *r = v->gpo;
	size_t i;

	if (p != NULL) {
		char *off = policy_reason_off(frame, p);

		if (off == NULL) {
			fprintf(out, "Roaming: on\n");
		} else {
			fprintf(out, "Roaming: off: %s\n", off);
		}
		for (i = 0; i < POLICY_NUM; i++) {
			const struct policy_value *pv = &p->v[i];

			fprintf(out, "  %-26s %-10" PRIu32 " %s%s%s%s\n",
				policy_value_name((enum policy_id)i),
				pv->value, pv->source ? pv->source : "?",
				pv->note ? " (" : "",
				pv->note ? pv->note : "",
				pv->note ? ")" : "");
		}
	}
	if (r == NULL) {
		fprintf(out, "GPOs: not read: %s\n",
			v->gpo_error ? v->gpo_error : "unknown reason");
		goto done;
	}
	fprintf(out, "GPOs for %s, in application order (later wins):\n",
		v->user ? v->user : "?");
	if (r->num_gpos == 0) {
		fprintf(out, "  (none linked)\n");
	}
	for (i = 0; i < r->num_gpos; i++) {
		const struct cr_gpo *g = &r->gpos[i];

		fprintf(out, "  %-8s %s %s%s at %s%s%s\n",
			g->applied ? "applied" : "skipped",
			g->name ? g->name : "?", g->guid,
			g->enforced ? " (enforced)" : "", g->linked_at,
			g->applied ? "" : ": ",
			g->applied ? "" : (g->why ? g->why : "?"));
		if (g->applied && !g->has_registry_pol) {
			fprintf(out, "           no roaming settings "
				"(%s)\n", g->registry_cse
				? "no User/Registry.pol"
				: "registry extension not listed");
		}
	}
	if (r->site == NULL && r->site_note != NULL) {
		fprintf(out, "Site GPOs not considered: %s\n", r->site_note);
	}
	fprintf(out, "Cost: %u LDAP search%s, %u SMB read%s%s\n",
		r->ldap_searches, r->ldap_searches == 1 ? "" : "es",
		r->smb_reads, r->smb_reads == 1 ? "" : "s",
		r->from_cache ? " (unchanged since the cached run)" : "");
done:
	for (i = 0; v->conf != NULL && i < v->conf->num_warnings; i++) {
		fprintf(out, "warning: %s\n", v->conf->warnings[i]);
	}
	TALLOC_FREE(frame);
}
