# SPDX-License-Identifier: GPL-3.0-or-later
# samba-tool credroam guard enable|disable|status
#
# Puts the credroam_guard ldb module on top of this DC's sam.ldb stack
# (@MODULES @LIST: credroam_guard,samba_dsdb) or takes it off, safely
# (spec/dc-ldb-module.md 3.3 and 5):
#
#  * only while the DC is stopped: a running DC keeps the stack it loaded,
#    and its LDAP server opens a new one per connection;
#  * the @MODULES record is backed up first, as LDIF next to sam.ldb;
#  * enable first proves, in a child process, that this host's ldb loads
#    the module and that it refuses a CVE-2022-30170 token and accepts a
#    valid one: a DC whose @LIST names a module that does not load refuses
#    to start;
#  * disable takes the module out of @LIST before anything else, through
#    the raw database (no module stack), so it works when the module file
#    is gone or broken, which is exactly when it is needed.
#
# The @LIST edit is per DC and not replicated; `samba-tool dbcheck
# --force-modules` silently resets it.  `status` says so.
#
# The class samba-tool's `credroam` command table imports is cmd_guard.
# The file also runs alone:  python3 guard.py enable|disable|status [...]

import datetime
import errno
import fcntl
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

import ldb
import samba.getopt as options
from samba.netcmd import Command, CommandError, Option, SuperCommand

MODULE = "credroam_guard"
BACKUP_SUFFIX = ".ldif"


def _libldb_dir():
    """The directory of the libldb this process uses (Debian: the Samba ldb
    module directory is samba/ldb below it)."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if os.path.basename(path).startswith("libldb.so"):
                    return os.path.dirname(path)
    except OSError:
        pass
    return None


def default_modules_dir():
    """Where this host's ldb (and so the DC) looks for credroam_guard.so:
    LDB_MODULES_PATH if set, else Samba's ldb module directory."""
    env = os.environ.get("LDB_MODULES_PATH")
    if env:
        return env.split(":")[0]
    candidates = []
    libdir = _libldb_dir()
    if libdir is not None:
        candidates.append(os.path.join(libdir, "samba", "ldb"))
    candidates += ["/usr/lib/x86_64-linux-gnu/samba/ldb",
                   "/usr/lib64/samba/ldb", "/usr/lib/samba/ldb",
                   "/usr/local/samba/lib/ldb"]
    for c in candidates:
        if os.path.exists(os.path.join(c, "samba_dsdb.so")):
            return c
    return candidates[0]


# The check run in a child process, so that a module that crashes or
# fails to load cannot take samba-tool with it, and so that the child
# loads the module directory the way a starting DC does.
_PROBE = r'''
import hashlib, os, struct, sys, tempfile, ldb

def token(kind, ident, data):
    field = ident.encode("ascii").ljust(93, b"\0")
    return (b"%" + str(kind).encode() + b"\\" + field +
            struct.pack("<QHH", 0x01D29BD7FD571034, 0, 0) +
            hashlib.sha1(data).digest() + struct.pack("<I", len(data)) + data)

def value(tok, dn):
    return "B:%d:%s:%s" % (2 * len(tok), tok.hex().upper(), dn)

d = tempfile.mkdtemp(prefix="credroam-guard-probe.")
path = os.path.join(d, "probe.ldb")
try:
    db = ldb.Ldb("tdb://" + path, options=["modules:credroam_guard"])
    dn = "CN=probe,DC=credroam,DC=invalid"
    poc = token(3, "..\\..\\Windows\\Start Menu\\Programs\\Startup\\x.bat",
                b"@echo off")
    try:
        db.add({"dn": dn, "msPKIAccountCredentials": value(poc, dn)})
        print("credroam_guard accepted the CVE-2022-30170 token")
        sys.exit(1)
    except ldb.LdbError as e:
        if e.args[0] != ldb.ERR_CONSTRAINT_VIOLATION or \
                "credroam_guard" not in e.args[1]:
            print("unexpected refusal: %s" % (e.args,))
            sys.exit(1)
    good = token(7, "3B83BFA7037F6A79B3F3D17D229E1BC097F35B51", b"cert")
    db.add({"dn": dn, "msPKIAccountCredentials": value(good, dn)})
    res = db.search(dn, scope=ldb.SCOPE_BASE,
                    attrs=["msPKIRoamingTimeStamp"])
    if len(res) != 1 or "msPKIRoamingTimeStamp" not in res[0]:
        print("the module did not set msPKIRoamingTimeStamp")
        sys.exit(1)
    print("ok")
finally:
    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    os.rmdir(d)
'''


