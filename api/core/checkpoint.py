"""WAL checkpoints on a thread of their own, off the request path.

SQLite copies the write-ahead log back into the database file (a checkpoint, with its fsyncs)
on whichever commit pushes the log past ``wal_autocheckpoint`` pages: with writes inline on the
event loop, that was one request in fifty paying a few milliseconds, and a third of the cost of
a batched INSERT on average. Here a thread checkpoints once a second instead (``PASSIVE``: it
never waits for readers or writers, and SQLite releases the interpreter lock while it works),
and the request path's connections keep ``wal_autocheckpoint`` only as a far-off safety net,
should this thread fall behind. Durability is unchanged: with ``synchronous=NORMAL`` a commit is
not synced either way, and the log is synced by each checkpoint.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger(__name__)

#: Pages (4 KiB) the log may reach before a committing connection checkpoints it itself.
SAFETY_NET_PAGES = 10_000


class Checkpointer:
    """Checkpoints one SQLite file's WAL every ``every`` seconds until stopped."""

    def __init__(self, path: str, every: float = 1.0) -> None:
        self.path = path
        self.every = every
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            while not self._stopping.wait(self.every):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error as exc:  # a locked or vanished file: try again next time
                    log.warning("WAL checkpoint failed: %s", exc)
        finally:
            connection.close()
