"""Browser tests: Playwright driving the system's Chromium against a real uvicorn of the app.

Nothing may leave the app: every request to another host is aborted and fails the test, and so
does any console error (Content-Security-Policy violations included) or uncaught page error,
unless the test names it as expected.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HERE,
    NO_CHROMIUM,
    SCREENSHOTS,
    TEACHER_EMAIL,
    TEACHER_PASSWORD,
    PageFactory,
    Screenshot,
)
from tests.live_server import ApiProcess


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip every test of this folder, with a plain reason, when there is no Chromium."""
    if CHROMIUM is not None:
        return
    skip = pytest.mark.skip(reason=NO_CHROMIUM)
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)


# Package scope, not session: the sync Playwright keeps an asyncio loop running in this thread,
# and async tests that run after this folder (tests/worker) could not start theirs.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the browser tests; each test gets fresh contexts."""
    assert CHROMIUM is not None, NO_CHROMIUM
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    """A real uvicorn of api.main:app on 127.0.0.1, with a fresh SQLite file and one teacher.

    One for all the browser tests (starting the app takes seconds): tests make their own data
    and never count on an empty database.
    """
    folder = tmp_path_factory.mktemp("live_server")
    env = {
        "DATABASE_URL": f"sqlite:///{folder / 'browser.db'}",
        "TEACHER_EMAIL": TEACHER_EMAIL,
        "TEACHER_PASSWORD": TEACHER_PASSWORD,
        "LOG_LEVEL": "WARNING",
        # Offline generator only, whatever the developer's shell says.
        "INFERENCE_API_URL": "",
    }
    with ApiProcess(env, folder / "api.log") as api:
        yield api


@pytest.fixture
def new_page(browser: Browser, live_server: ApiProcess) -> Iterator[PageFactory]:
    """Pages on the live server; the test fails if any of them left the app or logged an error."""
    factory = PageFactory(browser, live_server)
    yield factory
    factory.close()
    problems = factory.problems()
    if problems:
        pytest.fail("the browser saw:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    """A laptop-sized page on the live server."""
    return new_page()


@pytest.fixture
def screenshot() -> Screenshot:
    """``screenshot(page, "docs-phone")`` saves a PNG under test-artifacts/screenshots/ (whole
    page by default; ``full_page=False`` for the first screen only, on very long pages)."""

    def take(page: Page, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
