"""Migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from service.db import Base


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        with warnings.catch_warnings():
            # The bigram and character search indexes are PostgreSQL-only (expression indexes); SQLite
            # cannot reflect expression indexes, so alembic skips them there with a warning.
            # PostgreSQL compares them.
            warnings.filterwarnings(
                "ignore", message=".*expression-based index 'ix_process_instances_search_(bigrams|chars)'.*"
            )
            differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []
