"""Google Tag Manager: a container that loads other tags configured in Google's console.

Sources: developers.google.com/tag-platform/tag-manager (install snippet, "Use a Content
Security Policy"), Consent Mode v2. What the container loads is decided outside the site, so
the CSP here covers GTM itself and Google Analytics, its most common tag; add the others'
sources under ``csp.extra``.
"""

from .model import ConsentSignal, Cookie, Detect, Gpc, IdCheck, InitQuestion, Param, ServiceSpec

SERVICE = ServiceSpec(
    id="google-tag-manager",
    name="Google Tag Manager",
    provider="Google Ireland Limited",
    description="Loads the tags configured in a Google Tag Manager container.",
    default_category="analytics",
    privacy_url="https://policies.google.com/privacy",
    params=(
        Param(
            name="container_id",
            description="GTM container id (Workspace header in tagmanager.google.com)",
            example="GTM-ABC1234",
            pattern=r"GTM-[A-Z0-9]{4,12}",
            pattern_hint="'GTM-' followed by capital letters and digits, e.g. GTM-ABC1234",
            checks=(
                IdCheck(
                    pattern=r"(?i)G-.*",
                    message="this is a GA4 measurement id; put it under "
                    "'google-analytics: {measurement_id: ...}' instead",
                ),
            ),
        ),
    ),
    snippet=(
        "(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':\n"
        "new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],\n"
        "j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=\n"
        "'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);\n"
        "})(window,document,'script','dataLayer','{{ container_id }}');"
    ),
    csp={
        # Google's CSP guide: the container needs www.googletagmanager.com (script, img,
        # connect); the GA4 tag it usually loads needs the GA4 hosts. The <noscript> ns.html
        # frame is left out on purpose: without JavaScript no consent can be asked, so it
        # must not load.
        "script-src": ("https://www.googletagmanager.com",),
        "img-src": ("https://*.googletagmanager.com", "https://*.google-analytics.com"),
        "connect-src": (
            "https://*.googletagmanager.com",
            "https://*.google-analytics.com",
            "https://*.analytics.google.com",
        ),
    },
    cookies=(
        Cookie("_ga", "2 years", "Distinguishes visitors (set by a Google Analytics tag in the "
               "container).", pattern=r"^_ga$", lifetime_days=730),
        Cookie("_ga_<container-id>", "2 years", "Keeps the session state (Google Analytics tag).",
               pattern=r"^_ga_[A-Za-z0-9]+$", lifetime_days=730),
        Cookie("_gcl_*", "90 days", "Stores ad click information (Google Ads tags).",
               pattern=r"^_gcl_[a-z]+$", lifetime_days=90),
    ),
    signal=ConsentSignal(
        kind="google-consent-mode-v2",
        adapter="google-consent-mode-v2.js",
        order=10,
        description="Same as Google Analytics: Consent Mode v2 default denied before the "
        "container, update on every choice; tags in the container read it.",
    ),
    gpc=Gpc(
        vendor="Google documents no reaction of the container to GPC; the runtime's honor_gpc keeps "
        "ad_storage, ad_user_data and ad_personalization denied (marketing), analytics follows "
        "the visitor's choice.",
        source="https://developers.google.com/tag-platform/security/guides/consent",
    ),
    detect=Detect(
        script_src=(r"^(https?:)?//(www\.)?googletagmanager\.com/gtm\.js",),
        inline=(r"googletagmanager\.com/gtm\.js",),
        iframe_src=(r"^(https?:)?//(www\.)?googletagmanager\.com/ns\.html",),
        ids=(r"googletagmanager\.com/(?:gtm\.js|ns\.html)\?(?:[^\"'\s<>]*&(?:amp;)?)?"
             r"id=(?P<container_id>GTM-[A-Z0-9]+)",
             r"['\"]dataLayer['\"]\s*,\s*['\"](?P<container_id>GTM-[A-Z0-9]+)['\"]"),
    ),
    docs=(
        "https://developers.google.com/tag-platform/tag-manager/web",
        "https://developers.google.com/tag-platform/security/guides/csp",
    ),
    init=InitQuestion("Does the site use Google Tag Manager?", order=30, metavar="GTM-ID"),
)
