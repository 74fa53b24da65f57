"""Where the "Cookie settings" link goes: inside the theme's footer, in its typography.

The link is part of the page's markup (not moved by script), so Material's instant
navigation, which swaps the footer with the page, brings it along. It sits between its own
marker comments so a re-run replaces it. Without a footer the body block carries a floating,
keyboard-reachable reopen button instead (``consent-reopen`` in consent.css).
"""

from __future__ import annotations

import html as htmllib
import re

from consent_generator.render import FOOTER_END, FOOTER_START

_MD_COPYRIGHT = re.compile(r'<div\s+class="md-copyright"\s*>')
_FOOTER_OPEN = re.compile(r"<footer\b[^>]*>", re.I)
_FOOTER_CLOSE = re.compile(r"</footer\s*>", re.I)


def footer_at(html: str) -> tuple[int, str] | None:
    """(offset, kind) for the link in ``html``: Material/Zensical next to the copyright
    (``md``), else at the end of the page's last ``<footer>`` (``footer``: the mkdocs and
    readthedocs themes, most generators); None without a footer."""
    at = _md_copyright_end(html)
    if at >= 0:
        return at, "md"
    opens = list(_FOOTER_OPEN.finditer(html))
    if not opens:
        return None
    close = _FOOTER_CLOSE.search(html, opens[-1].end())
    return (close.start(), "footer") if close else None


_MD_LITERAL = 'class="md-copyright"'


def _md_copyright_end(html: str) -> int:
    """``_MD_COPYRIGHT.search(html).end()`` (-1 without a match), found from the attribute's
    literal with ``str.find`` (a skipping search) and matched from the ``<div`` before it.

    Why: the regex engine looked at every ``<div`` of the page (its prefix) on the way to
    the footer, ~1.4 ns a character (25 µs on a 58 KB Material page, ~0.4 ms at 320 KB);
    the literal search is several times faster. Exact: a match holds the literal right after
    ``<div`` and whitespace, so the last ``<div`` before the literal is the match's start
    (no ``<`` can be in between), and matches keep the order of their literals."""
    i = html.find(_MD_LITERAL)
    while i >= 0:
        start = html.rfind("<div", 0, i)
        m = _MD_COPYRIGHT.match(html, start) if start >= 0 else None
        if m is not None and m.end() > i:
            return m.end()
        i = html.find(_MD_LITERAL, i + 1)
    return -1


def footer_link(label: str, kind: str) -> str:
    """The link's markup for a footer of ``kind`` (see :func:`footer_at`)."""
    text = htmllib.escape(label)
    link = (f'<span class="consent-footer-link"><a href="#consent-preferences" data-consent-open>'
            f"{text}</a></span>")
    if kind == "md":
        # Material's copyright block: a line of its own, in the copyright's type.
        return f'{FOOTER_START}<div class="md-copyright__highlight">{link}</div>{FOOTER_END}'
    return f'{FOOTER_START}<p class="consent-footer">{link}</p>{FOOTER_END}'


def floating_button(label: str) -> str:
    """The reopen control for a page without a footer: a link (focusable, announced by its
    translated name; works without the runtime too: ``#consent-preferences``) in a box fixed
    in a corner."""
    return (f'<p class="consent-reopen"><a href="#consent-preferences" data-consent-open>'
            f"{htmllib.escape(label)}</a></p>")
