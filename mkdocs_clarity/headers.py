"""HTTP header exports: the site-wide CSP (and companions) for each static host's config file.

Why headers at all: a ``<meta>`` policy cannot carry ``frame-ancestors``, ``report-uri`` /
``report-to`` or ``sandbox`` and cannot be report-only. Each ``csp.delivery`` other than
``meta`` gets one file in the built site, merged into whatever the site already has there:

===============  ===========================  ==========================================
delivery         file                          how our part is found again on re-run
===============  ===========================  ==========================================
netlify          ``_headers``                  ``# BEGIN/END mkdocs-clarity`` comment lines
cloudflare       ``_headers``                  same (Netlify and Cloudflare share a file)
vercel           ``vercel.json``               the ``headers`` entry with our source that
                                               carries a CSP header
azure-swa        ``staticwebapp.config.json``  our header names in ``globalHeaders``
nginx            ``nginx-headers.conf``        ``# BEGIN/END`` comment lines
apache           ``.htaccess``                 ``# BEGIN/END`` comment lines
===============  ===========================  ==========================================

Everything outside our part is kept byte for byte (text) or key for key, in order (JSON);
running twice gives the same bytes. A CSP set by hand elsewhere in the same file is an error:
two policies would both be enforced and the hand-written one would block our hashes.

Defaults, and why:

- ``frame-ancestors 'self'`` unless ``csp.frame_ancestors`` says otherwise. Clickjacking a
  docs site means framing it on *another* origin (the consent banner's "Accept all" is the one
  click worth stealing); ``'self'`` stops that while leaving same-origin framing (embedded
  example pages, a site's own preview/print frames) working. ``'none'`` is one config line away.
- ``Referrer-Policy: strict-origin-when-cross-origin`` (the browsers' default, made explicit so
  an older browser or a page ``<meta>`` cannot widen it), ``X-Content-Type-Options: nosniff``,
  ``Permissions-Policy`` denying powerful features a docs site never uses plus Topics
  (``browsing-topics``; the retired ``interest-cohort`` is left out because Chromium logs an
  error for unknown features), ``Cross-Origin-Opener-Policy: same-origin`` (isolates the
  window from pages it opens; docs sites have no OAuth popups that need ``window.opener``).

Host limits enforced (documented by the hosts; nothing invented):

- Cloudflare Pages ``_headers``: at most 100 header rules, 2,000 characters per line
  (the whole line, indentation included) — developers.cloudflare.com/pages/configuration/headers.
  Applied whenever ``_headers`` is written, since the file may be deployed to either host.
- Azure Static Web Apps: ``staticwebapp.config.json`` at most 20 KB (the deploy action's
  check; its message is the source of truth per Azure/static-web-apps#661). We use 20,000 bytes.
- Netlify, Vercel, nginx, Apache: no documented limit for one response header value found.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from consent_generator.atomic import write_atomic
from consent_generator.errors import UserError
from consent_generator.model import CspConfig

BEGIN = "# BEGIN mkdocs-clarity: generated, replaced on every build; edit consent.yml instead"
END = "# END mkdocs-clarity"
_BEGIN_RE = re.compile(r"^[ \t]*# BEGIN mkdocs-clarity\b.*$", re.M)
_END_RE = re.compile(r"^[ \t]*# END mkdocs-clarity\b.*$", re.M)

CSP = "Content-Security-Policy"
CSP_RO = "Content-Security-Policy-Report-Only"
REPORTING_ENDPOINTS = "Reporting-Endpoints"

COMPANIONS: tuple[tuple[str, str], ...] = (
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Content-Type-Options", "nosniff"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                           "browsing-topics=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
OWNED_NAMES = frozenset(n.lower() for n in
                        (CSP, CSP_RO, REPORTING_ENDPOINTS, *(n for n, _ in COMPANIONS)))
"""Header names this module writes (lower-cased: HTTP header names are case-insensitive)."""

HEADER_ONLY_DIRECTIVES = ("frame-ancestors", "report-uri", "report-to", "sandbox")
DEFAULT_FRAME_ANCESTORS: tuple[str, ...] = ("'self'",)

FILES: dict[str, str] = {
    "netlify": "_headers",
    "cloudflare": "_headers",
    "vercel": "vercel.json",
    "azure-swa": "staticwebapp.config.json",
    "nginx": "nginx-headers.conf",
    "apache": ".htaccess",
}
"""Output file per delivery, relative to the site root."""

CLOUDFLARE_MAX_RULES = 100
CLOUDFLARE_MAX_LINE = 2000
AZURE_MAX_CONFIG_BYTES = 20_000
SITE_PATTERN = "/*"
VERCEL_SOURCE = "/(.*)"


class HeaderExportError(UserError):
    """A header file cannot be written safely (invalid existing file, host limit, conflict)."""


class _Serializable(Protocol):
    def serialize(self) -> str: ...


@dataclass(frozen=True)
class HeaderFile:
    """One written (or, in a dry run, planned) header file."""

    path: Path
    deliveries: tuple[str, ...]
    changed: bool
    """False when the file already held exactly these bytes."""
    content: bytes


def _directive_items(policy: str) -> list[tuple[str, str]]:
    """(lower-cased name, full directive text) per directive, in order; empty ones dropped.

    Only splitting is needed here (the CSP model lives in ``csp.py``): directives are
    separated by ``;`` and named by their first token (CSP3 §2.2.1).
    """
    out = []
    for part in policy.split(";"):
        part = " ".join(part.split())
        if part:
            out.append((part.split(" ", 1)[0].lower(), part))
    return out


def header_policy(csp: str | _Serializable, config: CspConfig) -> str:
    """The header form of the site policy: the meta policy plus what only headers can carry.

    ``frame-ancestors`` / ``report-uri`` / ``report-to`` come from the policy file, replacing
    any already in ``csp`` (the policy file is the one place they are configured).
    """
    text = csp if isinstance(csp, str) else csp.serialize()
    kept = [d for name, d in _directive_items(text)
            if name not in ("frame-ancestors", "report-uri", "report-to")]
    ancestors = config.frame_ancestors or DEFAULT_FRAME_ANCESTORS
    kept.append("frame-ancestors " + " ".join(ancestors))
    if config.report_uri:
        kept.append("report-uri " + config.report_uri)
    if config.report_to:
        kept.append("report-to " + config.report_to)
    return "; ".join(kept)


def header_set(csp: str | _Serializable, config: CspConfig) -> list[tuple[str, str]]:
    """Every header we send, in a stable order: the CSP first, then reporting, then companions."""
    name = CSP_RO if config.report_only else CSP
    headers = [(name, header_policy(csp, config))]
    if config.report_to and config.report_uri:
        # report-to names a group; Reporting-Endpoints maps it to a URL. With report_uri given
        # we declare the group there, so Chromium (report-to) and Firefox/Safari (report-uri)
        # report to the same place. Without it the host must declare the group itself.
        headers.append((REPORTING_ENDPOINTS, f'{config.report_to}="{config.report_uri}"'))
    headers.extend(COMPANIONS)
    for hname, value in headers:
        if any(c in value for c in "\r\n\0"):
            raise HeaderExportError(f"header {hname} would contain a line break: {value!r}; "
                                    "check csp.extra / report_uri / report_to in the policy")
    if '"' in headers[0][1]:
        raise HeaderExportError(f"the policy contains a double quote, which no CSP source "
                                f"can: {headers[0][1]!r}; check csp.extra in the policy")
    return headers


# --------------------------------------------------------------------------- text formats


def _replace_block(existing: str, block: str, path: Path) -> str:
    """``existing`` with our marked block replaced (or appended); everything else untouched."""
    begins = list(_BEGIN_RE.finditer(existing))
    ends = list(_END_RE.finditer(existing))
    if not begins and not ends:
        if not existing:
            return block
        sep = "" if existing.endswith("\n") else "\n"
        return existing + sep + ("\n" if existing.strip() else "") + block
    if len(begins) != 1 or len(ends) != 1 or ends[0].start() < begins[0].end():
        raise HeaderExportError(
            f"{path}: the '# BEGIN mkdocs-clarity' / '# END mkdocs-clarity' markers are "
            "unbalanced; delete both markers and the lines between them, then build again")
    end = ends[0].end()
    if existing[end:end + 1] == "\n":
        end += 1
    return existing[:begins[0].start()] + block + existing[end:]


def _outside_block(text: str) -> str:
    b, e = _BEGIN_RE.search(text), _END_RE.search(text)
    if b and e and e.start() > b.end():
        return text[:b.start()] + text[e.end():]
    return text


def _check_foreign_csp(outside: str, path: Path, pattern: str) -> None:
    for n, line in enumerate(outside.splitlines(), 1):
        if re.search(pattern, line, re.I):
            raise HeaderExportError(
                f"{path}: a Content-Security-Policy is already set outside the mkdocs-clarity "
                f"block (near line {n}: {line.strip()[:80]!r}); both would be enforced and it "
                "would block the site's inline-script hashes. Remove it and add its sources "
                "under csp.extra in consent.yml")


def render_headers_file(existing: str, headers: list[tuple[str, str]], path: Path) -> str:
    """Netlify / Cloudflare ``_headers``: one ``/*`` rule inside our markers."""
    _check_foreign_csp(_outside_block(existing), path,
                       r"^\s+content-security-policy(-report-only)?\s*:")
    lines = [BEGIN, SITE_PATTERN, *(f"  {n}: {v}" for n, v in headers), END]
    text = _replace_block(existing, "\n".join(lines) + "\n", path)
    _check_cloudflare_limits(text, path)
    return text


def _check_cloudflare_limits(text: str, path: Path) -> None:
    rules = 0
    for n, line in enumerate(text.splitlines(), 1):
        if len(line) > CLOUDFLARE_MAX_LINE:
            name = line.strip().split(":", 1)[0]
            raise HeaderExportError(
                f"{path}:{n}: line is {len(line)} characters ({name}); Cloudflare Pages allows "
                f"{CLOUDFLARE_MAX_LINE} per line in _headers. Shorten the policy (fewer inline "
                "scripts: move them to files; fewer hosts) or deliver it another way")
        if line.strip() and not line[0].isspace() and not line.lstrip().startswith("#"):
            rules += 1
    if rules > CLOUDFLARE_MAX_RULES:
        raise HeaderExportError(
            f"{path}: {rules} header rules; Cloudflare Pages allows {CLOUDFLARE_MAX_RULES}. "
            "Merge rules that share headers (URL patterns with '*')")


def render_nginx(existing: str, headers: list[tuple[str, str]], path: Path) -> str:
    """An nginx include: ``add_header ... always;`` lines (``always``: also on 404 / 5xx).

    nginx inherits ``add_header`` only into blocks that set none of their own: include this
    file in every ``location`` that has its own ``add_header``.
    """
    _check_foreign_csp(_outside_block(existing), path,
                       r"add_header\s+content-security-policy(-report-only)?\s")
    lines = [BEGIN, "# include from each server/location block that serves the site"]
    lines += [f'add_header {n} "{_nginx_quote(v)}" always;' for n, v in headers]
    lines.append(END)
    return _replace_block(existing, "\n".join(lines) + "\n", path)


def _nginx_quote(value: str) -> str:
    """nginx double-quoted string: escape ``\\`` and ``"``; ``$`` would interpolate a variable."""
    if "$" in value:
        raise HeaderExportError(f"header value contains '$', which nginx would read as a "
                                f"variable: {value!r}")
    return value.replace("\\", "\\\\").replace('"', '\\"')


def render_apache(existing: str, headers: list[tuple[str, str]], path: Path) -> str:
    """Apache ``.htaccess``: ``Header always set`` inside ``<IfModule mod_headers.c>``."""
    _check_foreign_csp(_outside_block(existing), path,
                       r"header\s+(always\s+)?(set|add|append)\s+"
                       r"content-security-policy(-report-only)?\s")
    lines = [BEGIN, "<IfModule mod_headers.c>"]
    lines += [f'  Header always set {n} "{_apache_quote(v)}"' for n, v in headers]
    lines += ["</IfModule>", END]
    return _replace_block(existing, "\n".join(lines) + "\n", path)


def _apache_quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


# --------------------------------------------------------------------------- JSON formats


def _load_json(existing: str, path: Path) -> dict[str, Any]:
    if not existing.strip():
        return {}
    try:
        data = json.loads(existing)
    except json.JSONDecodeError as exc:
        raise HeaderExportError(
            f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); fix the file so "
            "mkdocs-clarity can merge its headers into it") from None
    if not isinstance(data, dict):
        raise HeaderExportError(f"{path}: expected a JSON object at the top level")
    return data


def _dump_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _is_csp_key(key: object) -> bool:
    return isinstance(key, str) and key.lower() in (CSP.lower(), CSP_RO.lower())


def render_vercel(existing: str, headers: list[tuple[str, str]], path: Path) -> str:
    """``vercel.json``: our ``{"source": "/(.*)", "headers": [...]}`` entry, kept in place."""
    data = _load_json(existing, path)
    entries = data.get("headers", [])
    if not isinstance(entries, list):
        raise HeaderExportError(f"{path}: 'headers' must be a list")
    ours = {"source": VERCEL_SOURCE, "headers": [{"key": n, "value": v} for n, v in headers]}
    index = None
    for i, entry in enumerate(entries):
        has_csp = isinstance(entry, dict) and any(
            isinstance(h, dict) and _is_csp_key(h.get("key")) for h in entry.get("headers", []))
        if not has_csp:
            continue
        if entry.get("source") == VERCEL_SOURCE and index is None:
            index = i
        else:
            raise HeaderExportError(
                f"{path}: headers[{i}] (source {entry.get('source')!r}) already sets a "
                "Content-Security-Policy; both would be enforced. Remove it and add its "
                "sources under csp.extra in consent.yml")
    entries = list(entries)
    if index is None:
        entries.append(ours)
    else:
        entries[index] = ours
    data["headers"] = entries
    return _dump_json(data)


def render_azure(existing: str, headers: list[tuple[str, str]], path: Path) -> str:
    """``staticwebapp.config.json``: our header names in ``globalHeaders``; others kept.

    JSON has no comments to mark our part, so the header names we write are ours: a previous
    value of one of them (ours or hand-written) is replaced, and a CSP variant we no longer
    send (report-only switched off) is removed.
    """
    data = _load_json(existing, path)
    glob = data.get("globalHeaders", {})
    if not isinstance(glob, dict):
        raise HeaderExportError(f"{path}: 'globalHeaders' must be an object")
    wanted = {n.lower(): (n, v) for n, v in headers}
    new: dict[str, str] = {}
    for key, value in glob.items():
        low = key.lower()
        if low in wanted:
            name, val = wanted.pop(low)
            new[name] = val
        elif low not in OWNED_NAMES:
            new[key] = value
    for name, val in wanted.values():
        new[name] = val
    data["globalHeaders"] = new
    text = _dump_json(data)
    size = len(text.encode())
    if size > AZURE_MAX_CONFIG_BYTES:
        raise HeaderExportError(
            f"{path}: would be {size} bytes; Azure Static Web Apps rejects a "
            f"staticwebapp.config.json over 20 KB. Shorten the policy or the file's routes")
    return text


RENDERERS = {
    "_headers": render_headers_file,
    "vercel.json": render_vercel,
    "staticwebapp.config.json": render_azure,
    "nginx-headers.conf": render_nginx,
    ".htaccess": render_apache,
}


# --------------------------------------------------------------------------- writing


def header_deliveries(deliveries: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Output file -> the deliveries it serves (``meta`` needs no file)."""
    out: dict[str, tuple[str, ...]] = {}
    for d in deliveries:
        if d == "meta":
            continue
        if d not in FILES:
            raise HeaderExportError(
                f"unknown csp.delivery {d!r}; choose from meta, {', '.join(FILES)}")
        out[FILES[d]] = (*out.get(FILES[d], ()), d)
    return out


def export(site_dir: str | Path, csp: str | _Serializable, config: CspConfig, *,
           dry_run: bool = False) -> list[HeaderFile]:
    """Write (or, with ``dry_run``, only compute) every header file ``config.delivery`` asks for.

    All files are rendered and checked before any is written, so a limit error leaves the
    site as it was.
    """
    site = Path(site_dir)
    headers = header_set(csp, config)
    planned: list[HeaderFile] = []
    for name, deliveries in header_deliveries(config.delivery).items():
        path = site / name
        try:
            old = path.read_bytes() if path.exists() else b""
            existing = old.decode("utf-8")
        except UnicodeDecodeError:
            raise HeaderExportError(f"{path}: not UTF-8 text; cannot merge headers into it") \
                from None
        new = RENDERERS[name](existing, headers, path).encode("utf-8")
        planned.append(HeaderFile(path, deliveries, new != old, new))
    if not dry_run:
        for f in planned:
            if f.changed:
                write_atomic(f.path, f.content)
    return planned


# --------------------------------------------------------------------------- reading back


def parse_headers_file(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """A ``_headers`` file as ``[(url pattern, [(name, value), ...]), ...]`` (comments skipped).

    Used by the audit (the policy a host will send) and by the tests (round trip).
    """
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not raw[0].isspace():
            rules.append((raw.strip(), []))
        elif rules and ":" in raw:
            name, value = raw.strip().split(":", 1)
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


_NGINX_RE = re.compile(r'^\s*add_header\s+(\S+)\s+"((?:[^"\\]|\\.)*)"(?:\s+always)?\s*;', re.M)
_APACHE_RE = re.compile(r'^\s*Header\s+(?:always\s+)?set\s+(\S+)\s+"((?:[^"\\]|\\.)*)"', re.M)


def read_site_headers(site_dir: str | Path) -> dict[str, dict[str, str]]:
    """The headers our exports in ``site_dir`` will send, per file name, lower-cased names.

    Reads whichever of the known files exist (anything in them, not only our block: the
    host sends it all). Unparseable JSON is skipped here; the export reports it.
    """
    site = Path(site_dir)
    found: dict[str, dict[str, str]] = {}
    for name in dict.fromkeys(FILES.values()):
        path = site / name
        if not path.is_file():
            continue
        text = path.read_text("utf-8", errors="replace")
        got: dict[str, str] = {}
        if name == "_headers":
            for pattern, pairs in parse_headers_file(text):
                if pattern in ("/*", "/**", "*"):
                    got.update((n.lower(), v) for n, v in pairs)
        elif name == "vercel.json":
            try:
                for entry in json.loads(text).get("headers", []):
                    if entry.get("source") == VERCEL_SOURCE:
                        got.update((h["key"].lower(), h["value"]) for h in entry["headers"])
            except (ValueError, AttributeError, KeyError, TypeError):
                continue
        elif name == "staticwebapp.config.json":
            try:
                got.update((k.lower(), v) for k, v in
                           json.loads(text).get("globalHeaders", {}).items())
            except (ValueError, AttributeError):
                continue
        else:
            regex = _NGINX_RE if name.endswith(".conf") else _APACHE_RE
            got.update((m.group(1).lower(), m.group(2).replace('\\"', '"'))
                       for m in regex.finditer(text))
        if got:
            found[name] = got
    return found
