#!/bin/bash
# The demo's story, run inside the test domain (see demo.sh).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
PROBE=$TOP/bin/testprogs/tools/cr_adprobe
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "The test domain: DC $DOMAIN_DC ($DOMAIN_DC_IP), members: $DOMAIN_MEMBERS"
for m in $DOMAIN_MEMBERS; do
	printf '%s: ' "$m"
	on-member "$m" getent passwd "$DOMAIN_NAME\\alice"
done

say "alice logs on to mem1 and has a Kerberos ticket"
as-user alice klist | sed -n '1,5p'

say "alice's own view of her roaming attributes (Kerberos LDAP, sealed)"
as-user alice "$PROBE" whoami
printf 'msPKIRoamingTimeStamp: %s\n' "$(as-user alice "$PROBE" timestamp)"
printf 'tokens (msPKIAccountCredentials, msPKIDPAPIMasterKeys): %s\n' \
	"$(as-user alice "$PROBE" count)"

say "alice on mem2 sees the same object"
on-member mem2 as-user alice "$PROBE" timestamp

say "summary"
echo "demo: a DC and 2 members came up, alice reads her roaming state over sealed Kerberos LDAP"