def probe_module():
    """(True, "ok") when a fresh process's ldb loads credroam_guard and it
    behaves; else (False, why)."""
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    try:
        p = subprocess.run([sys.executable, "-c", _PROBE], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, "could not run the check: %s" % e
    out = p.stdout.decode("utf-8", "replace").strip()
    if p.returncode == 0 and out.endswith("ok"):
        return True, "loads, refuses a CVE-2022-30170 token, sets the " \
            "timestamp"
    lines = [l for l in out.splitlines() if l.strip()]
    return False, (lines[-1] if lines else "exit %d" % p.returncode)


def sam_path(lp, H):
    url = H or lp.samdb_url()
    for prefix in ("tdb://", "mdb://", "ldb://"):
        if url.startswith(prefix):
            return url[len(prefix):]
    if "://" in url:
        raise CommandError("%s: the guard is set on the DC's own sam.ldb "
                           "file, not over the network" % url)
    return url


def _pid_running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _samba_processes(conf):
    """pids of `samba` processes started with this smb.conf."""
    found = []
    want = os.path.realpath(conf) if conf else None
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/comm" % entry) as f:
                comm = f.read().strip()
            if comm != "samba":
                continue
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                argv = [a.decode("utf-8", "replace")
                        for a in f.read().split(b"\0") if a]
        except OSError:
            continue
        confs = []
        for i, a in enumerate(argv):
            if a in ("-s", "--configfile") and i + 1 < len(argv):
                confs.append(argv[i + 1])
            elif a.startswith("--configfile="):
                confs.append(a.split("=", 1)[1])
            elif a.startswith("-s") and len(a) > 2:
                confs.append(a[2:])
        if want is None or any(os.path.realpath(c) == want for c in confs):
            found.append(int(entry))
    return found


def dc_running(lp, conf):
    """None when no DC runs on this configuration, else why we think one
    does."""
    pidfile = os.path.join(lp.get("pid directory"), "samba.pid")
    try:
        fd = os.open(pidfile, os.O_RDWR)
    except OSError:
        fd = None
    if fd is not None:
        try:
            # samba holds a write lock on its pid file while it runs
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, 0)
        except OSError as e:
            if e.errno in (errno.EACCES, errno.EAGAIN):
                return "%s is locked by a running samba" % pidfile
        finally:
            os.close(fd)
        try:
            with open(pidfile) as f:
                pid = int(f.read().split()[0])
            if _pid_running(pid):
                with open("/proc/%d/comm" % pid) as f:
                    if f.read().strip() == "samba":
                        return "samba runs as pid %d (%s)" % (pid, pidfile)
        except (OSError, ValueError, IndexError):
            pass
    pids = _samba_processes(conf)
    if pids:
        return "samba runs with %s as pid %s" % (
            conf, ", ".join(str(p) for p in pids))
    return None


def open_raw(path):
    """sam.ldb without any module stack: works whatever @LIST names."""
    if not os.path.exists(path):
        raise CommandError("%s does not exist" % path)
    return ldb.Ldb("tdb://" + path, options=["modules:"])


def read_list(db):
    res = db.search(base="@MODULES", scope=ldb.SCOPE_BASE, attrs=["@LIST"])
    if len(res) != 1 or "@LIST" not in res[0]:
        return None, []
    raw = str(res[0]["@LIST"][0])
    return raw, [m.strip() for m in raw.split(",") if m.strip()]


def backup_modules(db, path):
    """The @MODULES record as LDIF next to sam.ldb; returns its name."""
    res = db.search(base="@MODULES", scope=ldb.SCOPE_BASE)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y%m%dT%H%M%S.%fZ")
    out = "%s.@MODULES.%s%s" % (path, stamp, BACKUP_SUFFIX)
    text = "".join(db.write_ldif(m, ldb.CHANGETYPE_NONE) for m in res)
    d = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(prefix=".credroam-guard.", dir=d)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
        os.close(fd)
        fd = None
        os.rename(tmp, out)
        dfd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    finally:
        if fd is not None:
            os.close(fd)
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def write_list(db, modules):
    m = ldb.Message(ldb.Dn(db, "@MODULES"))
    m["@LIST"] = ldb.MessageElement(",".join(modules),
                                    ldb.FLAG_MOD_REPLACE, "@LIST")
    db.modify(m)


