"""Prepared statements for the hottest queries on SQLite: a token lookup runs on every request.

A Core statement is compiled once, with SQLAlchemy's own SQL and type conversions, and then run
on a plain ``sqlite3`` connection, whose statement cache keeps it prepared. Only SQLAlchemy's
per-execution machinery (pool checkout, events, execution context, result object) is skipped: an
indexed one-row read costs a few microseconds instead of a few hundred. On any other database
the same statements run through SQLAlchemy as usual.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, cast

from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable

from api.core.checkpoint import SAFETY_NET_PAGES

_DIALECT = sqlite.dialect(paramstyle="named")
Processor = Callable[[Any], Any] | None


class Prepared:
    """One statement, compiled for SQLite: its SQL, and how its parameters and columns convert."""

    def __init__(self, statement: Executable, column_keys: Sequence[str] | None = None) -> None:
        compiled = cast(
            SQLCompiler,
            cast(ClauseElement, statement).compile(
                dialect=_DIALECT, column_keys=list(column_keys or ()) or None
            ),
        )
        self.statement = statement
        self.sql = str(compiled)
        self._binds: dict[str, Processor] = {
            name: bind.type.dialect_impl(_DIALECT).bind_processor(_DIALECT)
            for name, bind in compiled.binds.items()
        }
        columns = list(getattr(statement, "exported_columns", ()))
        self.columns = tuple(column.key for column in columns)
        self._results: tuple[Processor, ...] = tuple(
            column.type.dialect_impl(_DIALECT).result_processor(_DIALECT, None)
            for column in columns
        )

    def parameters(self, values: Mapping[str, Any]) -> dict[str, Any]:
        converted = {}
        for name, value in values.items():
            process = self._binds.get(name)
            converted[name] = process(value) if process is not None else value
        return converted

    def row(self, raw: Sequence[Any]) -> dict[str, Any]:
        return {
            key: process(value) if process is not None else value
            for key, process, value in zip(self.columns, self._results, raw, strict=True)
        }


class SQLiteStatements:
    """Runs ``Prepared`` statements on one plain connection per thread to a SQLite file."""

    def __init__(
        self, path: str, write_lock: AbstractContextManager[object], busy_timeout_ms: int
    ) -> None:
        self.path = path
        self._write_lock = write_lock
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._serials = itertools.count()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.path,
                isolation_level=None,  # BEGIN and COMMIT are ours to send
                check_same_thread=False,
                timeout=self._busy_timeout_ms / 1000,
                cached_statements=64,
            )
            connection.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(f"PRAGMA wal_autocheckpoint={SAFETY_NET_PAGES}")
            self._local.connection = connection
            self._local.serial = next(self._serials)
        return connection

    def data_version(self) -> tuple[int, int]:
        """This thread's connection (a serial number) and SQLite's ``data_version`` on it, which
        changes with every commit of every other connection, other processes' included."""
        connection = self._connection()
        (data_version,) = connection.execute("PRAGMA data_version").fetchone()
        return self._local.serial, int(data_version)

    def own_changes(self) -> int:
        """Rows this thread's connection has written so far (``data_version`` leaves them out)."""
        return self._connection().total_changes

    def one(self, prepared: Prepared, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row of a read, or None."""
        raw = self._connection().execute(prepared.sql, prepared.parameters(values)).fetchone()
        return None if raw is None else prepared.row(raw)

    def all(self, prepared: Prepared, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every row of a read."""
        raws = self._connection().execute(prepared.sql, prepared.parameters(values)).fetchall()
        return [prepared.row(raw) for raw in raws]

    def write_one(self, prepared: Prepared, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """Run one write in its own transaction; the first row it returns, if any.

        Raises ``sqlite3.IntegrityError`` (nothing written) when a constraint refuses it.
        """
        connection = self._connection()
        with self._write_lock:
            connection.execute("BEGIN IMMEDIATE")
            try:
                raw = connection.execute(prepared.sql, prepared.parameters(values)).fetchone()
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        return None if raw is None else prepared.row(raw)

    def write_many(
        self, writes: Sequence[tuple[Prepared, Mapping[str, Any]]]
    ) -> list[dict[str, Any] | None | sqlite3.IntegrityError]:
        """Run several writes in one transaction and commit once.

        Answers, in order, each write's first returned row (or None), or the
        ``sqlite3.IntegrityError`` of a write a constraint refused: that one is undone alone and
        the others are committed. Any other error rolls the whole transaction back and is raised.

        No savepoint per write is needed: on a constraint violation SQLite (its default ABORT
        resolution) backs out the failing statement only and keeps the transaction open, and a
        savepoint each made a batched INSERT half as expensive again.
        """
        connection = self._connection()
        raws: list[list[Any] | sqlite3.IntegrityError] = []
        with self._write_lock:
            connection.execute("BEGIN IMMEDIATE")
            try:
                for prepared, values in writes:
                    try:
                        raws.append(
                            connection.execute(prepared.sql, prepared.parameters(values)).fetchall()
                        )
                    except sqlite3.IntegrityError as exc:
                        raws.append(exc)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        return [
            raw
            if isinstance(raw, sqlite3.IntegrityError)
            else prepared.row(raw[0])
            if raw
            else None
            for (prepared, _), raw in zip(writes, raws, strict=True)
        ]

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


class GroupCommit:
    """Single-row writes that arrive in the same turn of the event loop share one transaction.

    Each waits for the commit that makes it durable, as before, but a class's worth of writes
    arriving together pays for one ``BEGIN IMMEDIATE``/``COMMIT`` (and one WAL append) instead of
    one each: on SQLite the transaction costs more than the INSERT. A write a constraint refuses
    is undone alone (SQLite backs out the failing statement) and fails alone.
    """

    def __init__(self, statements: SQLiteStatements) -> None:
        self._statements = statements
        self._pending: list[tuple[Prepared, Mapping[str, Any], asyncio.Future[Any]]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    async def write_one(
        self, prepared: Prepared, values: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """Like ``SQLiteStatements.write_one``, committed with the writes of the same turn."""
        loop = asyncio.get_running_loop()
        if self._pending and self._loop is not loop:  # another loop's batch is open: write alone
            return self._statements.write_one(prepared, values)
        future: asyncio.Future[dict[str, Any] | None] = loop.create_future()
        self._pending.append((prepared, values, future))
        if len(self._pending) == 1:
            self._loop = loop
            # Runs at the start of the next turn, after every request of this one has queued
            # its write.
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        try:
            results = self._statements.write_many(
                [(prepared, values) for prepared, values, _ in batch]
            )
        except Exception as exc:
            for *_, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (*_, future), result in zip(batch, results, strict=True):
            if future.done():  # its request was cancelled: the row is written all the same
                continue
            if isinstance(result, sqlite3.IntegrityError):
                future.set_exception(result)
            else:
                future.set_result(result)
