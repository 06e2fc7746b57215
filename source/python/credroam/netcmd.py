# SPDX-License-Identifier: GPL-3.0-or-later
# samba-tool credroam: the administrator's view of credential roaming.
#
# list, show, stats and purge work on the roaming attributes of user
# objects (msPKIAccountCredentials, msPKIDPAPIMasterKeys,
# msPKIRoamingTimeStamp); policy show/set on the credential roaming values
# in a GPO's User/Registry.pol on SYSVOL; guard comes from credroam.guard.
#
# Every format is decoded and encoded by libcredroam through
# credroam._credroam; reads and single-value writes go through the
# library's adstore on the SamDB connection opened here.  Writes to the
# token attributes are value-level: the exact values are deleted, never the
# whole attribute (these are linked attributes; DESIGN.md 5.4), and
# msPKIRoamingTimeStamp moves afterwards.

import json
import re

import ldb
import samba.getopt as options
from samba.auth import system_session
from samba.netcmd import Command, CommandError, Option, SuperCommand
from samba.samdb import SamDB

from credroam import _credroam

# The Registry client-side extension and its snap-in, as
# gPCUserExtensionNames lists them.
REGISTRY_CSE = "{35378EAC-683F-11D2-A89A-0080C7B39F79}"
REGISTRY_TOOL = "{D02B1F73-3407-48AE-BA88-E8213C6761F1}"

FLAG_NAMES = [
    (_credroam.FLAG_TOMBSTONE, "tombstone"),
    (_credroam.FLAG_UNREADABLE, "unreadable"),
    (_credroam.FLAG_UNWRITABLE, "unwritable"),
    (_credroam.FLAG_UNROAMABLE, "unroamable"),
    (_credroam.FLAG_KNOWN_TYPE, "known-type"),
    (_credroam.FLAG_ENCRYPTION_KEY, "encryption-key"),
]

TOKEN_ATTRS = (_credroam.ATTR_CREDENTIALS, _credroam.ATTR_MASTERKEYS)

# Values deleted per LDAP modify by purge.
PURGE_BATCH = 500


def flag_names(flags):
    names = [name for bit, name in FLAG_NAMES if flags & bit]
    rest = flags
    for bit, _ in FLAG_NAMES:
        rest &= ~bit
    if rest:
        names.append("unknown 0x%04x" % rest)
    return names


def policy_info():
    """{lower-case name: dict(name, default, min, max)}"""
    return dict((v["name"].lower(), v) for v in _credroam.policy_values())


def policy_default(name):
    return policy_info()[name.lower()]["default"]


class TokenValue(object):
    """One value of a token attribute of the object owner: decoded, or
    why it is not; judged as the roaming run and the DC's guard judge it
    (cr_ad_value_judge: in its attribute, for its own object)."""

    def __init__(self, attr, value, owner=None):
        self.attr = attr
        self.value = value
        self.index = 0
        self.token = None
        self.error = None
        self.problem = None
        try:
            self.token = _credroam.Token(value, attribute=attr,
                                         owner=owner)
        except _credroam.Error as e:
            self.error = e.args[1]
            self.problem = e.args[2]

    def refusal(self):
        """The one JSON form of a refusal (as `credroam token decode
        --json` and `credroam list --json` write it), or None."""
        t = self.token
        if t is None:
            return {"problem": self.problem, "message": self.error}
        if t.problem is None:
            return None
        return {"problem": t.problem, "message": t.refusal}

    @property
    def malformed(self):
        return self.token is None

    @property
    def tombstone(self):
        return self.token is not None and self.token.tombstone

    @property
    def refused(self):
        return self.token is not None and self.token.problem is not None

    def sort_key(self):
        t = self.token
        if t is None:
            return (1, self.attr, 0, "", self.value)
        return (0, self.attr, t.type, t.identifier, self.value)

    def state(self):
        if self.malformed:
            return "malformed"
        if self.refused:
            return "refused"
        if self.tombstone:
            return "tombstone"
        return "live"

    def size(self):
        if self.token is None:
            return 0
        return len(self.token.raw)

    def as_dict(self, certificate=False):
        d = {"index": self.index, "attribute": self.attr,
             "state": self.state(), "value_length": len(self.value),
             "refusal": self.refusal()}
        t = self.token
        if t is None:
            d["malformed"] = True
            return d
        d.update({
            "malformed": False,
            "type": t.type,
            "type_name": t.type_name,
            "identifier": t.identifier,
            "identity": t.identity,
            "filetime": t.filetime,
            "modified": t.modified,
            "flags": t.flags,
            "flag_names": flag_names(t.flags),
            "tombstone": t.tombstone,
            "data_length": t.data_length,
            "extra_length": t.extra_length,
            "size": len(t.raw),
            "sha1": t.sha1,
            "data_sha1": t.data_sha1,
            "sha1_valid": t.sha1_valid,
            "dn": t.dn,
        })
        if certificate and t.is_certificate and t.data_length > 0:
            try:
                d["certificate"] = t.certificate()
            except _credroam.Error as e:
                d["certificate_error"] = e.args[1]
        return d


def decode_timestamp(ts):
    """msPKIRoamingTimeStamp: (previous change, this change) FILETIMEs."""
    if ts is None or len(ts) != _credroam.TIMESTAMP_LEN:
        return None
    prev = int.from_bytes(ts[0:8], "little")
    cur = int.from_bytes(ts[8:16], "little")
    return {"previous": _credroam.filetime_iso8601(prev),
            "last": _credroam.filetime_iso8601(cur),
            "hex": ts.hex().upper()}


