# SPDX-License-Identifier: GPL-3.0-or-later
# The samba-tool wrapper: Samba's own samba-tool with `credroam` added.
#
# samba-tool has no plugin mechanism (spec/samba-integration.md 4), so the
# wrapper installed before /usr/bin/samba-tool on PATH imports Samba's
# command table, adds `credroam` to it and then does exactly what
# /usr/bin/samba-tool does: same arguments, output, help and exit codes.
# If the credroam package cannot be loaded, every other subcommand still
# works and `credroam` says why.

import signal
import sys


class _Unavailable(object):
    """Stands in for cmd_credroam when credroam.netcmd does not import."""

    def __init__(self, reason):
        from samba.netcmd import Command, CommandError

        class cmd_credroam(Command):
            """Credential roaming (not available: see the error)."""

            synopsis = "%prog ..."
            takes_args = ["args*"]

            def run(self, *args, **kwargs):
                raise CommandError("samba-tool credroam is not available: "
                                   "%s" % reason)

        self.command = cmd_credroam()


def credroam_command():
    try:
        from credroam.netcmd import cmd_credroam
        return cmd_credroam()
    except ImportError as e:
        return _Unavailable(str(e)).command


def main(argv=None):
    argv = sys.argv if argv is None else argv
    # as samba-tool: die at once on control-C (all writes are transactions)
    signal.signal(signal.SIGINT, signal.SIG_DFL)

    from samba.netcmd.main import cmd_sambatool
    cmd_sambatool.subcommands["credroam"] = credroam_command()
    cmd = cmd_sambatool()
    subcommand = argv[1] if len(argv) > 1 else None
    args = tuple(argv[2:])
    try:
        retval = cmd._run("samba-tool", subcommand, *args)
    except SystemExit as e:
        retval = e.code
    except Exception as e:
        cmd.show_command_error(e)
        retval = 1
    return retval
