"""Microsoft Clarity: session recordings and heatmaps.

Sources: learn.microsoft.com/clarity (setup, "Clarity consent API v2", cookie list, CSP notes).
The tag (www.clarity.ms/tag/<id>) loads the recorder from scripts.clarity.ms and sends data
to <letter>.clarity.ms/collect; c.bing.com syncs the MUID cookie.
"""

from .model import (
    ConsentSignal,
    Cookie,
    Detect,
    Gpc,
    IdCheck,
    InitQuestion,
    MaskMark,
    Param,
    ServiceSpec,
)

SERVICE = ServiceSpec(
    id="clarity",
    name="Microsoft Clarity",
    provider="Microsoft Corporation",
    description="Session recordings and heatmaps that show how visitors use the site.",
    default_category="analytics",
    privacy_url="https://privacy.microsoft.com/privacystatement",
    params=(
        Param(
            name="project_id",
            description="Clarity project id (Settings > Overview in clarity.microsoft.com)",
            example="abcde12345",
            pattern=r"[a-z0-9]{10}",
            pattern_severity="warning",
            pattern_hint="10 lowercase letters and digits, as Clarity issues them",
            checks=(
                IdCheck(
                    pattern=r".*[^A-Za-z0-9].*",
                    message="a Clarity project id holds only letters and digits",
                ),
            ),
        ),
    ),
    snippet=(
        '(function(c,l,a,r,i,t,y){\n'
        '    c[a]=c[a]||function(){(c[a].q=c[a].q||[]).push(arguments)};\n'
        '    t=l.createElement(r);t.async=1;t.src="https://www.clarity.ms/tag/"+i;\n'
        '    y=l.getElementsByTagName(r)[0];y.parentNode.insertBefore(t,y);\n'
        '})(window, document, "clarity", "script", "{{ project_id }}");'
    ),
    csp={
        "script-src": ("https://www.clarity.ms", "https://scripts.clarity.ms"),
        "connect-src": ("https://*.clarity.ms", "https://c.bing.com"),
        "img-src": ("https://*.clarity.ms", "https://c.bing.com"),
    },
    cookies=(
        # Clarity's cookie list (learn.microsoft.com/clarity/.../cookie-list). With consentv2
        # denied, Clarity sets none of them and runs cookieless, one id per page view.
        Cookie("_clck", "1 year", "Keeps the Clarity user id and preferences, unique to this "
               "site, so later visits count as the same visitor.", lifetime_days=365),
        Cookie("_clsk", "1 day", "Connects several page views by one visitor into one "
               "recording.", lifetime_days=1),
        # clarity-js src/data/metadata.ts tab(): written only while cookies are allowed.
        Cookie("_cltk", "until the tab is closed", "Identifies the browser tab, so page views "
               "in the same tab are linked.", store="session"),
        Cookie("CLID", "1 year", "Identifies the first time Clarity saw this visitor on any "
               "site that uses Clarity.", party="third", lifetime_days=365),
        Cookie("MUID", "1 year 24 days", "Identifies the browser across Microsoft sites "
               "(advertising, site analytics and operations).", party="third",
               lifetime_days=390),
        Cookie("MR", "7 days", "Tells Microsoft whether to refresh MUID.", party="third",
               lifetime_days=7),
        Cookie("SM", "session", "Synchronises MUID across Microsoft domains.", party="third"),
        Cookie("ANONCHK", "10 minutes", "Says whether MUID is passed to ANID (an advertising "
               "cookie Clarity does not use; always 0).", party="third",
               lifetime_days=10 / 1440),
    ),
    signal=ConsentSignal(
        kind="clarity-consentv2",
        adapter="clarity-consentv2.js",
        order=20,
        description="clarity('consentv2', {analytics_Storage, ad_Storage}) from the same state "
        "as Google Consent Mode (analytics_Storage follows analytics, ad_Storage follows "
        "marketing); on revoke clarity('stop') first, because denied alone restarts the client "
        "cookieless (clarity-js src/data/metadata.ts), then denied.",
    ),
    gpc=Gpc(
        not_loaded=True,
        vendor="The client refuses to start when navigator.globalPrivacyControl is true, so "
        "it is never downloaded under GPC.",
        source="clarity-js src/core/index.ts, check()",
    ),
    detect=Detect(
        script_src=(r"^(https?:)?//(www\.)?clarity\.ms/tag/", r"^(https?:)?//scripts\.clarity\.ms/"),
        inline=(r"clarity\.ms/tag/", r"\bclarity\s*\(\s*['\"]consent"),
        ids=(r"clarity\.ms/tag/(?P<project_id>[A-Za-z0-9]+)",
             r"['\"]clarity['\"]\s*,\s*['\"]script['\"]\s*,\s*['\"](?P<project_id>[A-Za-z0-9]+)['\"]"),
    ),
    docs=(
        "https://learn.microsoft.com/clarity/setup-and-installation/clarity-setup",
        "https://learn.microsoft.com/clarity/setup-and-installation/clarity-consent-api-v2",
        "https://learn.microsoft.com/clarity/setup-and-installation/cookie-list",
    ),
    mask=MaskMark(attribute="data-clarity-mask", source="https://learn.microsoft.com/clarity/"
                  "setup-and-installation/clarity-masking"),
    init=InitQuestion("Does the site use Microsoft Clarity?", order=10, metavar="PROJECT_ID"),
)
