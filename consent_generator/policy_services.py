"""The ``services:`` section of ``consent.yml``: catalog services and custom ones.

A catalog service is checked against its entry's :class:`~.services.model.Param` rules (ids
that are malformed, or wrong in a known way like a ``UA-`` id, get their own message).
A custom service is turned into a :class:`~.services.model.ServiceSpec` built from what the
site owner declares, so the rest of the pipeline never special-cases it.
"""

from __future__ import annotations

import re

from .csp_sources import covers, directive_problem, list_problem, source_problem
from .model import Category, ServiceConfig, frozen_map
from .services import CUSTOM_ID, catalog
from .services.model import Cookie, Detect, Param, ServiceSpec
from .urls import absolute_url_parts, has_credentials, http_origin
from .validation import Reporter, child, describe, did_you_mean, suggestion, value_of
from .yaml_source import Entry, Node

CUSTOM_KEYS = ("src", "snippet", "category", "csp", "cookies", "name", "provider",
               "privacy_url", "description")
COOKIE_KEYS = ("name", "lifetime", "purpose", "pattern", "party")
_SERVICE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_JINJA_MARKERS = ("{{", "{%", "{#")


def check_services(rep: Reporter, node: Node | None,
                   categories: tuple[Category, ...]) -> tuple[ServiceConfig, ...]:
    """Validate ``services:`` and return the enabled services in file order."""
    entries = rep.mapping(node, "services", allowed=None)
    out = []
    for key, entry in entries.items():
        service = _check_service(rep, key, entry, categories)
        if service is not None:
            out.append(service)
    return tuple(out)


def _check_service(rep: Reporter, key: str, entry: Entry,
                   categories: tuple[Category, ...]) -> ServiceConfig | None:
    path = child("services", key)
    node = entry.node
    # csp alone: an embed-only service that claims what the pages load from its hosts.
    declares_code = node.kind == "mapping" and any(k in node.value for k in ("src", "snippet",
                                                                               "csp"))
    known = catalog()
    if key in known and key != CUSTOM_ID:
        return _catalog_service(rep, known[key], entry, path, categories)
    if declares_code or key == CUSTOM_ID:
        return _custom_service(rep, key, entry, path, categories)
    vendors = [k for k in known if k != CUSTOM_ID]
    close = did_you_mean(key, vendors)
    hint = (f"did you mean {close!r}?" if close else
            f"the catalog has {', '.join(vendors)}; a custom service needs src or snippet, "
            "category, csp and cookies")
    rep.error(entry, path, f"unknown service {key!r}", hint)
    return None


# -- catalog services ------------------------------------------------------------------------


def _catalog_service(rep: Reporter, spec: ServiceSpec, entry: Entry, path: str,
                     categories: tuple[Category, ...]) -> ServiceConfig | None:
    allowed = ("category", *(p.name for p in spec.params))
    if entry.node.kind != "mapping" and not entry.node.is_null:
        example = ", ".join(f'{p.name}: "{p.example}"' for p in spec.params) or \
            f"category: {spec.default_category}"
        rep.error(entry.node, path, f"expected the settings of {spec.name} as a mapping, got "
                  f"{describe(entry.node)}", f"write  {spec.id}: {{{example}}}")
        return None
    fields = rep.mapping(entry.node, path, allowed)
    before = len(rep.problems)
    category = check_service_category(rep, fields.get("category"), entry, path, categories,
                                      default=spec.default_category, service=spec.name)
    params: dict[str, str] = {}
    for param in spec.params:
        value = _param_value(rep, param, fields.get(param.name), entry, path, spec)
        if value is not None:
            params[param.name] = value
    if len(rep.problems) > before or category is None:
        return None
    return ServiceConfig(key=spec.id, spec=spec, category=category, params=frozen_map(params))


