#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# check_spdx.sh - every source file of the tree says its licence (COPYING:
# GPL-3.0-or-later) in an SPDX line near its top.  Prints the files that
# do not, then "N passed, N failed".
cd "$(dirname "$0")/.." || exit 1
passed=0
failed=0
while IFS= read -r f; do
	case "$f" in
	testdata/* | fuzz/corpus/* | debian/*) continue ;;
	*.c | *.h | *.sh | *.py | wscript | */wscript_build | configure | \
	Makefile | .ci/* | selftest/bin/*) ;;
	*) continue ;;
	esac
	[ -f "$f" ] || continue
	if head -n 3 "$f" | grep -q 'SPDX-License-Identifier: GPL-3.0-or-later'; then
		passed=$((passed + 1))
	else
		echo "no SPDX-License-Identifier line: $f"
		failed=$((failed + 1))
	fi
done < <(git ls-files 2>/dev/null || find . -type f | sed 's|^\./||')
if [ ! -f COPYING ]; then
	echo "COPYING (the GPL-3.0 text) is missing"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
