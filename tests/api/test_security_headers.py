"""Security headers: every response gets them, a page its own policy, and what a route set stays."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from api.core.security import (
    API_CONTENT_SECURITY_POLICY,
    CONTENT_SECURITY_POLICY,
    SecurityHeaders,
)


async def json_answer(_request: Request) -> Response:
    return JSONResponse({"ok": True})


async def page(_request: Request) -> Response:
    return HTMLResponse("<p>ciao</p>")


async def own_policy(_request: Request) -> Response:
    return HTMLResponse("<p>docs</p>", headers={"Content-Security-Policy": "default-src 'none'"})


APP = SecurityHeaders(
    Starlette(routes=[Route("/json", json_answer), Route("/page", page), Route("/own", own_policy)])
)


async def get(path: str, base: str = "http://school.test") -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=APP), base_url=base) as client:
        return await client.get(path)


@pytest.mark.parametrize(
    ("path", "policy"),
    [("/json", API_CONTENT_SECURITY_POLICY), ("/page", CONTENT_SECURITY_POLICY)],
)
async def test_every_response_gets_the_headers_and_its_policy(path: str, policy: str) -> None:
    response = await get(path)
    assert response.headers["content-security-policy"] == policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cross-origin-opener-policy"] == "same-origin"
    assert "camera=()" in response.headers["permissions-policy"]
    assert "strict-transport-security" not in response.headers


async def test_a_policy_the_route_set_is_kept_and_not_doubled() -> None:
    response = await get("/own")
    assert response.headers.get_list("content-security-policy") == ["default-src 'none'"]


async def test_https_gets_strict_transport_security() -> None:
    response = await get("/json", base="https://school.test")
    assert response.headers["strict-transport-security"] == "max-age=31536000"
