"""Load and validate ``consent.yml`` into the immutable :class:`~.model.Policy`.

This is the only producer of a ``Policy``: everything downstream trusts it, so every key is
checked here, and every mistake in a file is reported in one go (file, line, column, key
path, what was expected, a did-you-mean) instead of one per run. Mistakes that do not make
the site weaker (an unusual Clarity id, a header-only directive with ``<meta>`` delivery)
are warnings, kept in ``Policy.warnings``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from functools import cache
from pathlib import Path

from .csp_vocabulary import META_FORBIDDEN, OWN_KEY_DIRECTIVES
from .lazy import lazy_pattern
from .model import (
    DELIVERIES,
    HSTS_ONE_YEAR,
    HSTS_SIX_MONTHS,
    Category,
    CookieConfig,
    CspConfig,
    HeadersConfig,
    MaskingConfig,
    Policy,
    UiConfig,
    UnknownEmbeds,
    frozen_map,
)
from .policy_services import check_services, check_source_list, check_source_map, check_url
from .selectors import selector_problem
from .validation import (
    PolicyError,
    Problem,
    Reporter,
    child,
    did_you_mean,
    suggestion,
    value_of,
)
from .yaml_source import Entry, Node, read_yaml

__all__ = [
    "BUNDLED_LANGUAGES",
    "MAX_EXPIRY_DAYS",
    "POLICY_FILENAME",
    "PolicyError",
    "Problem",
    "default_policy_path",
    "load_policy",
    "parse_policy",
]

POLICY_FILENAME = "consent.yml"
BUNDLED_LANGUAGES: tuple[str, ...] = ("en", "de", "fr", "es", "it", "nl", "pt", "pl")
MODES: tuple[str, ...] = ("opt-in", "opt-out", "notice")
MASKING_MODES: tuple[str, ...] = ("strict", "balanced", "relaxed")
MAX_EXPIRY_DAYS = 395
"""13 months: the longest consent lifetime EU regulators accept (CNIL's guidance on cookies
caps their lifetime at 13 months; it recommends asking again after 6, our default 182 days)."""

MAX_REVISION = 999_999_999
"""The largest revision the runtime can store in its cookie and read back (``\\d{1,9}``)."""

TOP_KEYS = ("version", "mode", "revision", "expiry_days", "honor_gpc", "cookie",
            "record_endpoint", "categories", "services", "masking", "csp", "headers", "ui",
            "unknown_embeds")
CATEGORY_KEYS = ("required", "title", "description")
DEFAULT_CATEGORY_IDS = ("necessary", "functionality", "analytics", "marketing")


_cookie_token = lazy_pattern(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
"""This and the four checks below are compiled on first need: each checks a key most
policies leave out, and compiling all five was ~0.4 ms of every build (issue 15)."""


_hostname = lazy_pattern(r"(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                         r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")


_category_id = lazy_pattern(r"[a-z][a-z0-9_-]*")


_lang_tag = lazy_pattern(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*")


_report_group = lazy_pattern(r"[A-Za-z0-9_-]+")


_HEADER_DELIVERIES = tuple(d for d in DELIVERIES if d != "meta")


def default_policy_path(config_dir: str | os.PathLike[str]) -> Path:
    """Where the policy lives by default: ``consent.yml`` beside ``mkdocs.yml``."""
    return Path(config_dir) / POLICY_FILENAME


def load_policy(path: str | os.PathLike[str]) -> Policy:
    """Read and validate a policy file; :class:`PolicyError` lists every problem."""
    name = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise PolicyError([Problem(name, 0, 0, "", "file not found",
                                   "create one with 'consent-generator init'")]) from None
    except OSError as exc:
        raise PolicyError([Problem(name, 0, 0, "", f"cannot read the file: "
                                   f"{exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PolicyError([Problem(name, line, 1, "", "the file is not UTF-8 text",
                                   "save it with UTF-8 encoding")]) from None
    return parse_policy(text, name, source=Path(path))


def parse_policy(text: str, filename: str = POLICY_FILENAME, *,
                 source: Path | None = None) -> Policy:
    """Validate policy ``text`` (named ``filename`` in messages) into a :class:`Policy`."""
    rep = Reporter(filename)
    doc = read_yaml(text)
    for issue in doc.issues:
        path = ""
        for part in issue.path:
            path = child(path, part)
        rep.error(issue, path, issue.message, issue.hint)
    policy = _build(rep, doc.root, source) if doc.root is not None else Policy(source=source)
    if rep.problems:
        raise PolicyError(sorted(rep.problems, key=lambda p: (p.line, p.column)))
    return policy


def _build(rep: Reporter, root: Node, source: Path | None) -> Policy:
    if root.kind != "mapping":
        rep.error(root, "", "the policy must be a mapping of keys (version, mode, services...)",
                  "see 'consent-generator init' for a commented example")
        return Policy(source=source)
    top = rep.mapping(root, "", TOP_KEYS)

    def get(key: str) -> Node | None:
        return value_of(top.get(key))

    _version(rep, get("version"))
    categories = _categories(rep, get("categories"))
    csp = _csp(rep, get("csp"))
    policy = Policy(
        mode=rep.choice(get("mode"), "mode", MODES, "opt-in"),  # type: ignore[arg-type]
        revision=rep.integer(get("revision"), "revision", 1, maximum=MAX_REVISION,
                             why_max="the consent cookie stores the revision in at most 9 "
                             "digits; start again from 1 with a new cookie.name"),
        expiry_days=rep.integer(
            get("expiry_days"), "expiry_days", 182, maximum=MAX_EXPIRY_DAYS,
            why_max="EU regulators (CNIL) cap consent and cookie lifetimes at 13 months "
            "(395 days); 182 days is the usual choice"),
        honor_gpc=rep.boolean(get("honor_gpc"), "honor_gpc", True),
        cookie=_cookie(rep, get("cookie")),
        record_endpoint=_optional_url(rep, get("record_endpoint"), "record_endpoint"),
        categories=categories,
        services=check_services(rep, get("services"), categories),
        masking=_masking(rep, get("masking")),
        csp=csp,
        headers=_headers(rep, get("headers"), csp),
        ui=_ui(rep, get("ui"), categories),
        unknown_embeds=_unknown_embeds(rep, get("unknown_embeds"), categories),
        source=source,
    )
    _cross_checks(rep, policy, top)
    return _with_warnings(policy, rep)


def _with_warnings(policy: Policy, rep: Reporter) -> Policy:
    ordered = sorted(rep.warnings, key=lambda w: (w.line or 0, w.column or 0))
    return replace(policy, warnings=tuple(ordered))


def _version(rep: Reporter, node: Node | None) -> None:
    """Only version 1 exists; a later file must not be half-understood by an older tool."""
    if node is None:
        return
    version = rep.integer(node, "version", 1)
    if version != 1:
        rep.error(node, "version", f"unsupported version {version}",
                  "this consent-generator reads 'version: 1'; upgrade it for newer files")


# -- cookie and endpoint --------------------------------------------------------------------


def _cookie(rep: Reporter, node: Node | None) -> CookieConfig:
    fields = rep.mapping(node, "cookie", ("name", "domain"))
    name = rep.string(value_of(fields.get("name")), "cookie.name", "site_consent")
    if "name" in fields and not _cookie_token().fullmatch(name):
        rep.error(fields["name"].node, "cookie.name", f"{name!r} is not a valid cookie name",
                  "use letters, digits and - _ . (no spaces, quotes, '=', ';' or ',')")
        name = "site_consent"
    domain = rep.string(value_of(fields.get("domain")), "cookie.domain", None, null_ok=True)
    if domain is not None and not _hostname().fullmatch(domain):
        hint = "a host name such as example.org (no scheme, path or port)"
        if domain.startswith("."):
            hint = f"write it without the leading dot: {domain.lstrip('.')!r}"
        elif "://" in domain or "/" in domain:
            hint = "only the host name, e.g. example.org"
        rep.error(fields["domain"].node, "cookie.domain", f"{domain!r} is not a domain name", hint)
        domain = None
    return CookieConfig(name=name, domain=domain.lower() if domain else None)


def _optional_url(rep: Reporter, node: Node | None, path: str) -> str | None:
    value = rep.string(node, path, None, null_ok=True, example='"https://example.org/consent"')
    if value is None or node is None:
        return None
    return value if check_url(rep, node, path, value) else None


# -- categories ------------------------------------------------------------------------------


def _categories(rep: Reporter, node: Node | None) -> tuple[Category, ...]:
    if node is None:
        return Policy().categories
    out: list[Category] = []
    for cid, entry in rep.mapping(node, "categories", None).items():
        category = _category(rep, cid, entry)
        if category is not None:
            out.append(category)
    if not any(c.id == "necessary" for c in out):
        out.insert(0, Category("necessary", required=True))
    return tuple(out)


def _category(rep: Reporter, cid: str, entry: Entry) -> Category | None:
    path = child("categories", cid)
    if not _category_id().fullmatch(cid):
        rep.error(entry, path, f"{cid!r} cannot name a category",
                  "use lower-case letters, digits, '-' or '_', starting with a letter")
        return None
    if cid not in DEFAULT_CATEGORY_IDS:
        close = did_you_mean(cid, DEFAULT_CATEGORY_IDS)
        if close:
            rep.warn(entry, path, f"new category {cid!r}", f"did you mean {close!r}?")
    fields = rep.mapping(entry.node, path, CATEGORY_KEYS)
    required = rep.boolean(value_of(fields.get("required")), child(path, "required"),
                           cid == "necessary")
    if cid == "necessary" and not required:
        rep.error(fields["required"].node, child(path, "required"),
                  "'necessary' is always required: it holds what the site cannot work without",
                  "remove 'required: false'")
    title = rep.string(value_of(fields.get("title")), child(path, "title"), None, null_ok=True)
    description = rep.string(value_of(fields.get("description")), child(path, "description"),
                             None, null_ok=True)
    return Category(cid, required=required, title=title, description=description)


# -- unknown embeds --------------------------------------------------------------------------


def _unknown_embeds(rep: Reporter, node: Node | None,
                    categories: tuple[Category, ...]) -> UnknownEmbeds:
    """``unknown_embeds: error`` or ``{category: <a category visitors can refuse>}``.

    No ``allow``: an unclaimed third party is never left live (see :class:`UnknownEmbeds`).
    A required category would be the same thing in disguise, so it is refused too."""
    ids = [c.id for c in categories]
    if node is None or node.is_null:
        return UnknownEmbeds()
    if node.kind == "scalar":
        if node.value == "error":
            return UnknownEmbeds(error=True)
        hint = ("there is no 'allow': declare a third party you trust as a custom service "
                "under services (it can then be in any category)"
                if str(node.value).lower() in ("allow", "ignore", "off", "false", "none")
                else "write  unknown_embeds: error  or  unknown_embeds: {category: marketing}")
        rep.error(node, "unknown_embeds", f"unknown value {node.value!r}", hint)
        return UnknownEmbeds()
    fields = rep.mapping(node, "unknown_embeds", ("category",))
    field = fields.get("category")
    if field is None:
        return UnknownEmbeds()
    value = rep.string(value_of(field), "unknown_embeds.category", None)
    if value is None:
        return UnknownEmbeds()
    cat = next((c for c in categories if c.id == value), None)
    if cat is None:
        rep.error(field.node, "unknown_embeds.category", f"unknown category {value!r}",
                  suggestion(value, ids, what="a category defined under categories"))
        return UnknownEmbeds()
    if cat.required:
        rep.error(field.node, "unknown_embeds.category",
                  f"{value!r} is always on, so unknown third parties would load without "
                  "consent", "use a category visitors choose (e.g. marketing), or declare a "
                  "third party you trust as a custom service under services")
        return UnknownEmbeds()
    return UnknownEmbeds(category=value)


# -- masking ---------------------------------------------------------------------------------


def _masking(rep: Reporter, node: Node | None) -> MaskingConfig:
    fields = rep.mapping(node, "masking", ("mode", "mask", "unmask"))
    mode = rep.choice(value_of(fields.get("mode")), "masking.mode", MASKING_MODES, "balanced")
    lists = {}
    for key in ("mask", "unmask"):
        path = child("masking", key)
        selectors = []
        for selector, item, ipath in rep.string_list(value_of(fields.get(key)), path):
            problem = selector_problem(selector)
            if problem:
                rep.error(item, ipath, f"invalid CSS selector {selector!r}: {problem}")
            else:
                selectors.append(selector)
        lists[key] = tuple(dict.fromkeys(selectors))
    return MaskingConfig(mode=mode, mask=lists["mask"], unmask=lists["unmask"])  # type: ignore[arg-type]


# -- csp ---------------------------------------------------------------------------------


CSP_KEYS = ("delivery", "report_only", "report_uri", "report_to", "frame_ancestors", "extra",
            "trusted_types")


def _csp(rep: Reporter, node: Node | None) -> CspConfig:
    fields = rep.mapping(node, "csp", CSP_KEYS)

    def get(key: str) -> Node | None:
        return value_of(fields.get(key))

    delivery = _delivery(rep, get("delivery"))
    meta_only = set(delivery) == {"meta"}
    report_only = rep.boolean(get("report_only"), "csp.report_only", False)
    if report_only and meta_only:
        rep.error(get("report_only"), "csp.report_only",
                  "a <meta> CSP cannot be report-only (browsers ignore it)",
                  f"add a header delivery ({', '.join(_HEADER_DELIVERIES)}) or set "
                  "report_only: false")
    report_uri = _optional_url(rep, get("report_uri"), "csp.report_uri")
    if report_uri is not None and not _report_uri_ok(rep, get("report_uri"), report_uri,
                                                     delivery):
        report_uri = None
    report_to = rep.string(get("report_to"), "csp.report_to", None, null_ok=True)
    if report_to is not None and not _report_group().fullmatch(report_to):
        rep.error(get("report_to"), "csp.report_to", f"{report_to!r} is not a reporting group name",
                  "the name of a group in your Reporting-Endpoints header, e.g. csp-endpoint")
        report_to = None
    frame_ancestors = _frame_ancestors(rep, get("frame_ancestors"))
    extra = _extra(rep, get("extra"))
    given = {"frame-ancestors": frame_ancestors, "report-uri": report_uri,
             "report-to": report_to}
    for directive, path in OWN_KEY_DIRECTIVES.items():
        if meta_only and given[directive] and directive in META_FORBIDDEN:
            rep.warn(get(path.split(".", 1)[1]), path,
                     f"<meta> cannot carry {directive}, so it is ignored",
                     "add a header delivery (e.g. netlify, nginx) to csp.delivery")
    if report_only and not (report_uri or report_to):
        rep.warn(get("report_only"), "csp.report_only",
                 "report-only without report_uri or report_to: violations are only shown in "
                 "the browser console")
    return CspConfig(delivery=delivery, report_only=report_only, report_uri=report_uri,
                     report_to=report_to, frame_ancestors=frame_ancestors,
                     extra=frozen_map(extra),
                     trusted_types=rep.boolean(get("trusted_types"), "csp.trusted_types",
                                               False))


_REPORT_URI_BREAKS = {
    "": " \t;,\"'\\",  # every format: they end the URI or the directive inside the CSP itself
    "nginx": "$",  # nginx reads $name as a variable inside add_header values
    "apache": "%",  # mod_headers reads %X as a format specifier
}


def _report_uri_ok(rep: Reporter, node: Node | None, value: str,
                   delivery: tuple[str, ...]) -> bool:
    """A report URI every chosen header format can carry byte for byte: the refusal lives
    here, at validation, so no host format has to guess how to escape it."""
    for fmt, chars in _REPORT_URI_BREAKS.items():
        if fmt and fmt not in delivery:
            continue
        bad = next((c for c in value if c in chars), None)
        if bad is not None:
            where = f"the {fmt} header file" if fmt else "a CSP"
            rep.error(node, "csp.report_uri", f"{value!r} contains {bad!r}, which {where} "
                      "cannot carry as written",
                      "percent-encode it in the URL" if fmt != "apache" else
                      "use a report URI without '%' (or another delivery than apache)")
            return False
    return True


def _delivery(rep: Reporter, node: Node | None) -> tuple[str, ...]:
    if node is None:
        return ("meta",)
    if node.kind == "scalar" and isinstance(node.value, str):
        rep.error(node, "csp.delivery", "expected a list", f"write  delivery: [{node.value}]")
        return ("meta",)
    out = []
    for value, item, ipath in rep.string_list(node, "csp.delivery"):
        if value in DELIVERIES:
            out.append(value)
        else:
            close = did_you_mean(value, DELIVERIES)
            rep.error(item, ipath, f"unknown delivery {value!r}",
                      f"did you mean {close!r}?" if close else
                      f"expected one of: {', '.join(DELIVERIES)}")
    if node.kind == "sequence" and not node.value:
        rep.error(node, "csp.delivery", "at least one delivery is needed",
                  "e.g. [meta], or the host your site runs on: [netlify]")
    return tuple(dict.fromkeys(out)) or ("meta",)


def _frame_ancestors(rep: Reporter, node: Node | None) -> tuple[str, ...]:
    return check_source_list(rep, node, "csp.frame_ancestors", "frame-ancestors")


def _extra(rep: Reporter, node: Node | None) -> dict[str, tuple[str, ...]]:
    if node is None or node.is_null:
        return {}
    return check_source_map(rep, node, "csp.extra")


# -- headers ----------------------------------------------------------------------------


HEADERS_KEYS = ("hsts", "hsts_max_age", "hsts_include_subdomains", "hsts_preload",
                "cross_origin_resource_policy")
CORP_VALUES = ("same-origin", "same-site", "cross-origin")


def _headers(rep: Reporter, node: Node | None, csp: CspConfig) -> HeadersConfig:
    """The security headers besides the CSP; they only exist for header deliveries."""
    fields = rep.mapping(node, "headers", HEADERS_KEYS)

    def get(key: str) -> Node | None:
        return value_of(fields.get(key))

    config = HeadersConfig(
        hsts=_hsts_mode(rep, get("hsts")),  # type: ignore[arg-type]
        hsts_max_age=rep.integer(get("hsts_max_age"), "headers.hsts_max_age", HSTS_ONE_YEAR,
                                 minimum=0),
        hsts_include_subdomains=rep.boolean(get("hsts_include_subdomains"),
                                            "headers.hsts_include_subdomains", False),
        hsts_preload=rep.boolean(get("hsts_preload"), "headers.hsts_preload", False),
        cross_origin_resource_policy=rep.choice(  # type: ignore[arg-type]
            get("cross_origin_resource_policy"), "headers.cross_origin_resource_policy",
            CORP_VALUES, "same-origin"))
    if config.hsts_preload and not (config.hsts_include_subdomains
                                    and config.hsts_max_age >= HSTS_ONE_YEAR):
        rep.error(get("hsts_preload"), "headers.hsts_preload",
                  "the HSTS preload list only accepts includeSubDomains and a max-age of at "
                  f"least one year ({HSTS_ONE_YEAR})",
                  "set hsts_include_subdomains: true (every subdomain must serve https) and "
                  f"hsts_max_age: {HSTS_ONE_YEAR} or more, or remove hsts_preload")
    if 0 < config.hsts_max_age < HSTS_SIX_MONTHS:
        rep.warn(get("hsts_max_age"), "headers.hsts_max_age",
                 f"{config.hsts_max_age} seconds is less than six months ({HSTS_SIX_MONTHS}): "
                 "HSTS graders (MDN HTTP Observatory) count it as weak",
                 f"use {HSTS_ONE_YEAR} (one year) once https works everywhere")
    if fields and set(csp.delivery) == {"meta"}:
        rep.warn(node, "headers", "<meta> delivery cannot send these headers, so they are "
                 "ignored", "add a header delivery (e.g. netlify, nginx) to csp.delivery")
    return config


def _hsts_mode(rep: Reporter, node: Node | None) -> str:
    """``auto``, or ``on`` / ``off`` (YAML reads unquoted on/off/true/false as booleans)."""
    if node is None or node.broken:
        return "auto"
    if node.kind == "scalar" and isinstance(node.value, bool):
        return "on" if node.value else "off"
    return rep.choice(node, "headers.hsts", ("auto", "on", "off"), "auto")


# -- ui ---------------------------------------------------------------------------------


def _ui(rep: Reporter, node: Node | None, categories: tuple[Category, ...]) -> UiConfig:
    fields = rep.mapping(node, "ui", ("language", "texts", "privacy_url"))
    language = _language(rep, value_of(fields.get("language")))
    texts = _texts(rep, value_of(fields.get("texts")), categories)
    privacy_url = _optional_url(rep, value_of(fields.get("privacy_url")), "ui.privacy_url")
    return UiConfig(language=language, texts=frozen_map(texts), privacy_url=privacy_url)


def _language(rep: Reporter, node: Node | None) -> str:
    """``auto`` or a bundled language; a regional tag (fr-FR) points to its language."""
    value = rep.string(node, "ui.language", None)
    if value is None:
        return "auto"
    if value in ("auto", *BUNDLED_LANGUAGES):
        return value
    primary = re.split(r"[-_]", value)[0].lower()
    hint = (f"did you mean {primary!r}? (the bundled texts are per language, not per region)"
            if primary in BUNDLED_LANGUAGES else
            suggestion(value, ("auto", *BUNDLED_LANGUAGES)))
    rep.error(node, "ui.language", f"unknown value {value!r}", hint)
    return "auto"


def _texts(rep: Reporter, node: Node | None,
           categories: tuple[Category, ...]) -> dict[str, dict[str, str]]:
    """Per-language overrides of the bundled texts; keys checked against ``i18n/en.json``
    plus ``category.<id>.title|description`` for the policy's own categories."""
    out: dict[str, dict[str, str]] = {}
    known = text_keys()
    if known is not None:
        known = (*known, *(f"category.{c.id}.{part}" for c in categories
                           for part in ("title", "description")))
        known = tuple(dict.fromkeys(known))
    for lang, entry in rep.mapping(node, "ui.texts", None).items():
        path = child("ui.texts", lang)
        if not _lang_tag().fullmatch(lang):
            rep.error(entry, path, f"{lang!r} is not a language code",
                      "e.g. en, de, fr, pt-BR")
            continue
        if lang.split("-")[0] not in BUNDLED_LANGUAGES:
            rep.warn(entry, path, f"no bundled texts for {lang!r}",
                     "texts you do not override are shown in English")
        texts = {}
        for key, item in rep.mapping(entry.node, path, known).items():
            value = rep.string(item.node, child(path, key), None)
            if value is not None:
                texts[key] = value
        out[lang] = texts
    return out


