"""Writes as one data-modifying CTE statement (PostgreSQL): how plugin.db_compose sends the
writes a batch kept, `WITH w0 AS (INSERT … SELECT … FROM unnest(arrays) RETURNING 1), w1 AS
(UPDATE … FROM unnest(…)), … SELECT count(*) …`. One array per column, so the statement's
text depends on the tables and columns, not on the rows."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


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
        params.update((f"{prefix}a{j}", values) for j, values in enumerate(_arrays(write, dialect)))
    counts = ", ".join(f"(SELECT count(*) FROM w{i})" for i in range(len(writes)))
    return tuple(
        connection.exec_driver_sql(f"WITH {', '.join(parts)} SELECT {counts}", params).one()
    )


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
    """A write's part of the statement (… RETURNING 1), its arrays named a0, a1, …, and the
    values of its other parameters (the constants of its clauses)."""
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
        constants = {k: v for k, v in compiled.construct_params().items() if not _ARRAY.match(k)}
        _PARTS[key] = (compiled.string, constants)
    return _PARTS[key]


_ARRAY = re.compile(r"a\d+$")


def _arrays(write: Write, dialect: sa.Dialect) -> list[list[Any]]:
    """The write's values, one list per column of `_part`'s arrays, as the driver takes them
    (JSON as its text, a decorated type's values as it binds them)."""
    columns = [write.key] if write.kind == "delete" else list(write.rows[0])
    out = []
    for name in columns:
        column = write.table.c[name]
        values = [row[name] for row in write.rows]
        if _json(column):
            values = [json.dumps(v) for v in values]
        elif (bind := column.type.dialect_impl(dialect).bind_processor(dialect)) is not None:
            values = [bind(v) for v in values]
        out.append(values)
    return out


def _statement(write: Write) -> Any:
    table = write.table
    if write.kind == "delete":
        key = table.c[write.key]
        return sa.delete(table).where(key == sa.any_(_array(key, "a0")))
    columns = list(write.rows[0])
    arrays = [_array(table.c[c], f"a{i}") for i, c in enumerate(columns)]
    source = sa.func.unnest(*arrays).table_valued(*columns).render_derived(name="x")
    typed = {c: _typed(source.c[c], table.c[c]) for c in columns}
    if write.kind == "insert":
        stmt = postgresql.insert(table).from_select(columns, sa.select(*typed.values()))
        if write.conflict is None:
            return stmt
        return stmt.on_conflict_do_nothing(index_elements=list(write.conflict) or None)
    matched = typed.pop(write.key)
    return sa.update(table).where(table.c[write.key] == matched, *write.where).values(typed)


def _json(column: Any) -> bool:
    return isinstance(column.type, sa.JSON)


def _array(column: Any, name: str) -> Any:
    """One column's array parameter, of the column's type (JSON as text, cast back in
    `_typed`: an array of JSON would lose JSON's null to SQL's NULL)."""
    item = sa.Text() if _json(column) else column.type
    return sa.bindparam(name, [], type_=postgresql.ARRAY(item))


def _typed(value: Any, column: Any) -> Any:
    if _json(column):
        return sa.cast(value, postgresql.JSONB)
    return sa.cast(value, column.type)
