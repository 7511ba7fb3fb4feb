"""The pupil's pages in process: the personal link, the homework form (save, hand in after a
confirmation), the results, and every failure as a page in plain words.

What a browser does with them (the accent bar, phones, axe) is in tests/browser/test_pupil_pages.py.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import update

from api.core.config import Settings
from api.homework.models import Homework
from tests.api.conftest import Api

Exercise = dict[str, Any]


class Markup(HTMLParser):
    """The elements of a page with their attributes, and its visible text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text_parts: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            found
            for name, found in self.elements
            if name == tag and all(found.get(key) == value for key, value in attrs.items())
        ]

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


def link_of(student: dict[str, Any]) -> str:
    """The path of the pupil's personal link."""
    return urlsplit(student["access_url"]).path


async def ready_homework(api: Api, name: str = "Giulia Rossi", **fields: Any) -> Any:
    """A pupil with one generated homework: (pupil, their link, the teacher's full view)."""
    student = await api.student(name)
    assignment = await api.assignment([student["id"]], **fields)
    await api.wait_done(assignment["id"])
    [homework] = await api.teacher_homework(student)
    assert homework["status"] == "available"
    return student, link_of(student), homework


def set_status(api: Api, homework_id: int, status: str) -> None:
    """Put a homework in a state the offline generator passes through too fast to see; one being
    generated gets a lease far ahead, so that the dispatcher leaves it alone."""
    lease = datetime(2999, 1, 1, tzinfo=UTC) if status == "generating" else None
    with api.app.state.database.writing() as db:
        db.execute(
            update(Homework)
            .where(Homework.id == homework_id)
            .values(status=status, lease_owner="test" if lease else None, lease_expires_at=lease)
        )


def right_answers(homework: dict[str, Any]) -> list[str | None]:
    """A right answer per exercise, as the form sends them."""
    return [exercise["correct_answer"] for exercise in homework["exercises"]]


def form(answers: Sequence[str | None], action: str | None = "save") -> dict[str, str]:
    fields = {f"answer-{i}": answer for i, answer in enumerate(answers) if answer is not None}
    return fields | ({"action": action} if action else {})


def secrets_of(homework: dict[str, Any]) -> list[str]:
    """What must not reach the pupil before the hand-in: the written exercises' right answers
    (a multiple-choice answer is one of the options, shown anyway) and every explanation, unless
    the text also appears in what the pupil may see."""
    shown = " ".join(
        [e["question"] for e in homework["exercises"]]
        + [option for e in homework["exercises"] for option in e["options"] or []]
    )
    hidden = [e["explanation"] for e in homework["exercises"]]
    for exercise in homework["exercises"]:
        if exercise["type"] != "multiple_choice":
            hidden += [exercise["correct_answer"], *(exercise.get("accepted_answers") or [])]
    return [secret for secret in hidden if secret not in shown]


def assert_hidden(page: str, homework: dict[str, Any]) -> None:
    secrets = secrets_of(homework)
    assert secrets
    for secret in secrets:
        assert secret not in page and html.escape(secret) not in page, secret


def assert_page(response: httpx.Response, status_code: int) -> Markup:
    """An HTML page (never JSON) with this status, kept out of caches."""
    assert response.status_code == status_code, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    return Markup(response.text)


async def test_the_list_shows_each_homework_under_its_state(api: Api) -> None:
    student, link, first = await ready_homework(api, quantity=3)
    more = await api.assignment([student["id"]], quantity=3, topic="cibo")
    await api.wait_done(more["id"])
    topics = ("casa", "sport", "scuola")
    extra = [await api.assignment([student["id"]], quantity=2, topic=t) for t in topics]
    for assignment in extra:
        await api.wait_done(assignment["id"])
    new, newest, preparing, second, _ = await api.teacher_homework(student)
    set_status(api, newest["id"], "failed")
    set_status(api, preparing["id"], "generating")
    await api.client.post(f"{link}/homework/{first['id']}", data=form(["x"]))
    await api.client.post(f"{link}/homework/{second['id']}", data=form(right_answers(second)))
    await api.client.post(f"{link}/homework/{second['id']}/hand-in")

    page = assert_page(await api.client.get(link), 200)

    text = page.text
    assert "Your homework" in text and student["name"] in text
    for heading in ("In progress", "New", "Being prepared", "Handed in", "Could not be prepared"):
        assert heading in text
    assert "it will be ready in a moment" in text
    assert "ask your teacher to set it again" in text
    assert "1 of 3 answered" in text
    assert "Score: 100 / 100" in text and "handed in on" in text
    links = {a["href"] for a in page.all("a")}
    for homework in (first, second, newest, preparing, new):
        assert f"{link}/homework/{homework['id']}" in links
    assert page.all("a", href=link)[0].get("aria-current") == "page"
    assert page.all("html")[0]["lang"] == "en"


