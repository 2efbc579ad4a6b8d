"""The PostgreSQL connection pool per process is small by default and configurable."""

from __future__ import annotations

from pathlib import Path

import pytest

from service import create_app
from service.db import make_engine

PG_URL = "postgresql+psycopg://zhifa@127.0.0.1:5432/zhifa"  # never connected: pools open lazily


def test_a_process_keeps_few_connections_unless_configured() -> None:
    default = make_engine(PG_URL)
    assert (default.pool.size(), default.pool._max_overflow) == (2, 3)  # noqa: SLF001
    larger = make_engine(PG_URL, pool_size=8, max_overflow=0)
    assert (larger.pool.size(), larger.pool._max_overflow) == (8, 0)  # noqa: SLF001


@pytest.mark.parametrize(
    ("name", "value"), [("DB_POOL_SIZE", 0), ("DB_MAX_OVERFLOW", -1), ("DB_POOL_SIZE", "10")]
)
def test_a_pool_setting_that_is_not_a_count_is_refused_at_start(
    tmp_path: Path, name: str, value: object
) -> None:
    config = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "TESTING": True, name: value}
    with pytest.raises(RuntimeError, match=f"ZHIFA_{name}"):
        create_app(config)
