"""The teacher's students and classes pages in Chromium: sign in, paste a roster, read the report,
copy a pupil's link, use the class made by the import, delete a pupil; axe on every page; a phone
without horizontal scrolling; keyboard only."""

from __future__ import annotations

import re
import secrets

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.support import TEACHER_EMAIL, TEACHER_PASSWORD, PageFactory, Screenshot

AXE = Axe()
CLIPBOARD = ["clipboard-read", "clipboard-write"]


def sign_in(page: Page) -> None:
    page.goto("/teacher/students")  # anonymous: sent to sign in, and back here after
    page.get_by_label("Email").fill(TEACHER_EMAIL)
    page.get_by_label("Password").fill(TEACHER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Students and classes", level=1)).to_be_visible()


def serious_violations(page: Page) -> list[str]:
    """What axe-core finds that keeps someone from using the page."""
    violations = AXE.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]


# Elements that stick out of the right edge of the page (what a phone would scroll sideways to).
TOO_WIDE = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter((e) => !e.closest(".table-scroll, .visually-hidden"))
  .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + "." + e.className)"""


def check(page: Page, screenshot: Screenshot, name: str) -> None:
    """No serious accessibility problem, no sideways scrolling, and a screenshot to look at."""
    screenshot(page, name)
    assert serious_violations(page) == [], name
    assert page.evaluate(TOO_WIDE) == [], f"{name} scrolls sideways"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("document.documentElement.clientWidth"), name


def a_roster(tag: str) -> tuple[str, list[str]]:
    """A pasted roster of three pupils, the second with a broken email; the good names."""
    names = [f"Giulia Rossi {tag}", f"Marco Neri {tag}", f"Sofia Esposito {tag}"]
    text = (
        "nome;email\n"
        f"{names[0]};giulia.{tag}@example.com\n"
        f"{names[1]};marco.{tag}-at-example.com\n"
        f"{names[2]};sofia.{tag}@example.com\n"
    )
    return text, [names[0], names[2]]


def test_paste_a_roster_copy_a_link_and_manage_the_class(
    new_page: PageFactory, screenshot: Screenshot
) -> None:
    page = new_page(permissions=CLIPBOARD)
    sign_in(page)
    check(page, screenshot, "teacher-students-laptop")
    tag = secrets.token_hex(3)
    roster, (giulia, sofia) = a_roster(tag)

    page.get_by_label("Paste a roster").fill(roster)
    page.get_by_label("Or to a new class named").fill(f"3B {tag}")
    page.get_by_role("button", name="Import roster").click()

    expect(page.get_by_role("heading", name="Roster imported")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("2 pupils added, 1 row refused")
    report = page.get_by_role("region", name="Report, row by row")
    expect(report.get_by_role("row")).to_have_count(4)
    expect(report.get_by_role("row").nth(2)).to_contain_text("refused invalid email address")
    link = page.get_by_label(f"Link for {giulia}")
    expect(link).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/s/its_"))
    check(page, screenshot, "teacher-students-import-laptop")

    page.get_by_role("button", name=f"Copy link for {giulia}").click()
    expect(page.locator(".copy-status").first).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link.input_value()

    page.get_by_role("link", name=f"Open class 3B {tag}").click()
    expect(page.get_by_role("heading", name=f"Class 3B {tag}")).to_be_visible()
    members = page.get_by_role("region", name=f"Students in 3B {tag}")
    expect(members.get_by_role("row")).to_have_count(3)
    check(page, screenshot, "teacher-class-laptop")
    page.get_by_role("button", name=f"Remove {sofia} from class").click()
    expect(page.get_by_role("status")).to_contain_text("taken out of the class")
    expect(members.get_by_role("row")).to_have_count(2)
    page.get_by_label(sofia).check()
    page.get_by_role("button", name=f"Add to 3B {tag}").click()
    expect(members.get_by_role("row")).to_have_count(3)

    page.goto("/teacher/students")
    page.get_by_role("link", name=f"Delete {sofia}").click()
    expect(page.get_by_role("heading", name=f"Delete {sofia}?")).to_be_visible()
    check(page, screenshot, "teacher-students-delete-laptop")
    page.get_by_role("button", name=f"Delete {sofia}").click()
    expect(page.get_by_role("status")).to_contain_text("were deleted")
    names = page.locator(".students-table .student-name")
    expect(names.filter(has_text=sofia)).to_have_count(0)
    expect(names.filter(has_text=giulia)).to_be_visible()
    assert new_page.problems() == []


def test_errors_are_announced_next_to_their_fields(
    new_page: PageFactory, screenshot: Screenshot
) -> None:
    # Chromium logs the 422 of the refused form as a console error; that is the point here.
    page = new_page(allow_console=["status of 422"])
    sign_in(page)
    page.get_by_label("Paste a roster").fill("")
    page.get_by_role("button", name="Import roster").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The roster has no students")
    alert.get_by_role("link").click()
    expect(page.get_by_label("Paste a roster")).to_be_focused()
    expect(page.get_by_label("Paste a roster")).to_have_attribute("aria-invalid", "true")
    check(page, screenshot, "teacher-students-error-laptop")


def test_a_phone_keyboard_only(new_page: PageFactory, screenshot: Screenshot) -> None:
    page = new_page(viewport="phone")
    sign_in(page)
    check(page, screenshot, "teacher-students-phone")
    tag = secrets.token_hex(3)

    # Keyboard only: Tab between fields, Enter to send, Tab to the Copy button, Enter to copy.
    page.get_by_label("Name", exact=True).focus()
    page.keyboard.type(f"Luca Romano {tag}")
    page.keyboard.press("Tab")
    page.keyboard.type(f"luca.{tag}@example.com")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Luca Romano {tag} added")).to_be_visible()
    field = page.get_by_label(f"Link for Luca Romano {tag}")
    field.focus()
    page.keyboard.press("Tab")
    copy = page.get_by_role("button", name=f"Copy link for Luca Romano {tag}")
    expect(copy).to_be_focused()
    page.keyboard.press("Enter")
    # No clipboard permission here: the link is copied by selection, or left selected for Ctrl+C.
    expect(page.locator(".copy-status")).to_have_text(re.compile("Link copied|press Ctrl"))
    check(page, screenshot, "teacher-students-link-phone")

    page.goto("/teacher/students")
    roster, _ = a_roster(tag)
    page.get_by_label("Paste a roster").fill(roster)
    page.get_by_label("Or to a new class named").fill(f"4C {tag}")
    page.get_by_role("button", name="Import roster").click()
    expect(page.get_by_role("heading", name="Roster imported")).to_be_visible()
    check(page, screenshot, "teacher-students-import-phone")

    page.get_by_role("link", name=f"Open class 4C {tag}").click()
    check(page, screenshot, "teacher-class-phone")
    page.get_by_role("button", name=f"Delete class 4C {tag}").click()
    expect(page.get_by_role("status")).to_contain_text("The class was deleted")
    page.get_by_role("button", name=f"New link for Luca Romano {tag}").click()
    expect(page.get_by_role("status").first).to_contain_text("previous link")
    assert new_page.problems() == []


def test_the_generation_page_on_a_phone(new_page: PageFactory, screenshot: Screenshot) -> None:
    # Chromium logs the 409 of the refused check as a console error; that is the point here.
    page = new_page(viewport="phone", allow_console=["status of 409"])
    sign_in(page)
    page.get_by_role("link", name="Generation").click()
    expect(page.get_by_role("heading", name="Generation", level=1)).to_be_visible()
    check(page, screenshot, "teacher-workers-phone")
    # A URL that cannot be a worker: the error is announced next to its field.
    page.get_by_label("URL").first.fill("http://127.0.0.1:9")
    page.get_by_role("button", name="Check and switch").click()
    expect(page.get_by_role("alert")).to_contain_text("did not pass its check")
    check(page, screenshot, "teacher-workers-refused-phone")
    assert new_page.problems() == []
