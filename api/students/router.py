"""Teacher endpoints for students."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from starlette.concurrency import run_in_threadpool

from api.assignments import service as assignments
from api.core.deps import DatabaseDep, ReadSessionDep
from api.core.errors import responses
from api.students import service
from api.students.schemas import StudentCreate, StudentRead

router = APIRouter(prefix="/api/teacher/students", tags=["teacher: students"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a student",
    responses=responses(409, 422),
)
async def create_student(data: StudentCreate, database: DatabaseDep) -> StudentRead:
    """Register a student by name and unique email."""

    def create() -> StudentRead:
        with database.write_connection() as db:
            return service.create(db=db, data=data)

    return await run_in_threadpool(create)


@router.get("", summary="List students")
def list_students(
    db: ReadSessionDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=500, description="Page size.")] = 100,
    offset: Annotated[int, Query(ge=0, description="Rows to skip.")] = 0,
) -> list[StudentRead]:
    """Students in creation order; the total is in the X-Total-Count header."""
    rows, total = service.list_(db=db, limit=limit, offset=offset)
    response.headers["X-Total-Count"] = str(total)
    return [StudentRead.model_validate(row) for row in rows]


@router.get("/{student_id}", summary="Get a student", responses=responses(404))
def get_student(student_id: int, db: ReadSessionDep) -> StudentRead:
    """One student by id."""
    return StudentRead.model_validate(service.get(db=db, student_id=student_id))


@router.delete(
    "/{student_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a student and their homework",
    responses=responses(404),
)
async def delete_student(student_id: int, database: DatabaseDep) -> Response:
    """Delete a student; their homework goes too and affected assignments are re-evaluated."""

    def delete() -> None:
        with database.writing() as db:
            for assignment_id in set(service.delete(db=db, student_id=student_id)):
                assignments.refresh_status(db=db, assignment_id=assignment_id)

    await run_in_threadpool(delete)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
