"""Teacher endpoints for students."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.orm import Session

from api.accounts.dependencies import TEACHER_SECURITY, CurrentTeacher, SignedInFirst
from api.accounts.service import SignedInTeacher
from api.core.database import Database
from api.core.deps import DatabaseDep
from api.core.errors import responses
from api.core.ids import StudentIdPath
from api.core.routing import operation_id
from api.students import service
from api.students.schemas import StudentAccess, StudentCreate, StudentCreated, StudentRead

router = APIRouter(
    prefix="/api/teacher/students",
    tags=["teacher: students"],
    generate_unique_id_function=operation_id,
)


def access_url(request: Request, token: str) -> str:
    """The pupil's personal link: PUBLIC_URL, or the address this request came to."""
    base = request.app.state.settings.public_url or _address(request)
    return f"{base}/s/{token}"


def _address(request: Request) -> str:
    """Scheme, host and root path of this request: Starlette's ``base_url`` rule, without
    building and parsing a URL object when the request names its host (HTTP/1.1 always does)."""
    host = request.headers.get("host")
    if host is None:
        return str(request.base_url).rstrip("/")
    scope = request.scope
    return f"{scope['scheme']}://{host}{scope.get('root_path', '')}".rstrip("/")


async def create_student(data: StudentCreate, request: Request) -> Response:
    """Register a student; the response carries their access token and link, shown only once."""

    # The most frequent write gets the teacher its route resolved before reading the request
    # (``SignedInFirst``) rather than through a dependency, and serialises its answer once,
    # here (returned as a model, it would be validated again and encoded on a slower path).
    teacher: SignedInTeacher = request.state.teacher
    database: Database = request.app.state.database
    student, token = await service.register(database=database, teacher_id=teacher.id, data=data)
    created = StudentCreated(
        **student.model_dump(), access_token=token, access_url=access_url(request, token)
    )
    return Response(
        created.model_dump_json(),
        status_code=status.HTTP_201_CREATED,
        headers={"Location": f"/api/teacher/students/{student.id}"},
        media_type="application/json",
    )


router.add_api_route(
    "",
    create_student,
    methods=["POST"],
    route_class_override=SignedInFirst,
    status_code=status.HTTP_201_CREATED,
    response_model=StudentCreated,
    summary="Create a student (answers with their personal link)",
    responses=responses(401, 409, 422),
    openapi_extra=TEACHER_SECURITY,
)


@router.get("", summary="List your students", responses=responses(401))
async def list_students(
    teacher: CurrentTeacher,
    database: DatabaseDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=500, description="Page size.")] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31, description="Rows to skip.")] = 0,
) -> list[StudentRead]:
    """Your students in creation order; the total is in the X-Total-Count header."""

    def read(db: Session) -> tuple[list[StudentRead], int]:
        rows, total = service.list_(db=db, teacher_id=teacher.id, limit=limit, offset=offset)
        return [StudentRead.model_validate(row) for row in rows], total

    students, total = await database.read(read)
    response.headers["X-Total-Count"] = str(total)
    return students


@router.get("/{student_id}", summary="Get a student", responses=responses(401, 404))
async def get_student(
    student_id: StudentIdPath, teacher: CurrentTeacher, database: DatabaseDep
) -> StudentRead:
    """One of your students by id."""
    return await database.read(
        lambda db: StudentRead.model_validate(
            service.get(db=db, teacher_id=teacher.id, student_id=student_id)
        )
    )


@router.post(
    "/{student_id}/access-token",
    summary="Issue a new personal link (the old one stops working)",
    responses=responses(401, 404),
)
async def rotate_access_token(
    student_id: StudentIdPath, teacher: CurrentTeacher, database: DatabaseDep, request: Request
) -> StudentAccess:
    """A new access token and link for the pupil; the previous ones stop working at once."""

    def rotate(db: Session) -> str:
        return service.rotate_access_token(db=db, teacher_id=teacher.id, student_id=student_id)

    token = await database.write(rotate)
    return StudentAccess(access_token=token, access_url=access_url(request, token))


@router.delete(
    "/{student_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a student and their homework",
    responses=responses(401, 404),
)
async def delete_student(
    student_id: StudentIdPath, teacher: CurrentTeacher, database: DatabaseDep
) -> Response:
    """Delete a student; their homework goes too and affected assignments are re-evaluated."""

    def delete(db: Session) -> None:
        service.delete(db=db, teacher_id=teacher.id, student_id=student_id)

    await database.write(delete)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
