"""channel reminders for players with closed DMs

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("guilds", "channels"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("remind_in_channel", sa.Boolean(), nullable=True))
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel_reminder_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("channel_reminder_at")
    for table in ("channels", "guilds"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("remind_in_channel")
