#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test_debian.sh - `make test-debian`, as root: build the Debian packages
# with `dpkg-buildpackage -us -uc -b` from a clean copy of this tree, check
# that each .deb holds exactly its files of README.md's "Installed files"
# list, then in a throw-away Debian 12 chroot (debootstrap, cached in
# $CREDROAM_CHROOT_BASE) install them with apt-get, use them
# (credroam --help, samba-tool credroam --help, man pages, pam-auth-update),
# purge them (nothing of ours may remain, Samba's samba-tool is back, PAM
# configuration clean), and install them again.  The host's own PAM, NSS
# and Samba configuration are never touched.  A few minutes (first run: the
# chroot download, a few more).  Prints "N passed, N failed".
#
# Not in `make test`: it takes minutes, and it checks the pam, guard and
# sambatool parts (README.md's † rows), which must be merged first.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
BASE=${CREDROAM_CHROOT_BASE:-/var/tmp/credroam-chroot-bookworm}
MIRROR=http://deb.debian.org/debian
PKGS="libcredroam0 credroam credroam-samba-tool credroam-guard"
passed=0
failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
say() { echo "--- $*"; }
finish() {
	echo "debian: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

[ "$(id -u)" = 0 ] || { bad "must run as root"; finish; }
WORK=$(mktemp -d /var/tmp/credroam-debian.XXXXXX)
cleanup() {
	[ -n "${KEEP:-}" ] && { echo "kept $WORK"; return; }
	rm -rf "$WORK"
}
trap cleanup EXIT

# 1. What the build needs: waf (bootstrap), debhelper, debootstrap.
if [ ! -x .bootstrap/waf/waf ]; then
	buildtools/bootstrap.sh >&2 || { bad "bootstrap"; finish; }
fi
need=
for p in debhelper dh-python fakeroot debootstrap dpkg-dev; do
	dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null |
		grep -qx installed || need="$need $p"
done
if [ -n "$need" ]; then
	say "installing$need"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $need >&2 || { bad "apt-get install$need"; finish; }
fi

# 2. A clean copy: what git tracks (and new files not ignored), plus waf.
SRC=$WORK/src/credroam
mkdir -p "$SRC"
git ls-files -z -co --exclude-standard | xargs -0 tar -cf - | tar -C "$SRC" -xf -
mkdir -p "$SRC/.bootstrap"
cp -aL .bootstrap/waf "$SRC/.bootstrap/waf"

# 3. Build.
say "dpkg-buildpackage -us -uc -b (log: $WORK/build.log)"
if (cd "$SRC" && dpkg-checkbuilddeps && dpkg-buildpackage -us -uc -b) \
	>"$WORK/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b"
else
	tail -n 40 "$WORK/build.log" | sed 's/^/     /'
	bad "dpkg-buildpackage -us -uc -b"
	KEEP=1
	finish
fi
DEBS=
for p in $PKGS; do
	deb=$(ls "$WORK"/src/${p}_*.deb 2>/dev/null | head -n 1)
	if [ -n "$deb" ]; then
		DEBS="$DEBS $deb"
	else
		bad "no $p .deb"
	fi
done

# 4. Each .deb holds exactly its rows of README.md's list, with the Debian
# directories (the list's "Debian packages" column).
/usr/bin/python3 - README.md >"$WORK/expected" <<'PY' || bad "README.md's Installed files list is unreadable"
import re, sys
text = open(sys.argv[1]).read()
sect = text.split('\n## Installed files\n', 1)[1].split('\n## ', 1)[0]
tables = sect.split('\n\n')
dirs = {}
for t in tables:
	if t.startswith('| directory |'):
		for line in t.splitlines()[2:]:
			cells = [c.strip().strip('`') for c in line.strip('|').split('|')]
			dirs[cells[0]] = cells[1] if cells[2] == 'the same' else cells[2]
for t in tables:
	if not t.startswith('| file |'):
		continue
	for line in t.splitlines()[2:]:
		m = re.match(r'\| `([A-Z]+)(/[^`]*)`[^|]*\|[^|]*\| ([a-z0-9-]+) \|$', line)
		if not m:
			sys.exit('README.md: cannot read row %r' % line)
		var, rest, pkg = m.groups()
		print('%s %s%s' % (pkg, dirs[var], rest))
PY
for deb in $DEBS; do
	p=$(dpkg-deb -f "$deb" Package)
	grep "^$p " "$WORK/expected" | cut -d' ' -f2 | sort >"$WORK/want.$p"
	# files and symlinks; man pages compressed by dh_compress; Debian's own
	# changelog and copyright; bytecode compiled on the target
	dpkg-deb -c "$deb" | grep -v '^d' |
		sed -e 's/^\([^ ]* *\)\{5\}\.//' -e 's/ -> .*//' -e 's/\.gz$//' |
		grep -v "^/usr/share/doc/$p/\(changelog\.Debian\|changelog\|copyright\)$" |
		grep -v '/__pycache__/' | sort >"$WORK/have.$p"
	if diff -u "$WORK/want.$p" "$WORK/have.$p" >"$WORK/diff.$p"; then
		ok "$p holds its $(wc -l <"$WORK/want.$p") files of README.md's list"
	else
		bad "$p differs from README.md's list (- listed, + in the .deb)"
		sed -n '3,$p' "$WORK/diff.$p" | grep '^[-+]' | sed 's/^/     /'
	fi
	# loaded with dlopen() (source/lib/lazylib.h): shlibs cannot see them
	case $p in
	libcredroam0|credroam|credroam-samba-tool)
		deps=$(dpkg-deb -f "$deb" Depends)
		if echo "$deps" | grep -q 'libsmbclient' &&
		   echo "$deps" | grep -q 'samba-libs'; then
			ok "$p depends on libsmbclient and samba-libs (dlopen)"
		else
			bad "$p does not depend on libsmbclient and samba-libs: $deps"
		fi
		;;
	esac
