"""Where an agent listens: the per-user socket directory, the root hash and
the socket and token file names, exactly as reload/hostproto/dir.go and
reload/PROTOCOL.md define them, and the SO_PEERCRED peer check."""

import hashlib
import os
import socket
import stat
import struct


def canonical_root(root):
    """Return the absolute, symlink-resolved form of root."""
    return os.path.realpath(os.path.abspath(root))


def root_hash(root):
    """Return the first 16 hex digits of SHA-256 of the canonical root."""
    return hashlib.sha256(canonical_root(root).encode("utf-8")).hexdigest()[:16]


def socket_dir():
    """Return the per-user socket directory, creating it with mode 0700.

    ``$XDG_RUNTIME_DIR/pyreload`` when that variable names a directory, else
    ``$TMPDIR/pyreload-<uid>`` (``/tmp`` without TMPDIR, as Go's os.TempDir).
    Raises PermissionError for a directory that is not ours (or a symlink)."""
    uid = os.getuid()
    path = os.path.join(os.environ.get("TMPDIR") or "/tmp", "pyreload-%d" % uid)
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and os.path.isdir(xdg):
        path = os.path.join(xdg, "pyreload")
    try:
        os.makedirs(path, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != uid:
        raise PermissionError("socket directory %s is not a directory owned by uid %d" % (path, uid))
    if stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(path, 0o700)
    return path


def socket_path(directory, root, pid=None):
    """Return ``<dir>/<roothash>-<pid>.sock``."""
    return os.path.join(directory, "%s-%d.sock" % (root_hash(root), os.getpid() if pid is None else pid))


def token_path(directory, root, pid=None):
    """Return ``<dir>/<roothash>-<pid>.token``, the TCP token file."""
    return os.path.join(directory, "%s-%d.token" % (root_hash(root), os.getpid() if pid is None else pid))


_UCRED = struct.Struct("3i")  # pid, uid, gid


def peer_uid(conn):
    """Return the uid of the process at the other end of a unix socket
    (SO_PEERCRED), or None where the platform cannot tell."""
    opt = getattr(socket, "SO_PEERCRED", None)
    if opt is None:
        return None
    raw = conn.getsockopt(socket.SOL_SOCKET, opt, _UCRED.size)
    return _UCRED.unpack(raw)[1]


def peer_allowed(uid, own_uid=None):
    """Tell whether a peer uid may talk to this agent: only our own user."""
    return uid is not None and uid == (os.getuid() if own_uid is None else own_uid)
