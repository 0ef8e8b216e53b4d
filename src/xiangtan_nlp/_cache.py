"""A per-user cache folder (mode 0700) that is never trusted when someone else owns it.

Location: ``$XIANGTAN_NLP_CACHE`` if set (``none`` or empty turns caching off), else
``$XDG_CACHE_HOME/xiangtan_nlp``, else ``~/.cache/xiangtan_nlp``. Nothing here runs at import.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

_CHECKED = b"xiangtan_nlp checked cache 1\n"  # then the SHA-256 of the payload, then the payload


def cache_dir(create: bool = False) -> Path | None:
    """The cache folder if it is safe to use (ours, 0700), else None; created on demand."""
    env = os.environ.get("XIANGTAN_NLP_CACHE")
    if env is not None and env.strip().lower() in ("", "none", "off", "0"):
        return None
    if env:
        root = Path(env)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = Path(base) / "xiangtan_nlp"
    try:
        if not root.exists():
            if not create:
                return None
            root.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = root.lstat()
    except OSError:
        return None
    if not _is_private(st):
        return None
    return root


def _is_private(st: os.stat_result) -> bool:
    """True for a real directory owned by us that nobody else can read or write."""
    if not stat.S_ISDIR(st.st_mode):
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return (st.st_mode & 0o077) == 0


def read_bytes(name: str) -> bytes | None:
    """Bytes of a cached file, or None when absent, unsafe or unreadable."""
    root = cache_dir()
    if root is None:
        return None
    path = root / name
    try:
        st = path.lstat()
        if not stat.S_ISREG(st.st_mode):
            return None
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            return None
        return path.read_bytes()
    except OSError:
        return None


def write_bytes(name: str, data: bytes) -> bool:
    """Write a cached file atomically; False (silently) when caching is off or fails."""
    root = cache_dir(create=True)
    if root is None:
        return False
    try:
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, root / name)
        return True
    except OSError:
        return False


def read_checked(name: str) -> bytes | None:
    """The payload of a file written by :func:`write_checked`, or None when absent, unsafe, or
    not exactly what was written (a checksum that does not match: truncated, edited, corrupt)."""
    data = read_bytes(name)
    if data is None or not data.startswith(_CHECKED):
        return None
    head = len(_CHECKED) + 32
    payload = data[head:]
    if hashlib.sha256(payload).digest() != data[len(_CHECKED) : head]:
        return None
    return payload


def write_checked(name: str, payload: bytes) -> bool:
    """Write a payload with its checksum (see :func:`read_checked`); False when caching is off."""
    return write_bytes(name, _CHECKED + hashlib.sha256(payload).digest() + payload)