def _param_value(rep: Reporter, param: Param, field: Entry | None, service: Entry, path: str,
                 spec: ServiceSpec) -> str | None:
    ppath = child(path, param.name)
    example = f'{param.name}: "{param.example}"'
    if field is None or field.node.is_null:
        if param.required:
            rep.error(service if field is None else field.node, path if field is None else ppath,
                      f"{spec.name} needs its {param.name}: the {param.description}",
                      f"add  {example}")
        return None
    value = rep.string(field.node, ppath, None, example=example)
    if value is None:
        return None
    value = value.strip()
    if not value:
        rep.error(field.node, ppath, f"{param.name} is empty ({param.description})",
                  f"e.g. {example}")
        return None
    for check in param.checks:
        if check.matches(value):
            report = rep.error if check.severity == "error" else rep.warn
            report(field.node, ppath, f"{value!r}: {check.message}")
            return value if check.severity == "warning" else None
    if param.pattern and not re.fullmatch(param.pattern, value):
        if param.pattern_severity == "warning":
            rep.warn(field.node, ppath, f"{value!r} is not what {spec.name} usually issues",
                     f"expected {param.pattern_hint}; check it")
            return value
        rep.error(field.node, ppath, f"{value!r} is not a valid {param.name}",
                  f"expected {param.pattern_hint}")
        return None
    return value


def check_param(param: Param, value: str) -> tuple[str, str] | None:
    """(severity, message) when ``value`` breaks ``param``'s rules, else None.

    The same rules as the policy validator, for callers without a file (``init`` prompts).
    """
    for check in param.checks:
        if check.matches(value):
            return check.severity, check.message
    if param.pattern and not re.fullmatch(param.pattern, value):
        return param.pattern_severity, f"expected {param.pattern_hint}"
    return None


def check_service_category(rep: Reporter, field: Entry | None, owner: Entry, path: str,
                           categories: tuple[Category, ...], *, default: str | None,
                           service: str) -> str | None:
    """The category a service is gated by: defined, and one visitors can refuse.

    ``owner`` is the service's entry (where to point when ``category`` is absent).
    """
    ids = [c.id for c in categories]
    cpath = child(path, "category")
    at: Entry | Node
    value: str | None
    if field is None:
        if default is None:
            rep.error(owner, path, f"{service} needs a category",
                      f"add  category: analytics  (one of {', '.join(ids)})")
            return None
        value, at, where = default, owner, path
    else:
        value = rep.string(field.node, cpath, None)
        if value is None:
            return None
        at, where = field.node, cpath
    cat = next((c for c in categories if c.id == value), None)
    if cat is None:
        message = (f"unknown category {value!r}" if field is not None else
                   f"{service} goes under {value!r} by default, but no such category is defined")
        hint = suggestion(value, ids, what="a category defined under categories")
        if field is None:
            hint = f"add  category: <one of {', '.join(ids)}>"
        rep.error(at, where, message, hint)
        return None
    if cat.required:
        rep.error(at, where, f"{value!r} is always on and cannot be refused, so it cannot "
                  "hold a service that tracks visitors",
                  f"put {service} under a category visitors choose, e.g. "
                  f"{next((i for i in ids if i not in (value,)), 'analytics')}")
        return None
    return value


# -- custom services -------------------------------------------------------------------------


