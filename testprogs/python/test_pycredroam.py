#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Unit tests of the credroam._credroam extension and the pure helpers of
# samba-tool credroam (credroam.netcmd).  Run from the top of the tree with
# Samba's python (the extension is built for it):
#
#   testprogs/python/test_pycredroam.py
#
# The build is found in $CREDROAM_BIN (default bin/), test data in
# $CREDROAM_TESTDATA (default testdata/).  Output follows cmocka's
# "[       OK ] name" lines, so testprogs/run-unit.sh counts it like the C
# tests.

import hashlib
import os
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BIN = os.environ.get("CREDROAM_BIN", os.path.join(TOP, "bin"))
sys.path.insert(0, os.path.join(BIN, "source", "python"))
TESTDATA = os.environ.get("CREDROAM_TESTDATA", os.path.join(TOP, "testdata"))

import ldb  # noqa: E402
from credroam import _credroam as c  # noqa: E402
from credroam import netcmd  # noqa: E402

DN = "CN=alice,CN=Users,DC=roam,DC=test"
EBADMSG = 74
EINVAL = 22
ESTALE = 116


def testdata(*path):
    with open(os.path.join(TESTDATA, *path), "rb") as f:
        return f.read()


def token_bytes(name):
    return testdata("dsinternals", name + ".token")


def with_identifier(raw, ident):
    """The same token bytes with another identifier field (93 bytes)."""
    b = bytearray(raw)
    b[3:96] = ident + b"\0" * (93 - len(ident))
    return bytes(b)


