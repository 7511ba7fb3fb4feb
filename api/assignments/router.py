"""Teacher endpoints for assignments."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.orm import Session

from api.accounts.dependencies import CurrentTeacher
from api.assignments import results, service
from api.assignments.results import AssignmentResults
from api.assignments.schemas import AssignmentCreate, AssignmentRead
from api.core.deps import DatabaseDep, DispatcherDep
from api.core.errors import responses
from api.core.ids import AssignmentIdPath
from api.core.logging import log_event
from api.core.routing import operation_id

logger = logging.getLogger("api.assignments")

router = APIRouter(
    prefix="/api/teacher/assignments",
    tags=["teacher: assignments"],
    generate_unique_id_function=operation_id,
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create an assignment (exercises are generated in the background)",
    responses=responses(401, 404, 422),
)
async def create_assignment(
    data: AssignmentCreate,
    teacher: CurrentTeacher,
    database: DatabaseDep,
    dispatcher: DispatcherDep,
    response: Response,
) -> AssignmentRead:
    """Store the assignment and one pending homework per student, then start generating."""

    def create(db: Session) -> AssignmentRead:
        assignment = service.create(db=db, teacher_id=teacher.id, data=data)
        return service.read(db=db, assignments=[assignment])[0]

    created = await database.write(create)
    dispatcher.wake()  # after the commit, so the dispatcher finds the new homework
    log_event(
        logger,
        "assignment.created",
        assignment_id=created.id,
        teacher_id=teacher.id,
        students=len(created.student_ids),
        quantity=data.quantity,
    )
    response.headers["Location"] = f"/api/teacher/assignments/{created.id}"
    return created


@router.get("", summary="List your assignments, newest first", responses=responses(401))
async def list_assignments(
    teacher: CurrentTeacher,
    database: DatabaseDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31, description="Rows to skip.")] = 0,
) -> list[AssignmentRead]:
    """A page of assignments with progress; the total is in the X-Total-Count header."""

    def read(db: Session) -> tuple[list[AssignmentRead], int]:
        rows, total = service.list_(db=db, teacher_id=teacher.id, limit=limit, offset=offset)
        return service.read(db=db, assignments=rows), total

    assignments, total = await database.read(read)
    response.headers["X-Total-Count"] = str(total)
    return assignments


@router.get(
    "/{assignment_id}",
    summary="Get an assignment and its progress",
    responses=responses(401, 404),
)
async def get_assignment(
    assignment_id: AssignmentIdPath, teacher: CurrentTeacher, database: DatabaseDep
) -> AssignmentRead:
    """Status, completed_at, error_message, student ids and per-status homework counts."""

    def read(db: Session) -> AssignmentRead:
        assignment = service.get(db=db, teacher_id=teacher.id, assignment_id=assignment_id)
        return service.read(db=db, assignments=[assignment])[0]

    return await database.read(read)


@router.delete(
    "/{assignment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an assignment and its homework",
    responses=responses(401, 404),
)
async def delete_assignment(
    assignment_id: AssignmentIdPath, teacher: CurrentTeacher, database: DatabaseDep
) -> Response:
    """Delete an assignment; any generation still running for it is discarded."""

    def delete(db: Session) -> None:
        service.delete(db=db, teacher_id=teacher.id, assignment_id=assignment_id)

    await database.write(delete)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{assignment_id}/results",
    summary="Results: per-student status and score, most missed exercises",
    responses=responses(401, 404),
)
async def get_results(
    assignment_id: AssignmentIdPath, teacher: CurrentTeacher, database: DatabaseDep
) -> AssignmentResults:
    """Who submitted, their scores and submission times, and what the class missed most."""
    return await database.read(
        lambda db: results.results(db=db, teacher_id=teacher.id, assignment_id=assignment_id)
    )
