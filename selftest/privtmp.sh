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

# public_path DIR KEEP...: inside this mount namespace, make DIR reachable
# by every user whatever the modes of the directories above it (a checkout
# in /root, mode 0700, where root's `git clone` lands): the highest
# ancestor others cannot search is covered by a tmpfs (mode 755) holding
# just the way down, and DIR (and each KEEP below that ancestor) is bound
# back at its own path.  Nothing outside the namespace changes.
public_path() {
	local dir=$1 d=$1 top= p n=0
	while [ "$d" != / ]; do
		d=$(dirname "$d")
		if [ "$d" != / ] && [ -z "$(find "$d" -maxdepth 0 -perm -o+x)" ]
		then
			top=$d
		fi
	done
	[ -n "$top" ] || return 0
	case "$top" in
	/etc|/usr|/var|/tmp|/run|/lib*|/bin|/sbin|/proc|/sys|/dev)
		echo "public_path: '$top' is not searchable by others:" \
			"cannot work around it" >&2
		return 1 ;;
	esac
	# descriptors of what stays visible, taken before the tmpfs hides it
	local -a keep=()
	for p in "$@"; do
		case "$p" in
		"$top"/*)
			exec {n}<"$p" || return 1
			keep+=("$n" "$p")
			;;
		esac
	done
	mount -t tmpfs -o mode=755 tmpfs "$top" || return 1
	set -- "${keep[@]}"
	while [ $# -ge 2 ]; do
		mkdir -p "$2" || return 1
		mount --no-canonicalize --bind "/proc/self/fd/$1" "$2" ||
			return 1
		eval "exec $1<&-"
		shift 2
	done
}

# public_tree DIR WORK: inside this mount namespace, make every file of DIR
# readable (and every directory and program usable) by every user, when a
# checkout made under umask 077 left them to root alone: an overlay over
# DIR (upper layer in WORK, metadata-only copies) takes the modes.  What
# the namespace writes into DIR then stays in WORK.  A checkout others can
# already read is left as it is.
public_tree() {
	local dir=$1 w=$2 closed
	# not .git, nor the DC template cache (the DC wants its own modes)
	local -a skip=( \( -path "$dir/.git" -o -path "$dir/selftest/cache" \) -prune )
	closed=$(find "$dir" "${skip[@]}" -o \
		\( ! -perm -o+r -o \( -type d ! -perm -o+x \) \) -print -quit)
	[ -n "$closed" ] || return 0
	mkdir -p "$w/up" "$w/work" || return 1
	mount -t overlay overlay \
		-o "lowerdir=$dir,upperdir=$w/up,workdir=$w/work,metacopy=on" \
		"$dir" || return 1
	find "$dir" "${skip[@]}" -o -exec chmod o+rX {} + ||
		return 1
}
