"""/docs, /redoc and /static in process: everything from our own origin, under the right policy.

What a browser does with them is in tests/browser/test_docs.py.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from api.core.config import Settings
from api.core.security import CONTENT_SECURITY_POLICY
from api.main import create_app
from api.pages.docs import REDOC_CSP

PAGES = ["/docs", "/docs/oauth2-redirect", "/redoc"]
ASSET = re.compile(r'\b(?:src|href)="([^"]*)"')


@pytest.fixture
async def client(make_settings: Callable[..., Settings]) -> AsyncIterator[httpx.AsyncClient]:
    """The app without its lifespan: pages and static files need no database."""
    app = create_app(make_settings())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api"
    ) as client:
        yield client


def _directives(policy: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", PAGES)
async def test_docs_pages_load_only_our_own_files(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assets = ASSET.findall(html)
    assert assets
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        assert (await client.get(asset)).status_code == 200, asset
    # Nothing inline for the policy to refuse.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html and " style=" not in html


async def test_swagger_ui_gets_the_app_policy_and_redoc_its_own(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/docs/oauth2-redirect"):
        response = await client.get(path)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    response = await client.get("/redoc")
    assert response.headers["content-security-policy"] == REDOC_CSP


def test_redoc_policy_relaxes_only_styles_and_workers() -> None:
    app_policy = _directives(CONTENT_SECURITY_POLICY)
    redoc_policy = _directives(REDOC_CSP)

    assert {name for name in redoc_policy if redoc_policy[name] != app_policy.get(name)} == {
        "style-src",
        "worker-src",
    }
    assert redoc_policy["style-src"][0] == "'self'"
    assert all(value.startswith("'sha256-") for value in redoc_policy["style-src"][1:])
    assert redoc_policy["worker-src"] == ["'self'", "blob:"]
    assert "unsafe" not in REDOC_CSP and "http" not in REDOC_CSP


async def test_static_serves_our_assets_and_the_vendored_bundles(
    client: httpx.AsyncClient,
) -> None:
    for path, kind in [
        ("/static/app.css", "text/css"),
        ("/static/accent.js", "javascript"),
        ("/static/progress.js", "javascript"),
        ("/static/vendor/swagger-ui-bundle.js", "javascript"),
        ("/static/vendor/swagger-ui.css", "text/css"),
        ("/static/vendor/redoc.standalone.js", "javascript"),
        ("/static/vendor/favicon.png", "image/png"),
    ]:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert kind in response.headers["content-type"], path
    assert (await client.get("/static/nothing-here.js")).status_code == 404
    assert (await client.get("/static/%2e%2e/docs.py")).status_code == 404


async def test_openapi_stays_where_it_was_and_lists_no_page(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]

    assert not {"/docs", "/docs/oauth2-redirect", "/redoc"} & set(paths)
    assert not any(path.startswith("/static") for path in paths)
