"""change stamps (app.core.stamps)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 07:27:57.142005

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "change_stamps",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_stamps")),
    )
    # A reader without a `notice_reads:<user id>` stamp has read nothing (the feed then skips asking):
    # everyone who already has reads gets one.
    op.execute(
        sa.text(
            "INSERT INTO change_stamps (name, stamp) "
            "SELECT 'notice_reads:' || CAST(user_id AS VARCHAR), :stamp FROM notice_reads GROUP BY user_id"
        ).bindparams(stamp=secrets.randbits(62) + 1)
    )


def downgrade():
    op.drop_table("change_stamps")
