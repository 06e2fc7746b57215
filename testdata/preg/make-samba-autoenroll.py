#!/usr/bin/python3
# Writes samba-autoenroll.pol with Samba's own PReg NDR code (see PROVENANCE).
import sys
from samba.dcerpc import preg, misc
from samba.ndr import ndr_pack

AE = 'Software\\Policies\\Microsoft\\Cryptography\\AutoEnrollment'
ENTRIES = [
    (AE, '**delvals.', misc.REG_SZ, ' '),
    (AE, 'AEPolicy', misc.REG_DWORD, 7),
    (AE, 'DIMSRoaming', misc.REG_DWORD, 1),
    (AE, 'DIMSRoamingTombstoneDays', misc.REG_DWORD, 60),
    (AE, 'DIMSRoamingMaxNumTokens', misc.REG_DWORD, 2000),
    (AE, 'DIMSRoamingMaxTokenSize', misc.REG_DWORD, 65535),
    (AE, '**del.RoamUnaffiliatedKeys', misc.REG_SZ, ' '),
    ('Software\\Policies\\Microsoft\\Windows\\System', 'Label', misc.REG_SZ,
     'caf\u00e9 \U0001F600'),
    ('Software\\Policies\\Test', 'Q', misc.REG_QWORD, 0x0807060504030201),
]

pol = preg.file()
pol.header.signature = 'PReg'
pol.header.version = 1
entries = []
for key, value, rtype, data in ENTRIES:
    e = preg.entry()
    e.keyname = key
    e.valuename = value
    e.type = rtype
    e.data = data
    entries.append(e)
pol.num_entries = len(entries)
pol.entries = entries
sys.stdout.buffer.write(ndr_pack(pol))
