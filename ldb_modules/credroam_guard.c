/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * credroam_guard.so: the entry point Samba's ldb calls when it loads its
 * module directory.  The module itself is source/lib/guard_module.c.
 *
 * Every ldb user on the host loads every .so in that directory and stops
 * at the first init that fails (spec/dc-ldb-module.md 4.4), so this init
 * never fails.  Instead of LDB_MODULE_CHECK_VERSION() it compares the
 * version itself: an ldb of another major.minor series than the one it
 * was built for may lay out its structures differently, so the module
 * then stays unregistered and says so once on stderr.  A DC whose
 * @MODULES names credroam_guard then refuses to start (fail closed) until
 * the module is rebuilt or `samba-tool credroam guard disable` is run.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <ldb_module.h>
#include <ldb_version.h>

#include "guard_module.h"

int ldb_init_module(const char *version)
	__attribute__((visibility("default")));

/* "2.6.2" and "2.6.3" are one series; "2.7.0" is not. */
static size_t series_len(const char *v)
{
	const char *dot = strchr(v, '.');

	if (dot == NULL) {
		return strlen(v);
	}
	dot = strchr(dot + 1, '.');
	return dot ? (size_t)(dot - v) : strlen(v);
}

int ldb_init_module(const char *version)
{
	size_t n;
	int ret;

	if (version == NULL) {
		version = "(none)";
	}
	n = series_len(LDB_VERSION);
	if (series_len(version) != n || strncmp(version, LDB_VERSION, n) != 0) {
		fprintf(stderr, CR_GUARD_MODULE_NAME ": built for ldb %s, "
			"running ldb %s: not registering (rebuild the module)"
			"\n", LDB_VERSION, version);
		return LDB_SUCCESS;
	}
	ret = cr_guard_register();
	if (ret != 0) {
		fprintf(stderr, CR_GUARD_MODULE_NAME ": could not register "
			"with ldb %s\n", version);
	}
	return LDB_SUCCESS;
}
