"""The teacher's assignment pages in process: create, live progress, results, CSV, homework."""

from __future__ import annotations

import csv
import io
import json

from tests.api.conftest import Api
from tests.api.pages.conftest import Browser


async def test_sign_in_page_and_wrong_password(api: Api) -> None:
    anonymous = Browser(api)
    page = await anonymous.client.get("/teacher/assignments/new")
    assert page.status_code == 303 and page.headers["location"].startswith("/?next=")
    wrong = await anonymous.sign_in(password="not-the-password")
    assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
    right = await anonymous.sign_in()
    assert right.status_code == 303
    cookie = right.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert (await anonymous.client.get("/")).headers["location"] == "/teacher"


async def test_forms_need_the_csrf_token_and_our_origin(browser: Browser) -> None:
    assert (await browser.client.post("/sign-out", data={})).status_code == 403
    forged = await browser.client.post("/sign-out", data={"csrf_token": "0" * 40})
    assert forged.status_code == 403 and "expired" in forged.text
    cross = await browser.post("/sign-out", headers={"Origin": "http://evil.example"})
    assert cross.status_code == 403
    out = await browser.post("/sign-out")
    assert out.status_code == 303
    assert (await browser.client.get("/teacher")).status_code == 303  # signed out


async def test_create_watch_and_read_results(browser: Browser, api: Api) -> None:
    giulia = await api.student("Giulia Rossi")
    marco = await api.student("Marco Neri")
    form = await browser.client.get("/teacher/assignments/new")
    assert form.status_code == 200
    assert "passato prossimo" in form.text  # focus suggestions from the offline generator
    bad = await browser.post(
        "/teacher/assignments",
        {"cefr_level": "A2", "quantity": "50", "exercise_types": ["translation"]},
    )
    assert bad.status_code == 422 and "Exercises per pupil" in bad.text
    created = await browser.post(
        "/teacher/assignments",
        {
            "all_students": "on",
            "cefr_level": "A2",
            "grammar_focus": "passato prossimo",
            "topic": "viaggi",
            "quantity": "4",
            "exercise_types": ["fill_in_blank", "multiple_choice"],
        },
    )
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    assignment_id = int(url.rsplit("/", 1)[1])
    done = await api.wait_done(assignment_id)
    assert sorted(done["student_ids"]) == sorted([giulia["id"], marco["id"]])

    progress = (await browser.client.get(f"{url}/progress")).json()
    assert progress["status"] == "completed"
    assert {h["status"] for h in progress["homework"]} == {"ready"}
    assert {h["source"] for h in progress["homework"]} == {"offline"}
    assert "generated offline" in progress["message"]

    async with browser.client.stream("GET", f"{url}/events") as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        body = ""
        async for chunk in events.aiter_text():
            body += chunk
            if "data:" in body:
                break
    data = json.loads(body.split("data:", 1)[1].splitlines()[0])
    assert data["status"] == "completed"

    # Giulia hands in; the results page shows her score, the average and the charts.
    homework = (await api.teacher_homework(giulia))[0]
    right = [e["correct_answer"] for e in homework["exercises"]]
    handed = await api.client.post(
        f"/api/student/{giulia['id']}/homework/{homework['id']}/submissions",
        json={"answers": right[:3] + ["sbagliato"]},
    )
    assert handed.json()["score"] == 75.0
    page = await browser.client.get(url)
    assert page.status_code == 200
    assert "1 of 2 handed in" in page.text and "class average <strong>75.0</strong>" in page.text
    assert page.text.count("<svg") == 2 and "Score distribution" in page.text
    assert "data-events-url" in page.text

    exported = await browser.client.get(f"{url}/results.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert {r["name"]: r["score"] for r in rows} == {"Giulia Rossi": "75.0", "Marco Neri": ""}

    full = await browser.client.get(f"/teacher/homework/{homework['id']}")
    assert full.status_code == 200 and right[0] in full.text and "sbagliato" in full.text


async def test_another_teachers_assignment_is_a_404_page(browser: Browser, api: Api) -> None:
    missing = await browser.client.get("/teacher/assignments/999999")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "Assignment 999999 not found" in missing.text
    silly = await browser.client.get("/teacher/assignments/99999999999999999999999")
    assert silly.status_code == 422 and "text/html" in silly.headers["content-type"]


async def test_a_focus_the_offline_generator_cannot_practise_is_said_on_the_page(
    browser: Browser, api: Api
) -> None:
    student = await api.student()
    created = await api.assignment([student["id"]], grammar_focus="fisica quantistica")
    assert created["warnings"], created
    page = await browser.client.get(f"/teacher/assignments/{created['id']}")
    assert page.status_code == 200
    assert "If the worker does not answer" in page.text
    assert created["resolved_focus"] in page.text
    for warning in created["warnings"]:
        assert warning.replace("'", "&#39;") in page.text or warning in page.text

    plain = await api.assignment([student["id"]], grammar_focus="passato prossimo")
    assert plain["warnings"] == []
    page = await browser.client.get(f"/teacher/assignments/{plain['id']}")
    assert "If the worker does not answer" not in page.text
