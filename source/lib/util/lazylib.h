/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Libraries that only some runs need, loaded on first use.
 *
 * libsmbclient (SYSVOL, when the Group Policy cache misses) and libdcerpc
 * (MS-BKRP, when a master key needs the DC) bring about twenty shared
 * objects of their own.  Linked normally, every run pays for them in the
 * dynamic linker: about 10 ms of a 75 ms no-change run, measured by
 * preloading them into ldbsearch (bench/bench_storm.sh is the figure that
 * moved).  Their callers reach them through a table of pointers filled
 * here, typed with the library's own prototypes.
 */
#ifndef CREDROAM_LAZYLIB_H
#define CREDROAM_LAZYLIB_H

#include <talloc.h>

struct cr_lazy_sym {
	const char *name;
	void **addr;		/* where the symbol's address goes */
};

/*
 * Load soname (once per process; it is never unloaded) and fill every
 * *syms[i].addr, up to the entry whose name is NULL.  Returns 0, or
 * ENOENT with a message that names the library and what `what` needed
 * it for.  Not thread-safe: the callers are single-threaded processes.
 */
int cr_lazylib_load(TALLOC_CTX *mem_ctx, const char *soname,
		    const struct cr_lazy_sym *syms, const char *what,
		    char **errmsg);

#endif
