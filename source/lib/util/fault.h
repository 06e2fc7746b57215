/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fault injection for the reliability tests: every I/O step of a roaming
 * run that changes something (an LDAP modify, a local file write or move,
 * the state write) calls cr_fault_point() first and after.  Without the
 * environment variables below this costs one getenv at the first call.
 *
 *   CREDROAM_FAULT_AT=N      the process kills itself (SIGKILL, as a power
 *                            cut would) at the Nth point, counting from 1
 *   CREDROAM_FAULT_TRACE=F   append one line per point to file F:
 *                            "<N> <step> <detail>", so a test can enumerate
 *                            the points of an uninterrupted run
 */
#ifndef CREDROAM_FAULT_H
#define CREDROAM_FAULT_H

/* step: a short fixed name ("ad-modify", "local-write", "state-write");
 * detail: what it touches (token id, file name), may be NULL. */
void cr_fault_point(const char *step, const char *detail);

/* Points passed so far in this process. */
unsigned cr_fault_count(void);

#endif