class TokenTests(unittest.TestCase):

    def test_dsinternals_tokens(self):
        cases = [
            ("capi-rsa-key", 1, "RSAPrivateKey",
             "701577141985b6923998dcca035c007a_"
             "f8b7bbef-d227-4ac7-badd-3a238a7f741e", 0, 2081),
            ("cng-certificate", 7, "CNGCertificate",
             "3B83BFA7037F6A79B3F3D17D229E1BC097F35B51", 0, 2206),
            ("cng-rsa-key", 9, "CNGPrivateKey",
             "B6AF1EF9D302A7332208091CC8C1EFF836F60620", 0, 2205),
            ("unreadable-cng-key", 9, "CNGPrivateKey",
             "F606B9A77244FCD95DB5E541A51D397B5BB1F079", 2, 0),
        ]
        for i, (name, typ, tname, ident, flags, length) in enumerate(cases):
            with self.subTest(case=i, name=name):
                raw = token_bytes(name)
                t = c.Token(raw)
                self.assertEqual(t.type, typ)
                self.assertEqual(t.type_name, tname)
                self.assertEqual(t.identifier, ident)
                self.assertEqual(t.identity, "%d\\%s" % (typ, ident))
                self.assertEqual(t.flags, flags)
                self.assertEqual(t.data_length, length)
                self.assertEqual(t.raw, raw)
                self.assertEqual(t.data, raw[0x84:0x84 + length])
                self.assertEqual(t.data_sha1, hashlib.sha1(
                    t.data).hexdigest().upper())
                self.assertTrue(t.sha1_valid)
                self.assertIsNone(t.problem)
                self.assertIsNone(t.refusal)
                self.assertFalse(t.tombstone)
                self.assertIsNone(t.dn)
                self.assertEqual(t.attribute, c.ATTR_CREDENTIALS)

    def test_filetime(self):
        t = c.Token(token_bytes("cng-certificate"))
        self.assertEqual(t.filetime, int.from_bytes(t.raw[0x60:0x68],
                                                    "little"))
        self.assertEqual(t.modified, "2017-03-13T08:58:31Z")
        self.assertEqual(c.filetime_iso8601(0), "1601-01-01T00:00:00Z")
        self.assertEqual(c.filetime_iso8601(116444736000000000),
                         "1970-01-01T00:00:00Z")
        self.assertGreater(c.filetime_now(), 133000000000000000)

    def test_dnbinary_round_trip(self):
        raw = token_bytes("cng-rsa-key")
        value = c.Token(raw).dnbinary(DN)
        self.assertTrue(value.startswith("B:%d:" % (2 * len(raw))))
        self.assertTrue(value.endswith(":" + DN))
        prefix, count, hexdigits, dn = value.split(":", 3)
        lower = ":".join([prefix, count, hexdigits.lower(), dn])
        self.assertNotEqual(lower, value)
        for v in (value, value.encode(), lower):
            t = c.Token(v)
            self.assertEqual(t.raw, raw)
            self.assertEqual(t.dn, DN)
            self.assertEqual(t.dnbinary(), value)

    def test_dnbinary_needs_dn(self):
        with self.assertRaises(ValueError):
            c.Token(token_bytes("cng-rsa-key")).dnbinary()

    def test_malformed(self):
        raw = token_bytes("cng-rsa-key")
        lying = bytearray(raw)
        lying[0x80:0x84] = (len(raw)).to_bytes(4, "little")
        cases = [
            (b"", "header-truncated"),
            (raw[:131], "header-truncated"),
            (b"#" + raw[1:], "bad-magic"),
            (bytes(lying), "data-past-end"),
            (raw + b"\0", "trailing-bytes"),
            ("B:8:DEADBEEF:" + DN, "header-truncated"),
            ("B:7:DEADBEE:" + DN, "dnb-odd-count"),
            ("B:8:DEADBEEF:", "dnb-empty-dn"),
            ("B:8:DEADBEXF:" + DN, "dnb-bad-hex"),
        ]
        for i, (value, problem) in enumerate(cases):
            with self.subTest(case=i, problem=problem):
                with self.assertRaises(c.Error) as cm:
                    c.Token(value)
                code, message, got = cm.exception.args
                self.assertEqual(code, EBADMSG)
                self.assertEqual(got, problem)
                self.assertTrue(message)

    def test_refused(self):
        raw = token_bytes("cng-certificate")
        t = c.Token(with_identifier(raw, b"..\\..\\Startup\\x.bat"))
        self.assertIn(t.problem, ("id-dotdot", "id-slash"))
        self.assertIn("refused", t.refusal)
        self.assertEqual(t.identifier, "..\\\\..\\\\Startup\\\\x.bat")
        self.assertEqual(t.identifier_raw, b"..\\..\\Startup\\x.bat")

        t = c.Token(with_identifier(raw, b"AB\x01CD"))
        self.assertEqual(t.problem, "id-control")
        self.assertEqual(t.identifier, "AB\\x01CD")

        bad = bytearray(raw)
        bad[-1] ^= 0xFF
        t = c.Token(bytes(bad))
        self.assertFalse(t.sha1_valid)
        self.assertEqual(t.problem, "hash-mismatch")

        t = c.Token(b"%5" + raw[2:])
        self.assertIsNone(t.type_name)
        self.assertIsNone(t.attribute)
        self.assertEqual(t.problem, "unknown-type")

    def test_judge(self):
        """The rules of cr_ad_value_judge, as the run and the guard."""
        raw = token_bytes("cng-certificate")
        value = c.Token(raw).dnbinary(DN)
        other = "CN=someone else," + DN.split(",", 1)[1]
        cases = [
            # (value, keywords, problem or None)
            (value, {}, None),
            (value, {"attribute": c.ATTR_CREDENTIALS, "owner": DN}, None),
            (value, {"owner": DN.lower().replace(",", ", ")}, None),
            (value, {"owner": other}, "dn-not-owner"),
            (value, {"attribute": c.ATTR_MASTERKEYS}, "wrong-attribute"),
            (c.Token(raw).dnbinary("<GUID=1>;" + DN), {}, "dn-extended"),
            (value + "\n", {"text": True}, None),
            (value + "\r\n", {"text": True, "owner": DN}, None),
        ]
        for i, (v, kw, problem) in enumerate(cases):
            with self.subTest(case=i, problem=problem):
                t = c.Token(v, **kw)
                self.assertEqual(t.problem, problem)
                if problem is None:
                    self.assertIsNone(t.refusal)
                else:
                    self.assertTrue(t.refusal)
        # too big: refused before the token is decoded
        with self.assertRaises(c.Error) as cm:
            c.Token(value, max_token_size=100)
        self.assertEqual(cm.exception.args[0], EINVAL)
        self.assertEqual(cm.exception.args[2], "value-too-big")
        # an AD value is not text: its line end is a control character
        with self.assertRaises(c.Error) as cm:
            c.Token(value + "\n")
        self.assertEqual(cm.exception.args[0], EBADMSG)
        self.assertEqual(cm.exception.args[2], "dnb-bad-dn")
        with self.assertRaises(c.Error) as cm:
            c.Token(value + "\n\n", text=True)
        self.assertEqual(cm.exception.args[2], "dnb-bad-dn")

    def test_tombstone(self):
        t = c.Token(token_bytes("cng-certificate").hex().join(
            ["B:%d:" % 4676, ":" + DN]))
        tomb = t.to_tombstone(133500000000000000)
        self.assertTrue(tomb.tombstone)
        self.assertFalse(t.tombstone)
        self.assertEqual(tomb.flags & c.FLAG_TOMBSTONE, c.FLAG_TOMBSTONE)
        self.assertEqual(tomb.identity, t.identity)
        self.assertEqual(tomb.data_length, 0)
        self.assertEqual(tomb.sha1, hashlib.sha1(b"").hexdigest().upper())
        self.assertTrue(tomb.sha1_valid)
        self.assertEqual(tomb.filetime, 133500000000000000)
        self.assertEqual(tomb.dn, DN)
        self.assertEqual(c.Token(tomb.dnbinary()).raw, tomb.raw)
        now = c.filetime_now()
        self.assertGreaterEqual(t.to_tombstone().filetime, now)

    def test_certificate(self):
        t = c.Token(token_bytes("cng-certificate"))
        info = t.certificate()
        self.assertEqual(info["thumbprint"], t.identifier)
        self.assertEqual(info["subject"], "EMAIL=admin@adatum.com,"
                         "CN=Administrator,CN=Users,DC=Adatum,DC=com")
        self.assertEqual(info["issuer"], "CN=AdatumCA,DC=Adatum,DC=com")
        self.assertEqual(info["not_after"], "2018-03-13T08:48:31Z")
        self.assertEqual(info["not_before"], "2017-03-13T08:48:31Z")
        self.assertEqual(info["key_provider"],
                         "Microsoft Software Key Storage Provider")
        self.assertEqual(info, c.certificate_info(t.data))
        der = t.data[-info["der_length"]:]
        self.assertEqual(hashlib.sha1(der).hexdigest().upper(),
                         info["thumbprint"])
        self.assertIsNone(c.Token(token_bytes("cng-rsa-key")).certificate())

    def test_certificate_malformed(self):
        der = testdata("certs", "selfsigned.der")
        with self.assertRaises(c.Error) as cm:
            c.certificate_info(der)
        self.assertEqual(cm.exception.args[0], EBADMSG)
        self.assertIsNotNone(cm.exception.args[2])
        with self.assertRaises(c.Error):
            c.certificate_info(b"")

    def test_type_errors(self):
        for bad in (None, 123, ["B:"]):
            with self.assertRaises(TypeError):
                c.Token(bad)
        with self.assertRaises(TypeError):
            c.read_tokens("not an ldb", DN)


