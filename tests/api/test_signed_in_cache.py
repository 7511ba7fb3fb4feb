"""A teacher's token lookup is remembered only while nothing has been committed since."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

from api.accounts import service as accounts
from api.accounts.dependencies import SignedInCache, signed_in_teacher
from api.accounts.tokens import hash_token
from api.core.database import Database, utcnow
from api.students import service as students
from api.students.schemas import StudentCreate


def _lookups(database: Database) -> list[str]:
    """The token lookups the prepared statements' connection runs, as they happen."""
    assert database.statements is not None
    seen: list[str] = []
    connection = database.statements._connection()
    connection.set_trace_callback(
        lambda sql: seen.append(sql) if "teacher_tokens" in sql and "SELECT" in sql else None
    )
    return seen


async def test_a_lookup_is_answered_again_only_until_something_is_committed(
    database: Database, tmp_path: Path, maria: tuple[int, str]
) -> None:
    teacher_id, token = maria
    token_hash = hash_token(token)
    cache = SignedInCache()
    lookups = _lookups(database)

    first = await signed_in_teacher(database, token_hash, cache)
    second = await signed_in_teacher(database, token_hash, cache)
    assert first is not None and first == second and first.id == teacher_id
    assert len(lookups) == 1

    # A write through the same connection (a new pupil) reads the database again.
    data = StudentCreate(name="Giulia", email="giulia@example.com")
    await students.register(database=database, teacher_id=teacher_id, data=data)
    assert await signed_in_teacher(database, token_hash, cache) == first
    assert len(lookups) == 2

    # Signing out from another connection of this process: refused at once.
    with database.writing() as db:
        accounts.revoke_token(db=db, token_hash=token_hash)
    assert await signed_in_teacher(database, token_hash, cache) is None
    assert len(lookups) == 3


async def test_a_token_revoked_by_another_process_is_refused_from_the_next_turn(
    database: Database, tmp_path: Path, maria: tuple[int, str]
) -> None:
    """SQLite's data_version is read once per turn of the event loop: requests of the turn in
    which another process signs a teacher out started before it; the next turn's see it."""
    token_hash = hash_token(maria[1])
    cache = SignedInCache()
    assert await signed_in_teacher(database, token_hash, cache) is not None
    # Another process (the command line, a second API on the same file) deletes the token.
    with sqlite3.connect(tmp_path / "app.db") as other:
        other.execute("DELETE FROM teacher_tokens WHERE token_hash = ?", (token_hash,))
    assert await signed_in_teacher(database, token_hash, cache) is not None
    await asyncio.sleep(0)
    assert await signed_in_teacher(database, token_hash, cache) is None


def test_a_remembered_token_still_expires() -> None:
    cache = SignedInCache()
    teacher = accounts.SignedInTeacher(
        id=1, name="Maria", email="maria@school.it", is_admin=False, token_hash="h"
    )
    now = utcnow()
    cache.put("h", (0, 1, 0), teacher, expires_at=now + timedelta(seconds=1))
    assert cache.get("h", (0, 1, 0), now) == teacher
    assert cache.get("h", (0, 1, 0), now + timedelta(seconds=1)) is None
    assert cache.get("h", (0, 2, 0), now) is None  # something was committed since


def test_the_cache_keeps_at_most_its_limit() -> None:
    cache = SignedInCache()
    now = utcnow()
    for i in range(SignedInCache.LIMIT + 10):
        teacher = accounts.SignedInTeacher(
            id=i, name="T", email=f"t{i}@school.it", is_admin=False, token_hash=str(i)
        )
        cache.put(str(i), (0, 1, 0), teacher, expires_at=now + timedelta(hours=1))
    assert len(cache._entries) <= SignedInCache.LIMIT
