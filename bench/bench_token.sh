#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench_token.sh - run inside selftest/with-domain (bench/run-bench.sh does):
# the PKCS#11 token against its baselines, measured in the same run, as
# alice on mem1 with her agent up (key imported, master key at hand):
#   - RSA-2048 signatures per second (CKM_SHA256_RSA_PKCS) through the
#     token (p11-kit-client.so -> the agent) against softhsm2 holding the
#     same key in process (target at least 0.85x);
#   - a TLS client-auth handshake (GnuTLS, against openssl s_server
#     -Verify 1 on loopback) with the key through the token against the
#     same handshake with the PEM key file (target at most 1.15x).
# Rounds alternate token and baseline; the ratio is of the medians.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=${CREDROAM_BIN:-$TOP/bin}
CREDROAM=$BIN/source/tools/credroam
BENCH=$BIN/bench/bench_token
ROUNDS=${ROUNDS:-5}
SIGN_SECONDS=${SIGN_SECONDS:-2}
HANDSHAKES=${HANDSHAKES:-100}
client=/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so
softhsm=/usr/lib/softhsm/libsofthsm2.so

work=$(mktemp -d -p "$DOMAIN_WORKDIR"); chmod 1777 "$work"
agent=
server=
trap '[ -n "$server" ] && kill $server; [ -n "$agent" ] && kill $agent;
	rm -rf "$work"' EXIT
uid=$(getent passwd "$DOMAIN_NAME\\alice" | cut -d: -f3)
rt="$work/rt"; mkdir -m 0700 "$rt"; chown "$uid" "$rt"
sock="$rt/credroam/pkcs11"
nss_mod=$(realpath "$BIN/nss_module/credroam-pkcs11.so")
me() {
	as-user alice env XDG_RUNTIME_DIR="$rt" CREDROAM_NSS_MODULE="$nss_mod" \
		SOFTHSM2_CONF="$work/softhsm2.conf" "$@"
}
die() { echo "bench_token: $*" >&2; exit 1; }

echo "$DOMAIN_USER_PASSWORD" > "$work/pw"
printf '[policy]\nroaming = yes\n' > "$work/conf"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/alice.key" \
	-out "$work/alice.crt" -days 2 -subj "/CN=alice bench/O=ROAM" \
	-addext "extendedKeyUsage=clientAuth" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/srv.key" \
	-out "$work/srv.crt" -days 2 -subj "/CN=localhost" \
	-addext "subjectAltName=DNS:localhost" 2>/dev/null
chmod 644 "$work"/*.key "$work"/*.crt "$work/pw" "$work/conf"
me "$CREDROAM" import "$work/alice.crt" "$work/alice.key" --conf "$work/conf" \
	--password-file "$work/pw" --no-keyring >/dev/null 2>&1 ||
	die "import failed"
me "$CREDROAM" register --quiet || die "register failed"
me "$CREDROAM" agent --no-keyring >"$work/agent.log" 2>&1 ||
	die "no agent: $(cat "$work/agent.log")"
for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || die "the agent does not listen: $(cat "$work/agent.log")"
agent=$(pgrep -u "$uid" -f "credroam agent" | head -1)

# the same key in softhsm2, in process (its own token folder)
mkdir -m 0777 "$work/softhsm"
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' \
	"$work/softhsm" > "$work/softhsm2.conf"
chmod 644 "$work/softhsm2.conf"
me softhsm2-util --init-token --free --label bench --pin 1234 \
	--so-pin 1234 >/dev/null || die "softhsm2 token"
me softhsm2-util --import "$work/alice.key" --token bench --label k \
	--id 01 --pin 1234 >/dev/null || die "softhsm2 import"

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
tok_sign=() hsm_sign=()
for r in $(seq 1 "$ROUNDS"); do
	tok_sign+=("$(me env P11_KIT_SERVER_ADDRESS="unix:path=$sock" \
		"$BENCH" sign "$client" unused "$SIGN_SECONDS")")
	hsm_sign+=("$(me "$BENCH" sign "$softhsm" 1234 "$SIGN_SECONDS")")
	echo "sign round $r: token ${tok_sign[-1]}/s softhsm2 ${hsm_sign[-1]}/s"
done
t=$(printf '%s\n' "${tok_sign[@]}" | median)
h=$(printf '%s\n' "${hsm_sign[@]}" | median)
echo "token.rsa2048.sign: token $t/s, softhsm2 in process $h/s," \
	"ratio $(echo "scale=2; $t / $h" | bc)x (target >= 0.85x)"

openssl s_server -accept 127.0.0.1:8450 -cert "$work/srv.crt" \
	-key "$work/srv.key" -Verify 1 -CAfile "$work/alice.crt" -www -quiet \
	</dev/null >"$work/server.log" 2>&1 &
server=$!
sleep 0.5
uri="pkcs11:token=credroam%20${DOMAIN_NAME}%5Calice;object=alice%20bench"
tok_tls=() pem_tls=()
for r in $(seq 1 "$ROUNDS"); do
	tok_tls+=("$(me "$BENCH" tls 8450 "$uri;type=cert" \
		"$uri;type=private;pin-value=unused" "$work/srv.crt" \
		"$HANDSHAKES")")
	pem_tls+=("$(me "$BENCH" tls 8450 "$work/alice.crt" \
		"$work/alice.key" "$work/srv.crt" "$HANDSHAKES")")
	echo "tls round $r: token ${tok_tls[-1]} ms, PEM file ${pem_tls[-1]} ms"
done
t=$(printf '%s\n' "${tok_tls[@]}" | median)
p=$(printf '%s\n' "${pem_tls[@]}" | median)
echo "token.tls_client_auth: token $t ms, PEM key file $p ms per" \
	"handshake, ratio $(echo "scale=2; $t / $p" | bc)x (target <= 1.15x)"
