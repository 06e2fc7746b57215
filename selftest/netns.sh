# SPDX-License-Identifier: GPL-3.0-or-later
# netns.sh - the private network view of the test domain (sourced).
# Needs: domain.conf sourced, a private network and mount namespace.
# DC_WRITABLE_IPS (default DC_IP): the writable DCs' addresses, in the
# order resolvers and Kerberos should try them.

# krb5.conf for a machine that asks the KDCs at the given addresses first
# to last.
netns_krb5_conf() {
	local ip
	cat <<KRB5
[libdefaults]
	default_realm = $REALM
	dns_lookup_realm = false
	dns_lookup_kdc = true
	rdns = false
	dns_canonicalize_hostname = false
	default_ccache_name = FILE:/tmp/krb5cc_%{uid}
[realms]
	$REALM = {
KRB5
	for ip in "$@"; do
		printf '\t\tkdc = %s\n' "$ip"
	done
	cat <<KRB5
	}
[domain_realm]
	.$DNSDOMAIN = $REALM
	$DNSDOMAIN = $REALM
KRB5
}

netns_setup() {
	local W=$1 i ips=${DC_WRITABLE_IPS:-$DC_IP}
	ip link set lo up
	mkdir -p "$W"
	{
		# glibc asks at most three; a stopped DC refuses at once
		for i in $(echo $ips | cut -d' ' -f1-3); do
			printf 'nameserver %s\n' "$i"
		done
		printf 'options timeout:1 attempts:1\nsearch %s\n' "$DNSDOMAIN"
	} > "$W/resolv.conf"
	{
		printf '127.0.0.1 localhost\n'
		printf '%s %s.%s %s\n' "$DC_IP" "$DC_HOST" "$DNSDOMAIN" \
			"$DC_HOST"
		for i in 2 3 4 5 6 7 8; do
			printf '127.0.0.%d dc%d.%s dc%d\n' $((18 + i)) "$i" \
				"$DNSDOMAIN" "$i"
		done
		printf '%s %s.%s %s\n' "$RODC_IP" "$RODC_HOST" "$DNSDOMAIN" \
			"$RODC_HOST"
		for i in 1 2 3 4 5 6 7 8; do
			printf '127.0.0.%d mem%d.%s mem%d\n' $((10 + i)) "$i" \
				"$DNSDOMAIN" "$i"
		done
	} > "$W/hosts"
	mount --bind "$W/resolv.conf" /etc/resolv.conf
	mount --bind "$W/hosts" /etc/hosts
	# samba-dcerpcd logs to /var/log/samba whatever 'log file' says, and
	# client tools keep state under these: keep all of it private.
	for i in /run/samba /var/log/samba /var/lib/samba /var/cache/samba; do
		mkdir -p "$i"
		mount -t tmpfs -o mode=755 tmpfs "$i"
	done
	netns_krb5_conf $ips > "$W/krb5.conf"
	export KRB5_CONFIG=$W/krb5.conf
}
