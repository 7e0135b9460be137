"""The migrations build exactly the schema the models describe (tables, columns, types,
indexes with their conditions, unique and foreign keys), on PostgreSQL and on SQLite."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import plugin.all_models  # noqa: F401  (every table in the metadata)

pytestmark = pytest.mark.sqlite


def test_a_migrated_database_matches_the_models(app: Any) -> None:
    # given the test database, migrated by `ulak migrate`'s code path (conftest)
    from plugin.db import get_engine

    # when alembic compares it with the models
    with get_engine().connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    # then there is nothing a new migration would have to do
    assert _without_expression_indexes(differences) == []


# Alembic cannot compare an index on an expression with its reflection (PostgreSQL writes the
# CASE back with casts), so it reports such an index as removed and added again under its own
# name; that pair is no difference when the database holds the index by that name.
EXPRESSION_INDEXES = {"ix_consent_deciding"}


def _without_expression_indexes(differences: list[Any]) -> list[Any]:
    def expression_index(d: Any) -> bool:
        return (
            isinstance(d, tuple)
            and d[0] in ("remove_index", "add_index")
            and d[1].name in EXPRESSION_INDEXES
        )

    pairs = [d for d in differences if expression_index(d)]
    assert sorted((d[0], d[1].name) for d in pairs) in (
        [],
        sorted(
            x for name in EXPRESSION_INDEXES for x in (("add_index", name), ("remove_index", name))
        ),
    ), pairs
    return [d for d in differences if not expression_index(d)]


def _condition(options: dict[str, Any], dialect: str) -> str | None:
    """An index's WHERE as comparable text: `(wamid IS NOT NULL)` and `wamid IS NOT NULL`
    are the same condition."""
    where = options.get(f"{dialect}_where")
    if where is None:
        return None
    return str(getattr(where, "text", where)).strip("() ").lower()


def test_partial_indexes_have_the_models_conditions(app: Any) -> None:
    # alembic's comparison leaves out index conditions; a partial index made full (or the
    # other way round) changes what every write costs, so they are compared here
    from plugin.db import get_engine

    engine = get_engine()
    dialect = engine.dialect.name
    inspector = sa.inspect(engine)
    for table in SQLModel.metadata.sorted_tables:
        reflected = {i["name"]: i for i in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name in EXPRESSION_INDEXES and index.name not in reflected:
                continue  # SQLite's reflection leaves out indexes on expressions
            model = _condition(index.dialect_kwargs, dialect)
            database = _condition(reflected[index.name].get("dialect_options", {}), dialect)
            assert (index.name, database) == (index.name, model)