def _custom_service(rep: Reporter, key: str, entry: Entry, path: str,
                    categories: tuple[Category, ...]) -> ServiceConfig | None:
    before = len(rep.problems)
    if not _SERVICE_KEY.fullmatch(key):
        rep.error(entry, path, f"{key!r} cannot name a service",
                  "use letters, digits, '-', '_' or '.'")
    fields = rep.mapping(entry.node, path, CUSTOM_KEYS)
    name = rep.string(value_of(fields.get("name")), child(path, "name"), key)
    src = _src(rep, fields.get("src"), path)
    snippet = _snippet(rep, fields.get("snippet"), path)
    if src is None and snippet is None and "src" not in fields and "snippet" not in fields \
            and not _names_sources(fields.get("csp")):
        rep.error(entry, path, f"the custom service {key!r} loads nothing",
                  "give it src (a script URL) or snippet (inline JavaScript), or, for an "
                  "embed the pages load, the hosts it loads from under csp")
    category = check_service_category(rep, fields.get("category"), entry, path, categories,
                                      default=None, service=name)
    csp = _custom_csp(rep, fields.get("csp"), entry, path)
    cookies = _custom_cookies(rep, fields.get("cookies"), entry, path)
    privacy_url = rep.string(value_of(fields.get("privacy_url")), child(path, "privacy_url"), "",
                             null_ok=True)
    if privacy_url:
        check_url(rep, fields["privacy_url"].node, child(path, "privacy_url"), privacy_url)
    provider = rep.string(value_of(fields.get("provider")), child(path, "provider"), "",
                          null_ok=True)
    description = rep.string(value_of(fields.get("description")), child(path, "description"),
                             "", null_ok=True)
    if len(rep.problems) > before or category is None:
        return None
    origin = http_origin(src) if src else None  # the host the browser fetches src from
    if origin and not covers(csp.get("script-src", ()), origin):
        csp["script-src"] = (*csp.get("script-src", ()), origin)
    spec = ServiceSpec(
        id=CUSTOM_ID,
        name=name,
        provider=provider,
        description=description,
        default_category=category,  # type: ignore[arg-type]  # user-defined categories
        privacy_url=privacy_url,
        csp=frozen_map(csp),
        cookies=cookies,
        signal=catalog()[CUSTOM_ID].signal,
        snippet=_as_template(snippet or ""),
        script_src=_as_template(src or ""),
        detect=Detect(script_src=(f"^{re.escape(src)}$",) if src else ()),
    )
    return ServiceConfig(key=key, spec=spec, category=category)


def _names_sources(field: Entry | None) -> bool:
    """Whether a custom service's ``csp`` names at least one source (an embed-only service)."""
    node = value_of(field)
    return node is not None and node.kind == "mapping" and any(
        e.node.kind == "sequence" and e.node.value for e in node.value.values())


def _as_template(text: str) -> str:
    """``ServiceSpec.snippet``/``script_src`` are Jinja2 templates: keep user text literal."""
    if any(m in text for m in _JINJA_MARKERS):
        return "{% raw %}" + text + "{% endraw %}"
    return text


def _src(rep: Reporter, field: Entry | None, path: str) -> str | None:
    if field is None:
        return None
    spath = child(path, "src")
    value = rep.string(field.node, spath, None, example='src: "https://cdn.example.org/x.js"')
    if value is None:
        return None
    if not check_url(rep, field.node, spath, value):
        return None
    if "endraw" in value:
        rep.error(field.node, spath, "the URL cannot contain 'endraw'")
        return None
    return value


def _snippet(rep: Reporter, field: Entry | None, path: str) -> str | None:
    if field is None:
        return None
    spath = child(path, "snippet")
    value = rep.string(field.node, spath, None)
    if value is None:
        return None
    value = value.strip()
    if not value:
        rep.error(field.node, spath, "the snippet is empty")
        return None
    if re.search(r"</?script\b", value, re.IGNORECASE):
        rep.error(field.node, spath, "the snippet must be the JavaScript alone",
                  "remove the <script> and </script> tags")
        return None
    if "endraw" in value:
        rep.error(field.node, spath, "the snippet cannot contain the word 'endraw'")
        return None
    return value


def _custom_csp(rep: Reporter, field: Entry | None, service: Entry,
                path: str) -> dict[str, tuple[str, ...]]:
    cpath = child(path, "csp")
    if field is None:
        rep.error(service, path, "a custom service must declare the CSP sources it needs",
                  "add  csp: {script-src: [\"https://cdn.example.org\"]}  (or csp: {} if it "
                  "needs none)")
        return {}
    return check_source_map(rep, field.node, cpath)


def check_source_map(rep: Reporter, node: Node, path: str) -> dict[str, tuple[str, ...]]:
    """A ``{directive: [sources]}`` mapping with every directive and source checked."""
    out: dict[str, tuple[str, ...]] = {}
    for directive, entry in rep.mapping(node, path, allowed=None).items():
        dpath = child(path, directive)
        found = directive_problem(directive)
        if found:
            rep.error(entry, dpath, *found)
            continue
        out[directive] = check_source_list(rep, entry.node, dpath, directive)
    return out


