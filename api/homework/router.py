"""Student endpoints: fetch homework.

These are the hottest endpoints (every student polls them): each request runs one prepared
statement and serialises the row once, without validating what was validated before storing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from api.core.database import Database
from api.core.deps import DatabaseDep
from api.core.errors import responses
from api.homework import service, submissions
from api.homework.schemas import HomeworkRead, StatusFilter, SubmissionCreate, SubmissionRead

router = APIRouter(prefix="/api/student/{student_id}/homework", tags=["student: homework"])


def _list(database: Database, student_id: int, status: StatusFilter) -> bytes:
    with database.single_read() as db:
        items = service.list_for_student(db=db, student_id=student_id, status=status)
    return json.dumps(items, ensure_ascii=False).encode()


def _get(database: Database, student_id: int, homework_id: int) -> bytes:
    with database.single_read() as db:
        item = service.get_for_student(db=db, student_id=student_id, homework_id=homework_id)
    return json.dumps(item, ensure_ascii=False).encode()


async def _respond(database: Database, read: Callable[..., bytes], *args: object) -> Response:
    # A SQLite read of one indexed row takes less time than a hop to a worker thread, and WAL
    # readers never wait for writers, so it runs inline; a networked database gets a thread.
    if database.is_sqlite:
        content = read(database, *args)
    else:
        content = await run_in_threadpool(read, database, *args)
    return Response(content=content, media_type="application/json")


@router.get(
    "",
    summary="List a student's homework",
    response_model=list[HomeworkRead],
    responses=responses(404, 422),
)
async def list_homework(
    student_id: int,
    database: DatabaseDep,
    status: Annotated[
        StatusFilter, Query(description="Only homework in this status; `all` for every one.")
    ] = "all",
) -> Response:
    """The student's homework, newest first."""
    return await _respond(database, _list, student_id, status)


@router.get(
    "/{homework_id}",
    summary="Get one homework",
    response_model=HomeworkRead,
    responses=responses(404),
)
async def get_homework(student_id: int, homework_id: int, database: DatabaseDep) -> Response:
    """One homework with its exercises; another student's homework answers 404."""
    return await _respond(database, _get, student_id, homework_id)


@router.post(
    "/{homework_id}/submissions",
    summary="Submit answers (partial save or final)",
    responses=responses(404, 409, 422),
)
async def submit_answers(
    student_id: int, homework_id: int, data: SubmissionCreate, database: DatabaseDep
) -> SubmissionRead:
    """Save progress (final=false) or grade and complete the homework (final=true)."""

    def submit() -> SubmissionRead:
        with database.writing() as db:
            return submissions.submit(
                db=db, student_id=student_id, homework_id=homework_id, data=data
            )

    return await run_in_threadpool(submit)
