"""The pupil's pages, behind their personal link /s/{token}: their homework, a homework to answer
(save, then hand in after a confirmation) and, once handed in, the verdicts and the score.

The link is the pupil's credential (no password, no cookie). The pages read and write through the
same services as the pupil's REST endpoints, which leave the right answers out until the hand-in.
Every failure becomes a page in plain words, never JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from api.accounts.limits import RateLimits
from api.accounts.tokens import TokenKind, hash_token, kind_of
from api.core.database import Database
from api.core.errors import AppError, Conflict, Invalid, NotFound, TooManyRequests
from api.core.ids import MAX_ID
from api.core.text import unsafe_characters
from api.homework import service as homework_service
from api.homework import submissions
from api.homework.exceptions import (
    HomeworkAlreadySubmitted,
    HomeworkNotFound,
    HomeworkNotReady,
)
from api.homework.models import HomeworkStatus
from api.homework.schemas import SubmissionCreate
from api.pages.forms import require_same_origin
from api.pages.templates import templates
from api.students import service as students
from api.students.models import Student

#: SubmissionCreate refuses longer answers; the inputs say so first (maxlength).
MAX_ANSWER_CHARS = 500
#: Pupil tokens are "its_" and 43 URL-safe characters; anything much longer is not one.
MAX_TOKEN_CHARS = 100
#: Seconds between reloads of a homework that is still being prepared.
REFRESH_SECONDS = 5

_OPEN = (HomeworkStatus.available, HomeworkStatus.in_progress)
_PREPARING = (HomeworkStatus.pending, HomeworkStatus.generating)
_TYPE_HINTS = {
    "fill_in_blank": "Write the missing word or words.",
    "translation": "Write the translation.",
    "multiple_choice": "Choose one answer.",
}
_VERDICTS = {
    "correct": "Correct",
    "almost": "Almost",
    "incorrect": "Incorrect",
    "unanswered": "Not answered",
}
# "Traduci in inglese: «...»", "Translate into English: '...'": the answer is English.
_INTO_ENGLISH = re.compile(r"\b(inglese|english)\b", re.IGNORECASE)


# --- Failures, in the pupil's words -------------------------------------------------------------


class LinkNotValid(NotFound):
    def __init__(self) -> None:
        super().__init__("This link no longer works: ask your teacher for a new one.")


class NoSuchHomework(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "There is no such homework behind your link. Go back to your homework list and "
            "open it from there."
        )


class AlreadyHandedIn(Conflict):
    def __init__(self) -> None:
        super().__init__("This homework was already handed in, so its answers can't be changed.")


class NotReadyYet(Conflict):
    def __init__(self) -> None:
        super().__init__("This homework is not ready yet, so there is nothing to save.")


class AnswerTooLong(Invalid):
    def __init__(self, number: int) -> None:
        super().__init__(
            f"Your answer to exercise {number} is too long: write {MAX_ANSWER_CHARS} "
            "characters at most, then save again."
        )


class AnswerNotPlainText(Invalid):
    def __init__(self, number: int) -> None:
        super().__init__(
            f"Your answer to exercise {number} contains invisible control characters: "
            "type it again as plain text, then save again."
        )


class UnreadableForm(AppError):
    def __init__(self) -> None:
        super().__init__("Your answers could not be read: open the page again and send them again.")


class UnknownAction(Invalid):
    def __init__(self) -> None:
        super().__init__("Use the Save or the Hand in button to send your answers.")


def _in_plain_words(error: AppError) -> AppError:
    """The homework domain's errors speak to API clients; a pupil gets a sentence for them."""
    if isinstance(error, HomeworkNotFound):
        return NoSuchHomework()
    if isinstance(error, HomeworkAlreadySubmitted):
        return AlreadyHandedIn()
    if isinstance(error, HomeworkNotReady):
        return NotReadyYet()
    if isinstance(error, Invalid) and not isinstance(
        error, AnswerTooLong | AnswerNotPlainText | UnknownAction
    ):
        return Invalid("Some answers could not be saved: check them and save again.")
    if isinstance(error, TooManyRequests):
        retry = (error.headers or {}).get("Retry-After", "a few")
        return TooManyRequests(
            f"Too many pages opened with your link in a short time: wait {retry} seconds, "
            "then try again.",
            int(retry) if retry.isdigit() else 60,
        )
    return error


