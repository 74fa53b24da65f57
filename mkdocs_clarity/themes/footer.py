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
    m = _MD_COPYRIGHT.search(html)
    if m:
        return m.end(), "md"
    opens = list(_FOOTER_OPEN.finditer(html))
    if not opens:
        return None
    close = _FOOTER_CLOSE.search(html, opens[-1].end())
    return (close.start(), "footer") if close else None


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
