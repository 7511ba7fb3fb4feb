"""The teacher's pages for assignments: create one, watch it being generated live, read the
results (with charts and a CSV download) and any pupil's homework."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from sse_starlette import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from api.assignments import results as assignment_results
from api.assignments import service as assignments
from api.assignments.schemas import AssignmentCreate
from api.classes import service as classes
from api.core.errors import AppError
from api.core.ids import AssignmentIdPath, HomeworkIdPath
from api.generation.offline import KNOWN_GRAMMAR_FOCUSES, KNOWN_TOPICS
from api.homework import service as homework
from api.pages import charts
from api.pages.session import check_form
from api.pages.teacher import teacher_of
from api.pages.templates import render
from api.students import service as students
from inference_worker.contract import EXERCISE_TYPES

router = APIRouter(include_in_schema=False)

CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
EVENT_INTERVAL_SECONDS = 1.0
FINAL = ("completed", "failed")


def _form_choices(db: Any, teacher_id: int) -> dict[str, Any]:
    rows, _ = students.list_(db=db, teacher_id=teacher_id, limit=1000, offset=0)
    return {
        "students": rows,
        "classes": classes.read(db=db, classes=classes.list_(db=db, teacher_id=teacher_id)),
        "levels": CEFR_LEVELS,
        "focuses": KNOWN_GRAMMAR_FOCUSES,
        "topics": KNOWN_TOPICS,
        "exercise_types": EXERCISE_TYPES,
    }


@router.get("/teacher/assignments/new")
async def new_assignment(request: Request) -> Response:
    """The form for a new assignment."""
    teacher = await teacher_of(request)
    database = request.app.state.database

    def load() -> dict[str, Any]:
        with database.reading() as db:
            return _form_choices(db, teacher.id)

    form = {"cefr_level": "A2", "quantity": 5, "exercise_types": list(EXERCISE_TYPES)}
    return render(
        request, "teacher/assignment_new.html", await run_in_threadpool(load) | {"form": form}
    )


@router.post("/teacher/assignments")
async def create_assignment(request: Request) -> Response:
    """Create the assignment from the form, then show it being generated."""
    teacher = await teacher_of(request)
    data = await request.form()
    await check_form(request, str(data.get("csrf_token") or ""))
    database = request.app.state.database
    everyone = data.get("all_students") == "on"
    form: dict[str, Any] = {
        "cefr_level": str(data.get("cefr_level", "")),
        "grammar_focus": str(data.get("grammar_focus", "")),
        "topic": str(data.get("topic", "")),
        "quantity": str(data.get("quantity", "")),
        "exercise_types": [str(v) for v in data.getlist("exercise_types")],
        "student_ids": [str(v) for v in data.getlist("student_ids")],
        "class_id": str(data.get("class_id") or ""),
        "all_students": everyone,
    }
    errors: list[str] = []

    def create() -> int:
        with database.writing() as db:
            student_ids = form["student_ids"]
            if everyone:
                rows, _ = students.list_(db=db, teacher_id=teacher.id, limit=100_000, offset=0)
                student_ids = [str(s.id) for s in rows]
            payload = AssignmentCreate.model_validate(
                {
                    "cefr_level": form["cefr_level"],
                    "grammar_focus": form["grammar_focus"],
                    "topic": form["topic"],
                    "quantity": int(form["quantity"]) if str(form["quantity"]).isdigit() else -1,
                    "exercise_types": form["exercise_types"] or [],
                    "student_ids": [int(i) for i in student_ids if i.isdigit()],
                    "class_id": int(form["class_id"]) if form["class_id"].isdigit() else None,
                }
            )
            return assignments.create(db=db, teacher_id=teacher.id, data=payload).id

    try:
        assignment_id = await run_in_threadpool(create)
    except ValidationError as exc:
        errors = [_plain(e) for e in exc.errors()]
    except AppError as exc:
        errors = [exc.detail]
    else:
        request.app.state.dispatcher.wake()
        return RedirectResponse(f"/teacher/assignments/{assignment_id}", status_code=303)

    def load() -> dict[str, Any]:
        with database.reading() as db:
            return _form_choices(db, teacher.id)

    return render(
        request,
        "teacher/assignment_new.html",
        await run_in_threadpool(load) | {"form": form, "errors": errors},
        status_code=422,
    )


_FIELD_NAMES = {
    "cefr_level": "Level",
    "grammar_focus": "Grammar focus",
    "topic": "Topic",
    "quantity": "Exercises per pupil",
    "exercise_types": "Exercise types",
    "student_ids": "Pupils",
    "class_id": "Class",
}


def _plain(error: Any) -> str:
    field = str(error["loc"][0]) if error.get("loc") else ""
    message = str(error["msg"]).removeprefix("Value error, ")
    if field == "quantity":
        message = "choose a number from 1 to 20"
    elif field == "exercise_types" and error.get("type") == "too_short":
        message = "choose at least one"
    return f"{_FIELD_NAMES.get(field, field or 'Form')}: {message}"


def _load_assignment(request: Request, teacher_id: int, assignment_id: int) -> dict[str, Any]:
    database = request.app.state.database
    with database.reading() as db:
        assignment = assignments.get(db=db, teacher_id=teacher_id, assignment_id=assignment_id)
        read = assignments.read(db=db, assignments=[assignment])[0]
        outcome = assignment_results.results(
            db=db, teacher_id=teacher_id, assignment_id=assignment_id
        )
        live = assignments.progress(db=db, teacher_id=teacher_id, assignment_id=assignment_id)
        class_name = None
        if read.class_id is not None:
            class_name = classes.get(db=db, teacher_id=teacher_id, class_id=read.class_id).name
    return {
        "assignment": read,
        "results": outcome,
        "progress": live,
        "class_name": class_name,
        "score_chart": charts.score_distribution(outcome),
        "type_chart": charts.misses_by_type(outcome),
        "chart_width": charts.WIDTH,
        "chart_label_width": charts.LABEL_WIDTH,
    }


@router.get("/teacher/assignments/{assignment_id}")
async def assignment_page(request: Request, assignment_id: AssignmentIdPath) -> Response:
    """Generation live, then results: scores, average, most missed, charts."""
    teacher = await teacher_of(request)
    context = await run_in_threadpool(_load_assignment, request, teacher.id, assignment_id)
    return render(request, "teacher/assignment.html", context)


async def _progress(request: Request, teacher_id: int, assignment_id: int) -> dict[str, Any]:
    database = request.app.state.database

    def load(db: Session) -> dict[str, Any]:
        return assignments.progress(db=db, teacher_id=teacher_id, assignment_id=assignment_id)

    state = await database.read(load)
    # Tokens so far, as a streaming worker reports them, for homework being generated here.
    dispatcher = request.app.state.dispatcher
    for item in state["homework"]:
        item["generated_tokens"] = (
            dispatcher.generated_tokens(item["homework_id"])
            if item["status"] == "generating"
            else None
        )
    return state


@router.get("/teacher/assignments/{assignment_id}/progress")
async def assignment_progress(request: Request, assignment_id: AssignmentIdPath) -> Response:
    """The live state as JSON, for the page's polling fallback."""
    teacher = await teacher_of(request)
    return JSONResponse(await _progress(request, teacher.id, assignment_id))


