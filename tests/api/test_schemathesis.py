"""Schemathesis over every operation of the OpenAPI document, signed in as a real teacher and a
real pupil: no server errors, and responses as documented.

One app (its lifespan included, on a real SQLite file) serves every case of the module. Teacher
operations carry the teacher's token, pupil operations the pupil's own token, and most valid ids
in paths are pointed at real objects, so that cases get past the access checks and the 404s.
Destructive cases never hit the objects the other cases rely on: they get a fresh one.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import Case, Response
from schemathesis.config import SchemathesisConfig
from schemathesis.errors import FailureGroup
from schemathesis.python import asgi

from api.accounts import service as accounts
from api.core.config import Settings
from api.core.database import Database
from api.core.ids import MAX_ID
from api.main import create_app
from tests.api.conftest import FAST_GENERATION, TEACHER_EMAIL, TEACHER_PASSWORD

MAX_EXAMPLES = 25
SEED = 20_260_101

#: Operations that hash a password (argon2: most of a second on a small machine) in every case.
HASHING = ["POST /api/auth/token", "POST /api/admin/teachers"]

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            # The credentials are the real teacher's and pupil's, not generated ones.
            "with-security-parameters": False,
        },
        # Every method a path lacks would be a 405 from the same router code: three will do.
        "phases": {"coverage": {"unexpected-methods": ["patch", "options", "trace"]}},
        "operations": [{"include-name": HASHING, "generation": {"max-examples": 5}}],
    }
)

PUPIL_PATHS = "/api/student/"
TEACHER_PATHS = ("/api/teacher/", "/api/admin/", "/api/auth/me")

#: Operations that destroy or replace what they point at, and the path parameter naming it.
DESTRUCTIVE = {
    "DELETE /api/teacher/students/{student_id}": "student_id",
    "POST /api/teacher/students/{student_id}/access-token": "student_id",
    "DELETE /api/teacher/classes/{class_id}": "class_id",
    "DELETE /api/teacher/assignments/{assignment_id}": "assignment_id",
}


def _settings(database: Path) -> Settings:
    """The tests' settings with no rate limit in reach (``make_settings`` is per test; this
    module runs one app for all its cases)."""
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": f"sqlite:///{database}",
        "inference_api_url": None,
        "log_level": "WARNING",
        "teacher_email": TEACHER_EMAIL,
        "teacher_password": TEACHER_PASSWORD,
        "requests_per_token": "1000000/minute",
        "login_failures_per_account": "1000000/minute",
        "login_failures_per_address": "1000000/minute",
        **FAST_GENERATION,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class ServedApp:
    """What the schema sends its cases to: the app the ``classroom`` fixture runs (the schema is
    made at import, the app, with its database under tmp_path, by the fixture)."""

    def __init__(self) -> None:
        self.app: FastAPI | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.app is not None, "the classroom fixture sets the app"
        await self.app(scope, receive, send)


SERVED = ServedApp()
# The document does not depend on the settings, and an app serves it without its lifespan.
schema = schemathesis.openapi.from_dict(
    create_app(_settings(Path("unused.db"))).openapi(), config=CONFIG
)
schema.app = SERVED


@dataclass
class Classroom:
    """A signed-in teacher with a pupil in a class and two completed homework."""

    client: asgi.ASGIClient
    teacher_token: str = ""
    teacher_id: int = 0
    pupil_id: int = 0
    pupil_token: str = ""
    class_id: int = 0
    assignment_ids: list[int] = field(default_factory=list)
    homework_ids: list[int] = field(default_factory=list)
    statuses: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    made: int = 0

    def teacher(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.teacher_token}"}

    def pupil(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.pupil_token}"}

    def post(self, path: str, expect: int, **kwargs: Any) -> dict[str, Any]:
        response = self.client.post(path, headers=self.teacher(), **kwargs)
        assert response.status_code == expect, response.text
        return dict(response.json())

    def sign_in(self) -> None:
        response = self.client.post(
            "/api/auth/token", data={"username": TEACHER_EMAIL, "password": TEACHER_PASSWORD}
        )
        assert response.status_code == 200, response.text
        self.teacher_token = str(response.json()["access_token"])
        self.teacher_id = int(self.client.get("/api/auth/me", headers=self.teacher()).json()["id"])

    def spare_token(self) -> str:
        """Another token of the teacher's, issued directly: a sign-in costs an argon2 hash."""
        assert SERVED.app is not None
        database: Database = SERVED.app.state.database
        with database.writing() as db:
            return accounts.issue_token(db=db, teacher_id=self.teacher_id, ttl=timedelta(hours=1))

    def new_student(self) -> dict[str, Any]:
        self.made += 1
        body = {"name": f"Pupil {self.made}", "email": f"pupil{self.made}@example.com"}
        return self.post("/api/teacher/students", 201, json=body)

    def new_class(self) -> int:
        self.made += 1
        return int(self.post("/api/teacher/classes", 201, json={"name": f"{self.made}B"})["id"])

    def new_assignment(self, student_id: int) -> int:
        body = {
            "cefr_level": "A2",
            "grammar_focus": "passato prossimo",
            "topic": "viaggi",
            "quantity": 5,
            "exercise_types": ["fill_in_blank", "multiple_choice", "translation"],
            "student_ids": [student_id],
        }
        return int(self.post("/api/teacher/assignments", 201, json=body)["id"])

    def wait_completed(self, assignment_id: int, timeout: float = 20.0) -> None:
        ends = time.monotonic() + timeout
        while True:
            path = f"/api/teacher/assignments/{assignment_id}"
            body = self.client.get(path, headers=self.teacher()).json()
            if body["status"] == "completed":
                return
            assert body["status"] != "failed" and time.monotonic() < ends, body
            time.sleep(0.05)

    def furnish(self) -> None:
        """A pupil in a class with two completed homework: what most cases point at."""
        pupil = self.new_student()
        self.pupil_id, self.pupil_token = int(pupil["id"]), str(pupil["access_token"])
        self.class_id = self.new_class()
        members = {"student_ids": [self.pupil_id]}
        self.post(f"/api/teacher/classes/{self.class_id}/students", 200, json=members)
        self.assignment_ids = [self.new_assignment(self.pupil_id) for _ in range(2)]
        for assignment_id in self.assignment_ids:
            self.wait_completed(assignment_id)
        listing = self.client.get(f"/api/student/{self.pupil_id}/homework", headers=self.pupil())
        self.homework_ids = [item["id"] for item in listing.json()]
        assert len(self.homework_ids) == 2, listing.text

    def fresh(self, parameter: str) -> int:
        """A new object of the kind ``parameter`` names, for a destructive case to destroy."""
        if parameter == "student_id":
            return int(self.new_student()["id"])
        if parameter == "class_id":
            return self.new_class()
        return self.new_assignment(int(self.new_student()["id"]))

    def protected(self, parameter: str) -> set[int]:
        """The ids of this kind that other cases rely on."""
        return {
            "student_id": {self.pupil_id},
            "class_id": {self.class_id},
            "assignment_id": set(self.assignment_ids),
        }.get(parameter, set())

    def real(self, parameter: str, generated: int) -> int:
        """A real id of the kind ``parameter`` names, picked by the generated one (or that one,
        for a kind the classroom has none of)."""
        choices = {
            "student_id": [self.pupil_id],
            "class_id": [self.class_id],
            "assignment_id": self.assignment_ids,
            "homework_id": self.homework_ids,
        }.get(parameter, [generated])
        return choices[generated % len(choices)]


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Classroom]:
    """The app with its lifespan running and a classroom in it; shut down after the module."""
    SERVED.app = create_app(_settings(tmp_path_factory.mktemp("schemathesis") / "api.db"))
    # Entering the client starts the app's lifespan on Schemathesis' event-loop thread, which
    # serves every case too: the dispatcher's tasks live on that loop and keep generating.
    with asgi.get_client(SERVED) as client:
        room = Classroom(client=client)
        try:
            room.sign_in()
            room.furnish()
            yield room
        finally:
            asgi.shutdown_lifespans()
            SERVED.app = None
    # A fixture that broke on the way (a pupil's token replaced, say) would leave the pupil's
    # operations tested on 401s only.
    for label, seen in room.statuses.items():
        if PUPIL_PATHS in label and not label.startswith("stateful "):
            assert any(200 <= status < 300 for status in seen), f"{label}: only {sorted(seen)}"


