#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# with-domain: --members 2
#
# Issue 18, the applications' side: alice's certificate and key, imported
# on mem1 (A), roam to mem2 (B), where no key file is written
# (materialize = token) and real clients from Debian's packages use the
# key through her agent's PKCS#11 token:
#   - certs/ on both machines: certificates only; an older run's key file
#     is wiped once the token serves the key (files -> token);
#   - credroam register: p11-kit's module file, the shared NSS database;
#     --remove takes both away and runs leave them so;
#   - p11tool (GnuTLS, through p11-kit) and pkcs11-tool (OpenSC, through
#     p11-kit-client.so) list the certificate and a private key whose
#     value cannot be read; certutil lists it from ~/.pki/nssdb;
#   - TLS client authentication against `openssl s_server -Verify 1` with
#     gnutls-cli (pkcs11: URIs) and with OpenSSL's pkcs11 engine;
#   - S/MIME: signed through the token, verified by `openssl cms`; a
#     message encrypted to the certificate decrypted through the token;
#   - Chromium headless, certificate chosen by policy, completes a request
#     to a loopback server that requires a client certificate;
#   - `credroam status` shows the agent, the token and the registrations;
#   - no file under her homes, /tmp, /run or the domain's work folder holds
#     the private key (its PKCS#8 DER, its PEM body, its modulus).
# Nothing is skipped: a client that cannot run fails its checks.
. "$(dirname "$0")/testlib.sh"

