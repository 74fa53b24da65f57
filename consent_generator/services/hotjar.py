"""Hotjar: session recordings and heatmaps (like Clarity), surveys and feedback widgets.

Sources: help.hotjar.com: installing the tracking code (``hj`` queue, ``_hjSettings`` with
``hjid`` and ``hjsv``, ``static.hotjar.com/c/hotjar-<id>.js``), the Content Security Policy
article (``*.hotjar.com`` for scripts, images, fonts and styles; ``*.hotjar.com``,
``*.hotjar.io`` and ``wss://*.hotjar.com`` for connections), the cookie list (``_hjSessionUser_*``,
``_hjSession_*``...) and suppression (``data-hj-suppress`` hides an element's text, images and
input from recordings and heatmaps; Hotjar already hides what visitors type by default).

Hotjar documents no consent API and no call that stops or unloads its script: it is loaded
only once analytics is granted, and on revoke the runtime deletes its cookies and Web Storage
keys and reloads the page (the runtime's approach for every vendor without a consent API:
code that ran cannot be unloaded), and the reloaded page does not load it. Its survey and
feedback widgets style themselves with inline styles, which this CSP does not allow: they may
look unstyled; recordings and heatmaps do not need them.
"""

from .model import (
    ConsentSignal,
    Cookie,
    Detect,
    Gpc,
    InitQuestion,
    MaskMark,
    Param,
    ServiceSpec,
)

_30_MIN = 30 / 1440

SERVICE = ServiceSpec(
    id="hotjar",
    name="Hotjar",
    provider="Hotjar Ltd",
    description="Session recordings and heatmaps that show how visitors use the site.",
    default_category="analytics",
    privacy_url="https://www.hotjar.com/legal/policies/privacy/",
    params=(
        Param(
            name="site_id",
            description="Hotjar Site ID (Sites & Organizations, or hjid in the tracking code)",
            example="1234567",
            pattern=r"[0-9]{1,10}",
            pattern_hint="the number Hotjar gives the site, e.g. 1234567",
        ),
    ),
    snippet=(
        "(function(h,o,t,j,a,r){\n"
        "    h.hj=h.hj||function(){(h.hj.q=h.hj.q||[]).push(arguments)};\n"
        "    h._hjSettings={hjid:{{ site_id }},hjsv:6};\n"
        "    a=o.getElementsByTagName('head')[0];\n"
        "    r=o.createElement('script');r.async=1;\n"
        "    r.src=t+h._hjSettings.hjid+j+h._hjSettings.hjsv;\n"
        "    a.appendChild(r);\n"
        "})(window,document,'https://static.hotjar.com/c/hotjar-','.js?sv=');"
    ),
    csp={
        "script-src": ("https://static.hotjar.com", "https://script.hotjar.com"),
        "connect-src": ("https://*.hotjar.com", "https://*.hotjar.io", "wss://*.hotjar.com"),
        "img-src": ("https://*.hotjar.com",),
        "font-src": ("https://*.hotjar.com",),
        "style-src": ("https://*.hotjar.com",),
    },
    cookies=(
        Cookie("_hjSessionUser_<site-id>", "1 year", "Keeps the Hotjar user id for this site, "
               "so later visits count as the same visitor.", pattern=r"^_hjSessionUser_\d+$",
               lifetime_days=365),
        Cookie("_hjSession_<site-id>", "30 minutes", "Holds the current session, so page "
               "views of one visit belong together.", pattern=r"^_hjSession_\d+$",
               lifetime_days=_30_MIN),
        Cookie("_hjIncludedInSessionSample_<site-id>", "30 minutes", "Says whether this visit "
               "is in the sample Hotjar records.", pattern=r"^_hjIncludedInSessionSample",
               lifetime_days=_30_MIN),
        Cookie("_hjAbsoluteSessionInProgress", "30 minutes", "Marks the first page view of a "
               "visit.", lifetime_days=_30_MIN),
        Cookie("_hjFirstSeen", "session", "Marks a new visitor's first session."),
        Cookie("_hjTLDTest", "session", "Finds the broadest domain a cookie can be set on."),
        Cookie("_hjHasCachedUserAttributes", "session", "Says whether the user attributes "
               "cached in _hjUserAttributes are current."),
        Cookie("_hjUserAttributesHash", "session", "Detects a change of the user attributes "
               "sent through Hotjar's Identify API."),
        Cookie("_hjClosedSurveyInvites", "1 year", "Remembers a survey invitation the visitor "
               "closed.", lifetime_days=365),
        Cookie("_hjDonePolls", "1 year", "Remembers a survey the visitor completed.",
               lifetime_days=365),
        Cookie("_hjMinimizedPolls", "1 year", "Remembers a survey the visitor minimised.",
               lifetime_days=365),
        Cookie("_hjShownFeedbackMessage", "1 year", "Remembers that the feedback widget was "
               "shown.", lifetime_days=365),
        Cookie("_hj* (localStorage)", "until cleared", "Copies of the ids above and Hotjar's "
               "storage tests (_hjLocalStorageTest, _hjUserAttributes...).", pattern=r"^_hj",
               store="local"),
        Cookie("_hj* (sessionStorage)", "until the tab is closed", "Recording state of the "
               "tab (_hjRecordingEnabled, _hjRecordingLastActivity, _hjViewportId, "
               "_hjSessionStorageTest).", pattern=r"^_hj", store="session"),
    ),
    signal=ConsentSignal(
        kind="load-on-grant",
        description="No consent API and no documented way to stop its script: loaded only "
        "once analytics is granted; on revoke its _hj cookies and Web Storage keys are "
        "deleted and the page reloads (a script that ran cannot be unloaded), without it.",
    ),
    gpc=Gpc(
        vendor="Hotjar documents no reaction of its tracking code to GPC: the runtime's "
        "category rules apply.",
        source="https://help.hotjar.com/hc/en-us/articles/115011640307-Content-Security-Policies",
    ),
    detect=Detect(
        script_src=(r"^(https?:)?//(static|script)\.hotjar\.com/",),
        inline=(r"static\.hotjar\.com/c/hotjar-", r"_hjSettings\s*=", r"\bhjid\s*:"),
        ids=(r"\bhjid\s*:\s*['\"]?(?P<site_id>[0-9]+)",
             r"hotjar-(?P<site_id>[0-9]+)\.js"),
    ),
    mask=MaskMark(
        attribute="data-hj-suppress",
        source="https://help.hotjar.com/hc/en-us/articles/115015563287",
    ),
    docs=(
        "https://help.hotjar.com/hc/en-us/articles/115009336727",
        "https://help.hotjar.com/hc/en-us/articles/115011640307-Content-Security-Policies",
        "https://help.hotjar.com/hc/en-us/articles/6952777582999",
        "https://help.hotjar.com/hc/en-us/articles/115015563287",
        "https://help.hotjar.com/hc/en-us/articles/36820034730641",
    ),
    init=InitQuestion("Does the site use Hotjar?", order=80),
)
