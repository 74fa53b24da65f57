"""The CSP vocabulary a policy may use: directive names and well-formed sources.

Shared by the policy validator (``csp.extra``, custom services) and the catalog tests, so a
source the validator accepts from a user is held to the same grammar as the vendors' own.
Anything that would weaken script execution ('unsafe-inline', a wildcard...) is refused
with the reason, because the project never emits a weaker policy than it promises.
"""

from __future__ import annotations

import base64
import hashlib
import re

from .csp_vocabulary import (  # noqa: F401 - re-exported: the vocabulary's old home
    FETCH_DIRECTIVES,
    KEYWORDS,
    KNOWN_DIRECTIVES,
    NAVIGATION_DIRECTIVES,
    OTHER_DIRECTIVES,
    SOURCE_LIST_DIRECTIVES,
    UNSAFE_SCRIPT_KEYWORDS,
    VALUELESS_DIRECTIVES,
    hash_problem,
    tld_wildcard,
    weakening,
)
from .csp_vocabulary import SCRIPT_GOVERNING as SCRIPT_DIRECTIVES
from .validation import did_you_mean

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_HOST = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?"
    r"(?P<host>\*|(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*"
    r"[A-Za-z0-9])?)*)"
    r"(?P<port>:(\d{1,5}|\*))?"
    r"(?P<path>/[^\s;,']*)?"
)

Finding = tuple[str, str]
"""(message, hint) for one bad directive or source."""


def directive_problem(name: str) -> Finding | None:
    """Why ``name`` cannot be used as a source-list directive, or None if it can."""
    if name in SOURCE_LIST_DIRECTIVES or name in VALUELESS_DIRECTIVES:
        return None
    if name.lower() in SOURCE_LIST_DIRECTIVES:
        return f"unknown CSP directive {name!r}", f"directive names are lower case: {name.lower()!r}"
    if name in ("report-uri", "report-to"):
        return (f"{name} is not a source list", f"set csp.{name.replace('-', '_')} instead")
    if name in OTHER_DIRECTIVES:
        return f"{name} is not a source list and cannot be added here", ""
    close = did_you_mean(name, KNOWN_DIRECTIVES)
    hint = f"did you mean {close!r}?" if close else "see the CSP directives on MDN"
    return f"unknown CSP directive {name!r}", hint


def source_problem(directive: str, source: str) -> Finding | None:
    """Why ``source`` is malformed or unsafe in ``directive``, or None if it is fine."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in source):
        return (f"{source!r} contains a control character",
                "remove it: no browser reads a source with one, and header files would break")
    if not source or source != source.strip() or any(c in source for c in " \t;,\n"):
        return (f"{source!r} is not one CSP source",
                "give one source per list item, without spaces, ';' or ','")
    if source.startswith("'"):
        return _quoted_problem(directive, source)
    bare = f"'{source.lower()}'"
    if bare in KEYWORDS or source.lower().startswith(("sha256-", "sha384-", "sha512-", "nonce-")):
        return (f"the keyword {source} needs single quotes",
                f"in YAML write it as \"{bare}\" (YAML removes one level of quotes, so "
                "'self' alone becomes self)")
    if tld_wildcard(source):
        return (f"{source!r} allows every site under a top-level domain",
                "name the sites you use (https://cdn.example.com, https://*.example.com)")
    if source == "*" or _HOST_WILDCARD.fullmatch(source):
        if weakening(directive, source):
            return (f"{source!r} in {directive} would let any host run scripts on the site",
                    f"list the exact hosts instead; we never widen {directive} to any host")
        return None
    if _SCHEME.fullmatch(source):
        if weakening(directive, source):
            return (f"{source!r} in {directive} allows scripts from any {source[:-1]} URL",
                    f"list the exact hosts instead; we never widen {directive} to any host")
        return None
    if _HOST.fullmatch(source):
        if source.startswith("http://") and directive in SCRIPT_DIRECTIVES:
            return (f"{source!r} loads scripts over plain http, which anyone on the network "
                    "can change", "use its https:// address")
        return None
    return (f"{source!r} is not a valid CSP source",
            "expected a host (https://cdn.example.org, https://*.example.org), a scheme "
            "(data:), or a keyword like \"'self'\"")


_HOST_WILDCARD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\*(:(\d{1,5}|\*))?(/.*)?")


def _quoted_problem(directive: str, source: str) -> Finding | None:
    lowered = source.lower()
    if lowered in UNSAFE_SCRIPT_KEYWORDS:
        if weakening(directive, source):
            return (f"{source} is not allowed in {directive}: it would let injected code run",
                    "inline scripts are allowed by their sha256 hash automatically; "
                    "we never weaken script-src")
        return None
    if lowered.startswith("'nonce-"):
        return (f"{source}: a static site cannot send a fresh nonce with every response",
                "inline scripts are allowed by their hash automatically")
    if lowered.startswith(("'sha256-", "'sha384-", "'sha512-")):
        bad = hash_problem(source)
        return (f"malformed hash source {source}: {bad}",
                "copy the whole 'sha256-…' value (44 base64 characters for sha256) from the "
                "browser console or the audit") if bad else None
    if lowered in KEYWORDS:
        return None
    return f"unknown CSP keyword {source}", f"expected one of: {', '.join(sorted(KEYWORDS))}"


def list_problem(sources: list[str]) -> Finding | None:
    """A problem with the list as a whole ('none' mixed with other sources)."""
    if "'none'" in sources and len(sources) > 1:
        return ("'none' cannot be combined with other sources",
                "remove 'none' or the other sources")
    return None


def covers(sources: tuple[str, ...] | list[str], url: str) -> bool:
    """Whether a host source in ``sources`` allows ``url`` (https URLs; used to avoid
    adding a custom script's origin twice). Conservative: False when unsure."""
    m = re.match(r"https://([^/:]+)(:\d+)?", url)
    if not m:
        return False
    host = m.group(1).lower()
    for src in sources:
        s = _HOST.fullmatch(src)
        if not s or s.group("scheme") not in ("https://", None) or s.group("port") \
                or s.group("path") not in (None, "/"):
            continue
        pattern = s.group("host").lower()
        if pattern == host or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


_CRLF = re.compile(r"\r\n?")


def normalize_newlines(text: str) -> str:
    """The HTML parser turns CRLF and lone CR into LF before any script or style text exists,
    so that is the text Chromium hashes (input-stream preprocessing, HTML §13.2.3.5)."""
    return _CRLF.sub("\n", text) if "\r" in text else text


def sha256_source(text: str) -> str:
    """The ``'sha256-…'`` source allowing an inline script/style whose source text is ``text``.

    One implementation for the snippet's install notes and the site-wide CSP, so both always
    allow the same bytes. ``text`` is the element's text as written in the file: newlines are
    normalised here as the HTML parser does; character references are *not* decoded (script
    and style are raw text elements, so ``&amp;`` stays five characters in the element's
    text). For ``style=""`` attribute values pass the *decoded* value (attributes are not raw
    text).
    """
    digest = hashlib.sha256(normalize_newlines(text).encode("utf-8", "surrogatepass")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"
