#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile modifies of the token attributes, timed (issue 17, item 1).

guard_flood.py modify USER TARGET SHAPE
    USER (NTLM over LDAP) sends one modify of TARGET's object (a user
    name) and prints "secs=<seconds> rc=<LDAP code> bytes=<values' size>
    dc_cpu=<seconds> msg=<error text>", rc=0 when it was accepted;
    dc_cpu is the CPU time the DC's processes (the samba process tree)
    spent meanwhile.  SHAPE:
      flood    12 replace elements of 4000 distinct valid tokens each
               (the issue's 16.5 MB request)
      bound    for both token attributes: a replace of 4000 valid tokens
               and a delete of 4000 short values (what the guard's count
               bound still lets through)
      refused  bound plus an element the DC's access checks refuse
               (adminCount), so the unguarded DC answers cheaply
      write[:N]  a replace of N (default 4000) valid tokens in each
               token attribute, and msPKIRoamingTimeStamp (as a client sets it)
      own-full[:N]  for both token attributes: a delete of every value
               the object holds (read first, untimed) and an add of N
               (default 4000) new valid tokens; on an object `write:N`
               filled, with N = 4000 the biggest change the guard lets
               through that the DC then makes (the object is as full
               afterwards); with CLIENT_TS=1 in the environment the
               client also sets msPKIRoamingTimeStamp (as the guard
               does: both sides then write the same attributes)
      small    a replace of 2 valid tokens (restores a small object)
      NxM      N replace elements of M tokens each (msPKIAccountCredentials)
guard_flood.py links TARGET
    Counts TARGET's token attribute values as the DC stores them (its
    domain partition read directly, no module): the token attributes
    are linked, a deleted value stays as an inactive link.  Prints
    "live=<n> inactive=<m>" (both attributes together).
guard_flood.py search USER N
    N times: a new connection as USER (NTLM), one base search of the
    domain object; prints the seconds of each, one a line.

