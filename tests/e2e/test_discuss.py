"""议事 in Chromium: a resident reads a consultation, gives an opinion, supports it and later reads the
outcome and its follow-through; the committee answers from its own screens."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.outbox.models import OutboxEvent
from tests.consultations.helpers import make_consultation
from tests.e2e.helpers import screenshot, seed_storage, serious_violations, sign_in, watch

pytestmark = pytest.mark.e2e


def test_resident_gives_an_opinion_supports_and_reads_the_outcome(world, new_context):
    consultation = make_consultation(
        world.committee,
        world.c1,
        open=True,
        title="东门空地加装充电棚",
        body="拟在东门空地加装充电棚，请大家说说意见。",
    )
    resident = watch(new_context().new_page())
    sign_in(resident, world.resident, "/discuss")

    # The list, with the way to the polls beside it.
    assert resident.get_by_role("link", name="投票表决").get_attribute("href") == "/polls"
    resident.click(".consultation-card:has-text('东门空地加装充电棚')")
    resident.wait_for_url(f"**/discuss/{consultation.id}")
    assert "拟在东门空地加装充电棚" in resident.inner_text(".consultation .notice-body")
    resident.wait_for_selector("text=还没有人发表意见")

    # An opinion needs a stance first.
    resident.fill(".opinion-form textarea", "东门是孩子们玩的地方，建议换到车库入口。")
    resident.click(".opinion-form button[type=submit]")
    assert resident.inner_text(".opinion-form .form-alert") == "请先选择赞成、反对或中立。"
    resident.click(".opinion-form label.stance-against")
    resident.click(".opinion-form button[type=submit]")
    opinion = resident.locator("li.opinion.stance-against")
    opinion.wait_for()
    assert "建议换到车库入口" in opinion.inner_text()
    assert "反对" in opinion.locator(".badge").first.inner_text()

    assert "反对 1" in resident.inner_text(".consultation .stance-counts")
    resident.click("button.support-btn")
    resident.wait_for_selector("button.support-btn:has-text('已支持（1）')")
    assert "支持 1" in resident.inner_text(".consultation .stance-counts")
    assert "null" not in resident.inner_text("main")
    screenshot(resident, "discuss-opinion")

    # The committee sees the opinion, replies and publishes the outcome from the same screen.
    committee = watch(new_context().new_page())
    sign_in(committee, world.committee, f"/discuss/{consultation.id}")
    committee.locator("li.opinion").get_by_role("button", name="回复").click()
    committee.fill(".reply-form textarea", "谢谢建议，我们去车库入口看看。")
    committee.click(".reply-form button[type=submit]")
    committee.wait_for_selector(".replies li:has-text('我们去车库入口看看')")
    committee.fill(".outcome-form textarea", "经议事，充电棚改建在地下车库入口，年底前完工。")
    committee.click(".outcome-form button[type=submit]")
    committee.wait_for_selector(".outcome:has-text('地下车库入口')")
    committee.fill(".followup-form textarea", "充电棚施工")
    committee.fill(".followup-form input[name=progress]", "40")
    committee.click(".followup-form button[type=submit]")
    committee.wait_for_selector(".followup:has-text('充电棚施工')")

    db.session.expire_all()
    kinds = [
        e.payload["message"]["kind"]
        for e in db.session.scalars(sa.select(OutboxEvent).where(OutboxEvent.kind == "push.fanout"))
    ]
    assert kinds == ["consultation_outcome"]

    resident.reload()
    resident.wait_for_selector(".outcome:has-text('充电棚改建在地下车库入口')")
    assert resident.locator(".followup [role=progressbar]").get_attribute("aria-valuenow") == "40"
    assert "我们去车库入口看看" in resident.inner_text(".replies")
    assert resident.locator(".opinion-form").count() == 0  # closed by the outcome
    resident.goto("/discuss?show=answered")
    resident.wait_for_selector(".consultation-card:has-text('东门空地加装充电棚')")
    screenshot(resident, "discuss-outcome")
    assert resident.errors == []
    assert committee.errors == []


def test_committee_posts_in_english_elder_mode_and_hides_a_comment(world, client, auth, new_context):
    context = new_context()
    seed_storage(context, world.committee, lang="en", elder=True)
    committee = watch(context.new_page())
    committee.goto("/discuss")
    committee.get_by_role("link", name="New consultation").click()
    committee.wait_for_url("**/discuss/new")
    committee.fill("input[name=title]", "Roof garden")
    committee.fill("textarea[name=body]", "How should the roof garden be redone?")
    committee.click("button[type=submit]")
    committee.wait_for_selector(".consultation h2:has-text('Roof garden')")
    assert "Open for opinions" in committee.inner_text(".consultation .badges")
    consultation_id = int(committee.url.rsplit("/", 1)[1])

    rude = client.post(
        f"/api/v1/consultations/{consultation_id}/comments",
        json={"body": "You are all liars", "stance": "against"},
        headers=auth(world.resident2),
    )
    assert rude.status_code == 201
    committee.reload()
    committee.locator("li.opinion").get_by_role("button", name="Hide").click()
    committee.fill(".hide-form input[name=reason]", "Personal attack")
    committee.click(".hide-form button[type=submit]")
    committee.wait_for_selector("li.opinion:has-text('Hidden. Reason: Personal attack')")
    screenshot(committee, "discuss-elder-en")

    other = watch(new_context().new_page())
    sign_in(other, world.resident, f"/discuss/{consultation_id}")
    other.wait_for_selector("li.opinion:has-text('此内容')", state="detached")
    other.wait_for_selector("li.opinion .comment-hidden")
    assert "You are all liars" not in other.inner_text("li.opinion")
    assert other.inner_text("li.opinion .comment-hidden") == "该内容已被管理员隐藏。"
    assert committee.errors == []
    assert other.errors == []


GO = "path => { history.pushState(null, '', path); dispatchEvent(new PopStateEvent('popstate')); }"


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_discuss_screens_pass_axe(world, client, auth, new_context, elder):
    from axe_playwright_python.sync_playwright import Axe

    open_one = make_consultation(world.committee, world.c1, open=True, title="楼道加装扶手")
    answered = make_consultation(world.committee, world.c1, open=True, title="垃圾投放点迁移")
    top = client.post(
        f"/api/v1/consultations/{open_one.id}/comments",
        json={"body": "赞成，老人上下楼方便。", "stance": "for"},
        headers=auth(world.resident2),
    ).get_json()
    client.post(
        f"/api/v1/consultations/{open_one.id}/comments",
        json={"body": "谢谢支持。", "parent_id": top["id"]},
        headers=auth(world.committee),
    )
    headers = auth(world.committee)
    client.post(
        f"/api/v1/consultations/{answered.id}/outcome", json={"body": "迁到4栋北侧。"}, headers=headers
    )
    client.post(
        f"/api/v1/consultations/{answered.id}/followups",
        json={"body": "新投放点", "progress": 60},
        headers=headers,
    )
    screens = {
        world.resident: [
            ("list", "/discuss", ".consultation-card"),
            ("open", f"/discuss/{open_one.id}", "li.opinion"),
            ("answered", f"/discuss/{answered.id}", ".followup"),
        ],
        world.committee: [
            ("staff", f"/discuss/{open_one.id}", ".outcome-form"),
            ("new", "/discuss/new", "form select"),
        ],
    }
    axe_script = Axe().axe_script
    problems = {}
    for user, pages in screens.items():
        context = new_context()
        seed_storage(context, user, elder=elder)
        page = watch(context.new_page())
        page.goto(pages[0][1])
        page.evaluate(axe_script)
        for name, path, ready in pages:
            page.evaluate(GO, path)
            page.wait_for_selector(ready)
            page.wait_for_selector(".list-status:text-matches('加载')", state="hidden")
            screenshot(page, f"discuss-{'elder' if elder else 'normal'}-{name}")
            bad = serious_violations(page)
            if bad:
                problems[name] = bad
        assert page.errors == []
    assert problems == {}
