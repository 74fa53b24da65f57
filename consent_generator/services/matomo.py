"""Matomo: web analytics, self-hosted (Matomo On-Premise) or Matomo Cloud.

Sources: developer.matomo.org/guides/tracking-javascript-guide (the tracking code: ``_paq``
queue, ``matomo.js`` and ``matomo.php`` under the Matomo URL), developer.matomo.org/guides/
tracking-consent (``requireConsent`` holds every tracking request until ``setConsentGiven``;
``forgetConsentGiven`` stops tracking and removes the cookies) and the cookie FAQ
(matomo.org/faq/general/faq_146). The Matomo URL is a parameter: the tracker and the endpoint
live there, so the CSP sources are that URL's origin (``{url}``).
"""

from .model import ConsentSignal, Cookie, Detect, Gpc, InitQuestion, Param, ServiceSpec

SERVICE = ServiceSpec(
    id="matomo",
    name="Matomo",
    provider="InnoCraft Ltd (Matomo Cloud) or the site owner (self-hosted Matomo)",
    description="Counts visits and measures how the site is used (Matomo Analytics).",
    default_category="analytics",
    privacy_url="https://matomo.org/privacy-policy/",
    params=(
        Param(
            name="url",
            description="Matomo URL, ending in '/': your own server (self-hosted) or "
            "https://<name>.matomo.cloud/",
            example="https://analytics.example.org/",
            pattern=r"https://[A-Za-z0-9.-]+(:[0-9]{1,5})?/([A-Za-z0-9._~-]+/)*",
            pattern_hint="an https:// URL ending in '/', e.g. https://analytics.example.org/",
        ),
        Param(
            name="site_id",
            description="Matomo site id (Administration > Websites > Manage)",
            example="1",
            pattern=r"[0-9]{1,9}",
            pattern_hint="the number Matomo gives the website, e.g. 1",
        ),
    ),
    snippet=(
        "var _paq = window._paq = window._paq || [];\n"
        "_paq.push(['requireConsent']);\n"
        "_paq.push(['trackPageView']);\n"
        "_paq.push(['enableLinkTracking']);\n"
        "(function() {\n"
        "  var u=\"{{ url }}\";\n"
        "  _paq.push(['setTrackerUrl', u+'matomo.php']);\n"
        "  _paq.push(['setSiteId', \"{{ site_id }}\"]);\n"
        "  var d=document, g=d.createElement('script'), s=d.getElementsByTagName('script')[0];\n"
        "  g.async=true; g.src=u+'matomo.js'; s.parentNode.insertBefore(g,s);\n"
        "})();"
    ),
    csp={
        "script-src": ("{url}",),
        "connect-src": ("{url}",),
        "img-src": ("{url}",),
    },
    cookies=(
        Cookie("_pk_id.<site-id>.<hash>", "13 months", "Keeps the visitor id.",
               pattern=r"^_pk_id\.", lifetime_days=395),
        Cookie("_pk_ref.<site-id>.<hash>", "6 months", "Keeps where the visitor came from.",
               pattern=r"^_pk_ref\.", lifetime_days=183),
        Cookie("_pk_ses.<site-id>.<hash>", "30 minutes", "Marks the current visit.",
               pattern=r"^_pk_ses\.", lifetime_days=30 / 1440),
        Cookie("_pk_cvar.<site-id>.<hash>", "30 minutes", "Keeps custom variables of the visit.",
               pattern=r"^_pk_cvar\.", lifetime_days=30 / 1440),
        Cookie("_pk_hsr.<site-id>.<hash>", "30 minutes", "Marks a heatmap or session "
               "recording in progress.", pattern=r"^_pk_hsr\.", lifetime_days=30 / 1440),
        Cookie("_pk_testcookie.<site-id>.<hash>", "deleted at once", "Checks that the browser "
               "accepts cookies.", pattern=r"^_pk_testcookie\."),
        Cookie("mtm_consent", "until consent is forgotten", "Remembers consent given through "
               "Matomo's own API (not used by this runtime, which keeps the choice itself).",
               lifetime_days=10950),
        Cookie("mtm_consent_removed", "until consent is given", "Remembers that consent was "
               "withdrawn through Matomo's API.", lifetime_days=10950),
        Cookie("mtm_cookie_consent", "until consent is forgotten", "Remembers cookie consent "
               "given through Matomo's API.", lifetime_days=10950),
    ),
    signal=ConsentSignal(
        kind="matomo-consent",
        adapter="matomo.js",
        order=30,
        description="The loader queues _paq.push(['requireConsent']) before trackPageView; once "
        "it ran, _paq.push(['setConsentGiven']) when analytics is granted and "
        "_paq.push(['forgetConsentGiven']) on revoke (stops tracking, removes its cookies).",
    ),
    gpc=Gpc(
        vendor="The JavaScript tracker's consent guide names no reaction to GPC (only "
        "Do Not Track, when setDoNotTrack is used): the runtime's category rules apply.",
        source="https://developer.matomo.org/guides/tracking-consent",
    ),
    detect=Detect(
        script_src=(r"/(matomo|piwik)\.js(\?|$)",),
        inline=(r"\b_paq\.push\s*\(", r"(matomo|piwik)\.(js|php)"),
        ids=(r"setSiteId['\"]\s*,\s*['\"]?(?P<site_id>[0-9]+)",),
    ),
    docs=(
        "https://developer.matomo.org/guides/tracking-javascript-guide",
        "https://developer.matomo.org/guides/tracking-consent",
        "https://matomo.org/faq/general/faq_146/",
    ),
    init=InitQuestion("Does the site use Matomo?", order=60),
)
