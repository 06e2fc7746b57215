# SPDX-License-Identifier: GPL-3.0-or-later
# credroam: Windows Credential Roaming for Samba winbind members.
#
# The Python package holds the administrator's tools: `samba-tool credroam`
# (netcmd.py, run through the samba-tool wrapper in sambatool.py) over the
# libcredroam extension credroam._credroam.  Formats are never decoded in
# Python; the extension does it with the same code the client uses.