class RoamingUser(object):
    """A user object and its roaming values, read through adstore."""

    def __init__(self, samdb, server, msg):
        self.samdb = samdb
        self.server = server
        self.dn = str(msg.dn)
        self.name = str(msg.get("sAMAccountName", idx=0) or self.dn)
        ts = msg.get(_credroam.ATTR_TIMESTAMP, idx=0)
        self.timestamp = bytes(ts) if ts is not None else None
        self.values = []

    def load(self):
        try:
            creds, mkeys = _credroam.read_tokens(self.samdb, self.dn,
                                                 self.server)
        except _credroam.Error as e:
            raise CommandError("reading the roaming tokens of '%s': %s" %
                               (self.name, e.args[1]))
        values = [TokenValue(_credroam.ATTR_CREDENTIALS, v, self.dn)
                  for v in creds]
        values += [TokenValue(_credroam.ATTR_MASTERKEYS, v, self.dn)
                   for v in mkeys]
        values.sort(key=TokenValue.sort_key)
        for i, v in enumerate(values):
            v.index = i + 1
        self.values = values
        return self

    def select(self, token_id):
        """The values token_id names: "#N", "T\\ID" or an identifier."""
        m = re.match(r"^#(\d+)$", token_id)
        if m:
            n = int(m.group(1))
            return [v for v in self.values if v.index == n]
        found = []
        for v in self.values:
            t = v.token
            if t is None:
                continue
            if token_id in (t.identity, t.identifier) or \
               token_id.upper() == t.identity.upper() or \
               token_id.upper() == t.identifier.upper():
                found.append(v)
        return found

    def select_one(self, token_id):
        found = self.select(token_id)
        if not found:
            raise CommandError("'%s' has no roaming token '%s' (see "
                               "`samba-tool credroam list %s`)" %
                               (self.name, token_id, self.name))
        if len(found) > 1:
            raise CommandError(
                "'%s' names %d tokens of '%s' (%s); use the identity "
                "TYPE\\ID or #N" % (token_id, len(found), self.name,
                                    ", ".join("#%d %s" % (v.index,
                                                          v.token.identity)
                                              for v in found)))
        return found[0]

    def summary(self):
        s = {"values": len(self.values), "live": 0, "tombstones": 0,
             "refused": 0, "malformed": 0, "master_keys": 0,
             "credentials": 0, "bytes": 0, "largest": 0,
             "live_bytes": 0}
        for v in self.values:
            state = v.state()
            if state == "tombstone":
                s["tombstones"] += 1
            elif state == "live":
                s["live"] += 1
                s["live_bytes"] += v.size()
            else:
                s[state] += 1
            if v.attr == _credroam.ATTR_MASTERKEYS:
                s["master_keys"] += 1
            else:
                s["credentials"] += 1
            s["bytes"] += len(v.value)
            s["largest"] = max(s["largest"], v.size())
        return s


class CredroamCommand(Command):
    """Shared plumbing: options, the SamDB connection, user lookup."""

    takes_optiongroups = {
        "sambaopts": options.SambaOptions,
        "credopts": options.CredentialsOptions,
        "versionopts": options.VersionOptions,
    }

    url_option = Option("-H", "--URL", type=str, metavar="URL", dest="H",
                        help="LDB URL for database or target server")
    json_option = Option("--json", action="store_true", default=False,
                         help="machine-readable output")

    def connect(self, H, sambaopts, credopts):
        self.lp = sambaopts.get_loadparm()
        self.creds = credopts.get_credentials(self.lp, fallback_machine=True)
        self.url = H
        self.server = H if H else "sam.ldb"
        m = re.match(r"^ldaps?://([^/:]+)", H or "")
        self.dc_host = m.group(1) if m else None
        try:
            self.samdb = SamDB(url=H, session_info=system_session(),
                               credentials=self.creds, lp=self.lp)
        except ldb.LdbError as e:
            raise CommandError("connecting to %s" % self.server, e)
        self.dc = self.read_dc_name(self.samdb) or self.dc_host or \
            self.server
        return self.samdb

    @staticmethod
    def read_dc_name(samdb):
        """The DC a connection reads (its rootDSE dnsHostName)."""
        try:
            res = samdb.search(base="", scope=ldb.SCOPE_BASE,
                               attrs=["dnsHostName"])
        except ldb.LdbError:
            return None
        if len(res) != 1 or "dnsHostName" not in res[0]:
            return None
        return str(res[0]["dnsHostName"][0])

    def domain_dcs(self):
        """dNSHostName of every DC of the domain, and whether read-only."""
        config = str(self.samdb.get_config_basedn())
        try:
            res = self.samdb.search(base="CN=Sites," + config,
                                    scope=ldb.SCOPE_SUBTREE,
                                    expression="(objectClass=server)",
                                    attrs=["dNSHostName"])
            dsas = self.samdb.search(base="CN=Sites," + config,
                                     scope=ldb.SCOPE_SUBTREE,
                                     expression="(objectClass=nTDSDSA)",
                                     attrs=["msDS-isRODC"])
        except ldb.LdbError as e:
            raise CommandError("listing the domain controllers", e)
        rodc = set(str(m.dn.parent()).lower() for m in dsas
                   if str(m.get("msDS-isRODC", idx=0)) == "TRUE")
        return sorted((str(m["dNSHostName"][0]), str(m.dn).lower() in rodc)
                      for m in res if "dNSHostName" in m)

    def find_user(self, user, with_tokens=True):
        name = user.split("\\")[-1]
        if "=" in name:
            base, scope, expr = name, ldb.SCOPE_BASE, "(objectClass=user)"
        else:
            base = self.samdb.domain_dn()
            scope = ldb.SCOPE_SUBTREE
            expr = "(&(objectClass=user)(sAMAccountName=%s))" % \
                ldb.binary_encode(name)
        try:
            res = self.samdb.search(base=base, scope=scope, expression=expr,
                                    attrs=["sAMAccountName",
                                           _credroam.ATTR_TIMESTAMP])
        except ldb.LdbError as e:
            raise CommandError("looking up user '%s'" % user, e)
        if len(res) != 1:
            raise CommandError("no user '%s' at %s" % (user, self.server))
        u = RoamingUser(self.samdb, self.server, res[0])
        if with_tokens:
            u.load()
        return u

    def write_json(self, obj):
        self.outf.write(json.dumps(obj, indent=2, sort_keys=True) + "\n")


def user_header(u, dc=None):
    ts = decode_timestamp(u.timestamp)
    lines = ["user        %s" % u.name, "dn          %s" % u.dn]
    if dc is not None:
        lines.append("read at     %s" % dc)
    if ts is None:
        lines.append("timestamp   none")
    else:
        lines.append("timestamp   %s (previous change %s)" %
                     (ts["last"], ts["previous"]))
    return lines


class cmd_credroam_list(CredroamCommand):
    """List a user's roaming tokens.

Every value of msPKIAccountCredentials and msPKIDPAPIMasterKeys with its
number (#N, usable with show and purge --token), type, identifier, time,
flags, size and state (live, tombstone, refused: decodes but must not
roam, malformed: does not decode).

Example:
samba-tool credroam list alice -H ldap://dc1.example.com -U Administrator

With --each-dc, what every DC of the domain holds for the user, side by
side (replication not settled yet, duplicates left by replication, a DC
that is down or read-only).
"""

    synopsis = "%prog USER [options]"
    takes_args = ["user"]
    takes_options = [CredroamCommand.url_option, CredroamCommand.json_option,
                     Option("--each-dc", action="store_true", default=False,
                            help="compare what each DC holds")]

    def run(self, user, H=None, json=False, each_dc=False, sambaopts=None,
            credopts=None, versionopts=None):
        self.connect(H, sambaopts, credopts)
        if each_dc:
            return self.compare_dcs(user, json)
        u = self.find_user(user)
        if json:
            self.write_json({"user": u.name, "dn": u.dn, "dc": self.dc,
                             "timestamp": decode_timestamp(u.timestamp),
                             "summary": u.summary(),
                             "tokens": [v.as_dict() for v in u.values]})
            return
        out = user_header(u, self.dc)
        for v in u.values:
            t = v.token
            if t is None:
                out.append("#%-4d %s MALFORMED: %s (%s)" %
                           (v.index, v.attr, v.error, v.problem))
                continue
            out.append("#%-4d %d %-18s %-44s %s 0x%04x %6d %s" %
                       (v.index, t.type, t.type_name or "unknown",
                        t.identifier, t.modified, t.flags, len(t.raw),
                        v.state() + (" (%s)" % t.problem
                                     if t.problem else "")))
        s = u.summary()
        out.append("%d values: %d live, %d tombstones, %d refused, "
                   "%d malformed; %d master keys, %d bytes" %
                   (s["values"], s["live"], s["tombstones"], s["refused"],
                    s["malformed"], s["master_keys"], s["bytes"]))
        self.outf.write("\n".join(out) + "\n")


    def compare_dcs(self, user, json):
        rows = []
        for host, rodc in self.domain_dcs():
            row = {"dc": host, "read_only": rodc}
            try:
                db = SamDB(url="ldap://%s" % host,
                           session_info=system_session(),
                           credentials=self.creds, lp=self.lp)
                self.samdb, self.server = db, host
                u = self.find_user(user)
                row["summary"] = u.summary()
                row["timestamp"] = decode_timestamp(u.timestamp)
                row["values"] = sorted(v.value.hex() if isinstance(
                    v.value, bytes) else str(v.value) for v in u.values)
            except (ldb.LdbError, CommandError) as e:
                row["error"] = str(e)
            rows.append(row)
        held = [r for r in rows if "values" in r and not r["read_only"]]
        same = all(r["values"] == held[0]["values"] for r in held)
        if json:
            for r in rows:
                r.pop("values", None)
            self.write_json({"user": user, "dcs": rows,
                             "writable_dcs_agree": same})
            return
        out = ["user        %s" % user]
        for r in rows:
            name = r["dc"] + (" (read-only)" if r["read_only"] else "")
            if "error" in r:
                out.append("%-32s unreachable: %s" % (name, r["error"]))
                continue
            s = r["summary"]
            ts = r["timestamp"]
            out.append("%-32s %d values: %d live, %d tombstones; "
                       "timestamp %s" % (name, s["values"], s["live"],
                                         s["tombstones"],
                                         ts["last"] if ts else "none"))
        out.append("the writable DCs %s" % ("agree" if same else
                                             "DISAGREE (replication not "
                                             "settled)"))
        self.outf.write("\n".join(out) + "\n")


