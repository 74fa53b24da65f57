"""YouTube video embeds, served from the privacy-enhanced youtube-nocookie.com host.

Sources: support.google.com/youtube "Turn on privacy-enhanced mode", Google's cookie list.
YouTube has no consent API for embeds: the frame is loaded only once marketing (or the
category configured) is granted, or the visitor clicks "Load video" on the placeholder.
"""

from .model import ConsentSignal, Cookie, Detect, Embed, Gpc, InitQuestion, ServiceSpec

SERVICE = ServiceSpec(
    id="youtube",
    name="YouTube",
    provider="Google Ireland Limited",
    description="Embedded videos. Playing one lets YouTube set cookies and track the view.",
    default_category="marketing",
    privacy_url="https://policies.google.com/privacy",
    csp={
        "frame-src": ("https://www.youtube-nocookie.com", "https://www.youtube.com"),
        "img-src": ("https://i.ytimg.com",),
    },
    cookies=(
        Cookie("VISITOR_INFO1_LIVE", "6 months", "Estimates bandwidth and tracks the viewer "
               "across YouTube embeds.", party="third", lifetime_days=180),
        Cookie("YSC", "session", "Counts views of embedded videos.", party="third"),
        Cookie("yt-remote-*", "session / persistent", "Stores the player's preferences "
               "(local storage on youtube-nocookie.com).", party="third"),
    ),
    signal=ConsentSignal(
        kind="load-on-grant",
        description="No consent API: the frame's src is set only after the category is granted "
        "or the visitor loads this one video from its placeholder.",
    ),
    detect=Detect(
        iframe_src=(r"^(https?:)?//(www\.)?(youtube\.com|youtube-nocookie\.com)/embed/",),
        script_src=(r"^(https?:)?//(www\.)?youtube\.com/iframe_api",),
    ),
    gpc=Gpc(
        vendor="YouTube documents no reaction of its embed player to GPC. The service is in marketing, which honor_gpc keeps denied, so videos stay behind their placeholder (the visitor may still load one).",
        source="https://support.google.com/youtube/answer/171780",
    ),
    embed=Embed(kind="video", privacy_host="www.youtube-nocookie.com"),
    docs=("https://support.google.com/youtube/answer/171780",),
    init=InitQuestion("Does the site embed YouTube videos?", order=40),
)
