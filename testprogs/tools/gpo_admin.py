#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# gpo_admin.py DC PASSWORD < COMMANDS - a domain administrator's Group
# Policy work for test_gpo.sh, in one process (samba-tool started once per
# command costs a Python start-up each).  One command per line (shell
# quoting):
#
#   st ARGS...                 samba-tool ARGS -H ldap://DC -U Administrator
#   create NAME                samba-tool gpo create NAME
#   find NAME                  the GPO called NAME (for a later batch)
#   pol NAME VERSION FILE      put FILE as the GPO's User/Registry.pol over
#                              SMB (signed), set versionNumber and list the
#                              registry extension in gPCUserExtensionNames
#   flags NAME N               set the GPO's flags attribute
#   link CONTAINER NAME [OPT]  samba-tool gpo setlink (OPT --enforce/--disable)
#   deny-apply NAME SID        deny the Apply Group Policy right to SID
#
# Prints "ok COMMAND" or "error COMMAND: WHY" per line, and
# "guid NAME {GUID}" after create.
import shlex
import sys

import ldb
from samba import param
from samba.auth import system_session
from samba.credentials import Credentials, SMB_SIGNING_REQUIRED
from samba.netcmd.main import cmd_sambatool
from samba.samba3 import libsmb_samba_internal as libsmb
from samba.samba3 import param as s3param
from samba.samdb import SamDB

REGEXT = ('[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}'
          '{D02B1F73-3407-48AE-BA88-E8213C6761F1}]')
APPLY = 'edacfd8f-ffb3-11d1-b41d-00a0c968f939'

dc, password = sys.argv[1], sys.argv[2]
url = 'ldap://%s' % dc
lp = param.LoadParm()
lp.load_default()
creds = Credentials()
creds.guess(lp)
creds.set_username('Administrator')
creds.set_password(password)
samdb = SamDB(url=url, session_info=system_session(), credentials=creds,
              lp=lp)
base = str(samdb.get_default_basedn())
realm = samdb.domain_dns_name()
guids = {}
smb = None


def samba_tool(*args):
    rc = cmd_sambatool()._run('samba-tool', *args, '-H', url,
                              '-U', 'Administrator%' + password)
    if rc:
        raise RuntimeError('samba-tool %s exited %s' % (args[0], rc))


def gpo_dn(name):
    return 'CN=%s,CN=Policies,CN=System,%s' % (guids[name], base)


def modify(dn, attr, value):
    m = ldb.Message()
    m.dn = ldb.Dn(samdb, dn)
    m[attr] = ldb.MessageElement(value, ldb.FLAG_MOD_REPLACE, attr)
    samdb.modify(m)


def sysvol():
    global smb
    if smb is None:
        creds.set_smb_signing(SMB_SIGNING_REQUIRED)
        s3_lp = s3param.get_context()
        s3_lp.load(lp.configfile)
        smb = libsmb.Conn(dc, 'sysvol', lp=s3_lp, creds=creds)
    return smb


def run(words):
    cmd, args = words[0], words[1:]
    if cmd == 'st':
        samba_tool(*args)
    elif cmd == 'create' or cmd == 'find':
        if cmd == 'create':
            samba_tool('gpo', 'create', args[0])
        res = samdb.search(base='CN=Policies,CN=System,' + base,
                           scope=ldb.SCOPE_ONELEVEL,
                           expression='(displayName=%s)' %
                           ldb.binary_encode(args[0]), attrs=['cn'])
        guids[args[0]] = str(res[0]['cn'][0])
        print('guid %s %s' % (args[0], guids[args[0]]))
    elif cmd == 'pol':
        name, version, path = args
        with open(path, 'rb') as f:
            data = f.read()
        sysvol().savefile('%s\\Policies\\%s\\User\\Registry.pol' %
                          (realm, guids[name]), data)
        modify(gpo_dn(name), 'versionNumber', version)
        modify(gpo_dn(name), 'gPCUserExtensionNames', REGEXT)
    elif cmd == 'flags':
        modify(gpo_dn(args[0]), 'flags', args[1])
    elif cmd == 'link':
        samba_tool('gpo', 'setlink', args[0], guids[args[1]], *args[2:])
    elif cmd == 'deny-apply':
        samba_tool('dsacl', 'set', '--objectdn=' + gpo_dn(args[0]),
                   '--sddl=(OD;;CR;%s;;%s)' % (APPLY, args[1]))
    else:
        raise RuntimeError('unknown command')


for line in sys.stdin:
    words = shlex.split(line)
    if not words:
        continue
    try:
        run(words)
        print('ok %s' % ' '.join(words))
    except Exception as e:
        print('error %s: %s' % (' '.join(words), e))
    sys.stdout.flush()
