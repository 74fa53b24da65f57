"""Google Analytics 4 through gtag.js.

Sources: developers.google.com/tag-platform (gtag.js install, Consent Mode v2, "Use a
Content Security Policy" guide, section Google Analytics 4), and Google's cookie usage page.
With Google signals turned on, GA4 also needs ``https://*.g.doubleclick.net`` and
``https://*.google.com`` in connect-src (guide: "Google Analytics 4 with Google signals"): add
them under ``csp.extra`` rather than widening every site's policy.
"""

from .model import ConsentSignal, Cookie, Detect, Gpc, IdCheck, InitQuestion, Param, ServiceSpec

SERVICE = ServiceSpec(
    id="google-analytics",
    name="Google Analytics",
    provider="Google Ireland Limited",
    description="Counts visits and measures how the site is used (Google Analytics 4).",
    default_category="analytics",
    privacy_url="https://policies.google.com/privacy",
    params=(
        Param(
            name="measurement_id",
            description="GA4 measurement id (Admin > Data streams > Web)",
            example="G-ABCDE12345",
            pattern=r"G-[A-Z0-9]{4,16}",
            pattern_hint="'G-' followed by capital letters and digits, e.g. G-ABCDE12345",
            checks=(
                IdCheck(
                    pattern=r"(?i)UA-\d+(-\d+)?",
                    message="Universal Analytics ('UA-' ids) stopped processing data in 2023 and "
                    "its properties are gone; create a GA4 property and use its 'G-' measurement id",
                ),
                IdCheck(
                    pattern=r"(?i)GTM-.*",
                    message="this is a Google Tag Manager container id; put it under "
                    "'google-tag-manager: {container_id: ...}' instead",
                ),
            ),
        ),
    ),
    script_src="https://www.googletagmanager.com/gtag/js?id={{ measurement_id }}",
    snippet=(
        "window.dataLayer = window.dataLayer || [];\n"
        "function gtag(){dataLayer.push(arguments);}\n"
        "gtag('js', new Date());\n"
        "gtag('config', '{{ measurement_id }}');"
    ),
    csp={
        "script-src": ("https://*.googletagmanager.com",),
        "img-src": (
            "https://*.google-analytics.com",
            "https://*.analytics.google.com",
            "https://*.googletagmanager.com",
        ),
        "connect-src": (
            "https://*.google-analytics.com",
            "https://*.analytics.google.com",
            "https://*.googletagmanager.com",
        ),
    },
    cookies=(
        Cookie("_ga", "2 years", "Distinguishes visitors.", pattern=r"^_ga$", lifetime_days=730),
        Cookie("_ga_<container-id>", "2 years", "Keeps the session state.",
               pattern=r"^_ga_[A-Za-z0-9]+$", lifetime_days=730),
    ),
    signal=ConsentSignal(
        kind="google-consent-mode-v2",
        adapter="google-consent-mode-v2.js",
        order=10,
        description="gtag('consent','default', all denied, wait_for_update) before any Google "
        "tag; gtag('consent','update', ...) on every choice: analytics_storage follows "
        "analytics; ad_storage, ad_user_data, ad_personalization follow marketing; "
        "functionality_storage and personalization_storage follow functionality.",
    ),
    gpc=Gpc(
        vendor="Google documents no reaction of gtag.js to GPC; the runtime's honor_gpc keeps "
        "ad_storage, ad_user_data and ad_personalization denied (marketing), analytics follows "
        "the visitor's choice.",
        source="https://developers.google.com/tag-platform/security/guides/consent",
    ),
    detect=Detect(
        script_src=(r"^(https?:)?//(www\.)?googletagmanager\.com/gtag/js",
                    r"^(https?:)?//(www\.)?google-analytics\.com/(analytics|ga)\.js"),
        inline=(r"\bgtag\s*\(\s*['\"]config['\"]\s*,\s*['\"](G|UA)-",
                r"google-analytics\.com/(analytics|ga)\.js"),
        ids=(r"googletagmanager\.com/gtag/js\?(?:[^\"'\s<>]*&(?:amp;)?)?id=(?P<measurement_id>G-[A-Z0-9]+)",
             r"\bgtag\s*\(\s*['\"]config['\"]\s*,\s*['\"](?P<measurement_id>G-[A-Z0-9]+)['\"]"),
    ),
    docs=(
        "https://developers.google.com/tag-platform/gtagjs/install",
        "https://developers.google.com/tag-platform/security/guides/consent",
        "https://developers.google.com/tag-platform/security/guides/csp",
        "https://business.safety.google/adscookies/",
    ),
    init=InitQuestion("Does the site use Google Analytics 4?", order=20, metavar="G-ID"),
)
