"""The student's homework endpoints."""

from __future__ import annotations

from tests.api.conftest import Api


async def test_student_sees_only_their_homework(api: Api) -> None:
    giulia = await api.student("Giulia")
    marco = await api.student("Marco")
    created = await api.assignment([giulia["id"], marco["id"]], quantity=3)
    await api.wait_done(created["id"])

    giulias = (await api.client.get(f"/api/student/{giulia['id']}/homework")).json()
    marcos = (await api.client.get(f"/api/student/{marco['id']}/homework")).json()
    assert len(giulias) == len(marcos) == 1
    homework = giulias[0]
    assert homework["assignment_id"] == created["id"]
    assert homework["cefr_level"] == "A2" and homework["topic"] == "viaggi"

    own = await api.client.get(f"/api/student/{giulia['id']}/homework/{homework['id']}")
    assert own.status_code == 200
    assert own.json() == homework
    other = await api.client.get(f"/api/student/{marco['id']}/homework/{homework['id']}")
    assert other.status_code == 404
    assert str(homework["id"]) in other.json()["detail"]


async def test_status_filter(api: Api) -> None:
    student = await api.student()
    created = await api.assignment([student["id"]], quantity=2)
    await api.wait_done(created["id"])
    url = f"/api/student/{student['id']}/homework"
    assert len((await api.client.get(url, params={"status": "available"})).json()) == 1
    assert (await api.client.get(url, params={"status": "pending"})).json() == []
    assert len((await api.client.get(url, params={"status": "all"})).json()) == 1
    bad = await api.client.get(url, params={"status": "done"})
    assert bad.status_code == 422
    assert "done" in bad.json()["detail"]


async def test_unknown_student_or_homework_is_404(api: Api) -> None:
    student = await api.student()
    someone_else = await api.client.get(
        "/api/student/77/homework", headers=api.pupil_headers(student)
    )
    assert someone_else.status_code == 404
    missing = await api.client.get(f"/api/student/{student['id']}/homework/999")
    assert missing.status_code == 404


async def test_multiple_choice_has_four_unique_options_with_the_answer(api: Api) -> None:
    student = await api.student()
    created = await api.assignment(
        [student["id"]], quantity=8, exercise_types=["multiple_choice"], grammar_focus="articoli"
    )
    await api.wait_done(created["id"])
    homework = (await api.teacher_homework(student))[0]
    assert len(homework["exercises"]) == 8
    for exercise in homework["exercises"]:
        assert exercise["type"] == "multiple_choice"
        assert len(exercise["options"]) == 4
        assert len(set(exercise["options"])) == 4
        assert exercise["correct_answer"] in exercise["options"]
        assert exercise["explanation"]