class cmd_credroam_show(CredroamCommand):
    """Show one roaming token of a user.

TOKEN-ID is the identity TYPE\\IDENTIFIER, the identifier alone when it
names one token, or #N from `samba-tool credroam list`.  Certificate
tokens also show the certificate's subject, issuer, expiry and thumbprint.
"""

    synopsis = "%prog USER TOKEN-ID [options]"
    takes_args = ["user", "token_id"]
    takes_options = [CredroamCommand.url_option, CredroamCommand.json_option]

    def run(self, user, token_id, H=None, json=False, sambaopts=None,
            credopts=None, versionopts=None):
        self.connect(H, sambaopts, credopts)
        u = self.find_user(user)
        v = u.select_one(token_id)
        d = v.as_dict(certificate=True)
        d["user"] = u.name
        if json:
            self.write_json(d)
            return
        out = ["user          %s" % u.name,
               "attribute     %s" % v.attr,
               "number        #%d" % v.index]
        if v.token is None:
            out += ["state         malformed (%s)" % v.problem,
                    "error         %s" % v.error,
                    "value length  %d" % len(v.value)]
            self.outf.write("\n".join(out) + "\n")
            return
        t = v.token
        out += [
            "type          %d (%s)" % (t.type, t.type_name or "unknown"),
            "identifier    %s" % t.identifier,
            "identity      %s" % t.identity,
            "modified      %s (FILETIME %d)" % (t.modified, t.filetime),
            "flags         0x%04x (%s)" % (t.flags,
                                           ", ".join(flag_names(t.flags))),
            "state         %s" % v.state(),
            "data length   %d" % t.data_length,
            "extra length  %d" % t.extra_length,
            "sha1          %s (%s)" % (t.sha1, "valid" if t.sha1_valid else
                                       "MISMATCH: the data hashes to %s" %
                                       t.data_sha1),
        ]
        if t.problem is not None:
            out.append("problem       %s: %s" % (t.problem, t.refusal))
        if "certificate" in d:
            c = d["certificate"]
            out += ["certificate",
                    "  subject     %s" % c["subject"],
                    "  issuer      %s" % c["issuer"],
                    "  not before  %s" % c["not_before"],
                    "  not after   %s" % c["not_after"],
                    "  thumbprint  %s" % c["thumbprint"],
                    "  serial      %s" % c["serial"]]
            if c["friendly_name"]:
                out.append("  name        %s" % c["friendly_name"])
            if c["key_container"]:
                out.append("  key         %s (%s)" % (c["key_container"],
                                                      c["key_provider"]))
        elif "certificate_error" in d:
            out.append("certificate   cannot be decoded: %s" %
                       d["certificate_error"])
        self.outf.write("\n".join(out) + "\n")


class cmd_credroam_stats(CredroamCommand):
    """Roaming statistics: per user counts and sizes, users near the limits.

Limits are the policy defaults (DIMSRoamingMaxNumTokens,
DIMSRoamingMaxTokenSize) unless given.  A user is reported when the live
tokens reach --near percent of the maximum (at 100% clients stop uploading,
event 1008), when all values (live and tombstones) reach --near percent of
twice the maximum (at 100% roaming stops, event 1009), or when a token is
near or over the maximum size (clients do not upload it, event 1011).
"""

    synopsis = "%prog [USER...] [options]"
    takes_args = ["users*"]
    takes_options = [
        CredroamCommand.url_option, CredroamCommand.json_option,
        Option("--max-tokens", type=int, metavar="N",
               help="DIMSRoamingMaxNumTokens [policy default]"),
        Option("--max-token-size", type=int, metavar="BYTES",
               help="DIMSRoamingMaxTokenSize [policy default]"),
        Option("--near", type=int, metavar="PERCENT", default=80,
               help="report users at this share of a limit [80]"),
    ]

    def run(self, *users, H=None, json=False, max_tokens=None,
            max_token_size=None, near=80, sambaopts=None, credopts=None,
            versionopts=None):
        if max_tokens is None:
            max_tokens = policy_default("DIMSRoamingMaxNumTokens")
        if max_token_size is None:
            max_token_size = policy_default("DIMSRoamingMaxTokenSize")
        if max_tokens < 1 or max_token_size < 1 or not 0 < near <= 100:
            raise CommandError("limits must be positive and --near 1..100")
        self.connect(H, sambaopts, credopts)
        if users:
            found = [self.find_user(u) for u in users]
        else:
            found = self.all_users()
        rows = []
        for u in found:
            s = u.summary()
            s["user"] = u.name
            s["warnings"] = self.warnings(u, s, max_tokens, max_token_size,
                                          near)
            rows.append(s)
        totals = dict((k, sum(r[k] for r in rows))
                      for k in ("values", "live", "tombstones", "refused",
                                "malformed", "master_keys", "bytes"))
        totals["users"] = len(rows)
        limits = {"max_tokens": max_tokens,
                  "max_token_size": max_token_size, "near_percent": near}
        if json:
            self.write_json({"dc": self.dc, "limits": limits,
                             "users": rows,
                             "totals": totals,
                             "near_limits": [r["user"] for r in rows
                                             if r["warnings"]]})
            return
        out = ["read at %s" % self.dc]
        out += ["%-20s %6s %6s %6s %6s %6s %6s %10s %8s" %
               ("user", "values", "live", "tomb", "refus", "malf", "mkeys",
                "bytes", "largest")]
        for r in rows:
            out.append("%-20s %6d %6d %6d %6d %6d %6d %10d %8d" %
                       (r["user"], r["values"], r["live"], r["tombstones"],
                        r["refused"], r["malformed"], r["master_keys"],
                        r["bytes"], r["largest"]))
        out.append("%d users, %d values (%d live, %d tombstones, %d "
                   "refused, %d malformed), %d bytes" %
                   (totals["users"], totals["values"], totals["live"],
                    totals["tombstones"], totals["refused"],
                    totals["malformed"], totals["bytes"]))
        out.append("limits: %d tokens, %d bytes per token; reporting at "
                   "%d%%" % (max_tokens, max_token_size, near))
        warned = [r for r in rows if r["warnings"]]
        if warned:
            out.append("near the limits:")
            for r in warned:
                for w in r["warnings"]:
                    out.append("  %s: %s" % (r["user"], w))
        else:
            out.append("no user is near the limits")
        self.outf.write("\n".join(out) + "\n")

    def all_users(self):
        expr = "(&(objectClass=user)(|(%s=*)(%s=*)))" % TOKEN_ATTRS
        try:
            res = self.samdb.search(base=self.samdb.domain_dn(),
                                    scope=ldb.SCOPE_SUBTREE,
                                    expression=expr,
                                    attrs=["sAMAccountName",
                                           _credroam.ATTR_TIMESTAMP])
        except ldb.LdbError as e:
            raise CommandError("searching for users with roaming tokens", e)
        users = [RoamingUser(self.samdb, self.server, m).load() for m in res]
        # deleted links still match the presence filter: skip the empty
        users = [u for u in users if u.values]
        users.sort(key=lambda u: u.name.lower())
        return users

    @staticmethod
    def warnings(u, s, max_tokens, max_token_size, near):
        w = []
        if s["live"] >= max_tokens:
            w.append("%d live tokens, the maximum is %d: clients stop "
                     "uploading (1008)" % (s["live"], max_tokens))
        elif s["live"] * 100 >= max_tokens * near:
            w.append("%d live tokens of at most %d" % (s["live"],
                                                       max_tokens))
        if s["values"] > 2 * max_tokens:
            w.append("%d values, more than twice the maximum (%d): "
                     "roaming stops for this user (1009)" %
                     (s["values"], 2 * max_tokens))
        elif s["values"] * 100 >= 2 * max_tokens * near:
            w.append("%d values of at most %d before roaming stops" %
                     (s["values"], 2 * max_tokens))
        for v in u.values:
            size = v.size()
            if v.token is None or v.tombstone:
                continue
            if size > max_token_size:
                w.append("token #%d %s is %d bytes, over the maximum %d "
                         "(1011)" % (v.index, v.token.identity, size,
                                     max_token_size))
            elif size * 100 >= max_token_size * near:
                w.append("token #%d %s is %d bytes of at most %d" %
                         (v.index, v.token.identity, size, max_token_size))
        if s["malformed"] or s["refused"]:
            w.append("%d malformed and %d refused values (see list)" %
                     (s["malformed"], s["refused"]))
        return w


