"""The socket directory and names follow reload/hostproto/dir.go."""

import hashlib
import os
import stat
import unittest

from pyreload_agent import sockdir

from .support import AgentCase


class SockDirTest(AgentCase):
    def test_xdg_runtime_dir_is_used_and_made_0700(self):
        d = sockdir.socket_dir()
        self.assertEqual(d, os.path.join(self.run_dir, "pyreload"))
        self.assertEqual(stat.S_IMODE(os.lstat(d).st_mode), 0o700)

    def test_loose_mode_is_tightened(self):
        d = os.path.join(self.run_dir, "pyreload")
        os.mkdir(d)
        os.chmod(d, 0o755)
        sockdir.socket_dir()
        self.assertEqual(stat.S_IMODE(os.lstat(d).st_mode), 0o700)

    def test_symlinked_dir_is_refused(self):
        target = os.path.join(self.tmp, "elsewhere")
        os.mkdir(target, 0o700)
        os.symlink(target, os.path.join(self.run_dir, "pyreload"))
        with self.assertRaises(PermissionError):
            sockdir.socket_dir()

    @unittest.skipUnless(os.getuid() == 0, "needs root to chown the directory to another user")
    def test_dir_of_another_user_is_refused(self):
        d = os.path.join(self.run_dir, "pyreload")
        os.mkdir(d, 0o700)
        os.chown(d, 65534, 65534)
        with self.assertRaises(PermissionError):
            sockdir.socket_dir()

    def test_without_xdg_uses_tmpdir_pyreload_uid(self):
        os.environ.pop("XDG_RUNTIME_DIR")
        old = os.environ.get("TMPDIR")
        os.environ["TMPDIR"] = self.tmp
        try:
            self.assertEqual(sockdir.socket_dir(), os.path.join(self.tmp, "pyreload-%d" % os.getuid()))
        finally:
            if old is None:
                os.environ.pop("TMPDIR")
            else:
                os.environ["TMPDIR"] = old

    def test_root_hash_is_sha256_of_real_path(self):
        link = os.path.join(self.tmp, "link")
        os.symlink(self.root, link)
        want = hashlib.sha256(os.path.realpath(self.root).encode()).hexdigest()[:16]
        self.assertEqual(sockdir.root_hash(self.root), want)
        self.assertEqual(sockdir.root_hash(link), want)
        self.assertEqual(os.path.basename(sockdir.socket_path("/d", self.root, 42)), want + "-42.sock")

    def test_peer_allowed_only_for_own_uid(self):
        self.assertTrue(sockdir.peer_allowed(os.getuid()))
        self.assertFalse(sockdir.peer_allowed(os.getuid() + 1))
        self.assertFalse(sockdir.peer_allowed(None))
