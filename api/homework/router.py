"""Student endpoints: fetch homework.

These are the hottest endpoints (every student polls them), so each request makes one hop to a
worker thread for its query and returns JSON serialised once, not validated a second time.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from api.core.database import Database
from api.core.deps import DatabaseDep
from api.core.errors import responses
from api.homework import service
from api.homework.schemas import HomeworkList, HomeworkRead, StatusFilter

router = APIRouter(prefix="/api/student/{student_id}/homework", tags=["student: homework"])


def _json(content: bytes) -> Response:
    return Response(content=content, media_type="application/json")


def _list(database: Database, student_id: int, status: StatusFilter) -> bytes:
    with database.reading() as db:
        items = service.list_for_student(db=db, student_id=student_id, status=status)
    return HomeworkList.dump_json(items)


def _get(database: Database, student_id: int, homework_id: int) -> bytes:
    with database.reading() as db:
        item = service.get_for_student(db=db, student_id=student_id, homework_id=homework_id)
    return item.model_dump_json().encode()


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
    return _json(await run_in_threadpool(_list, database, student_id, status))


@router.get(
    "/{homework_id}",
    summary="Get one homework",
    response_model=HomeworkRead,
    responses=responses(404),
)
async def get_homework(student_id: int, homework_id: int, database: DatabaseDep) -> Response:
    """One homework with its exercises; another student's homework answers 404."""
    return _json(await run_in_threadpool(_get, database, student_id, homework_id))
