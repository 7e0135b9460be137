"""Independent reads of a batch sent as one statement (PostgreSQL UNION ALL).

Preparing a batch of events reads, once its rows are locked, what each owner keeps in the
batch memo: the contacts' consent, their latest orders, the waiting outbox rows, the journal,
the attribution rows and sources, the outbox keys. Each is one SELECT and one round trip, and
none needs another's answer. An owner writes such a read as a generator (`Reader`) that yields
its `Read`s and is sent back each one's rows; `together` runs several readers, sending the
reads they yield at the same step as one statement:

    SELECT part, n, f0_0, f0_1, …, f1_0, … FROM (
      SELECT 0 AS part, row_number() OVER () AS n, f0.*, NULL, … FROM (read 0) AS f0
      UNION ALL SELECT 1, row_number() OVER (), NULL, …, f1.* FROM (read 1) AS f1 …
    ) ORDER BY part, n

then hands each reader its rows in its own order and shape: an entity of its SELECT comes back
as the object the ORM would load (the session's own when it holds that row). `alone` runs one
reader, each read its own statement, as before; so does `together` on SQLite.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapper, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session


@dataclass(frozen=True, slots=True)
class Read:
    """One SELECT (Core or ORM) and the values of its named parameters."""

    statement: Any
    params: dict[str, Any] | None = None


Reader = Generator[Read, list[Any], None]
_T = TypeVar("_T")


def alone(session: Session, *readers: Reader) -> None:
    """Run `readers`, each read its own statement."""
    _drive(session, list(readers), fold=False)


def value(session: Session, reading: Generator[Read, list[Any], _T]) -> _T:
    """Run one reader alone and return what it returns."""
    try:
        read = next(reading)
        while True:
            read = reading.send(list(session.execute(read.statement, read.params or {}).all()))
    except StopIteration as stop:
        returned: _T = stop.value
        return returned


def together(session: Session, readers: Iterable[Reader]) -> None:
    """Run `readers`, the reads they yield at the same step in one statement (PostgreSQL)."""
    _drive(session, list(readers), fold=session.get_bind().dialect.name == "postgresql")


def _drive(session: Session, readers: list[Reader], *, fold: bool) -> None:
    waiting = [(r, read) for r in readers if (read := _next(r, None)) is not None]
    while waiting:
        reads = [read for _, read in waiting]
        params = _merged(reads)
        if fold and len(reads) > 1 and params is not None:
            answers = _folded(session, reads, params)
        else:
            answers = [list(session.execute(r.statement, r.params or {}).all()) for r in reads]
        waiting = [
            (r, read)
            for (r, _), rows in zip(waiting, answers, strict=True)
            if (read := _next(r, rows)) is not None
        ]


def _next(reader: Reader, rows: list[Any] | None) -> Read | None:
    try:
        return next(reader) if rows is None else reader.send(rows)
    except StopIteration:
        return None


def _merged(reads: list[Read]) -> dict[str, Any] | None:
    """The reads' named parameters as one statement's; None when two name one differently
    (their values must then go in statements of their own)."""
    merged: dict[str, Any] = {}
    for read in reads:
        for name, value in (read.params or {}).items():
            if name in merged and merged[name] != value:
                return None
            merged[name] = value
    return merged


def _folded(session: Session, reads: list[Read], params: dict[str, Any]) -> list[list[Any]]:
    """The reads as one statement: each a subquery numbering its rows, joined to the next by
    FULL JOIN … ON false, so a row holds one read's columns (the others NULL) and each
    column keeps its type (a UNION would make every read's columns agree).

    The subqueries' columns are selected as `f0.*`, not named one by one: naming them built
    two copies of every column of every read (SQLAlchemy's subquery columns), a third of this
    module's CPU in a batch of Saleor events; so the rows come back untyped, and each row's
    own read's values are processed here as its column types say (`_typed`)."""
    parts = []
    for i, read in enumerate(reads):
        inner = read.statement.subquery(f"r{i}")
        number = sa.func.row_number().over().label("n")
        numbered = sa.select(sa.literal(i).label("part"), number, sa.literal_column(f"r{i}.*"))
        parts.append(numbered.select_from(inner).subquery(f"f{i}"))
    joined: Any = parts[0]
    for part in parts[1:]:
        joined = joined.join(part, sa.false(), full=True)
    which = sa.func.coalesce(*_each(len(parts), "part"))
    order = sa.func.coalesce(*_each(len(parts), "n"))
    statement = sa.select(which, *_each(len(parts), "*")).select_from(joined).order_by(which, order)
    rows, codes = _rows(session, statement, params)
    widths = [len(read.statement.selected_columns) for read in reads]
    if len(codes) != 1 + sum(2 + width for width in widths):
        raise RuntimeError("a folded read's columns are not the ones its SELECT names")
    starts = [1 + sum(2 + width for width in widths[:i]) + 2 for i in range(len(reads))]
    dialect = session.get_bind().dialect
    typed = [
        _typed(dialect, read.statement.selected_columns, codes[start : start + width])
        for read, start, width in zip(reads, starts, widths, strict=True)
    ]
    shapes = [_shape(read.statement) for read in reads]
    fresh = [read.statement.get_execution_options().get("populate_existing") for read in reads]
    answers: list[list[Any]] = [[] for _ in reads]
    for row in rows:
        i = row[0]
        values = list(row[starts[i] : starts[i] + widths[i]])
        for at, process in typed[i]:
            values[at] = process(values[at])
        answers[i].append(_row(session, shapes[i], values, fresh=bool(fresh[i])))
    return answers


def _each(parts: int, column: str) -> list[Any]:
    """`column` of each part (`f0.part`, `f1.part`, …)."""
    return [sa.literal_column(f"f{i}.{column}") for i in range(parts)]


def _typed(dialect: sa.Dialect, columns: Any, codes: list[Any]) -> list[tuple[int, Any]]:
    """The positions and result processors of a read's columns that have one (the values
    the driver gives become what SQLAlchemy gives for the column's type: an enum member, a
    UTC timestamp)."""
    typed = []
    for at, (column, code) in enumerate(zip(columns, codes, strict=True)):
        process = column.type.dialect_impl(dialect).result_processor(dialect, code)
        if process is not None:
            typed.append((at, process))
    return typed


def _rows(session: Session, statement: Any, params: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """The statement's rows as Core fetches them, and its columns' driver type codes, after
    the autoflush `session.execute` runs before a read. Why not `session.execute`: the ORM's
    loading builds each row in Python, column by column, and a folded row has every read's
    columns (most of them NULL); Core builds rows in C."""
    if session.autoflush:
        session.flush()
    result = session.connection().execute(statement, params)
    codes = [column[1] for column in result.cursor.description]
    return list(result.all()), codes


def _shape(statement: Any) -> list[tuple[Mapper[Any] | None, list[str]]]:
    """Per item of the SELECT: its mapper and column keys when it is an entity, else None."""
    shape: list[tuple[Mapper[Any] | None, list[str]]] = []
    if not hasattr(statement, "column_descriptions"):  # a UNION: columns only
        return [(None, []) for _ in statement.selected_columns]
    for item in statement.column_descriptions:
        kind = item.get("type")
        mapper = sa.inspect(kind, raiseerr=False) if isinstance(kind, type) else None
        if isinstance(mapper, Mapper):
            shape.append((mapper, [p.key for p in mapper.column_attrs]))
        else:
            shape.append((None, []))
    return shape


def _row(
    session: Session,
    shape: list[tuple[Mapper[Any] | None, list[str]]],
    row: list[Any],
    *,
    fresh: bool,
) -> tuple[Any, ...]:
    out: list[Any] = []
    at = 0
    for mapper, keys in shape:
        if mapper is None:
            out.append(row[at])
            at += 1
            continue
        values = dict(zip(keys, row[at : at + len(keys)], strict=True))
        at += len(keys)
        out.append(_loaded(session, mapper, values, fresh=fresh))
    return tuple(out)


def _loaded(session: Session, mapper: Mapper[Any], values: dict[str, Any], *, fresh: bool) -> Any:
    """The row as the ORM loads it: the session's object for it if it holds one (`fresh`:
    with the values read, as `populate_existing` loads), else a new one, stored and in the
    session (None for a row of NULLs, as an outer join's)."""
    pk = tuple(values[mapper.get_property_by_column(c).key] for c in mapper.primary_key)
    if all(v is None for v in pk):
        return None
    key = mapper.identity_key_from_primary_key(pk)
    held = session.identity_map.get(key)
    if held is not None:
        for name, value in values.items() if fresh else ():
            set_committed_value(held, name, value)
        return held
    obj = mapper.class_manager.new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)
    session.add(obj)
    return obj