The environment is the one of selftest/with-domain (DOMAIN_*).
"""
import hashlib
import os
import re
import struct
import sys
import time

import ldb
import samba
from samba.credentials import Credentials, DONT_USE_KERBEROS
from samba.param import LoadParm

CRED = "msPKIAccountCredentials"
MKEY = "msPKIDPAPIMasterKeys"
TS = "msPKIRoamingTimeStamp"


def connect(user):
    lp = LoadParm()
    lp.load_default()
    creds = Credentials()
    creds.guess(lp)
    creds.set_domain(os.environ["DOMAIN_NAME"])
    creds.set_username(user)
    creds.set_password(os.environ["DOMAIN_USER_PASSWORD"])
    creds.set_kerberos_state(DONT_USE_KERBEROS)
    return samba.Ldb("ldap://" + os.environ["DOMAIN_DC"], credentials=creds,
                     lp=lp)


def user_dn(name):
    return "CN=%s,CN=Users,%s" % (name, os.environ["DOMAIN_BASEDN"])


def token(ttype, ident, data=b""):
    return (b"%" + ttype + b"\\" + ident.encode().ljust(93, b"\0") +
            struct.pack("<QHH", 0x01D29BD7FD571034, 0, 0) +
            hashlib.sha1(data).digest() + struct.pack("<I", len(data)) + data)


def values(attr, dn, n, salt):
    """n distinct valid DN-Binary token values of attr for dn"""
    out = []
    for i in range(n):
        seed = ("%s-%d" % (salt, i)).encode()
        if attr == MKEY:
            h = hashlib.sha1(seed).hexdigest()
            ident = "%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16],
                                        h[16:20], h[20:32])
            t = token(b"0", ident)
        else:
            t = token(b"7", hashlib.sha1(seed).hexdigest().upper())
        out.append("B:%d:%s:%s" % (2 * len(t), t.hex().upper(), dn))
    return out


def stored(db, dn, attr):
    res = db.search(base=dn, scope=ldb.SCOPE_BASE, attrs=[attr])
    el = res[0].get(attr)
    return [] if el is None else [str(v) for v in el]


def timestamp():
    """a msPKIRoamingTimeStamp value for now (two FILETIMEs)"""
    now = int(time.time() * 10**7) + 116444736000000000
    return struct.pack("<QQ", now, now)


def shape_elements(db, shape, dn):
    salt = "%s-%f" % (shape, time.time())
    els = []
    n = 4000
    if ":" in shape:
        shape, n = shape.split(":")
        n = int(n)
    if shape == "flood":
        shape = "12x4000"
    if "x" in shape:
        n, m = (int(x) for x in shape.split("x"))
        for e in range(n):
            els.append((CRED, ldb.FLAG_MOD_REPLACE,
                        values(CRED, dn, m, "%s-%d" % (salt, e))))
    elif shape in ("bound", "refused"):
        for attr in (CRED, MKEY):
            els.append((attr, ldb.FLAG_MOD_REPLACE,
                        values(attr, dn, 4000, salt)))
            els.append((attr, ldb.FLAG_MOD_DELETE,
                        ["%x" % i for i in range(4000)]))
        if shape == "refused":
            els.append(("adminCount", ldb.FLAG_MOD_REPLACE, ["1"]))
    elif shape == "write":
        for attr in (CRED, MKEY):
            els.append((attr, ldb.FLAG_MOD_REPLACE,
                        values(attr, dn, n, salt)))
        # as every client writing tokens does
        els.append((TS, ldb.FLAG_MOD_REPLACE, [timestamp()]))
    elif shape == "own-full":
        for attr in (CRED, MKEY):
            old = stored(db, dn, attr)
            if old:
                els.append((attr, ldb.FLAG_MOD_DELETE, old))
            els.append((attr, ldb.FLAG_MOD_ADD,
                        values(attr, dn, n, salt)))
        if os.environ.get("CLIENT_TS"):
            els.append((TS, ldb.FLAG_MOD_REPLACE, [timestamp()]))
    elif shape == "small":
        els.append((CRED, ldb.FLAG_MOD_REPLACE, values(CRED, dn, 2, salt)))
        els.append((MKEY, ldb.FLAG_MOD_DELETE, []))
    else:
        sys.exit("guard_flood.py: unknown shape '%s'" % shape)
    return els


def dc_seconds():
    """utime + stime of the DC's samba process tree, children included"""
    with open(os.path.join(os.environ["DOMAIN_DC_DIR"], "samba.pid")) as f:
        root = int(f.read().split()[0])
    parent, ticks = {}, {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(name)
        parent[pid] = int(fields[1])
        ticks[pid] = sum(int(x) for x in fields[11:15])
    total = 0
    for pid in ticks:
        p = pid
        while p not in (root, 0, 1) and p in parent:
            p = parent[p]
        if p == root:
            total += ticks[pid]
    return total / os.sysconf("SC_CLK_TCK")


def modify(user, target, shape):
    db = connect(user)
    dn = user_dn(target)
    msg = ldb.Message(ldb.Dn(db, dn))
    size = 0
    for i, (attr, flag, vals) in enumerate(shape_elements(db, shape, dn)):
        msg["e%d" % i] = ldb.MessageElement(vals, flag, attr)
        size += sum(len(v) for v in vals)
    rc, text = 0, ""
    c0 = dc_seconds()
    t0 = time.monotonic()
    try:
        db.modify(msg)
    except ldb.LdbError as e:
        rc, text = e.args[0], e.args[1]
    secs = time.monotonic() - t0
    cpu = dc_seconds() - c0
    print("secs=%.3f rc=%d bytes=%d dc_cpu=%.2f msg=%s" %
          (secs, rc, size, cpu, text.replace("\n", " ")[:300]))


def links(target):
    """live and inactive (RMD_FLAGS deleted bit) stored token values"""
    part = "%s/private/sam.ldb.d/%s.ldb" % (os.environ["DOMAIN_DC_DIR"],
                                           os.environ["DOMAIN_BASEDN"].upper())
    db = ldb.Ldb("tdb://" + part, flags=ldb.FLG_RDONLY, options=["modules:"])
    res = db.search(base=user_dn(target), scope=ldb.SCOPE_BASE,
                    attrs=[CRED, MKEY])
    live = inactive = 0
    for attr in (CRED, MKEY):
        for v in res[0].get(attr, []):
            m = re.search(rb"<RMD_FLAGS=([0-9]+)>", v)
            if m is not None and int(m.group(1)) & 1:
                inactive += 1
            else:
                live += 1
    print("live=%d inactive=%d" % (live, inactive))


def search(user, n):
    base = os.environ["DOMAIN_BASEDN"]
    for _ in range(n):
        t0 = time.monotonic()
        db = connect(user)
        db.search(base=base, scope=ldb.SCOPE_BASE, attrs=["objectGUID"])
        print("%.3f" % (time.monotonic() - t0), flush=True)
        del db


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "modify":
        modify(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 3 and sys.argv[1] == "links":
        links(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "search":
        search(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)


main()
