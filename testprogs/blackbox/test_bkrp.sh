#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# MS-BKRP against the test DC: alice fetches the domain backup key
# certificate, wraps a new master key for it (DPAPI engine), and the DC
# unwraps it for her over \pipe\protected_storage (sealed, Kerberos) to
# the same key; bob asking for alice's key is refused; the credroam tool
# does the same with `dpapi masterkey FILE --dc`.
. "$(dirname "$0")/testlib.sh"

work=$(mktemp -d); chmod 1777 "$work"
trap 'rm -rf "$work"' EXIT

out=$(as-user alice "$ADPROBE" bkrp-cert "$work/cert.der" 2>&1)
check_match "alice fetches the backup key certificate over MS-BKRP" \
	'^[0-9]+ ncacn_np:.*protected_storage,seal' "$out"
check_match "the certificate is DER" '^30' \
	"$(head -c 1 "$work/cert.der" 2>/dev/null | xxd -p)"
out2=$(as-user bob "$ADPROBE" bkrp-cert "$work/cert-bob.der" 2>&1)
check_eq "bob gets the same certificate" \
	"$(sha1sum < "$work/cert.der")" "$(sha1sum < "$work/cert-bob.der" 2>&1)"

alice_sid=$(as-user alice "$ADPROBE" whoami | awk '{print $4}')
check_match "alice's SID" '^S-1-5-21-' "$alice_sid"
mk=$(as-user alice "$ADPROBE" mkmk "$work/cert.der" "$alice_sid" \
	"$work/alice.mk" 2>&1)
check_match "a master key for alice wrapped for the domain" \
	'^[0-9a-f]{128}$' "$mk"

out=$(as-user alice "$ADPROBE" bkrp-restore "$work/alice.mk" 2>&1)
check_eq "the DC unwraps alice's master key for alice" "$mk" "$out"

out=$(as-user bob "$ADPROBE" bkrp-restore "$work/alice.mk" 2>&1)
rc=$?
check_match "the DC refuses alice's master key to bob" \
	'WERR_INVALID_ACCESS|WERR_ACCESS_DENIED' "$out"
check_eq "bob's refusal is a failure exit" 1 "$rc"
check_fails "bob gets no key" test "$out" = "$mk"

out=$(as-user alice "$CREDROAM" dpapi masterkey "$work/alice.mk" --dc 2>&1)
check_match "credroam dpapi masterkey --dc recovers alice's key" \
	"master key: +$mk" "$out"
check_match "credroam dpapi masterkey --dc says how" \
	"derivation: +dc" "$out"
out=$(as-user alice "$CREDROAM" --json dpapi masterkey "$work/alice.mk" \
	--dc 2>&1)
check_match "--json says derivation dc" '"derivation": *"dc"' "$out"
out=$(as-user bob "$CREDROAM" dpapi masterkey "$work/alice.mk" --dc 2>&1)
rc=$?
check_match "credroam refuses bob with the reason" \
	"WERR_INVALID_ACCESS|owner" "$out"
check_eq "credroam exit status for bob" 1 "$rc"

# Transport fallback and a DC that does not answer.
out=$(as-user alice "$CREDROAM" dpapi \
	masterkey "$work/alice.mk" --dc --server 127.0.0.99 2>&1)
check_match "an unreachable DC gives a clear message" \
	"refused or no answer|unreachable|no domain controller .* answers" "$out"

# A malformed domain key section is refused by the DC, not crashing us.
python3 - "$work/alice.mk" "$work/bad.mk" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[-40] ^= 0xff	# inside the domain key's access check
open(sys.argv[2], 'wb').write(d)
PY
chmod 644 "$work/bad.mk"
out=$(as-user alice "$ADPROBE" bkrp-restore "$work/bad.mk" 2>&1)
check_match "a corrupted domain key section is refused by the DC" \
	'refused|WERR' "$out"
finish