@router.get("/teacher/assignments/{assignment_id}/events")
async def assignment_events(request: Request, assignment_id: AssignmentIdPath) -> Response:
    """The live state as Server-Sent Events: one event whenever it changes, until it is done."""
    teacher = await teacher_of(request)
    first = await _progress(request, teacher.id, assignment_id)  # 404 before the stream starts

    async def stream() -> AsyncIterator[dict[str, str]]:
        state, last = first, ""
        while True:
            text = json.dumps(state, ensure_ascii=False)
            if text != last:
                yield {"event": "progress", "data": text}
                last = text
            if state["status"] in FINAL or await request.is_disconnected():
                return
            await asyncio.sleep(EVENT_INTERVAL_SECONDS)
            state = await _progress(request, teacher.id, assignment_id)

    return EventSourceResponse(stream(), ping=15)


@router.get("/teacher/assignments/{assignment_id}/results.csv")
async def results_csv(request: Request, assignment_id: AssignmentIdPath) -> Response:
    """Each pupil's status, score and hand-in time, as a spreadsheet file."""
    teacher = await teacher_of(request)
    context = await run_in_threadpool(_load_assignment, request, teacher.id, assignment_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student_id", "name", "status", "score", "answered", "total", "handed_in_at"])
    for row in context["results"].students:
        writer.writerow(
            [
                row.student_id,
                _spreadsheet_safe(row.name),
                row.status,
                "" if row.score is None else row.score,
                row.answered,
                row.total,
                row.submitted_at.isoformat() if row.submitted_at else "",
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),  # the BOM makes Excel read UTF-8 names correctly
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="assignment-{assignment_id}-results.csv"'
        },
    )


def _spreadsheet_safe(text: str) -> str:
    """A name a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@router.post("/teacher/assignments/{assignment_id}/delete")
async def delete_assignment(
    request: Request,
    assignment_id: AssignmentIdPath,
    csrf_token: Annotated[str | None, Form(max_length=100)] = None,
) -> Response:
    """Delete the assignment and its homework."""
    teacher = await teacher_of(request)
    await check_form(request, csrf_token)
    database = request.app.state.database

    def delete(db: Session) -> None:
        assignments.delete(db=db, teacher_id=teacher.id, assignment_id=assignment_id)

    await database.write(delete)
    return RedirectResponse("/teacher", status_code=303)


@router.get("/teacher/homework/{homework_id}")
async def homework_page(request: Request, homework_id: HomeworkIdPath) -> Response:
    """One pupil's homework with the right answers, their answers and the verdicts."""
    teacher = await teacher_of(request)
    database = request.app.state.database

    def load() -> dict[str, Any]:
        with database.single_read() as db:
            return homework.get_for_teacher(db=db, teacher_id=teacher.id, homework_id=homework_id)

    item = await database.run(load)
    results = item.get("results") or []
    answers = item.get("answers") or []
    rows = [
        {
            "exercise": exercise,
            "answer": answers[i] if i < len(answers) else None,
            "result": results[i] if i < len(results) else None,
        }
        for i, exercise in enumerate(item["exercises"])
    ]
    return render(request, "teacher/homework.html", {"homework": item, "rows": rows})
