"""Submitting answers: partial saves, grading, states, conflicts, and the teacher's results."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import update

from api.homework.models import Homework
from api.homework.submissions import grade_exercises
from tests.api.conftest import Api


async def _homework(api: Api, **fields: Any) -> tuple[dict[str, Any], dict[str, Any], str]:
    student = await api.student()
    created = await api.assignment([student["id"]], **fields)
    await api.wait_done(created["id"])
    homework = (await api.teacher_homework(student))[0]
    url = f"/api/student/{student['id']}/homework/{homework['id']}/submissions"
    return student, homework, url


def _right_answers(homework: dict[str, Any]) -> list[str]:
    return [e["correct_answer"] for e in homework["exercises"]]


async def test_partial_save_then_final_grading(api: Api) -> None:
    student, homework, url = await _homework(api, quantity=4)
    right = _right_answers(homework)

    saved = await api.client.post(url, json={"answers": right[:2], "final": False})
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["status"] == "in_progress" and body["answered"] == 2 and body["total"] == 4
    assert body["score"] is None and body["results"] == []
    fetched = (
        await api.client.get(f"/api/student/{student['id']}/homework/{homework['id']}")
    ).json()
    assert fetched["status"] == "in_progress"
    assert fetched["answers"][:2] == right[:2] and fetched["started_at"]

    wrong = "zzz sbagliato"
    final = await api.client.post(url, json={"answers": [right[0], wrong, right[2], None]})
    assert final.status_code == 200
    graded = final.json()
    assert graded["status"] == "completed"
    assert [r["verdict"] for r in graded["results"]] == [
        "correct",
        "incorrect",
        "correct",
        "unanswered",
    ]
    assert graded["score"] == 50.0
    assert all(r["expected"] and r["explanation"] for r in graded["results"])
    assert graded["submitted_at"]

    again = await api.client.post(url, json={"answers": right})
    assert again.status_code == 409
    assert "already submitted" in again.json()["detail"]


async def test_a_later_save_replaces_the_earlier_one(api: Api) -> None:
    student, homework, url = await _homework(api, quantity=3)
    right = _right_answers(homework)
    first = await api.client.post(url, json={"answers": right, "final": False})
    started = first.json()["started_at"]
    second = await api.client.post(url, json={"answers": [None, right[1]], "final": False})
    assert second.json()["answered"] == 1 and second.json()["started_at"] == started
    fetched = (
        await api.client.get(f"/api/student/{student['id']}/homework/{homework['id']}")
    ).json()
    assert fetched["answers"] == [None, right[1], None]
    assert fetched["results"] is None and fetched["score"] is None

    graded = (await api.client.post(url, json={"answers": right})).json()
    fetched = (
        await api.client.get(f"/api/student/{student['id']}/homework/{homework['id']}")
    ).json()
    assert fetched["status"] == "completed" and fetched["score"] == graded["score"] == 100.0
    assert fetched["results"] == graded["results"]
    assert fetched["submitted_at"] == graded["submitted_at"]
    assert fetched["started_at"] == started
    completed = await api.client.get(f"/api/student/{student['id']}/homework?status=completed")
    assert [h["id"] for h in completed.json()] == [homework["id"]]


EXERCISES: list[dict[str, Any]] = [
    {
        "type": "multiple_choice",
        "question": "Lui ___ italiano.",
        "correct_answer": "è",
        "options": ["e", "è", "ha", "a"],
        "explanation": "'Essere': lui è.",
    },
    {
        "type": "translation",
        "question": "I have breakfast at home.",
        "correct_answer": "Faccio colazione a casa.",
        "options": None,
        "explanation": "'Fare colazione'.",
        "accepted_answers": ["Faccio colazione in casa."],
    },
    {
        "type": "fill_in_blank",
        "question": "Non so ___ (perché) è partito.",
        "correct_answer": "perché",
        "options": None,
        "explanation": "Accent on the final e.",
    },
]


@pytest.mark.parametrize(
    ("answers", "verdicts", "score"),
    [
        ([1, "Faccio colazione a casa", "perché"], ["correct"] * 3, 100.0),
        (["è", "faccio colazione in casa.", "perche'"], ["correct", "almost", "almost"], 66.7),
        (["e", "Faccio colazione in casa", "perche"], ["incorrect", "correct", "almost"], 50.0),
        ([0, "Mangio a casa", None], ["incorrect", "incorrect", "unanswered"], 0.0),
        (["2", " ", "perchè"], ["incorrect", "unanswered", "almost"], 16.7),
    ],
)
def test_verdicts_and_score(answers: list[Any], verdicts: list[str], score: float) -> None:
    results, total = grade_exercises(EXERCISES, answers)
    assert [r.verdict for r in results] == verdicts
    assert total == score
    assert [r.expected for r in results] == ["è", "Faccio colazione a casa.", "perché"]
    for result in results:
        assert (result.note is not None) == (result.verdict in ("almost", "unanswered"))


async def test_almost_scores_half_and_multiple_choice_takes_an_index(api: Api) -> None:
    _, homework, url = await _homework(api, quantity=2, exercise_types=["multiple_choice"])
    exercises = homework["exercises"]
    index = exercises[0]["options"].index(exercises[0]["correct_answer"])
    upper = exercises[1]["correct_answer"].upper()
    graded = (await api.client.post(url, json={"answers": [index, upper]})).json()
    assert graded["results"][0]["verdict"] == "correct"
    expected_second = "correct" if upper == exercises[1]["correct_answer"] else "almost"
    assert graded["results"][1]["verdict"] == expected_second
    assert graded["score"] == (100.0 if expected_second == "correct" else 75.0)


async def test_bad_submissions_are_refused_and_nothing_is_written(api: Api) -> None:
    student, homework, url = await _homework(api, quantity=2, exercise_types=["multiple_choice"])
    too_many = await api.client.post(url, json={"answers": ["a", "b", "c"]})
    assert too_many.status_code == 422 and "3 answers" in too_many.json()["detail"]
    bad_index = await api.client.post(url, json={"answers": [7]})
    assert bad_index.status_code == 422 and "index 7" in bad_index.json()["detail"]
    too_long = await api.client.post(url, json={"answers": ["x" * 501]})
    assert too_long.status_code == 422
    for hidden in ("sono\u0000andato", "sono\u202eandato", "\u001b[31msono"):
        control = await api.client.post(url, json={"answers": [hidden]})
        assert control.status_code == 422, hidden
        assert "answers" in control.json()["detail"] and "control" in control.json()["detail"]
    missing = await api.client.post(url, json={})
    assert missing.status_code == 422 and "answers" in missing.json()["detail"]
    not_an_index = await api.client.post(url, json={"answers": [True]})
    assert not_an_index.status_code == 422
    unknown_field = await api.client.post(url, json={"answers": [], "finale": True})
    assert unknown_field.status_code == 422
    fetched = (
        await api.client.get(f"/api/student/{student['id']}/homework/{homework['id']}")
    ).json()
    assert fetched["status"] == "available" and fetched["answers"] is None

    other = await api.student("Altro")
    foreign = await api.client.post(
        f"/api/student/{other['id']}/homework/{homework['id']}/submissions", json={"answers": []}
    )
    assert foreign.status_code == 404


async def test_concurrent_final_submissions_complete_once(api: Api) -> None:
    _, homework, url = await _homework(api, quantity=3)
    right = _right_answers(homework)
    responses = await asyncio.gather(
        *(api.client.post(url, json={"answers": right}) for _ in range(5))
    )
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409, 409]


async def test_teacher_results(api: Api) -> None:
    giulia = await api.student("Giulia")
    marco = await api.student("Marco")
    created = await api.assignment(
        [giulia["id"], marco["id"]], quantity=3, exercise_types=["fill_in_blank"]
    )
    await api.wait_done(created["id"])
    for student, correct in ((giulia, 3), (marco, 1)):
        homework = (await api.teacher_homework(student))[0]
        answers = _right_answers(homework)[:correct] + ["no"] * (3 - correct)
        url = f"/api/student/{student['id']}/homework/{homework['id']}/submissions"
        assert (await api.client.post(url, json={"answers": answers})).status_code == 200

    results = (await api.client.get(f"/api/teacher/assignments/{created['id']}/results")).json()
    assert results["submitted"] == 2 and results["total_students"] == 2
    scores = {s["name"]: s["score"] for s in results["students"]}
    assert scores == {"Giulia": 100.0, "Marco": 33.3}
    assert results["average_score"] == 66.7
    assert all(s["submitted_at"] for s in results["students"])
    assert len(results["most_missed"]) == 2
    assert all(m["missed"] == 1 and m["attempted"] >= 1 for m in results["most_missed"])
    assert results["missed_by_type"] == [{"type": "fill_in_blank", "missed": 2, "attempted": 6}]
    missing = await api.client.get("/api/teacher/assignments/999/results")
    assert missing.status_code == 404


async def test_pending_homework_cannot_be_submitted(start_api: Any, make_settings: Any) -> None:
    api: Api = await start_api(
        make_settings(generation_poll_seconds=60, generation_lease_seconds=120)
    )
    api.app.state.dispatcher.wake = lambda: None  # keep the homework pending for this test
    student = await api.student()
    await api.assignment([student["id"]], quantity=2)
    homework = (await api.teacher_homework(student))[0]
    assert homework["status"] == "pending"
    response = await api.client.post(
        f"/api/student/{student['id']}/homework/{homework['id']}/submissions",
        json={"answers": ["x"]},
    )
    assert response.status_code == 409
    assert "still being generated" in response.json()["detail"]


async def test_failed_homework_cannot_be_submitted(api: Api) -> None:
    student, homework, url = await _homework(api, quantity=2)
    with api.app.state.database.writing() as db:
        db.execute(update(Homework).where(Homework.id == homework["id"]).values(status="failed"))
    response = await api.client.post(url, json={"answers": ["x"]})
    assert response.status_code == 409
    assert "could not be generated" in response.json()["detail"]


async def test_results_before_anyone_submits(api: Api) -> None:
    student = await api.student()
    created = await api.assignment([student["id"]], quantity=2)
    await api.wait_done(created["id"])
    results = (await api.client.get(f"/api/teacher/assignments/{created['id']}/results")).json()
    assert results["submitted"] == 0 and results["average_score"] is None
    assert results["most_missed"] == [] and results["missed_by_type"] == []
    assert results["students"][0]["status"] == "available"
    assert results["students"][0]["score"] is None