class _GuardCommand(Command):
    takes_optiongroups = {
        "sambaopts": options.SambaOptions,
        "versionopts": options.VersionOptions,
    }
    takes_options = [
        Option("-H", "--URL", dest="H", metavar="URL",
               help="the DC's sam.ldb (default: from smb.conf)"),
    ]

    def _setup(self, sambaopts, H):
        lp = sambaopts.get_loadparm()
        conf = lp.configfile
        return lp, conf, sam_path(lp, H)

    def _refuse_if_running(self, lp, conf):
        why = dc_running(lp, conf)
        if why is not None:
            raise CommandError("the DC is running (%s): stop it first; the "
                               "module stack is only read when samba "
                               "starts" % why)


class cmd_guard_enable(_GuardCommand):
    """Put credroam_guard on top of this DC's sam.ldb (DC stopped)."""

    synopsis = "%prog [options]"

    def run(self, sambaopts=None, versionopts=None, H=None):
        lp, conf, path = self._setup(sambaopts, H)
        self._refuse_if_running(lp, conf)
        db = open_raw(path)
        raw, modules = read_list(db)
        if raw is None:
            raise CommandError("%s has no @MODULES @LIST: not a Samba DC "
                               "database?" % path)
        if "samba_dsdb" not in modules:
            raise CommandError("%s: @LIST is '%s', without samba_dsdb: not "
                               "a Samba AD DC database" % (path, raw))
        ok, why = probe_module()
        if not ok:
            raise CommandError("credroam_guard does not work on this host "
                               "(%s): @MODULES left as it is (%s).  Is "
                               "credroam_guard.so installed in %s?" %
                               (why, raw, default_modules_dir()))
        if modules[0] == MODULE and modules.count(MODULE) == 1:
            self.outf.write("credroam_guard is already enabled (@LIST: "
                            "%s)\n" % raw)
            return
        backup = backup_modules(db, path)
        new = [MODULE] + [m for m in modules if m != MODULE]
        write_list(db, new)
        self.outf.write("credroam_guard enabled on %s\n"
                        "  @LIST: %s -> %s\n"
                        "  backup of @MODULES: %s\n"
                        "Start the DC to use it.  Every DC needs its own; "
                        "replication does not pass through it.\n" %
                        (path, raw, ",".join(new), backup))


class cmd_guard_disable(_GuardCommand):
    """Take credroam_guard off this DC's sam.ldb (DC stopped)."""

    synopsis = "%prog [options]"

    def run(self, sambaopts=None, versionopts=None, H=None):
        lp, conf, path = self._setup(sambaopts, H)
        self._refuse_if_running(lp, conf)
        db = open_raw(path)
        raw, modules = read_list(db)
        if MODULE not in modules:
            self.outf.write("credroam_guard is not enabled (@LIST: %s)\n" %
                            raw)
            return
        backup = backup_modules(db, path)
        new = [m for m in modules if m != MODULE] or ["samba_dsdb"]
        write_list(db, new)
        self.outf.write("credroam_guard disabled on %s\n"
                        "  @LIST: %s -> %s\n"
                        "  backup of @MODULES: %s\n"
                        "credroam_guard.so may now be removed.\n" %
                        (path, raw, ",".join(new), backup))


class cmd_guard_status(_GuardCommand):
    """Is credroam_guard enabled here, and does its module load?"""

    synopsis = "%prog [options]"

    def run(self, sambaopts=None, versionopts=None, H=None):
        lp, conf, path = self._setup(sambaopts, H)
        db = open_raw(path)
        raw, modules = read_list(db)
        enabled = bool(modules) and modules[0] == MODULE
        so = os.path.join(default_modules_dir(), MODULE + ".so")
        present = os.path.exists(so)
        ok, why = probe_module()
        running = dc_running(lp, conf)
        self.outf.write("credroam_guard: %s (@LIST: %s)\n" % (
            "enabled" if enabled else
            ("listed but not first" if MODULE in modules else "disabled"),
            raw))
        self.outf.write("module file: %s: %s\n" % (
            so, "present" if present else "missing"))
        self.outf.write("module: %s\n" % ("works: " + why if ok else
                                          "does NOT work: " + why))
        self.outf.write("DC: %s\n" % (running or "stopped"))
        if enabled and not ok:
            self.outf.write("WARNING: the DC will not start while @LIST "
                            "names a module that does not load; run "
                            "`samba-tool credroam guard disable`\n")


class cmd_guard(SuperCommand):
    """The credroam_guard ldb module on this DC's sam.ldb."""

    subcommands = {
        "enable": cmd_guard_enable(),
        "disable": cmd_guard_disable(),
        "status": cmd_guard_status(),
    }


if __name__ == "__main__":
    rc = cmd_guard()._run("samba-tool credroam guard", *sys.argv[1:])
    sys.exit(1 if rc else 0)
