"""recurring series, calendar feeds and Discord scheduled-event mirrors

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 16:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SERIES_DUE = sa.text("next_due_at IS NOT NULL")
PLACE_FLAGS = ("public_feed", "mirror_events")


def upgrade() -> None:
    for table in ("guilds", "channels"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for flag in PLACE_FLAGS:
                batch_op.add_column(sa.Column(flag, sa.Boolean(), nullable=True))
    op.create_table(
        "series",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("host_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("ping_participants", sa.Boolean(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("wall_time", sa.Time(), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("until_on", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("ahead_days", sa.Integer(), nullable=True),
        sa.Column("carry_roster", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("max_players", sa.Integer(), nullable=True),
        sa.Column("reminder_minutes", sa.JSON(), nullable=True),
        sa.Column("rules", sa.Text(), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=50), nullable=True),
        sa.CheckConstraint(
            "status IN ('active', 'ended', 'cancelled')", name=op.f("ck_series_status")
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channels.id"],
            name=op.f("fk_series_channel_id_channels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["guild_id"], ["guilds.id"], name=op.f("fk_series_guild_id_guilds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series")),
    )
    op.create_index(op.f("ix_series_channel_id"), "series", ["channel_id"])
    op.create_index(
        "ix_series_next_due",
        "series",
        ["next_due_at", "id"],
        postgresql_where=SERIES_DUE,
        sqlite_where=SERIES_DUE,
    )
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("occurrence_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("event_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("event_version", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("event_problem", sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_games_series_id_series"),
            "series",
            ["series_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_games_series_id"), ["series_id", "occurrence_on"]
        )
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.alter_column("event_version", server_default=None)
    op.create_table(
        "calendar_feeds",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('member', 'guild', 'channel')", name=op.f("ck_calendar_feeds_kind")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("kind", "owner_id", name=op.f("uq_calendar_feeds_kind")),
    )


def downgrade() -> None:
    op.drop_table("calendar_feeds")
    with op.batch_alter_table("games", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_games_series_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_games_series_id_series"), type_="foreignkey")
        for column in ("event_problem", "event_version", "event_id", "occurrence_on", "series_id"):
            batch_op.drop_column(column)
    op.drop_index("ix_series_next_due", table_name="series")
    op.drop_index(op.f("ix_series_channel_id"), table_name="series")
    op.drop_table("series")
    for table in ("channels", "guilds"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for flag in reversed(PLACE_FLAGS):
                batch_op.drop_column(flag)
