"""Prepared statements on SQLite give exactly what SQLAlchemy gives for the same statement."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from api.accounts import service as accounts
from api.accounts.dependencies import PupilToken
from api.accounts.exceptions import NoStudentCredential
from api.accounts.models import TeacherToken
from api.accounts.tokens import hash_token
from api.assignments.models import Assignment
from api.core.database import Database, utcnow
from api.homework import service as homework_service
from api.homework.exceptions import HomeworkNotFound
from api.homework.models import Homework
from api.homework.service import HIDDEN_UNTIL_HANDED_IN
from api.students import service as students
from api.students.exceptions import EmailAlreadyRegistered
from api.students.models import Student
from api.students.schemas import StudentCreate


async def test_a_token_lookup_reads_the_same_row_both_ways(
    database: Database, maria: tuple[int, str]
) -> None:
    assert database.statements is not None
    teacher_id, token = maria
    values = {"token_hash": hash_token(token), "now": utcnow()}
    prepared = await database.one(accounts.BY_TOKEN, values)
    with database.single_read() as connection:
        expected = connection.execute(accounts.BY_TOKEN.statement, values).one()._asdict()
    assert prepared == expected
    assert prepared is not None and prepared["id"] == teacher_id
    assert prepared["is_admin"] is True  # SQLite's integer, converted as SQLAlchemy does

    # The timestamp comparison holds in the prepared SQL: an expired token finds nobody.
    with database.writing() as db:
        db.execute(
            update(TeacherToken)
            .where(TeacherToken.token_hash == values["token_hash"])
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert await database.one(accounts.BY_TOKEN, values | {"now": utcnow()}) is None
    assert await database.one(accounts.BY_TOKEN, {"token_hash": "0" * 64, "now": utcnow()}) is None


async def test_a_student_written_by_a_prepared_insert_reads_back_through_the_orm(
    database: Database, maria: tuple[int, str]
) -> None:
    teacher_id, _ = maria
    data = StudentCreate(name="Giulia Rossi", email="giulia@example.com")
    created, token = await students.register(database=database, teacher_id=teacher_id, data=data)
    with database.reading() as db:
        stored = db.get(Student, created.id)
        assert stored is not None
        assert (stored.name, stored.email, stored.created_at) == (
            created.name,
            created.email,
            created.created_at,
        )
        assert stored.created_at.tzinfo is not None
        assert stored.access_token_hash == hash_token(token)
    assert await database.one(students.BY_TOKEN, {"token_hash": hash_token(token)}) == {
        "id": created.id
    }

    # The same email again: refused, nothing written, and the next write still works.
    with pytest.raises(EmailAlreadyRegistered):
        await students.register(database=database, teacher_id=teacher_id, data=data)
    marco = StudentCreate(name="Marco Bianchi", email="marco@example.com")
    await students.register(database=database, teacher_id=teacher_id, data=marco)
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(Student)) == 2


def _transactions(database: Database) -> list[str]:
    """The transactions the prepared statements' connection begins, as they happen."""
    assert database.statements is not None
    seen: list[str] = []
    connection = database.statements._connection()
    connection.set_trace_callback(lambda sql: seen.append(sql) if sql.startswith("BEGIN") else None)
    return seen


def _count_students(path: Path) -> int:
    """Read from a connection of its own: only committed rows are seen."""
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT count(*) FROM students").fetchone()[0])


async def test_writes_of_one_turn_share_one_transaction_and_fail_alone(
    database: Database, tmp_path: Path, maria: tuple[int, str]
) -> None:
    teacher_id, _ = maria
    begins = _transactions(database)
    names = ["Giulia", "Marco", "Sara", "Luca", "Giulia again"]
    emails = ["giulia@example.com", "marco@example.com", "sara@x.it", "luca@x.it"]
    emails.append(emails[0])  # refused by the unique constraint, alone
    outcomes = await asyncio.gather(
        *(
            students.register(
                database=database,
                teacher_id=teacher_id,
                data=StudentCreate(name=name, email=email),
            )
            for name, email in zip(names, emails, strict=True)
        ),
        return_exceptions=True,
    )
    assert begins == ["BEGIN IMMEDIATE"]
    assert isinstance(outcomes[-1], EmailAlreadyRegistered)
    written = [outcome[0] for outcome in outcomes[:-1] if isinstance(outcome, tuple)]
    assert [student.name for student in written] == names[:-1]
    assert len({student.id for student in written}) == 4
    assert _count_students(tmp_path / "app.db") == 4

    # Writes awaited one after the other each get their own transaction.
    for i in range(2):
        data = StudentCreate(name=f"Pupil {i}", email=f"pupil{i}@x.it")
        await students.register(database=database, teacher_id=teacher_id, data=data)
    assert begins == ["BEGIN IMMEDIATE"] * 3
    assert _count_students(tmp_path / "app.db") == 6


