"""Polls, their options, the frozen voter roll, has-voted records, chained ballots, follow-through.

Secret polls keep who voted (PollVoter) apart from what was chosen (PollBallot): no column, timestamp or
shared key links the two tables. Uniqueness of one ballot per voter key is the database's job.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UTCDateTime, str_enum, utcnow
from app.extensions import db
from app.regions.models import Region


class PollKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"


class Counting(StrEnum):
    PERSON = "person"
    HOUSEHOLD = "household"
    OWNERS = "owners"


class Threshold(StrEnum):
    ORDINARY = "ordinary"
    SPECIAL = "special"


class Secrecy(StrEnum):
    NAMED = "named"
    SECRET = "secret"


class ResultsVisibility(StrEnum):
    LIVE = "live"
    AFTER_CLOSE = "after_close"


class PollStatus(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


class Channel(StrEnum):
    APP = "app"
    PAPER = "paper"


class Poll(db.Model):
    __tablename__ = "polls"
    __table_args__ = (sa.Index("ix_polls_status_closes", "status", "closes_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[PollKind] = mapped_column(str_enum(PollKind, 16), default=PollKind.SINGLE)
    max_choices: Mapped[int] = mapped_column(default=1)
    counting: Mapped[Counting] = mapped_column(str_enum(Counting, 16), default=Counting.PERSON)
    threshold: Mapped[Threshold] = mapped_column(str_enum(Threshold, 16), default=Threshold.ORDINARY)
    secrecy: Mapped[Secrecy] = mapped_column(str_enum(Secrecy, 16), default=Secrecy.SECRET)
    results: Mapped[ResultsVisibility] = mapped_column(
        str_enum(ResultsVisibility, 16), default=ResultsVisibility.AFTER_CLOSE
    )
    status: Mapped[PollStatus] = mapped_column(str_enum(PollStatus, 16), default=PollStatus.SCHEDULED)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Published at opening: a hash of the eligible list and its totals.
    roll_fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    roll_heads: Mapped[int] = mapped_column(default=0)
    roll_area: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    ballot_count: Mapped[int] = mapped_column(default=0)
    # Running totals, added to under the poll's row lock with each ballot. A secret owners' ballot stores no
    # area (a unit's area is near-unique, so it would name the voter); these sums are where area counts.
    turnout_area: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    approve_heads: Mapped[int] = mapped_column(default=0)
    approve_area: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    # The hash chain's head after the last ballot; published at close.
    chain_head: Mapped[str | None] = mapped_column(sa.String(64))
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notices.id"))
    decision: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    region: Mapped[Region] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    options: Mapped[list["PollOption"]] = relationship(
        order_by="PollOption.position", cascade="all, delete-orphan", back_populates="poll"
    )
    followups: Mapped[list["PollFollowup"]] = relationship(order_by="PollFollowup.id", back_populates="poll")

    @property
    def rules_frozen(self) -> bool:
        return self.ballot_count > 0

    def is_closed(self, now: datetime) -> bool:
        return self.status == PollStatus.CLOSED or now >= self.closes_at

    def results_visible(self, now: datetime) -> bool:
        return self.results == ResultsVisibility.LIVE or self.is_closed(now)


class PollOption(db.Model):
    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(sa.String(120))
    # The option that approves the matter (同意): what `passed` and the art. 278 thresholds look at.
    approves: Mapped[bool] = mapped_column(default=False)
    count: Mapped[int] = mapped_column(default=0)
    area: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))

    poll: Mapped[Poll] = relationship(back_populates="options")


class RollEntry(db.Model):
    """One voter key on the roll frozen at opening: a person, a household (unit) or an owner party."""

    __tablename__ = "poll_roll"

    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True)
    voter_key: Mapped[int] = mapped_column(primary_key=True)
    area: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    label: Mapped[str] = mapped_column(sa.String(120), default="")


class RollUser(db.Model):
    """Which app user votes for which voter key (themselves, their household, their owner party)."""

    __tablename__ = "poll_roll_users"

    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    voter_key: Mapped[int] = mapped_column()


class PollVoter(db.Model):
    """The has-voted record: one per voter key and poll, across channels (the primary key enforces it).
    No timestamp and no serial id, so its rows cannot be lined up with the ballots of a secret poll."""

    __tablename__ = "poll_voters"

    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True)
    voter_key: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, 16), default=Channel.APP)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class PollBallot(db.Model):
    """A ballot as a link of the poll's hash chain. `voter_key`, `channel` and `area` are kept only in named
    polls: in a secret one the few paper ballots, or a distinctive floor area, would point at their voter."""

    __tablename__ = "poll_ballots"
    __table_args__ = (
        sa.UniqueConstraint("poll_id", "seq"),
        # Named polls: a second line of defence beside PollVoter (NULLs, the secret polls, are distinct).
        sa.UniqueConstraint("poll_id", "voter_key"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column()
    receipt: Mapped[str] = mapped_column(sa.String(24), unique=True)
    choices: Mapped[list] = mapped_column(sa.JSON)
    area: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    channel: Mapped[Channel | None] = mapped_column(str_enum(Channel, 16))
    voter_key: Mapped[int | None] = mapped_column()
    # H(choices, area, a secret nonce): commits to the content without revealing it in the published list.
    digest: Mapped[str] = mapped_column(sa.String(64))
    nonce: Mapped[str] = mapped_column(sa.String(32))
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))


class PollReplay(db.Model):
    """A retried ballot request gets its first answer: H(user id, Idempotency-Key) → receipt. Without the
    client's random key the hash names nobody, so a secret ballot stays unlinked."""

    __tablename__ = "poll_replays"

    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    receipt: Mapped[str] = mapped_column(sa.String(24))


class PollFollowup(db.Model):
    """A dated progress update on carrying out the committee's decision."""

    __tablename__ = "poll_followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    progress: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))

    poll: Mapped[Poll] = relationship(back_populates="followups")
    created_by: Mapped[User] = relationship()
