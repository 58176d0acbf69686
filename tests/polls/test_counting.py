"""Art. 278 counting at and around every boundary, with hand-built owners' registers."""

import pytest

from app.polls import counting, roll
from app.polls.models import Counting, Poll
from app.regions.ownership import OwnerKind
from tests.factories import UserFactory
from tests.polls.helpers import owner

YES, NO, ABSTAIN = 1, 2, 3
OPTIONS = [counting.Option(YES, "同意", True), counting.Option(NO, "反对"), counting.Option(ABSTAIN, "弃权")]


def run(ballots, *, heads, area, threshold="ordinary", how="owners"):
    """ballots: [(option, area in m²)]; eligible `heads` owners holding `area` m²."""
    return counting.tally(
        OPTIONS,
        [counting.Ballot((choice,), counting.cents(str(a))) for choice, a in ballots],
        counting=how,
        threshold=threshold,
        eligible_heads=heads,
        eligible_area_cents=counting.cents(str(area)),
    )


# Quorum: 9 owners holding 900 m²; 2/3 is 6 owners and 600 m².
@pytest.mark.parametrize(
    ("ballots", "met"),
    [
        ([(YES, 100)] * 6, True),  # exactly 2/3 of heads and of area
        ([(YES, 100)] * 5 + [(YES, 99)], False),  # exactly 2/3 of heads, 2/3 of area minus one m²
        ([(YES, 100)] * 5 + [(YES, "99.99")], False),  # … minus 0.01 m²
        ([(YES, 150)] * 4, False),  # 2/3 of area, one owner short of 2/3 of heads
        ([(YES, 100)] * 5 + [(YES, 101)], True),  # over on area
        ([(YES, 100)] * 9, True),  # everyone
    ],
)
def test_quorum_needs_two_thirds_of_area_and_heads_inclusive(ballots, met):
    assert run(ballots, heads=9, area=900)["quorum_met"] is met


@pytest.mark.parametrize(
    ("ballots", "passed"),
    [
        # 6 took part, 600 m²; more than half means > 3 heads and > 300 m².
        ([(YES, 100)] * 3 + [(NO, 100)] * 3, False),  # exactly half of both: not "more than half"
        ([(YES, 100)] * 4 + [(NO, 100)] * 2, True),
        ([(YES, "50.01")] * 4 + [(NO, 100)] * 2, True),  # 200.04 of 400.04 m²: just over half, 4 of 6 heads
        ([(YES, 75)] * 4 + [(NO, 150)] * 2, False),  # 4 of 6 heads but exactly half the area (300 of 600)
        ([(YES, 76)] * 4 + [(NO, 148)] * 2, True),  # 304 of 600 m²
        ([(YES, 200), (YES, 150)] + [(NO, 10)] * 4, False),  # 350 of 410 m² but 2 of 6 heads
    ],
)
def test_ordinary_matter_needs_more_than_half_of_both(ballots, passed):
    total = sum(float(a) for _, a in ballots)
    result = run(ballots, heads=6, area=total)
    assert result["quorum_met"]
    assert result["passed"] is passed


@pytest.mark.parametrize(
    ("yes", "no", "passed"),
    [
        ([100] * 6, [100] * 2, True),  # exactly 3/4 of heads (6/8) and of area (600/800)
        ([100] * 5 + [99], [100] * 2, False),  # 3/4 of heads, 3/4 of area minus one m²
        ([120] * 5, [100] * 3, False),  # 600 of 900 m² short, and 5/8 heads short
        ([100] * 6, [50, 50], True),  # 6/8 heads, 600/700 m²
        ([300, 300, 10, 10, 10], [100, 1, 1], False),  # area 630/732 > 3/4 but heads 5/8 < 3/4
    ],
)
def test_special_matter_needs_three_quarters_of_both_inclusive(yes, no, passed):
    ballots = [(YES, a) for a in yes] + [(NO, a) for a in no]
    total = sum(yes) + sum(no)
    result = run(ballots, heads=len(ballots), area=total, threshold="special")
    assert result["quorum_met"]
    assert result["passed"] is passed


def test_abstentions_take_part_but_do_not_approve():
    # 8 owners, 800 m². Without abstentions 4 yes of 6 would pass; with 2 abstentions 4 of 8 is exactly half.
    without = run([(YES, 100)] * 4 + [(NO, 100)] * 2, heads=8, area=800)
    with_abstentions = run([(YES, 100)] * 4 + [(NO, 100)] * 2 + [(ABSTAIN, 100)] * 2, heads=8, area=800)

    assert without["quorum_met"]
    assert without["passed"]
    assert with_abstentions["quorum_met"]
    assert with_abstentions["passed"] is False
    assert with_abstentions["turnout"] == {
        "heads": 8,
        "eligible_heads": 8,
        "area": "800.00",
        "eligible_area": "800.00",
    }


def test_no_quorum_means_not_passed_even_if_unanimous():
    result = run([(YES, 100)] * 5, heads=9, area=900)
    assert (result["quorum_met"], result["passed"]) == (False, False)


def test_person_counting_has_no_quorum_and_passes_on_heads():
    result = run([(YES, 0)] * 2 + [(NO, 0)] * 1, heads=100, area=0, how="person")
    assert result["quorum_met"] is True
    assert result["passed"] is True
    assert "area" not in result["options"][0]
    assert "area" not in result["turnout"]
    tie = run([(YES, 0)] * 2 + [(NO, 0)] * 2, heads=100, area=0, how="household")
    assert tie["passed"] is False


def test_areas_are_exact_to_the_cent():
    # Float arithmetic would say 0.1 + 0.2 != 0.3; in cents 2/3 of 0.30 m² is exactly met by 0.20 m².
    assert run([(YES, "0.1"), (YES, "0.1")], heads=3, area="0.3")["quorum_met"] is True
    assert run([(YES, "0.1"), (YES, "0.09")], heads=3, area="0.3")["quorum_met"] is False


def test_roll_counts_owner_parties_per_art_278(world):
    """A two-unit owner counts once with summed area, joint owners once, the developer's unsold units once."""
    c = world.c1
    alice, bob, carol, dan = (UserFactory() for _ in range(4))
    multi = owner(c, ["80.50", "60.25"], users=[alice])
    joint = owner(c, ["100.00"], kind=OwnerKind.JOINT, users=[bob, carol])
    developer = owner(c, ["90.00", "90.00", "90.00"], kind=OwnerKind.DEVELOPER)
    single = owner(c, ["70.00"], users=[dan])
    owner(world.c2, ["500.00"])  # another community: not on this roll
    poll = Poll(region=c, counting=Counting.OWNERS)  # transient: the roll reads only region and counting

    entries, users = roll.build(poll)

    by_key = {e["voter_key"]: e["area"] for e in entries}
    assert by_key == {
        multi.id: counting.Decimal("140.75"),
        joint.id: counting.Decimal("100.00"),
        developer.id: counting.Decimal("270.00"),
        single.id: counting.Decimal("70.00"),
    }
    assert sorted((u["user_id"], u["voter_key"]) for u in users) == sorted(
        [(alice.id, multi.id), (bob.id, joint.id), (carol.id, joint.id), (dan.id, single.id)]
    )
