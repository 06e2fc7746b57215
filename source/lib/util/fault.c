/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fault injection points; see fault.h.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fault.h"

static bool fault_loaded;
static unsigned fault_at;
static const char *fault_trace;
static unsigned fault_counter;

static void fault_load(void)
{
	const char *at = getenv("CREDROAM_FAULT_AT");

	fault_loaded = true;
	if (at != NULL && at[0] != '\0') {
		char *end = NULL;
		unsigned long n = strtoul(at, &end, 10);
		if (end != NULL && *end == '\0' && n > 0 && n < 1000000) {
			fault_at = (unsigned)n;
		}
	}
	fault_trace = getenv("CREDROAM_FAULT_TRACE");
	if (fault_trace != NULL && fault_trace[0] == '\0') {
		fault_trace = NULL;
	}
}

void cr_fault_point(const char *step, const char *detail)
{
	if (!fault_loaded) {
		fault_load();
	}
	if (fault_at == 0 && fault_trace == NULL) {
		return;
	}
	fault_counter++;
	if (fault_trace != NULL) {
		FILE *f = fopen(fault_trace, "a");
		if (f != NULL) {
			fprintf(f, "%u %s %s\n", fault_counter, step,
				detail != NULL ? detail : "-");
			fclose(f);
		}
	}
	if (fault_counter == fault_at) {
		/* Like a power cut: no cleanup, no atexit, no flush. */
		kill(getpid(), SIGKILL);
	}
}

unsigned cr_fault_count(void)
{
	return fault_counter;
}
