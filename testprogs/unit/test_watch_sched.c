/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests for the watcher's scheduling rules (watch_sched.c): a burst
 * of file events gives one run after a quiet period, bounded by the
 * maximum delay; a pulse or the timer runs at once; triggers during a run
 * give exactly one more run after it, covering all of them; never two
 * runs at once.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

/* the watcher's scheduler lives with the tool, not in libcredroam */
#include "../../source/tools/watch_sched.c"
#include "test_util.h"

#define S 1000000ULL

static void test_watch_sched_idle(void **state)
{
	struct cr_watch_sched s;

	(void)state;
	cr_watch_sched_init(&s, 2 * S, 10 * S);
	assert_true(cr_watch_sched_due(&s) == CR_WATCH_NEVER);
	assert_int_equal(cr_watch_sched_start(&s), 0);
	assert_false(s.running);
}

static void test_watch_sched_debounce(void **state)
{
	struct cr_watch_sched s;
	uint64_t t;

	(void)state;
	cr_watch_sched_init(&s, 2 * S, 10 * S);
	cr_watch_sched_event(&s, 100 * S, CR_WATCH_FILES);
	assert_true(cr_watch_sched_due(&s) == 102 * S);
	/* each event pushes the run back by the quiet period ... */
	cr_watch_sched_event(&s, 101 * S, CR_WATCH_FILES);
	assert_true(cr_watch_sched_due(&s) == 103 * S);
	/* ... but never past the maximum delay after the first */
	for (t = 102 * S; t <= 115 * S; t += S) {
		cr_watch_sched_event(&s, t, CR_WATCH_FILES);
	}
	assert_true(cr_watch_sched_due(&s) == 110 * S);
	/* the whole burst is one run */
	assert_int_equal(cr_watch_sched_start(&s), CR_WATCH_FILES);
	assert_true(cr_watch_sched_due(&s) == CR_WATCH_NEVER);
	cr_watch_sched_finished(&s);
	assert_true(cr_watch_sched_due(&s) == CR_WATCH_NEVER);
}

static void test_watch_sched_immediate(void **state)
{
	struct cr_watch_sched s;

	(void)state;
	cr_watch_sched_init(&s, 2 * S, 10 * S);
	cr_watch_sched_event(&s, 100 * S, CR_WATCH_FILES);
	cr_watch_sched_event(&s, 101 * S, CR_WATCH_PULSE);
	/* a pulse does not wait for the quiet period */
	assert_true(cr_watch_sched_due(&s) == 101 * S);
	cr_watch_sched_event(&s, 101 * S + 5, CR_WATCH_FILES);
	cr_watch_sched_event(&s, 101 * S + 9, CR_WATCH_TIMER);
	assert_true(cr_watch_sched_due(&s) == 101 * S);
	assert_int_equal(cr_watch_sched_start(&s),
			 CR_WATCH_FILES | CR_WATCH_PULSE | CR_WATCH_TIMER);
	assert_string_equal(cr_watch_trigger_name(CR_WATCH_FILES |
						  CR_WATCH_PULSE |
						  CR_WATCH_TIMER), "pulse");
	assert_string_equal(cr_watch_trigger_name(CR_WATCH_FILES |
						  CR_WATCH_TIMER), "timer");
	assert_string_equal(cr_watch_trigger_name(CR_WATCH_FILES), "watch");
}

static void test_watch_sched_during_run(void **state)
{
	struct cr_watch_sched s;
	int i;

	(void)state;
	cr_watch_sched_init(&s, 2 * S, 10 * S);
	cr_watch_sched_event(&s, 100 * S, CR_WATCH_PULSE);
	assert_int_equal(cr_watch_sched_start(&s), CR_WATCH_PULSE);
	assert_true(s.running);
	/* nothing starts while a run goes on, whatever arrives */
	for (i = 0; i < 20; i++) {
		cr_watch_sched_event(&s, (101 + i) * S,
				     (i % 2) ? CR_WATCH_PULSE :
				     CR_WATCH_FILES);
		assert_true(cr_watch_sched_due(&s) == CR_WATCH_NEVER);
	}
	cr_watch_sched_finished(&s);
	/* exactly one more run, at once (a pulse came), covering them all */
	assert_true(cr_watch_sched_due(&s) == 102 * S);
	assert_int_equal(cr_watch_sched_start(&s),
			 CR_WATCH_PULSE | CR_WATCH_FILES);
	cr_watch_sched_finished(&s);
	assert_true(cr_watch_sched_due(&s) == CR_WATCH_NEVER);
}

static void test_watch_sched_files_during_run(void **state)
{
	struct cr_watch_sched s;

	(void)state;
	cr_watch_sched_init(&s, 2 * S, 10 * S);
	cr_watch_sched_event(&s, 100 * S, CR_WATCH_TIMER);
	assert_int_equal(cr_watch_sched_start(&s), CR_WATCH_TIMER);
	cr_watch_sched_event(&s, 103 * S, CR_WATCH_FILES);
	cr_watch_sched_event(&s, 104 * S, CR_WATCH_FILES);
	cr_watch_sched_finished(&s);
	/* file events during the run: debounced from their own times */
	assert_true(cr_watch_sched_due(&s) == 106 * S);
	assert_int_equal(cr_watch_sched_start(&s), CR_WATCH_FILES);
}

static void test_watch_sched_max_below_quiet(void **state)
{
	struct cr_watch_sched s;

	(void)state;
	cr_watch_sched_init(&s, 5 * S, 1 * S);
	cr_watch_sched_event(&s, 100 * S, CR_WATCH_FILES);
	assert_true(cr_watch_sched_due(&s) == 105 * S);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cr_unit_test(test_watch_sched_idle),
		cr_unit_test(test_watch_sched_debounce),
		cr_unit_test(test_watch_sched_immediate),
		cr_unit_test(test_watch_sched_during_run),
		cr_unit_test(test_watch_sched_files_during_run),
		cr_unit_test(test_watch_sched_max_below_quiet),
	};

	cmocka_set_message_output(CM_OUTPUT_STDOUT);
	return cmocka_run_group_tests_name("credroam.unittests.watch_sched",
					   tests, NULL, NULL);
}
