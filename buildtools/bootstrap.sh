#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bootstrap.sh - make this Debian 12 machine able to build and test credroam.
#
# Installs the Debian packages the build, the tests and the demo need, and
# takes waf from Debian's own samba source package (the same waf Samba builds
# with).  Everything fetched is cached under .bootstrap/ (git-ignored), so a
# second run downloads nothing.  Idempotent; says what it does on stderr.
#
# Usage: buildtools/bootstrap.sh [--check]
#   --check   only report what is missing; exit 1 if anything is
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=$TOP/.bootstrap
say() { echo "bootstrap: $*" >&2; }

# Build: compilers, Samba's public development files, crypto, tests.
BUILD_PKGS="gcc clang pkg-config python3 samba-dev libldb-dev libtalloc-dev
libp11-kit-dev
libtevent-dev libsmbclient-dev libwbclient-dev libkrb5-dev libgnutls28-dev
nettle-dev libjansson-dev libcmocka-dev libpam0g-dev libkeyutils-dev python3-dev
python3-talloc-dev python3-ldb-dev libpamtest0-dev xsltproc docbook-xsl
libclang-rt-14-dev"
# Run and test: a real AD DC and winbind member, Kerberos, the cwrap wrappers.
TEST_PKGS="samba samba-ad-dc samba-ad-provision samba-dsdb-modules winbind
krb5-user ldb-tools python3-samba libnss-wrapper libuid-wrapper
libsocket-wrapper libresolv-wrapper libpam-wrapper python3-pypamtest
iproute2 util-linux procps bc xxd file openssl keyutils valgrind
python3-impacket dpkg-dev jq tcpdump smbclient git make python3-cryptography
p11-kit-modules p11-kit gnutls-bin opensc"
# The PKCS#11 token's real clients (test_token_apps.sh, bench/): NSS's
# certutil and modutil, OpenSSL's pkcs11 engine, softhsm2 (the bench's
# baseline), a real browser (p11-kit's and OpenSC's are in TEST_PKGS).
TOKEN_PKGS="libnss3-tools libengine-pkcs11-openssl softhsm2 chromium"
# Man page checks: man -l renders through groff, col strips its overstrikes.
DOC_PKGS="man-db groff bsdextrautils"

missing_pkgs() {
	local p
	for p in $BUILD_PKGS $TEST_PKGS $TOKEN_PKGS $DOC_PKGS; do
		dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null |
			grep -qx installed || echo "$p"
	done
}

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	say "apt-get update"
	apt-get update -qq >&2
	apt_updated=1
}

install_pkgs() {
	local miss
	miss=$(missing_pkgs | tr '\n' ' ')
	if [ -z "${miss// /}" ]; then
		say "all Debian packages present"
		return 0
	fi
	[ "$(id -u)" = 0 ] || { say "need root to install: $miss"; exit 1; }
	apt_update
	say "installing: $miss"
	# Never let a package start the host's own samba/winbind: the tests run
	# their own daemons inside private namespaces.
	local guard=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		guard=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $miss >&2
	[ -z "$guard" ] || rm -f /usr/sbin/policy-rc.d
}

