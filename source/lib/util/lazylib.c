/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Loading a library on first use; see lazylib.h.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#include "util/error.h"
#include "util/lazylib.h"

int cr_lazylib_load(TALLOC_CTX *mem_ctx, const char *soname,
		    const struct cr_lazy_sym *syms, const char *what,
		    char **errmsg)
{
	void *handle = NULL;
	const char *why = NULL;
	size_t i;

	/*
	 * Already loaded: dlopen() only counts a reference.  RTLD_LOCAL:
	 * nothing else in the process should bind to it by accident.
	 */
	handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		why = dlerror();
		cr_seterr(errmsg, "%s needs %s, which cannot be "
			  "loaded: %s", what, soname, why ? why : "unknown");
		return ENOENT;
	}
	for (i = 0; syms[i].name != NULL; i++) {
		void *addr = NULL;

		(void)dlerror();
		addr = dlsym(handle, syms[i].name);
		why = dlerror();
		if (why != NULL || addr == NULL) {
			cr_seterr(errmsg, "%s needs %s from %s, which "
				  "it does not have: %s", what, syms[i].name,
				  soname, why ? why : "null symbol");
			/* the handle stays: other tables may use it */
			return ENOENT;
		}
		*syms[i].addr = addr;
	}
	return 0;
}
