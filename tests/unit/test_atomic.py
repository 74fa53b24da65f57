"""write_atomic: all-or-nothing replacement that keeps files readable by a web server."""

from __future__ import annotations

import os
import stat

import pytest

from consent_generator.atomic import write_atomic


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_file_gets_the_mode_open_would_give(tmp_path):
    umask = os.umask(0o022)
    try:
        target = tmp_path / "page.html"
        write_atomic(target, "<p>hi</p>")
    finally:
        os.umask(umask)
    assert target.read_text() == "<p>hi</p>"
    # mkstemp alone would leave 0600: nginx running as www-data could not serve the page.
    assert _mode(target) == 0o644


def test_existing_mode_is_kept_and_no_temp_file_is_left(tmp_path):
    target = tmp_path / "page.html"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert _mode(target) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "page.html"
    target.write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]
