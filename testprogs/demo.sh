#!/bin/bash
# demo.sh - `make demo`: the main job on an embedded default.  Starts a
# throw-away Samba AD domain (a DC and two Linux member machines) and shows
# alice's roaming state, as alice, over Kerberos LDAP with sign and seal.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
exec selftest/with-domain --members 2 "$TOP/testprogs/demo-inside.sh"