async def test_a_pupil_without_homework_is_told_so(api: Api) -> None:
    student = await api.student()

    page = assert_page(await api.client.get(link_of(student)), 200)

    assert "hasn't set you any homework yet" in page.text


async def test_the_homework_page_has_a_labelled_field_per_exercise_and_no_right_answer(
    api: Api,
) -> None:
    _, link, homework = await ready_homework(api, quantity=6)

    response = await api.client.get(f"{link}/homework/{homework['id']}")

    page = assert_page(response, 200)
    [form_] = page.all("form", method="post")
    assert form_["action"] == f"{link}/homework/{homework['id']}"
    for index, exercise in enumerate(homework["exercises"]):
        name = f"answer-{index}"
        if exercise["type"] == "multiple_choice":
            radios = page.all("input", type="radio", name=name)
            assert [radio["value"] for radio in radios] == exercise["options"]
        else:
            [field] = page.all("input", type="text", name=name)
            assert field["id"] == name and page.all("label", **{"for": name})
            assert field["autocomplete"] == "off" and field["autocapitalize"] == "off"
            assert field["spellcheck"] == "false" and field["lang"] in ("it", "en")
        assert exercise["question"] in html.unescape(response.text)
    assert len(page.all("fieldset")) == len(page.all("legend"))
    assert page.all("button", name="action", value="save")
    assert page.all("button", name="action", value="hand_in")
    assert page.all("div", **{"data-accent-bar": ""})
    assert page.all("script", src="/static/accent.js")
    assert_hidden(response.text, homework)


async def test_saving_keeps_the_answers_after_a_reload(api: Api) -> None:
    student, link, homework = await ready_homework(api, quantity=6)
    answers: list[str | None] = [
        e["options"][1] if e["type"] == "multiple_choice" else f"città {i}"
        for i, e in enumerate(homework["exercises"])
    ]
    answers[0] = None  # left blank

    response = await api.client.post(f"{link}/homework/{homework['id']}", data=form(answers))

    assert response.status_code == 303
    assert response.headers["location"] == f"{link}/homework/{homework['id']}?saved=1#saved"
    reloaded = await api.client.get(response.headers["location"])
    page = assert_page(reloaded, 200)
    assert "Saved." in page.text
    for index, answer in enumerate(answers):
        if answer is None:
            continue
        if homework["exercises"][index]["type"] == "multiple_choice":
            [checked] = [r for r in page.all("input", name=f"answer-{index}") if "checked" in r]
            assert checked["value"] == answer
        else:
            assert page.all("input", name=f"answer-{index}")[0]["value"] == answer
    [saved] = await api.teacher_homework(student)
    assert saved["status"] == "in_progress" and saved["results"] is None
    assert saved["answers"] == answers
    assert_hidden(reloaded.text, homework)


async def test_hand_in_saves_first_then_asks_for_a_confirmation(api: Api) -> None:
    student, link, homework = await ready_homework(api, quantity=4)
    answers: list[str | None] = [None, *right_answers(homework)[1:3], None]
    page_url = f"{link}/homework/{homework['id']}"

    response = await api.client.post(page_url, data=form(answers, "hand_in"))

    assert response.status_code == 303
    assert response.headers["location"] == f"{page_url}/hand-in"
    [saved] = await api.teacher_homework(student)
    assert saved["status"] == "in_progress" and saved["answers"] == answers
    confirm = await api.client.get(response.headers["location"])
    page = assert_page(confirm, 200)
    assert "You answered 2 of 4 exercises. Once handed in, answers can't be changed." in page.text
    assert "Exercises 1 and 4 have no answer yet" in page.text
    [hand_in] = page.all("form", method="post")
    assert hand_in["action"] == f"{page_url}/hand-in"
    assert "Hand in for good" in page.text
    assert page.all("a", href=page_url)
    assert_hidden(confirm.text, homework)

    done = await api.client.post(f"{page_url}/hand-in")

    assert done.status_code == 303 and done.headers["location"] == page_url
    [graded] = await api.teacher_homework(student)
    assert graded["status"] == "completed" and graded["answers"] == answers
    # Once handed in, the confirmation page is the results page.
    assert "Score: 50 / 100" in assert_page(await api.client.get(f"{page_url}/hand-in"), 200).text


