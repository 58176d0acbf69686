"""Report maps in Chromium with no tile server: grids and report dots drawn as vectors by the vendored
Leaflet, loaded only by the map screens; the form's pin can be moved on the map."""

from urllib.parse import urlsplit

import pytest

from tests.e2e.helpers import screenshot, sign_in, watch

pytestmark = pytest.mark.e2e

HERE = {"latitude": 22.555, "longitude": 113.885}


def test_the_public_map_draws_grids_and_reports_without_tiles(
    world, reporting, client, auth, new_context, live_server
):
    body = {"category": "env.garbage", "description": "路口垃圾", "lat": 22.5552, "lng": 113.8853}
    created = client.post("/api/v1/reports", json=body, headers=auth(world.resident2))
    assert created.status_code == 201
    context = new_context(permissions=["geolocation"], geolocation=HERE)
    page = watch(context.new_page())
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    leaflet = []
    page.on("request", lambda request: "/vendor/leaflet/" in request.url and leaflet.append(request.url))

    sign_in(page, world.resident, "/")
    assert leaflet == []  # not part of the first load
    page.click("a.tab[data-tab=report]")
    page.wait_for_selector(".report-form")
    assert leaflet == []  # nor of the report form until the pin is asked for

    page.goto("/report/map")
    page.wait_for_selector(".report-map.leaflet-container")
    page.wait_for_selector(".report-map[data-points='1']")
    assert page.locator(".report-map .leaflet-tile").count() == 0
    assert page.locator(".report-map path").count() >= 5  # four grid squares and the report's dot
    page.locator(".report-map path.leaflet-interactive").last.click()
    popup = page.wait_for_selector(".leaflet-popup .map-popup")
    assert "暴露垃圾" in popup.inner_text()
    assert "路口垃圾" not in popup.inner_text()  # the public map shows no description
    screenshot(page, "report-map")
    assert hosts == {urlsplit(live_server).netloc}
    assert page.errors == []


def test_the_pin_moves_where_the_map_is_tapped(world, reporting, new_context):
    context = new_context(permissions=["geolocation"], geolocation=HERE)
    page = watch(context.new_page())
    sign_in(page, world.resident, "/report")
    page.wait_for_selector(".location-status:has-text('已定位')")
    page.click("button:has-text('在地图上调整位置')")
    page.wait_for_selector(".pin-map .pin-icon")
    box = page.locator(".pin-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.3)
    status = page.wait_for_selector(".location-status:has-text('已在地图上选点')")
    lat, lng = (float(n) for n in status.inner_text().split("（")[1].rstrip("）").split(", "))
    assert lat > HERE["latitude"]
    assert lng > HERE["longitude"]
    screenshot(page, "report-pin")
    assert page.errors == []
