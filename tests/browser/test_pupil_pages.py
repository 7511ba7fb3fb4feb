"""The pupil's pages in Chromium against a real server: answer, save, reload, hand in after a
confirmation, read the verdicts; with the mouse and the accent bar, with the keyboard only, with
JavaScript off, on a phone; axe-core on every page; the right answers never sent before the
hand-in; another pupil's link shows nothing of this one's homework.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Response, expect

from tests.browser.support import (
    TEACHER_EMAIL,
    TEACHER_PASSWORD,
    PageFactory,
    Screenshot,
)
from tests.live_server import ApiProcess

ACCENTS = set("àèéìòùÀÈÉÌÒÙ")
NO_LINK = "This link no longer works: ask your teacher for a new one"


@dataclass
class Homework:
    """A pupil and their generated homework, as the teacher sees it (right answers included)."""

    pupil: dict[str, Any]
    full: dict[str, Any]

    @property
    def link(self) -> str:
        return str(self.pupil["access_url"])

    @property
    def url(self) -> str:
        return f"{self.link}/homework/{self.full['id']}"

    @property
    def exercises(self) -> list[dict[str, Any]]:
        return list(self.full["exercises"])

    def secrets(self) -> list[str]:
        """What the pupil must not receive before the hand-in (see the in-process tests)."""
        shown = " ".join(
            [e["question"] for e in self.exercises]
            + [option for e in self.exercises for option in e["options"] or []]
        )
        hidden = [e["explanation"] for e in self.exercises]
        for exercise in self.exercises:
            if exercise["type"] != "multiple_choice":
                hidden += [exercise["correct_answer"], *(exercise.get("accepted_answers") or [])]
        return [secret for secret in hidden if secret not in shown]


class Teacher:
    """The teacher, through the REST API: makes pupils and homework for the tests."""

    def __init__(self, server: ApiProcess) -> None:
        self.server = server
        self.client = httpx.Client(base_url=server.url, timeout=10)
        token = self.client.post(
            "/api/auth/token", data={"username": TEACHER_EMAIL, "password": TEACHER_PASSWORD}
        )
        assert token.status_code == 200, token.text
        self.client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def homework(self, name: str = "Giulia Rossi", **fields: Any) -> Homework:
        """A new pupil with one homework, generated (offline) and ready."""
        email = f"{name.lower().replace(' ', '.')}.{time.monotonic_ns()}@example.com"
        pupil = self.client.post("/api/teacher/students", json={"name": name, "email": email})
        assert pupil.status_code == 201, pupil.text
        body = {
            "cefr_level": "A2",
            "grammar_focus": "passato prossimo",
            "topic": "viaggi",
            "quantity": 5,
            "exercise_types": ["fill_in_blank", "multiple_choice", "translation"],
            "student_ids": [pupil.json()["id"]],
        } | fields
        assignment = self.client.post("/api/teacher/assignments", json=body)
        assert assignment.status_code == 201, assignment.text
        ends = time.monotonic() + 15
        while (
            status := self.client.get(f"/api/teacher/assignments/{assignment.json()['id']}")
            .json()
            .get("status")
        ) not in ("completed", "failed"):
            assert time.monotonic() < ends, "homework not generated in 15 s"
            time.sleep(0.1)
        assert status == "completed"
        [homework] = self.client.get(
            f"/api/teacher/assignments/{assignment.json()['id']}/homework"
        ).json()
        return Homework(pupil.json(), homework)

    def close(self) -> None:
        self.client.close()


@pytest.fixture(scope="module")
def teacher(live_server: ApiProcess) -> Iterator[Teacher]:
    signed_in = Teacher(live_server)
    yield signed_in
    signed_in.close()


def assert_accessible(page: Page, what: str, *, except_for: tuple[str, ...] = ()) -> None:
    """axe-core finds no serious or critical violation on the page (but the rules named)."""
    violations = Axe().run(page).response["violations"]
    grave = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("serious", "critical") and v["id"] not in except_for
    ]
    assert grave == [], f"{what}: {grave}"


def assert_no_horizontal_scroll(page: Page, what: str) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{what} scrolls sideways: {widths}"


def wrong_option(exercise: dict[str, Any]) -> str:
    return next(o for o in exercise["options"] if o != exercise["correct_answer"])


def answer_everything(page: Page, homework: Homework, *, wrong: int | None = None) -> None:
    """Right answers everywhere but exercise ``wrong``; accents typed with the accent bar."""
    used_bar = False
    for index, exercise in enumerate(homework.exercises):
        answer = exercise["correct_answer"]
        if exercise["type"] == "multiple_choice":
            choice = wrong_option(exercise) if index == wrong else answer
            page.locator(f"input[name='answer-{index}'][value='{choice}']").check()
            continue
        field = page.locator(f"#answer-{index}")
        field.click()
        if index == wrong:
            field.press_sequentially("non lo so")
            continue
        for part in re.split(f"([{''.join(sorted(ACCENTS))}])", answer):
            if part in ACCENTS:
                page.get_by_role("button", name=f"Insert {part}", exact=True).click()
                used_bar = True
            elif part:
                page.keyboard.insert_text(part)
        expect(field).to_have_value(answer)
    if not used_bar:  # no accented answer this time: still show that the bar types
        field = page.locator("input[type='text']").first
        before = field.input_value()
        field.click()
        page.get_by_role("button", name="Insert è", exact=True).click()
        expect(field).to_have_value(before + "è")
        field.press("Backspace")
        expect(field).to_have_value(before)


def expect_answers_kept(page: Page, homework: Homework, *, wrong: int | None = None) -> None:
    for index, exercise in enumerate(homework.exercises):
        if exercise["type"] == "multiple_choice":
            choice = wrong_option(exercise) if index == wrong else exercise["correct_answer"]
            expect(page.locator(f"input[name='answer-{index}'][value='{choice}']")).to_be_checked()
        else:
            expected = "non lo so" if index == wrong else exercise["correct_answer"]
            expect(page.locator(f"#answer-{index}")).to_have_value(expected)


def test_a_pupil_answers_saves_reloads_hands_in_and_reads_the_results(
    new_page: PageFactory, teacher: Teacher, screenshot: Screenshot
) -> None:
    homework = teacher.homework(quantity=6)
    page = new_page()
    origin = urlsplit(homework.link).netloc
    # Every page, script and style the pupil receives, with what the pupil had typed by then
    # (once saved, their own answers come back in the form, and may well be right).
    seen: list[tuple[str, str, list[str]]] = []
    typed: list[str] = []

    def record(response: Response) -> None:
        if urlsplit(response.url).netloc == origin and not 300 <= response.status < 400:
            seen.append((response.url, response.text(), list(typed)))

    page.on("response", record)

    page.goto(homework.link)
    expect(page.get_by_role("heading", name="Your homework", level=1)).to_be_visible()
    expect(page.get_by_text(homework.pupil["name"])).to_be_visible()
    screenshot(page, "pupil-list-laptop")
    assert_accessible(page, "list")
    page.get_by_role("link", name="Passato prossimo: viaggi").click()
    expect(page).to_have_url(homework.url)
    screenshot(page, "pupil-homework-laptop")
    assert_accessible(page, "homework")

    answer_everything(page, homework, wrong=0)
    typed += ["non lo so"] + [e["correct_answer"] for e in homework.exercises[1:]]
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    screenshot(page, "pupil-homework-saved-laptop")
    page.reload()
    expect_answers_kept(page, homework, wrong=0)

    page.get_by_role("button", name="Hand in", exact=True).click()
    expect(page.get_by_role("heading", name="Hand in this homework?")).to_be_visible()
    total = len(homework.exercises)
    expect(page.get_by_text(f"You answered {total} of {total} exercises.")).to_be_visible()
    screenshot(page, "pupil-confirm-laptop")
    assert_accessible(page, "confirmation")

    page.remove_listener("response", record)
    assert len(seen) >= 6  # the list, the homework, its CSS and JS, saved, reloaded, confirm
    assert any(not typed_then and "/homework/" in url for url, _, typed_then in seen)
    for url, body, typed_then in seen:
        for secret in homework.secrets():
            if not any(secret in answer for answer in typed_then):
                assert secret not in body, f"{url} sent a right answer or explanation: {secret}"

    page.get_by_role("button", name="Hand in for good").click()
    expect(page).to_have_url(homework.url)
    expect(page.get_by_text("Score:")).to_be_visible()
    first = page.locator(".pupil-exercise").first
    expect(first.locator(".pupil-verdict")).to_have_text("Incorrect")
    expect(first).to_contain_text(homework.exercises[0]["correct_answer"])
    expect(first).to_contain_text(homework.exercises[0]["explanation"])
    correct = page.locator(".pupil-verdict").filter(has_text=re.compile("^Correct$"))
    expect(correct).to_have_count(total - 1)
    expect(page.get_by_text(f"{total - 1} correct, 0 almost right, 1 incorrect")).to_be_visible()
    screenshot(page, "pupil-results-laptop")
    assert_accessible(page, "results")

    page.goto(homework.link)
    expect(page.get_by_role("heading", name="Handed in")).to_be_visible()
    expect(page.get_by_text(f"Score: {100 * (total - 1) / total:.3g} / 100")).to_be_visible()
    screenshot(page, "pupil-list-handed-in-laptop")


def test_every_pupil_page_fits_a_phone(
    new_page: PageFactory, teacher: Teacher, screenshot: Screenshot
) -> None:
    homework = teacher.homework("Sofia Esposito", quantity=4)
    page = new_page(viewport="phone")

    page.goto(homework.link)
    assert_no_horizontal_scroll(page, "list")
    screenshot(page, "pupil-list-phone")
    page.goto(homework.url)
    assert_no_horizontal_scroll(page, "homework")
    screenshot(page, "pupil-homework-phone")
    # Far down the page the accent bar is still on screen, above the field.
    field = page.locator("input[type='text']").last
    field.tap()
    bar = page.locator("[data-accent-bar]")
    assert bar.bounding_box()["y"] == 0  # type: ignore[index]
    page.get_by_role("button", name="Insert ù", exact=True).tap()
    expect(field).to_have_value("ù")
    assert_no_horizontal_scroll(page, "homework with the accent bar in use")
    screenshot(page, "pupil-homework-typing-phone", full_page=False)
    page.get_by_role("button", name="Hand in", exact=True).tap()
    expect(page.get_by_role("heading", name="Hand in this homework?")).to_be_visible()
    assert_no_horizontal_scroll(page, "confirmation")
    screenshot(page, "pupil-confirm-phone")
    page.get_by_role("button", name="Hand in for good").tap()
    expect(page.get_by_text("Score:")).to_be_visible()
    assert_no_horizontal_scroll(page, "results")
    screenshot(page, "pupil-results-phone")


def test_the_keyboard_alone_answers_types_accents_and_saves(
    new_page: PageFactory, teacher: Teacher
) -> None:
    homework = teacher.homework(
        "Luca Romano", quantity=3, exercise_types=["fill_in_blank", "multiple_choice"]
    )
    page = new_page()
    page.goto(homework.url)
    written = next(i for i, e in enumerate(homework.exercises) if e["type"] != "multiple_choice")
    field = page.locator(f"#answer-{written}")

    def focused_outline() -> str:
        return str(page.evaluate("getComputedStyle(document.activeElement).outlineStyle"))

    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == f"answer-{written}":
            break
    expect(field).to_be_focused()
    assert focused_outline() not in ("", "none"), "the focused field shows no outline"
    page.keyboard.type("citt")
    # Back to the accent bar (before the exercises), then Enter types into the field.
    accent = page.get_by_role("button", name="Insert ù", exact=True)
    for _ in range(40):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == "Insert ù":
            break
    expect(accent).to_be_focused()
    assert focused_outline() not in ("", "none"), "the focused accent button shows no outline"
    page.keyboard.press("Enter")
    expect(field).to_be_focused()
    expect(field).to_have_value("cittù")

    for index, exercise in enumerate(homework.exercises):
        if exercise["type"] == "multiple_choice":
            page.locator(f"input[name='answer-{index}']").first.focus()
            page.keyboard.press("Space")
            page.keyboard.press("ArrowDown")  # the second option
            expect(page.locator(f"input[name='answer-{index}']").nth(1)).to_be_checked()
    field.focus()
    page.keyboard.press("Enter")  # Enter in a field: the form's first button, Save

    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page.locator(f"#answer-{written}")).to_have_value("cittù")


def test_without_javascript_a_pupil_can_save_and_hand_in(
    new_page: PageFactory, teacher: Teacher, screenshot: Screenshot
) -> None:
    homework = teacher.homework("Marco Bianchi", quantity=4)
    page = new_page(java_script_enabled=False)
    page.goto(homework.url)
    # No script, no accent buttons: the bar stays out of sight rather than empty.
    expect(page.locator("[data-accent-bar]")).to_be_hidden()
    expect(page.get_by_role("button", name="Insert è")).to_have_count(0)
    for index, exercise in enumerate(homework.exercises):
        if exercise["type"] == "multiple_choice":
            page.locator(f"input[name='answer-{index}']").last.check()
        else:
            page.locator(f"#answer-{index}").fill(exercise["correct_answer"])

    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Saved")
    screenshot(page, "pupil-homework-no-js-laptop")
    page.reload()
    for index, exercise in enumerate(homework.exercises):
        if exercise["type"] != "multiple_choice":
            expect(page.locator(f"#answer-{index}")).to_have_value(exercise["correct_answer"])
    page.get_by_role("button", name="Hand in", exact=True).click()
    page.get_by_role("button", name="Hand in for good").click()
    expect(page).to_have_url(homework.url)
    expect(page.get_by_text("Score:")).to_be_visible()
    expect(page.locator(".pupil-verdict")).to_have_count(len(homework.exercises))


def test_another_pupils_link_shows_nothing_of_this_pupils_homework(
    new_page: PageFactory, teacher: Teacher, screenshot: Screenshot
) -> None:
    giulia = teacher.homework("Giulia Verdi", quantity=3, topic="cibo")
    marco = teacher.homework("Marco Neri", quantity=3, topic="casa")
    page = new_page(allow_console=["status of 404"])  # the not-found pages below

    page.goto(marco.link)
    expect(page.get_by_text("Marco Neri")).to_be_visible()
    expect(page.get_by_text("Giulia Verdi")).to_have_count(0)
    expect(page.get_by_role("link", name="Passato prossimo: cibo")).to_have_count(0)
    response = page.goto(f"{marco.link}/homework/{giulia.full['id']}")

    assert response is not None and response.status == 404
    expect(page.get_by_text("There is no such homework behind your link")).to_be_visible()
    for exercise in giulia.exercises:
        expect(page.get_by_text(exercise["question"])).to_have_count(0)
    screenshot(page, "pupil-not-found-laptop")
    assert_accessible(page, "not found")

    page.goto(f"{urlsplit(giulia.link).scheme}://{urlsplit(giulia.link).netloc}/s/its_unknown")
    expect(page.get_by_text(NO_LINK)).to_be_visible()
    screenshot(page, "pupil-link-not-working-laptop")
    assert_accessible(page, "link not working")


def test_a_homework_being_prepared_says_so_and_checks_again(
    new_page: PageFactory, teacher: Teacher, live_server: ApiProcess, screenshot: Screenshot
) -> None:
    homework = teacher.homework("Chiara Gallo", quantity=2)
    database = live_server.log_path.parent / "browser.db"  # the live_server fixture's file

    def set_status(status: str, lease: str | None) -> None:
        with sqlite3.connect(database, timeout=10) as db:
            db.execute(
                "UPDATE homework SET status = ?, lease_owner = ?, lease_expires_at = ? "
                "WHERE id = ?",
                (status, "test" if lease else None, lease, homework.full["id"]),
            )

    # A lease far ahead: the server's dispatcher leaves this homework alone meanwhile.
    set_status("generating", "2999-01-01 00:00:00.000000")
    try:
        for viewport in ("laptop", "phone"):
            page = new_page(viewport=viewport)
            page.goto(homework.link)
            expect(page.get_by_role("heading", name="Being prepared")).to_be_visible()
            page.goto(homework.url)
            expect(page.get_by_role("status")).to_contain_text("being prepared")
            reload = page.locator("script[data-reload-seconds]")
            expect(reload).to_have_attribute("data-reload-seconds", "5")
            screenshot(page, f"pupil-preparing-{viewport}")
        # A script reloads it, not <meta http-equiv="refresh"> (which axe calls critical).
        assert_accessible(page, "being prepared")
        set_status("available", None)
        # The page checks again by itself and shows the exercises.
        expect(page.get_by_role("button", name="Save", exact=True)).to_be_visible(timeout=8000)
    finally:
        set_status("available", None)
