"""Where the records live: a thin database interface, SQLite today.

The store (``store.py``) speaks portable SQL only — named parameters (``:name``), ``INSERT …
ON CONFLICT … DO UPDATE``, ISO dates as text, JSON as text — which SQLite and PostgreSQL both
run. What differs per database is here: connecting, the table definitions (an auto-numbered
key), and how parameters are written. PostgreSQL (issue 15) is one more class with these three
methods (psycopg, ``%(name)s`` parameters, ``BIGINT GENERATED ALWAYS AS IDENTITY``).

Why not SQLAlchemy: importing it costs ~1 s on these cores against a 5 s start budget, and
two tables of simple statements need none of it.
"""

from __future__ import annotations

import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Protocol

Params = dict[str, Any]


class Transaction(Protocol):
    def run(self, sql: str, params: Params | None = None) -> list[tuple]: ...


class Database(ABC):
    """Runs the store's portable SQL on one database."""

    @abstractmethod
    def exists(self) -> bool:
        """Whether the database is there already (nothing is created just to look)."""

    @abstractmethod
    def create_tables(self, tables: Sequence[str]) -> None:
        """Create missing tables and indexes; ``{auto_id}`` in a definition is the auto-numbered key."""

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One transaction: committed when the block ends, rolled back if it raises."""


class _SQLiteTransaction:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def run(self, sql: str, params: Params | None = None) -> list[tuple]:
        return self.connection.execute(sql, params or {}).fetchall()


class SQLiteDatabase(Database):
    """A SQLite file, created owner-readable only: it holds what citizens asked."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._created = threading.Lock()

    def exists(self) -> bool:
        return self.path.is_file()

    def _connect(self) -> sqlite3.Connection:
        # one short connection per call: calls come from worker threads
        with self._created:
            if not self.path.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                self.path.touch(mode=0o600)
        connection = sqlite3.connect(self.path, timeout=10)
        connection.execute("PRAGMA foreign_keys = ON")
        return connection

    def create_tables(self, tables: Sequence[str]) -> None:
        with self.transaction() as tx:
            for table in tables:
                tx.run(table.format(auto_id="INTEGER PRIMARY KEY"))

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with closing(self._connect()) as connection, connection:
            yield _SQLiteTransaction(connection)
