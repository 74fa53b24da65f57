"""Atomic file writes, the one way this project writes to a site or a policy.

A temporary file in the target's directory is written and then ``os.replace``d over the
target, so a web server, a reader or an interrupted build sees the old file or the new one,
never half of one. ``mkstemp`` creates files readable by the owner only; the result gets the
target's previous mode, or the mode a plain ``open()`` would have given, so a web server that
runs as another user can still read a rewritten page.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_DEFAULT_MODE = _default_mode()


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Replace ``path`` with ``data`` (str is written as UTF-8 with ``\\n`` line ends kept)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = _DEFAULT_MODE
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