async def test_after_hand_in_the_page_shows_verdicts_right_answers_and_the_score(
    api: Api,
) -> None:
    student, link, homework = await ready_homework(api, quantity=5)
    answers: list[str | None] = list(right_answers(homework))
    answers[0] = "sbagliato del tutto"
    answers[1] = None
    page_url = f"{link}/homework/{homework['id']}"
    await api.client.post(page_url, data=form(answers, "hand_in"))
    await api.client.post(f"{page_url}/hand-in")

    response = await api.client.get(page_url)

    page = assert_page(response, 200)
    [graded] = await api.teacher_homework(student)
    text = html.unescape(response.text)
    assert f"Score: {graded['score']:g} / 100" in page.text
    assert not page.all("form") and not page.all("input")
    verdicts = [r["verdict"] for r in graded["results"]]
    assert verdicts[:2] == ["incorrect", "unanswered"]
    words = {"correct": "Correct", "incorrect": "Incorrect", "unanswered": "Not answered"}
    for result, exercise in zip(graded["results"], graded["exercises"], strict=True):
        assert exercise["correct_answer"] in text and exercise["explanation"] in text
        if result["verdict"] == "almost":
            assert f"Almost — {result['note']}" in page.text
        else:
            assert words[result["verdict"]] in page.text
    assert "sbagliato del tutto" in text
    assert [e["data-status"] for e in page.all("span") if "data-status" in e] == verdicts


async def test_an_unknown_or_replaced_link_is_a_page_that_says_so(api: Api) -> None:
    student, old_link, homework = await ready_homework(api, quantity=2)
    rotated = await api.client.post(f"/api/teacher/students/{student['id']}/access-token")
    assert rotated.status_code == 200
    message = "This link no longer works: ask your teacher for a new one"

    for path in (
        old_link,
        f"{old_link}/homework/{homework['id']}",
        "/s/its_made-up",
        "/s/itt_a-teacher-token",
        "/s/" + "its_" + "x" * 500,
    ):
        page = assert_page(await api.client.get(path), 404)
        assert message in page.text, path
        assert homework["exercises"][0]["question"] not in html.unescape(page.text)
    posted = await api.client.post(f"{old_link}/homework/{homework['id']}", data=form(["x"]))
    assert message in assert_page(posted, 404).text
    assert_page(await api.client.get(urlsplit(rotated.json()["access_url"]).path), 200)


async def test_another_pupils_homework_is_not_found(api: Api) -> None:
    _, _, giulia_homework = await ready_homework(api, "Giulia Rossi", quantity=2)
    _, marco_link, _ = await ready_homework(api, "Marco Bianchi", quantity=2)
    theirs = f"{marco_link}/homework/{giulia_homework['id']}"

    for response in (
        await api.client.get(theirs),
        await api.client.get(f"{theirs}/hand-in"),
        await api.client.post(theirs, data=form(["x"])),
        await api.client.post(f"{theirs}/hand-in"),
    ):
        page = assert_page(response, 404)
        assert "There is no such homework behind your link" in page.text
        assert giulia_homework["exercises"][0]["question"] not in html.unescape(response.text)
    for odd in ("abc", "0", "-1", "1.5", str(2**64), "١"):
        assert_page(await api.client.get(f"{marco_link}/homework/{odd}"), 404)


async def test_a_form_sent_from_another_site_is_refused(api: Api) -> None:
    student, link, homework = await ready_homework(api, quantity=2)
    page_url = f"{link}/homework/{homework['id']}"
    evil = {"Origin": "https://evil.example"}

    saved = await api.client.post(page_url, data=form(["x"]), headers=evil)
    handed_in = await api.client.post(f"{page_url}/hand-in", headers=evil)

    assert "another site" in assert_page(saved, 403).text
    assert_page(handed_in, 403)
    [untouched] = await api.teacher_homework(student)
    assert untouched["status"] == "available" and untouched["answers"] is None


