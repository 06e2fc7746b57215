#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# domain.sh WORK MEMBERS GUARDED CMD... - inside private network, mount and
# PID namespaces (with-domain makes them): clone the template DC (or the
# cached set of DCs, CREDROAM_DCSET), start them, start MEMBERS winbind
# members, run CMD on mem1 with the DOMAIN_* variables, and return its
# status.  When this script exits the PID namespace ends and
# the kernel stops whatever is left.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
. "$HERE/domain.conf"
. "$HERE/netns.sh"
. "$HERE/dc.sh"
. "$HERE/member.sh"
. "$HERE/privtmp.sh"

W=$1 MEMBERS=$2 GUARDED=$3
shift 3
TEMPLATE=$CREDROAM_TEMPLATE
DCSET=${CREDROAM_DCSET:-}
DCS=${CREDROAM_DCS:-1} RODC=${CREDROAM_RODC:-no}
t0=$(date +%s.%N)
DC_NAMES=$(seq -s ' ' -f 'dc%g' 1 "$DCS")
DC_WRITABLE_IPS=
for name in $DC_NAMES; do
	DC_WRITABLE_IPS="$DC_WRITABLE_IPS $(dc_ip "$name")"
done
DC_WRITABLE_IPS=${DC_WRITABLE_IPS# }
export DC_WRITABLE_IPS
ALL_DCS=$DC_NAMES
[ "$RODC" = yes ] && ALL_DCS="$ALL_DCS $RODC_HOST"

# A private, writable /etc (overlay) and PAM module directory: the members
# look like real ones to every program, and nothing of the host changes.
private_overlay() {
	local dir=$1 name=$2
	mkdir -p "$W/overlay/$name-up" "$W/overlay/$name-work"
	mount -t overlay overlay -o "lowerdir=$dir,upperdir=$W/overlay/$name-up,workdir=$W/overlay/$name-work" "$dir"
}
private_overlay /etc etc || exit 99
private_overlay /lib/x86_64-linux-gnu/security pam || exit 99
private_tmp "$TOP" || exit 99
# the domain's users run the built tools: the way to them must be open
public_path "$TOP" "$TOP" "$W" || exit 99
# ... and so must the files (a checkout made under umask 077)
public_tree "$TOP" "$W/checkout" || exit 99

netns_setup "$W/ns"
cp "$KRB5_CONFIG" /etc/krb5.conf
export KRB5_CONFIG=/etc/krb5.conf
mkdir -p /etc/samba
[ -f /etc/samba/smb.conf ] || : > /etc/samba/smb.conf
# Real NSS through libnss_winbind (not nss_wrapper): PAM helpers started
# with a clean environment must resolve domain users too.
sed -i -E 's/^(passwd|group):.*/\1: files winbind/' /etc/nsswitch.conf
# ld.so.conf splits at blanks: name the directory by a path without any
ln -s "$CREDROAM_WINBIND_CLIENTS/nss" "$W/nss"
echo "$W/nss" > /etc/ld.so.conf.d/zz-credroam-selftest.conf
ldconfig
cp "$CREDROAM_WINBIND_CLIENTS/pam/pam_winbind.so" \
	/lib/x86_64-linux-gnu/security/

if [ -n "$DCSET" ]; then
	cat "$DCSET/hosts" >> /etc/hosts
fi
pids=
for name in $ALL_DCS; do
	D=$(dc_dir "$name")
	if [ -n "$DCSET" ]; then
		dc_clone "$DCSET/$name" "$D"
	else
		dc_clone "$TEMPLATE" "$D"
	fi
	if [ "$GUARDED" = yes ] && { [ -z "${CREDROAM_GUARD_DCS:-}" ] ||
		[[ " $CREDROAM_GUARD_DCS " == *" $name "* ]]; }; then
		"$HERE/guard.sh" enable "$D" || exit 1
	fi
	dc_start "$D" "$(dc_ip "$name")" &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || exit 1
done
for i in $(seq 1 "$MEMBERS"); do
	member_start "$i" || exit 1
done

cat > "$W/env.sh" <<ENV
export DOMAIN_REALM=$REALM DOMAIN_NAME=$DOMAIN DOMAIN_DNSDOMAIN=$DNSDOMAIN
export DOMAIN_DC=$DC_HOST.$DNSDOMAIN DOMAIN_DC_IP=$DC_IP
export DOMAIN_DCS='$DC_NAMES' DOMAIN_RODC='$([ "$RODC" = yes ] && echo "$RODC_HOST")'
export DOMAIN_BASEDN='$BASEDN'
export DOMAIN_USERS='$USERS'
export DOMAIN_STORM_USERS='$(seq -s ' ' -f "$STORM_USER_PREFIX%03g" 1 "$STORM_USERS")'
export DOMAIN_USER_PASSWORD='$USER_PASSWORD'
export DOMAIN_ADMIN_PASSWORD='$ADMIN_PASSWORD'
export DOMAIN_MEMBERS='$(seq -s ' ' -f 'mem%g' 1 "$MEMBERS")'
export DOMAIN_GUARDED=$GUARDED
export DOMAIN_GUARDED_DCS='$([ "$GUARDED" = yes ] && echo "${CREDROAM_GUARD_DCS:-$ALL_DCS}")'
export DOMAIN_WORKDIR=$W
export DOMAIN_DC_DIR=$W/dc
export KRB5_CONFIG=/etc/krb5.conf
export PATH='$HERE/bin':\$PATH
ENV
echo "[domain] ready after $(echo "$(date +%s.%N) - $t0" | bc)s" >&2

. "$W/env.sh"
export CREDROAM_SELFTEST_W=$W
# CMD gets the caller's stderr back (fd 3) and runs on mem1.
on_member 1 "$@" 2>&3 3>&-
rc=$?
echo "[domain] command exited $rc after $(echo "$(date +%s.%N) - $t0" | bc)s" >&2
exit $rc
