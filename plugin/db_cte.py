"""Writes as one data-modifying CTE statement (PostgreSQL): how plugin.db_compose sends the
writes a batch kept, `WITH w0 AS (INSERT … SELECT … FROM json_to_recordset(rows) RETURNING 1),
w1 AS (UPDATE … FROM json_to_recordset(…)), … SELECT count(*) …`. Each write's rows go as one
JSON parameter (read as text columns, each cast to its column's type, as an array's items
were), so the statement's text depends on the tables and columns, not on the rows; and the
rows are encoded by the json module's C encoder, where psycopg dumped one array per column
item by item in Python (a tenth of a batch of Saleor events' CPU, py-spy, bench_events)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB


@dataclass(slots=True)
class Write:
    """One kept write: an INSERT of `rows`, an UPDATE of `rows` matched on `key` (their other
    values set), or a DELETE of the rows whose `key` is one of `rows`' values."""

    table: Any
    kind: str  # "insert" | "update" | "delete"
    rows: list[dict[str, Any]]
    key: str = "id"
    where: tuple[Any, ...] = ()
    conflict: Sequence[str] | None = None
    expect: str | None = None


def execute(connection: sa.Connection, writes: list[Write]) -> Sequence[int]:
    """The writes in one statement; the rows each one wrote. Each write's part is compiled
    once per shape (table, columns, clauses) and reused: the statement as a whole differs from
    batch to batch, so SQLAlchemy's cache would miss it."""
    dialect = connection.dialect
    parts: list[str] = []
    params: dict[str, Any] = {}
    for i, write in enumerate(writes):
        sql, constants = _part(dialect, _shape(write, dialect))
        prefix = f"w{i}_"
        parts.append(f"w{i} AS ({sql.replace('%(', '%(' + prefix)})")
        params.update((prefix + name, value) for name, value in constants.items())
        params[f"{prefix}rows"] = _rows(write, dialect)
    counts = ", ".join(f"(SELECT count(*) FROM w{i})" for i in range(len(writes)))
    return tuple(
        connection.exec_driver_sql(f"WITH {', '.join(parts)} SELECT {counts}", params).one()
    )


def insert_returning(
    connection: sa.Connection,
    table: Any,
    rows: list[dict[str, Any]],
    *,
    conflict: Sequence[str],
    returning: Sequence[str],
) -> Sequence[Any]:
    """`INSERT … ON CONFLICT (conflict) DO NOTHING RETURNING returning` of `rows` (all with the
    same keys) as one statement whose text does not depend on the rows: they go as one JSON
    parameter. Why: a multi-row VALUES is a new statement for every row count, compiled anew
    each time (a tenth of the webhook edge's CPU in the soak), with a parameter per value."""
    stmt = _insert_returning(table, tuple(rows[0]), tuple(conflict), tuple(returning))
    write = Write(table, "insert", rows, conflict=conflict)
    return connection.execute(stmt, {"rows": _rows(write, connection.dialect)}).all()


@cache
def _insert_returning(
    table: Any, columns: tuple[str, ...], conflict: tuple[str, ...], returning: tuple[str, ...]
) -> Any:
    write = Write(table, "insert", [dict.fromkeys(columns)], conflict=conflict)
    return _statement(write).returning(*(table.c[name] for name in returning))


