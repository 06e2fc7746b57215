# SPDX-License-Identifier: GPL-3.0-or-later
# netns.sh - the private network view of the test domain (sourced).
# Needs: domain.conf sourced, a private network and mount namespace.

netns_setup() {
	local W=$1 i
	ip link set lo up
	mkdir -p "$W"
	printf 'nameserver %s\nsearch %s\n' "$DC_IP" "$DNSDOMAIN" \
		> "$W/resolv.conf"
	{
		printf '127.0.0.1 localhost\n'
		printf '%s %s.%s %s\n' "$DC_IP" "$DC_HOST" "$DNSDOMAIN" \
			"$DC_HOST"
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
	cat > "$W/krb5.conf" <<KRB5
[libdefaults]
	default_realm = $REALM
	dns_lookup_realm = false
	dns_lookup_kdc = true
	rdns = false
	dns_canonicalize_hostname = false
	default_ccache_name = FILE:/tmp/krb5cc_%{uid}
[realms]
	$REALM = {
		kdc = $DC_IP
	}
[domain_realm]
	.$DNSDOMAIN = $REALM
	$DNSDOMAIN = $REALM
KRB5
	export KRB5_CONFIG=$W/krb5.conf
}
