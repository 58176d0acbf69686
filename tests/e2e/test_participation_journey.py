"""One resident's whole participation journey in Chromium: read a consultation and give an opinion, vote in
a poll, and after the worker closes it, verify the receipt in the published list (elder mode for the end)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.consultations.models import ConsultationComment, Stance
from app.extensions import db
from app.outbox.worker import Worker
from app.polls.models import Poll, PollBallot, PollStatus, PollVoter
from tests.consultations.helpers import make_consultation
from tests.e2e.helpers import screenshot, sign_in, watch
from tests.polls.helpers import create

pytestmark = pytest.mark.e2e

STANCE_FOR = "rgb(20, 108, 67)"  # --stance-for in pwa/css/app.css
ENGAGED = (
    "window.__engaged = []; addEventListener('linli:engaged', e => window.__engaged.push(e.detail.kind));"
)
COLOUR = "(el, prop) => getComputedStyle(el)[prop]"
LOOK = "el => ({line: getComputedStyle(el).textDecorationLine, color: getComputedStyle(el).color})"


def test_resident_reads_gives_an_opinion_votes_and_later_verifies_the_receipt(
    app, world, client, auth, new_context
):
    consultation = make_consultation(
        world.committee,
        world.c1,
        open=True,
        title="小区北门改为人车分流",
        body="拟把北门改成人行和车行两个通道，请大家发表意见。",
    )
    poll = create(client, auth(world.committee), world.c1, title="是否同意北门人车分流改造")
    page = watch(new_context().new_page())
    page.add_init_script(ENGAGED)
    sign_in(page, world.resident, "/discuss")
    card = page.locator(".consultation-card:has-text('小区北门改为人车分流')")
    card_look = card.evaluate(LOOK)

    # 议事: read the open consultation and give an opinion with a stance.
    card.click()
    page.wait_for_url(f"**/discuss/{consultation.id}")
    assert "拟把北门改成人行和车行两个通道" in page.inner_text(".consultation .notice-body")
    page.wait_for_selector("text=还没有人发表意见")
    page.fill(".opinion-form textarea", "赞成，早晚高峰孩子上学更安全。")
    page.click(".opinion-form label.stance-for")
    page.click(".opinion-form button[type=submit]")
    opinion = page.locator("li.opinion.stance-for")
    opinion.wait_for()
    assert "孩子上学更安全" in opinion.inner_text()
    badge = opinion.locator(".badge").first
    assert "赞成" in badge.inner_text()
    # Stance-coloured: the opinion's edge and its badge both take the "for" colour.
    assert opinion.evaluate(COLOUR, "borderLeftColor") == STANCE_FOR
    assert badge.evaluate(COLOUR, "color") == STANCE_FOR
    assert "赞成 1" in page.inner_text(".consultation .stance-counts")
    assert page.evaluate("window.__engaged") == []  # an opinion is not the moment to offer push
    screenshot(page, "participation-opinion")

    # From the 议事 screen to 投票, then the ballot with its confirm step.
    page.click("a.back")
    page.wait_for_url("**/discuss")
    page.get_by_role("link", name="投票表决").click()
    page.wait_for_url("**/polls")
    poll_card = page.locator(f"a[data-poll-id='{poll['id']}']")
    # A poll card is a card like a consultation's, not one big underlined link (it was, in both modes).
    assert card_look["line"] == "none"
    assert poll_card.evaluate(LOOK) == card_look
    poll_card.click()
    page.wait_for_url(f"**/polls/{poll['id']}")
    page.click("label.poll-choice:has-text('同意')")
    page.click("button:has-text('下一步')")
    page.wait_for_selector(".poll-confirm:has-text('请确认您的选择')")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PollBallot)) == 0
    page.click("button:has-text('确认投票')")
    page.wait_for_selector("text=投票成功！")
    receipt = page.get_attribute(".poll-receipt-code", "data-receipt")
    assert receipt
    assert receipt in page.inner_text(".poll-receipt")
    saved = page.evaluate("JSON.parse(localStorage.getItem('linli.pollReceipts'))")
    assert saved[str(poll["id"])]["receipt"] == receipt  # kept on the phone for the later check

    # The first vote is the moment the push offer appears (push.js listens for linli:engaged).
    assert page.evaluate("window.__engaged") == ["vote"]
    offer = page.locator(".push-offer")
    offer.wait_for()
    assert "投票结果公布" in offer.inner_text()
    assert offer.get_by_role("button", name="开启通知").is_visible()
    screenshot(page, "participation-voted-offer")
    offer.get_by_role("button", name="以后再说").click()
    offer.wait_for(state="detached")

    # What was stored: exactly one opinion (the resident's, "for") and one ballot.
    db.session.expire_all()
    comments = db.session.scalars(sa.select(ConsultationComment)).all()
    assert [(c.author_id, c.consultation_id, c.stance, c.parent_id) for c in comments] == [
        (world.resident.id, consultation.id, Stance.FOR, None)
    ]
    ballots = db.session.scalars(sa.select(PollBallot)).all()
    assert [(b.poll_id, b.receipt) for b in ballots] == [(poll["id"], receipt)]
    assert db.session.scalars(sa.select(PollVoter.user_id)).all() == [world.resident.id]

    # Days later the outbox worker's periodic polls.tick closes it; the worker's clock is moved, not the poll.
    closes_at = db.session.get(Poll, poll["id"]).closes_at
    Worker(app, concurrency=1).run_until_idle(now=closes_at + timedelta(minutes=1))
    db.session.expire_all()
    assert db.session.get(Poll, poll["id"]).status == PollStatus.CLOSED
    published = client.get(f"/api/v1/polls/{poll['id']}/receipts", headers=auth(world.resident2))
    assert published.status_code == 200
    assert [e["receipt"] for e in published.get_json()["data"]] == [receipt]

    # Later, in elder mode: 我的 → 议事协商与投票表决 → 投票表决 → the closed poll, results, receipt check.
    page.get_by_role("link", name="我的").click()
    page.wait_for_url("**/me")
    page.click("[data-elder=on]")
    page.wait_for_selector("html.elder", state="attached")
    assert page.locator("#tabbar a[href='/discuss']").count() == 0  # elder mode keeps four tabs
    page.click("a.choice:has-text('议事协商与投票表决')")
    page.wait_for_url("**/discuss")
    page.get_by_role("link", name="投票表决").click()
    page.wait_for_url("**/polls")
    page.click(f".poll-section:has(#polls-closed) a[data-poll-id='{poll['id']}']")
    page.wait_for_url(f"**/polls/{poll['id']}")
    page.wait_for_selector(".poll-results:has-text('最终结果')")
    assert "应投 2 人，已投 1" in page.inner_text(".poll-results")
    assert receipt in page.inner_text(".poll-receipt")
    # The check recomputes the hash chain in the page; without WebCrypto it would only echo the server.
    assert page.evaluate("Boolean(crypto.subtle)")
    page.click("button:has-text('核对回执')")
    page.wait_for_selector(".poll-verify-result.is-ok")
    assert "第 1 张（共 1 张），哈希链完整" in page.inner_text(".poll-verify-result")
    screenshot(page, "participation-verified-elder")
    assert page.errors == []
    assert page.dialogs == []