def update_each(
    session: Any,
    rows: list[dict[str, Any]],
    *,
    types: dict[str, Any],
    statement: Callable[[Callable[[str], Any]], Any],
) -> None:
    """Run the UPDATE `statement(value)` for each of `rows`, where `value(name)` stands for a
    row's value of `name` (each row has the keys of `types`, name -> SQL type). On PostgreSQL
    as one `UPDATE … FROM` the rows sent as one JSON parameter: the statement's text is the same
    for any number of rows, and PostgreSQL plans and runs one statement where executemany sent
    one per row (the status write-back's 72,000 UPDATEs took 7 s of PostgreSQL's CPU in a run
    of bench_delivery, and SQLAlchemy's per-row parameters a third of its caller's). Elsewhere
    executemany, `value(name)` a bound parameter.

    The statement joins the rows by their key, so they must be distinct by it; their locks are
    taken in the join's order: a caller that may wait for a lock takes them first in id order
    (plugin/delivery/locks.py)."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(statement(lambda name: sa.bindparam(name, type_=types[name])), rows)
        return
    names = tuple(types)
    source = _source(list(names), [types[n] for n in names])
    encoded = _encode(rows, names, [types[n] for n in names], session.get_bind().dialect)
    session.execute(statement(lambda name: source.c[name]), {"rows": encoded})


_Shape = tuple[Any, str, tuple[str, ...], str, tuple[str, ...] | None, str]


def _shape(write: Write, dialect: sa.Dialect) -> _Shape:
    where = ""
    if write.where:
        clause = sa.and_(*write.where).compile(
            dialect=dialect, compile_kwargs={"literal_binds": True}
        )
        where = str(clause)
    conflict = tuple(write.conflict) if write.conflict is not None else None
    return (write.table, write.kind, tuple(write.rows[0]), write.key, conflict, where)


_PARTS: dict[tuple[str, _Shape], tuple[str, dict[str, Any]]] = {}


def _part(dialect: sa.Dialect, shape: _Shape) -> tuple[str, dict[str, Any]]:
    """A write's part of the statement (… RETURNING 1), its rows' parameter named `rows`, and
    the values of its other parameters (the constants of its clauses)."""
    key = (dialect.name, shape)
    if key not in _PARTS:
        if len(_PARTS) >= 1024:  # shapes are few (tables × the columns a batch changes)
            _PARTS.clear()
        table, kind, columns, match, conflict, _ = shape
        write = Write(table, kind, [dict.fromkeys(columns)], key=match, conflict=conflict)
        if shape[5]:
            write.where = (sa.text(shape[5]),)
        stmt = _statement(write).returning(sa.literal_column("1"))
        compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        constants = {k: v for k, v in compiled.construct_params().items() if k != "rows"}
        _PARTS[key] = (compiled.string, constants)
    return _PARTS[key]


def _rows(write: Write, dialect: sa.Dialect) -> str:
    """The write's rows as one JSON array of arrays, the columns in `_part`'s order, each
    value as the driver would take it (JSON as its text, a decorated type's values as it
    binds them); a value JSON lacks (a datetime, a Decimal) as its text."""
    columns = [write.key] if write.kind == "delete" else list(write.rows[0])
    types = [write.table.c[name].type for name in columns]
    return _encode(write.rows, columns, types, dialect)


def _encode(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], types: list[Any], dialect: sa.Dialect
) -> str:
    """`rows` as `_rows` sends them: a JSON array of arrays, the columns in this order."""
    converters: list[Any] = []
    for type_ in types:
        if isinstance(type_, sa.JSON):
            converters.append(json.dumps)
        else:
            converters.append(type_.dialect_impl(dialect).bind_processor(dialect))
    encoded = [
        [
            v if convert is None else convert(v)
            for convert, v in zip(converters, values, strict=True)
        ]
        for values in ([row[name] for name in columns] for row in rows)
    ]
    return json.dumps(encoded, default=_text, ensure_ascii=False, separators=(",", ":"))


def _text(value: Any) -> str:
    """A value JSON has no type for, as PostgreSQL reads it into its column's type."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"a kept write's value of type {type(value).__name__} has no text form")


def _statement(write: Write) -> Any:
    table = write.table
    columns = [write.key] if write.kind == "delete" else list(write.rows[0])
    source = _source(columns)
    typed = {c: _typed(source.c[c], table.c[c]) for c in columns}
    if write.kind == "delete":
        key = table.c[write.key]
        return sa.delete(table).where(key.in_(sa.select(typed[write.key]).scalar_subquery()))
    if write.kind == "insert":
        stmt = postgresql.insert(table).from_select(columns, sa.select(*typed.values()))
        if write.conflict is None:
            return stmt
        return stmt.on_conflict_do_nothing(index_elements=list(write.conflict) or None)
    matched = typed.pop(write.key)
    return sa.update(table).where(table.c[write.key] == matched, *write.where).values(typed)


def _source(columns: list[str], types: list[Any] | None = None) -> Any:
    """The rows' parameter as a table of columns, one per item of each row's array: text, or
    each cast to its type in `types`."""
    rows = sa.func.jsonb_array_elements(sa.cast(sa.bindparam("rows", "", type_=sa.Text), JSONB))
    row = rows.table_valued("value").render_derived(name="r")
    item = row.c.value.op("->>", return_type=sa.Text)
    values = [item(sa.literal_column(str(i))) for i in range(len(columns))]
    if types is not None:
        values = [_cast(v, t) for v, t in zip(values, types, strict=True)]
    return sa.select(*(v.label(c) for v, c in zip(values, columns, strict=True))).subquery("x")


def _typed(value: Any, column: Any) -> Any:
    """A column's text cast to its type (JSON as its text, so JSON's null stays JSON's null
    and is not SQL's NULL)."""
    return _cast(value, column.type)


def _cast(value: Any, type_: Any) -> Any:
    if isinstance(type_, sa.JSON):
        return sa.cast(value, postgresql.JSONB)
    return sa.cast(value, type_)