@cache
def text_keys() -> tuple[str, ...] | None:
    """The text keys of the bundled English texts (``i18n/en.json``), or None when absent.

    Nested objects give dotted keys. Without the file any key is accepted, since the runtime
    defines them and the validator must not invent a list of its own.
    """
    path = Path(__file__).parent / "i18n" / "en.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return tuple(_flatten(data, ""))


def _flatten(data: dict[str, object], prefix: str) -> list[str]:
    keys: list[str] = []
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else key
        keys.extend(_flatten(value, name) if isinstance(value, dict) else [name])
    return keys


# -- across sections ---------------------------------------------------------------------


def _cross_checks(rep: Reporter, policy: Policy, top: dict[str, Entry]) -> None:
    for category in policy.categories:
        titled = category.title or any(f"category.{category.id}.title" in texts
                                       for texts in policy.ui.texts.values())
        if category.id not in DEFAULT_CATEGORY_IDS and not titled:
            entry = value_of(top.get("categories"))
            at = entry.value.get(category.id) if entry is not None and entry.kind == "mapping" \
                else None
            rep.warn(at, child("categories", category.id), "no title: the banner will show the id",
                     f"add  title: \"{category.id.replace('-', ' ').capitalize()}\"")
    if policy.mode == "notice" and policy.services:
        rep.warn(top.get("mode"), "mode",
                 "'notice' loads every service without asking first",
                 "in the EU and UK analytics and marketing cookies need opt-in consent")
