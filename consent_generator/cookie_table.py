"""The cookie declaration a privacy page needs, derived from the policy.

Rows come from the same catalog entries and custom declarations the runtime uses to delete
cookies on revoke, so the published table cannot drift from what the site really does.
The consent cookie itself is listed first: it is a cookie too, and visitors are owed it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined

from .model import Policy

Format = Literal["md", "html"]
FORMATS: tuple[str, ...] = ("md", "html")


@dataclass(frozen=True)
class CookieRow:
    """One line of the cookie table."""

    cookie: str
    provider: str
    """Who runs it ("" when a custom service does not say)."""
    service: str
    category: str
    purpose: str
    lifetime: str
    party: str
    """``first`` (set on this site's domain) or ``third`` (set on the provider's)."""
    store: str = "cookie"
    """``cookie``, or ``local``/``session`` for a Web Storage key of this site."""


def cookie_rows(policy: Policy) -> list[CookieRow]:
    """The consent cookie, then every enabled service's cookies in policy order."""
    required = next((c.id for c in policy.categories if c.required), "necessary")
    days = policy.expiry_days
    rows = [CookieRow(
        cookie=policy.cookie.name,
        provider="",
        service="This site (consent banner)",
        category=required,
        purpose="Remembers your cookie choices (a random consent id, the time, the policy "
        "revision and the categories you allowed) so the banner is not shown again.",
        lifetime=f"{days} day" if days == 1 else f"{days} days",
        party="first",
    )]
    for service in policy.services:
        for cookie in service.cookies:
            rows.append(CookieRow(
                cookie=cookie.name,
                provider=service.spec.provider,
                service=service.spec.name,
                category=service.category,
                purpose=cookie.purpose,
                lifetime=cookie.lifetime,
                party=cookie.party,
                store=cookie.store,
            ))
    return rows


def _md_cell(text: str) -> str:
    """Markdown table cells cannot hold pipes or line breaks."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def _md_text(text: str) -> str:
    """A table cell outside a code span: also escape HTML, which Markdown would render."""
    return html.escape(_md_cell(text), quote=False)


def _who(row: CookieRow) -> str:
    return f"{row.service} ({row.provider})" if row.provider else row.service


STORE_LABELS = {"local": "localStorage", "session": "sessionStorage"}


def _party(row: CookieRow) -> str:
    """The Party cell; a Web Storage key says where it lives (it is not a cookie)."""
    party = "first-party" if row.party == "first" else "third-party"
    return f"{party}, {STORE_LABELS[row.store]}" if row.store in STORE_LABELS else party


def _environment(fmt: Format) -> Environment:
    env = Environment(
        loader=PackageLoader("consent_generator", "templates"),
        autoescape=fmt == "html",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["md_cell"] = _md_cell
    env.filters["md_text"] = _md_text
    env.globals["who"] = _who
    env.globals["party"] = _party
    return env


def render_cookie_table(policy: Policy, fmt: Format = "md") -> str:
    """The table as Markdown (for a docs page) or an HTML fragment (escaped)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    template = _environment(fmt).get_template(f"cookie_table.{fmt}.j2")
    return template.render(rows=cookie_rows(policy), policy=policy)
