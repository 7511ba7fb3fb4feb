"""The whole classroom in Chromium against a real server: a teacher signs in, imports a roster,
creates an assignment and watches it complete live, copies a pupil's link; the pupil answers
(an accent typed with the accent bar), saves, reloads, hands in and reads the verdicts; the
teacher sees the score and downloads the results; another pupil's link shows nothing of it."""

from __future__ import annotations

import csv
import io
import uuid

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.support import TEACHER_EMAIL, TEACHER_PASSWORD, PageFactory, Screenshot

AXE = Axe()


def assert_accessible(page: Page, what: str) -> None:
    violations = AXE.run(page).response["violations"]
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == [], f"{what}: {serious}"


def test_a_lesson_from_sign_in_to_results(new_page: PageFactory, screenshot: Screenshot) -> None:
    tag = uuid.uuid4().hex[:6]
    teacher = new_page(permissions=["clipboard-read", "clipboard-write"])
    requested: list[str] = []
    teacher.on("request", lambda request: requested.append(request.url))

    # Sign in.
    teacher.goto("/")
    assert_accessible(teacher, "sign-in page")
    screenshot(teacher, "story-1-sign-in")
    teacher.get_by_label("Email").fill(TEACHER_EMAIL)
    teacher.get_by_label("Password").fill(TEACHER_PASSWORD)
    teacher.get_by_role("button", name="Sign in").click()
    expect(teacher.get_by_role("heading", level=1)).to_contain_text("Buongiorno")
    assert_accessible(teacher, "dashboard")
    screenshot(teacher, "story-2-dashboard")

    # Import a roster of three, one with a broken email, into a new class.
    teacher.get_by_role("link", name="Students and classes").first.click()
    giulia, marco, bad = f"Giulia Rossi {tag}", f"Marco Neri {tag}", f"Luca Bianchi {tag}"
    teacher.get_by_label("Paste a roster").fill(
        f"name,email\n{giulia},giulia.{tag}@example.com\n{bad},luca.{tag}-at-example.com\n"
        f"{marco},marco.{tag}@example.com\n"
    )
    teacher.get_by_label("Or to a new class named").fill(f"2A {tag}")
    teacher.get_by_role("button", name="Import roster").click()
    expect(teacher.get_by_role("heading", name="Roster imported")).to_be_visible()
    report = teacher.get_by_role("region", name="Report, row by row")
    expect(report).to_contain_text("refused")
    expect(report).to_contain_text("invalid email")
    screenshot(teacher, "story-3-roster-imported")
    links = {
        name: teacher.get_by_label(f"Link for {name}").input_value() for name in (giulia, marco)
    }
    teacher.get_by_role("button", name=f"Copy link for {giulia}").click()
    copied = teacher.evaluate("navigator.clipboard.readText()")
    assert copied == links[giulia] and "/s/its_" in copied

    # A new assignment for the class; the page follows generation without being reloaded.
    teacher.get_by_role("link", name="New assignment").first.click()
    assert_accessible(teacher, "new assignment")
    teacher.get_by_label("A class").select_option(label=f"2A {tag} (2 students)")
    teacher.get_by_label("Level (CEFR)").select_option("A2")
    teacher.get_by_label("Grammar focus").fill("passato prossimo")
    teacher.get_by_label("Topic").fill("viaggi")
    teacher.get_by_label("Exercises per pupil").fill("4")
    screenshot(teacher, "story-4-new-assignment")
    teacher.get_by_role("button", name="Create assignment").click()
    status = teacher.locator("[data-assignment-status]")
    expect(status).to_have_text("completed", timeout=20_000)
    expect(teacher.locator("[data-progress-url]")).to_have_attribute("data-progress-state", "done")
    assert any("/events" in url or "/progress" in url for url in requested)
    rows = teacher.locator("tr[data-student-id]")
    expect(rows).to_have_count(2)
    for index in range(2):
        expect(rows.nth(index).locator("[data-homework-status]")).to_have_text("ready")
        expect(rows.nth(index).locator("[data-homework-source]")).to_have_text("offline")
    expect(teacher.locator("[data-assignment-message]")).to_contain_text("generated offline")
    assignment_url = teacher.url
    assert_accessible(teacher, "assignment page")
    screenshot(teacher, "story-5-assignment-live")

    # The pupil, in a browser of their own, through the copied link.
    pupil = new_page(viewport="phone")
    pupil.goto(links[giulia])
    expect(pupil.get_by_role("heading", level=1)).to_be_visible()
    pupil.get_by_role("link").filter(has_text="passato prossimo").first.click()
    text_fields = pupil.locator("input[type='text']")
    choices = pupil.locator("fieldset")
    first = text_fields.first
    if text_fields.count():
        first.click()
        first.press_sequentially("perch")
        pupil.get_by_role("button", name="Insert é", exact=True).click()
        expect(first).to_have_value("perché")
        for index in range(1, text_fields.count()):
            text_fields.nth(index).fill("non lo so")
    for index in range(choices.count()):
        choices.nth(index).locator("input[type='radio']").first.check()
    screenshot(pupil, "story-6-pupil-answers")
    pupil.get_by_role("button", name="Save", exact=True).click()
    expect(pupil.get_by_role("status").first).to_contain_text("Saved")
    pupil.reload()
    if text_fields.count():
        expect(text_fields.first).to_have_value("perché")
    pupil.get_by_role("button", name="Hand in", exact=True).click()
    pupil.get_by_role("button", name="Hand in for good").click()
    expect(pupil.get_by_text("Score:")).to_be_visible()
    score_text = pupil.get_by_text("Score:").first.inner_text()
    screenshot(pupil, "story-7-pupil-results")

    # Marco's link shows nothing of Giulia's.
    other = new_page()
    other.goto(links[marco])
    expect(other.get_by_role("heading", level=1)).to_be_visible()
    assert giulia not in other.content() and "perché" not in other.content()

    # The teacher sees the score and downloads the results.
    teacher.goto(assignment_url)
    expect(teacher.get_by_text("1 of 2 handed in")).to_be_visible()
    score = score_text.split(":")[1].split("/")[0].strip()
    expect(teacher.locator("table").nth(1)).to_contain_text(score)
    expect(teacher.locator("svg[role='img']")).to_have_count(2)
    screenshot(teacher, "story-8-results")
    with teacher.expect_download() as download_info:
        teacher.get_by_role("link", name="Download results (CSV)").click()
    content = open(download_info.value.path(), encoding="utf-8-sig").read()
    results = {row["name"]: row for row in csv.DictReader(io.StringIO(content))}
    assert float(results[giulia]["score"]) == float(score)
    assert results[marco]["score"] == "" and results[giulia]["handed_in_at"]

    teacher.get_by_role("link", name=giulia).first.click()
    expect(teacher.get_by_role("heading", level=1)).to_contain_text(giulia)
    expect(teacher.get_by_text("Right answer").first).to_be_visible()
    assert_accessible(teacher, "a pupil's homework, teacher's view")
    screenshot(teacher, "story-9-teacher-homework")
