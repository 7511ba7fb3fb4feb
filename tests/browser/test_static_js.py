"""Our own static assets in Chromium, under the app's Content-Security-Policy: app.css on a phone
and a laptop, the accent bar (accent.js) and live progress (progress.js).

The pages under test are made up here and served on the app's own origin by page.route, with the
policy the app sends on its pages; the CSS and JS they load come from the live server's /static.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from api.core.security import CONTENT_SECURITY_POLICY
from tests.browser.support import VIEWPORTS, PageFactory, Screenshot, Viewport

SAMPLER = """<!doctype html>
<html lang="it">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Compiti: stile</title>
  <link rel="stylesheet" href="/static/app.css">
</head>
<body>
  <main>
    <h1>Compiti di italiano</h1>
    <p class="notice">Il modello non è raggiungibile: i compiti arrivano dal generatore offline.</p>
    <form>
      <div class="field">
        <label for="answer">1. Ieri io ___ (andare) a Roma.</label>
        <input id="answer" type="text" autocomplete="off">
      </div>
      <div class="field">
        <label for="note">2. Traduci: "Why?"</label>
        <textarea id="note"></textarea>
        <span class="hint">Usa i tasti qui sotto per le lettere accentate.</span>
      </div>
      <div data-accent-bar></div>
      <div class="actions">
        <button type="button">Consegna</button>
        <button type="button" class="secondary">Salva</button>
      </div>
    </form>
    <div class="table-scroll" role="region" aria-label="Studenti" tabindex="0">
      <table>
        <thead><tr><th>Studente</th><th>Stato</th><th>Fonte</th><th class="number">Punti</th></tr></thead>
        <tbody>
          <tr><td>Giulia Rossi</td><td><span class="badge" data-status="pending">pending</span></td><td>-</td><td class="number">-</td></tr>
          <tr><td>Marco Bianchi</td><td><span class="badge" data-status="generating">generating</span></td><td>model</td><td class="number">-</td></tr>
          <tr><td>Sofia Esposito</td><td><span class="badge" data-status="ready">ready</span></td><td>model</td><td class="number">8/10</td></tr>
          <tr><td>Luca Romano</td><td><span class="badge" data-status="offline">offline</span></td><td>offline</td><td class="number">10/10</td></tr>
        </tbody>
      </table>
    </div>
  </main>
  <script src="/static/accent.js"></script>
</body>
</html>
"""

PROGRESS = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Assignment progress</title>
  <link rel="stylesheet" href="/static/app.css">
</head>
<body>
  <main>
    <section {attributes}>
      <p>Status: <span class="badge" data-assignment-status data-status="pending">pending</span></p>
      <p class="notice" data-assignment-message hidden></p>
      <table>
        <tbody>
          <tr data-student-id="1"><td>Giulia</td>
            <td><span class="badge" data-homework-status data-status="pending">pending</span></td>
            <td data-homework-source></td></tr>
          <tr data-student-id="2"><td>Marco</td>
            <td><span class="badge" data-homework-status data-status="pending">pending</span></td>
            <td data-homework-source></td></tr>
        </tbody>
      </table>
    </section>
  </main>
  <script src="/static/progress.js"></script>
</body>
</html>
"""

PROGRESS_URL = 'data-progress-url="/__test__/progress.json"'
EVENTS_URLS = f'{PROGRESS_URL} data-events-url="/__test__/events"'


GENERATING = {
    "status": "generating",
    "message": None,
    "homework": [
        {"student_id": 1, "student_name": "Giulia", "status": "ready", "source": "model"},
        {"student_id": 2, "student_name": "Marco", "status": "generating", "source": None},
    ],
}
COMPLETED = {
    "status": "completed",
    "message": "All homework is ready.",
    "homework": [
        {"student_id": 1, "student_name": "Giulia", "status": "ready", "source": "model"},
        {"student_id": 2, "student_name": "Marco", "status": "ready", "source": "offline"},
    ],
}
LETTERS = list("àèéìòùÀÈÉÌÒÙ")