class cmd_credroam_purge(CredroamCommand):
    """Delete roaming tokens of a user.

Exactly one of --tombstones (every tombstone), --token ID (one value: the
identity TYPE\\IDENTIFIER, an identifier, or #N from list; repeatable),
--malformed (values that do not decode) or --all.  The exact values are
deleted (never the whole attribute), then msPKIRoamingTimeStamp moves so
that clients notice.  A value changed by someone else meanwhile makes the
purge fail without deleting anything of that batch: run it again.
"""

    synopsis = "%prog USER (--tombstones|--token ID|--malformed|--all) " \
               "[options]"
    takes_args = ["user"]
    takes_options = [
        CredroamCommand.url_option,
        Option("--tombstones", action="store_true", default=False,
               help="delete every tombstone"),
        Option("--token", action="append", metavar="ID", default=[],
               help="delete this token (repeatable)"),
        Option("--malformed", action="store_true", default=False,
               help="delete values that do not decode"),
        Option("--all", action="store_true", default=False,
               help="delete every roaming token of the user"),
        Option("--dry-run", action="store_true", default=False,
               help="say what would be deleted, change nothing"),
    ]

    def run(self, user, H=None, tombstones=False, token=None,
            malformed=False, all=False, dry_run=False, sambaopts=None,
            credopts=None, versionopts=None):
        modes = [tombstones, bool(token), malformed, all]
        if sum(1 for m in modes if m) != 1:
            raise CommandError("give exactly one of --tombstones, --token, "
                               "--malformed, --all")
        self.connect(H, sambaopts, credopts)
        u = self.find_user(user)
        if all:
            victims = list(u.values)
        elif tombstones:
            victims = [v for v in u.values if v.tombstone]
        elif malformed:
            victims = [v for v in u.values if v.malformed]
        else:
            victims = []
            for t in token:
                v = u.select_one(t)
                if v not in victims:
                    victims.append(v)
        for v in victims:
            what = v.token.identity if v.token else "malformed value"
            self.outf.write("%s #%d %s %s\n" %
                            ("would delete" if dry_run else "deleting",
                             v.index, v.attr, what))
        if not victims:
            self.outf.write("nothing to purge for %s\n" % u.name)
            return
        if dry_run:
            return
        self.delete_values(u, victims)
        try:
            ts = _credroam.bump_timestamp(self.samdb, u.dn, u.timestamp, 0,
                                          self.server)
        except _credroam.Error as e:
            raise CommandError("deleted %d values of %s, but updating %s "
                               "failed: %s" % (len(victims), u.name,
                                               _credroam.ATTR_TIMESTAMP,
                                               e.args[1]))
        self.outf.write("purged %d values of %s; timestamp %s\n" %
                        (len(victims), u.name,
                         decode_timestamp(ts)["last"]))

    def delete_values(self, u, victims):
        if len(victims) == 1:
            v = victims[0]
            try:
                _credroam.change_value(self.samdb, u.dn, v.attr,
                                       v.value, None, self.server)
            except _credroam.Error as e:
                raise CommandError(e.args[1])
            return
        for attr in TOKEN_ATTRS:
            values = [v.value for v in victims if v.attr == attr]
            for i in range(0, len(values), PURGE_BATCH):
                m = ldb.Message()
                m.dn = ldb.Dn(self.samdb, u.dn)
                m[attr] = ldb.MessageElement(values[i:i + PURGE_BATCH],
                                             ldb.FLAG_MOD_DELETE, attr)
                try:
                    self.samdb.modify(m)
                except ldb.LdbError as e:
                    raise CommandError(
                        "deleting %d values of %s of '%s' (someone may "
                        "have changed them meanwhile; run again)" %
                        (len(values[i:i + PURGE_BATCH]), attr, u.name), e)


# ---- policy --------------------------------------------------------------

POLICY_OPTIONS = [
    # option dest, policy value, kind
    ("roaming", "DIMSRoaming", "onoff"),
    ("tombstone_days", "DIMSRoamingTombstoneDays", "number"),
    ("max_tokens", "DIMSRoamingMaxNumTokens", "number"),
    ("max_token_size", "DIMSRoamingMaxTokenSize", "number"),
    ("roam_unaffiliated_keys", "RoamUnaffiliatedKeys", "onoff"),
    ("roam_unused_dpapi_keys", "RoamUnusedDpapiKeys", "onoff"),
    ("roam_smart_card_certificates", "RoamSmartCardCertificates", "onoff"),
]


