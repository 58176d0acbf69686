"""The map settings the PWA reads, and the CSP that admits the configured tile host (and nothing else)."""

import pytest

from app.pwa import tile_source


def img_src(response) -> str:
    parts = (p.strip() for p in response.headers["Content-Security-Policy"].split(";"))
    return next(p for p in parts if p.startswith("img-src"))


def test_without_tiles_the_map_is_vectors_only_and_the_csp_stays_local(client):
    settings = client.get("/api/v1/map-settings")
    assert settings.status_code == 200
    assert settings.get_json()["tile_url"] is None
    assert img_src(client.get("/")) == "img-src 'self' data: blob:"


def test_a_configured_tile_server_is_served_and_admitted_for_images_only(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAP_TILE_URL", "https://{s}.tiles.example.cn/{z}/{x}/{y}.png")
    monkeypatch.setitem(app.config, "MAP_TILE_ATTRIBUTION", "© 示例地图")
    body = client.get("/api/v1/map-settings").get_json()
    assert body["tile_url"] == "https://{s}.tiles.example.cn/{z}/{x}/{y}.png"
    assert body["attribution"] == "© 示例地图"
    response = client.get("/report/map")
    assert img_src(response) == "img-src 'self' data: blob: https://*.tiles.example.cn"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert policy.count("tiles.example.cn") == 1


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://tiles.example.cn/{z}/{x}/{y}.png", "https://tiles.example.cn"),
        ("http://10.0.0.5:8080/tiles/{z}/{x}/{y}.png", "http://10.0.0.5:8080"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("", None),
        ("javascript:alert(1)", None),
        ("https://evil.example.cn; script-src *", None),
        ("//tiles.example.cn/{z}/{x}/{y}.png", None),
    ],
)
def test_only_a_plain_http_host_becomes_a_csp_source(url, source):
    assert tile_source(url) == source
