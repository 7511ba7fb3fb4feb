"""Sign in and out: ``login``, ``logout``, ``whoami``."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import httpx
import typer

from api.cli import session
from api.cli.output import print_json
from api.cli.session import EXIT_USAGE, TOKEN_ENV, URL_ENV, Api, StoredSession, fail


def login(
    url: Annotated[
        str | None,
        typer.Option(
            help=f"The API's address; default ${URL_ENV}, the last one used, or "
            f"{session.DEFAULT_URL}.",
            show_default=False,
        ),
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", "-e", help="Your sign-in email (asked if left out).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input (for scripts).")
    ] = False,
) -> None:
    """Sign in to the API and keep the token in your config directory (readable only by you)."""
    stored = session.load()
    address = session.normalise_url(
        url or os.environ.get(URL_ENV, "") or (stored.url if stored else session.DEFAULT_URL)
    )
    if not email:
        email = typer.prompt("Email", default=stored.email if stored and stored.email else None)
    email = email.strip()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True)
    if not email or not password:
        fail("give both an email and a password", EXIT_USAGE)

    with Api(address) as anonymous:
        signed_in = anonymous.post(
            "/api/auth/token", data={"username": email, "password": password}
        )
    token = str(signed_in["access_token"])
    with Api(address, token) as api:
        me = api.get("/api/auth/me")
    same_account = stored is not None and (stored.url, stored.teacher_id) == (address, me["id"])
    path = session.save(
        StoredSession(
            url=address,
            token=token,
            email=str(me["email"]),
            name=str(me["name"]),
            teacher_id=int(me["id"]),
            expires_in=signed_in.get("expires_in"),
            links=stored.links if same_account and stored is not None else {},
        )
    )
    hours = f" for {signed_in['expires_in'] / 3600:g} h" if signed_in.get("expires_in") else ""
    typer.echo(f"Signed in to {address} as {me['name']} <{me['email']}>{hours}.")
    typer.echo(f"The token is kept in {path} (readable only by you).")
    if os.environ.get(TOKEN_ENV):
        session.warn(f"{TOKEN_ENV} is set: commands use it rather than this sign-in")


def logout() -> None:
    """Sign out: the API revokes the token, and the stored sign-in is deleted."""
    active = session.current()
    if not active.token:
        session.forget()
        typer.echo("Not signed in: nothing to do.")
        return
    with Api(active.url, active.token) as api:
        try:
            response = api.http.post("/api/auth/logout")
        except httpx.HTTPError as exc:  # unreachable: the local copy goes anyway, and we say so
            removed = session.forget()
            fail(
                f"cannot reach {active.url} to revoke the token ({exc or type(exc).__name__}); "
                + ("the stored sign-in was deleted, but " if removed else "")
                + "the token keeps working until it expires"
            )
    if response.status_code == 204:
        typer.echo(f"Signed out of {active.url}: the token no longer works.")
    elif response.status_code == 401:
        typer.echo("The token had already expired or been revoked.")
    else:
        session.forget()
        fail(f"the API did not revoke the token: {session.error_message(response)}")
    if session.forget():
        typer.echo(f"Deleted {session.credentials_path()}.")
    if os.environ.get(TOKEN_ENV):
        session.warn(f"{TOKEN_ENV} is still set in your environment; unset it")


def whoami(
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Who is signed in, and to which API."""
    with session.connect() as api:
        me = api.get("/api/auth/me")
        if json_:
            print_json({"url": api.url, **me})
            return
        role = "administrator" if me.get("is_admin") else "teacher"
        typer.echo(f"{me['name']} <{me['email']}>, {role}, at {api.url}")
