"""indexes that keep the worker's idle pass and the change polls flat in the number of games

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ANNOUNCEMENT_BEHIND = sa.text("message_id IS NULL OR rendered_version < version")
OPEN_JOB = sa.text("done_at IS NULL")
OWED_NOTIFICATION = sa.text("sent_at IS NULL")


def upgrade() -> None:
    op.create_index("ix_games_updated_at", "games", ["updated_at", "id"])
    op.create_index(
        "ix_games_announcement_behind",
        "games",
        ["id"],
        postgresql_where=ANNOUNCEMENT_BEHIND,
        sqlite_where=ANNOUNCEMENT_BEHIND,
    )
    op.drop_index("ix_jobs_due_pending", table_name="jobs")
    op.create_index(
        "ix_jobs_open_due",
        "jobs",
        ["due_at", "id"],
        postgresql_where=OPEN_JOB,
        sqlite_where=OPEN_JOB,
    )
    op.drop_index("ix_notifications_pending", table_name="notifications")
    op.create_index(
        "ix_notifications_owed",
        "notifications",
        ["id"],
        postgresql_where=OWED_NOTIFICATION,
        sqlite_where=OWED_NOTIFICATION,
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_owed", table_name="notifications")
    op.create_index("ix_notifications_pending", "notifications", ["sent_at", "id"])
    op.drop_index("ix_jobs_open_due", table_name="jobs")
    op.create_index("ix_jobs_due_pending", "jobs", ["done_at", "due_at"])
    op.drop_index("ix_games_announcement_behind", table_name="games")
    op.drop_index("ix_games_updated_at", table_name="games")
