"""Atomic file writes, the one way this project writes to a site or a policy.

A temporary file in the target's directory is written and then ``os.replace``d over the
target, so a web server, a reader or an interrupted build sees the old file or the new one,
never half of one. The temporary file is created owner-only (as ``mkstemp`` does); the result
gets the target's previous mode, or the mode a plain ``open()`` would have given, so a web
server that runs as another user can still read a rewritten page.

Per page, the site pass pays this once (issue 15: 150 pages): the directory is created only
when it is missing, and the temporary name comes from the process id and a counter (taken
with ``O_EXCL``, so an existing file is never opened; ``mkstemp`` only on a clash) instead of
``mkstemp``'s random name generator. The ``rename`` itself stays: it is what makes the write
atomic.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_DEFAULT_MODE = _default_mode()
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(
    os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_COUNTER = itertools.count()


def _create_temp(target: Path) -> tuple[int, str]:
    """An owner-only temporary file beside ``target``, created exclusively (never an
    existing file or a symlink), its directory made when missing."""
    name = os.path.join(target.parent, f".{target.name}.{os.getpid()}.{next(_COUNTER)}.tmp")
    try:
        return os.open(name, _FLAGS, 0o600), name
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        pass  # someone else's file: a random name, as mkstemp gives
    return tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)


def write_atomic(path: str | os.PathLike[str], data: bytes | str | Iterable[bytes]) -> None:
    """Replace ``path`` with ``data`` (str is written as UTF-8 with ``\\n`` line ends kept; an
    iterable of bytes is written chunk by chunk, so a huge page need not exist as one
    ``bytes`` object)."""
    target = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = _create_temp(target)
    try:
        with os.fdopen(fd, "wb", buffering=0) as handle:
            for chunk in (data,) if isinstance(data, bytes | bytearray) else data:
                view = memoryview(chunk)
                while view:  # an unbuffered write may be partial
                    view = view[handle.write(view) or 0:]
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = _DEFAULT_MODE
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
