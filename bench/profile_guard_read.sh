#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Where the guard's read of a full object goes (issue 17, item 1, bench
# refused-full): alice's object gets 2 x 4000 tokens, then the same base
# search the guard sends (both token attributes and the timestamp, as the
# system) runs in-process on the DC's sam.ldb with Samba's whole module
# stack, plain and with the DN storage-format control
# (1.3.6.1.4.1.7165.4.3.4), timed, and the plain one under perf.
#
#   selftest/with-domain --guarded bench/profile_guard_read.sh [OUTDIR]
# The domain has its own /tmp and removes its work directory at the end:
# give an OUTDIR under /var/tmp (or run with --keep).
set -u
. "$(dirname "$0")/../testprogs/blackbox/testlib.sh"
OUT=${1:-$DOMAIN_WORKDIR/guard-profile}
mkdir -p "$OUT"
FLOOD=(env LD_PRELOAD= /usr/bin/python3 "$TOP/testprogs/blackbox/guard_flood.py")
SAM="tdb://$DOMAIN_DC_DIR/private/sam.ldb"
DN=$(user_dn alice)
AS_SYSTEM=local_oid:1.3.6.1.4.1.7165.4.3.7:0
STORAGE=local_oid:1.3.6.1.4.1.7165.4.3.4:0

set_list() {
	printf 'dn: @MODULES\nchangetype: modify\nreplace: @LIST\n@LIST: %s\n' "$1" |
		LD_PRELOAD= ldbmodify -H "$SAM" -o modules: >/dev/null || exit 1
}
read_once() {
	LD_PRELOAD= ldbsearch -H "$SAM" -b "$DN" -s base "$@" \
		msPKIAccountCredentials msPKIDPAPIMasterKeys \
		msPKIRoamingTimeStamp > "$OUT/read.ldif" 2>&1
}
secs() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@"
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}

set_list samba_dsdb
"${FLOOD[@]}" modify alice alice write
for ctl in "$AS_SYSTEM" "$AS_SYSTEM,$STORAGE"; do
	for r in 1 2 3; do
		echo "read as system controls=$ctl round $r: $(secs read_once --controls="$ctl") s" \
			"values=$(grep -c '^msPKI[AD]' "$OUT/read.ldif")"
	done
done | tee "$OUT/times.txt"
head -c 600 "$OUT/read.ldif" > "$OUT/storage-format-sample.txt"
read_once --controls="$AS_SYSTEM"
head -c 600 "$OUT/read.ldif" > "$OUT/plain-sample.txt"
LD_PRELOAD= perf record -g -F 999 -o "$OUT/perf.data" -- \
	ldbsearch -H "$SAM" -b "$DN" -s base --controls="$AS_SYSTEM" \
	msPKIAccountCredentials msPKIDPAPIMasterKeys msPKIRoamingTimeStamp \
	> /dev/null 2>&1
perf report -i "$OUT/perf.data" --no-children --sort dso,symbol --stdio \
	2>/dev/null | grep -v '^$' | head -80 > "$OUT/report-flat.txt"
perf report -i "$OUT/perf.data" --children --sort symbol --stdio -g none \
	2>/dev/null | grep -v '^$' | head -80 > "$OUT/report-children.txt"
chmod -R a+rX "$OUT"
echo "profile in $OUT"