done

# 5. A throw-away Debian 12 to install into.
if [ ! -d "$BASE" ]; then
	if [ ! -d "$BASE.tmp" ] || [ -d "$BASE.tmp/debootstrap" ]; then
		rm -rf "$BASE.tmp"
		say "debootstrap bookworm into $BASE (once)"
		debootstrap --variant=minbase --include=man-db,ldb-tools \
			bookworm "$BASE.tmp" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
			{ tail -n 20 "$WORK/debootstrap.log"; bad "debootstrap"; finish; }
	fi
	# the host's sources (bookworm, -updates, -security): the packages were
	# built against the host's Samba, so the chroot needs the same versions
	rm -f "$BASE.tmp/etc/apt/sources.list"
	cp /etc/apt/sources.list.d/debian.sources "$BASE.tmp/etc/apt/sources.list.d/"
	printf '#!/bin/sh\nexit 101\n' >"$BASE.tmp/usr/sbin/policy-rc.d"
	chmod 755 "$BASE.tmp/usr/sbin/policy-rc.d"
	chroot "$BASE.tmp" apt-get update -qq >&2 || { bad "apt-get update in the chroot"; finish; }
	mv "$BASE.tmp" "$BASE"
fi
ROOT=$WORK/root
cp -a "$BASE" "$ROOT"
mkdir -p "$ROOT/debs"
cp $DEBS "$ROOT/debs/"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# in a private mount namespace, so /proc goes away with it
inroot() {
	unshare --mount --propagation private sh -c \
		'mount -t proc proc "$1/proc" && shift && exec chroot "$@"' \
		- "$ROOT" "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
check() {	# check NAME COMMAND...: ok when COMMAND succeeds in the chroot
	local name=$1
	shift
	if inroot sh -c "$*" >"$WORK/check.log" 2>&1; then
		ok "$name"
	else
		bad "$name"
		tail -n 15 "$WORK/check.log" | sed 's/^/     /'
	fi
}

install_and_use() {	# $1: "install" or "reinstall"
	if inroot sh -c "apt-get install -y -q --no-install-recommends /debs/*.deb" \
		>"$WORK/apt.$1.log" 2>&1; then
		ok "$1: apt-get install ./*.deb"
	else
		tail -n 25 "$WORK/apt.$1.log" | sed 's/^/     /'
		bad "$1: apt-get install ./*.deb"
		return
	fi
	check "$1: credroam --help" 'credroam --help && credroam --version'
	check "$1: samba-tool credroam --help" \
		'samba-tool credroam --help | grep -q guard && samba-tool --help | grep -q domain'
	check "$1: Samba's samba-tool diverted to samba-tool.samba" \
		'dpkg-divert --list /usr/bin/samba-tool | grep -q credroam-samba-tool && test -x /usr/bin/samba-tool.samba'
	check "$1: man credroam and the other pages" \
		'for p in credroam credroam.conf pam_credroam samba-tool-credroam credroam_guard; do
			MANWIDTH=80 man -P cat "$p" 2>&1 >/dev/null | grep . && exit 1
			MANWIDTH=80 man -P cat "$p" | grep -q . || exit 1
		done; exit 0'
	check "$1: libcredroam.so.0 known to ldconfig" \
		'ldconfig -p | grep -q "libcredroam.so.0 "'
	check "$1: pam-auth-update --enable credroam puts pam_credroam in common-auth and common-session" \
		'pam-auth-update --enable credroam && grep -q pam_credroam /etc/pam.d/common-auth && grep -q pam_credroam /etc/pam.d/common-session'
	check "$1: pam_credroam.so and credroam find all their libraries" \
		'for f in /lib/*/security/pam_credroam.so /usr/bin/credroam; do
			test -f "$f" || exit 1
			ldd "$f" | grep "not found" && exit 1
		done; exit 0'
}

install_and_use install

# The guard refuses removal while a DC's @MODULES names it.
check "credroam-guard refuses removal while sam.ldb lists it" \
	'mkdir -p /var/lib/samba/private &&
	 printf "dn: @MODULES\n@LIST: credroam_guard,samba_dsdb\n" |
		ldbadd -H tdb:///var/lib/samba/private/sam.ldb -o modules: >/dev/null &&
	 ! apt-get remove -y -q credroam-guard >/dev/null 2>&1 &&
	 dpkg -s credroam-guard | grep -q "^Status: install ok installed" &&
	 printf "dn: @MODULES\nchangetype: modify\nreplace: @LIST\n@LIST: samba_dsdb\n" |
		ldbmodify -H tdb:///var/lib/samba/private/sam.ldb -o modules: >/dev/null &&
	 rm -rf /var/lib/samba/private/sam.ldb'

# Purge: nothing of ours left.
if inroot apt-get purge -y -q $PKGS >"$WORK/apt.purge.log" 2>&1; then
	ok "apt-get purge"
else
	tail -n 25 "$WORK/apt.purge.log" | sed 's/^/     /'
	bad "apt-get purge"
fi
check "after purge: no package left, not even config-files" \
	"! dpkg -l $PKGS 2>/dev/null | grep -Eq '^(ii|rc|i[UFHW]|h|r)'"
check "after purge: Samba's samba-tool is back, no diversion" \
	'! dpkg-divert --list /usr/bin/samba-tool | grep -q . &&
	 dpkg -S /usr/bin/samba-tool | grep -q "^samba-common-bin:" && samba-tool --help >/dev/null'
check "after purge: PAM configuration without pam_credroam" \
	'! grep -rq credroam /etc/pam.d /var/lib/pam'
left=
while read -r f; do
	# Samba's own samba-tool is back there (checked above)
	[ "$f" = /usr/bin/samba-tool ] && continue
	[ -e "$ROOT$f" ] || [ -L "$ROOT$f" ] && left="$left $f"
done < <(cut -d' ' -f2 "$WORK/expected")
if [ -z "$left" ]; then
	ok "after purge: none of the listed files remain"
else
	bad "after purge, still there:$left"
fi

install_and_use reinstall
finish
