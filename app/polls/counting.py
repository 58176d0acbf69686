"""Counting ballots: per person, per household, or owners' double majority (PRC Civil Code art. 278).

Everything is integer arithmetic on headcount and floor area in 0.01 m² units, so "≥ 2/3" includes the exact
boundary and "more than half" excludes it, with no rounding anywhere (Civil Code art. 1259: 以上 includes the
number itself, 过半数 does not).
"""

from collections.abc import Iterable
from dataclasses import dataclass
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


def tally(
    options: list[Option],
    ballots: Iterable[Ballot],
    *,
    counting: str,
    threshold: str,
    eligible_heads: int,
    eligible_area_cents: int,
) -> dict:
    """The result as the API shows it. Person and household polls have no quorum (every turnout counts) and
    pass on headcount alone; owners' polls need the art. 278 quorum and both majorities."""
    by_area = counting == "owners"
    counts = {o.id: 0 for o in options}
    areas = {o.id: 0 for o in options}
    approving = {o.id for o in options if o.approves}
    heads = area = yes_heads = yes_area = 0
    for ballot in ballots:
        heads += ballot.count
        area += ballot.area_cents
        for choice in ballot.choices:
            counts[choice] += ballot.count
            areas[choice] += ballot.area_cents
        if approving.intersection(ballot.choices):
            yes_heads += ballot.count
            yes_area += ballot.area_cents
    special = threshold == "special"
    quorum = quorum_met(heads, area, eligible_heads, eligible_area_cents) if by_area else True
    passed = None
    if approving:
        passed = quorum and approved(yes_heads, yes_area, heads, area, special=special, by_area=by_area)
    rows = []
    for o in options:
        row = {"id": o.id, "label": o.label, "count": counts[o.id], "approves": o.approves}
        if by_area:
            row["area"] = area_text(areas[o.id])
        rows.append(row)
    turnout = {"heads": heads, "eligible_heads": eligible_heads}
    if by_area:
        turnout |= {"area": area_text(area), "eligible_area": area_text(eligible_area_cents)}
    return {
        "options": rows,
        "turnout": turnout,
        "approve": {"heads": yes_heads, "area": area_text(yes_area) if by_area else None},
        "quorum_required": by_area,
        "quorum_met": quorum,
        "passed": passed,
    }
