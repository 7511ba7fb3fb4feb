"""Teachers, sign-in tokens, classes; students, assignments and classes owned by a teacher;
pupils' access tokens; ids never reused (AUTOINCREMENT on SQLite).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from typing import Literal

import sqlalchemy as sa
from alembic import op

from api.core.database import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite reuses the largest id after a delete unless the table is AUTOINCREMENT, which only a
# rebuild can add; PostgreSQL's sequences never reuse ids.
AUTOINCREMENT = {"sqlite_autoincrement": True}


def _recreate() -> Literal["always", "auto"]:
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def upgrade() -> None:
    op.create_table(
        "teachers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teachers")),
        sa.UniqueConstraint("email", name=op.f("uq_teachers_email")),
        **AUTOINCREMENT,
    )
    op.create_table(
        "teacher_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["teacher_id"],
            ["teachers.id"],
            name=op.f("fk_teacher_tokens_teacher_id_teachers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teacher_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_teacher_tokens_token_hash")),
        **AUTOINCREMENT,
    )
    op.create_index(op.f("ix_teacher_tokens_teacher_id"), "teacher_tokens", ["teacher_id"])
    op.create_index(op.f("ix_teacher_tokens_expires_at"), "teacher_tokens", ["expires_at"])
    op.create_table(
        "classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["teacher_id"],
            ["teachers.id"],
            name=op.f("fk_classes_teacher_id_teachers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classes")),
        sa.UniqueConstraint("teacher_id", "name", name=op.f("uq_classes_teacher_id")),
        **AUTOINCREMENT,
    )
    op.create_index(op.f("ix_classes_teacher_id"), "classes", ["teacher_id"])

    with op.batch_alter_table(
        "students", recreate=_recreate(), table_kwargs=AUTOINCREMENT
    ) as batch:
        batch.add_column(sa.Column("teacher_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("access_token_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("access_token_created_at", UTCDateTime(), nullable=True))
        batch.drop_constraint("uq_students_email", type_="unique")
        batch.create_unique_constraint("uq_students_teacher_id", ["teacher_id", "email"])
        batch.create_unique_constraint("uq_students_access_token_hash", ["access_token_hash"])
        batch.create_foreign_key(
            "fk_students_teacher_id_teachers",
            "teachers",
            ["teacher_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_students_teacher_id", ["teacher_id"])

    op.create_table(
        "class_members",
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classes.id"],
            name=op.f("fk_class_members_class_id_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_class_members_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("class_id", "student_id", name=op.f("pk_class_members")),
    )
    op.create_index(op.f("ix_class_members_student_id"), "class_members", ["student_id"])

    with op.batch_alter_table(
        "assignments", recreate=_recreate(), table_kwargs=AUTOINCREMENT
    ) as batch:
        batch.add_column(sa.Column("teacher_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("class_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_assignments_teacher_id_teachers",
            "teachers",
            ["teacher_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_foreign_key(
            "fk_assignments_class_id_classes",
            "classes",
            ["class_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_assignments_teacher_id", ["teacher_id"])

    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("homework", recreate="always", table_kwargs=AUTOINCREMENT):
            pass


def downgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.drop_index("ix_assignments_teacher_id")
        batch.drop_constraint("fk_assignments_class_id_classes", type_="foreignkey")
        batch.drop_constraint("fk_assignments_teacher_id_teachers", type_="foreignkey")
        batch.drop_column("class_id")
        batch.drop_column("teacher_id")
    op.drop_table("class_members")
    with op.batch_alter_table("students") as batch:
        batch.drop_index("ix_students_teacher_id")
        batch.drop_constraint("fk_students_teacher_id_teachers", type_="foreignkey")
        batch.drop_constraint("uq_students_access_token_hash", type_="unique")
        batch.drop_constraint("uq_students_teacher_id", type_="unique")
        batch.create_unique_constraint("uq_students_email", ["email"])
        batch.drop_column("access_token_created_at")
        batch.drop_column("access_token_hash")
        batch.drop_column("teacher_id")
    op.drop_table("classes")
    op.drop_table("teacher_tokens")
    op.drop_table("teachers")
