"""A service the catalog does not know: the site owner supplies everything.

In ``consent.yml`` a custom service gives ``src`` (an external script URL) and/or ``snippet``
(inline JavaScript), the CSP sources it needs per directive, and the cookies it sets, so the
banner, the CSP and the cookie table stay truthful. Any service key that is not a catalog id
is a custom service when it has ``src`` or ``snippet``.
"""

from .model import ConsentSignal, ServiceSpec

SERVICE = ServiceSpec(
    id="custom",
    name="Custom service",
    provider="(as configured)",
    description="A script the site owner declares, with its own sources and cookies.",
    default_category="analytics",
    privacy_url="",
    csp={},
    cookies=(),
    signal=ConsentSignal(
        kind="load-on-grant",
        description="No consent API known: the script is loaded only after its category is "
        "granted; on revoke its declared first-party cookies are deleted and the page reloads.",
    ),
)
