"""The teacher's pages: students and classes. Add a student, import a roster (pasted or a CSV
file) with a report row by row, show each new pupil's link once, issue a new link, delete; create
classes and change who is in them. The pages call the same services as the REST routers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.classes import service as classes
from api.classes.exceptions import ClassNotFound
from api.classes.schemas import ClassCreate, ClassMembersAdd, ClassRead
from api.core.errors import AppError, NotFound
from api.core.ids import MAX_ID, ClassIdPath, StudentIdPath
from api.pages.session import check_form
from api.pages.teacher import Teacher, teacher_of
from api.pages.templates import render
from api.students import roster as rosters
from api.students import service as students
from api.students.exceptions import EmailAlreadyRegistered, StudentNotFound
from api.students.router import access_url
from api.students.schemas import StudentCreate, StudentRead

router = APIRouter(include_in_schema=False)

T = TypeVar("T")
PAGE_SIZE = 200
# Everyone a class page can offer to add; far above any real teacher's pupils.
MAX_LISTED = 10_000
CsrfField = Annotated[str | None, Form(max_length=100)]
# Form ids of the fields, so an error can point at (and link to) its field.
STUDENT_FIELDS = {"name": "add-name", "email": "add-email"}
DONE = {
    "student-deleted": "The student, their link and their homework were deleted.",
    "class-deleted": "The class was deleted; its students and their homework stay.",
    "added": "The students were added to the class.",
    "removed": "The student was taken out of the class; they and their homework stay.",
}


class ClassGone(NotFound):
    def __init__(self) -> None:
        super().__init__("This class does not exist, or it is not one of yours.")


class StudentGone(NotFound):
    def __init__(self) -> None:
        super().__init__("This student does not exist, or they are not one of yours.")


async def _read(request: Request, work: Callable[[Session], T]) -> T:
    database = request.app.state.database

    def run(db: Session) -> T:
        return work(db)

    return await database.read(run)


async def _write(request: Request, work: Callable[[Session], T]) -> T:
    database = request.app.state.database

    def run(db: Session) -> T:
        return work(db)

    return await database.write(run)


def _links(request: Request, created: Sequence[tuple[StudentRead, str]]) -> list[dict[str, Any]]:
    return [
        {"id": s.id, "name": s.name, "email": s.email, "url": access_url(request, token)}
        for s, token in created
    ]


def _secret(response: Response) -> Response:
    """A page that shows pupils' links: the browser must not store it (a shared computer)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _validation_messages(exc: ValidationError, fields: Mapping[str, str]) -> dict[str, str]:
    """Each invalid field's first problem, keyed by the field's id on the page."""
    messages: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        context = error.get("ctx") or {}
        if error["type"] == "string_too_short" or error.get("input") == "":
            text = f"Enter the {name}."
        elif error["type"] == "string_too_long":
            text = f"The {name} is longer than {context.get('max_length')} characters."
        elif name == "email":
            text = f"Enter a valid email address: {context.get('reason', error['msg'])}"
        else:
            text = f"The {name} {error['msg'].removeprefix('Value error, ')}."
        messages.setdefault(fields.get(name, name), text)
    return messages


async def _students_page(
    request: Request,
    teacher: Teacher,
    *,
    offset: int = 0,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    status: int = 200,
) -> Response:
    def load(db: Session) -> dict[str, Any]:
        rows, total = students.list_(db=db, teacher_id=teacher.id, limit=PAGE_SIZE, offset=offset)
        class_list = classes.read(db=db, classes=classes.list_(db=db, teacher_id=teacher.id))
        return {
            "students": [StudentRead.model_validate(row) for row in rows],
            "total": total,
            "classes": class_list,
        }

    data = await _read(request, load)
    classes_of: dict[int, list[ClassRead]] = defaultdict(list)
    for classroom in data["classes"]:
        for student_id in classroom.student_ids:
            classes_of[student_id].append(classroom)
    done = DONE.get(request.query_params.get("done", ""))
    context = data | {
        "classes_of": classes_of,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "errors": dict(errors or {}),
        "values": dict(values or {}),
        "done": done if not errors else None,
    }
    return render(request, "teacher/students.html", context, status_code=status)


@router.get("/teacher/students")
async def students_page(
    request: Request, offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0
) -> Response:
    """The teacher's students and classes, with the forms to add and import students."""
    teacher = await teacher_of(request)
    return await _students_page(request, teacher, offset=offset)


