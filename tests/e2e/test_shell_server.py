"""How Flask serves the PWA (no browser needed): CSP, the versioned sw.js, the catch-all, the files."""

import gzip
import json
import re
from pathlib import Path

import pytest

from app import pwa

PWA = pwa.PWA_DIR
BUDGET_BYTES = 150 * 1024


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";")) if part}


def test_the_shell_is_served_with_a_strict_content_security_policy(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b'<script type="module" src="/js/main.js">' in response.data
    policy = csp(response)
    assert policy["default-src"] == "default-src 'self'"
    assert policy["script-src"] == "script-src 'self'"
    assert policy["style-src"] == "style-src 'self'"
    assert policy["object-src"] == "object-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert "ws://localhost" in policy["connect-src"]
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert response.headers["Cache-Control"] == "no-cache"


def test_index_html_has_no_inline_script_or_style():
    html = (PWA / "index.html").read_text()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


@pytest.mark.parametrize("path", ["/", "/notices/12", "/staff/notices/new", "/join/3", "/me"])
def test_client_routes_get_the_shell(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.data == client.get("/index.html").data


def test_index_html_is_answered_directly_not_redirected(client):
    # A cached redirect cannot answer an offline navigation (PITFALLS).
    assert client.get("/index.html").status_code == 200


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/notices/1/nothing", "/api", "/api/"])
def test_unknown_api_paths_stay_json_404s(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/js/missing.js", "/css/nope.css", "/icons/x.png", "/../config.py"])
def test_missing_files_are_404_not_the_shell(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"<html" not in response.data


def test_static_files_are_served_with_types_validators_and_gzip(client):
    js = client.get("/js/main.js", headers={"Accept-Encoding": "gzip"})
    assert js.status_code == 200
    assert js.mimetype == "text/javascript"
    assert js.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(js.data) == (PWA / "js" / "main.js").read_bytes()
    assert client.get("/js/main.js", headers={"If-None-Match": js.headers["ETag"]}).status_code == 304
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert client.get("/icons/icon-192.png").mimetype == "image/png"


def test_sw_js_is_uncached_and_stamped_with_the_content_version(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    text = response.get_data(as_text=True)
    assert "__SHELL_VERSION__" not in text
    assert f'const VERSION = "{pwa.shell_version(PWA)}";' in text


def test_the_version_follows_the_content_of_pwa(tmp_path):
    import shutil

    copy = tmp_path / "pwa"
    shutil.copytree(PWA, copy)
    assert pwa.shell_version(copy) == pwa.shell_version(PWA)
    (copy / "css" / "app.css").write_text("body { color: red; }")
    pwa.shell_version.cache_clear()
    assert pwa.shell_version(copy) != pwa.shell_version(PWA)


def test_the_manifest_makes_the_app_installable():
    manifest = json.loads((PWA / "manifest.webmanifest").read_text())
    assert manifest["name"] == "邻里"
    assert manifest["short_name"]
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "zh-CN"
    assert manifest["theme_color"]
    assert manifest["background_color"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        data = (PWA / icon["src"].lstrip("/")).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert f"{width}x{height}" == icon["sizes"]


def shell_files() -> set[str]:
    # pwa/vendor/ holds big libraries loaded lazily by the one screen that needs them, not the shell.
    return {
        "/" + p.relative_to(PWA).as_posix()
        for p in PWA.rglob("*")
        if p.is_file() and p.name not in ("sw.js", "index.html") and "vendor" not in p.relative_to(PWA).parts
    }


def test_the_service_worker_precaches_every_file_of_the_shell():
    sw = (PWA / "sw.js").read_text()
    block = re.search(r"const SHELL = \[(.*?)\];", sw, re.S).group(1)
    precached = set(re.findall(r'"([^"]+)"', block))
    assert precached == shell_files() | {"/"}


def test_all_js_and_css_together_stay_within_150_kb_compressed():
    # Vendored libraries (pwa/vendor/) load lazily, only on the screen that needs them.
    files = [
        p
        for p in PWA.rglob("*")
        if p.suffix in (".js", ".css") and p.name != "sw.js" and "vendor" not in p.relative_to(PWA).parts
    ]
    total = sum(len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in files)
    assert total <= BUDGET_BYTES


def js_sources() -> dict[Path, str]:
    return {p: p.read_text() for p in (PWA / "js").rglob("*.js")}


HTML_SINKS = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function")


def test_no_view_parses_html():
    for path, text in js_sources().items():
        for sink in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
        ):
            assert sink not in text, f"{path.name} uses {sink}"


def test_every_message_key_exists_in_both_languages():
    zh = json.loads((PWA / "i18n" / "zh-CN.json").read_text())
    en = json.loads((PWA / "i18n" / "en.json").read_text())
    assert set(zh) == set(en)
    assert all(value.strip() for value in [*zh.values(), *en.values()])
    used = set()
    for text in js_sources().values():
        used |= set(re.findall(r'\bt\("([^"]+)"', text))
    used |= set(re.findall(r'data-i18n(?:-label)?="([^"]+)"', (PWA / "index.html").read_text()))
    assert used - set(zh) == set()


def test_views_hold_no_hard_coded_chinese():
    for path, text in js_sources().items():
        code = re.sub(r"//.*|/\*.*?\*/", "", text, flags=re.S)
        # The language names are shown in their own language on purpose.
        code = code.replace('label: "中文"', "")
        assert not re.search(r"[\u4e00-\u9fff]", code), f"{path.name} has UI text outside the message files"
