#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# mkusers.py URL ADMIN%PASS PASSWORD USER... - create domain users that
# never expire, in one connection (much faster than samba-tool per user).
import sys

from samba.auth import system_session
from samba.credentials import Credentials, DONT_USE_KERBEROS
from samba.param import LoadParm
from samba.samdb import SamDB


def main():
    url, admin, password = sys.argv[1:4]
    users = sys.argv[4:]
    lp = LoadParm()
    lp.load('/dev/null')
    creds = Credentials()
    creds.guess(lp)
    creds.parse_string(admin)
    creds.set_kerberos_state(DONT_USE_KERBEROS)
    samdb = SamDB(url=url, session_info=system_session(), credentials=creds,
                  lp=lp)
    for user in users:
        samdb.newuser(user, password, setpassword=True)
        samdb.setexpiry('(sAMAccountName=%s)' % user, 0, no_expiry_req=True)
    print('created %d users' % len(users), file=sys.stderr)


main()
