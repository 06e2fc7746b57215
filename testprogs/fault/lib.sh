# SPDX-License-Identifier: GPL-3.0-or-later
# testprogs/fault/lib.sh - sourced by the reliability tests (after
# testlib.sh): save and restore one user's roaming (AD values, timestamp,
# local store), run `credroam sync` as them, and digest the outcome.
#
# Reads of AD come from the DC's own database files (root on the DC host,
# so they work while the DC is stopped too); writes go through LDAP as
# Administrator.

FAULT_DIR=$TOP/testprogs/fault
# The domain partition's own file: no module stack (fast), removed values
# of linked attributes visible with their RMD_FLAGS, readable with the DC
# stopped.
SAM=$DOMAIN_DC_DIR/private/sam.ldb.d/${DOMAIN_BASEDN^^}.ldb
ROAM_ATTRS="msPKIAccountCredentials msPKIDPAPIMasterKeys msPKIRoamingTimeStamp"

# Roaming on (no GPO in the test domain); /etc is the domain's private one.
roaming_on() {
	# these tests read the key files: materialize = files
	printf '[policy]\nroaming = yes\n[sync]\nmaterialize = files\n' \
		>/etc/samba/credroam.conf
}

# user_home USER, store_of USER
user_home() { getent passwd "$DOMAIN_NAME\\$1" | cut -d: -f6; }
store_of() { echo "$(user_home "$1")/.local/share/credroam"; }

# ad_save USER FILE: the user's three roaming attributes, as an LDIF that
# ad_restore turns back into exactly these values.
ad_save() {
	local dn
	dn=$(user_dn "$1")
	{
		printf 'dn: %s\nchangetype: modify\n' "$dn"
		for a in $ROAM_ATTRS; do
			printf 'replace: %s\n' "$a"
			LD_PRELOAD= ldbsearch -H "$DOMAIN_DC_DIR/private/sam.ldb" \
				-b "$dn" -s base "$a" |
				python3 -c '
import sys
lines = []
for l in sys.stdin.read().splitlines():
    if l.startswith(" ") and lines:
        lines[-1] += l[1:]
    else:
        lines.append(l)
want = sys.argv[1].lower() + ":"
for l in lines:
    if l.lower().startswith(want):
        print(l)' "$a"
			printf -- '-\n'
		done
	} >"$2"
}

ad_restore() {
	admin_ldb ldbmodify "$1" >/dev/null 2>"$1.err" || {
		echo "ad_restore: $(head -c 300 "$1.err")" >&2
		return 1
	}
}

# store_save USER TAR / store_restore USER TAR: the whole store, owners
# and modes kept; a TAR of "-" means no store at all.
store_save() {
	local home
	home=$(user_home "$1")
	if [ -d "$home/.local/share/credroam" ]; then
		tar -C "$home" -cpf "$2" .local/share/credroam
	else
		rm -f "$2"
	fi
}
store_restore() {
	local home
	home=$(user_home "$1")
	rm -rf "$home/.local/share/credroam"
	if [ -f "$2" ]; then
		tar -C "$home" -xpf "$2"
	fi
}

# digest USER: the normalized outcome (testprogs/fault/snapshot.py)
digest() {
	python3 "$FAULT_DIR/snapshot.py" --sam "$SAM" --dn "$(user_dn "$1")" \
		--store "$(store_of "$1")"
}

# sync_as USER [VAR=VALUE...] -- [SYNC ARGS...]: one roaming run, output
# to stdout/stderr, exit status kept.  SYNC_AS_OPTS=--no-ticket keeps
# as-user from renewing a ticket that has expired.
sync_as() {
	local user=$1 vars=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		vars+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	# shellcheck disable=SC2086
	as-user ${SYNC_AS_OPTS:-} "$user" env "${vars[@]}" "$CREDROAM" sync \
		--no-keyring "$@"
}

# mkcert DIR NAME: a self-signed RSA certificate and its PKCS#8 key,
# DIR/NAME.crt and DIR/NAME.key
mkcert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 365 \
		-subj "/CN=$2/O=credroam reliability test" \
		-keyout "$1/$2.key" -out "$1/$2.crt" >/dev/null 2>&1
}

# drop_cert USER DIR NAME: put a certificate and key into the user's
# certs/ the way a user would (their files, 0600 for the key)
drop_cert() {
	local store uid
	store=$(store_of "$1")
	uid=$(id -u "$DOMAIN_NAME\\$1")
	install -d -o "$uid" -m 700 "$(dirname "$(dirname "$store")")" \
		"$(dirname "$store")" "$store" "$store/certs"
	install -o "$uid" -m 644 "$2/$3.crt" "$store/certs/$3.crt"
	install -o "$uid" -m 600 "$2/$3.key" "$store/certs/$3.key"
}

# ad_raw USER ATTRS...: the user's record straight from the partition,
# unfolded (removed link values included, marked RMD_FLAGS=1)
ad_raw() {
	local dn
	dn=$(user_dn "$1")
	shift
	LD_PRELOAD= ldbsearch -H "$SAM" -b "$dn" -s base "$@" |
		perl -0777 -pe 's/\n //g'	# linear, also for a 2 MiB value
}

# ad_links USER: "<live values> <removed values>" of both token attributes
ad_links() {
	ad_raw "$1" msPKIAccountCredentials msPKIDPAPIMasterKeys |
		awk '/^msPKI(AccountCredentials|DPAPIMasterKeys):/ {
			if ($0 ~ /<RMD_FLAGS=[13579]>/) d++; else l++ }
			END { printf "%d %d\n", l, d }'
}

# ad_usn USER: uSNChanged
ad_usn() { ad_raw "$1" uSNChanged | sed -n 's/^uSNChanged: //p'; }

# ad_size USER: bytes of the whole record as the partition keeps it,
# without the logon bookkeeping a Kerberos logon may update
ad_size() {
	ad_raw "$1" '*' | grep -vE '^(lastLogon|lastLogonTimestamp|logonCount|badPwdCount|badPasswordTime):' |
		wc -c
}
