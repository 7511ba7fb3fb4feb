"""``worker set|show``: which inference workers the API sends homework to (administrators).

``PUT /api/admin/worker`` checks each worker before switching to it, and never returns a key.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import httpx
import typer

from api.cli import session
from api.cli.output import print_json, table
from api.cli.session import EXIT_USAGE, fail
from api.cli.students import JsonOption

worker_app = typer.Typer(
    help="The inference workers homework is generated on (administrators).", no_args_is_help=True
)

WORKER = "/api/admin/worker"
SOURCES = {
    "settings": "from INFERENCE_API_URL",
    "administrator": "set by an administrator",
    "none": "none: homework is generated offline",
}


def _endpoints(values: list[str], key_stdin: bool) -> list[dict[str, Any]]:
    """``URL [KEY] [URL [KEY]]...`` as the API's list of workers."""
    workers: list[dict[str, Any]] = []
    for value in values:
        if value.startswith(("http://", "https://")):
            workers.append({"url": value})
        elif workers and "api_key" not in workers[-1]:
            workers[-1]["api_key"] = value
        else:
            fail(f"{value!r} is neither a worker URL (http:// or https://) nor its key", EXIT_USAGE)
    if key_stdin:
        if len(workers) != 1 or "api_key" in workers[0]:
            fail("--key-stdin goes with exactly one URL given without a key", EXIT_USAGE)
        workers[0]["api_key"] = sys.stdin.readline().strip()
    return workers


def _state(response: httpx.Response) -> dict[str, Any]:
    """The API's answer; a clear error from an API without run-time workers."""
    if response.status_code in (404, 405):
        fail(
            f"this API cannot change its workers at run time (no {WORKER}): set "
            "INFERENCE_API_URL and INFERENCE_API_KEY and restart it"
        )
    try:
        return dict(response.json())
    except ValueError:
        fail(f"{WORKER} answered something that is not JSON")


def _print(state: dict[str, Any], json_: bool) -> None:
    if json_:
        print_json(state)
        return
    source = state.get("source", "")
    typer.echo(f"Workers: {SOURCES.get(source, source)}.")
    if state.get("workers"):
        table(
            None,
            ["url", "breaker", "in flight"],
            ((w["url"], w.get("breaker", ""), w.get("in_flight", "")) for w in state["workers"]),
        )


def set_worker(
    workers: Annotated[
        list[str],
        typer.Argument(
            help="URL and its key (the notebook prints both); more URL KEY pairs for several "
            "workers; a URL alone for a worker without a key.",
            show_default=False,
        ),
    ],
    key_stdin: Annotated[
        bool,
        typer.Option(help="Read the key from standard input (it stays out of shell history)."),
    ] = False,
    json_: JsonOption = False,
) -> None:
    """Send new homework to these workers from now on (each is checked first)."""
    body = {"workers": _endpoints(workers, key_stdin)}
    typer.echo(
        f"Checking {len(body['workers'])} worker(s) (/health and a one-exercise /generate)...",
        err=True,
    )
    with session.connect() as api:
        state = _state(api.call("PUT", WORKER, json=body, timeout=150, allow=(404, 405)))
    _print(state, json_)


def show_worker(json_: JsonOption = False) -> None:
    """Which workers homework goes to, and their state (never their keys)."""
    with session.connect() as api:
        state = _state(api.call("GET", WORKER, allow=(404, 405)))
    _print(state, json_)


worker_app.command("set")(set_worker)
worker_app.command("show")(show_worker)
