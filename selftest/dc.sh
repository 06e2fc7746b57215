# SPDX-License-Identifier: GPL-3.0-or-later
# dc.sh - start and stop the test DC (sourced; domain.conf sourced first).

# The DC's own smbd resolves SIDs through libwbclient, which knows only the
# compiled-in socket directory unless nss_wrapper is loaded; without this
# every SMB session setup (and so all ncacn_np RPC) fails.
dc_env() {
	local T=$1
	[ -f "$T/nw.passwd" ] || {
		cp /etc/passwd "$T/nw.passwd"
		cp /etc/group "$T/nw.group"
	}
	export NSS_WRAPPER_PASSWD=$T/nw.passwd NSS_WRAPPER_GROUP=$T/nw.group
	export LD_PRELOAD=libnss_wrapper.so
	export SELFTEST_WINBINDD_SOCKET_DIR=$T/run/winbindd
}

# The address of a DC by name: dc1, dc2 ... dc8, rodc.
dc_ip() {
	case "$1" in
	dc1) echo "$DC_IP" ;;
	dc[2-8]) echo "127.0.0.$((18 + ${1#dc}))" ;;
	"$RODC_HOST") echo "$RODC_IP" ;;
	*) return 1 ;;
	esac
}

# The directory of a DC in the run's work directory W (dc1 is W/dc).
dc_dir() {
	if [ "$1" = dc1 ]; then
		echo "$W/dc"
	else
		echo "$W/$1"
	fi
}

# The smb.conf options of every test DC (provisioned or joined) in
# directory P at address IP, as samba-tool arguments.
dc_options() {
	local P=$1 IP=$2
	printf '%s\n' \
		"--option=interfaces=$IP/8" \
		"--option=bind interfaces only=yes" \
		"--option=pid directory=$P/run" \
		"--option=ncalrpc dir=$P/run/ncalrpc" \
		"--option=winbindd socket directory=$P/run/winbindd" \
		"--option=ntp signd socket directory=$P/run/ntp_signd" \
		"--option=log file=$P/log/log.%m" \
		"--option=log level=1" \
		"--option=ldb:nosync=true" \
		"--option=dns forwarder=127.0.0.1" \
		"--option=server services=-nbt -dnsupdate" \
		"--option=dns update command=/bin/true" \
		"--option=load printers=no" \
		"--option=printcap name=/dev/null" \
		"--option=disable spoolss=yes" \
		"--option=panic action=/bin/true" \
		"--option=dreplsrv:periodic_startup_interval=0"
}

# dc_start DIR [IP]: start the DC in DIR (default address DC_IP) and wait
# until it answers LDAP.
dc_start() {
	local T=$1 ip=${2:-$DC_IP} i t0
	t0=$(date +%s.%N)
	(
		dc_env "$T"
		exec samba -F --no-process-group -M "${SAMBA_MODEL:-prefork}" \
			-s "$T/etc/smb.conf" </dev/null \
			>"$T/log/samba.stdout" 2>&1
	) &
	echo $! > "$T/samba.pid"
	for i in $(seq 1 600); do
		if ldbsearch -H "ldap://$ip" -s base -b '' dnsHostName \
			>/dev/null 2>&1; then
			echo "[dc $ip] up after $(echo "$(date +%s.%N) - $t0" | bc)s" >&2
			return 0
		fi
		if ! kill -0 "$(cat "$T/samba.pid")" 2>/dev/null; then
			echo "[dc] samba died:" >&2
			tail -n 20 "$T/log/samba.stdout" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "[dc] no LDAP answer after 60 s" >&2
	return 1
}

stop_pidfile() {
	local f=$1 p i
	[ -f "$f" ] || return 0
	p=$(cat "$f")
	kill -0 "$p" 2>/dev/null || return 0
	kill -TERM "$p"
	for i in $(seq 1 100); do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$p" 2>/dev/null
	return 0
}

dc_stop() {
	stop_pidfile "$1/samba.pid"
}

# Copy a stopped DC.  SYSVOL's NT ACLs live in xattrs and POSIX ACLs: keep
# them, or domain users cannot read their GPOs over SMB.
dc_clone() {
	local S=$1 D=$2 old
	rm -rf "$D"
	mkdir -p "$D"
	tar -C "$S" --warning=no-file-ignored --xattrs --xattrs-include='*' \
		--acls -cf - . |
		tar -C "$D" --xattrs --xattrs-include='*' --acls -xpf -
	rm -rf "$D/msg.sock" "$D/msg.lock" "$D"/run/*.pid "$D/samba.pid" \
		"$D"/log/*
	old=$(sed -n 's|^[[:space:]]*private dir = \(.*\)/private$|\1|p' \
		"$D/etc/smb.conf")
	sed -i "s|$old|$D|g" "$D/etc/smb.conf"
}
