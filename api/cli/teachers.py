"""``teachers add|list``: accounts in this machine's database, for whoever sets up the server.

The database side (SQLAlchemy, Alembic, the accounts service) is imported when one of these runs,
so the commands that only talk HTTP start quickly.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError

if TYPE_CHECKING:
    from api.core.database import Database

teachers_app = typer.Typer(
    help="Teacher accounts, in this machine's database (for the server's administrator).",
    no_args_is_help=True,
)


def _database() -> Database:
    from api.core.config import get_settings
    from api.core.database import Database
    from api.core.migrate import upgrade

    database = Database(get_settings().database_url)
    upgrade(database.engine)
    return database


@teachers_app.command("add")
def add_teacher(
    email: Annotated[str, typer.Option(help="Sign-in email.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    admin: Annotated[bool, typer.Option(help="May create other teachers.")] = False,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input (for scripts).")
    ] = False,
) -> None:
    """Create a teacher account (the first one is always an administrator)."""
    from api.accounts import service as accounts
    from api.accounts.exceptions import TeacherEmailTaken
    from api.accounts.schemas import TeacherCreate

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = TeacherCreate(name=name, email=email, password=password, is_admin=admin)
    except ValidationError as exc:
        for error in exc.errors():
            typer.echo(f"error: {'.'.join(map(str, error['loc']))}: {error['msg']}", err=True)
        raise typer.Exit(2) from None
    database = _database()
    try:
        with database.writing() as db:
            teacher = accounts.create(db=db, data=data)
            role = "administrator" if teacher.is_admin else "teacher"
            teacher_id = teacher.id
    except TeacherEmailTaken as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(1) from None
    finally:
        database.dispose()
    typer.echo(f"created {role} {data.email} (id {teacher_id}); sign in at /")


@teachers_app.command("list")
def list_teachers() -> None:
    """List teacher accounts."""
    from api.accounts import service as accounts

    database = _database()
    try:
        with database.reading() as db:
            for teacher in accounts.list_(db=db):
                role = "admin" if teacher.is_admin else "teacher"
                typer.echo(f"{teacher.id}\t{role}\t{teacher.email}\t{teacher.name}")
    finally:
        database.dispose()
