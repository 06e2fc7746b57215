#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# guard.sh enable DCDIR - make the (stopped) test DC in DCDIR run with the
# credroam_guard ldb module on top of its sam.ldb (with-domain --guarded).
#
# The built module goes into Samba's ldb module directory through an
# overlay private to the test domain's mount namespace (the DC, its
# tools and the members' namespaces, made later, all see it; the host
# does not).  Then `samba-tool credroam guard enable` (guard.py) checks
# that the module loads and works, backs up @MODULES and puts
# credroam_guard first in @LIST.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
SO=${CREDROAM_GUARD_SO:-$TOP/bin/ldb_modules/credroam_guard.so}
LDBDIR=$(pkg-config --variable=modulesdir ldb 2>/dev/null)
LDBDIR=${LDBDIR:-/usr/lib/x86_64-linux-gnu/samba/ldb}

usage() { echo "usage: guard.sh enable DCDIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
D=$2

# Never touch the host's module directory: domain.sh overlays /etc first.
if [ "$(findmnt -n -o FSTYPE /etc)" != overlay ]; then
	echo "[guard] not inside a with-domain namespace; refusing" >&2
	exit 1
fi

case "$1" in
enable)
	if [ ! -f "$SO" ]; then
		echo "[guard] $SO is missing: run .bootstrap/waf/waf build" >&2
		exit 1
	fi
	if [ "$(findmnt -n -o FSTYPE "$LDBDIR")" != overlay ]; then
		mkdir -p "$D/guard/up" "$D/guard/work"
		mount -t overlay overlay -o "lowerdir=$LDBDIR,upperdir=$D/guard/up,workdir=$D/guard/work" \
			"$LDBDIR" || exit 1
	fi
	install -m 0644 "$SO" "$LDBDIR/credroam_guard.so" || exit 1
	LD_PRELOAD= /usr/bin/python3 "$TOP/source/python/credroam/guard.py" \
		enable -s "$D/etc/smb.conf" >&2 || exit 1
	;;
*)
	usage
	;;
esac