# pam_winbind and libnss_winbind: unpacked, not installed, because their
# maintainer scripts would rewrite the host's /etc/pam.d and nsswitch.conf.
# The test domain puts them in place inside its private mount namespace.
unpack_winbind_clients() {
	local d=$CACHE/winbind-clients p
	if [ -f "$d/nss/libnss_winbind.so.2" ] && [ -f "$d/pam/pam_winbind.so" ]; then
		return 0
	fi
	apt_update
	mkdir -p "$d/debs" "$d/nss" "$d/pam"
	say "downloading libnss-winbind and libpam-winbind (unpacked only)"
	(cd "$d/debs" && apt-get download -qq -o APT::Sandbox::User=root libnss-winbind libpam-winbind >&2)
	for p in "$d"/debs/*.deb; do dpkg -x "$p" "$d/root"; done
	cp "$d"/root/lib/x86_64-linux-gnu/libnss_winbind.so.2 "$d/nss/"
	cp "$d"/root/lib/x86_64-linux-gnu/security/pam_winbind.so "$d/pam/"
	rm -rf "$d/root" "$d/debs"
}

# Debian 12 configures apt in one of two ways, or both: deb822 stanzas in
# /etc/apt/sources.list.d/*.sources (cloud and container images) or one-line
# entries in /etc/apt/sources.list and sources.list.d/*.list (the installer,
# debootstrap).  The deb-src entry is derived from whichever entries name
# this release's suites, so it follows the configured mirror (a local one
# too); a proxy is apt's own configuration and applies as it is.
SOURCES=${CREDROAM_APT_SOURCES:-/etc/apt}
have_deb_src() {
	local f
	for f in "$SOURCES"/sources.list "$SOURCES"/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		grep -qE '^[[:space:]]*deb-src[[:space:]]' "$f" && return 0
	done
	for f in "$SOURCES"/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		grep -qiE '^Types:.*[[:space:]]deb-src([[:space:]]|$)' "$f" &&
			return 0
	done
	return 1
}

add_deb_src() {
	local codename f one=$SOURCES/sources.list.d/credroam-deb-src.list
	local deb822=$SOURCES/sources.list.d/credroam-deb-src.sources
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	say "adding deb-src entries for the configured Debian mirror ($codename)"
	: > "$one.tmp"
	for f in "$SOURCES"/sources.list "$SOURCES"/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [options] URI SUITE COMPONENTS...: this release's suites
		awk -v c="$codename" '
			$1 != "deb" { next }
			{ i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ } }
			$(i + 1) ~ ("^(" c "|stable)(-updates)?$") {
				sub(/^[[:space:]]*deb/, "deb-src"); print }' \
			"$f" >> "$one.tmp"
	done
	: > "$deb822.tmp"
	for f in "$SOURCES"/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# one stanza per paragraph; keep those of this release, as deb-src
		awk -v c="$codename" '
			function flush() {
				if (st != "" && deb && mine) { print st }
				st = ""; deb = 0; mine = 0
			}
			/^[[:space:]]*$/ { flush(); next }
			/^#/ { next }
			tolower($1) == "types:" {
				for (i = 2; i <= NF; i++) { if ($i == "deb") deb = 1 }
				st = st "Types: deb-src\n"; next
			}
			tolower($1) == "suites:" {
				for (i = 2; i <= NF; i++) {
					if ($i ~ ("^(" c "|stable)(-updates)?$")) mine = 1
				}
			}
			{ st = st $0 "\n" }
			END { flush() }' "$f" >> "$deb822.tmp"
	done
	if [ ! -s "$one.tmp" ] && [ ! -s "$deb822.tmp" ]; then
		rm -f "$one.tmp" "$deb822.tmp"
		say "no apt entry for Debian $codename in $SOURCES/sources.list or sources.list.d/: cannot fetch samba's source for waf"
		exit 1
	fi
	local t
	for t in "$one" "$deb822"; do
		if [ -s "$t.tmp" ]; then
			mv "$t.tmp" "$t"
		else
			rm -f "$t.tmp"
		fi
	done
}

# waf, exactly as Debian ships it inside samba's source package.
fetch_waf() {
	local d=$CACHE/waf src tarball
	if [ -x "$d/waf" ] && [ -d "$d/waflib" ]; then
		return 0
	fi
	if ! have_deb_src; then
		[ "$(id -u)" = 0 ] || { say "need root to add a deb-src entry"; exit 1; }
		add_deb_src
		apt_updated=
	fi
	apt_update
	mkdir -p "$CACHE/src"
	say "downloading Debian's samba source package (for waf)"
	(cd "$CACHE/src" && apt-get source --download-only -qq -o APT::Sandbox::User=root samba >&2)
	tarball=$(ls "$CACHE"/src/samba_*.orig.tar.* | head -n 1)
	rm -rf "$CACHE/src/x"; mkdir -p "$CACHE/src/x"
	tar -C "$CACHE/src/x" -xf "$tarball" --wildcards \
		'*/buildtools/bin/waf' '*/third_party/waf/waflib/*'
	src=$(ls -d "$CACHE"/src/x/samba-*)
	rm -rf "$d"; mkdir -p "$d"
	cp -a "$src/third_party/waf/waflib" "$d/waflib"
	# Samba's launcher looks for waflib in ../../third_party/waf; ours sits
	# beside it.
	cat > "$d/waf" <<'WAF'
#!/usr/bin/python3
# waf launcher: waflib from Debian's samba source package
import os, sys
here = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, here)
from waflib import Scripting
Scripting.waf_entry_point(os.getcwd(), '2.0.24', here)
WAF
	sed -i "s/'2.0.24'/'$(sed -n "s/^WAFVERSION *= *['\"]\([^'\"]*\).*/\1/p" \
		"$d/waflib/Context.py")'/" "$d/waf"
	chmod 755 "$d/waf"
	rm -rf "$CACHE/src/x" "$CACHE"/src/*.debian.tar.* "$CACHE"/src/*.dsc
	say "waf $("$d/waf" --version 2>/dev/null | head -n 1) ready in $d"
}

case "${1:-}" in
--check)
	m=$(missing_pkgs | tr '\n' ' ')
	[ -x "$CACHE/waf/waf" ] || m="$m waf"
	[ -f "$CACHE/winbind-clients/nss/libnss_winbind.so.2" ] || m="$m libnss_winbind"
	if [ -n "${m// /}" ]; then say "missing: $m"; exit 1; fi
	say "nothing missing"
	exit 0 ;;
"") ;;
*) sed -n '2,11p' "$0" >&2; exit 2 ;;
esac

install_pkgs
unpack_winbind_clients
fetch_waf
say "done"
