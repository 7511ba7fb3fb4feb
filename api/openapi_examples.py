"""Examples for the OpenAPI document: named request examples that chain into one walk-through,
an example for every path and query parameter, and for every error the message the API really
answers (built from the exception classes that raise it, so it cannot drift from the code).

The walk-through, on a fresh database: sign in; create Giulia (student 1) and Marco (student 2);
put them in class 3B (class 1); create an assignment for them (assignment 1: their homework are 1
and 2); Giulia saves two answers (``final: false``) and then hands in all five.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.accounts.dependencies import NotYourHomework
from api.accounts.exceptions import (
    InvalidCredentials,
    NeedsAdministrator,
    NeedsStudent,
    NeedsTeacher,
    NoStudentCredential,
    NotSignedIn,
    TeacherEmailTaken,
    TeacherNotFound,
)
from api.assignments.exceptions import AssignmentNotFound
from api.classes.exceptions import ClassNameTaken, ClassNotFound
from api.core.errors import AppError
from api.generation.admin import WorkerCheckFailed
from api.homework.exceptions import HomeworkAlreadySubmitted, TeacherHomeworkNotFound
from api.students.exceptions import EmailAlreadyRegistered, StudentNotFound

GIULIA = {"name": "Giulia Rossi", "email": "giulia@example.com"}
MARCO = {"name": "Marco Bianchi", "email": "marco@example.com"}
ASSIGNMENT = {
    "cefr_level": "A2",
    "grammar_focus": "passato prossimo",
    "topic": "viaggi",
    "quantity": 5,
    "exercise_types": ["fill_in_blank", "multiple_choice", "translation"],
    "student_ids": [1, 2],
}
SAVE = {"answers": ["siamo andati", None, None, 1], "final": False}
HAND_IN = {
    "answers": ["siamo andati", "ho mangiato", "We went to the sea.", 1, "è partita"],
    "final": True,
}

REQUEST_EXAMPLES: dict[str, dict[str, dict[str, Any]]] = {
    "create_student": {
        "giulia": {"summary": "1. Giulia (becomes student 1 on a new database)", "value": GIULIA},
        "marco": {"summary": "2. Marco (student 2)", "value": MARCO},
    },
    "create_class": {"3B": {"summary": "3. Class 3B (class 1)", "value": {"name": "3B"}}},
    "add_students": {
        "giulia-and-marco": {
            "summary": "4. Giulia and Marco join 3B",
            "value": {"student_ids": [1, 2]},
        }
    },
    "create_assignment": {
        "giulia-and-marco": {
            "summary": "5. Passato prossimo for Giulia and Marco (assignment 1)",
            "value": ASSIGNMENT,
        },
        "class-3b": {
            "summary": "Or: the same for everyone in class 3B",
            "value": {k: v for k, v in ASSIGNMENT.items() if k != "student_ids"} | {"class_id": 1},
        },
    },
    "submit_answers": {
        "save": {
            "summary": "6. Giulia saves her first answers (final: false, nothing graded)",
            "value": SAVE,
        },
        "hand-in": {
            "summary": "7. Giulia hands in all five answers (final: true, graded)",
            "value": HAND_IN,
        },
    },
    "create_teacher": {
        "teacher": {
            "summary": "A colleague without administrator rights",
            "value": {
                "name": "Maria Verdi",
                "email": "maria@school.it",
                "password": "a long passphrase",
                "is_admin": False,
            },
        }
    },
}

# What a client can do next with what an operation created: OpenAPI links, read by Swagger UI
# and by Schemathesis' stateful phase. operationId: (status, parameter, [next operationIds])
LINKS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "create_student": (
        "201",
        "student_id",
        ("get_student", "rotate_access_token", "delete_student"),
    ),
    "create_class": ("201", "class_id", ("get_class", "add_students", "delete_class")),
    "create_assignment": (
        "201",
        "assignment_id",
        ("get_assignment", "list_assignment_homework", "get_results", "delete_assignment"),
    ),
    "create_teacher": ("201", "teacher_id", ("get_teacher",)),
}

# name: (description used where the route gave none, example)
PARAMETERS: dict[str, tuple[str, Any]] = {
    "student_id": ("A student's id (GET /api/teacher/students lists them).", 1),
    "homework_id": ("A homework's id (one per student and assignment).", 1),
    "assignment_id": ("An assignment's id (GET /api/teacher/assignments lists them).", 1),
    "class_id": ("A class's id (GET /api/teacher/classes lists them).", 1),
    "teacher_id": ("A teacher's id (GET /api/admin/teachers lists them).", 1),
    "limit": ("Page size.", 20),
    "offset": ("Rows to skip, for the next page.", 0),
    "status": ("Which homework to list.", "available"),
}

_NOT_FOUND: dict[str, Callable[[], AppError]] = {
    "homework_id": lambda: TeacherHomeworkNotFound(7),
    "assignment_id": lambda: AssignmentNotFound(3),
    "class_id": lambda: ClassNotFound(4),
    "student_id": lambda: StudentNotFound(12),
    "teacher_id": lambda: TeacherNotFound(5),
}
_CONFLICT: dict[str, Callable[[], AppError]] = {
    "create_student": lambda: EmailAlreadyRegistered("giulia@example.com"),
    "create_class": lambda: ClassNameTaken("3B"),
    "create_teacher": lambda: TeacherEmailTaken("maria@school.it"),
    "submit_answers": lambda: HomeworkAlreadySubmitted(1),
    "put_workers": lambda: WorkerCheckFailed(
        "Worker https://abc123.ngrok-free.app did not pass its check: /health unreachable "
        "(ConnectError). Nothing was changed."
    ),
}
_ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorResponse"}


def _invalid(location: str, field: str, kind: str, message: str, got: str | None) -> dict[str, Any]:
    error: dict[str, Any] = {"type": kind, "loc": [location, field], "msg": message}
    detail = f"Invalid request: {field}: {message}"
    if got is not None:
        error["input"] = got
        detail += f" (got {got})"
    return {"detail": detail, "errors": [error]}


def _validation_example(operation: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any] | None:
    """A 422 this operation really gives: a required body field left out, else a bad parameter."""
    body = operation.get("requestBody", {}).get("content", {})
    for media in body.values():
        ref = media.get("schema", {}).get("$ref", "")
        model = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
        if model.get("required"):
            return _invalid("body", model["required"][0], "missing", "Field required", None)
    for parameter in operation.get("parameters", []):
        if parameter["name"].endswith("_id"):
            return _invalid(
                "path",
                parameter["name"],
                "int_parsing",
                "Input should be a valid integer, unable to parse string as an integer",
                "'abc'",
            )
        if parameter["name"] == "offset":
            return _invalid(
                "query",
                "offset",
                "greater_than_equal",
                "Input should be greater than or equal to 0",
                "'-1'",
            )
    return None


def _pupils(path: str) -> bool:
    return path.startswith("/api/student/")


def _error_example(
    code: str, path: str, operation: dict[str, Any], schema: dict[str, Any]
) -> dict[str, Any] | None:
    """The body the API answers with ``code`` on this operation."""
    error: AppError | None = None
    if code == "400":
        return {
            "detail": "The request body is not valid JSON (error at character 14): check quotes, "
            "commas and brackets, and send it as UTF-8."
        }
    if code == "401":
        if operation["operationId"] == "issue_token":
            error = InvalidCredentials()
        elif _pupils(path):
            error = NoStudentCredential("The token is wrong or was replaced by a new link")
        else:
            error = NotSignedIn("No token")
    elif code == "403":
        if _pupils(path):
            error = NeedsStudent()
        elif path.startswith("/api/admin/"):
            error = NeedsAdministrator()
        else:
            error = NeedsTeacher()
    elif code == "404":
        if _pupils(path):
            error = NotYourHomework(1)
        else:
            named = [name for name in _NOT_FOUND if "{" + name + "}" in path]
            error = _NOT_FOUND[named[0]]() if named else StudentNotFound(12)
    elif code == "409":
        make = _CONFLICT.get(operation["operationId"])
        error = make() if make else None
    elif code == "413":
        return {
            "detail": "The request body is larger than 1048576 bytes (MAX_BODY_BYTES): send less."
        }
    elif code == "422":
        return _validation_example(operation, schema)
    elif code == "429":
        return {"detail": "Too many requests with this token (600 per 1 minute); wait 12 s."}
    return {"detail": error.detail} if error is not None else None


def add_examples(schema: dict[str, Any]) -> None:
    """Fill the document's examples in place (an ``install_openapi`` step)."""
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            secured = bool(operation.get("security"))
            responses = operation.setdefault("responses", {})
            if secured and path.startswith("/api/") and not path.startswith("/api/auth/"):
                # A token of the wrong kind (a pupil's on a teacher's route, or the reverse).
                responses.setdefault(
                    "403",
                    {
                        "description": "A token of the wrong kind.",
                        "content": {"application/json": {"schema": _ERROR_SCHEMA}},
                    },
                )
            for code, response in responses.items():
                if not code.startswith(("4", "5")):
                    continue
                example = _error_example(code, path, operation, schema)
                if example is not None:
                    response.setdefault("content", {}).setdefault("application/json", {})[
                        "example"
                    ] = example
            for parameter in operation.get("parameters", []):
                description, example = PARAMETERS.get(parameter["name"], (None, None))
                if description and not parameter.get("description"):
                    parameter["description"] = description
                if example is not None and "example" not in parameter:
                    parameter["example"] = example
            _add_links(operation)
            named = REQUEST_EXAMPLES.get(operation.get("operationId", ""))
            if named and "requestBody" in operation:
                content = operation["requestBody"]["content"]
                for media in content.values():
                    media["examples"] = named


def _add_links(operation: dict[str, Any]) -> None:
    if operation.get("operationId") not in LINKS:
        return
    status, parameter, targets = LINKS[operation["operationId"]]
    response = operation["responses"][status]
    response["links"] = {
        target: {
            "operationId": target,
            "parameters": {parameter: "$response.body#/id"},
            "description": f"The new object's id as `{parameter}`.",
        }
        for target in targets
    }
