"""Student endpoints: fetch homework."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.core.deps import ReadSessionDep
from api.core.errors import responses
from api.homework import service
from api.homework.schemas import HomeworkRead, StatusFilter

router = APIRouter(prefix="/api/student/{student_id}/homework", tags=["student: homework"])


@router.get("", summary="List a student's homework", responses=responses(404, 422))
def list_homework(
    student_id: int,
    db: ReadSessionDep,
    status: Annotated[
        StatusFilter, Query(description="Only homework in this status; `all` for every one.")
    ] = "all",
) -> list[HomeworkRead]:
    """The student's homework, newest first."""
    return service.list_for_student(db=db, student_id=student_id, status=status)


@router.get("/{homework_id}", summary="Get one homework", responses=responses(404))
def get_homework(student_id: int, homework_id: int, db: ReadSessionDep) -> HomeworkRead:
    """One homework with its exercises; another student's homework answers 404."""
    return service.get_for_student(db=db, student_id=student_id, homework_id=homework_id)