def parse_policy_setting(name, kind, text):
    """None to remove the value, else the number to set."""
    t = text.strip().lower()
    if t in ("unset", "none", "not-configured"):
        return None
    if kind == "onoff" and t in ("on", "yes", "true", "enabled"):
        return 1
    if kind == "onoff" and t in ("off", "no", "false", "disabled"):
        return 0
    try:
        return int(t, 0)
    except ValueError:
        raise CommandError("%s: '%s' is not %s or 'unset'" %
                           (name, text, "on/off" if kind == "onoff"
                            else "a number"))


def gpt_ini_version(text):
    m = re.search(r"(?im)^[ \t]*Version[ \t]*=[ \t]*(\d+)[ \t]*\r?$", text)
    return int(m.group(1)) if m else 0


def gpt_ini_set_version(text, version):
    if not text.strip():
        return "[General]\r\nVersion=%d\r\n" % version
    pattern = r"(?im)^([ \t]*Version[ \t]*=[ \t]*)\d+"
    if re.search(pattern, text):
        return re.sub(pattern, lambda m: "%s%d" % (m.group(1), version),
                      text, count=1)
    nl = "\r\n" if "\r\n" in text else "\n"
    m = re.search(r"(?im)^\[General\][^\n]*\n", text)
    if m:
        return text[:m.end()] + "Version=%d%s" % (version, nl) + \
            text[m.end():]
    return "[General]%sVersion=%d%s" % (nl, version, nl) + text


def bump_user_version(version, user_part):
    """The GPO version with the user part (high 16 bits) set."""
    return ((user_part & 0xFFFF) << 16) | (version & 0xFFFF)


def next_user_version(*versions):
    user = max((v >> 16) & 0xFFFF for v in versions) + 1
    return user if user <= 0xFFFF else 1


def extension_groups(names):
    """gPCUserExtensionNames "[{cse}{tool}...]..." as [[cse, [tools]]]."""
    parsed = []
    for g in re.findall(r"\[([^\]]*)\]", names or ""):
        guids = re.findall(r"\{[0-9A-Fa-f-]+\}", g)
        if guids:
            parsed.append([guids[0], guids[1:]])
    return parsed


def extension_listed(names, cse, tool):
    for g in extension_groups(names):
        if g[0].upper() == cse.upper():
            return tool.upper() in [t.upper() for t in g[1]]
    return False


def extension_names_add(names, cse, tool):
    """gPCUserExtensionNames with [cse tool] listed, groups sorted."""
    if extension_listed(names, cse, tool):
        return names
    parsed = extension_groups(names)
    for g in parsed:
        if g[0].upper() == cse.upper():
            if tool.upper() not in [t.upper() for t in g[1]]:
                g[1].append(tool)
                g[1].sort(key=str.upper)
            break
    else:
        parsed.append([cse, [tool]])
    parsed.sort(key=lambda g: g[0].upper())
    return "".join("[%s%s]" % (g[0], "".join(g[1])) for g in parsed)


class GpoAccess(object):
    """A GPO: its AD object and its User/Registry.pol, GPT.INI on SYSVOL."""

    ATTRS = ["name", "displayName", "gPCFileSysPath", "versionNumber",
             "gPCUserExtensionNames", "flags"]

    def __init__(self, cmd, msg):
        self.cmd = cmd
        self.msg = msg
        self.dn = msg.dn
        self.guid = str(msg["name"][0])
        self.display_name = str(msg.get("displayName", idx=0) or "")
        self.version = int(msg.get("versionNumber", idx=0) or 0)
        self.version_present = msg.get("versionNumber") is not None
        ext = msg.get("gPCUserExtensionNames", idx=0)
        self.extension_names = str(ext) if ext is not None else None
        path = str(msg.get("gPCFileSysPath", idx=0) or "")
        parts = [p for p in path.split("\\") if p]
        if len(parts) < 3:
            raise CommandError("GPO %s has no usable gPCFileSysPath ('%s')"
                               % (self.guid, path))
        self.unc = path
        self.service = parts[1]
        self.dir = "\\".join(parts[2:])
        self.pol_path = self.dir + "\\User\\Registry.pol"
        self.gpt_path = self.dir + "\\GPT.INI"
        self._conn = None

    @staticmethod
    def find_all(cmd, gpo=None):
        base = "CN=Policies,CN=System,%s" % cmd.samdb.domain_dn()
        expr = "(objectClass=groupPolicyContainer)"
        if gpo is not None:
            expr = "(&%s(|(name=%s)(displayName=%s)))" % (
                expr, ldb.binary_encode(gpo), ldb.binary_encode(gpo))
        try:
            res = cmd.samdb.search(base=base, scope=ldb.SCOPE_ONELEVEL,
                                   expression=expr, attrs=GpoAccess.ATTRS)
        except ldb.LdbError as e:
            raise CommandError("searching for GPOs", e)
        gpos = [GpoAccess(cmd, m) for m in res]
        if gpo is not None and len(gpos) != 1:
            raise CommandError("%s GPO named '%s' (give its {GUID})" %
                               ("no" if not gpos else "more than one", gpo))
        gpos.sort(key=lambda g: g.display_name.lower())
        return gpos

    def conn(self):
        if self._conn is not None:
            return self._conn
        from samba.samba3 import libsmb_samba_internal as libsmb
        from samba.samba3 import param as s3param
        from samba.credentials import SMB_SIGNING_REQUIRED
        host = self.cmd.dc_host
        if host is None:
            from samba.netcmd.common import netcmd_finddc
            host = netcmd_finddc(self.cmd.lp, self.cmd.creds)
        creds = self.cmd.creds
        signing = creds.get_smb_signing()
        creds.set_smb_signing(SMB_SIGNING_REQUIRED)
        try:
            s3_lp = s3param.get_context()
            s3_lp.load(self.cmd.lp.configfile)
            self._conn = libsmb.Conn(host, self.service, lp=s3_lp,
                                     creds=creds)
        except Exception as e:
            raise CommandError("connecting to \\\\%s\\%s over SMB" %
                               (host, self.service), e)
        finally:
            creds.set_smb_signing(signing)
        return self._conn

    def load(self, path):
        """The file's bytes, or None when it does not exist."""
        from samba import NTSTATUSError
        try:
            return self.conn().loadfile(path)
        except NTSTATUSError as e:
            # OBJECT_NAME_NOT_FOUND, OBJECT_PATH_NOT_FOUND,
            # OBJECT_NAME_INVALID
            if e.args[0] in (0xC0000034, 0xC000003A, 0xC0000033):
                return None
            raise CommandError("reading %s\\%s" % (self.service, path), e)

    def save(self, path, data):
        from samba import NTSTATUSError
        conn = self.conn()
        try:
            parts = path.split("\\")[:-1]
            for i in range(len(parts)):
                d = "\\".join(parts[:i + 1])
                if not conn.chkpath(d):
                    conn.mkdir(d)
            conn.savefile(path, data)
        except NTSTATUSError as e:
            raise CommandError("writing %s\\%s" % (self.service, path), e)

    def label(self):
        return "%s %s" % (self.guid, self.display_name)

    def policy(self):
        """(Registry.pol bytes or None, entries, effective policy)"""
        pol = self.load(self.pol_path)
        entries = []
        pols = []
        if pol is not None:
            try:
                entries = _credroam.pol_parse(pol, self.pol_path)
                pols = [(pol, self.display_name or self.guid)]
            except _credroam.Error as e:
                raise CommandError(e.args[1])
        effective = _credroam.policy_effective(pols)
        return pol, entries, effective


