"""Where the records live: a thin database interface, SQLite embedded, PostgreSQL shared.

The store (``store.py``) speaks portable SQL only — named parameters (``:name``), ``INSERT …
ON CONFLICT … DO UPDATE``, ``DELETE … RETURNING``, ISO dates as text, JSON as text — which
SQLite and PostgreSQL both run. What differs per database is here: connecting, the
auto-numbered key of a table definition, how parameters are written, and how schema changes
are kept to one process at a time (several replicas may start together).

Why not SQLAlchemy: importing it costs ~1 s on these cores against a 5 s start budget, and
two tables of simple statements need none of it. psycopg is imported only when PostgreSQL is
configured.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

Params = dict[str, Any]


class Transaction(Protocol):
    def run(self, sql: str, params: Params | None = None) -> list[tuple]: ...


class Database(ABC):
    """Runs the store's portable SQL on one database."""

    #: what ``{auto_id}`` in a table definition becomes: an auto-numbered primary key
    auto_id: str

    @abstractmethod
    def exists(self) -> bool:
        """Whether the store's tables may be there already (nothing is created just to look)."""

    @abstractmethod
    @contextmanager
    def transaction(self, *, schema: bool = False) -> Iterator[Transaction]:
        """One transaction: committed when the block ends, rolled back if it raises.
        ``schema``: it changes the schema, so only one process may run such a transaction at a
        time (replicas starting together would otherwise create the same table twice)."""

    @abstractmethod
    def ping(self) -> None:
        """Raise if the database cannot be reached now (the readiness check)."""

    def describe(self) -> str:
        """Where it is, for logs and errors: never a password."""
        return type(self).__name__

    def close(self) -> None:
        """Give back connections (at shutdown)."""


class _SQLiteTransaction:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def run(self, sql: str, params: Params | None = None) -> list[tuple]:
        return self.connection.execute(sql, params or {}).fetchall()


class SQLiteDatabase(Database):
    """A SQLite file, created owner-readable only: it holds what citizens asked."""

    auto_id = "INTEGER PRIMARY KEY"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._created = threading.Lock()

    def exists(self) -> bool:
        return self.path.is_file()

    def describe(self) -> str:
        return f"SQLite {self.path}"

    def _connect(self) -> sqlite3.Connection:
        # one short connection per call: calls come from worker threads
        with self._created:
            if not self.path.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                self.path.touch(mode=0o600)
        connection = sqlite3.connect(self.path, timeout=10)
        connection.execute("PRAGMA foreign_keys = ON")
        return connection

    @contextmanager
    def transaction(self, *, schema: bool = False) -> Iterator[Transaction]:
        # one file, one process writing its schema: SQLite's own file lock is enough
        with closing(self._connect()) as connection, connection:
            yield _SQLiteTransaction(connection)

    def ping(self) -> None:
        if self.exists():  # a database not written yet is fine: it is created on first write
            with closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=2)) as connection:
                connection.execute("SELECT count(*) FROM sqlite_master").fetchone()


# ``:name`` → ``%(name)s`` (psycopg's style); ``::type`` casts are left alone, a literal % doubled
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
# the advisory lock key of this store's schema changes (any constant below 2**63)
_SCHEMA_LOCK = 0x7472_6F6C_7967_6E01


def postgres_sql(sql: str) -> str:
    """The store's portable SQL in psycopg's parameter style."""
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))


def redact(url: str) -> str:
    """A database or Redis URL as it may be logged: the password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class _PostgresTransaction:
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def run(self, sql: str, params: Params | None = None) -> list[tuple]:
        cursor = self.connection.execute(postgres_sql(sql), params or {})
        return cursor.fetchall() if cursor.description is not None else []


class PostgresDatabase(Database):
    """A PostgreSQL database shared by every replica, through a small connection pool
    (psycopg 3 and psycopg_pool, imported on first use). Connections are opened on the first
    transaction, not when the store is built: a service whose database is down still starts
    and answers (the readiness check says what is wrong)."""

    auto_id = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"

    def __init__(self, url: str, *, max_connections: int = 4, connect_timeout: float = 5.0) -> None:
        self.url = url
        self.max_connections = max_connections
        self.connect_timeout = connect_timeout
        self._pool: Any = None
        self._pool_lock = threading.Lock()

    def describe(self) -> str:
        return f"PostgreSQL {redact(self.url)}"

    def _connections(self) -> Any:
        with self._pool_lock:
            if self._pool is None:
                from psycopg_pool import ConnectionPool

                self._pool = ConnectionPool(
                    self.url,
                    min_size=1,
                    max_size=self.max_connections,
                    kwargs={"autocommit": True, "connect_timeout": max(1, round(self.connect_timeout))},
                    # a connection the server closed (restart, failover) is replaced, not handed out
                    check=ConnectionPool.check_connection,
                    timeout=self.connect_timeout,
                    name="tro-ly-records",
                    open=True,
                )
            return self._pool

    def exists(self) -> bool:
        with self._connections().connection() as connection:
            return connection.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0]

    @contextmanager
    def transaction(self, *, schema: bool = False) -> Iterator[Transaction]:
        with self._connections().connection() as connection, connection.transaction():
            if schema:  # released at commit or rollback
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            yield _PostgresTransaction(connection)

    def ping(self) -> None:
        with self._connections().connection() as connection:
            connection.execute("SELECT 1").fetchone()

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()


def open_database(sqlite_path: Path, url: str | None) -> Database:
    """PostgreSQL when ``url`` names one, else the SQLite file."""
    return PostgresDatabase(url) if url else SQLiteDatabase(sqlite_path)
