"""Swagger UI and ReDoc work in Chromium offline, under the Content-Security-Policy the app sends."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from api.core.security import CONTENT_SECURITY_POLICY
from api.pages.docs import REDOC_CSP
from tests.browser.support import (
    TEACHER_EMAIL,
    TEACHER_PASSWORD,
    PageFactory,
    Screenshot,
    Viewport,
)
from tests.live_server import ApiProcess

# ReDoc always shows Redocly's logo from cdn.redoc.ly; img-src refuses it (nothing leaves the
# browser) and ReDoc hides the broken image. That refusal is the one console error we expect.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def _spec(server: ApiProcess) -> dict[str, Any]:
    return dict(httpx.get(f"{server.url}/openapi.json").json())


def _tags(spec: dict[str, Any]) -> list[str]:
    """The tags in the order Swagger UI shows them: the declared ones first, then any other."""
    tags: list[str] = [tag["name"] for tag in spec.get("tags", [])]
    for operations in spec["paths"].values():
        for operation in operations.values():
            tags += [tag for tag in operation.get("tags", []) if tag not in tags]
    return tags


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_swagger_ui_shows_every_tag_and_authorize_offline(
    new_page: PageFactory, live_server: ApiProcess, screenshot: Screenshot, viewport: Viewport
) -> None:
    tags = _tags(_spec(live_server))
    assert "teacher: students" in tags
    page = new_page(viewport=viewport)

    response = page.goto("/docs")

    assert response is not None and response.ok
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    expect(page.locator(".opblock-tag-section")).to_have_count(len(tags))
    expect(page.locator("h3.opblock-tag")).to_have_text([re.compile(re.escape(t)) for t in tags])
    expect(page.get_by_role("button", name="Authorize", exact=True)).to_be_visible()
    screenshot(page, f"docs-{viewport}", full_page=viewport == "laptop")
    assert new_page.problems() == []


def test_swagger_ui_password_flow_keeps_the_token_but_not_the_password(
    new_page: PageFactory, screenshot: Screenshot
) -> None:
    page = new_page()
    page.goto("/docs")
    page.get_by_role("button", name="Authorize", exact=True).click()
    teacher = page.locator(".modal-ux .auth-container").filter(has_text="OAuth2, password")
    expect(teacher).to_contain_text("/api/auth/token")
    teacher.locator("#oauth_username").fill(TEACHER_EMAIL)
    teacher.locator("#oauth_password").fill(TEACHER_PASSWORD)
    teacher.get_by_role("button", name="Apply given OAuth2 credentials").click()
    expect(teacher.get_by_role("button", name="Remove authorization")).to_be_visible()
    screenshot(page, "docs-authorized", full_page=False)

    stored = page.evaluate("localStorage.getItem('authorized')")
    assert '"access_token"' in stored
    assert TEACHER_PASSWORD not in stored

    # persistAuthorization: after a reload the token is still sent.
    page.reload()
    students = page.locator(".opblock-get").filter(
        has=page.locator(".opblock-summary-path[data-path='/api/teacher/students']")
    )
    students.locator(".opblock-summary").click()
    students.get_by_role("button", name="Try it out").click()
    students.get_by_role("button", name="Execute").click()
    expect(students.locator(".live-responses-table tr.response .response-col_status")).to_have_text(
        "200"
    )
    assert new_page.problems() == []


def test_swagger_ui_oauth2_redirect_page_loads_under_the_policy(new_page: PageFactory) -> None:
    page = new_page()

    response = page.goto("/docs/oauth2-redirect")

    assert response is not None and response.ok
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    expect(page.locator("body")).to_contain_text("open this page from Swagger UI")
    assert new_page.problems() == []


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_redoc_renders_and_searches_offline(
    new_page: PageFactory, screenshot: Screenshot, viewport: Viewport
) -> None:
    page = new_page(viewport=viewport, allow_console=[REDOC_LOGO])

    response = page.goto("/redoc")

    assert response is not None and response.ok
    assert response.headers["content-security-policy"] == REDOC_CSP
    expect(page.get_by_role("heading", name=re.compile(r"^Italian Teacher API"))).to_be_visible()
    screenshot(page, f"redoc-{viewport}", full_page=False)
    if viewport == "laptop":
        # The search index lives in a blob: Worker, which REDOC_CSP allows.
        page.get_by_placeholder("Search...").fill("students")
        expect(page.locator("[data-role='search:results'] li").first).to_be_visible()
    assert new_page.problems() == []