@router.post("/teacher/students")
async def add_student(
    request: Request,
    csrf_token: CsrfField = None,
    name: Annotated[str, Form(max_length=1000)] = "",
    email: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Add one student and show their link (once)."""
    teacher = await teacher_of(request)
    await check_form(request, csrf_token)
    values = {"name": name, "email": email}
    try:
        data = StudentCreate(name=name, email=email.strip())
    except ValidationError as exc:
        errors = _validation_messages(exc, STUDENT_FIELDS)
        return await _students_page(request, teacher, errors=errors, values=values, status=422)
    database = request.app.state.database
    try:
        created = await students.register(database=database, teacher_id=teacher.id, data=data)
    except EmailAlreadyRegistered:
        errors = {"add-email": f"{data.email} is already one of your students."}
        return await _students_page(request, teacher, errors=errors, values=values, status=409)
    context = {
        "title": f"{created[0].name} added",
        "links": _links(request, [created]),
    }
    return _secret(render(request, "teacher/students_links.html", context))


@router.post("/teacher/students/import")
async def import_students(
    request: Request,
    csrf_token: CsrfField = None,
    roster: Annotated[str, Form(max_length=2_000_000)] = "",
    file: Annotated[UploadFile | None, File()] = None,
    class_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    new_class: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Import a roster (pasted or a CSV file); report every row, show the new pupils' links."""
    teacher = await teacher_of(request)
    await check_form(request, csrf_token)
    values = {"roster": roster, "class_id": class_id, "new_class": new_class}

    async def refuse(field: str, message: str, status: int) -> Response:
        errors = {field: message}
        return await _students_page(request, teacher, errors=errors, values=values, status=status)

    data = await file.read() if file is not None else b""
    if data and roster.strip():
        return await refuse(
            "roster-text", "Paste a roster or choose a file, not both: clear one of them.", 422
        )
    if class_id is not None and new_class.strip():
        return await refuse(
            "roster-class", "Choose an existing class or name a new one, not both.", 422
        )
    new: ClassCreate | None = None
    if new_class.strip():
        try:
            new = ClassCreate(name=new_class)
        except ValidationError:
            return await refuse("roster-new-class", "A class name has at most 120 characters.", 422)
    try:
        parsed = rosters.parse(rosters.decode(data) if data else roster)
    except AppError as exc:
        return await refuse("roster-file" if data else "roster-text", exc.detail, exc.status_code)
    try:
        result = await _write(
            request,
            lambda db: rosters.import_roster(
                db=db, teacher_id=teacher.id, roster=parsed, class_id=class_id, new_class=new
            ),
        )
    except ClassNotFound:
        return await refuse("roster-class", ClassGone().detail, 404)
    except AppError as exc:  # the new class's name is taken
        return await refuse("roster-new-class", exc.detail, exc.status_code)
    created = [(o.student, o.token) for o in result.created if o.student and o.token]
    context = {
        "result": result,
        "links": _links(request, created),
        "source": file.filename if data and file is not None else None,
    }
    return _secret(render(request, "teacher/students_import.html", context))


@router.post("/teacher/students/{student_id}/link")
async def new_link(
    request: Request, student_id: StudentIdPath, csrf_token: CsrfField = None
) -> Response:
    """Issue a new personal link: the old one stops working at once."""
    teacher = await teacher_of(request)
    await check_form(request, csrf_token)

    def rotate(db: Session) -> tuple[StudentRead, str]:
        token = students.rotate_access_token(db=db, teacher_id=teacher.id, student_id=student_id)
        student = students.get(db=db, teacher_id=teacher.id, student_id=student_id)
        return StudentRead.model_validate(student), token

    try:
        created = await _write(request, rotate)
    except StudentNotFound:
        raise StudentGone() from None
    context = {
        "title": f"New link for {created[0].name}",
        "links": _links(request, [created]),
        "rotated": True,
    }
    return _secret(render(request, "teacher/students_links.html", context))


@router.get("/teacher/students/{student_id}/delete")
async def confirm_delete_student(request: Request, student_id: StudentIdPath) -> Response:
    """Ask before deleting a student and their homework."""
    teacher = await teacher_of(request)

    def load(db: Session) -> dict[str, Any]:
        student = students.get(db=db, teacher_id=teacher.id, student_id=student_id)
        class_list = classes.read(db=db, classes=classes.list_(db=db, teacher_id=teacher.id))
        return {
            "student": StudentRead.model_validate(student),
            "classes": [c for c in class_list if student_id in c.student_ids],
        }

    try:
        context = await _read(request, load)
    except StudentNotFound:
        raise StudentGone() from None
    return render(request, "teacher/students_delete.html", context)


@router.post("/teacher/students/{student_id}/delete")
async def delete_student(
    request: Request, student_id: StudentIdPath, csrf_token: CsrfField = None
) -> Response:
    """Delete a student and their homework; their assignments are re-evaluated."""
    teacher = await teacher_of(request)
    await check_form(request, csrf_token)

    def delete(db: Session) -> None:
        students.delete(db=db, teacher_id=teacher.id, student_id=student_id)

    try:
        await _write(request, delete)
    except StudentNotFound:
        raise StudentGone() from None
    return RedirectResponse("/teacher/students?done=student-deleted", status_code=303)


@router.post("/teacher/classes")
async def create_class(
    request: Request,
    csrf_token: CsrfField = None,
    name: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Create a class and open its page."""
    teacher = await teacher_of(request)
    await check_form(request, csrf_token)
    values = {"class_name": name}
    try:
        data = ClassCreate(name=name)
    except ValidationError as exc:
        too_long = any(e["type"] == "string_too_long" for e in exc.errors())
        message = "A class name has at most 120 characters." if too_long else "Enter a name."
        errors = {"class-name": message}
        return await _students_page(request, teacher, errors=errors, values=values, status=422)
    try:
        created = await _write(
            request, lambda db: classes.create(db=db, teacher_id=teacher.id, data=data)
        )
    except AppError as exc:
        errors = {"class-name": exc.detail}
        return await _students_page(
            request, teacher, errors=errors, values=values, status=exc.status_code
        )
    return RedirectResponse(f"/teacher/classes/{created.id}", status_code=303)


async def _class_page(
    request: Request,
    teacher: Teacher,
    class_id: int,
    *,
    errors: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    def load(db: Session) -> dict[str, Any]:
        classroom = classes.get(db=db, teacher_id=teacher.id, class_id=class_id)
        members = set(classes.member_ids(db=db, teacher_id=teacher.id, class_id=class_id))
        everyone, _ = students.list_(db=db, teacher_id=teacher.id, limit=MAX_LISTED, offset=0)
        listed = [StudentRead.model_validate(s) for s in everyone]
        return {
            "classroom": classroom,
            "members": [s for s in listed if s.id in members],
            "others": [s for s in listed if s.id not in members],
        }

    try:
        context = await _read(request, load)
    except ClassNotFound:
        raise ClassGone() from None
    done = DONE.get(request.query_params.get("done", ""))
    context |= {"errors": dict(errors or {}), "done": done if not errors else None}
    return render(request, "teacher/class.html", context, status_code=status)


@router.get("/teacher/classes/{class_id}")
async def class_page(request: Request, class_id: ClassIdPath) -> Response:
    """A class: its students, adding and removing students, deleting the class."""
    teacher = await teacher_of(request)
    return await _class_page(request, teacher, class_id)


@router.post("/teacher/classes/{class_id}/students")
async def add_class_members(
    request: Request,
    class_id: ClassIdPath,
    csrf_token: CsrfField = None,
    student_id: Annotated[list[int] | None, Form()] = None,
) -> Response:
    """Add some of the teacher's students to the class."""
    teacher = await teacher_of(request)
    await check_form(request, csrf_token)
    try:
        data = ClassMembersAdd(student_ids=student_id or [])
    except ValidationError:
        errors = {"add-members": "Tick at least one student to add (at most 1000 at once)."}
        return await _class_page(request, teacher, class_id, errors=errors, status=422)

    def add(db: Session) -> None:
        classes.add_members(
            db=db, teacher_id=teacher.id, class_id=class_id, student_ids=data.student_ids
        )

    try:
        await _write(request, add)
    except ClassNotFound:
        raise ClassGone() from None
    except AppError:  # UnknownStudents: deleted meanwhile, or never this teacher's
        message = "Some of those students no longer exist: reload the page and try again."
        errors = {"add-members": message}
        return await _class_page(request, teacher, class_id, errors=errors, status=422)
    return RedirectResponse(f"/teacher/classes/{class_id}?done=added", status_code=303)


@router.post("/teacher/classes/{class_id}/students/{student_id}/remove")
async def remove_class_member(
    request: Request, class_id: ClassIdPath, student_id: StudentIdPath, csrf_token: CsrfField = None
) -> Response:
    """Take a student out of the class (the student and their homework stay)."""
    teacher = await teacher_of(request)
    await check_form(request, csrf_token)

    def remove(db: Session) -> None:
        classes.remove_member(
            db=db, teacher_id=teacher.id, class_id=class_id, student_id=student_id
        )

    try:
        await _write(request, remove)
    except ClassNotFound:
        raise ClassGone() from None
    except StudentNotFound:
        pass  # not in the class (any more): what the teacher asked for
    return RedirectResponse(f"/teacher/classes/{class_id}?done=removed", status_code=303)


@router.post("/teacher/classes/{class_id}/delete")
async def delete_class(
    request: Request, class_id: ClassIdPath, csrf_token: CsrfField = None
) -> Response:
    """Delete a class; its students and their homework stay."""
    teacher = await teacher_of(request)
    await check_form(request, csrf_token)
    try:
        await _write(
            request, lambda db: classes.delete(db=db, teacher_id=teacher.id, class_id=class_id)
        )
    except ClassNotFound:
        raise ClassGone() from None
    return RedirectResponse("/teacher/students?done=class-deleted", status_code=303)
