"""Database engine, sessions and the declarative base.

SQLite is the default: WAL so readers never wait for the writer, a busy timeout so writers queue
instead of failing, foreign keys on, and ``BEGIN IMMEDIATE`` for write transactions so two
writers never deadlock on a read-to-write upgrade ("database is locked").
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import JSON, Connection, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator
from starlette.concurrency import run_in_threadpool

from api.core.checkpoint import SAFETY_NET_PAGES, Checkpointer
from api.core.prepared import GroupCommit, Prepared, SQLiteStatements

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLITE_BUSY_TIMEOUT_MS = 30_000
_IMMEDIATE = "sqlite_begin_immediate"
_AUTOCOMMIT_READ = "sqlite_autocommit_read"


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints predictably."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


def normalise_database_url(url: str) -> str:
    """Pick the driver for a plain ``sqlite:///`` or ``postgresql://`` URL."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+pysqlite")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def build_engine(url: str) -> Engine:
    """Create the engine for ``url``, creating the SQLite file's folder when needed."""
    url = normalise_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)

    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=20,
        max_overflow=40,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so that BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint={SAFETY_NET_PAGES}")  # see api.core.checkpoint
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(_AUTOCOMMIT_READ, False):
            return  # one SELECT is consistent on its own; no transaction to open and close
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_IMMEDIATE, False) else "BEGIN")

    return engine


