/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The order in which Windows applies a user's GPOs; see gpo_internal.h.
 *
 * [MS-GPOL] 3.2.5.1.5 and the Group Policy documentation: GPOs linked to
 * the site apply first, then the domain, then each OU from the top down,
 * and a later GPO overrides an earlier one.  Within one container the
 * link listed last in gPLink (link order 1) has the highest precedence,
 * so links apply in the order written.  An OU (or the domain) with
 * gPOptions = 1 blocks the non-enforced links of every container above
 * it.  Enforced links cannot be blocked and apply after all others, the
 * highest container last, so a domain's enforced link beats an OU's.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"
#include "gpo/gpo_order.h"
#include "util/stackframe.h"

struct order_item {
	struct cr_gpo gpo;
	/* sort key: enforced last, then SOM rank, then link position */
	unsigned group;
	size_t rank;
	size_t pos;
};

static int order_cmp(const void *a, const void *b)
{
	const struct order_item *x = a;
	const struct order_item *y = b;

	if (x->group != y->group) {
		return (x->group < y->group) ? -1 : 1;
	}
	if (x->rank != y->rank) {
		return (x->rank < y->rank) ? -1 : 1;
	}
	if (x->pos != y->pos) {
		return (x->pos < y->pos) ? -1 : 1;
	}
	return 0;
}

/* The lowest SOM below index s that blocks inheritance, or NULL. */
static const char *blocked_by(const struct gpo_som *soms, size_t num_soms,
			      size_t s)
{
	size_t k;

	for (k = s + 1; k < num_soms; k++) {
		if ((soms[k].gpoptions & GPO_OPTIONS_BLOCK_INHERITANCE) != 0 &&
		    soms[k].kind != GPO_SOM_SITE) {
			return soms[k].dn;
		}
	}
	return NULL;
}

int gpo_order(TALLOC_CTX *mem_ctx, const struct gpo_som *soms,
	      size_t num_soms, struct cr_gpo **pgpos, size_t *pnum,
	      char **errmsg)
{
	TALLOC_CTX *frame = talloc_stackframe();
	struct order_item *items = NULL;
	struct cr_gpo *gpos = NULL;
	size_t total = 0;
	size_t n = 0;
	size_t s;
	size_t j;
	size_t i;
	int ret = ENOMEM;

	*pgpos = NULL;
	*pnum = 0;
	for (s = 0; s < num_soms; s++) {
		total += soms[s].num_links;
	}
	items = talloc_zero_array(frame, struct order_item, total + 1);
	gpos = talloc_zero_array(frame, struct cr_gpo, total + 1);
	if (items == NULL || gpos == NULL) {
		goto done;
	}
	for (s = 0; s < num_soms; s++) {
		const char *blocker = blocked_by(soms, num_soms, s);

		for (j = 0; j < soms[s].num_links; j++) {
			const struct gpo_link *l = &soms[s].links[j];
			struct order_item *it = &items[n++];
			struct cr_gpo *g = &it->gpo;

			g->guid = talloc_strdup(gpos, l->guid);
			g->dn = talloc_strdup(gpos, l->dn);
			g->linked_at = talloc_strdup(gpos, soms[s].dn);
			if (g->guid == NULL || g->dn == NULL ||
			    g->linked_at == NULL) {
				goto done;
			}
			g->enforced = (l->options & GPO_LINK_ENFORCED) != 0;
			g->applied = true;
			if ((l->options & GPO_LINK_DISABLED) != 0) {
				g->applied = false;
				g->why = "link disabled";
			} else if (!g->enforced && blocker != NULL) {
				g->applied = false;
				g->why = talloc_asprintf(gpos, "inheritance "
							 "blocked at '%s'",
							 blocker);
				if (g->why == NULL) {
					goto done;
				}
			}
			it->group = g->enforced ? 1 : 0;
			it->rank = g->enforced ? (num_soms - 1 - s) : s;
			it->pos = j;
		}
	}
	if (n > 1) {
		qsort(items, n, sizeof(items[0]), order_cmp);
	}
	/* a GPO linked twice applies once, at its last place */
	for (i = 0; i < n; i++) {
		struct cr_gpo *g = &items[i].gpo;

		if (!g->applied) {
			continue;
		}
		for (j = i + 1; j < n; j++) {
			const struct cr_gpo *later = &items[j].gpo;

			if (later->applied &&
			    strcasecmp(later->guid, g->guid) == 0) {
				g->applied = false;
				g->why = talloc_asprintf(gpos, "applied later "
							 "through its link at "
							 "'%s'",
							 later->linked_at);
				if (g->why == NULL) {
					goto done;
				}
				break;
			}
		}
	}
	for (i = 0; i < n; i++) {
		gpos[i] = items[i].gpo;
	}
	*pgpos = talloc_move(mem_ctx, &gpos);
	*pnum = n;
	ret = 0;
done:
	if (ret != 0) {
		cr_seterr(errmsg, "ordering GPO links: out of memory");
	}
	TALLOC_FREE(frame);
	return ret;
}
