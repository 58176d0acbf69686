"""Counting ballots: per person, per household, or owners' double majority (PRC Civil Code art. 278).

Everything is integer arithmetic on headcount and floor area in 0.01 m² units, so "≥ 2/3" includes the exact
boundary and "more than half" excludes it, with no rounding anywhere (Civil Code art. 1259: 以上 includes the
number itself, 过半数 does not).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

CENT = Decimal("0.01")


def cents(area: Decimal | str | int) -> int:
    return int((Decimal(area) / CENT).to_integral_exact())


def area_text(area_cents: int) -> str:
    return str((Decimal(area_cents) * CENT).quantize(CENT))


@dataclass(frozen=True)
class Option:
    id: int
    label: str
    approves: bool = False


@dataclass(frozen=True)
class Ballot:
    """`count` identical ballots (the same choices) holding `area_cents` between them."""

    choices: tuple[int, ...]
    area_cents: int = 0
    count: int = 1


def quorum_met(heads: int, area: int, eligible_heads: int, eligible_area: int) -> bool:
    """Art. 278 ¶2: owners holding ≥ 2/3 of the area AND ≥ 2/3 of the headcount took part."""
    if eligible_heads == 0:
        return False
    return 3 * area >= 2 * eligible_area and 3 * heads >= 2 * eligible_heads


def approved(yes_heads: int, yes_area: int, heads: int, area: int, *, special: bool, by_area: bool) -> bool:
    """Special matters: ≥ 3/4 of the participating area AND headcount; ordinary ones: more than half of both.
    Abstentions are in `heads`/`area` (they took part) but not in the yes figures."""
    if heads == 0:
        return False
    if special:
        ok = 4 * yes_heads >= 3 * heads
        return ok and (not by_area or 4 * yes_area >= 3 * area)
    ok = 2 * yes_heads > heads
    return ok and (not by_area or 2 * yes_area > area)


@dataclass
class Totals:
    """Everything a result needs: participation, approvals, and per-option counts and areas."""

    heads: int = 0
    area_cents: int = 0
    yes_heads: int = 0
    yes_area_cents: int = 0
    counts: dict[int, int] = field(default_factory=dict)
    areas: dict[int, int] = field(default_factory=dict)


def tally(
    options: list[Option],
    ballots: Iterable[Ballot],
    *,
    counting: str,
    threshold: str,
    eligible_heads: int,
    eligible_area_cents: int,
) -> dict:
    """Count ballots (grouped or one by one) and return the result as the API shows it."""
    totals = Totals(counts={o.id: 0 for o in options}, areas={o.id: 0 for o in options})
    approving = {o.id for o in options if o.approves}
    for ballot in ballots:
        totals.heads += ballot.count
        totals.area_cents += ballot.area_cents
        for choice in ballot.choices:
            totals.counts[choice] += ballot.count
            totals.areas[choice] += ballot.area_cents
        if approving.intersection(ballot.choices):
            totals.yes_heads += ballot.count
            totals.yes_area_cents += ballot.area_cents
    return result(
        options,
        totals,
        counting=counting,
        threshold=threshold,
        eligible_heads=eligible_heads,
        eligible_area_cents=eligible_area_cents,
    )


def result(
    options: list[Option],
    totals: Totals,
    *,
    counting: str,
    threshold: str,
    eligible_heads: int,
    eligible_area_cents: int,
) -> dict:
    """Person and household polls have no quorum (every turnout counts) and pass on headcount alone;
    owners' polls need the art. 278 quorum and both majorities."""
    by_area = counting == "owners"
    heads, area = totals.heads, totals.area_cents
    quorum = quorum_met(heads, area, eligible_heads, eligible_area_cents) if by_area else True
    passed = None
    if any(o.approves for o in options):
        special = threshold == "special"
        passed = quorum and approved(
            totals.yes_heads, totals.yes_area_cents, heads, area, special=special, by_area=by_area
        )
    rows = []
    for o in options:
        row = {"id": o.id, "label": o.label, "count": totals.counts.get(o.id, 0), "approves": o.approves}
        if by_area:
            row["area"] = area_text(totals.areas.get(o.id, 0))
        rows.append(row)
    turnout = {"heads": heads, "eligible_heads": eligible_heads}
    if by_area:
        turnout |= {"area": area_text(area), "eligible_area": area_text(eligible_area_cents)}
    return {
        "options": rows,
        "turnout": turnout,
        "approve": {"heads": totals.yes_heads, "area": area_text(totals.yes_area_cents) if by_area else None},
        "quorum_required": by_area,
        "quorum_met": quorum,
        "passed": passed,
    }
