"""Store isolation: every query of an admin request is confined to the token's store.

Two layers, so forgetting one filter cannot leak another store's rows:
- `scoped(stmt, store_id)` adds `Model.store_id == store_id` for each model a select reads
  (resolvers call it as `ctx.scoped(select(Model))`);
- `install_guard(session, store_id)` makes the request's session refuse (1) any loaded ORM
  row whose `store_id` is another store's, and (2) any column/aggregate select or bulk
  update/delete over a store-owned table without a `store_id = <this store>` criterion.
A refusal raises `StoreIsolationError`: a bug, masked for the client, logged, rolled back.
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.util import find_tables
from sqlmodel import Session

S = TypeVar("S", bound=sa.Select[Any])


class StoreIsolationError(RuntimeError):
    """A query of one store's request touched, or could touch, another store's rows."""


def scoped(stmt: S, store_id: int, *models: Any) -> S:
    """`stmt` restricted to `store_id` for `models` (default: the entities it selects)."""
    if not models:
        models = tuple(
            dict.fromkeys(
                d["entity"] for d in stmt.column_descriptions if d.get("entity") is not None
            )
        )
    if not models:
        raise TypeError("scoped(): name the models to restrict (nothing selects an entity)")
    for model in models:
        column = getattr(model, "store_id", None)
        if column is None:
            raise TypeError(f"scoped(): {model!r} has no store_id")
        stmt = stmt.where(column == store_id)
    return stmt


def _store_tables(stmt: Any) -> list[sa.Table]:
    froms: list[Any] = []
    if isinstance(stmt, sa.Select):
        froms = list(stmt.get_final_froms())
    elif hasattr(stmt, "table"):
        froms = [stmt.table]
    tables: list[sa.Table] = []
    for item in froms:
        for table in find_tables(item, include_joins=True, include_aliases=True):
            if isinstance(table, sa.Table) and "store_id" in table.c:
                tables.append(table)
    return tables


def _criteria_store_ids(stmt: Any, params: Any = None) -> set[Any]:
    """The store ids the statement's WHERE pins `store_id` to: a bound value, or a parameter
    given at execution (a statement built once and run with `{"store_id": ...}`)."""
    given = params if isinstance(params, dict) else {}
    where = getattr(stmt, "whereclause", None)
    if where is None:
        return set()
    found: set[Any] = set()
    for element in visitors.iterate(where):
        if not isinstance(element, sa.BinaryExpression) or element.operator is not operators.eq:
            continue
        left, right = element.left, element.right
        if isinstance(right, sa.Column):
            left, right = right, left
        if (
            isinstance(left, sa.Column)
            and left.name == "store_id"
            and isinstance(right, sa.BindParameter)
        ):
            value = right.effective_value
            found.add(given.get(right.key, value) if value is None else value)
    return found


def _selects_whole_entities(stmt: Any) -> bool:
    descriptions = getattr(stmt, "column_descriptions", [])
    return bool(descriptions) and all(
        d.get("entity") is not None and d.get("type") is d.get("entity") for d in descriptions
    )


def install_guard(session: Session, store_id: int) -> None:
    """Make `session` refuse rows and statements of any store but `store_id` (see module doc)."""

    @sa.event.listens_for(session, "loaded_as_persistent")
    def _check_row(_session: Any, instance: Any) -> None:
        owner = getattr(instance, "store_id", store_id)
        if owner != store_id:
            raise StoreIsolationError(
                f"{type(instance).__name__} of another store loaded in a store-scoped request"
            )

    @sa.event.listens_for(session, "do_orm_execute")
    def _check_statement(state: ORMExecuteState) -> None:
        if state.is_relationship_load or state.is_column_load:
            return
        stmt = state.statement
        if state.is_select and _selects_whole_entities(stmt):
            return  # rows are checked one by one as they load
        if not (state.is_select or state.is_update or state.is_delete):
            return
        tables = _store_tables(stmt)
        if tables and store_id not in _criteria_store_ids(stmt, state.parameters):
            names = ", ".join(sorted({t.name for t in tables}))
            raise StoreIsolationError(f"query over {names} without store_id = {store_id}")
