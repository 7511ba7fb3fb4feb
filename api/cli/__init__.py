"""The ``italian-teacher`` command (also ``python -m api``).

``teachers`` works on the local database directly (setting up a server); every other command talks
to the REST API as a signed-in teacher, so it works the same against a laptop and a school server.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import ValidationError

from api.accounts import service as accounts
from api.accounts.exceptions import TeacherEmailTaken
from api.accounts.schemas import TeacherCreate
from api.cli import account, assignments, results, students
from api.core.config import get_settings
from api.core.database import Database
from api.core.migrate import upgrade

app = typer.Typer(help="Italian Teacher from the command line.", no_args_is_help=True)
teachers = typer.Typer(
    help="Teacher accounts, in this machine's database (for the server's administrator).",
    no_args_is_help=True,
)
app.add_typer(teachers, name="teachers")
app.command("login")(account.login)
app.command("logout")(account.logout)
app.command("whoami")(account.whoami)
app.add_typer(students.students_app, name="students")
app.command("links")(students.links)
app.add_typer(students.classes_app, name="classes")
app.command("assign")(assignments.assign)
app.add_typer(assignments.assignments_app, name="assignments")
app.command("results")(results.results)


def _database() -> Database:
    database = Database(get_settings().database_url)
    upgrade(database.engine)
    return database


@teachers.command("add")
def add_teacher(
    email: Annotated[str, typer.Option(help="Sign-in email.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    admin: Annotated[bool, typer.Option(help="May create other teachers.")] = False,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input (for scripts).")
    ] = False,
) -> None:
    """Create a teacher account (the first one is always an administrator)."""
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


@teachers.command("list")
def list_teachers() -> None:
    """List teacher accounts."""
    database = _database()
    try:
        with database.reading() as db:
            for teacher in accounts.list_(db=db):
                role = "admin" if teacher.is_admin else "teacher"
                typer.echo(f"{teacher.id}\t{role}\t{teacher.email}\t{teacher.name}")
    finally:
        database.dispose()


def main() -> None:
    """Entry point of the ``italian-teacher`` script."""
    app()
