"""Vimeo video embeds (player.vimeo.com), with ``dnt=1`` so the player sets no cookies.

Sources: help.vimeo.com "Embedding videos: player parameters" (dnt) and Vimeo's cookie list.
"""

from .model import ConsentSignal, Cookie, Detect, Embed, Gpc, InitQuestion, ServiceSpec

SERVICE = ServiceSpec(
    id="vimeo",
    name="Vimeo",
    provider="Vimeo.com, Inc.",
    description="Embedded videos. Playing one lets Vimeo record the view.",
    default_category="marketing",
    privacy_url="https://vimeo.com/privacy",
    csp={
        "frame-src": ("https://player.vimeo.com",),
        "img-src": ("https://i.vimeocdn.com",),
    },
    cookies=(
        Cookie("vuid", "2 years", "Vimeo's analytics id for the viewer (not set with dnt=1).",
               party="third", lifetime_days=730),
        Cookie("__cf_bm", "30 minutes", "Bot protection by Cloudflare for Vimeo.",
               party="third", lifetime_days=0.02),
    ),
    signal=ConsentSignal(
        kind="load-on-grant",
        description="No consent API: the frame's src is set only after the category is granted "
        "or the visitor loads this one video from its placeholder.",
    ),
    detect=Detect(
        iframe_src=(r"^(https?:)?//player\.vimeo\.com/video/",),
        script_src=(r"^(https?:)?//player\.vimeo\.com/api/player\.js",),
    ),
    gpc=Gpc(
        vendor="Vimeo documents no reaction of its player to GPC; dnt=1 keeps the player from tracking. The service is in marketing, which honor_gpc keeps denied, so videos stay behind their placeholder (the visitor may still load one).",
        source="https://help.vimeo.com/hc/en-us/articles/12426260232977",
    ),
    embed=Embed(kind="video", privacy_query=(("dnt", "1"),)),
    docs=("https://help.vimeo.com/hc/en-us/articles/12426260232977",),
    init=InitQuestion("Does the site embed Vimeo videos?", order=50),
)
