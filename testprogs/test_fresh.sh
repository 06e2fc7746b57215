#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test_fresh.sh - `make test-fresh`: the README's two commands on a fresh
# Debian 12, as a new user would run them.
#
# Debootstraps a minimal Debian 12 (minbase plus make, git and
# ca-certificates; a one-line /etc/apt/sources.list naming the mirror apt
# is configured with here; no /etc/machine-id), clones this repository's
# HEAD into its /root (mode 0700), enters it as a root login would (private
# mount and PID namespaces, pivot_root, a clean environment) and runs
# `make demo`, then `make test` there.  Prints each stage's wall time and
# ends with "test-fresh: demo ..., test ...".  Downloads a few hundred MB;
# not part of `make test`.
#
# Usage: testprogs/test_fresh.sh [--keep] [DIR]
#   DIR      where to build the root (default: a new /var/tmp/credroam-fresh.*)
#   --keep   keep DIR afterwards (it is removed when everything passed)
#
# CREDROAM_DOMAIN_LOCK=FILE: passed on into the fresh root, so each test
# domain started there holds this lock while it runs (a shared machine).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
KEEP=
case "${1:-}" in
--keep) KEEP=1; shift ;;
--help|-h) sed -n '2,19p' "$0"; exit 0 ;;
esac
say() { echo "test-fresh: $*"; }
t_start=$(date +%s)
stamp() { echo "$(( $(date +%s) - t_start )) s"; }

# What this needs, said at once.
[ "$(id -u)" = 0 ] || { say "needs root (debootstrap, namespaces)"; exit 2; }
unshare --mount --pid --fork true 2>/dev/null ||
	{ say "needs mount and PID namespaces (unshare failed)"; exit 2; }
if ! command -v debootstrap >/dev/null; then
	say "installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends debootstrap >/dev/null || exit 2
fi
# apt's configured mirror (deb822 or one-line, proxy and all)
MIRROR=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(TARGET_OF)' |
	awk '$2 == "bookworm" && $3 == "deb" { print $1; exit }')
[ -n "$MIRROR" ] || { say "apt has no Debian bookworm entry to debootstrap from"; exit 2; }

R=${1:-$(mktemp -d /var/tmp/credroam-fresh.XXXXXX)}
mkdir -p "$R"
LOG=$R.log
say "root $R (debootstrap log: $LOG), mirror $MIRROR"

t0=$(date +%s)
if ! debootstrap --variant=minbase --include=make,git,ca-certificates \
	bookworm "$R" "$MIRROR" >"$LOG" 2>&1; then
	say "debootstrap failed; log: $LOG"
	exit 1
fi
t_debootstrap=$(( $(date +%s) - t0 ))
say "debootstrap: $t_debootstrap s"

# As the installer leaves it: one-line sources.list, no deb822 file, no
# machine-id; apt's proxy settings and the resolver as here.
rm -f "$R"/etc/apt/sources.list.d/*.sources "$R/etc/machine-id" \
	"$R/var/lib/dbus/machine-id"
printf 'deb %s bookworm main\n' "$MIRROR" > "$R/etc/apt/sources.list"
apt-config dump | grep -i '^Acquire::.*Proxy' |
	sed 's/$/;/' > "$R/etc/apt/apt.conf.d/90proxy"
[ -s "$R/etc/apt/apt.conf.d/90proxy" ] || rm -f "$R/etc/apt/apt.conf.d/90proxy"
cp -L /etc/resolv.conf "$R/etc/resolv.conf"
echo fresh > "$R/etc/hostname"
chmod 700 "$R/root"

# A clone, as `git clone` of the published repository would leave it.
git clone -q --no-local "$TOP" "$R/root/credroam" || exit 1
say "cloned $(git -C "$TOP" rev-parse --short HEAD) into /root/credroam"

LOCK=
if [ -n "${CREDROAM_DOMAIN_LOCK:-}" ]; then
	LOCK=$CREDROAM_DOMAIN_LOCK
	touch "$LOCK"
fi

# Inside: new mount and PID namespaces; /proc, /sys, /dev, /run, /tmp as
# a booted system has them; pivot_root; then a login shell's environment.
# The two commands run in a row; their output goes to $R.demo and $R.test.
cat > "$R/root/.fresh-run" <<'RUN'
#!/bin/bash
cd /root/credroam || exit 1
t0=$(date +%s)
make demo > /root/demo.out 2>&1
echo "demo_rc=$? demo_s=$(( $(date +%s) - t0 ))" > /root/fresh.times
t0=$(date +%s)
make test > /root/test.out 2>&1
echo "test_rc=$? test_s=$(( $(date +%s) - t0 ))" >> /root/fresh.times
RUN
chmod 755 "$R/root/.fresh-run"

t0=$(date +%s)
unshare --mount --propagation private --pid --fork /bin/bash -c '
	set -e
	R=$1 LOCK=$2
	mount --bind "$R" "$R"
	mount -t proc proc "$R/proc"
	mount -t sysfs sysfs "$R/sys"
	mount --rbind /dev "$R/dev"
	mount -t tmpfs -o mode=755 tmpfs "$R/run"
	mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"
	if [ -n "$LOCK" ]; then
		: > "$R/run/credroam-domain.lock"
		mount --bind "$LOCK" "$R/run/credroam-domain.lock"
	fi
	mkdir -p "$R/.oldroot"
	cd "$R"
	pivot_root . .oldroot
	cd /
	umount -l /.oldroot
	rmdir /.oldroot
	exec env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
		TERM=dumb PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		${LOCK:+CREDROAM_DOMAIN_LOCK=/run/credroam-domain.lock} \
		/bin/bash -l /root/.fresh-run
' fresh-root "$R" "$LOCK"
t_inside=$(( $(date +%s) - t0 ))

cp "$R/root/demo.out" "$R.demo" 2>/dev/null
cp "$R/root/test.out" "$R.test" 2>/dev/null
demo_rc=1 demo_s=? test_rc=1 test_s=?
[ -f "$R/root/fresh.times" ] && . "$R/root/fresh.times"
say "make demo: exit $demo_rc, $demo_s s (output: $R.demo)"
grep -E '^demo: ' "$R.demo" 2>/dev/null | tail -n 1 | sed 's/^/  /'
say "make test: exit $test_rc, $test_s s (output: $R.test)"
grep -E '^[0-9]+ passed, [0-9]+ failed' "$R.test" 2>/dev/null | tail -n 1 |
	sed 's/^/  /'
say "wall times: debootstrap $t_debootstrap s, inside $t_inside s, total $(stamp)"
rc=0
[ "$demo_rc" = 0 ] && [ "$test_rc" = 0 ] || rc=1
if [ "$rc" = 0 ] && [ -z "$KEEP" ]; then
	rm -rf "$R" "$LOG"
else
	say "kept $R"
fi
exit $rc
