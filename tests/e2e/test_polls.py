"""Polls in Chromium: a resident votes with a confirm step, keeps the receipt, and after close verifies it;
a committee member creates a poll with the wizard."""

import pytest

from app.extensions import db
from app.polls.models import PollBallot
from tests.e2e.helpers import screenshot, serious_violations, sign_in, wait_for_service_worker, watch
from tests.polls.helpers import close, create

pytestmark = pytest.mark.e2e


def test_resident_votes_keeps_the_receipt_and_verifies_it_after_close(world, client, auth, new_context):
    poll = create(client, auth(world.committee), world.c1, title="小区是否加装充电桩")
    page = watch(new_context().new_page())
    page.add_init_script(
        "window.__engaged = []; addEventListener('linli:engaged', e => window.__engaged.push(e.detail.kind));"
    )
    sign_in(page, world.resident, "/polls")

    page.click(f"a[data-poll-id='{poll['id']}']")
    page.wait_for_url(f"**/polls/{poll['id']}")
    page.wait_for_selector("text=按《民法典》", state="detached")  # a person poll explains its own rule
    assert "每位已核实的居民各投一票" in page.inner_text(".poll-rules")
    page.click("label.poll-choice:has-text('同意')")
    page.click("button:has-text('下一步')")
    page.wait_for_selector(".poll-confirm:has-text('请确认您的选择')")
    assert db.session.query(PollBallot).count() == 0  # nothing is sent before the confirmation
    page.click("button:has-text('确认投票')")

    page.wait_for_selector("text=投票成功！")
    receipt = page.get_attribute(".poll-receipt-code", "data-receipt")
    stored = page.evaluate("JSON.parse(localStorage.getItem('linli.pollReceipts'))")
    assert stored[str(poll["id"])]["receipt"] == receipt
    assert page.evaluate("window.__engaged") == ["vote"]
    screenshot(page, "poll-receipt")
    assert "结果将在" in page.inner_text(".poll-results-slot")  # hidden until close

    close(poll["id"])
    page.reload()
    page.wait_for_selector(".poll-results:has-text('最终结果')")
    assert "应投 2 人，已投 1" in page.inner_text(".poll-results")
    assert receipt in page.inner_text(".poll-receipt")
    page.click("button:has-text('核对回执')")
    page.wait_for_selector(".poll-verify-result.is-ok")
    assert "第 1 张" in page.inner_text(".poll-verify-result")
    screenshot(page, "poll-verified")
    assert page.errors == []


def test_household_member_sees_that_the_household_voted(world, client, auth, new_context):
    from tests.factories import UserFactory, member
    from tests.polls.helpers import vote

    housemate = UserFactory(name="housemate")
    member(housemate, world.c1, unit=world.u1)
    db.session.commit()
    poll = create(client, auth(world.committee), world.c1, counting="household")
    assert vote(client, auth(world.resident), poll, "同意").status_code == 201
    page = watch(new_context().new_page())
    sign_in(page, housemate, f"/polls/{poll['id']}")

    page.wait_for_selector("text=您家已经投过票了")
    assert page.locator(".poll-ballot").count() == 0
    assert page.errors == []


def test_committee_creates_an_owners_vote_with_the_wizard(world, new_context):
    page = watch(new_context().new_page())
    sign_in(page, world.committee, "/polls")

    page.click("a:has-text('发起投票')")
    page.wait_for_url("**/polls/new")
    page.fill("input[name=title]", "是否同意改造地下车库")
    page.click("button:has-text('下一步')")
    page.click("button:has-text('下一步')")
    page.click("label:has-text('业主表决')")
    assert "人数和房屋面积" in page.inner_text("[data-field=counting]")
    page.click("label:has-text('重大事项')")
    page.click("button:has-text('下一步')")
    page.click("button:has-text('发起投票')")

    page.wait_for_url("**/polls/*")
    page.wait_for_selector(".poll-rules:has-text('四分之三')")
    assert page.is_visible(
        "summary:has-text('录入纸质选票')"
    )  # the committee enters paper, not a vote of its own
    assert page.errors == []


def test_a_poll_seen_before_opens_offline_with_its_results(world, client, auth, new_context):
    poll = create(client, auth(world.committee), world.c1, title="广场舞时间调整", results="live")
    context = new_context(service_workers="allow")
    page = watch(context.new_page())
    sign_in(page, world.resident, "/polls")
    wait_for_service_worker(page)
    page.reload()  # now through the worker, which keeps what is read
    page.click(f"a[data-poll-id='{poll['id']}']")
    page.wait_for_selector(".poll-results")

    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#offline-banner:not([hidden])")
    page.wait_for_selector(".poll-results:has-text('实时结果')")
    assert "广场舞时间调整" in page.inner_text("#page-title")
    context.set_offline(False)


