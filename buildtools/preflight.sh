#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# preflight.sh WHO - what `make demo` and `make test` need from the machine,
# said in one line at the start instead of as a failure later: root (they
# install Debian packages and run a throw-away AD domain) and network,
# mount and PID namespaces (a container needs CAP_SYS_ADMIN).  Anything
# but Debian 12 is named, and the run carries on.
who=${1:-credroam}
if [ "$(id -u)" != 0 ]; then
	echo "$who: needs root (it installs Debian packages and starts a throw-away AD domain in namespaces): run it as root" >&2
	exit 2
fi
if ! unshare --net --mount --pid --fork true 2>/dev/null; then
	echo "$who: needs network, mount and PID namespaces (unshare failed: a container without CAP_SYS_ADMIN?)" >&2
	exit 2
fi
if ! unshare --net /bin/sh -c 'ip link set lo up && ip addr add 127.0.0.10/8 dev lo' >/dev/null 2>&1 &&
	command -v ip >/dev/null; then
	echo "$who: cannot configure loopback addresses in a network namespace" >&2
	exit 2
fi
os=$(. /etc/os-release 2>/dev/null && echo "${ID:-?} ${VERSION_ID:-?}")
[ "$os" = "debian 12" ] ||
	echo "$who: made for Debian 12; this is '$os': carrying on" >&2
exit 0
