"""Teacher endpoints for classes."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy.orm import Session

from api.accounts.dependencies import CurrentTeacher
from api.classes import service
from api.classes.schemas import ClassCreate, ClassMembersAdd, ClassRead
from api.core.deps import DatabaseDep
from api.core.errors import responses
from api.core.ids import ClassIdPath, StudentIdPath
from api.core.routing import operation_id

router = APIRouter(
    prefix="/api/teacher/classes",
    tags=["teacher: classes"],
    generate_unique_id_function=operation_id,
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a class",
    responses=responses(401, 409, 422),
)
async def create_class(
    data: ClassCreate, teacher: CurrentTeacher, database: DatabaseDep, response: Response
) -> ClassRead:
    """A new, empty class; add students with POST /api/teacher/classes/{class_id}/students."""
    created = await database.write(
        lambda db: service.create(db=db, teacher_id=teacher.id, data=data)
    )
    response.headers["Location"] = f"/api/teacher/classes/{created.id}"
    return created


@router.get("", summary="List your classes", responses=responses(401))
async def list_classes(teacher: CurrentTeacher, database: DatabaseDep) -> list[ClassRead]:
    """Your classes by name, with their members' ids."""
    return await database.read(
        lambda db: service.read(db=db, classes=service.list_(db=db, teacher_id=teacher.id))
    )


@router.get("/{class_id}", summary="Get a class", responses=responses(401, 404))
async def get_class(
    class_id: ClassIdPath, teacher: CurrentTeacher, database: DatabaseDep
) -> ClassRead:
    """One of your classes with its members' ids."""

    def read(db: Session) -> ClassRead:
        classroom = service.get(db=db, teacher_id=teacher.id, class_id=class_id)
        return service.read(db=db, classes=[classroom])[0]

    return await database.read(read)


@router.post(
    "/{class_id}/students",
    summary="Add students to a class",
    responses=responses(401, 404, 422),
)
async def add_students(
    class_id: ClassIdPath, data: ClassMembersAdd, teacher: CurrentTeacher, database: DatabaseDep
) -> ClassRead:
    """Add some of your students; those already in the class stay as they are."""

    def add(db: Session) -> ClassRead:
        return service.add_members(
            db=db, teacher_id=teacher.id, class_id=class_id, student_ids=data.student_ids
        )

    return await database.write(add)


@router.delete(
    "/{class_id}/students/{student_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a student from a class",
    responses=responses(401, 404),
)
async def remove_student(
    class_id: ClassIdPath, student_id: StudentIdPath, teacher: CurrentTeacher, database: DatabaseDep
) -> Response:
    """Take a student out of the class; the student and their homework stay."""

    def remove(db: Session) -> None:
        service.remove_member(
            db=db, teacher_id=teacher.id, class_id=class_id, student_id=student_id
        )

    await database.write(remove)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/{class_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a class (its students and assignments stay)",
    responses=responses(401, 404),
)
async def delete_class(
    class_id: ClassIdPath, teacher: CurrentTeacher, database: DatabaseDep
) -> Response:
    """Delete one of your classes."""

    def delete(db: Session) -> None:
        service.delete(db=db, teacher_id=teacher.id, class_id=class_id)

    await database.write(delete)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