GO = "path => { history.pushState(null, '', path); dispatchEvent(new PopStateEvent('popstate')); }"


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_poll_screens_pass_axe_in_both_modes(world, client, auth, new_context, elder):
    from axe_playwright_python.sync_playwright import Axe

    from tests.e2e.helpers import seed_storage

    open_poll = create(
        client, auth(world.committee), world.c1, title="健身器材选哪些", kind="multiple", max_choices=2
    )
    closed = create(client, auth(world.committee), world.c1, title="电梯更换", results="live")
    from tests.polls.helpers import vote

    vote(client, auth(world.resident2), closed, "同意")
    close(closed["id"])
    screens = {
        world.resident: [
            ("polls", "/polls", ".poll-card"),
            ("ballot", f"/polls/{open_poll['id']}", ".poll-ballot"),
            ("results", f"/polls/{closed['id']}", ".poll-results"),
        ],
        world.committee: [
            ("wizard", "/polls/new", ".poll-wizard"),
            ("decide", f"/polls/{closed['id']}", ".poll-manage-form"),
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
            screenshot(page, f"polls-{'elder' if elder else 'normal'}-{name}")
            bad = serious_violations(page)
            if bad:
                problems[name] = bad
            if elder and name in ("ballot", "wizard"):
                # Large targets for older hands: every visible choice and button at least 56 px tall.
                heights = page.eval_on_selector_all(
                    "button, .poll-choice", "els => els.map(e => e.offsetHeight)"
                )
                assert min(h for h in heights if h) >= 56, (name, heights)
        assert page.errors == []
    assert problems == {}


def test_a_worker_enters_a_paper_ballot_and_the_owners_results_explain_the_quorum(
    world, client, auth, new_context
):
    from tests.polls.helpers import owner, owners_with_users, vote

    pairs = owners_with_users(world.c1, ["100.00", "100.00"])
    owner(world.c1, ["100.00"], name="林阿婆")
    db.session.commit()
    poll = create(client, auth(world.committee), world.c1, counting="owners", results="live")
    vote(client, auth(pairs[0][1]), poll, "同意")
    page = watch(new_context().new_page())
    sign_in(page, world.worker, f"/polls/{poll['id']}")

    page.click("summary:has-text('录入纸质选票')")
    page.fill("#paper-search", "林阿婆")
    page.press("#paper-search", "Enter")
    page.wait_for_selector("#paper-voter option:has-text('林阿婆')", state="attached")
    page.select_option("#paper-voter", label="林阿婆（100.00㎡）")
    page.click(".poll-paper label.poll-choice:has-text('同意')")
    page.click("button:has-text('录入')")

    page.wait_for_selector(".poll-results:has-text('应投 3 位业主，已投 2')")
    results = page.inner_text(".poll-results")
    assert "参与的业主人数和面积都达到了三分之二" in results
    assert "目前：已达到通过条件" in results  # still open: the standing so far, not the outcome
    page.locator(".poll-quorum").scroll_into_view_if_needed()
    screenshot(page, "poll-owners-results")
    from app.audit.models import AuditLog

    assert db.session.query(AuditLog).filter_by(action="poll.paper_ballot").count() == 1
    assert page.errors == []


def test_without_webcrypto_the_receipt_check_does_not_claim_the_chain(world, client, auth, new_context):
    """Plain http on a LAN address has no crypto.subtle: the page used to echo the server's own hashes and
    say "哈希链完整" without recomputing anything."""
    import json

    from tests.e2e.helpers import seed_storage
    from tests.polls.helpers import vote

    poll = create(client, auth(world.committee), world.c1, title="楼顶绿化")
    receipt = vote(client, auth(world.resident), poll, "同意").get_json()["receipt"]
    close(poll["id"])
    context = new_context()
    seed_storage(context, world.resident)
    saved = json.dumps({str(poll["id"]): {"receipt": receipt, "at": "2026-01-01T00:00:00Z"}})
    context.add_init_script(
        f"localStorage.setItem('linli.pollReceipts', JSON.stringify({saved}));"
        "Object.defineProperty(Crypto.prototype, 'subtle', {get: () => undefined, configurable: true});"
    )
    page = watch(context.new_page())
    page.goto(f"/polls/{poll['id']}")
    page.click("button:has-text('核对回执')")
    page.wait_for_selector(".poll-verify-result.is-short")
    text = page.inner_text(".poll-verify-result")
    assert "第 1 张（共 1 张）" in text  # the receipt is still found in the published list
    assert "没有核对" in text
    assert "哈希链完整" not in text
    assert page.errors == []
