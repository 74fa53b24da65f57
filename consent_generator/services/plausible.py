"""Plausible Analytics: cookieless, privacy-focused visit counts (cloud or self-hosted).

Sources: plausible.io/docs (the snippet: since October 2025 a per-site ``pa-<id>.js`` with an
inline ``plausible.init()``; before, ``script.js`` and its variants such as
``script.outbound-links.js`` with ``data-domain``), plausible.io/docs/script-update-guide
(``endpoint`` option), plausible.io/docs/proxy/introduction (the script and ``/api/event`` served
through your own domain) and plausible.io/data-policy (no cookies, no Web Storage: unique
visitors are counted by a daily-salted hash of IP address and User-Agent).

The script URL is a parameter (plausible.io, a self-hosted Plausible or your proxy): its origin
becomes the script-src source, and the connect-src source for the events unless the event
endpoint is given apart (``{endpoint|script_url}``).

Why it is gated although it stores nothing: loading it is still a request to a third party
(or your proxy in front of one) that receives the visitor's IP address and User-Agent, and
readings of the ePrivacy Directive and the GDPR differ on whether that needs consent. The
site owner who concludes it does not may put it in a category that is always on.
"""

from .model import ConsentSignal, Detect, Gpc, InitQuestion, Param, ServiceSpec

_URL = r"https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*"

SERVICE = ServiceSpec(
    id="plausible",
    name="Plausible Analytics",
    provider="Plausible Insights OÜ (plausible.io) or the site owner (self-hosted Plausible)",
    description="Counts visits without cookies (Plausible Analytics).",
    default_category="analytics",
    privacy_url="https://plausible.io/data-policy",
    params=(
        Param(
            name="script_url",
            description="Script URL from the Plausible snippet (Site settings > Site "
            "installation): https://plausible.io/js/pa-<id>.js, the older "
            "https://plausible.io/js/script.js (or a variant), or your proxy / self-hosted URL",
            example="https://plausible.io/js/pa-AbC123dEf456.js",
            pattern=_URL + r"\.js",
            pattern_hint="an https:// URL of a .js file, e.g. https://plausible.io/js/script.js",
        ),
        Param(
            name="domain",
            description="Site domain as registered in Plausible (data-domain; only the older "
            "script.js needs it)",
            example="docs.example.org",
            pattern=r"[A-Za-z0-9.-]+",
            pattern_hint="a host name, e.g. docs.example.org",
            required=False,
        ),
        Param(
            name="endpoint",
            description="Event endpoint when proxied elsewhere than the script "
            "(default: the script's origin + /api/event)",
            example="https://stats.example.org/api/event",
            pattern=_URL,
            pattern_hint="an https:// URL, e.g. https://stats.example.org/api/event",
            required=False,
        ),
    ),
    snippet=(
        "window.plausible=window.plausible||function(){(plausible.q=plausible.q||[])"
        ".push(arguments)},plausible.init=plausible.init||function(i){plausible.o=i||{}};\n"
        "(function(){\n"
        "  var d=document, s=d.createElement('script');\n"
        "  s.defer=true; s.src=\"{{ script_url }}\";\n"
        "{% if domain %}  s.setAttribute('data-domain', \"{{ domain }}\");\n{% endif %}"
        "{% if endpoint %}  s.setAttribute('data-api', \"{{ endpoint }}\");\n{% endif %}"
        "  d.head.appendChild(s);\n"
        "})();\n"
        "plausible.init({% if endpoint %}{endpoint: \"{{ endpoint }}\"}{% endif %});"
    ),
    csp={
        "script-src": ("{script_url}",),
        "connect-src": ("{endpoint|script_url}",),
    },
    cookies=(),
    cookieless="Sets no cookie and keeps nothing in Web Storage: unique visitors are counted "
    "on the server by a hash of IP address, User-Agent and site domain with a salt rotated "
    "daily (plausible.io/data-policy). Still gated: loading it sends the visitor's IP address "
    "and User-Agent to a third party.",
    signal=ConsentSignal(
        kind="load-on-grant",
        description="No consent API (and nothing stored to clear): the loader runs only once "
        "analytics is granted; on revoke the page reloads, because a loaded script cannot be "
        "unloaded, and the reloaded page does not load it.",
    ),
    gpc=Gpc(
        vendor="Documents no reaction to GPC (its script honours only the visitor's own "
        "localStorage plausible_ignore opt-out): the runtime's category rules apply.",
        source="https://plausible.io/docs/excluding-localstorage",
    ),
    detect=Detect(
        script_src=(r"^(https?:)?//plausible\.io/js/",),
        inline=(r"\bplausible\.init\s*\(", r"plausible\.io/js/"),
        ids=(r"data-domain=[\"'](?P<domain>[^\"']+)[\"'][^>]*src=[\"']"
             r"(?P<script_url>https://[^\"']+\.js)",
             r"(?P<script_url>https://plausible\.io/js/[\w.-]+\.js)"),
    ),
    docs=(
        "https://plausible.io/docs/plausible-script",
        "https://plausible.io/docs/script-update-guide",
        "https://plausible.io/docs/proxy/introduction",
        "https://plausible.io/data-policy",
    ),
    init=InitQuestion("Does the site use Plausible Analytics?", order=70),
)
