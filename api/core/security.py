"""Security headers on every response and a cap on request bodies, as pure ASGI middlewares
(cheap on the hot path)."""

from __future__ import annotations

import json

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Pages and their assets come from the app itself; nothing may frame them.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: For JSON and everything that is not a page.
API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"

_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    # A pupil's personal link holds their credential: never send it on in a Referer.
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


# What a response gets unless it set the header itself, as raw ASGI header pairs.
_HTML_HEADERS = (*_COMMON, (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
_API_HEADERS = (*_COMMON, (b"content-security-policy", API_CONTENT_SECURITY_POLICY.encode()))
_HTTPS_HEADERS = ((b"strict-transport-security", b"max-age=31536000"),)


class SecurityHeaders:
    """Adds the security headers; a route that set its own Content-Security-Policy keeps it."""

    def __init__(self, app: ASGIApp, *, https_only: bool = False) -> None:
        self.app = app
        self.https_only = https_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", ()))
                present = {name.lower() for name, _ in raw}
                is_html = any(
                    name.lower() == b"content-type" and value.startswith(b"text/html")
                    for name, value in raw
                )
                extra = _HTML_HEADERS if is_html else _API_HEADERS
                if scope.get("scheme") == "https":
                    extra = extra + _HTTPS_HEADERS
                raw.extend(header for header in extra if header[0] not in present)
                message["headers"] = raw
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimit:
    """Refuses request bodies over ``max_bytes`` with a JSON 413: at once when Content-Length
    says so; otherwise as soon as the streamed body passes the limit, the app is told the client
    left (so nothing more is read into memory) and its answer is replaced by the 413."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self, path: str) -> tuple[Message, Message]:
        detail = (
            f"The request body is larger than {self.max_bytes} bytes (MAX_BODY_BYTES): "
            "send less at once, e.g. fewer students per request or a shorter file."
        )
        if path.startswith("/api/"):
            body, kind = json.dumps({"detail": detail}).encode(), b"application/json"
        else:  # a page's form: answer with a page
            body = (
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                '<title>Too large · Italian Teacher</title><link rel="stylesheet" '
                'href="/static/app.css"></head><body><main><h1>That was too large</h1>'
                f'<p class="notice error" role="alert">{detail}</p>'
                '<p>Go back and send less, or <a href="/">return to the start page</a>.</p></main></body></html>'
            ).encode()
            kind = b"text/html; charset=utf-8"
        start: Message = {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
        return start, {"type": "http.response.body", "body": body}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and length.isdigit():
            if int(length) > self.max_bytes:
                for message in self._too_large(scope["path"]):
                    await send(message)
                return
            # The server hands over no more body than Content-Length announces (the rest of
            # the stream is the next request): nothing to count, and no wrappers to pay for.
            await self.app(scope, receive, send)
            return
        received = 0
        overflowed = False

        async def limited_receive() -> Message:
            nonlocal received, overflowed
            if overflowed:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    overflowed = True
                    return {"type": "http.disconnect"}
            return message

        async def replacing_send(message: Message) -> None:
            if not overflowed:
                await send(message)
            elif message["type"] == "http.response.start":
                for replacement in self._too_large(scope["path"]):
                    await send(replacement)

        await self.app(scope, limited_receive, replacing_send)
