"""What the browser tests share: where Chromium is, the viewports, a guarded page factory."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Route,
    ViewportSize,
)

from tests.live_server import ROOT, ApiProcess

TEACHER_EMAIL = "teacher@example.com"
TEACHER_PASSWORD = "correct-horse-battery"

VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 360, "height": 740},
    "laptop": {"width": 1280, "height": 800},
}
Viewport = Literal["phone", "laptop"]

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_CHROMIUM = "browser tests skipped: no Chromium found; apt-get install chromium"
# Playwright's default of 30 s would hide a hang; a page here is ready in a few seconds even on a
# busy two-core machine.
TIMEOUT_MS = 10_000
HERE = Path(__file__).parent


def find_chromium() -> str | None:
    """CHROMIUM_PATH, else chromium or chromium-browser on PATH, else /usr/bin/chromium."""
    candidates = [
        os.environ.get("CHROMIUM_PATH"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        "/usr/bin/chromium",
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


CHROMIUM = find_chromium()


class Guard:
    """What one browser context did that it must not: leave the app, break the CSP, throw."""

    def __init__(self, app_host: str, allow_console: Iterable[str]) -> None:
        self.app_host = app_host
        self.allow_console = tuple(allow_console)
        self.offsite_requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []

    def route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == self.app_host:
            route.continue_()
        else:
            self.offsite_requests.append(f"{route.request.method} {url}")
            route.abort("blockedbyclient")

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        text = message.text
        if message.type == "error" and not any(allowed in text for allowed in self.allow_console):
            self.console_errors.append(text)

    def problems(self) -> list[str]:
        return (
            [f"request left the app: {request}" for request in self.offsite_requests]
            + [f"console error: {text}" for text in self.console_errors]
            + [f"page error: {text}" for text in self.page_errors]
        )


class PageFactory:
    """``new_page(viewport="phone")``: a page in a fresh context that may only talk to the app."""

    def __init__(self, browser: Browser, server: ApiProcess) -> None:
        self.browser = browser
        self.server = server
        self.contexts: list[BrowserContext] = []
        self.guards: list[Guard] = []

    def __call__(
        self, *, viewport: Viewport = "laptop", allow_console: Iterable[str] = (), **options: Any
    ) -> Page:
        phone = viewport == "phone"
        context = self.browser.new_context(
            base_url=self.server.url,
            viewport=VIEWPORTS[viewport],
            is_mobile=phone,
            has_touch=phone,
            # A service worker's requests would go round context.route.
            service_workers="block",
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        guard = Guard(self.server.host, allow_console)
        context.route("**/*", guard.route)
        context.on("page", guard.watch)
        self.contexts.append(context)
        self.guards.append(guard)
        return context.new_page()

    def problems(self) -> list[str]:
        """Everything the pages did so far that fails the test."""
        return [problem for guard in self.guards for problem in guard.problems()]

    def take_problems(self) -> list[str]:
        """The problems so far, forgotten from now on (for tests that cause them on purpose)."""
        problems = self.problems()
        for guard in self.guards:
            guard.offsite_requests.clear()
            guard.console_errors.clear()
            guard.page_errors.clear()
        return problems

    def close(self) -> None:
        for context in self.contexts:
            try:
                context.close()
            except Error:
                pass


class Screenshot(Protocol):
    """The ``screenshot`` fixture: saves a PNG of the page and returns its path."""

    def __call__(self, page: Page, name: str, *, full_page: bool = True) -> Path: ...


def describe() -> str:
    """One line for run_tests.sh: will the browser tests run, and with which Chromium."""
    if CHROMIUM is None:
        return "browser tests: skipped, no Chromium found (apt-get install chromium)"
    return f"browser tests: chromium at {CHROMIUM}"


if __name__ == "__main__":
    print(describe())
