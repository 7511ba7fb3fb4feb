"""The browser fixtures catch what they promise to: requests leaving the app, CSP violations."""

from __future__ import annotations

from playwright.sync_api import Page

from api.core.security import CONTENT_SECURITY_POLICY
from tests.browser.support import PageFactory

LEAKY = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Leaky</title>
<link rel="stylesheet" href="https://cdn.example.com/style.css"></head>
<body><p>Hi</p><script>console.log("inline");</script></body></html>
"""


def _serve(page: Page, csp: str | None) -> None:
    headers = {"Content-Type": "text/html; charset=utf-8"}
    if csp:
        headers["Content-Security-Policy"] = csp
    page.route("**/__test__/leaky", lambda route: route.fulfill(body=LEAKY, headers=headers))


def test_a_request_to_another_host_is_aborted_and_reported(new_page: PageFactory) -> None:
    page = new_page()
    _serve(page, csp=None)

    page.goto("/__test__/leaky")

    problems = new_page.take_problems()
    assert "request left the app: GET https://cdn.example.com/style.css" in problems


def test_a_csp_violation_is_reported(new_page: PageFactory) -> None:
    page = new_page()
    _serve(page, csp=CONTENT_SECURITY_POLICY)

    page.goto("/__test__/leaky")

    problems = new_page.take_problems()
    # The policy stops both before they reach the network: nothing left the app.
    assert not any(problem.startswith("request left the app") for problem in problems)
    assert any("Content Security Policy" in p and "script" in p for p in problems), problems
    assert any("Content Security Policy" in p and "cdn.example.com" in p for p in problems)
