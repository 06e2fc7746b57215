/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Registration entries for people and for --json (register, status).
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>

#include "register.h"

struct json_t *cr_reg_entries_json(const struct cr_reg_entry *e, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++) {
		json_array_append_new(a, json_pack(
			"{s:s,s:s,s:b,s:b,s:s?}",
			"kind", e[i].kind, "path", e[i].path ? e[i].path : "",
			"registered", e[i].registered, "changed",
			e[i].changed, "note", e[i].note));
	}
	return a;
}

void cr_reg_entries_print(const struct cr_reg_entry *e, size_t n,
			  const char *indent)
{
	size_t i;

	for (i = 0; i < n; i++) {
		printf("%s%-12s %-14s %s%s%s\n", indent, e[i].kind,
		       e[i].registered ? (e[i].changed ? "registered now" :
				   "registered") :
		       (e[i].changed ? "removed" : "not registered"),
		       e[i].path ? e[i].path : "",
		       e[i].note ? ": " : "", e[i].note ? e[i].note : "");
	}
}
