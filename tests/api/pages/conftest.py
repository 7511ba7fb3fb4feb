"""Fixtures for the page tests: a teacher signed in through the sign-in page (session cookie)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api.core.config import Settings
from tests.api.conftest import TEACHER_EMAIL, TEACHER_PASSWORD, Api

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """An httpx client that signs in through the pages and keeps the session cookie."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.client = httpx.AsyncClient(
            transport=api.client._transport, base_url="http://api", follow_redirects=False
        )

    async def sign_in(
        self, email: str = TEACHER_EMAIL, password: str = TEACHER_PASSWORD
    ) -> httpx.Response:
        page = await self.client.get("/")
        token = csrf_of(page.text)
        return await self.client.post(
            "/sign-in", data={"email": email, "password": password, "csrf_token": token}
        )

    async def csrf(self, path: str = "/teacher") -> str:
        return csrf_of((await self.client.get(path)).text)

    async def post(
        self, path: str, data: dict[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        fields = dict(data or {})
        fields.setdefault("csrf_token", await self.csrf())
        return await self.client.post(path, data=fields, **kwargs)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF field on the page"
    return match.group(1)


@pytest.fixture
async def browser(api: Api) -> Browser:
    """The teacher, signed in through the pages."""
    client = Browser(api)
    response = await client.sign_in()
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def page_settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()