def key_entries(entries):
    key = _credroam.POLICY_KEY.lower()
    return [e for e in entries if e["key"].lower() == key]


class cmd_credroam_policy_show(CredroamCommand):
    """Show the credential roaming policy a GPO sets.

Reads the GPO's User/Registry.pol from SYSVOL over SMB and shows the
values under HKCU\\Software\\Policies\\Microsoft\\Cryptography\\AutoEnrollment
and what they give when this GPO alone applies.  Without GPO, every GPO
that has such values.  GPO is the {GUID} or the display name.
"""

    synopsis = "%prog [GPO] [options]"
    takes_args = ["gpo?"]
    takes_options = [CredroamCommand.url_option, CredroamCommand.json_option]

    def run(self, gpo=None, H=None, json=False, sambaopts=None,
            credopts=None, versionopts=None):
        self.connect(H, sambaopts, credopts)
        results = []
        for g in GpoAccess.find_all(self, gpo):
            pol, entries, eff = g.policy()
            mine = key_entries(entries)
            if gpo is None and not mine:
                continue
            results.append(self.describe(g, pol, entries, mine, eff))
        if json:
            self.write_json(results if gpo is None else results[0])
            return
        if not results:
            self.outf.write("no GPO sets credential roaming values\n")
            return
        out = []
        for r in results:
            out += self.render(r)
            out.append("")
        self.outf.write("\n".join(out[:-1]) + "\n")

    @staticmethod
    def describe(g, pol, entries, mine, eff):
        return {
            "gpo": g.guid,
            "display_name": g.display_name,
            "file": g.unc + "\\User\\Registry.pol",
            "file_present": pol is not None,
            "file_entries": len(entries),
            "version": g.version,
            "user_version": (g.version >> 16) & 0xFFFF,
            "machine_version": g.version & 0xFFFF,
            "registry_cse_listed": extension_listed(g.extension_names,
                                                    REGISTRY_CSE,
                                                    REGISTRY_TOOL),
            "entries": [dict((k, v.hex() if isinstance(v, bytes) else v)
                             for k, v in e.items()) for e in mine],
            "roaming_on": eff["roaming_on"],
            "reason_off": eff["reason_off"],
            "values": eff["values"],
        }

    @staticmethod
    def render(r):
        out = ["GPO         %s %s" % (r["gpo"], r["display_name"]),
               "file        %s (%s)" % (r["file"],
                                        "%d entries" % r["file_entries"]
                                        if r["file_present"] else "absent"),
               "version     user %d, machine %d" % (r["user_version"],
                                                    r["machine_version"]),
               "registry CSE listed in gPCUserExtensionNames: %s" %
               ("yes" if r["registry_cse_listed"] else "no"),
               "HKCU\\%s:" % _credroam.POLICY_KEY]
        for v in r["values"]:
            if v["set"] and not v["invalid"]:
                how = "set"
            elif v["set"]:
                how = "invalid, default used: %s" % v["note"]
            elif v["note"]:
                how = "not set (%s)" % v["note"]
            else:
                how = "not set, default"
            out.append("  %-26s %-10d %s" % (v["name"], v["value"], how))
        others = [e for e in r["entries"]
                  if e["action"] != "set" or e["target"] is None or
                  e["target"].lower() not in
                  [v["name"].lower() for v in r["values"]]]
        for e in others:
            out.append("  (also %s %s)" % (e["value"], e["type_name"]))
        out.append("roaming     %s" % ("on" if r["roaming_on"] else
                                       "off: %s" % r["reason_off"]))
        return out