class PolicyTests(unittest.TestCase):

    def test_values(self):
        v = dict((p["name"], p) for p in c.policy_values())
        self.assertEqual(v["DIMSRoaming"]["default"], 0)
        self.assertEqual(v["DIMSRoamingTombstoneDays"]["default"], 60)
        self.assertEqual(v["DIMSRoamingMaxNumTokens"]["default"], 2000)
        self.assertEqual(v["DIMSRoamingMaxTokenSize"]["default"], 65535)
        self.assertEqual((v["DIMSRoamingMaxNumTokens"]["min"],
                          v["DIMSRoamingMaxNumTokens"]["max"]), (1, 10000))

    def key_values(self, pol):
        return dict((e["value"], e["data"]) for e in c.pol_parse(pol)
                    if e["key"].lower() == c.POLICY_KEY.lower())

    def test_update_from_nothing(self):
        pol = c.pol_update(None, [("DIMSRoaming", 1),
                                  ("dimsroamingmaxnumtokens", 500)])
        self.assertEqual(pol[:8], b"PReg\x01\x00\x00\x00")
        self.assertEqual(self.key_values(pol),
                         {"DIMSRoaming": 1, "DIMSRoamingMaxNumTokens": 500})
        eff = c.policy_effective([(pol, "GPO A")])
        self.assertTrue(eff["roaming_on"])
        self.assertIsNone(eff["reason_off"])
        v = dict((x["name"], x) for x in eff["values"])
        self.assertEqual(v["DIMSRoamingMaxNumTokens"]["value"], 500)
        self.assertEqual(v["DIMSRoamingMaxNumTokens"]["source"], "GPO A")
        self.assertFalse(v["DIMSRoamingTombstoneDays"]["set"])
        self.assertEqual(v["DIMSRoamingTombstoneDays"]["value"], 60)

    def test_update_keeps_other_entries(self):
        old = testdata("preg", "samba-autoenroll.pol")
        before = c.pol_parse(old)
        new = c.pol_update(old, [("DIMSRoamingMaxNumTokens", 42),
                                 ("DIMSRoamingTombstoneDays", None)])
        after = c.pol_parse(new)
        others = [e for e in before if not e["value"].endswith(
            ("DIMSRoamingMaxNumTokens", "DIMSRoamingTombstoneDays"))]
        self.assertEqual([e for e in after if not e["value"].endswith(
            ("DIMSRoamingMaxNumTokens", "DIMSRoamingTombstoneDays"))],
            others)
        self.assertEqual(self.key_values(new)["DIMSRoamingMaxNumTokens"],
                         42)
        self.assertNotIn("DIMSRoamingTombstoneDays", self.key_values(new))
        # setting what is there gives the same bytes
        self.assertEqual(c.pol_update(new, [("DIMSRoamingMaxNumTokens",
                                              42)]), new)

    def test_update_refuses(self):
        with self.assertRaises(c.Error) as cm:
            c.pol_update(None, [("DIMSRoamingMaxNumTokens", 0)])
        self.assertEqual(cm.exception.args[0], EINVAL)
        self.assertIn("outside", cm.exception.args[1])
        with self.assertRaises(ValueError):
            c.pol_update(None, [("NoSuchValue", 1)])
        with self.assertRaises(ValueError):
            c.pol_update(None, [("DIMSRoaming", 1 << 32)])
        with self.assertRaises(c.Error) as cm:
            c.pol_update(b"PReg\x01\x00\x00\x00[", [("DIMSRoaming", 1)])
        self.assertEqual(cm.exception.args[0], EBADMSG)

    def test_parse(self):
        entries = c.pol_parse(testdata("preg", "samba-autoenroll.pol"))
        actions = [e["action"] for e in entries]
        self.assertIn("delvals", actions)
        self.assertIn("del", actions)
        dims = [e for e in entries if e["value"] == "DIMSRoaming"][0]
        self.assertEqual((dims["type_name"], dims["data"], dims["size"]),
                         ("REG_DWORD", 1, 4))
        with self.assertRaises(c.Error) as cm:
            c.pol_parse(b"PReg\x02\x00\x00\x00", "x.pol")
        self.assertIn("x.pol", cm.exception.args[1])

    def test_effective_off(self):
        pol = c.pol_update(None, [("DIMSRoaming", 0)])
        eff = c.policy_effective([(pol, "GPO B")])
        self.assertFalse(eff["roaming_on"])
        self.assertIn("GPO B", eff["reason_off"])
        eff = c.policy_effective([])
        self.assertFalse(eff["roaming_on"])
        self.assertTrue(eff["reason_off"])