async def test_sending_answers_after_the_hand_in_is_a_conflict_page(api: Api) -> None:
    _, link, homework = await ready_homework(api, quantity=2)
    page_url = f"{link}/homework/{homework['id']}"
    await api.client.post(page_url, data=form(right_answers(homework)))
    await api.client.post(f"{page_url}/hand-in")

    for response in (
        await api.client.post(page_url, data=form(["changed"])),
        await api.client.post(page_url, data=form(["changed"], "hand_in")),
        await api.client.post(f"{page_url}/hand-in"),
    ):
        page = assert_page(response, 409)
        assert "already handed in, so its answers can't be changed" in page.text
        assert "Score: 100 / 100" in page.text


async def test_a_homework_being_prepared_refreshes_itself_and_takes_no_answers(api: Api) -> None:
    _, link, homework = await ready_homework(api, quantity=2)
    set_status(api, homework["id"], "generating")
    page_url = f"{link}/homework/{homework['id']}"

    page = assert_page(await api.client.get(page_url), 200)
    refused = await api.client.post(page_url, data=form(["x"]))

    assert page.all("script", **{"data-reload-seconds": "5"})
    assert "being prepared" in page.text and not page.all("form")
    assert "not ready yet" in assert_page(refused, 409).text


async def test_a_failed_homework_says_to_ask_the_teacher(api: Api) -> None:
    _, link, homework = await ready_homework(api, quantity=2)
    set_status(api, homework["id"], "failed")

    page = assert_page(await api.client.get(f"{link}/homework/{homework['id']}"), 200)

    assert "could not be prepared" in page.text and not page.all(
        "script", **{"data-reload-seconds": True}
    )


async def test_an_answer_too_long_is_refused_and_kept_on_the_page(api: Api) -> None:
    student, link, homework = await ready_homework(
        api, quantity=2, exercise_types=["fill_in_blank"]
    )
    too_long = "a" * 501

    response = await api.client.post(
        f"{link}/homework/{homework['id']}", data=form(["tenuto", too_long])
    )

    page = assert_page(response, 422)
    assert "exercise 2 is too long" in page.text
    assert page.all("input", name="answer-0")[0]["value"] == "tenuto"
    [untouched] = await api.teacher_homework(student)
    assert untouched["answers"] is None


async def test_an_answer_with_control_characters_is_refused_and_kept_on_the_page(
    api: Api,
) -> None:
    student, link, homework = await ready_homework(
        api, quantity=2, exercise_types=["fill_in_blank"]
    )

    response = await api.client.post(
        f"{link}/homework/{homework['id']}", data=form(["tenuto", "ho\u0000visto"])
    )

    page = assert_page(response, 422)
    assert "exercise 2 contains invisible control characters" in page.text
    assert page.all("input", name="answer-0")[0]["value"] == "tenuto"
    [untouched] = await api.teacher_homework(student)
    assert untouched["answers"] is None


async def test_a_form_without_a_known_action_saves_nothing(api: Api) -> None:
    student, link, homework = await ready_homework(api, quantity=2)
    page_url = f"{link}/homework/{homework['id']}"

    odd = await api.client.post(page_url, data=form(["x"], "delete"))
    plain = await api.client.post(page_url, data=form(["x"], None))

    assert "Save or the Hand in button" in assert_page(odd, 422).text
    # Enter in a field without a submitter, or a script's form.submit(): a save.
    assert plain.status_code == 303
    [saved] = await api.teacher_homework(student)
    assert saved["answers"][0] == "x"


@pytest.fixture
async def strict_api(
    start_api: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> Api:
    """The API with a small per-token limit."""
    result: Api = await start_api(make_settings(requests_per_token="3/minute"))
    return result


async def test_too_many_requests_with_a_link_is_a_page_asking_to_wait(strict_api: Api) -> None:
    link = link_of(await strict_api.student())

    responses = [await strict_api.client.get(link) for _ in range(4)]

    assert [r.status_code for r in responses[:3]] == [200, 200, 200]
    page = assert_page(responses[3], 429)
    assert "wait" in page.text and int(responses[3].headers["retry-after"]) >= 1


async def test_a_body_that_is_no_form_is_a_page_not_json(api: Api) -> None:
    _, link, homework = await ready_homework(api, quantity=2)

    response = await api.client.post(
        f"{link}/homework/{homework['id']}",
        content=b"--x\r\n",
        headers={"Content-Type": "multipart/form-data"},  # no boundary
    )

    assert "could not be read" in assert_page(response, 400).text
