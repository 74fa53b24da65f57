"""render.py: runtime assets, head/body markup, texts and the stand-alone snippet."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from dataclasses import replace

import pytest
from bs4 import BeautifulSoup

from consent_generator import minify, render
from consent_generator.minify import squeeze_js
from consent_generator.model import Category, Policy, ServiceConfig, UiConfig, frozen_map
from consent_generator.services import ConsentSignal, ServiceSpec
from tests.harness import consent_pages as cp

LANGS = {"en", "de", "fr", "es", "it", "nl", "pt", "pl"}


def policy(**changes) -> Policy:
    return replace(Policy(services=cp.standard_services()), **changes)


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def config_of(head: str) -> dict:
    return json.loads(soup(head).find("script", id="consent-config").string)


# --- runtime assets ------------------------------------------------------------------------

def test_runtime_assets_are_content_hashed_and_deterministic():
    first, second = render.runtime_assets(), render.runtime_assets()
    assert first == second
    js, css = first
    assert re.fullmatch(r"assets/consent/consent\.[0-9a-f]{8}\.js", js.path)
    assert re.fullmatch(r"assets/consent/consent\.[0-9a-f]{8}\.css", css.path)
    for asset in first:
        assert asset.path.split(".")[-2] == hashlib.sha256(asset.content).hexdigest()[:8]


def test_runtime_source_stays_csp_clean():
    source = render.runtime_assets()[0].content.decode()  # as served: comments dropped
    for forbidden in ("eval(", "new Function", "innerHTML", "outerHTML", "insertAdjacentHTML",
                      "document.write", ".style.", "'style'", "setTimeout('", "cssText"):
        assert forbidden not in source, forbidden
    css = (render.RUNTIME_DIR / "consent.css").read_text()
    assert "expression(" not in css and "@import" not in css


def test_compact_js_drops_only_comments_and_indentation():
    source = (render.RUNTIME_DIR / "consent.js").read_text()
    out = minify.compact_js(source)
    assert out.startswith("/*! mkdocs-clarity")
    assert minify.compact_js(source) == out
    # One output line per line of code, in order: the line itself, or the line without a
    # trailing comment.
    code_lines, in_block = [], False
    for raw in source.splitlines()[1:]:
        text = raw.strip()
        if in_block or text.startswith("/*"):
            in_block = "*/" not in text
            continue
        if text and not text.startswith("//"):
            code_lines.append(text)
    got = out.splitlines()[1:]
    assert len(got) == len(code_lines)
    for line, code in zip(got, code_lines, strict=True):
        assert line == code or (code.startswith(line) and code[len(line):].lstrip()
                                .startswith("// ")), code


def test_compact_js_is_conservative():
    src = ("const a = 1; // gone\n"
           "const u = 'http://x'; // kept: a slash before the comment\n"
           "const s = 'a // b';\n"
           "  /* block\n   comment */\n"
           "// line\n")
    assert minify.compact_js(src) == ("const a = 1;\nconst u = 'http://x'; // kept: a slash "
                                      "before the comment\nconst s = 'a // b';\n")
    with pytest.raises(ValueError, match="template"):
        minify.compact_js("const t = `a\nb`;\n")


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_served_runtime_is_valid_javascript(tmp_path):
    js = render.runtime_assets()[0]
    path = tmp_path / "consent.js"
    path.write_bytes(js.content)
    result = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_compact_css():
    assert minify.compact_css("/*! keep */\n/* drop */\n.a {\n  color: red;\n}\n") == \
        "/*! keep */\n.a {color: red;}\n"
    with pytest.raises(ValueError):
        minify.compact_css('.a::before { content: "/* x */"; }')


# --- head ----------------------------------------------------------------------------------

def test_head_markers_assets_and_config():
    head = render.render_head(policy(), lang="en", root="../../")
    assert head.startswith(render.HEAD_START) and head.endswith(render.HEAD_END)
    js, css = render.runtime_assets(policy())
    page = soup(head)
    assert page.find("link", rel="stylesheet")["href"] == "../../" + css.path
    runtime = page.find("script", src="../../" + js.path)
    assert runtime.has_attr("defer")
    config = config_of(head)
    assert config["mode"] == "opt-in" and config["revision"] == 1
    assert config["expiry_days"] == 182 and config["honor_gpc"] is True
    assert config["cookie"] == {"name": "site_consent", "domain": None}
    assert [c["id"] for c in config["categories"]] == [
        "necessary", "functionality", "analytics", "marketing"]
    clarity = next(s for s in config["services"] if s["key"] == "clarity")
    assert clarity["signal"] == "clarity-consentv2" and clarity["category"] == "analytics"
    assert clarity["cookies"] == ["^_clck$", "^_clsk$"]  # first-party only
    youtube = next(s for s in config["services"] if s["key"] == "youtube")
    assert youtube["embed"] == "video"
    assert config["texts"]["embed_load_video"] == "Load video from {service}"
    assert re.fullmatch(r"[0-9a-f]{16}", config["policy_hash"])


def test_policy_hash_follows_the_policy_not_the_language():
    a = config_of(render.render_head(policy(), lang="en", root=""))["policy_hash"]
    b = config_of(render.render_head(policy(), lang="de", root=""))["policy_hash"]
    c = config_of(render.render_head(policy(revision=2), lang="en", root=""))["policy_hash"]
    assert a == b != c


def test_config_json_cannot_break_out_of_its_script():
    evil = "</script><script>alert(1)</script><!--"
    pol = policy(categories=(Category("necessary", required=True), Category("analytics", title=evil)))
    head = render.render_head(pol, lang="en", root="")
    block = head.split('id="consent-config">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block
    assert config_of(head)["categories"][1]["title"] == evil


def test_service_inline_scripts_match_the_gated_tags_byte_for_byte():
    pol = policy()
    head = render.render_head(pol, lang="en", root="")
    gated = [s for s in soup(head).find_all("script") if s.get("type") == "text/plain"]
    inline = [s.string for s in gated if not s.has_attr("data-consent-src")]
    assert inline == render.service_inline_scripts(pol)
    assert len(inline) == 2  # Clarity's loader and GA's config
    for s in gated:
        assert s["data-consent-category"] == "analytics"
        assert s["data-consent-service"] in ("clarity", "google-analytics")
    external = [s["data-consent-src"] for s in gated if s.has_attr("data-consent-src")]
    assert external == ["https://www.googletagmanager.com/gtag/js?id=G-TEST123"]
    # GA's external script comes before its inline part (the runtime runs them in order).
    ga = [s.has_attr("data-consent-src") for s in gated
          if s["data-consent-service"] == "google-analytics"]
    assert ga == [True, False]


def test_snippet_parameters_cannot_become_code():
    pol = Policy(services=(cp.service("clarity", project_id='x"+alert(1)+"</script>'),
                           cp.service("google-analytics", measurement_id="G-'+alert(1)+'")))
    clarity, ga = render.service_inline_scripts(pol)
    assert '"x\\"+alert(1)+\\"\\u003c/script\\u003e"' in clarity
    assert "'G-\\u0027+alert(1)+\\u0027'" in ga
    head = render.render_head(pol, lang="en", root="")
    src = soup(head).find("script", attrs={"data-consent-src": True})["data-consent-src"]
    assert src.endswith("id=G-%27%2Balert%281%29%2B%27")


def test_custom_snippet_that_would_close_the_script_is_refused():
    spec = ServiceSpec(id="custom", name="Custom service", provider="me", description="",
                       default_category="analytics", privacy_url="", csp={}, cookies=(),
                       signal=ConsentSignal("load-on-grant", ""),
                       snippet="document.write('</script>')")
    pol = Policy(services=(ServiceConfig("mine", spec, "analytics", frozen_map()),))
    with pytest.raises(render.RenderError, match=r"services\.mine"):
        render.render_head(pol, lang="en", root="")


# --- body ----------------------------------------------------------------------------------

def test_body_banner_and_dialog_contract():
    body = render.render_body(policy(ui=UiConfig(privacy_url="/privacy/")), lang="en")
    assert body.startswith(render.BODY_START) and body.endswith(render.BODY_END)
    page = soup(body)
    banner = page.find(id="cc-banner")
    assert banner.has_attr("hidden") and banner["role"] == "region" and banner["aria-label"]
    assert [b.get_text() for b in banner.find_all("button")] == [
        "Accept all", "Reject all", "Manage preferences"]
    assert banner.find("a")["href"] == "/privacy/"
    dialog = page.find("dialog", id="cc-prefs")
    switches = dialog.find_all("input", role="switch")
    assert [s["data-consent-switch"] for s in switches] == [
        "necessary", "functionality", "analytics", "marketing"]
    for s in switches:
        label = dialog.find("label", attrs={"for": s["id"]}).get_text()
        assert label == {"necessary": "Necessary", "functionality": "Functionality",
                         "analytics": "Analytics", "marketing": "Marketing"}[
                             s["data-consent-switch"]]
        required = s["data-consent-switch"] == "necessary"
        assert s.has_attr("checked") == required and s.has_attr("disabled") == required
    assert {b.get_text() for b in dialog.find_all("button", class_="cc-btn")} == {
        "Accept all", "Reject all", "Save preferences"}
    assert "_clck" in dialog.get_text() and "Microsoft Corporation" in dialog.get_text()
    assert "style=" not in body and "<style" not in body and "onclick" not in body


def test_notice_and_opt_out_banners():
    notice = soup(render.render_body(policy(mode="notice"), lang="en")).find(id="cc-banner")
    assert [b.get_text() for b in notice.find_all("button")] == ["OK", "Manage preferences"]
    optout = soup(render.render_body(policy(mode="opt-out"), lang="en")).find(id="cc-banner")
    assert "turn them off" in optout.get_text()


def test_user_supplied_values_are_escaped():
    evil = '"><img src=x onerror=alert(1)>'
    pol = policy(ui=UiConfig(privacy_url="/p?a=" + evil, texts={"en": {"accept_all": evil}}),
                 categories=(Category("necessary", required=True),
                             Category("analytics", title=evil, description=evil)))
    body = render.render_body(pol, lang="en")
    assert "<img" not in body and "&lt;img" in body
    assert soup(body).find(id="cc-banner").find("a")["href"] == "/p?a=" + evil


def test_javascript_urls_are_dropped():
    body = render.render_body(policy(ui=UiConfig(privacy_url="javascript:alert(1)")), lang="en")
    assert "javascript:" not in body


# --- languages -----------------------------------------------------------------------------

def test_bundled_languages_are_complete():
    assert set(render.bundled_languages()) >= LANGS
    english = json.loads((render.I18N_DIR / "en.json").read_text(encoding="utf-8"))
    for code in render.bundled_languages():
        texts = json.loads((render.I18N_DIR / f"{code}.json").read_text(encoding="utf-8"))
        assert texts.keys() == english.keys(), code
        for key, value in texts.items():
            assert value.strip(), (code, key)
            assert set(re.findall(r"\{\w+\}", value)) == set(re.findall(r"\{\w+\}",
                                                                         english[key])), (code, key)
        if code != "en":
            for key in ("accept_all", "reject_all", "manage", "save", "banner_text"):
                assert texts[key] != english[key], (code, key)


@pytest.mark.parametrize(("given", "expected"), [
    ("de-AT", "de"), ("pt_BR", "pt"), ("FR", "fr"), ("sv", "en"), ("", "en"), (None, "en"),
])
def test_language_normalisation(given, expected):
    assert render.normalise_language(given) == expected


def test_ui_language_beats_the_page_language_and_texts_override_per_language():
    pol = policy(ui=UiConfig(language="fr"))
    assert "Tout accepter" in render.render_body(pol, lang="de")
    pol = policy(ui=UiConfig(texts={"de": {"accept_all": "Ja, gerne"},
                                    "en": {"accept_all": "Sure"}}))
    assert "Ja, gerne" in render.render_body(pol, lang="de-AT")
    assert "Sure" in render.render_body(pol, lang="en")
    assert "Alle ablehnen" in render.render_body(pol, lang="de")


def test_custom_category_falls_back_to_its_id():
    pol = policy(categories=(Category("necessary", required=True), Category("social_media")))
    assert "Social media" in render.render_body(pol, lang="en")


# --- snippet -------------------------------------------------------------------------------

def test_write_snippet_is_complete_and_idempotent(tmp_path):
    pol = policy(record_endpoint="https://proof.example.org/consent")
    paths = render.write_snippet(pol, tmp_path, lang="de")
    names = sorted(p.relative_to(tmp_path).as_posix() for p in paths)
    js, css = render.runtime_assets(pol)
    assert names == sorted([js.path, css.path, "head.html", "body.html", "INSTALL.txt"])
    first = {p: p.read_bytes() for p in paths}
    assert render.write_snippet(pol, tmp_path, lang="de") == paths
    assert {p: p.read_bytes() for p in paths} == first
    head = (tmp_path / "head.html").read_text()
    assert f'href="/{css.path}"' in head and f'src="/{js.path}"' in head
    assert "Alle akzeptieren" in (tmp_path / "body.html").read_text()
    install = (tmp_path / "INSTALL.txt").read_text()
    for text in render.service_inline_scripts(pol):
        assert cp.sha256_source(text) in install
    for source in ("https://www.clarity.ms", "https://*.googletagmanager.com",
                   "https://www.youtube-nocookie.com", "https://proof.example.org"):
        assert source in install
    assert "data-consent-open" in install and "'unsafe-inline'" not in install
    assert not list(tmp_path.rglob(".*"))  # no temp files left behind


def test_squeeze_js_keeps_words_signs_strings_and_regexes():
    src = ("const a = b - -c, s = 'x  y', t = `p ${q}  r`; // gone\n"
           "if (!/^a b$/.test(s)) return x / 2 + +y;\n"
           "const r = /[/ ]+/g; /* gone */ let z = typeof r;\n")
    assert squeeze_js(src) == (
        "const a=b- -c,s='x  y',t=`p ${q}  r`;\n"
        "if(!/^a b$/.test(s))return x/2+ +y;\n"
        "const r=/[/ ]+/g;let z=typeof r;\n")
    with pytest.raises(ValueError, match="unterminated"):
        squeeze_js("const s = 'open;\n")


def test_storage_keys_and_gpc_behaviour_reach_the_runtime_and_the_dialog():
    head = render.render_head(policy(), lang="en", root="../")
    by_key = {s["key"]: s for s in config_of(head)["services"]}
    assert by_key["clarity"]["storage"] == ["^_cltk$"]  # sessionStorage, not a cookie
    assert by_key["clarity"]["gpc"] is True  # clarity-js refuses GPC visitors: never loaded
    assert by_key["google-analytics"]["gpc"] is False and by_key["youtube"]["gpc"] is False
    for code in render.bundled_languages():
        body = soup(render.render_body(policy(), lang=code))
        notes = body.select("[data-consent-gpc-off]")
        assert len(notes) == 1 and notes[0].has_attr("hidden")  # Clarity's, shown under GPC
        assert "Global Privacy Control" in notes[0].text
        assert notes[0].find_parent(class_="cc-svc").h3.text == "Microsoft Clarity"


# --- consent adapters (issue 10) -------------------------------------------------------------

def _served_js(pol: Policy) -> str:
    return render.runtime_assets(pol)[0].content.decode()


def test_runtime_ships_only_the_adapters_of_enabled_vendors():
    every = policy()
    kinds = {s.spec.signal.kind for s in every.services}
    assert {"clarity-consentv2", "google-consent-mode-v2"} <= kinds
    full = _served_js(every)
    assert '["google-consent-mode-v2",' in full and '["clarity-consentv2",' in full
    # Google's update comes before Clarity's consentv2 (clarity-js listens to Google's).
    assert full.index('["google-consent-mode-v2",') < full.index('["clarity-consentv2",')
    only_ga = policy(services=tuple(s for s in every.services if s.spec.id == "google-analytics"))
    js = _served_js(only_ga)
    assert '["google-consent-mode-v2",' in js and "clarity" not in js.lower().replace(
        "mkdocs-clarity", "")
    none = policy(services=())
    core = _served_js(none)
    assert "gtag" not in core and "consentv2" not in core
    assert len({_served_js(p) for p in (every, only_ga, none)}) == 3  # three hashed names
    assert render.runtime_assets(only_ga) == render.runtime_assets(only_ga)


def test_every_declared_adapter_exists_and_the_mark_is_replaced():
    from consent_generator.services import catalog
    for spec in catalog().values():
        if spec.signal.adapter:
            assert (render.ADAPTERS_DIR / spec.signal.adapter).is_file(), spec.id
        else:
            assert spec.signal.kind == "load-on-grant", spec.id
    assert "@adapters" not in render.runtime_source(render.site_adapters(catalog().values()))