# --- Who is asking, and for what ----------------------------------------------------------------


@dataclass(frozen=True)
class Pupil:
    """The pupil behind a personal link."""

    id: int
    name: str
    token: str


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def _pupil(request: Request, token: str) -> Pupil:
    """The pupil whose personal link this is (counted against the per-token limit); 404 if none."""
    if len(token) > MAX_TOKEN_CHARS or kind_of(token) is not TokenKind.student:
        raise LinkNotValid()
    token_hash = hash_token(token)
    database = _database(request)

    def lookup() -> Pupil | None:
        with database.reading() as db:
            student_id = students.student_for_token(db=db.connection(), token_hash=token_hash)
            student = db.get(Student, student_id) if student_id is not None else None
            return None if student is None else Pupil(student.id, student.name, token)

    pupil = await database.run(lookup)
    if pupil is None:
        raise LinkNotValid()
    request.state.pupil = pupil
    limits: RateLimits = request.app.state.rate_limits
    limits.hit_token(token_hash)
    return pupil


def _homework_id(raw: str) -> int:
    """The homework id of the address; anything but a plausible id is a page not found."""
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise NoSuchHomework()
    return int(raw)


async def _homework(request: Request, pupil: Pupil, homework_id: int) -> dict[str, Any]:
    """One of the pupil's homework, right answers left out until it is handed in."""
    database = _database(request)

    def read() -> dict[str, Any]:
        with database.single_read() as db:
            return homework_service.get_for_student(
                db=db, student_id=pupil.id, homework_id=homework_id
            )

    return await database.run(read)


async def _save(
    request: Request, pupil: Pupil, homework_id: int, answers: list[str | None]
) -> None:
    """Store the answers without grading them (a partial save)."""
    database = _database(request)
    data = SubmissionCreate(answers=list(answers), final=False)

    def save(db: Session) -> None:
        submissions.submit(db=db, student_id=pupil.id, homework_id=homework_id, data=data)

    await database.write(save)


async def _hand_in(request: Request, pupil: Pupil, homework_id: int) -> None:
    """Grade the saved answers and complete the homework, in one transaction."""
    database = _database(request)

    def hand_in(db: Session) -> None:
        saved = homework_service.get_for_student(
            db=db.connection(), student_id=pupil.id, homework_id=homework_id
        )
        # The saved answers were checked when they were saved (possibly by an older version
        # that let control characters through): grade them as they are.
        data = SubmissionCreate.model_construct(answers=list(saved["answers"] or []), final=True)
        submissions.submit(db=db, student_id=pupil.id, homework_id=homework_id, data=data)

    await database.write(hand_in)


def _answers_from_form(form: FormData, exercises: Sequence[dict[str, Any]]) -> list[str | None]:
    """One answer per exercise from fields answer-0, answer-1...; blank means unanswered."""
    answers: list[str | None] = []
    for index in range(len(exercises)):
        value = form.get(f"answer-{index}")
        text = value.strip() if isinstance(value, str) else ""
        answers.append(text or None)
    return answers


def _check_answers(answers: Sequence[str | None]) -> None:
    """What SubmissionCreate refuses, said to the pupil with the exercise's number."""
    for number, answer in enumerate(answers, start=1):
        if answer is not None and len(answer) > MAX_ANSWER_CHARS:
            raise AnswerTooLong(number)
        if answer is not None and unsafe_characters(answer):
            raise AnswerNotPlainText(number)


