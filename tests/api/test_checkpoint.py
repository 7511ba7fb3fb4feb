"""WAL checkpoints happen on their own thread, not on the commits of requests."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import text

from api.core.checkpoint import SAFETY_NET_PAGES
from api.core.database import Database
from api.core.migrate import upgrade


def _rows_in_main_file(database_file: Path, copy: Path) -> int:
    """Students in the database file alone, as if its log were lost: only checkpointed rows."""
    shutil.copy(database_file, copy)
    with sqlite3.connect(copy) as connection:
        if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'students'").fetchone():
            return 0  # not even the schema is there yet
        return int(connection.execute("SELECT count(*) FROM students").fetchone()[0])


def _write_students(database: Database, count: int, start: int = 0) -> None:
    with database.write_connection() as connection:
        for i in range(start, start + count):
            connection.execute(
                text(
                    "INSERT INTO students (name, email, created_at) "
                    "VALUES (:name, :email, CURRENT_TIMESTAMP)"
                ),
                {"name": f"Pupil {i}", "email": f"pupil{i}@example.com"},
            )


def test_request_connections_leave_checkpoints_to_the_checkpointer(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'app.db'}", checkpoint_every=3600)
    try:
        upgrade(database.engine)
        assert database.statements is not None
        prepared = database.statements._connection()
        assert prepared.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == SAFETY_NET_PAGES
        with database.engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert pages == SAFETY_NET_PAGES

        # With the thread asleep, well over SQLite's default of 1,000 pages of commits (one
        # pupil each) stay in the log: no request's commit paid for a checkpoint.
        for i in range(600):
            _write_students(database, 1, start=i)
        frames = (tmp_path / "app.db-wal").stat().st_size // (4096 + 24)
        assert frames > 1000
        assert _rows_in_main_file(tmp_path / "app.db", tmp_path / "copy.db") == 0
    finally:
        database.dispose()


def test_the_checkpointer_copies_the_log_into_the_database_file(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'app.db'}", checkpoint_every=0.05)
    try:
        upgrade(database.engine)
        for i in range(10):
            _write_students(database, 50, start=50 * i)
        copy = tmp_path / "copy.db"
        deadline = time.monotonic() + 10
        while _rows_in_main_file(tmp_path / "app.db", copy) < 500:
            assert time.monotonic() < deadline, "the log was never checkpointed"
            time.sleep(0.05)
    finally:
        database.dispose()
    assert not any(thread.name == "sqlite-checkpoint" for thread in threading.enumerate())
