#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# demo.sh - `make demo`: the main job on an embedded default.  Starts a
# throw-away Samba AD domain (a DC and two Linux member machines) and
# shows a certificate and its key roaming between the members through
# alice's logons; leaves nothing running (the domain's namespaces end
# with the story).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
exec selftest/with-domain --members 2 "$TOP/testprogs/demo-inside.sh"