# --- What the pages show ------------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseView:
    """One exercise on a page: the question, the pupil's answer and, once handed in, the verdict."""

    number: int
    name: str
    type: str
    question: str
    hint: str
    answer_lang: str
    options: list[str]
    answer: str | None
    verdict: str | None = None
    verdict_text: str | None = None
    note: str | None = None
    expected: str | None = None
    also_accepted: list[str] = field(default_factory=list)
    explanation: str | None = None


@dataclass(frozen=True)
class HomeworkItem:
    """One homework in the pupil's list."""

    url: str
    title: str
    detail: str
    score: str | None = None
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class HomeworkGroup:
    """Homework in the same state, under one heading."""

    key: str
    heading: str
    note: str | None
    items: list[HomeworkItem]


def _title(homework: dict[str, Any]) -> str:
    # What the exercises practise, when the offline generator could not practise what was asked.
    focus = str(homework.get("practised_focus") or homework["grammar_focus"]).strip()
    topic = str(homework["topic"]).strip()
    title = f"{focus[:1].upper()}{focus[1:]}"
    return f"{title}: {topic}" if topic else title


def _score(score: float | None) -> str | None:
    return None if score is None else f"{score:g}"


def _when(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


def _answer_text(exercise: dict[str, Any], answer: object) -> str | None:
    """A stored answer as text (multiple choice may hold an option's index, sent through the API)."""
    if answer is None:
        return None
    options = exercise.get("options") or []
    if isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer < len(options):
        return str(options[answer])
    return str(answer)


def _answer_lang(exercise: dict[str, Any]) -> str:
    instruction = str(exercise["question"]).split(":", 1)[0]
    if exercise["type"] == "translation" and _INTO_ENGLISH.search(instruction):
        return "en"
    return "it"


def _exercise_views(
    homework: dict[str, Any], answers: Sequence[object] | None = None
) -> list[ExerciseView]:
    """The exercises with the given answers (else the saved ones) and any verdicts."""
    exercises: list[dict[str, Any]] = homework["exercises"] or []
    given = list(answers if answers is not None else homework["answers"] or [])
    results = {result["index"]: result for result in homework["results"] or []}
    views = []
    for index, exercise in enumerate(exercises):
        result = results.get(index)
        answer = _answer_text(exercise, given[index] if index < len(given) else None)
        view = ExerciseView(
            number=index + 1,
            name=f"answer-{index}",
            type=exercise["type"],
            question=exercise["question"],
            hint=_TYPE_HINTS.get(exercise["type"], "Write your answer."),
            answer_lang=_answer_lang(exercise),
            options=list(exercise.get("options") or []),
            answer=answer,
        )
        if result is not None:
            expected = str(result["expected"])
            view = replace(
                view,
                answer=_answer_text(exercise, result["answer"]),
                verdict=result["verdict"],
                verdict_text=_VERDICTS.get(result["verdict"], result["verdict"]),
                note=None if result["verdict"] == "unanswered" else result.get("note"),
                expected=expected,
                also_accepted=[
                    str(other)
                    for other in exercise.get("accepted_answers") or []
                    if other != expected
                ],
                explanation=result.get("explanation"),
            )
        views.append(view)
    return views


def _answered(answers: Sequence[object] | None) -> int:
    return sum(submissions.is_answered(answer) for answer in answers or [])


def _groups(request: Request, pupil: Pupil, homework: list[dict[str, Any]]) -> list[HomeworkGroup]:
    """The pupil's homework by state, most urgent first; empty groups are left out."""

    def item(entry: dict[str, Any]) -> HomeworkItem:
        total = len(entry["exercises"] or [])
        status = entry["status"]
        if status == HomeworkStatus.in_progress:
            detail = (
                f"Level {entry['cefr_level']} · {_answered(entry['answers'])} of {total} answered"
            )
        elif status in _OPEN:
            detail = f"Level {entry['cefr_level']} · {total} exercises"
        else:
            detail = f"Level {entry['cefr_level']}"
        return HomeworkItem(
            url=_url(request, "pupil_homework", pupil, entry["id"]),
            title=_title(entry),
            detail=detail,
            score=_score(entry["score"]),
            submitted_at=_when(entry["submitted_at"]),
        )

    def of(*statuses: str) -> list[HomeworkItem]:
        return [item(entry) for entry in homework if entry["status"] in statuses]

    groups = [
        HomeworkGroup("in_progress", "In progress", None, of(HomeworkStatus.in_progress)),
        HomeworkGroup("available", "New", None, of(HomeworkStatus.available)),
        HomeworkGroup(
            "preparing",
            "Being prepared",
            "Your teacher has just set this homework: it will be ready in a moment.",
            of(*_PREPARING),
        ),
        HomeworkGroup("completed", "Handed in", None, of(HomeworkStatus.completed)),
        HomeworkGroup(
            "failed",
            "Could not be prepared",
            "Something went wrong while preparing this homework: ask your teacher to set it again.",
            of(HomeworkStatus.failed),
        ),
    ]
    return [group for group in groups if group.items]


# --- Rendering ----------------------------------------------------------------------------------


def _url(request: Request, name: str, pupil: Pupil, homework_id: int | None = None) -> str:
    """The path of one of the pupil's pages (behind any root_path the app is mounted at)."""
    if homework_id is None:
        return request.url_for(name, token=pupil.token).path
    return request.url_for(name, token=pupil.token, homework_id=str(homework_id)).path


def _render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    pupil: Pupil | None = getattr(request.state, "pupil", None)
    base = {
        "pupil": pupil,
        "home_url": _url(request, "pupil_home", pupil) if pupil else None,
    }
    response = templates.TemplateResponse(
        request, template, base | context, status_code=status_code
    )
    # The pages are personal: no shared cache keeps them, no search engine lists them.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers.update(headers or {})
    return response


def _error_page(request: Request, error: AppError) -> HTMLResponse:
    error = _in_plain_words(error)
    return _render(
        request,
        "pupil/error.html",
        {"status_code": error.status_code, "detail": error.detail},
        status_code=error.status_code,
        headers=error.headers,
    )


def _homework_page(
    request: Request,
    pupil: Pupil,
    homework: dict[str, Any],
    *,
    answers: Sequence[object] | None = None,
    error: AppError | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The page that fits the homework's state: being prepared, to answer, or its results."""
    status = homework["status"]
    views = _exercise_views(homework, answers)
    context: dict[str, Any] = {
        "homework": homework,
        "title": _title(homework),
        "exercises": views,
        "error": _in_plain_words(error).detail if error else None,
        "page_url": _url(request, "pupil_homework", pupil, homework["id"]),
    }
    if status == HomeworkStatus.completed:
        verdicts = [view.verdict for view in views]
        context |= {
            "score": _score(homework["score"]),
            "submitted_at": _when(homework["submitted_at"]),
            "counts": {key: verdicts.count(key) for key in _VERDICTS},
        }
        return _render(request, "pupil/results.html", context, status_code=status_code)
    if status in _OPEN:
        context["saved"] = request.query_params.get("saved") == "1" and error is None
        context["max_answer_chars"] = MAX_ANSWER_CHARS
        return _render(request, "pupil/homework.html", context, status_code=status_code)
    context["refresh_seconds"] = REFRESH_SECONDS if status in _PREPARING else None
    return _render(request, "pupil/preparing.html", context, status_code=status_code)


# --- Routes -------------------------------------------------------------------------------------


class PupilPageRoute(APIRoute):
    """A pupil page route: every AppError it raises becomes a page in plain words."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except AppError as error:
                return _error_page(request, error)

        return handle


router = APIRouter(include_in_schema=False, route_class=PupilPageRoute)


@router.get("/s/{token}", name="pupil_home")
async def home(request: Request, token: str) -> Response:
    """The pupil's homework, grouped by state."""
    pupil = await _pupil(request, token)
    database = _database(request)

    def read() -> list[dict[str, Any]]:
        with database.single_read() as db:
            return homework_service.list_for_student(db=db, student_id=pupil.id, status="all")

    homework = await database.run(read)
    return _render(request, "pupil/list.html", {"groups": _groups(request, pupil, homework)})


@router.get("/s/{token}/homework/{homework_id}", name="pupil_homework")
async def homework_page(request: Request, token: str, homework_id: str) -> Response:
    """One homework: being prepared, to answer, or its results once handed in."""
    pupil = await _pupil(request, token)
    homework = await _homework(request, pupil, _homework_id(homework_id))
    return _homework_page(request, pupil, homework)


@router.post("/s/{token}/homework/{homework_id}", name="pupil_answers")
async def send_answers(request: Request, token: str, homework_id: str) -> Response:
    """Save the answers; with Hand in, save them and then ask for a confirmation."""
    require_same_origin(request)
    pupil = await _pupil(request, token)
    number = _homework_id(homework_id)
    homework = await _homework(request, pupil, number)
    try:
        form = await request.form()
    except HTTPException as error:  # a body that is no form (Starlette answers 400)
        raise UnreadableForm() from error
    action = form.get("action") or "save"
    answers = _answers_from_form(form, homework["exercises"] or [])
    try:
        if action not in ("save", "hand_in"):
            raise UnknownAction()
        _check_answers(answers)
        await _save(request, pupil, number, answers)
    except (Conflict, Invalid) as error:
        # Show the page again as it now is, with what the pupil typed, and say what went wrong.
        current = await _homework(request, pupil, number)
        return _homework_page(
            request, pupil, current, answers=answers, error=error, status_code=error.status_code
        )
    if action == "hand_in":
        return RedirectResponse(_url(request, "pupil_confirm", pupil, number), status_code=303)
    page = _url(request, "pupil_homework", pupil, number)
    return RedirectResponse(f"{page}?saved=1#saved", status_code=303)


@router.get("/s/{token}/homework/{homework_id}/hand-in", name="pupil_confirm")
async def confirm_page(request: Request, token: str, homework_id: str) -> Response:
    """Ask before the final hand-in: how many exercises have an answer, and what it means."""
    pupil = await _pupil(request, token)
    homework = await _homework(request, pupil, _homework_id(homework_id))
    if homework["status"] not in _OPEN:
        return _homework_page(request, pupil, homework)
    exercises = homework["exercises"] or []
    answers = list(homework["answers"] or [])
    unanswered = [
        number
        for number in range(1, len(exercises) + 1)
        if number > len(answers) or not submissions.is_answered(answers[number - 1])
    ]
    context = {
        "title": _title(homework),
        "answered": len(exercises) - len(unanswered),
        "total": len(exercises),
        "unanswered": unanswered,
        "page_url": _url(request, "pupil_homework", pupil, homework["id"]),
        "hand_in_url": _url(request, "pupil_hand_in", pupil, homework["id"]),
    }
    return _render(request, "pupil/confirm.html", context)


@router.post("/s/{token}/homework/{homework_id}/hand-in", name="pupil_hand_in")
async def hand_in(request: Request, token: str, homework_id: str) -> Response:
    """Hand the saved answers in for good: they are graded and the results shown."""
    require_same_origin(request)
    pupil = await _pupil(request, token)
    number = _homework_id(homework_id)
    try:
        await _hand_in(request, pupil, number)
    except Conflict as error:
        current = await _homework(request, pupil, number)
        return _homework_page(request, pupil, current, error=error, status_code=error.status_code)
    return RedirectResponse(_url(request, "pupil_homework", pupil, number), status_code=303)
