"""PostHog: product analytics with session recording (PostHog Cloud EU/US or self-hosted).

Sources: posthog.com/docs/libraries/js (the snippet: a queueing ``posthog`` stub that loads
``array.js`` from the API host with ``.i.posthog.com`` turned into ``-assets.i.posthog.com``),
posthog.com/docs/libraries/js/config (``api_host``, ``persistence``,
``opt_out_capturing_by_default``, ``opt_out_persistence_by_default``),
posthog.com/docs/privacy/data-collection (``opt_in_capturing`` / ``opt_out_capturing``: opting
out stops all capture, session recordings included), the persistence notes of posthog-js
(cookie ``ph_<project key>_posthog``, the same key in localStorage) and
posthog.com/docs/session-replay/privacy (the class ``ph-no-capture`` keeps an element out of
recordings and autocapture).

The API host is a parameter (EU or US Cloud, a self-hosted instance or a reverse proxy): its
origin is the CSP source, plus the assets host PostHog Cloud implies.

The loader starts it opted out, with no persistence, until the adapter says
``opt_in_capturing``: with ``opt_out_capturing_by_default`` a missing opt-in record means "out",
so clearing PostHog's storage on revoke can never switch it back on.
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

_STUB_METHODS = ("init capture register register_once register_for_session unregister identify "
                 "alias set_config reset get_distinct_id opt_in_capturing opt_out_capturing "
                 "has_opted_in_capturing has_opted_out_capturing startSessionRecording "
                 "stopSessionRecording sessionRecordingStarted")

SERVICE = ServiceSpec(
    id="posthog",
    name="PostHog",
    provider="PostHog Inc. (PostHog Cloud) or the site owner (self-hosted PostHog)",
    description="Product analytics and session recordings that show how visitors use the "
    "site (PostHog).",
    default_category="analytics",
    privacy_url="https://posthog.com/privacy",
    params=(
        Param(
            name="project_key",
            description="PostHog project API key (Project settings > Project API key)",
            example="phc_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg",
            pattern=r"phc_[A-Za-z0-9]{16,64}",
            pattern_hint="'phc_' followed by letters and digits",
        ),
        Param(
            name="api_host",
            description="PostHog host: https://eu.i.posthog.com (EU Cloud), "
            "https://us.i.posthog.com (US Cloud), or your self-hosted instance or proxy",
            example="https://eu.i.posthog.com",
            pattern=r"https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+)*",
            pattern_hint="an https:// URL without a trailing '/', e.g. https://eu.i.posthog.com",
            also_hosts=((".i.posthog.com", "-assets.i.posthog.com"),),
        ),
    ),
    snippet=(
        "!function(t,e){var o,n,p,r;e.__SV||(window.posthog=e,e._i=[],e.init=function(i,s,a){"
        "function g(t,e){var o=e.split(\".\");2==o.length&&(t=t[o[0]],e=o[1]),t[e]=function(){"
        "t.push([e].concat(Array.prototype.slice.call(arguments,0)))}}"
        "(p=t.createElement(\"script\")).type=\"text/javascript\",p.crossOrigin=\"anonymous\","
        "p.async=!0,p.src=s.api_host.replace(\".i.posthog.com\",\"-assets.i.posthog.com\")"
        "+\"/static/array.js\",(r=t.getElementsByTagName(\"script\")[0]).parentNode"
        ".insertBefore(p,r);var u=e;for(void 0!==a?u=e[a]=[]:a=\"posthog\","
        "u.people=u.people||[],o=\"" + _STUB_METHODS + "\".split(\" \"),n=0;n<o.length;n++)"
        "g(u,o[n]);e._i.push([i,s,a])},e.__SV=1)}(document,window.posthog||[]);\n"
        "posthog.init(\"{{ project_key }}\", {api_host: \"{{ api_host }}\", "
        "person_profiles: \"identified_only\", opt_out_capturing_by_default: true, "
        "opt_out_persistence_by_default: true});"
    ),
    csp={
        "script-src": ("{api_host}",),
        "connect-src": ("{api_host}",),
    },
    cookies=(
        Cookie("ph_<project-key>_posthog", "1 year", "Keeps the PostHog visitor id, session "
               "id and settings, so later page views and visits count as the same visitor.",
               pattern=r"^ph_phc_[A-Za-z0-9]+_posthog$", lifetime_days=365),
        Cookie("ph_<project-key>_posthog (localStorage)", "until cleared", "The same state "
               "as the cookie, with feature flags and properties.",
               pattern=r"^ph_phc_[A-Za-z0-9]+_posthog$", store="local"),
        Cookie("__ph_opt_in_out_<project-key>", "until cleared", "Remembers the opt-in "
               "given through PostHog's API.", pattern=r"^__ph_opt_in_out_phc_",
               store="local"),
        Cookie("ph_<project-key>_window_id, ph_<project-key>_primary_window_exists",
               "until the tab is closed", "Tell this tab apart for session recordings.",
               pattern=r"^ph_phc_[A-Za-z0-9]+_(window_id|primary_window_exists)$",
               store="session"),
    ),
    signal=ConsentSignal(
        kind="posthog-opt-in",
        adapter="posthog.js",
        order=40,
        description="The loader inits PostHog opted out with no persistence "
        "(opt_out_capturing_by_default, opt_out_persistence_by_default); once it ran, "
        "posthog.opt_in_capturing() when analytics is granted; on revoke "
        "posthog.opt_out_capturing() and stopSessionRecording() (capture and recording stop, "
        "its persistence is removed), then its cookie and storage keys are cleared; a "
        "re-grant opts in again and restarts the recording, without a reload.",
    ),
    gpc=Gpc(
        vendor="Documents no reaction to GPC (its respect_dnt option reads Do Not Track "
        "only, and is off by default): the runtime's category rules apply.",
        source="https://posthog.com/docs/libraries/js/config",
    ),
    detect=Detect(
        script_src=(r"^(https?:)?//[a-z]+-assets\.i\.posthog\.com/",
                    r"^(https?:)?//(app|eu|us)\.posthog\.com/static/array\.js"),
        inline=(r"\bposthog\.init\s*\(", r"-assets\.i\.posthog\.com"),
        ids=(r"posthog\.init\(\s*['\"](?P<project_key>phc_[A-Za-z0-9]+)['\"]\s*,\s*\{[^}]*?"
             r"api_host\s*:\s*['\"](?P<api_host>https://[^'\"/]+)",
             r"posthog\.init\(\s*['\"](?P<project_key>phc_[A-Za-z0-9]+)['\"]"),
    ),
    mask=MaskMark(css_class="ph-no-capture",
                  source="https://posthog.com/docs/session-replay/privacy"),
    docs=(
        "https://posthog.com/docs/libraries/js",
        "https://posthog.com/docs/libraries/js/config",
        "https://posthog.com/docs/privacy/data-collection",
        "https://posthog.com/docs/session-replay/privacy",
    ),
    init=InitQuestion("Does the site use PostHog?", order=90),
)