def _serve_page(page: Page, path: str, html: str) -> None:
    """Answer ``path`` on the app's origin with ``html``, under the app's page policy."""
    page.route(
        f"**{path}",
        lambda route: route.fulfill(
            status=200,
            body=html,
            headers={
                "Content-Type": "text/html; charset=utf-8",
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            },
        ),
    )


class Replies:
    """Answers a URL with the given responses in turn (the last one from then on), counting."""

    def __init__(self, *replies: dict[str, Any]) -> None:
        self.replies = list(replies)
        self.count = 0

    def __call__(self, route: Route) -> None:
        reply = self.replies[min(self.count, len(self.replies) - 1)]
        self.count += 1
        route.fulfill(**reply)


def _json(body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    return {"status": status, "content_type": "application/json", "body": json.dumps(body)}


def _open_sampler(new_page: PageFactory, viewport: Viewport = "laptop") -> Page:
    page = new_page(viewport=viewport)
    _serve_page(page, "/__test__/sampler", SAMPLER)
    page.goto("/__test__/sampler")
    return page


def _record_inputs(page: Page) -> None:
    """From now on, keep the input events the page sees in window.inputs."""
    page.evaluate(
        "window.inputs = [];"
        "document.addEventListener('input', e => inputs.push([e.target.id, e.data]));"
    )


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_app_css_fits_the_screen_and_tables_scroll(
    new_page: PageFactory, screenshot: Screenshot, viewport: Viewport
) -> None:
    page = _open_sampler(new_page, viewport)

    expect(page.get_by_role("button", name="Insert à", exact=True)).to_be_visible()
    width = VIEWPORTS[viewport]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    table_scroll = page.locator(".table-scroll")
    scrolls = table_scroll.evaluate("el => el.scrollWidth > el.clientWidth")
    assert scrolls == (viewport == "phone")
    # Focus is visible: a 3 px outline on a focused field.
    page.locator("#answer").focus()
    assert page.locator("#answer").evaluate("el => getComputedStyle(el).outlineWidth") == "3px"
    screenshot(page, f"app-css-{viewport}")
    assert new_page.problems() == []


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_accent_bar_inserts_at_the_caret_and_keeps_the_focus(
    new_page: PageFactory, viewport: Viewport
) -> None:
    page = _open_sampler(new_page, viewport)
    bar = page.get_by_role("group", name="Accented letters")
    expect(bar.get_by_role("button")).to_have_text(LETTERS)
    for letter in LETTERS:
        expect(bar.get_by_role("button", name=f"Insert {letter}", exact=True)).to_have_attribute(
            "type", "button"
        )
    answer = page.locator("#answer")
    answer.fill("citt di Roma")
    answer.evaluate("el => el.setSelectionRange(4, 4)")
    _record_inputs(page)

    button = bar.get_by_role("button", name="Insert à", exact=True)
    if viewport == "phone":
        button.tap()
    else:
        button.click()

    expect(answer).to_have_value("città di Roma")
    expect(answer).to_be_focused()
    assert answer.evaluate("el => el.selectionStart") == 5
    assert page.evaluate("inputs") == [["answer", "à"]]

    # A selection is replaced, and capitals work the same way.
    note = page.locator("#note")
    note.fill("E bello")
    note.evaluate("el => el.setSelectionRange(0, 1)")
    bar.get_by_role("button", name="Insert È", exact=True).click()
    expect(note).to_have_value("È bello")
    expect(note).to_be_focused()
    assert new_page.problems() == []


def test_accent_bar_works_from_the_keyboard(new_page: PageFactory) -> None:
    page = _open_sampler(new_page)
    note = page.locator("#note")
    note.click()
    page.keyboard.type("cos")

    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Insert à", exact=True)).to_be_focused()
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Insert ì", exact=True)).to_be_focused()
    page.keyboard.press("Enter")

    expect(note).to_have_value("così")
    expect(note).to_be_focused()
    page.keyboard.type("?")
    expect(note).to_have_value("così?")
    assert new_page.problems() == []


def test_progress_polls_until_completed(new_page: PageFactory, screenshot: Screenshot) -> None:
    page = new_page()
    _serve_page(page, "/__test__/progress", PROGRESS.format(attributes=PROGRESS_URL))
    replies = Replies(_json(GENERATING), _json(COMPLETED))
    page.route("**/__test__/progress.json", replies)

    page.goto("/__test__/progress")

    section = page.locator("[data-progress-url]")
    expect(section).to_have_attribute("data-progress-state", "polling")
    expect(page.locator("[data-student-id='1'] [data-homework-status]")).to_have_text("ready")
    expect(section).to_have_attribute("data-progress-state", "done")
    _expect_completed(page)
    screenshot(page, "progress-completed")
    # Nothing more is asked once the assignment is completed.
    asked = replies.count
    page.wait_for_timeout(2500)
    assert replies.count == asked == 2
    assert new_page.problems() == []


def test_progress_prefers_server_sent_events(new_page: PageFactory) -> None:
    page = new_page()
    _serve_page(page, "/__test__/progress", PROGRESS.format(attributes=EVENTS_URLS))
    polls = Replies(_json(COMPLETED))
    page.route("**/__test__/progress.json", polls)
    stream = f"event: progress\ndata: {json.dumps(GENERATING)}\n\ndata: {json.dumps(COMPLETED)}\n\n"
    events = Replies({"status": 200, "content_type": "text/event-stream", "body": stream})
    page.route("**/__test__/events", events)

    page.goto("/__test__/progress")

    expect(page.locator("[data-progress-url]")).to_have_attribute("data-progress-state", "done")
    _expect_completed(page)
    assert events.count == 1
    assert polls.count == 0
    assert new_page.problems() == []


def test_progress_falls_back_to_polling_when_there_is_no_event_stream(
    new_page: PageFactory,
) -> None:
    # Chromium logs the refused stream as a console error: expected here.
    page = new_page(allow_console=["404", "MIME type"])
    _serve_page(page, "/__test__/progress", PROGRESS.format(attributes=EVENTS_URLS))
    polls = Replies(_json(COMPLETED))
    page.route("**/__test__/progress.json", polls)
    page.route("**/__test__/events", Replies(_json({"detail": "Not Found"}, status=404)))

    page.goto("/__test__/progress")

    expect(page.locator("[data-progress-url]")).to_have_attribute("data-progress-state", "done")
    _expect_completed(page)
    assert polls.count == 1
    assert new_page.problems() == []


def test_progress_stops_when_refused(new_page: PageFactory) -> None:
    page = new_page(allow_console=["403"])
    _serve_page(page, "/__test__/progress", PROGRESS.format(attributes=PROGRESS_URL))
    polls = Replies(_json({"detail": "Sign in again."}, status=403))
    page.route("**/__test__/progress.json", polls)

    page.goto("/__test__/progress")

    expect(page.locator("[data-progress-url]")).to_have_attribute("data-progress-state", "stopped")
    assert polls.count == 1
    assert new_page.problems() == []


def _expect_completed(page: Page) -> None:
    status = page.locator("[data-assignment-status]")
    expect(status).to_have_text("completed")
    expect(status).to_have_attribute("data-status", "completed")
    expect(page.locator("[data-assignment-message]")).to_have_text("All homework is ready.")
    expect(page.locator("[data-assignment-message]")).to_be_visible()
    marco = page.locator("[data-student-id='2']")
    expect(marco.locator("[data-homework-status]")).to_have_attribute("data-status", "ready")
    expect(marco.locator("[data-homework-source]")).to_have_text("offline")
