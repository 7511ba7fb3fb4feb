"""Homework endpoints: the pupil's own (with their access token) and the teacher's view.

The pupil's reads are the hottest endpoints (every pupil polls them): each request runs one
prepared statement and serialises the row once, without validating what was validated before
storing.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from api.accounts.dependencies import (
    PUPIL_SECURITY,
    CurrentStudent,
    CurrentTeacher,
    PupilToken,
    PupilTokenDep,
)
from api.assignments import service as assignments
from api.core.database import Database
from api.core.deps import DatabaseDep
from api.core.errors import responses
from api.core.ids import AssignmentIdPath, HomeworkIdPath, StudentIdPath
from api.core.routing import operation_id
from api.homework import service, submissions
from api.homework.schemas import (
    HomeworkRead,
    StatusFilter,
    SubmissionCreate,
    SubmissionRead,
    TeacherHomeworkRead,
)

router = APIRouter(
    prefix="/api/student/{student_id}/homework",
    tags=["pupil: homework"],
    responses=responses(401, 403, 404),
    generate_unique_id_function=operation_id,
)
teacher_router = APIRouter(
    prefix="/api/teacher", tags=["teacher: homework"], generate_unique_id_function=operation_id
)


def _json(data: Any) -> Response:
    return Response(content=json.dumps(data, ensure_ascii=False), media_type="application/json")


def _as_pupil(request: Request, pupil: PupilToken, rows: Any) -> Response:
    """A pupil's read, whose statement checked the token itself; then the token's rate limit."""
    request.app.state.rate_limits.hit_token(pupil.token_hash)
    return _json(rows)


@router.get(
    "",
    summary="List your homework (pupil)",
    openapi_extra=PUPIL_SECURITY,
    response_model=list[HomeworkRead],
    responses=responses(401, 403, 404, 422),
)
async def list_homework(
    request: Request,
    student_id: StudentIdPath,
    pupil: PupilTokenDep,
    status: Annotated[
        StatusFilter, Query(description="Only homework in this status; `all` for every one.")
    ] = "all",
) -> Response:
    """The pupil's homework, newest first; right answers only once handed in."""
    database: Database = request.app.state.database
    rows = await service.list_for_pupil(database=database, pupil=pupil, status=status)
    return _as_pupil(request, pupil, rows)


@router.get(
    "/{homework_id}",
    summary="Get one of your homework (pupil)",
    openapi_extra=PUPIL_SECURITY,
    response_model=HomeworkRead,
    responses=responses(401, 403, 404),
)
async def get_homework(
    request: Request, student_id: StudentIdPath, homework_id: HomeworkIdPath, pupil: PupilTokenDep
) -> Response:
    """One homework with its exercises; right answers only once handed in."""
    database: Database = request.app.state.database
    row = await service.get_for_pupil(database=database, pupil=pupil, homework_id=homework_id)
    return _as_pupil(request, pupil, row)


@router.post(
    "/{homework_id}/submissions",
    summary="Save answers, or hand the homework in (pupil)",
    openapi_extra=PUPIL_SECURITY,
    responses=responses(401, 403, 404, 409, 422),
)
async def submit_answers(
    student_id: StudentIdPath,
    homework_id: HomeworkIdPath,
    data: SubmissionCreate,
    pupil: CurrentStudent,
    database: DatabaseDep,
) -> SubmissionRead:
    """Save progress (final=false) or grade and complete the homework (final=true)."""

    def submit(db: Session) -> SubmissionRead:
        return submissions.submit(db=db, student_id=pupil, homework_id=homework_id, data=data)

    return await database.write(submit)


@teacher_router.get(
    "/assignments/{assignment_id}/homework",
    summary="Every pupil's homework of an assignment, in full",
    response_model=list[TeacherHomeworkRead],
    responses=responses(401, 404),
)
async def list_assignment_homework(
    assignment_id: AssignmentIdPath, teacher: CurrentTeacher, database: DatabaseDep
) -> Response:
    """Each pupil's exercises with right answers, their answers, verdicts and score."""

    def read(db: Session) -> Any:
        assignments.get(db=db, teacher_id=teacher.id, assignment_id=assignment_id)
        return service.list_for_assignment(
            db=db.connection(), teacher_id=teacher.id, assignment_id=assignment_id
        )

    return _json(await database.read(read))


@teacher_router.get(
    "/homework/{homework_id}",
    summary="One pupil's homework, in full",
    response_model=TeacherHomeworkRead,
    responses=responses(401, 404),
)
async def get_teacher_homework(
    request: Request, homework_id: HomeworkIdPath, teacher: CurrentTeacher, database: DatabaseDep
) -> Response:
    """A homework of one of your pupils, with right answers, answers and verdicts."""

    def run() -> dict[str, Any]:
        with database.single_read() as db:
            return service.get_for_teacher(db=db, teacher_id=teacher.id, homework_id=homework_id)

    homework = await database.run(run)
    if homework["status"] == "generating":  # tokens so far, while a streaming worker works
        dispatcher = request.app.state.dispatcher
        homework["generated_tokens"] = dispatcher.generated_tokens(homework_id)
    return _json(homework)
