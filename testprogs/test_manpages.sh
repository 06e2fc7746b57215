#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test_manpages.sh - the man pages built from docs-xml/ are all there, render
# with man -l without a single warning, and keep up with the code: every
# subcommand in source/tools/credroam.c's table and every Windows event id
# in source/lib/sync.h is in credroam(1).  Needs a build (bin/docs-xml/).
# Prints one line per check and "N passed, N failed".
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
DOCS=bin/docs-xml
PAGES="credroam.1 credroam.conf.5 pam_credroam.8 samba-tool-credroam.8
credroam_guard.8"
passed=0
failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }

render() {
	LC_ALL=C.UTF-8 MANWIDTH=80 MAN_KEEP_FORMATTING= \
		man --warnings=all -l "$DOCS/$1" 2>"$2" | col -b
}

# A check that lacks its tool says so, instead of reporting its absence as
# missing text.
tools_missing=
for t in man:man-db groff:groff col:bsdextrautils; do
	command -v "${t%%:*}" >/dev/null ||
		tools_missing="$tools_missing ${t%%:*} (package ${t#*:})"
done
if [ -n "$tools_missing" ]; then
	bad "cannot check the man pages: missing$tools_missing;" \
		"buildtools/bootstrap.sh installs them"
	echo "$passed passed, $failed failed"
	exit 1
fi

err=$(mktemp)
for page in $PAGES; do
	if [ ! -f "$DOCS/$page" ]; then
		bad "$page: not built (docs-xml/$page.xml, xsltproc, docbook-xsl)"
		continue
	fi
	text=$(render "$page" "$err")
	if [ -s "$err" ]; then
		bad "$page: man -l warns"
		sed 's/^/     /' "$err" | head -n 10
	elif [ "$(echo "$text" | wc -l)" -lt 20 ]; then
		bad "$page: renders to almost nothing"
	else
		ok "$page renders without warnings"
	fi
	# groff's own checks, all warnings on
	if ! groff -man -Tutf8 -ww -z "$DOCS/$page" 2>"$err" || [ -s "$err" ]; then
		bad "$page: groff -ww warns"
		sed 's/^/     /' "$err" | head -n 10
	else
		ok "$page passes groff -ww"
	fi
done
# every page built from docs-xml/ is one this test knows
for xml in docs-xml/*.xml; do
	page=$(basename "$xml" .xml)
	case " $(echo $PAGES) " in
	*" $page "*) ;;
	*) bad "docs-xml/$page.xml is not checked here: add it to PAGES" ;;
	esac
done

# contents that must follow the code
if [ -f "$DOCS/credroam.1" ]; then
	text=$(render credroam.1 /dev/null)
	missing=
	for cmd in $(sed -n 's/^[[:space:]]*{ "\([a-z_-]*\)", cmd_.*/\1/p' \
			source/tools/credroam.c); do
		echo "$text" | grep -q "credroam $cmd\b" || missing="$missing $cmd"
	done
	if [ -n "$missing" ]; then
		bad "credroam.1 does not describe:$missing"
	else
		ok "credroam.1 describes every subcommand of credroam.c"
	fi
	# every option any credroam subcommand parses
	missing=
	for opt in $(grep -h '"--[a-z0-9]' source/tools/*.c |
			grep -v '^[[:space:]]*\(/\*\|\*\)' |
			grep -o '"--[a-z0-9][a-z0-9-]*' | tr -d '"' | sort -u); do
		echo "$text" | grep -q -e "$opt\b" || missing="$missing $opt"
	done
	if [ -n "$missing" ]; then
		bad "credroam.1 does not describe options:$missing"
	else
		ok "credroam.1 describes every option in source/tools/*.c"
	fi
	missing=
	for id in 1 1004 1005 $(sed -n 's/^[[:space:]]*CR_EVENT_[A-Z_]* = \([1-9][0-9]*\),.*/\1/p' \
			source/lib/sync.h); do
		echo "$text" | sed -n '/^LOGGING AND EVENT IDS/,/^[A-Z]/p' |
			grep -qx "       $id" || missing="$missing $id"
	done
	if [ -n "$missing" ]; then
		bad "credroam.1 does not explain event ids:$missing"
	else
		ok "credroam.1 explains every event id of sync.h"
	fi
fi
if [ -f "$DOCS/samba-tool-credroam.8" ]; then
	text=$(render samba-tool-credroam.8 /dev/null)
	missing=
	for sub in list show stats purge "policy show" "policy set" \
		"guard enable" "guard disable" "guard status" -H -U \
		--use-kerberos -s; do
		echo "$text" | grep -qe "$sub" || missing="$missing '$sub'"
	done
	if [ -n "$missing" ]; then
		bad "samba-tool-credroam.8 does not describe:$missing"
	else
		ok "samba-tool-credroam.8 describes every subcommand and option"
	fi
fi
if [ -f "$DOCS/pam_credroam.8" ]; then
	text=$(render pam_credroam.8 /dev/null)
	missing=
	for opt in debug budget= services= unlock= credroam= conf= rundir= \
		"pam-auth-update --enable credroam"; do
		echo "$text" | grep -qe "$opt" || missing="$missing '$opt'"
	done
	if [ -n "$missing" ]; then
		bad "pam_credroam.8 does not describe:$missing"
	else
		ok "pam_credroam.8 describes every option"
	fi
fi
rm -f "$err"
echo "manpages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
