"""The ``italian-teacher`` command (also ``python -m api``).

``teachers`` works on the local database directly (setting up a server); every other command talks
to the REST API as a signed-in teacher, so it works the same against a laptop and a school server.
"""

from __future__ import annotations

import typer

from api.cli import account, assignments, results, students, teachers, worker

app = typer.Typer(help="Italian Teacher from the command line.", no_args_is_help=True)
app.add_typer(teachers.teachers_app, name="teachers")
app.command("login")(account.login)
app.command("logout")(account.logout)
app.command("whoami")(account.whoami)
app.add_typer(students.students_app, name="students")
app.command("links")(students.links)
app.add_typer(students.classes_app, name="classes")
app.command("assign")(assignments.assign)
app.add_typer(assignments.assignments_app, name="assignments")
app.command("results")(results.results)
app.add_typer(worker.worker_app, name="worker")


def main() -> None:
    """Entry point of the ``italian-teacher`` script."""
    app()