work=$(mktemp -d -p "$DOMAIN_WORKDIR"); chmod 1777 "$work"
agent_pids=()
server_pids=()
cleanup() {
	local p
	for p in "${server_pids[@]}" "${agent_pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT
echo "$DOMAIN_USER_PASSWORD" > "$work/pw"
printf '[policy]\nroaming = yes\n' > "$work/conf"
chmod 644 "$work/pw" "$work/conf"

uid=$(getent passwd "$DOMAIN_NAME\\alice" | cut -d: -f3)
home_a="$DOMAIN_WORKDIR/mem1/home/alice"
home_b="$DOMAIN_WORKDIR/mem2/home/alice"
store_a="$home_a/.local/share/credroam"
store_b="$home_b/.local/share/credroam"
# her runtime folder on B, as logind would make it
rt="$work/run-alice"
mkdir -m 0700 "$rt"; chown "$uid" "$rt"
sock="$rt/credroam/pkcs11"
client=/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so
# registration names the NSS module of this tree, not the installed one
nss_mod=$(realpath "$BIN/nss_module/credroam-pkcs11.so")
on_a() { as-user alice env CREDROAM_NSS_MODULE="$nss_mod" "$@"; }
on_b() {
	on-member mem2 as-user alice env XDG_RUNTIME_DIR="$rt" \
		CREDROAM_NSS_MODULE="$nss_mod" "$@"
}
sync_a() { on_a "$CREDROAM" sync --conf "$work/conf" --no-keyring "$@"; }
sync_b() { on_b "$CREDROAM" sync --conf "$work/conf" --no-keyring "$@"; }
jget() { /usr/bin/python3 -c "import json,sys
d=json.load(sys.stdin)
for k in sys.argv[1].split('.'):
    d=d[k] if not isinstance(d,list) else d[int(k)]
print(json.dumps(d) if isinstance(d,(dict,list,bool)) or d is None else d)" "$1"; }

# --- alice's certificate (client TLS and S/MIME) and key ---------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/alice.key" \
	-out "$work/alice.crt" -days 30 \
	-subj "/CN=alice token test/O=ROAM/emailAddress=alice@roam.test" \
	-addext "basicConstraints=CA:FALSE" \
	-addext "keyUsage=digitalSignature,keyEncipherment" \
	-addext "extendedKeyUsage=clientAuth,emailProtection" \
	-addext "subjectAltName=email:alice@roam.test" 2>/dev/null
chmod 644 "$work/alice.key" "$work/alice.crt"
tp=$(openssl x509 -in "$work/alice.crt" -noout -fingerprint -sha1 |
	sed 's/.*=//; s/://g')
# What a search for the key looks for, kept in memory only: its PKCS#8
# DER, a line of its PEM body, and its secret numbers (private exponent,
# primes).  Not the modulus: it is public, in every copy of the
# certificate (certs/, the roaming tokens, NSS's view), so it would find
# those; the secret numbers are in any file that holds the key, in DER,
# PKCS#1, PKCS#8 or a CAPI/CNG blob alike (as binary or hex).
secrets=$(/usr/bin/python3 - "$work/alice.key" <<'EOF'
import sys
from cryptography.hazmat.primitives import serialization as s
pem = open(sys.argv[1], 'rb').read()
k = s.load_pem_private_key(pem, None)
n = k.private_numbers()
der = k.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8,
                      s.NoEncryption())
def be(x): return x.to_bytes((x.bit_length() + 7) // 8, 'big').hex()
def le(x): return x.to_bytes((x.bit_length() + 7) // 8, 'little').hex()
line = pem.split(b'\n')[2].decode()
print(der.hex(), be(n.d), le(n.d), be(n.p), le(n.p), be(n.q), le(n.q),
      line.encode().hex())
EOF
)

# --- A imports; neither machine writes a key file ----------------------
out=$(on_a "$CREDROAM" import "$work/alice.crt" "$work/alice.key" \
	--password-file "$work/pw" --conf "$work/conf" --no-keyring 2>&1)
check_match "credroam import on A" "imported $tp" "$out"
# the enrolled key exists only in the DPAPI container from here on
shred -u "$work/alice.key" 2>/dev/null || rm -f "$work/alice.key"
check "A's certs/ holds the certificate" test -f "$store_a/certs/$tp.crt"
check "A's certs/ holds no key file (materialize = token)" \
	test ! -e "$store_a/certs/$tp.key"

json=$(sync_b --json 2>&1)
check_eq "B downloads 4 tokens" 4 "$(echo "$json" | jget counts.downloaded)"
check_eq "B's run says materialize = token" token \
	"$(echo "$json" | jget materialize)"
check "B has the certificate" test -f "$store_b/certs/$tp.crt"
check "B has no key file" test ! -e "$store_b/certs/$tp.key"

# an older run's key file: written with files, wiped when back to token
json=$(sync_b --json --full --materialize files 2>&1)
check "materialize = files writes B's key file" \
	test -f "$store_b/certs/$tp.key"
json=$(sync_b --json 2>&1)
check_eq "back to token: the key file is wiped and removed" 1 \
	"$(echo "$json" | jget counts.keys_wiped)"
check "B's key file is gone" test ! -e "$store_b/certs/$tp.key"
check_eq "nothing of it in the trash" "" \
	"$(ls "$store_b/trash" 2>/dev/null | grep '\.key')"

# export --p12 without a key file: decrypted in memory from the container
echo p12pass > "$work/p12pw"; chmod 644 "$work/p12pw"
out=$(on_b "$CREDROAM" export "$tp" --p12 "$work/b.p12" --p12-password-file \
	"$work/p12pw" --conf "$work/conf" --no-keyring 2>&1)
check_match "credroam export --p12 works without a key file" \
	"exported to" "$out"
check_eq "the PKCS#12's key is the certificate's" \
	"$(openssl x509 -noout -pubkey -in "$work/alice.crt")" \
	"$(openssl pkcs12 -in "$work/b.p12" -nocerts -nodes -passin \
		pass:p12pass 2>/dev/null | openssl pkey -pubout 2>&1)"
rm -f "$work/b.p12"
check "export wrote no key file" test ! -e "$store_b/certs/$tp.key"

# --- registration --------------------------------------------------------
out=$(on_b "$CREDROAM" register 2>&1)
check_match "credroam register on B" "p11-kit +registered" "$out"
check_eq "the p11-kit module names her agent's socket" \
	"remote: unix:path=$sock" \
	"$(grep '^remote:' "$home_b/.config/pkcs11/modules/credroam.module")"
check_match "the shared NSS database lists credroam-pkcs11.so" \
	"library=.*credroam-pkcs11.so" \
	"$(cat "$home_b/.pki/nssdb/pkcs11.txt" 2>&1)"
out=$(on_b "$CREDROAM" register --remove 2>&1)
check "--remove removes the module file" \
	test ! -e "$home_b/.config/pkcs11/modules/credroam.module"
check_fails "--remove removes the NSS entry" \
	grep -q "name=credroam" "$home_b/.pki/nssdb/pkcs11.txt"
on_b "$CREDROAM" register --keep >/dev/null 2>&1
check "a run after --remove leaves it removed" \
	test ! -e "$home_b/.config/pkcs11/modules/credroam.module"
on_b "$CREDROAM" register >/dev/null 2>&1
check "credroam register brings it back" \
	test -e "$home_b/.config/pkcs11/modules/credroam.module"

# a Firefox profile: registered when closed, left alone while it runs
ff="$home_b/.mozilla/firefox"
on_b mkdir -p "$ff/p1.default"
on_b sh -c "printf '[Profile0]\nName=default\nIsRelative=1\nPath=p1.default\n' \
	> '$ff/profiles.ini'"
on_b certutil -N -f /dev/null -d "sql:$ff/p1.default"
on_b touch "$ff/p1.default/.parentlock"
# shellcheck disable=SC2016
on_b /usr/bin/python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "r+"); fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close(); time.sleep(5)' \
	"$ff/p1.default/.parentlock" "$work/ff-locked" &
for _ in $(seq 1 50); do [ -e "$work/ff-locked" ] && break; sleep 0.1; done
out=$(on_b "$CREDROAM" register 2>&1)
check_match "a running Firefox's profile is left alone" \
	"firefox .*in use by a running application" "$out"
wait
out=$(on_b "$CREDROAM" register 2>&1)
check_match "once Firefox exits, its profile is registered" \
	"firefox +registered now" "$out"
check_match "the profile's pkcs11.txt lists credroam-pkcs11.so" \
	"library=.*credroam-pkcs11.so" "$(cat "$ff/p1.default/pkcs11.txt")"

# --- the agent on B (master key from the DC, her ticket) ---------------
# The agent should not need CREDROAM_NSS_MODULE: the built module is
# what registration names in this tree.
on_b "$CREDROAM" agent --no-keyring >"$work/agent.log" 2>&1
for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
check "the agent listens on $sock" test -S "$sock"
check_eq "its socket is private" 600 "$(stat -c %a "$sock" 2>&1)"
pid=$(pgrep -u "$uid" -f "credroam agent" | head -1)
[ -n "$pid" ] && agent_pids+=("$pid")

# the token as clients see it (any PIN: her master key is at hand)
p11() { on_b env GNUTLS_PIN=unused "$@"; }
out=$(p11 p11tool --list-all --login "pkcs11:token=credroam%20ROAM%5Calice" 2>&1)
check_match "p11tool lists her certificate" \
	"Type: X\.509 Certificate.*Label: alice token test" "$(echo $out)"
check_match "p11tool lists her private key" "Type: Private key" "$out"
check_match "p11tool: the key is sensitive" \
	"Flags:.*CKA_SENSITIVE" "$(echo "$out" | grep -A3 'Private key')"
keyuri=$(echo "$out" | grep -B1 "Type: Private key" |
	sed -n 's/.*URL: //p' | head -1)
certuri=$(echo "$out" | grep -B1 "Type: X.509 Certificate" |
	sed -n 's/.*URL: //p' | head -1)
[ -n "$keyuri" ] || keyuri="pkcs11:token=credroam%20ROAM%5Calice;type=private"
[ -n "$certuri" ] || certuri="pkcs11:token=credroam%20ROAM%5Calice;type=cert"
out=$(p11 p11tool --export "$keyuri" --login 2>&1)
check_fails "p11tool cannot export the private key" \
	grep -q "BEGIN.*PRIVATE KEY" <<<"$out"

ck() { on_b env P11_KIT_SERVER_ADDRESS="unix:path=$sock" "$@"; }
out=$(ck pkcs11-tool --module "$client" -O --login --pin unused 2>&1)
check_match "pkcs11-tool lists the certificate" "Certificate Object" "$out"
check_match "pkcs11-tool lists the private key" "Private Key Object" "$out"
check_match "pkcs11-tool: never extractable" \
	"Access:.*never extractable" "$out"
ck pkcs11-tool --module "$client" --login --pin unused --read-object \
	--type privkey --label "alice token test" \
	--output-file "$work/priv.out" >/dev/null 2>&1
check "pkcs11-tool cannot read the key's value" test ! -s "$work/priv.out"

out=$(on_b certutil -L -h all -d "sql:$home_b/.pki/nssdb" 2>&1)
check_match "certutil lists her certificate from ~/.pki/nssdb" \
	"credroam ROAM.alice:alice token test" "$out"

json=$(on_b "$CREDROAM" --json status --conf "$work/conf" --no-keyring 2>&1)
check_eq "status: the agent runs" true "$(echo "$json" | jget agent.running)"
check_match "status: the token's label" "credroam ROAM.alice" \
	"$(echo "$json" | jget agent.token.label)"
check_eq "status: one certificate" 1 \
	"$(echo "$json" | jget agent.token.certificates)"
check_eq "status: p11-kit registered" true \
	"$(echo "$json" | jget registration.places.0.registered)"

# --- TLS client authentication on loopback --------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/srv.key" \
	-out "$work/srv.crt" -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
chmod 644 "$work/srv.key" "$work/srv.crt"
# serve PORT LOG: openssl s_server requiring alice's certificate, as a
# web server (it logs the client certificate's subject as it verifies it;
# its interactive mode would close at once on its empty standard input)
serve() {
	local port=$1 log=$2
	openssl s_server -accept "127.0.0.1:$port" -cert "$work/srv.crt" \
		-key "$work/srv.key" -Verify 1 -CAfile "$work/alice.crt" \
		-www </dev/null >"$log" 2>&1 &
	server_pids+=($!)
	for _ in $(seq 1 50); do
		grep -q ACCEPT "$log" 2>/dev/null && return 0
		sleep 0.1
	done
}
serve 8441 "$work/s1.log"
out=$(printf 'GET / HTTP/1.0\r\n\r\n' | on_b timeout 20 env GNUTLS_PIN=unused gnutls-cli \
	--x509cafile "$work/srv.crt" --x509certfile "$certuri" \
	--x509keyfile "$keyuri" -p 8441 127.0.0.1 2>&1)
check_match "gnutls-cli (pkcs11: URIs) completes the handshake" \
	"Handshake was completed" "$out"
check_match "gnutls-cli: the server answers after client auth" \
	"Ciphers supported in s_server" "$out"
sleep 0.3
check_match "s_server saw alice's certificate (gnutls-cli)" \
	"CN *= *alice token test" "$(cat "$work/s1.log")"

serve 8442 "$work/s2.log"
out=$(printf 'GET / HTTP/1.0\r\n\r\n' | on_b timeout 20 openssl s_client -ign_eof -connect 127.0.0.1:8442 \
	-CAfile "$work/srv.crt" -engine pkcs11 -keyform engine \
	-key "$keyuri;pin-value=unused" -cert "$work/alice.crt" 2>&1)
check_match "OpenSSL's pkcs11 engine: the server answers after client auth" \
	"Ciphers supported in s_server" "$out"
sleep 0.3
check_match "s_server saw alice's certificate (OpenSSL engine)" \
	"CN *= *alice token test" "$(cat "$work/s2.log")"

# --- S/MIME ----------------------------------------------------------------
echo "a message from alice" > "$work/msg"
chmod 644 "$work/msg"
on_b openssl cms -sign -engine pkcs11 -keyform engine \
	-inkey "$keyuri;pin-value=unused" -signer "$work/alice.crt" \
	-in "$work/msg" -out "$work/signed.p7m" >"$work/cms.log" 2>&1
check "cms -sign through the token" test -s "$work/signed.p7m"
check "cms -verify accepts the signature" \
	openssl cms -verify -CAfile "$work/alice.crt" -purpose any \
	-in "$work/signed.p7m" -out /dev/null
openssl cms -encrypt -aes256 -in "$work/msg" -out "$work/enc.p7m" \
	"$work/alice.crt" 2>/dev/null
chmod 644 "$work/enc.p7m"
out=$(on_b openssl cms -decrypt -engine pkcs11 -keyform engine \
	-inkey "$keyuri;pin-value=unused" -recip "$work/alice.crt" \
	-in "$work/enc.p7m" 2>&1)
check_match "cms -decrypt through the token" "a message from alice" "$out"

# --- Chromium, headless, the certificate chosen by policy ----------------
serve 8443 "$work/s3.log"
# /etc is the domain's private overlay: the policy never reaches the host
mkdir -p /etc/chromium/policies/managed
cat > /etc/chromium/policies/managed/credroam-test.json <<EOF
{ "AutoSelectCertificateForUrls":
  [ "{\"pattern\":\"https://127.0.0.1:8443\",\"filter\":{}}" ] }
EOF
chmod 644 /etc/chromium/policies/managed/credroam-test.json
out=$(on_b timeout 60 chromium --headless=new --no-sandbox --disable-gpu \
	--ignore-certificate-errors --user-data-dir="$rt/chromium" \
	--dump-dom "https://127.0.0.1:8443/" 2>&1)
check_match "Chromium gets the page" "Ciphers supported in s_server" "$out"
check_match "the server logged alice's subject (Chromium)" \
	"CN *= *alice token test" "$(cat "$work/s3.log")"
rm -f /etc/chromium/policies/managed/credroam-test.json

# --- no plaintext key anywhere ---------------------------------------------
# shellcheck disable=SC2086
hits=$(/usr/bin/python3 - "$home_a" "$home_b" /tmp /run "$DOMAIN_WORKDIR" \
	-- $secrets <<'EOF'
import os, sys
sep = sys.argv.index('--')
tops, hexes = sys.argv[1:sep], sys.argv[sep + 1:]
needles = [bytes.fromhex(h) for h in hexes]
# the numbers as hex text too (openssl -text, JSON dumps)
needles += [h.encode() for h in hexes[1:7:2]]
needles += [h.upper().encode() for h in hexes[1:7:2]]
seen = set()
for top in tops:
    for root, dirs, files in os.walk(top, followlinks=False):
        for f in files:
            p = os.path.join(root, f)
            try:
                st = os.lstat(p)
                if not os.path.isfile(p) or os.path.islink(p) or \
                   st.st_size > 64 << 20 or (st.st_dev, st.st_ino) in seen:
                    continue
                seen.add((st.st_dev, st.st_ino))
                data = open(p, 'rb').read()
            except OSError:
                continue
            if any(n in data for n in needles):
                print(p)
EOF
)
check_eq "the search has the key's DER, secret numbers and PEM line" 8 \
	"$(echo $secrets | wc -w)"
check_eq "no file holds the private key (DER, PEM, d, p, q)" "" "$hits"

finish
