#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# credroam token decode, as a user runs it: real Windows tokens, DN-Binary
# lines, hostile input, exit statuses (0 ok, 1 invalid input, 2 usage).
. "$(dirname "$0")/testlib.sh"
D=$CREDROAM_TESTDATA/dsinternals
T=$(mktemp -d)

json=$("$CREDROAM" token decode --json "$D/cng-certificate.token")
check_eq "cng certificate: type" 7 "$(jq -r .type <<<"$json")"
check_eq "cng certificate: identifier" \
	3B83BFA7037F6A79B3F3D17D229E1BC097F35B51 \
	"$(jq -r .identifier <<<"$json")"
check_eq "cng certificate: modified" 2017-03-13T08:58:31Z \
	"$(jq -r .modified <<<"$json")"
check_eq "cng certificate: sha1_valid" true "$(jq -r .sha1_valid <<<"$json")"
check_eq "cng certificate: thumbprint matches" true \
	"$(jq -r .certificate.thumbprint_matches_identifier <<<"$json")"
json=$("$CREDROAM" token decode --json "$D/capi-rsa-key.token")
check_eq "capi key: type 1, 2081 bytes" "1 2081" \
	"$(jq -r '"\(.type) \(.data_length)"' <<<"$json")"
json=$("$CREDROAM" token decode --json "$D/unreadable-cng-key.token")
check_eq "unreadable key: flags 2, no data" "2 0 false" \
	"$(jq -r '"\(.flags) \(.data_length) \(.tombstone)"' <<<"$json")"

# The same token as AD returns it: one DN-Binary line on stdin.
hex=$(xxd -p "$D/capi-rsa-key.token" | tr -d '\n' | tr a-f A-F)
line="B:${#hex}:$hex:CN=alice,CN=Users,DC=roam,DC=test"
json=$(printf '%s\n' "$line" | "$CREDROAM" token decode --json -)
check_eq "DN-Binary line on stdin: dn" "CN=alice,CN=Users,DC=roam,DC=test" \
	"$(jq -r .dn <<<"$json")"
check_eq "DN-Binary line: acceptable, refusal null" null \
	"$(jq -c .refusal <<<"$json")"
# One line end, \n or \r\n, is not part of the value; a second one is.
json=$(printf '%s\r\n' "$line" | "$CREDROAM" token decode --json -)
check_eq "DN-Binary line ending in CRLF: dn" \
	"CN=alice,CN=Users,DC=roam,DC=test" "$(jq -r .dn <<<"$json")"
check_fails "DN-Binary line with two line ends is malformed" \
	sh -c "printf '%s\n\n' '$line' | '$CREDROAM' token decode -"
# The same judge as the guard: a DN part with <GUID=...> is refused.
json=$(printf '%s\n' "B:${#hex}:$hex:<GUID=1>;CN=alice" |
	"$CREDROAM" token decode --json - 2>"$T/err")
check_eq "DN part with <GUID=>: refusal.problem" dn-extended \
	"$(jq -r .refusal.problem <<<"$json")"
check_match "DN part with <GUID=>: refusal.message" 'only a plain DN' \
	"$(jq -r .refusal.message <<<"$json")"
check_match "DN part with <GUID=>: the reason on stderr" 'plain DN' \
	"$(cat "$T/err")"
check_match "human output names the type" "CAPI|RSA" \
	"$("$CREDROAM" token decode "$D/capi-rsa-key.token")"

# CVE-2022-30170 proof of concept (Mandiant): refused, exit 1, one line.
printf '%s' '25335c2e2e5c2e2e5c57696e646f77735c5374617274204d656e755c50726f6772616d735c537461727475705c6d616c6963696f75732e626174' | xxd -r -p >"$T/poc"
head -c 38 /dev/zero >>"$T/poc"
printf '%s' 'f0a1f04c9c1ad80100000000f52f696ec0f1d3b13e9d9d553adbb491ca6cc7a319000000406563686f206f66660d0a73746172742063616c632e657865' | xxd -r -p >>"$T/poc"
"$CREDROAM" token decode "$T/poc" >/dev/null 2>"$T/err"
check_eq "CVE-2022-30170 token: exit 1" 1 "$?"
check_match "CVE-2022-30170 token: the reason names the identifier problem" \
	'identifier|\.\.' "$(cat "$T/err")"
check_eq "CVE-2022-30170 token: one line on stderr" 1 "$(wc -l <"$T/err")"
json=$("$CREDROAM" token decode --json "$T/poc" 2>/dev/null)
check_match "CVE-2022-30170 token: refusal.problem (JSON)" \
	'^id-(dotdot|slash)$' \
	"$(jq -r .refusal.problem <<<"$json")"
check_match "CVE-2022-30170 token: refusal.message (JSON)" 'refused' \
	"$(jq -r .refusal.message <<<"$json")"

head -c 100 "$D/capi-rsa-key.token" >"$T/short"
check_fails "truncated token is refused" "$CREDROAM" token decode "$T/short"
cp "$D/capi-rsa-key.token" "$T/trail"; printf 'x' >>"$T/trail"
check_fails "trailing byte is refused" "$CREDROAM" token decode "$T/trail"
check_fails "odd hex digit count is refused" \
	sh -c "printf 'B:3:ABC:CN=x\n' | '$CREDROAM' token decode -"
"$CREDROAM" token decode >/dev/null 2>&1
check_eq "no file is a usage error (exit 2)" 2 "$?"
"$CREDROAM" token decode "$T/does-not-exist" >/dev/null 2>&1
check_eq "missing file: exit 1" 1 "$?"
rm -rf "$T"
finish
