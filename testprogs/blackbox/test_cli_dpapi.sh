#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# credroam dpapi with secrets from files or standard input, never from the
# command line (issue 17, item 4): a pre-key or master key given as an
# argument would be in /proc/PID/cmdline for every local user to read.
#   - --prekey HEX and --master-key HEX are refused with a pointer to
#     --prekey-file / --master-key-file
#   - while `dpapi unprotect --master-key-file -` waits for its key, its
#     command line holds no key; the blob then decrypts
#   - `dpapi masterkey --prekey-file F` decrypts the SYSTEM master key
. "$(dirname "$0")/testlib.sh"
N=$CREDROAM_TESTDATA/nemesis
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
MK=36bd60cb9e7e52433169db00e93ed0a82d3c30c65d948bd8596fb32c267671020b02026b0ae03479dd18374adbdd7658f45cce6ed2a45319eff7a96c411c85f5
PK=dcfd03644f501805c189e15e9367b01415dea75a

# --- on the command line: refused -------------------------------------------
out=$("$CREDROAM" dpapi unprotect "$N/blob_without_entropy.bin" \
	--master-key "$MK" 2>&1)
check_eq "dpapi unprotect --master-key HEX is a usage error" 2 "$?"
check_match "it names --master-key-file" "--master-key-file" "$out"
check_fails "and decrypts nothing" test "$out" = test
out=$("$CREDROAM" dpapi key "$N/blob_without_entropy.bin" \
	--master-key "$MK" 2>&1)
check_eq "dpapi key --master-key HEX is a usage error" 2 "$?"
out=$("$CREDROAM" dpapi masterkey "$N/masterkey_system.bin" \
	--prekey "$PK" 2>&1)
check_eq "dpapi masterkey --prekey HEX is a usage error" 2 "$?"
check_match "it names --prekey-file" "--prekey-file" "$out"

# --- from standard input: not in /proc/PID/cmdline --------------------------
mkfifo "$work/key"
"$CREDROAM" dpapi unprotect "$N/blob_without_entropy.bin" \
	--master-key-file - <"$work/key" >"$work/out" 2>&1 &
pid=$!
exec 3>"$work/key"	# the reader opens once a writer is there
sleep 0.3
cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline")
check_match "the waiting command is ours" "dpapi unprotect" "$cmdline"
case "$cmdline" in *"$MK"*|*"${MK:0:16}"*)
	fail "its command line holds no master key" "$cmdline" ;;
*) pass "its command line holds no master key" ;; esac
echo "$MK" >&3
exec 3>&-
wait "$pid"
check_eq "the key from standard input decrypts the blob" 0 "$?"
check_eq "to 'test'" test "$(cat "$work/out")"

# --- from a file --------------------------------------------------------------
(umask 077; echo "$MK" >"$work/mk"; echo "$PK" >"$work/pk")
out=$("$CREDROAM" dpapi unprotect "$N/blob_with_entropy.bin" \
	--master-key-file "$work/mk" --entropy 0102030405 2>&1)
check_eq "--master-key-file F with entropy decrypts" test "$out"
out=$("$CREDROAM" --json dpapi masterkey "$N/masterkey_system.bin" \
	--prekey-file "$work/pk" 2>&1)
check_eq "--prekey-file F decrypts the SYSTEM master key" \
	b848ddc68f5250e5977bc52fd9671811ba3bc3b1 \
	"$(jq -r .master_key_sha1 <<<"$out" 2>/dev/null)"
printf 'zz\n' >"$work/bad"
out=$("$CREDROAM" dpapi unprotect "$N/blob_without_entropy.bin" \
	--master-key-file "$work/bad" 2>&1)
check_eq "a file that is not hex fails" 1 "$?"
check_match "naming the file" "$work/bad" "$out"
printf '%s\n%s\n' "$MK" "$MK" >"$work/two"
out=$("$CREDROAM" dpapi unprotect "$N/blob_without_entropy.bin" \
	--master-key-file "$work/two" 2>&1)
check_eq "a file of two lines fails" 1 "$?"
finish
