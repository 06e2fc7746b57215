# SPDX-License-Identifier: GPL-3.0-or-later
# privtmp.sh - a private, empty /tmp for a namespace (sourced).

# private_tmp KEEP: mount a fresh tmpfs on /tmp, but keep the directory
# KEEP (the source tree, which may itself live under /tmp, e.g. a CI
# clone) visible at the same path.
private_tmp() {
	local keep=$1
	exec 8<"$keep" || return 1
	mount -t tmpfs -o mode=1777 tmpfs /tmp || return 1
	case "$keep" in
	/tmp/*)
		mkdir -p "$keep"
		mount --no-canonicalize --bind /proc/self/fd/8 "$keep" || return 1
		;;
	esac
	exec 8<&-
}
