"""Browser fixtures: the app served on a free local port, and Debian's Chromium driven by Playwright."""

import logging
import os
import threading

import pytest
from werkzeug.serving import make_server

from tests.e2e.helpers import WAIT_MS, watch

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}


def _browser_missing() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python playwright is not installed (pip install -r requirements-dev.txt)"
    return None


@pytest.fixture(scope="session")
def live_server(app):
    """The suite's app (and its database) on 127.0.0.1 and a free port, in a thread."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def playwright_session():
    reason = _browser_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_session):
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """new_context(**options) -> a phone-sized incognito context; all are closed after the test.

    Service workers are blocked unless a test asks for them (service_workers="allow"): installing one
    fetches the whole shell again, which only the tests about offline use and updates need.
    """
    contexts = []

    def make(**options):
        context = browser.new_context(
            base_url=live_server, **{**PHONE, "service_workers": "block", **options}
        )
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return watch(new_context().new_page())


@pytest.fixture
def reporting(app, tmp_path, monkeypatch):
    """Report screens need the category tree, and somewhere to keep the photos taken in the browser."""
    from app.extensions import db
    from app.reports.categories import seed_categories

    monkeypatch.setitem(app.config, "UPLOAD_DIR", tmp_path / "uploads")
    seed_categories()
    db.session.commit()
