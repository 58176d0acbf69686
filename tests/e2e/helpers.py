"""Helpers for the browser tests: sign in, seed through the API, wait for the service worker, screenshots."""

import json
import re
from pathlib import Path

from app.extensions import db

# Bounded waits everywhere: a broken page fails fast instead of hanging the suite.
WAIT_MS = 10_000
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


# Chromium logs every 401 as a console error; an expired access token answered 401 is part of the design.
EXPECTED = re.compile(r"Failed to load resource: .* status of 401")


def watch(page):
    """Collects page errors, console errors and dialogs so tests can assert there were none."""
    page.errors = []
    page.dialogs = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: msg.type == "error" and not EXPECTED.search(msg.text) and page.errors.append(msg.text),
    )

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return page


def store_tokens(page, tokens: dict) -> None:
    page.evaluate(
        "t => localStorage.setItem('linli.tokens', "
        "JSON.stringify({access: t.access_token, refresh: t.refresh_token}))",
        tokens,
    )


def sign_in(page, user, path: str = "/") -> None:
    """Puts a fresh login for `user` in the app's storage (as the sign-in screen would) and opens `path`."""
    from app.auth import service as auth_service

    tokens = auth_service.start_session(user)
    db.session.commit()
    page.goto("/login")
    store_tokens(page, tokens)
    page.goto(path)
    page.wait_for_selector("#tabbar:not([hidden])")


def seed_storage(context, user=None, *, lang: str = "zh-CN", elder: bool = False) -> None:
    """Before any page of `context` runs: a login for `user` (if any) and the display preferences.

    Values already present are kept, so what the app itself stores later survives a reload.
    """
    values = {"linli.lang": lang, "linli.elder": "1" if elder else "0"}
    if user is not None:
        from app.auth import service as auth_service

        tokens = auth_service.start_session(user)
        db.session.commit()
        values["linli.tokens"] = json.dumps(
            {"access": tokens["access_token"], "refresh": tokens["refresh_token"]}
        )
    context.add_init_script(
        f"""(() => {{
            const values = {json.dumps(values)};
            for (const [key, value] of Object.entries(values)) {{
                if (localStorage.getItem(key) === null) localStorage.setItem(key, value);
            }}
        }})();"""
    )


def set_prefs(page, *, lang: str = "zh-CN", elder: bool = False) -> None:
    page.evaluate(
        "p => { localStorage.setItem('linli.lang', p.lang); "
        "localStorage.setItem('linli.elder', p.elder ? '1' : '0'); }",
        {"lang": lang, "elder": elder},
    )


def post_notice(client, headers, region, **fields) -> dict:
    body = {"title": "停水通知", "body": "明天上午停水。", "region_id": region.id, **fields}
    response = client.post("/api/v1/notices", headers=headers, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def give_photo(client, headers) -> int:
    """Upload an image and make it the user's photo, as the 我的 screen does; returns the upload's id."""
    from tests.uploads.images import upload

    photo_id = upload(client, headers)
    photo = client.put("/api/v1/me/photo", json={"upload_id": photo_id}, headers=headers)
    assert photo.status_code == 200, photo.get_json()
    return photo_id


# Resolves once the <img> has loaded (rejects if it cannot), with the decoded width: 0 means no picture.
LOADED_WIDTH = "img => img.decode().then(() => img.naturalWidth)"


def wait_for_service_worker(page) -> None:
    """Until a service worker controls the page (the first install claims its clients)."""
    # A polling wait_for_function would evaluate a string, which the page's CSP (rightly) forbids.
    page.evaluate(
        """ms => new Promise((resolve, reject) => {
            if (navigator.serviceWorker.controller) return resolve(true);
            navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true));
            setTimeout(() => reject(new Error("no service worker took control")), ms);
        })""",
        WAIT_MS,
    )


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def serious_violations(page) -> list:
    """axe-core's serious and critical findings on the page as it stands (the axe script already loaded):
    (rule, impact, the first three targets) each."""
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
