"""Where the command line keeps its sign-in, and the HTTP client every command talks to the API with.

The sign-in (API URL, bearer token, the teacher's email, and the pupils' links the command has seen)
lives in one JSON file in the user's config directory, readable only by the user. The environment
overrides it: ``ITALIAN_TEACHER_URL``, ``ITALIAN_TEACHER_TOKEN``; ``ITALIAN_TEACHER_CONFIG_DIR``
moves the file (several accounts, tests).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import httpx
import platformdirs
import typer

APP_NAME = "italian-teacher"
URL_ENV = "ITALIAN_TEACHER_URL"
TOKEN_ENV = "ITALIAN_TEACHER_TOKEN"
CONFIG_DIR_ENV = "ITALIAN_TEACHER_CONFIG_DIR"
DEFAULT_URL = "http://127.0.0.1:8000"
CREDENTIALS_FILE = "credentials.json"

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # what a shell reports for a command stopped by Ctrl-C

# A large roster is one request per pupil: beyond the per-token rate the API answers 429 with
# Retry-After, and the command waits that long (a minute at most, a few times) rather than stop.
RATE_LIMIT_RETRIES = 5
MAX_RETRY_AFTER = 60.0
# Reading answers may take a while on a busy school server; connecting should not.
TIMEOUT = httpx.Timeout(30.0, connect=5.0)


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    """Print an error in plain words on stderr and leave with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    """A warning on stderr (stdout stays clean for scripts)."""
    typer.echo(f"warning: {message}", err=True)


def config_dir() -> Path:
    """The directory of the credentials file."""
    override = os.environ.get(CONFIG_DIR_ENV, "").strip()
    return Path(override) if override else platformdirs.user_config_path(APP_NAME)


def credentials_path() -> Path:
    """The credentials file (it may not exist)."""
    return config_dir() / CREDENTIALS_FILE


def normalise_url(url: str) -> str:
    """``http(s)://host[:port][/prefix]`` without a trailing slash; a usage error otherwise."""
    url = url.strip().rstrip("/")
    parsed = httpx.URL(url) if url else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        fail(
            f"{url or 'an empty URL'} is not the address of an API: give one like {DEFAULT_URL}",
            EXIT_USAGE,
        )
    return url


@dataclass
class StoredSession:
    """What ``login`` wrote."""

    url: str
    token: str
    email: str = ""
    name: str = ""
    teacher_id: int | None = None
    expires_in: int | None = None
    links: dict[str, str] = field(default_factory=dict)  # student id -> personal link

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "token": self.token,
            "email": self.email,
            "name": self.name,
            "teacher_id": self.teacher_id,
            "expires_in": self.expires_in,
            "links": self.links,
        }