class LdbTests(unittest.TestCase):
    """adstore through a Python ldb connection (a local tdb, no schema)."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.db = ldb.Ldb(os.path.join(self.dir, "t.ldb"))
        self.v1 = c.Token(token_bytes("cng-rsa-key")).dnbinary(DN)
        self.v2 = c.Token(token_bytes("cng-certificate")).dnbinary(DN)
        self.db.add({"dn": DN, "objectClass": "user",
                     c.ATTR_CREDENTIALS: [self.v1, self.v2]})

    def tearDown(self):
        del self.db
        for f in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, f))
        os.rmdir(self.dir)

    def test_read(self):
        creds, mkeys = c.read_tokens(self.db, DN)
        self.assertEqual(sorted(creds), sorted([self.v1.encode(),
                                                self.v2.encode()]))
        self.assertEqual(mkeys, [])

    def test_change(self):
        c.change_value(self.db, DN, c.ATTR_CREDENTIALS, self.v1.encode(),
                       None)
        creds, _ = c.read_tokens(self.db, DN)
        self.assertEqual(creds, [self.v2.encode()])
        with self.assertRaises(c.Error) as cm:
            c.change_value(self.db, DN, c.ATTR_CREDENTIALS, self.v1, None,
                           "test.ldb")
        self.assertEqual(cm.exception.args[0], ESTALE)
        self.assertEqual(cm.exception.args[2], "conflict")
        self.assertIn("test.ldb", cm.exception.args[1])
        c.change_value(self.db, DN, c.ATTR_MASTERKEYS, None, "B:2:00:" + DN)
        _, mkeys = c.read_tokens(self.db, DN)
        self.assertEqual(mkeys, [b"B:2:00:" + DN.encode()])
        with self.assertRaises(ValueError):
            c.change_value(self.db, DN, "description", None, "x")
        with self.assertRaises(ValueError):
            c.change_value(self.db, DN, c.ATTR_CREDENTIALS, None, "a\0b")

    def test_timestamp(self):
        ts = c.bump_timestamp(self.db, DN, None, 1000)
        self.assertEqual(ts, (1000).to_bytes(8, "little") * 2)
        ts2 = c.bump_timestamp(self.db, DN, ts, 2000)
        self.assertEqual(ts2, (1000).to_bytes(8, "little") +
                         (2000).to_bytes(8, "little"))
        res = self.db.search(DN, scope=ldb.SCOPE_BASE,
                             attrs=[c.ATTR_TIMESTAMP])
        self.assertEqual(bytes(res[0][c.ATTR_TIMESTAMP][0]), ts2)
        with self.assertRaises(c.Error) as cm:
            c.bump_timestamp(self.db, DN, ts, 3000)
        self.assertEqual(cm.exception.args[0], ESTALE)
        with self.assertRaises(ValueError):
            c.bump_timestamp(self.db, DN, b"short")
        self.assertEqual(netcmd.decode_timestamp(ts2)["last"],
                         c.filetime_iso8601(2000))


class NetcmdHelperTests(unittest.TestCase):

    def test_gpt_ini(self):
        text = "[General]\r\nVersion=65537\r\ndisplayName=x\r\n"
        self.assertEqual(netcmd.gpt_ini_version(text), 65537)
        self.assertEqual(netcmd.gpt_ini_set_version(text, 131073),
                         "[General]\r\nVersion=131073\r\ndisplayName=x\r\n")
        self.assertEqual(netcmd.gpt_ini_version(""), 0)
        self.assertEqual(netcmd.gpt_ini_set_version("", 65536),
                         "[General]\r\nVersion=65536\r\n")
        self.assertEqual(netcmd.gpt_ini_set_version("[General]\n", 7),
                         "[General]\nVersion=7\n")

    def test_versions(self):
        self.assertEqual(netcmd.next_user_version(0, 0), 1)
        self.assertEqual(netcmd.next_user_version(0x20005, 0x10005), 3)
        self.assertEqual(netcmd.next_user_version(0xFFFF0000), 1)
        self.assertEqual(netcmd.bump_user_version(0x20005, 3), 0x30005)

    def test_extension_names(self):
        cse, tool = netcmd.REGISTRY_CSE, netcmd.REGISTRY_TOOL
        self.assertEqual(netcmd.extension_names_add(None, cse, tool),
                         "[%s%s]" % (cse, tool))
        other = "[{A0000000-0000-0000-0000-000000000000}" \
                "{B0000000-0000-0000-0000-000000000000}]"
        last = "[{F0000000-0000-0000-0000-000000000000}" \
               "{B0000000-0000-0000-0000-000000000000}]"
        self.assertEqual(netcmd.extension_names_add(other + last, cse, tool),
                         "[%s%s]" % (cse, tool) + other + last)
        self.assertEqual(netcmd.extension_names_add(last + other, cse, tool),
                         "[%s%s]" % (cse, tool) + other + last)
        partial = "[%s{00000000-0000-0000-0000-000000000000}]" % cse
        self.assertEqual(netcmd.extension_names_add(partial, cse, tool),
                         "[%s{00000000-0000-0000-0000-000000000000}%s]" %
                         (cse, tool))
        done = "[%s%s]" % (cse.lower(), tool)
        self.assertTrue(netcmd.extension_listed(done, cse, tool))
        self.assertEqual(netcmd.extension_names_add(done, cse, tool), done)

    def test_policy_settings(self):
        p = netcmd.parse_policy_setting
        self.assertEqual(p("x", "onoff", "on"), 1)
        self.assertEqual(p("x", "onoff", "OFF"), 0)
        self.assertIsNone(p("x", "number", "unset"))
        self.assertEqual(p("x", "number", "0x10"), 16)
        with self.assertRaises(netcmd.CommandError):
            p("x", "number", "many")


class CmockaStyleResult(unittest.TextTestResult):
    """Prints cmocka's result lines for testprogs/run-unit.sh."""

    def addSuccess(self, test):
        super().addSuccess(test)
        self.stream.write("[       OK ] %s\n" % test._testMethodName)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.stream.write("[  FAILED  ] %s\n" % test._testMethodName)

    def addError(self, test, err):
        super().addError(test, err)
        self.stream.write("[  ERROR   ] %s\n" % test._testMethodName)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self.stream.write("[  FAILED  ] %s\n" % test._testMethodName)


if __name__ == "__main__":
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=0,
                                     resultclass=CmockaStyleResult)
    result = runner.run(unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules[__name__]))
    sys.exit(0 if result.wasSuccessful() else 1)
