#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""snapshot.py: one user's roaming as a normalized digest, to compare the
end of a run killed and rerun with the end of an uninterrupted run.

    snapshot.py --sam PARTITION.LDB --dn DN --store DIR

Reads the user's object straight from the DC's domain partition file
(sam.ldb.d/DC=....ldb: root on the DC host, fast, and it works while the
DC is stopped; removed link values are skipped) and the local store, and
prints sorted lines:

    ad <attr> <type> <id> live|tomb <data length>
    local roaming/<folder>/<id> <verdict>    verdict: same-as-ad, differs,
                                             not-in-ad, ad-tombstone
    certs <name> <sha256>                    certs/ is deterministic
    trash <sha256>                           what runs moved away
    state item <type> <id> <verdict>         same-as-ad, differs, not-in-ad
    state cert <thumbprint> <key type> <key id> <key written>
    state timestamp same-as-ad|differs|none
    ERROR <what>                             duplicates, leftovers

Bytes a run makes afresh each time (FILETIMEs, a new master key, the
encryption of a key container) are not compared with the reference run;
instead every local token must equal its AD value byte for byte and the
state must record that very content.  Identifiers that are random (master
key GUIDs) print as "GUID".
"""
import argparse
import base64
import hashlib
import json
import os
import re
import subprocess
import sys

ATTRS = ("msPKIAccountCredentials", "msPKIDPAPIMasterKeys")
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                     r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def ldif_values(text):
    """{attr: [bytes]} from ldbsearch output (folded lines, '::' base64)."""
    out = {}
    unfolded = []
    for line in text.splitlines():
        if line.startswith(" ") and unfolded:
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    for line in unfolded:
        if line.startswith("#") or ":" not in line:
            continue
        name, rest = line.split(":", 1)
        if rest.startswith(":"):
            value = base64.b64decode(rest[1:].strip())
        else:
            value = rest.strip().encode()
        out.setdefault(name, []).append(value)
    return out


def dnbinary_token(value):
    """The token bytes of a DN-Binary value B:<n>:<HEX>:<dn>."""
    s = value.decode("ascii", "replace")
    parts = s.split(":", 3)
    if len(parts) < 4 or parts[0] != "B":
        return None
    try:
        return bytes.fromhex(parts[2][:int(parts[1])])
    except ValueError:
        return None


def deleted_link(value):
    """A removed value of a linked attribute, as the partition keeps it."""
    m = re.search(rb"<RMD_FLAGS=([0-9]+)>", value)
    return m is not None and int(m.group(1)) & 1 == 1


def token_fields(raw):
    """(type, id, flags, data length) of a token, or None."""
    if raw is None or len(raw) < 0x84 or raw[0:1] != b"%" or \
            raw[2:3] != b"\\":
        return None
    ttype = raw[1:2].decode("ascii", "replace")
    ident = raw[3:0x60].split(b"\0", 1)[0].decode("ascii", "replace")
    flags = int.from_bytes(raw[0x68:0x6a], "little")
    dlen = int.from_bytes(raw[0x80:0x84], "little")
    return ttype, ident, flags, dlen


def norm_id(ident):
    return "GUID" if GUID_RE.match(ident) else ident


def sha256(data):
    return hashlib.sha256(data).hexdigest()[:16]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sam", required=True)
    ap.add_argument("--dn", required=True)
    ap.add_argument("--store", required=True)
    args = ap.parse_args()
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    text = subprocess.run(
        ["ldbsearch", "-H", args.sam, "-b", args.dn, "-s", "base"] +
        list(ATTRS) + ["msPKIRoamingTimeStamp"],
        capture_output=True, env=env, check=True).stdout.decode(
            "utf-8", "replace")
    values = ldif_values(text)
    ts_values = values.get("msPKIRoamingTimeStamp", [])
    lines = []
    ad = {}          # (type, id) -> token bytes (live and tombstones)
    for attr in ATTRS:
        for v in values.get(attr, []):
            if deleted_link(v):
                continue
            raw = dnbinary_token(v)
            f = token_fields(raw)
            if f is None:
                lines.append("ad %s unparsable %s" % (attr, sha256(v)))
                continue
            ttype, ident, flags, dlen = f
            kind = "tomb" if flags & 1 else "live"
            lines.append("ad %s %s %s %s %d" % (attr, ttype, norm_id(ident),
                                                 kind, dlen))
            if (ttype, ident) in ad:
                lines.append("ERROR duplicate identity in AD: %s %s" %
                             (ttype, ident))
            ad[(ttype, ident)] = raw

    store = args.store
    roaming = os.path.join(store, "roaming")
    for folder, _dirs, files in os.walk(roaming):
        for name in files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, store)
            data = open(path, "rb").read()
            if name.startswith("."):
                lines.append("ERROR leftover %s" % rel)
                continue
            f = token_fields(data)
            if f is None:
                lines.append("local %s unparsable" % rel)
                continue
            key = (f[0], f[1])
            if key not in ad:
                verdict = "not-in-ad"
            elif token_fields(ad[key])[2] & 1:
                verdict = "ad-tombstone"
            elif ad[key] == data:
                verdict = "same-as-ad"
            else:
                verdict = "differs"
            lines.append("local %s/%s %s" % (os.path.dirname(rel),
                                             norm_id(name), verdict))
    for sub in ("certs", "trash"):
        d = os.path.join(store, sub)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if not os.path.isfile(path):
                lines.append("%s %s not-a-file" % (sub, name))
                continue
            digest = sha256(open(path, "rb").read())
            if sub == "certs":
                if name.startswith("."):
                    lines.append("ERROR leftover certs/%s" % name)
                else:
                    lines.append("certs %s %s" % (name, digest))
            else:
                lines.append("trash %s" % digest)
    for name in os.listdir(store) if os.path.isdir(store) else []:
        if name.startswith(".") and name != ".lock":
            lines.append("ERROR leftover %s" % name)

    state_path = os.path.join(store, "state")
    if os.path.exists(state_path):
        st = json.load(open(state_path))
        for it in st.get("items", []):
            key = (str(it["type"]), it["id"])
            if key not in ad:
                verdict = "not-in-ad"
            else:
                ad_sha1 = ad[key][0x6c:0x80].hex().upper()
                verdict = "same-as-ad" if ad_sha1 == it["sha1"].upper() \
                    else "differs"
            lines.append("state item %s %s %s" % (key[0], norm_id(key[1]),
                                                  verdict))
        for c in st.get("certs", []):
            lines.append("state cert %s %s %s %s" % (
                c["thumbprint"], c["key_type"], norm_id(c["key_id"] or "-"),
                c["key_written"]))
        ts = st.get("timestamp")
        if ts is None:
            lines.append("state timestamp none")
        elif ts_values and ts.upper() == ts_values[0].hex().upper():
            lines.append("state timestamp same-as-ad")
        else:
            lines.append("state timestamp differs")
    else:
        lines.append("state absent")
    print("\n".join(sorted(lines)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