def _valid_id(value: object) -> int | None:
    """The id a generated path value stands for (the coverage phase sends strings), if valid."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID:
        return value
    return None


def _point_at_real_objects(case: Case, room: Classroom) -> None:
    """Replace most valid generated ids by real ones (invalid ones stay: they test the 422s)."""
    destroys = DESTRUCTIVE.get(case.operation.label)
    parameters = dict(case.path_parameters)
    for name, value in case.path_parameters.items():
        generated = _valid_id(value)
        if generated is None:
            continue
        if name == destroys:
            if generated % 2 or generated in room.protected(name):
                parameters[name] = room.fresh(name)
        elif name == "student_id" and case.path.startswith(PUPIL_PATHS):
            if generated % 4:  # one case in four asks for another pupil's homework
                parameters[name] = room.pupil_id
        elif generated % 4:
            parameters[name] = room.real(name, generated)
    if parameters != case.path_parameters:
        # Assigned, not edited in place, so that Schemathesis labels the case's data again.
        case.path_parameters = parameters


#: Creating operations, and the body field that must be new for each (email or name).
UNIQUE_FIELDS = {
    "POST /api/teacher/students": "email",
    "POST /api/admin/teachers": "email",
    "POST /api/teacher/classes": "name",
}


def _never_taken(case: Case, room: Classroom) -> None:
    """Make the email or name a creating case sends one nobody has yet, valid if it was."""
    name = UNIQUE_FIELDS.get(case.operation.label)
    if name is None or not isinstance(case.body, dict):
        return
    value = case.body.get(name)
    if not isinstance(value, str) or not value.strip():
        return
    room.made += 1
    mark = f"u{room.made:06d}"
    if name == "email":
        local, at, domain = value.partition("@")
        if not (at and local) or len(local) + len(mark) + 1 > 64:
            return
        fresh = f"{mark}.{local}@{domain}"
    else:
        fresh = f"{value[:110]} {mark}"
    # Assigned, not edited in place, so that Schemathesis labels the case's data again.
    case.body = {**case.body, name: fresh}


def _credentials(case: Case, room: Classroom) -> dict[str, str]:
    if case.path == "/api/auth/logout":
        return {"Authorization": f"Bearer {room.spare_token()}"}  # this case may revoke it
    if case.path.startswith(PUPIL_PATHS):
        return room.pupil()
    if case.path.startswith(TEACHER_PATHS):
        return room.teacher()
    return {}


# Known differences between the API and its document. The bugs among them are reported to the
# API's owners; each is tolerated narrowly, so that every other check keeps running.

BODY_NOT_PARSED = "There was an error parsing the body"
#: Documented 422s to requests the schema finds valid, but which name no existing pupil.
NAMES_NOBODY = ("student_ids: unknown student id(s)", "Nobody would receive this assignment")
#: Request bodies with a boolean, by operation.


def _known_deviation(case: Case, response: Response, failure: Any) -> bool:
    """Whether ``failure`` (codes are Schemathesis') is one of the known differences."""
    if failure.code == "ST202":  # schema-valid request rejected
        return response.status_code == 422 and _rejected_by_design(response)
    return False


def _detail(response: Response) -> str:
    try:
        return str(response.json().get("detail", ""))
    except (ValueError, AttributeError):
        return ""


def _rejected_by_design(response: Response) -> bool:
    """A 422 to a schema-valid request that is no bug: it names nobody, or the validation says
    more than the document can (see ``_by_design``)."""
    if _detail(response).startswith(NAMES_NOBODY):
        return True
    errors = response.json().get("errors") or []
    # A union (an answer is text or an option's index) has an error per branch: the text
    # branch's says why; the integer branch's only that the text is not a number.
    reasons = [e for e in errors if not (e["loc"][-1] == "int" and e["type"].startswith("int_"))]
    return bool(reasons) and all(_by_design(error) for error in reasons)


def _by_design(error: dict[str, Any]) -> bool:
    kind, given = error["type"], str(error.get("input", ""))
    return (
        # Reserved domains (m@x.test) are not addresses one can write to.
        (error["loc"][-1] == "email" and kind == "value_error")
        # Names are plain text: no control or text-direction characters, and not only spaces.
        or (kind == "value_error" and "control or text-direction characters" in error["msg"])
        or (kind == "string_too_short" and given == "''")
        # 5.0 is an integer to JSON Schema, not to the API (ids are strict JSON integers).
        or (kind == "int_type" and re.fullmatch(r"-?\d+\.0", given) is not None)
        # The maximum 2**63 - 1, read as a float, lets 2**63 + 191 through.
        or (kind == "less_than_equal" and given.isdigit() and int(given) > MAX_ID)
        # The same pupil twice in one assignment (the document could say uniqueItems).
        or (kind == "value_error" and "duplicate student id" in error["msg"])
    )


@schema.parametrize()
@settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation(case: Case, classroom: Classroom) -> None:
    """No 5xx, and a response as documented, for every operation, as its real users."""
    _point_at_real_objects(case, classroom)
    headers = _credentials(case, classroom)
    response = case.call(headers=headers)
    classroom.statuses[case.operation.label].add(response.status_code)
    try:
        case.validate_response(response, headers=headers, transport_kwargs={"headers": headers})
    except FailureGroup as group:
        if not all(_known_deviation(case, response, failure) for failure in group.exceptions):
            raise


# -- the stateful phase: sequences that follow the document's links ------------------------------

StatefulMachine = schema.as_state_machine()
STATEFUL_SCENARIOS = 12


def test_stateful_sequences_follow_the_links(classroom: Classroom) -> None:
    """Create a student, a class or an assignment, then use the new id as the document's links
    say (read it, add to it, issue a link, delete it...): no 5xx, responses as documented."""

    class Sequences(StatefulMachine):  # type: ignore[misc, valid-type]
        # Hypothesis replays the start of earlier scenarios and expects the same answers, so
        # nothing a scenario does may change what a later one gets: each has its own classroom
        # (one may hand its homework in or empty its class), and what it creates never
        # collides with what an earlier one created (a 409 where there was a 201).
        def setup(self) -> None:
            classroom.furnish()

        def before_call(self, case: Case) -> None:
            _point_at_real_objects(case, classroom)
            _never_taken(case, classroom)

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return {"headers": _credentials(case, classroom)}

        def after_call(self, response: Response, case: Case) -> None:
            classroom.statuses[f"stateful {case.operation.label}"].add(response.status_code)
            if (
                case.operation.label == "POST /api/teacher/assignments"
                and response.status_code == 201
            ):
                # What the links lead to next (its homework, its results) must not depend on how
                # far the background generation has got: Hypothesis replays a sequence expecting
                # the same answers, and calls its generation flaky otherwise.
                classroom.wait_completed(int(response.json()["id"]))

        def validate_response(
            self, response: Response, case: Case, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            try:
                super().validate_response(response, case, additional_checks, **kwargs)
            except FailureGroup as group:
                if not all(_known_deviation(case, response, f) for f in group.exceptions):
                    raise

    Sequences.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=6,
            deadline=None,
            database=None,
            # The same scenarios every run, so that a failure in CI is one that reproduces.
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
    followed = [label for label in classroom.statuses if label.startswith("stateful ")]
    # The sequences reached beyond the creating operations.
    assert any("{" in label for label in followed), followed