def check_source_list(rep: Reporter, node: Node | None, path: str,
                      directive: str) -> tuple[str, ...]:
    """The sources of one directive, each checked (file, line and fix for a bad one), and
    the list as a whole ('none' with others); duplicates dropped."""
    sources = []
    for source, item, ipath in rep.string_list(node, path):
        bad = source_problem(directive, source)
        if bad:
            rep.error(item, ipath, *bad)
        sources.append(source)
    whole = list_problem(sources)
    if whole:
        rep.error(node, path, *whole)
    return tuple(dict.fromkeys(sources))


def _custom_cookies(rep: Reporter, field: Entry | None, service: Entry,
                    path: str) -> tuple[Cookie, ...]:
    cpath = child(path, "cookies")
    if field is None:
        rep.error(service, path, "a custom service must declare the cookies it sets, for the "
                  "cookie table and for deleting them on revoke",
                  'add  cookies: [{name: "_x", lifetime: "1 year", purpose: "..."}]  '
                  "(or cookies: [] if it sets none)")
        return ()
    cookies = []
    for i, item in enumerate(rep.sequence(field.node, cpath)):
        cookie = _cookie(rep, item, child(cpath, i))
        if cookie is not None:
            cookies.append(cookie)
    return tuple(cookies)


def _cookie(rep: Reporter, node: Node, path: str) -> Cookie | None:
    if node.kind != "mapping":
        rep.error(node, path, f"expected a cookie as a mapping, got {describe(node)}",
                  'e.g. {name: "_x", lifetime: "1 year", purpose: "..."}')
        return None
    fields = rep.mapping(node, path, COOKIE_KEYS)
    values = {}
    for key in ("name", "lifetime", "purpose"):
        if key not in fields:
            rep.error(node, path, f"the cookie needs its {key}",
                      {"name": 'e.g. name: "_x"', "lifetime": 'e.g. lifetime: "1 year" or '
                       '"session"', "purpose": "say in a sentence what it is for"}[key])
        else:
            values[key] = rep.string(fields[key].node, child(path, key), None)
    pattern = rep.string(value_of(fields.get("pattern")), child(path, "pattern"), "",
                         null_ok=True)
    pattern_ok = True
    if pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            rep.error(fields["pattern"].node, child(path, "pattern"),
                      f"not a valid regular expression: {exc}")
            pattern_ok = False
    party = rep.choice(value_of(fields.get("party")), child(path, "party"), ("first", "third"),
                       "first")
    name, lifetime, purpose = (values.get(k) for k in ("name", "lifetime", "purpose"))
    if not pattern_ok or name is None or lifetime is None or purpose is None:
        return None
    return Cookie(name, lifetime, purpose, pattern=pattern,
                  party=party)  # type: ignore[arg-type]


def check_url(rep: Reporter, node: Node, path: str, value: str) -> bool:
    """An https URL or a same-site path starting with ``/``; records why not."""
    if "\\" in value:
        rep.error(node, path, f"{value!r} contains a backslash, which browsers read as '/' "
                  "(so /\\host is another site)", "use '/' or encode it as %5C")
        return False
    if value.startswith("/") and not value.startswith("//"):
        if any(c.isspace() for c in value):
            rep.error(node, path, f"{value!r} contains spaces", "encode them as %20")
            return False
        return True
    parts = absolute_url_parts(value)
    if parts is not None and parts.scheme == "https" and parts.host \
            and value[:8].lower() == "https://" and value[8:9] not in "/" \
            and not any(c.isspace() for c in value):
        return _no_credentials(rep, node, path, value)
    if parts is not None and parts.scheme == "http":
        rep.error(node, path, f"{value!r} uses plain http", "use its https:// address")
    else:
        rep.error(node, path, f"{value!r} is not an https URL a browser can load",
                  "expected https://host/path (a valid host and port) or a path on this site "
                  "starting with /")
    return False


def _no_credentials(rep: Reporter, node: Node, path: str, value: str) -> bool:
    """A URL with ``user@`` is refused by Chromium as a subresource and sends the credentials
    to the host elsewhere; its origin is no valid CSP source either."""
    if has_credentials(value):
        rep.error(node, path, f"{value!r} contains a user name or password before '@'",
                  "remove the 'user@' part: browsers refuse or leak it")
        return False
    return True