class Database:
    """The engine, read and write session factories, and Core connections for hot paths."""

    def __init__(self, url: str, checkpoint_every: float = 1.0) -> None:
        self.engine = build_engine(url)
        self.write_engine = self.engine.execution_options(**{_IMMEDIATE: True})
        self.reader = self.engine.execution_options(**{_AUTOCOMMIT_READ: True})
        self.is_sqlite = is_sqlite(self.engine)
        self.read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock: AbstractContextManager[object] = (
            threading.Lock() if self.is_sqlite else nullcontext()
        )
        self.write_sessions = sessionmaker(self.write_engine, expire_on_commit=False)
        # Prepared statements on plain sqlite3 connections, for a SQLite file (not :memory:).
        database = self.engine.url.database or ""
        self.statements: SQLiteStatements | None = (
            SQLiteStatements(database, self._write_lock, SQLITE_BUSY_TIMEOUT_MS)
            if self.is_sqlite
            and database
            and database != ":memory:"
            and not database.startswith("file:")
            else None
        )
        self._group_commit = GroupCommit(self.statements) if self.statements is not None else None
        # (thread, connection, SQLite's data_version) read in this turn of the loop: version().
        self._data_version: tuple[int, int, int] | None = None
        # WAL checkpoints off the request path, for a SQLite file.
        self._checkpointer = (
            Checkpointer(database, every=checkpoint_every) if self.statements is not None else None
        )
        if self._checkpointer is not None:
            self._checkpointer.start()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error."""
        # SQLite has one writer at a time. Queueing this process's writers on a lock hands the
        # database over as soon as it is free, where SQLite's busy handler would poll with
        # sleeps of up to 100 ms; other processes still wait in the busy handler.
        try:
            with self._write_lock, self.write_sessions() as session, session.begin():
                yield session
        finally:
            self._data_version = None  # see version()

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A Core write transaction, for hot paths where an ORM session costs more than the SQL."""
        try:
            with self._write_lock, self.write_engine.begin() as connection:
                yield connection
        finally:
            self._data_version = None  # see version()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session."""
        with self.read_sessions() as session:
            yield session

    @contextmanager
    def single_read(self) -> Iterator[Connection]:
        """A connection for one read statement (no transaction on SQLite)."""
        with self.reader.connect() as connection:
            yield connection

    # On SQLite the work runs inline on the event loop: one indexed statement and a WAL commit
    # (synchronous=NORMAL: no fsync) take less time than the hop to a worker thread and back, and
    # writers of this process never queue for a thread while holding nothing. A networked database
    # would block the loop for a round trip, so there the work gets one thread hop, the session
    # closed before the thread is handed back (a connection is never held while waiting for one).

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` with a read session."""

        def run() -> T:
            with self.reading() as session:
                return work(session)

        return await self._offload(run)

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one write transaction: committed on success, rolled back on error."""

        def run() -> T:
            with self.writing() as session:
                return work(session)

        return await self._offload(run)

    async def write_core(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one Core write transaction, for hot paths where an ORM session costs
        more than the SQL."""

        def run() -> T:
            with self.write_connection() as connection:
                return work(connection)

        return await self._offload(run)

    async def run(self, read: Callable[[], T]) -> T:
        """Run a short read that opens its own connection."""
        return await self._offload(read)

    def version(self) -> tuple[int, int, int] | None:
        """A value that changes whenever anything may have been committed since it was taken;
        None where that cannot be known cheaply (not a SQLite file), so nothing may be kept
        between requests.

        This process's commits change it at once: the prepared statements' own writes are
        counted, and a session's or Core write forgets the ``data_version`` read before it.
        Another process's commit changes it from the next turn of the event loop: SQLite's
        ``data_version`` is read once per turn on the loop (two file locks and a statement), the
        requests of one turn having started together.
        """
        statements = self.statements
        if statements is None:
            return None
        remembered = self._data_version
        if remembered is None or remembered[0] != threading.get_ident():
            serial, data_version = statements.data_version()
            remembered = (threading.get_ident(), serial, data_version)
            try:
                asyncio.get_running_loop().call_soon(self._forget_data_version)
                self._data_version = remembered
            except RuntimeError:  # no event loop here: nothing to remember it for
                pass
        _, serial, data_version = remembered
        return serial, data_version, statements.own_changes()

    def _forget_data_version(self) -> None:
        self._data_version = None

    async def one(self, prepared: Prepared, values: dict[str, Any]) -> dict[str, Any] | None:
        """The first row of a hot read, or None: a prepared statement on SQLite."""
        if self.statements is not None:
            return self.statements.one(prepared, values)

        def run() -> dict[str, Any] | None:
            with self.single_read() as connection:
                return _first_row(connection, prepared, values)

        return await run_in_threadpool(run)

    async def all(self, prepared: Prepared, values: dict[str, Any]) -> list[dict[str, Any]]:
        """Every row of a hot read: a prepared statement on SQLite."""
        if self.statements is not None:
            return self.statements.all(prepared, values)

        def run() -> list[dict[str, Any]]:
            with self.single_read() as connection:
                result = connection.execute(prepared.statement, values)
                return [dict(row._mapping) for row in result]

        return await run_in_threadpool(run)

    async def write_one(self, prepared: Prepared, values: dict[str, Any]) -> dict[str, Any] | None:
        """Run one hot write: the first row it returns, if any, once it is committed. On SQLite
        the writes of one turn of the event loop share a transaction (``GroupCommit``).

        A constraint that refuses it raises SQLAlchemy's ``IntegrityError`` whatever the path.
        """
        if self._group_commit is not None:
            try:
                return await self._group_commit.write_one(prepared, values)
            except sqlite3.IntegrityError as exc:
                raise IntegrityError(prepared.sql, None, exc) from exc

        return await self.write_core(lambda connection: _first_row(connection, prepared, values))

    async def _offload(self, work: Callable[[], T]) -> T:
        if self.is_sqlite:
            return work()
        return await run_in_threadpool(work)

    def dispose(self) -> None:
        """Stop the checkpoints and close every pooled connection."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.engine.dispose()
        if self.statements is not None:
            self.statements.close()


def _first_row(
    connection: Connection, prepared: Prepared, values: dict[str, Any]
) -> dict[str, Any] | None:
    """A prepared statement run through SQLAlchemy (any database): its first row, or None."""
    row = connection.execute(prepared.statement, values).first()
    return None if row is None else dict(row._mapping)
