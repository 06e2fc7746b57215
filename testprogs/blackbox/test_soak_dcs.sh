#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# with-domain: --dcs 2 --members 2
# long: two members at two DCs for SOAK_SECONDS
# Issue 20's multi-DC soak: test_soak.sh's concurrent imports, deletions
# and runs on alice's two machines, mem1 writing through dc1 and mem2
# through dc2, replication by change notification while they run, forced
# before each quiet round.  The same ends: every machine holds the same
# set, AD one live value per identity, nothing lost that was not deleted.
# Bounded here (SOAK_SECONDS, default 60); longer by hand, e.g.
#   SOAK_SECONDS=1800 testprogs/run-integration.sh \
#       testprogs/blackbox/test_soak_dcs.sh
. "$(dirname "$0")/test_soak.sh"
