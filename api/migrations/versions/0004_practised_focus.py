"""What homework generated offline practised (a grammar point, or general grammar of the level).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("homework") as batch:
        batch.add_column(sa.Column("practised_focus", sa.String(120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("homework") as batch:
        batch.drop_column("practised_focus")
