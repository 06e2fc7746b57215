# SPDX-License-Identifier: GPL-3.0-or-later
# member.sh - winbind domain members of the test domain (sourced).
#
# Each member is a "machine": its own mount namespace (held open by a
# sleeping process) with its own /tmp (Kerberos caches), /run/samba
# (winbindd's socket), Samba state, /etc/samba/smb.conf and
# /etc/krb5.conf, its own loopback address 127.0.0.(10+N), and its own
# home directories.  Commands
# run on it through `on-member memN CMD` (nsenter into that namespace).

member_dir() { echo "$W/mem$1"; }

# Domain users' uids start at CREDROAM_IDMAP_BASE (default 10000): test
# domains that run at once use different ranges, so their users never share
# a kernel keyring.
IDMAP_LOW=${CREDROAM_IDMAP_BASE:-10000}

member_write_smbconf() {
	local i=$1 M=$2
	cat > "$M/etc/smb.conf" <<SMB
[global]
	workgroup = $DOMAIN
	realm = $REALM
	security = ads
	netbios name = MEM$i
	interfaces = 127.0.0.$((10 + i))/8
	bind interfaces only = yes
	winbind refresh tickets = yes
	winbind enum users = yes
	winbind enum groups = yes
	idmap config * : backend = tdb
	idmap config * : range = 3000-7999
	idmap config $DOMAIN : backend = rid
	idmap config $DOMAIN : range = $IDMAP_LOW-$((IDMAP_LOW + 989999))
	template shell = /bin/bash
	template homedir = $M/home/%U
	kerberos method = secrets and keytab
	private dir = $M/private
	lock directory = $M/lock
	state directory = $M/state
	cache directory = $M/cache
	pid directory = /run/samba
	log file = $M/log/log.%m
	log level = 1
	load printers = no
	printcap name = /dev/null
	disable spoolss = yes
SMB
}

# Daemons get nss_wrapper over copies of the host's passwd/group: winbindd
# must not resolve users through its own NSS module.
member_daemon_env() {
	local M=$1
	[ -f "$M/nw.passwd" ] || {
		cp /etc/passwd "$M/nw.passwd"
		cp /etc/group "$M/nw.group"
	}
	echo "LD_PRELOAD=libnss_wrapper.so NSS_WRAPPER_PASSWD=$M/nw.passwd" \
		"NSS_WRAPPER_GROUP=$M/nw.group"
}

on_member() {
	local i=$1 pid
	shift
	pid=$(cat "$(member_dir "$i")/holder.pid")
	nsenter --mount --target "$pid" --wd="$PWD" -- "$@"
}

member_start() {
	local i=$1 M t0 n pid
	M=$(member_dir "$i")
	t0=$(date +%s.%N)
	mkdir -p "$M"/{etc,private,lock,state,cache,log,home}
	member_write_smbconf "$i" "$M"
	# its own krb5.conf: member-use-dc points one machine at one DC
	netns_krb5_conf ${DC_WRITABLE_IPS:-$DC_IP} > "$M/krb5.conf"
	rm -f "$M/ns.ready"
	unshare --mount --propagation private -- /bin/bash -c '
		set -e
		. "$2/privtmp.sh"
		for d in /run/samba /var/lib/samba /var/cache/samba \
			/var/log/samba; do
			mount -t tmpfs -o mode=755 tmpfs "$d"
		done
		private_tmp "$3"
		mount --bind "$1/etc/smb.conf" /etc/samba/smb.conf
		mount --bind "$1/krb5.conf" /etc/krb5.conf
		: > "$1/ns.ready"
		exec sleep infinity' member-ns "$M" "$HERE" "$TOP" &
	echo $! > "$M/holder.pid"
	for n in $(seq 1 100); do
		[ -f "$M/ns.ready" ] && break
		sleep 0.02
	done
	[ -f "$M/ns.ready" ] || { echo "[mem$i] namespace failed" >&2; return 1; }

	# The DC answers LDAP before its smbd can serve the join's RPC
	# ("An internal error occurred", about 2 in 50 starts): retry.
	for n in $(seq 1 50); do
		if on_member "$i" env $(member_daemon_env "$M") \
			net ads join -s "$M/etc/smb.conf" \
			-U "Administrator%$ADMIN_PASSWORD" --no-dns-updates \
			>"$M/log/join.log" 2>&1; then
			break
		fi
		if [ "$n" = 50 ]; then
			cat "$M/log/join.log" >&2
			return 1
		fi
		echo "[mem$i] join attempt $n: $(tail -n 1 "$M/log/join.log")" >&2
		sleep 0.2
	done

	member_start_winbindd "$i" "$M" || return 1
	member_make_homes "$i" "$M" || return 1
	echo "[mem$i] ready after $(echo "$(date +%s.%N) - $t0" | bc)s" >&2
}

# Home directories like pam_mkhomedir would make them: owned by the user,
# mode 0700, for every domain user.
member_make_homes() {
	local i=$1 M=$2 name uid gid home
	on_member "$i" getent passwd | grep "^$DOMAIN\\\\" |
	while IFS=: read -r name _ uid gid _ home _; do
		mkdir -p "$home"
		chown "$uid:$gid" "$home"
		chmod 700 "$home"
	done
	[ -d "$M/home/alice" ] || {
		echo "[mem$i] no home for alice: winbind NSS not working" >&2
		return 1
	}
}

member_start_winbindd() {
	local i=$1 M=$2 n
	on_member "$i" env $(member_daemon_env "$M") \
		winbindd -F --no-process-group -s "$M/etc/smb.conf" \
		</dev/null >"$M/log/winbindd.stdout" 2>&1 &
	echo $! > "$M/winbindd.pid"
	for n in $(seq 1 300); do
		if on_member "$i" wbinfo -P >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	echo "[mem$i] winbindd not ready" >&2
	return 1
}

# Restart a member's winbindd (a new smb.conf, a DC to forget).
member_restart_winbindd() {
	local i=$1 M=$2 p n
	# winbindd's own pid file (M/winbindd.pid is the shell around it)
	p=$(on_member "$i" cat /run/samba/winbindd.pid 2>/dev/null)
	if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
		kill -TERM "$p"
		for n in $(seq 1 100); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.05
		done
	fi
	on_member "$i" net cache flush -s "$M/etc/smb.conf" >/dev/null 2>&1
	member_start_winbindd "$i" "$M"
}
