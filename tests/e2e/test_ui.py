"""What people see: elder mode sizes, inert user text, the language switch, accessibility and screenshots."""

import pytest

from app.extensions import db
from app.reports.categories import seed_categories
from tests.e2e.helpers import post_notice, screenshot, seed_storage, serious_violations, sign_in, watch
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

# Every interactive element a finger has to hit; checkbox and radio inputs count through their labels.
TARGETS = (
    "button, a[href]:not(.skip-link), select, textarea, label[for], "
    "input:not([type=checkbox]):not([type=radio]):not([type=hidden])"
)
APPLY = object()  # not a path: apply to join through the form on screen
GO = "path => { history.pushState(null, '', path); dispatchEvent(new PopStateEvent('popstate')); }"
MEASURE = """sel => [...document.querySelectorAll(sel)]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden'
                  && !el.closest('.visually-hidden'))
    .map(el => { const r = el.getBoundingClientRect();
                 return {what: el.outerHTML.slice(0, 80), width: r.width, height: r.height}; })"""


def root_font_px(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


def test_elder_mode_enlarges_text_and_touch_targets(world, client, auth, page):
    post_notice(client, auth(world.worker), world.c1, title="社区义诊", body="周日上午九点，社区医院。")
    sign_in(page, world.resident, "/me")
    assert root_font_px(page) < 24
    assert page.locator("#tabbar .tab").count() == 5

    page.click("[data-elder=on]")
    assert root_font_px(page) >= 24
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 24
    ratio = page.evaluate(
        "(() => { const s = getComputedStyle(document.body); "
        "return parseFloat(s.lineHeight) / parseFloat(s.fontSize); })()"
    )
    assert ratio >= 1.3
    # Simplified navigation: the four tabs an older resident needs most; 议事 is a large link on 我的.
    assert page.locator("#tabbar .tab").all_inner_texts() == ["首页", "随手拍", "消息", "我的"]
    assert page.locator("a.choice[href='/discuss']").is_visible()

    for path, ready in (("/me", "[data-elder=on]"), ("/", ".notice-card"), ("/join", "a.choice")):
        page.goto(path)
        page.wait_for_selector(ready)
        small = [t for t in page.evaluate(MEASURE, TARGETS) if t["width"] < 60 or t["height"] < 60]
        assert small == [], f"{path}: targets under 60×60 px: {small}"

    page.goto("/me")
    page.click("[data-size='32']")
    assert root_font_px(page) == 32
    page.reload()
    page.wait_for_selector("[data-elder=on][aria-pressed=true]")
    assert root_font_px(page) == 32  # remembered across restarts

    page.click("[data-elder=off]")
    assert root_font_px(page) < 24
    assert page.locator("#tabbar .tab").count() == 5
    assert page.locator("a.choice[href='/discuss']").is_hidden()


def test_a_notice_full_of_markup_renders_as_inert_text(world, client, auth, page):
    title = "<img src=x onerror=alert(1)>"
    body = "<script>alert(2)</script><b onmouseover=alert(3)>hi</b> 值班 0755-27771234"
    post_notice(client, auth(world.worker), world.c1, title=title, body=body)
    sign_in(page, world.resident)
    card = page.locator(".notice-card").first
    assert card.locator(".card-title").inner_text() == title
    assert page.locator("main img, main script, main b").count() == 0

    card.click()
    page.wait_for_selector(".notice-detail")
    assert page.inner_text(".notice-heading") == title
    assert page.inner_text(".notice-body") == body
    assert page.get_attribute(".notice-body a", "href") == "tel:075527771234"
    assert page.locator("main img, main script, main b").count() == 0
    assert title in page.title()
    page.wait_for_timeout(300)  # time for a stray onerror to fire, if one existed
    assert page.dialogs == []
    assert page.errors == []


def test_the_language_switch_changes_the_ui_and_is_remembered(world, page):
    page.goto("/login")
    page.wait_for_selector("form")
    assert page.inner_text("#page-title") == "登录"
    page.click("[data-lang=en]")
    page.wait_for_selector("#page-title:text-is('Sign in')")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("label:has-text('Mobile number')").count() == 1

    page.reload()
    page.wait_for_selector("#page-title:text-is('Sign in')")
    sign_in(page, world.resident, "/me")
    assert page.locator("#tabbar .tab").all_inner_texts() == ["Home", "Report", "Discuss", "Messages", "Me"]
    assert page.inner_text("#page-title") == "Me"
    page.click("[data-lang=zh-CN]")
    page.wait_for_selector("#page-title:text-is('我的')")
    assert page.locator("#tabbar .tab").all_inner_texts() == ["首页", "随手拍", "议事", "消息", "我的"]
    assert page.errors == []


@pytest.mark.parametrize(
    ("lang", "elder"), [("zh-CN", False), ("zh-CN", True), ("en", False), ("en", True)], ids=str
)
def test_every_screen_passes_axe_and_is_photographed(world, client, auth, new_context, lang, elder):
    from axe_playwright_python.sync_playwright import Axe

    notice = post_notice(
        client,
        auth(world.worker),
        world.c1,
        title="关于开展台风防御工作的通知",
        pinned=True,
        category="safety",
        body="台风将于周末影响我区。请收好阳台花盆，检查门窗是否牢固。\n\n社区值班电话：0755-27771234。",
    )
    post_notice(
        client, auth(world.worker), world.g1, title="二次供水水箱清洗停水", body="周四 9:00—17:00 停水。"
    )
    newcomer = UserFactory(name="新居民")
    seed_categories()
    db.session.commit()
    report = client.post(
        "/api/v1/reports",
        json={"category": "power.streetlight", "description": "3栋旁路灯不亮", "lat": 22.555, "lng": 113.885},
        headers=auth(world.resident),
    ).get_json()
    screens = {
        None: [("login", "/login", "form"), ("register", "/register", "form")],
        world.resident: [
            ("feed", "/", ".notice-card"),
            ("notice", f"/notices/{notice['id']}", ".notice-detail"),
            ("me", "/me", "[data-elder]"),
            ("messages", "/messages", ".chat-log"),
            ("report", "/report", ".report-form .cat-choice"),
            ("my-reports", "/report/mine", ".report-card"),
            ("report-page", f"/reports/{report['id']}", ".timeline"),
        ],
        newcomer: [
            ("join", "/join", "a.choice"),
            ("units", f"/join/{world.c1.id}", ".radio-row label"),
            ("pending", APPLY, ".callout-pending"),
        ],
        world.worker: [
            ("staff-me", "/me", "[aria-labelledby=staff-title] .choice-list"),
            ("applications", "/staff/applications", "li.application"),
            ("manage", "/staff/notices", ".notice-card"),
            ("compose", "/staff/notices/new", "form select"),
            ("staff-notice", f"/notices/{notice['id']}", ".stats"),
            ("work-queue", "/report/work", ".report-card"),
            ("chat-inbox", "/messages", ".inbox-tabs"),
            ("staff-report", f"/reports/{report['id']}", ".staff-actions"),
        ],
    }
    # axe checks every screen in both modes in Chinese; English gets screenshots (same markup, other words).
    audit = lang == "zh-CN"
    tag = f"{'zh' if lang == 'zh-CN' else 'en'}-{'elder' if elder else 'normal'}"
    axe_script = Axe().axe_script
    problems = {}
    for user, pages in screens.items():
        context = new_context()
        seed_storage(context, user, lang=lang, elder=elder)
        page = watch(context.new_page())
        page.goto(pages[0][1])
        if audit:
            page.evaluate(axe_script)
        for name, path, ready in pages:
            if path is APPLY:
                page.click("label:has-text('暂不选择'), label:has-text('choose later')")
                page.click("form button[type=submit]")
            else:
                # In-app navigation, as a person taps through: no reload, so axe stays injected.
                page.evaluate(GO, path)
            page.wait_for_selector(ready)
            page.wait_for_selector(".list-status:text-matches('加载|Loading')", state="hidden")
            screenshot(page, f"{tag}-{name}")
            if not audit:
                continue
            bad = serious_violations(page)
            if bad:
                problems[name] = bad
        assert page.errors == []
    assert problems == {}