def load() -> StoredSession | None:
    """The stored sign-in, or None when there is none (or it cannot be read)."""
    path = credentials_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return StoredSession(
            url=str(data["url"]),
            token=str(data["token"]),
            email=str(data.get("email") or ""),
            name=str(data.get("name") or ""),
            teacher_id=data.get("teacher_id"),
            expires_in=data.get("expires_in"),
            links={str(k): str(v) for k, v in (data.get("links") or {}).items()},
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        warn(f"ignoring {path}: it is not a sign-in this command wrote (run login again)")
        return None


def save(session: StoredSession) -> Path:
    """Write the sign-in atomically, readable and writable only by the user (0600)."""
    path = credentials_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(session.to_json(), out, ensure_ascii=False, indent=2)
        os.chmod(temporary, 0o600)  # O_CREAT's mode is filtered by the umask; be explicit
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    return path


def forget() -> bool:
    """Delete the credentials file; whether there was one."""
    try:
        credentials_path().unlink()
    except FileNotFoundError:
        return False
    return True


def error_message(response: httpx.Response) -> str:
    """The API's ``detail`` (and each bad field of a 422) in plain words."""
    detail: str | None = None
    errors: list[Any] = []
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        if isinstance(body.get("detail"), str):
            detail = body["detail"]
        elif body.get("detail") is not None:
            detail = json.dumps(body["detail"], ensure_ascii=False)
        if isinstance(body.get("errors"), list):
            errors = body["errors"]
    if detail is None:
        text = response.text.strip()
        detail = text[:300] if text else response.reason_phrase
    message = f"{detail} (HTTP {response.status_code})"
    for error in errors:
        if isinstance(error, dict) and error.get("msg"):
            where = ".".join(
                str(p) for p in error.get("loc") or () if p not in ("body", "query", "path")
            )
            message += f"\n  - {where or 'request'}: {error['msg']}"
    if response.status_code == 401:
        message += f"\nSign in again with `{APP_NAME} login`."
    retry_after = response.headers.get("Retry-After")
    if response.status_code == 429 and retry_after:
        message += f"\nTry again in {retry_after} s."
    return message


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait before repeating a request the API refused as too many (429), when short."""
    if response.status_code != 429:
        return None
    try:
        seconds = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return seconds if 0 <= seconds <= MAX_RETRY_AFTER else None


class Api:
    """A synchronous HTTP client for one API: every failure ends the command with a clear error."""

    def __init__(
        self, url: str, token: str | None = None, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.url = url
        self.token = token
        headers = {"User-Agent": f"{APP_NAME}-cli", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.Client(
            base_url=url, headers=headers, timeout=TIMEOUT, transport=transport
        )

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def call(
        self, method: str, path: str, *, allow: Collection[int] = (), **kwargs: Any
    ) -> httpx.Response:
        """Send one request; a status in ``allow`` is returned, any other error ends the command
        (422, a request the API finds invalid, with the usage exit code)."""
        response = self._send(method, path, **kwargs)
        for _ in range(RATE_LIMIT_RETRIES):
            pause = _retry_after(response)
            if pause is None or response.status_code in allow:
                break
            typer.echo(f"The API asks to slow down: waiting {pause:g} s.", err=True)
            time.sleep(pause)
            response = self._send(method, path, **kwargs)
        if response.is_success or response.status_code in allow:
            return response
        code = EXIT_USAGE if response.status_code == 422 else EXIT_FAILURE
        fail(error_message(response), code)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.http.request(method, path, **kwargs)
        except httpx.TimeoutException:
            fail(f"the API at {self.url} did not answer in time: try again in a moment")
        except httpx.TransportError as exc:
            fail(
                f"cannot reach the API at {self.url} ({exc or type(exc).__name__}): is it "
                f"running, and is the address right? (`{APP_NAME} login --url ...`)"
            )

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON body of a successful request."""
        response = self.call(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            fail(
                f"{method} {path} answered something that is not JSON: is {self.url} the "
                "Italian Teacher API?"
            )

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.json("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.json("POST", path, **kwargs)

    def paged(self, path: str, *, page: int) -> list[Any]:
        """Every item of a paginated listing (``limit``/``offset``)."""
        items: list[Any] = []
        while True:
            batch = self.get(path, params={"limit": page, "offset": len(items)})
            items.extend(batch)
            if len(batch) < page:
                return items


@dataclass
class Current:
    """The sign-in a command uses: the environment over the stored file."""

    url: str
    token: str | None
    stored: StoredSession | None

    @property
    def uses_stored_token(self) -> bool:
        return (
            self.stored is not None
            and self.token == self.stored.token
            and self.url == self.stored.url
        )


def current() -> Current:
    """The URL and token in effect (environment first, then the stored sign-in)."""
    stored = load()
    url = os.environ.get(URL_ENV, "").strip() or (stored.url if stored else DEFAULT_URL)
    token = os.environ.get(TOKEN_ENV, "").strip() or (stored.token if stored else None)
    return Current(url=normalise_url(url), token=token or None, stored=stored)


def connect() -> Api:
    """A client signed in as the teacher; a clear error when nobody is signed in."""
    active = current()
    if not active.token:
        fail(f"not signed in: run `{APP_NAME} login --url {active.url}` (or set {TOKEN_ENV})")
    return Api(active.url, active.token)


def remember_links(links: dict[int, str]) -> None:
    """Keep pupils' links next to the sign-in they were issued under (they are shown only once)."""
    active = current()
    if not links or active.stored is None or not active.uses_stored_token:
        return
    active.stored.links.update({str(k): v for k, v in links.items()})
    save(active.stored)


def known_links() -> dict[int, str]:
    """The pupils' links this sign-in has seen, by student id."""
    active = current()
    if active.stored is None or not active.uses_stored_token:
        return {}
    return {int(k): v for k, v in active.stored.links.items() if k.isdigit()}
