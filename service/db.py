"""Database plumbing: the declarative base, column aliases, and one session per request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a real 64-bit key.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """Return the current UTC time (timezone-aware)."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Return `value` as aware UTC; SQLite hands back naive datetimes that were stored as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC on every backend (SQLite would silently drop the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a timezone")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


intpk = Annotated[int, mapped_column(BigId, primary_key=True, autoincrement=True)]
timestamp = Annotated[datetime, mapped_column(UtcDateTime())]
created_at = Annotated[datetime, mapped_column(UtcDateTime(), default=utcnow)]
short_text = Annotated[str, mapped_column(String(200))]
json_data = Annotated[Any, mapped_column(JSON)]


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention (stable Alembic diffs)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UtcDateTime()}

    def __repr__(self) -> str:
        keys = [c.key for c in self.__mapper__.columns if c.primary_key]
        values = ", ".join(f"{k}={getattr(self, k)!r}" for k in keys)
        return f"<{type(self).__name__} {values}>"


def make_engine(url: str, *, pool_size: int = 2, max_overflow: int = 3) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    PostgreSQL connections per process: `pool_size` kept open, up to `max_overflow` more under load.
    A sync gunicorn worker or a timer worker uses one at a time (a background thread or a heartbeat
    may take a second), so the default is small: total = processes x (pool_size + max_overflow).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy own transactions (pysqlite's implicit BEGIN defers locks and breaks isolation).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    # Writers take the lock up front, so two requests cannot both read then fail to upgrade.
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write(connection) else "BEGIN")


def _wants_write(_connection: Any) -> bool:
    # Reads in a GET request need no write lock; CLI and worker sessions may write.
    return not (has_request_context() and request.method in {"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    """Bind an engine and session factory to the app and close the session after each request."""
    engine = make_engine(
        app.config["DATABASE_URL"],
        pool_size=int(app.config["DB_POOL_SIZE"]),
        max_overflow=int(app.config["DB_MAX_OVERFLOW"]),
    )
    app.extensions["zhifa.db"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.extensions["zhifa.engine"] = engine
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """Return this request's session (one transaction per request, committed by the view)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["zhifa.db"]()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """Open a session outside a request (CLI, worker); the caller commits."""
    session: Session = app.extensions["zhifa.db"]()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
