"""An in-place reload reads each changed file once, through the engine in a fresh process.

The bytes read to tell that a module changed are the bytes parsed, run and
remembered as its source afterwards; decoding is Python's own (PEP 263 coding
cookies, a UTF-8 BOM), and findings are located as an import would locate them.
"""

import sys
import unittest

from .harness import run

SHOP = {
    "shop/__init__.py": "",
    "shop/core.py": '''
        SESSIONS = {}


        def hello():
            return "v1"
    ''',
    "main.py": "",
}

# Counts the opens of shop/core.py for reading while armed. A write between
# two reads of the file is simulated deterministically: the file becomes v3
# at its second open for reading (a second read would take v3), or else at
# its first compile (after the one read, before anything ran).
WATCH = '''
CORE = os.path.join(ROOT, "shop", "core.py")
WATCHED = {"armed": False, "opens": 0, "written": None, "busy": False}

def write_v3(when):
    WATCHED["busy"] = True
    try:
        with open(CORE, "w") as handle:
            handle.write(CORE_TEXT % "v3")
    finally:
        WATCHED["busy"] = False
    WATCHED["written"] = when

def watch(event, args):
    if not WATCHED["armed"] or WATCHED["busy"] or WATCHED["written"]:
        return
    if event == "open" and args[0] == CORE and args[1] in ("r", "rb"):
        WATCHED["opens"] += 1
        if WATCHED["opens"] == 2:
            write_v3("before the second read")
    elif event == "compile" and args[1] == CORE:
        write_v3("after the read")

sys.addaudithook(watch)
'''