async def test_a_refused_write_in_the_middle_of_a_batch_leaves_its_neighbours_written(
    database: Database, tmp_path: Path, maria: tuple[int, str]
) -> None:
    """A constraint refuses the second and fourth writes (a taken email, a teacher who does not
    exist): they fail alone, and the writes before and after them are committed whole."""
    teacher_id, _ = maria
    taken = StudentCreate(name="Giulia", email="giulia@example.com")
    await students.register(database=database, teacher_id=teacher_id, data=taken)
    begins = _transactions(database)
    requests = [
        (teacher_id, StudentCreate(name="Marco", email="marco@example.com")),
        (teacher_id, taken),
        (teacher_id, StudentCreate(name="Sara", email="sara@example.com")),
        (teacher_id + 1000, StudentCreate(name="Nobody's", email="nobody@example.com")),
        (teacher_id, StudentCreate(name="Luca", email="luca@example.com")),
    ]
    outcomes = await asyncio.gather(
        *(
            students.register(database=database, teacher_id=owner, data=data)
            for owner, data in requests
        ),
        return_exceptions=True,
    )
    assert begins == ["BEGIN IMMEDIATE"]
    assert isinstance(outcomes[1], EmailAlreadyRegistered)
    assert isinstance(outcomes[3], Exception)
    written = [outcome[0] for i, outcome in enumerate(outcomes) if i not in (1, 3)]
    assert [student.name for student in written] == ["Marco", "Sara", "Luca"]
    with sqlite3.connect(tmp_path / "app.db") as connection:
        rows = connection.execute(
            "SELECT id, name, teacher_id FROM students ORDER BY id"
        ).fetchall()
    assert [(name, owner) for _, name, owner in rows] == [
        ("Giulia", teacher_id),
        ("Marco", teacher_id),
        ("Sara", teacher_id),
        ("Luca", teacher_id),
    ]
    assert [student.id for student in written] == [row[0] for row in rows[1:]]


async def test_a_failed_group_commit_writes_nothing_and_fails_every_write(
    database: Database, tmp_path: Path, maria: tuple[int, str]
) -> None:
    teacher_id, _ = maria
    outcomes = await asyncio.gather(
        students.register(
            database=database,
            teacher_id=teacher_id,
            data=StudentCreate(name="Giulia", email="giulia@example.com"),
        ),
        # Not a constraint but a broken write (values missing): the whole batch is rolled back.
        database.write_one(students.INSERT, {"teacher_id": teacher_id}),
        return_exceptions=True,
    )
    assert all(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert _count_students(tmp_path / "app.db") == 0


async def test_a_pupils_homework_reads_the_same_prepared_and_through_sqlalchemy(
    database: Database, maria: tuple[int, str]
) -> None:
    """Every column a pupil's read returns (JSON exercises and answers, times, the practised
    focus) converts the same way, answers are hidden before the hand-in, and a wrong token or
    another pupil's path finds nothing."""
    teacher_id, _ = maria
    data = StudentCreate(name="Giulia Rossi", email="giulia@example.com")
    pupil, token = await students.register(database=database, teacher_id=teacher_id, data=data)
    exercises = [
        {
            "type": "fill_in_blank",
            "question": "Ieri io ___ (andare) al mercato.",
            "correct_answer": "sono andato",
            "accepted_answers": ["sono andata"],
            "explanation": "Andare forma il passato prossimo con essere.",
            "options": None,
        }
    ]
    with database.writing() as db:
        assignment = Assignment(
            teacher_id=teacher_id,
            cefr_level="A2",
            grammar_focus="passato prossimo",
            topic="la spesa",
            quantity=1,
            exercise_types=["fill_in_blank"],
        )
        db.add(assignment)
        db.flush()
        homework = Homework(
            assignment_id=assignment.id,
            student_id=pupil.id,
            status="in_progress",
            exercises=exercises,
            source="fallback",
            practised_focus="passato prossimo",
            generation_time=0.25,
            generated_at=utcnow(),
            answers=["sono andata"],
            started_at=utcnow(),
        )
        db.add(homework)
        db.flush()
        homework_id = homework.id

    mine = PupilToken(student_id=pupil.id, token_hash=hash_token(token))
    prepared = await homework_service.get_for_pupil(
        database=database, pupil=mine, homework_id=homework_id
    )
    with database.single_read() as db:
        through_sqlalchemy = homework_service.get_for_student(
            db=db, student_id=pupil.id, homework_id=homework_id
        )
    assert prepared == through_sqlalchemy
    assert prepared["exercises"] == [
        {k: v for k, v in exercises[0].items() if k not in HIDDEN_UNTIL_HANDED_IN}
    ]
    assert prepared["answers"] == ["sono andata"]
    assert prepared["generated_at"].endswith("Z")
    listed = await homework_service.list_for_pupil(database=database, pupil=mine, status="all")
    assert listed == [prepared]
    assert (
        await homework_service.list_for_pupil(database=database, pupil=mine, status="completed")
        == []
    )

    with pytest.raises(NoStudentCredential):
        await homework_service.get_for_pupil(
            database=database,
            pupil=PupilToken(student_id=pupil.id, token_hash="0" * 64),
            homework_id=homework_id,
        )
    with pytest.raises(HomeworkNotFound):
        await homework_service.get_for_pupil(database=database, pupil=mine, homework_id=999)
