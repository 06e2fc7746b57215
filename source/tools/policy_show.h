/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Showing the roaming policy in force: the effective values with their
 * sources, the GPOs considered (applied or why not) and why roaming is off
 * when it is.  Used by `credroam policy show` and `credroam status`.
 */
#ifndef CREDROAM_POLICY_SHOW_H
#define CREDROAM_POLICY_SHOW_H

#include <stdio.h>
#include <jansson.h>

#include "gpo/gpo.h"
#include "gpo/policy.h"

struct cr_policy_view {
	const char *user;	/* "ROAM\alice" */
	const char *sid;
	const char *dn;
	const char *dc;
	/* policy_merge() of the GPO policy and credroam.conf */
	const struct policy *effective;
	/* NULL when the GPOs could not be read; gpo_error says why */
	const struct cr_gpo_result *gpo;
	const char *gpo_error;
	const struct credroam_conf *conf;	/* may be NULL */
};

/* The whole view as one JSON object (NULL only when out of memory). */
json_t *cr_policy_view_json(const struct cr_policy_view *v);

/* A short human summary. */
void cr_policy_view_print(FILE *out, const struct cr_policy_view *v);

#endif
