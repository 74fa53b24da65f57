"""Writing every header file a policy asks for, and reading back what a built site will send.

All files are rendered and checked before any is written, so a limit error leaves the site as
it was; each write is atomic.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from consent_generator.atomic import write_atomic
from consent_generator.model import CspConfig, HeadersConfig
from mkdocs_clarity.hosts.base import HeaderExportError, HeaderFile, Headers
from mkdocs_clarity.hosts.headerset import _Serializable, header_set
from mkdocs_clarity.hosts.registry import files, hosts


def header_deliveries(deliveries: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Output file -> the deliveries it serves (``meta`` needs no file)."""
    known = hosts()
    out: dict[str, tuple[str, ...]] = {}
    for d in deliveries:
        if d == "meta":
            continue
        if d not in known:
            raise HeaderExportError(
                f"unknown csp.delivery {d!r}; choose from meta, {', '.join(known)}")
        name = known[d].file
        out[name] = (*out.get(name, ()), d)
    return out


def _render(path: Path, headers: Headers) -> tuple[bytes, bytes]:
    """(old bytes, new bytes) of one file: merged by its format, checked by every host that
    reads that file (it may be deployed to any of them)."""
    try:
        old = path.read_bytes() if path.exists() else b""
        existing = old.decode("utf-8")
    except UnicodeDecodeError:
        raise HeaderExportError(f"{path}: not UTF-8 text; cannot merge headers into it") \
            from None
    readers = files()[path.name]
    text = readers[0].render(existing, headers, path)
    for host in readers:
        if host.check is not None:
            host.check(text, path)
    return old, text.encode("utf-8")


def export(site_dir: str | Path, csp: str | _Serializable, config: CspConfig, *,
           headers: HeadersConfig | None = None, https: bool | None = None,
           dry_run: bool = False) -> list[HeaderFile]:
    """Write (or, with ``dry_run``, only compute) every header file ``config.delivery`` asks for.

    ``https``: whether the site URL is https (None: unknown), which decides HSTS (see
    :func:`.headerset.hsts_value`).
    """
    site = Path(site_dir)
    deliveries = header_deliveries(config.delivery)
    if not deliveries:
        return []
    values = header_set(csp, config, headers, https)
    planned: list[HeaderFile] = []
    for name, served in deliveries.items():
        old, new = _render(site / name, values)
        planned.append(HeaderFile(site / name, served, new != old, new))
    if not dry_run:
        for f in planned:
            if f.changed:
                write_atomic(f.path, f.content)
    return planned


def read_site_headers(site_dir: str | Path) -> dict[str, dict[str, str]]:
    """The headers our exports in ``site_dir`` will send, per file name, lower-cased names.

    Reads whichever of the known files exist (anything in them, not only our block: the
    host sends it all). Unparseable files give nothing here; the export reports them.
    """
    site = Path(site_dir)
    found: dict[str, dict[str, str]] = {}
    for name, readers in files().items():
        path = site / name
        if not path.is_file():
            continue
        got = readers[0].read(path.read_text("utf-8", errors="replace"))
        if got:
            found[name] = got
    return found