class ReadOnceTests(unittest.TestCase):
    maxDiff = None

    def test_a_write_between_the_check_and_the_run_waits_for_the_next_reload(self):
        files = dict(SHOP)
        # Adapters and hooks reading the file during the reload see what ran.
        files["hooks_read.py"] = '''
            import __main__

            def after_reload(modules):
                __main__.SEEN.append(__main__.state.sources.read(__main__.CORE))
        '''
        script = 'CORE_TEXT = %r\n' % ('SESSIONS = {}\n\n\ndef hello():\n    return "%s"\n') + \
            WATCH + '''
from shop.core import hello
import shop.core as core
core.SESSIONS["a"] = 1
edit("shop/core.py", CORE_TEXT % "v2")
SEEN = []
WATCHED["armed"] = True
first = reload("shop", mode="inplace", hooks=["hooks_read"])
WATCHED["armed"] = False
ran = hello()
SEEN.append(state.sources.read(CORE))
second = reload("shop", mode="inplace")
RESULT.update(opens=WATCHED["opens"], written=WATCHED["written"],
              seen=[data.decode() for data in SEEN],
              first=[first["ok"], first["modules"], ran],
              second=[second["ok"], second["modules"], hello()],
              third=reload("shop", mode="inplace")["unchanged"],
              sessions=core.SESSIONS)
'''
        result, _, _ = run(files, script)
        self.assertEqual(result["opens"], 1, "shop/core.py was read more than once")
        self.assertEqual(result["written"], "after the read")
        self.assertEqual([("v2" in seen, "v3" in seen) for seen in result["seen"]],
                         [(True, False), (False, True)])  # during the reload, then the disk
        # The version compared (v2) ran, not the one written meanwhile (v3)...
        self.assertEqual(result["first"], [True, ["shop.core"], "v2"])
        # ...and was remembered: the next reload sees v3 as an edit and runs it.
        self.assertEqual(result["second"], [True, ["shop.core"], "v3"])
        self.assertTrue(result["third"])
        self.assertEqual(result["sessions"], {"a": 1})

    def test_all_reads_each_module_once(self):
        files = dict(SHOP)
        files["shop/other.py"] = "VALUE = 1\n"
        script = 'CORE_TEXT = %r\n' % ('SESSIONS = {}\n\n\ndef hello():\n    return "%s"\n') + \
            WATCH + '''
import shop.core as core, shop.other
edit("shop/core.py", CORE_TEXT % "v2")
WATCHED["armed"] = True
rep = reload("shop", mode="inplace", all=True)
WATCHED["armed"] = False
RESULT.update(opens=WATCHED["opens"], ok=rep["ok"], modules=sorted(rep["modules"]),
              hello=core.hello(), again=reload("shop", mode="inplace")["modules"])
'''
        result, _, _ = run(files, script)
        self.assertEqual(result["opens"], 1)
        self.assertTrue(result["ok"])
        self.assertEqual(result["modules"], ["shop", "shop.core", "shop.other"])
        self.assertEqual(result["hello"], "v2")
        self.assertEqual(result["again"], ["shop.core"])  # v3 came after the read

    def test_coding_cookie_and_bom_decode_as_python_does(self):
        latin = '# -*- coding: latin-1 -*-\nNAME = "caf\xe9"\n\n\ndef hello():\n    return "%s"\n'
        files = {"shop/__init__.py": "", "main.py": ""}
        result, _, _ = run(files, '''
            LATIN = %r
            def put(rel, data):
                path = os.path.join(ROOT, rel)
                old = os.stat(path) if os.path.exists(path) else None
                with open(path, "wb") as handle:
                    handle.write(data)
                if old is not None:
                    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
            put("shop/latin.py", (LATIN %% "\\xe9t\\xe9").encode("latin-1"))
            BOM = b"\\xef\\xbb\\xbfNAME = '\\xc3\\xa9'\\n\\ndef hello():\\n    return '%%s'\\n"
            put("shop/bom.py", BOM %% b"a")
            import shop.latin as latin, shop.bom as bom
            latin.NAME = "kept"
            put("shop/latin.py", (LATIN %% "\\xfcber \\xe0 1").encode("latin-1"))
            put("shop/bom.py", BOM %% b"\\xc3\\xbc")
            rep = reload("shop", mode="inplace")
            RESULT["good"] = [rep["ok"], sorted(rep["modules"]), latin.hello(), latin.NAME,
                              bom.hello(), reload("shop", mode="inplace")["unchanged"]]
            # Errors are located as an import locates them: the evict mode
            # imports the same bytes (the reload rolls back; the file stays).
            bad = {
                "cookie": (LATIN %% "\\xe9").encode("latin-1").replace(
                    b'return "\\xe9"', b'return "\\xe9" +'),
                "undecodable": b"NAME = 1\\nOTHER = '\\xff'\\n",
                "bom": b"\\xef\\xbb\\xbfNAME = '\\xc3\\xa9' )\\n",
            }
            RESULT["bad"] = {}
            for case, data in sorted(bad.items()):
                put("shop/latin.py", data)
                where = []
                for mode in ("inplace", "evict"):
                    err = reload("shop", mode=mode)["error"]
                    where.append([err["file"], err["line"], err["column"], err["message"]])
                RESULT["bad"][case] = where
            put("shop/latin.py", (LATIN %% "fixed").encode("latin-1"))
            RESULT["fixed"] = [reload("shop", mode="inplace")["ok"], latin.hello()]
        ''' % latin)
        self.assertEqual(result["good"], [True, ["shop.bom", "shop.latin"], "\xfcber \xe0 1",
                                          "kept", "\xfc", True])
        for case, (inplace, evict) in sorted(result["bad"].items()):
            self.assertTrue(inplace[0].endswith("shop/latin.py"), (case, inplace))
            self.assertIsNotNone(inplace[1], case)
            self.assertEqual(inplace, evict, case)
        self.assertEqual(result["bad"]["cookie"][0][1], 6)
        self.assertEqual(result["bad"]["undecodable"][0][1], 2)
        self.assertEqual(result["fixed"], [True, "fixed"])


if __name__ == "__main__":
    sys.exit(unittest.main())