class cmd_credroam_policy_set(CredroamCommand):
    """Set credential roaming policy values in a GPO.

Writes the values into the GPO's User/Registry.pol on SYSVOL (other
entries are kept as they are), raises the user part of the GPO version in
GPT.INI and in the GPO object (versionNumber) so clients apply it again,
and lists the Registry client-side extension in gPCUserExtensionNames.
A value given as 'unset' is removed (not configured).

Example:
samba-tool credroam policy set {GUID} --roaming on --max-tokens 500 \\
    -H ldap://dc1.example.com -U Administrator
"""

    synopsis = "%prog GPO [--roaming on|off] [--tombstone-days N] " \
               "[--max-tokens N] [--max-token-size N] ... [options]"
    takes_args = ["gpo"]
    takes_options = [
        CredroamCommand.url_option,
        Option("--roaming", metavar="on|off|unset",
               help="DIMSRoaming: roam certificates and keys"),
        Option("--tombstone-days", metavar="N|unset",
               help="DIMSRoamingTombstoneDays"),
        Option("--max-tokens", metavar="N|unset",
               help="DIMSRoamingMaxNumTokens"),
        Option("--max-token-size", metavar="N|unset",
               help="DIMSRoamingMaxTokenSize"),
        Option("--roam-unaffiliated-keys", metavar="on|off|unset",
               help="RoamUnaffiliatedKeys"),
        Option("--roam-unused-dpapi-keys", metavar="on|off|unset",
               help="RoamUnusedDpapiKeys"),
        Option("--roam-smart-card-certificates", metavar="on|off|unset",
               help="RoamSmartCardCertificates"),
        Option("--value", action="append", metavar="NAME=N|unset",
               default=[], help="any value of the key by name "
               "(e.g. AEPolicy=7); repeatable"),
    ]

    def run(self, gpo, H=None, value=None, sambaopts=None, credopts=None,
            versionopts=None, **settings):
        changes = []
        for dest, name, kind in POLICY_OPTIONS:
            text = settings.get(dest)
            if text is not None:
                changes.append((name, parse_policy_setting(name, kind,
                                                           text)))
        known = policy_info()
        for item in value or []:
            name, sep, text = item.partition("=")
            if not sep or name.strip().lower() not in known:
                raise CommandError("--value '%s': expected NAME=N with "
                                   "NAME one of %s" %
                                   (item, ", ".join(v["name"] for v in
                                                    known.values())))
            changes.append((known[name.strip().lower()]["name"],
                            parse_policy_setting(name, "number", text)))
        if not changes:
            raise CommandError("nothing to set: give --roaming, "
                               "--tombstone-days, --max-tokens, ...")
        self.connect(H, sambaopts, credopts)
        g = GpoAccess.find_all(self, gpo)[0]
        old = g.load(g.pol_path)
        try:
            new = _credroam.pol_update(old, changes)
        except _credroam.Error as e:
            raise CommandError("%s: %s" % (g.pol_path, e.args[1]))
        if new == old:
            self.outf.write("%s already says so; nothing changed\n" %
                            g.label())
            return
        g.save(g.pol_path, new)
        gpt = g.load(g.gpt_path)
        gpt_text = self.decode_ini(gpt)
        user = next_user_version(g.version, gpt_ini_version(gpt_text))
        new_gpt = bump_user_version(gpt_ini_version(gpt_text), user)
        new_ad = bump_user_version(g.version, user)
        g.save(g.gpt_path, self.encode_ini(gpt,
                                           gpt_ini_set_version(gpt_text,
                                                               new_gpt)))
        self.update_object(g, new_ad)
        for name, v in changes:
            self.outf.write("%s = %s\n" % (name, "unset" if v is None
                                           else v))
        self.outf.write("%s: Registry.pol written, version %d (user %d)\n"
                        % (g.label(), new_ad, user))

    @staticmethod
    def decode_ini(data):
        if data is None:
            return ""
        if data.startswith(b"\xff\xfe"):
            return data[2:].decode("utf-16-le", "surrogatepass")
        return data.decode("latin-1")

    @staticmethod
    def encode_ini(old, text):
        if old is not None and old.startswith(b"\xff\xfe"):
            return b"\xff\xfe" + text.encode("utf-16-le", "surrogatepass")
        return text.encode("latin-1")

    def update_object(self, g, version):
        m = ldb.Message()
        m.dn = g.dn
        if g.version_present:
            m["v0"] = ldb.MessageElement(str(g.version), ldb.FLAG_MOD_DELETE,
                                         "versionNumber")
        m["v1"] = ldb.MessageElement(str(version), ldb.FLAG_MOD_ADD,
                                     "versionNumber")
        names = extension_names_add(g.extension_names, REGISTRY_CSE,
                                    REGISTRY_TOOL)
        if names != g.extension_names:
            m["e"] = ldb.MessageElement(names, ldb.FLAG_MOD_REPLACE,
                                        "gPCUserExtensionNames")
        try:
            self.samdb.modify(m)
        except ldb.LdbError as e:
            raise CommandError("updating versionNumber of %s (changed "
                               "meanwhile?)" % g.label(), e)


class cmd_credroam_policy(SuperCommand):
    """Credential roaming Group Policy values in a GPO."""

    subcommands = {
        "show": cmd_credroam_policy_show(),
        "set": cmd_credroam_policy_set(),
    }


# ---- guard ----------------------------------------------------------------

class cmd_guard_unavailable(Command):
    """The credroam_guard ldb module (not available here)."""

    synopsis = "%prog ..."
    takes_args = ["args*"]
    reason = "credroam.guard is not installed"

    def run(self, *args, **kwargs):
        raise CommandError("samba-tool credroam guard is not available: %s"
                           % self.reason)


def load_guard():
    try:
        from credroam.guard import cmd_guard
        return cmd_guard()
    except ImportError as e:
        stub = cmd_guard_unavailable()
        stub.reason = "%s (%s)" % (cmd_guard_unavailable.reason, e)
        return stub


class cmd_credroam(SuperCommand):
    """Credential roaming: users' roaming tokens, policy, DC guard."""

    subcommands = {
        "list": cmd_credroam_list(),
        "show": cmd_credroam_show(),
        "stats": cmd_credroam_stats(),
        "purge": cmd_credroam_purge(),
        "policy": cmd_credroam_policy(),
        "guard": load_guard(),
    }
