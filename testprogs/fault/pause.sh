# SPDX-License-Identifier: GPL-3.0-or-later
# testprogs/fault/pause.sh - sourced after lib.sh: hold a roaming run at
# one of its I/O points while the test breaks something.
#
#   run_paused USER K ACTION [VAR=VALUE...] -- [SYNC ARGS...]
#
# The run's CREDROAM_FAULT_TRACE file is a FIFO: at every point the run
# opens it and waits for a reader.  We read the first K-1 lines one open
# at a time, so the run cannot pass point K (whose step has not happened
# yet) until we open the FIFO again; ACTION (a command or function) runs
# in between.  Then the FIFO stays open and the run goes on.  The run's
# output lands in $PAUSE_OUT, its exit status in $PAUSE_RC.

run_paused() {
	local user=$1 k=$2 action=$3 dir i line
	shift 3
	dir=$(mktemp -d)
	chmod 755 "$dir"
	mkfifo -m 666 "$dir/fifo"
	PAUSE_OUT=$dir.out
	(
		sync_as "$user" CREDROAM_FAULT_TRACE="$dir/fifo" "$@" \
			>"$PAUSE_OUT" 2>&1
		echo $? >"$dir/rc"
		# a reader still waiting for a point that never comes
		exec 4<>"$dir/fifo"
		sleep 0.5
	) &
	local job=$!
	for i in $(seq 1 $((k - 1))); do
		read -r line <"$dir/fifo" || break
	done
	$action
	exec 3<>"$dir/fifo"
	wait "$job"
	exec 3>&-
	PAUSE_RC=$(cat "$dir/rc")
	rm -rf "$dir"
}
