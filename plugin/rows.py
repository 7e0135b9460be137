"""Many rows, cheaply: model objects built without SQLModel's constructor, and INSERTs of many
rows whose SQL text does not grow with their number (acting on a batch of events builds and
writes hundreds of rows, and these two costs led its CPU profile)."""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm.attributes import manager_of_class
from sqlmodel import Session, SQLModel

from plugin.db import dialect_name

M = TypeVar("M", bound=SQLModel)


@cache
def _defaults(model: type[SQLModel]) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """A model's field defaults as SQLModel would set them: the immutable ones shared, and the
    fields whose default is made per row (a factory, a mutable value)."""
    fields = model.model_fields
    shared = {
        name: info.default
        for name, info in fields.items()
        if not info.is_required()
        and info.default_factory is None
        and isinstance(info.default, (type(None), str, int, float))
    }
    made = [(n, i) for n, i in fields.items() if not i.is_required() and n not in shared]
    return shared, made


def built(model: type[M], values: dict[str, Any]) -> M:
    """`model(**values)` built the way SQLAlchemy builds a row it loads: the fields go straight
    into the instance's dict. The constructor runs SQLModel's construct and one attribute
    event per column (~0.1–0.2 ms a row); the object is the same (values as given, taken as
    valid, every other field its default). It may be added to a session like any new object
    (the flush inserts what its dict holds)."""
    obj: M = manager_of_class(model).new_instance()
    shared, made = _defaults(model)
    given = values.keys() & model.model_fields.keys()
    fields = {**shared, **{name: values[name] for name in given}}
    for name, info in made:
        if name not in given:
            fields[name] = info.get_default(call_default_factory=True)
    obj.__dict__.update(fields)
    object.__setattr__(obj, "__pydantic_fields_set__", given)
    return obj


def insert_rows(session: Session, stmt: Any, rows: list[dict[str, Any]]) -> Any:
    """Execute the INSERT `stmt` (with its ON CONFLICT and RETURNING) for `rows`, which all
    have the same keys; returns its result. On PostgreSQL as `INSERT … SELECT … FROM
    unnest(<one array per column>)`, rows in the order given. Why: the executemany form is sent
    as one `VALUES (…), (…)` with a parameter per value, and psycopg parses a query of more
    than 50 parameters anew each time, in Python (~3 µs a parameter: a batch's outbox rows cost
    0.2 ms of CPU an event there); one parameter per column keeps the text the same for any
    number of rows, so it is parsed once."""
    if dialect_name(session) != "postgresql" or len(rows) < 2:
        return session.execute(stmt, rows)
    columns = list(rows[0])
    table = stmt.table
    source = sa.select(
        sa.func.unnest(*(_array(table.c[name]) for name in columns))
        .table_valued(*columns)
        .render_derived()
    )
    params = {f"rows_{name}": [row[name] for row in rows] for name in columns}
    stmt = stmt.from_select(columns, source)
    # one statement with these parameters ("auto" would take a dict of them for a row)
    return session.execute(stmt, params, execution_options={"dml_strategy": "orm"})


def _array(column: Any) -> Any:
    """The array of a column's values (PostgreSQL). A JSON column's values go as one JSON
    document, unpacked in order: as an array parameter psycopg escapes every quote of every
    value with a regular expression, in Python, which cost as much as the parsing saved."""
    name = f"rows_{column.key}"
    if not isinstance(column.type, sa.JSON):
        return sa.bindparam(name, type_=postgresql.ARRAY(column.type))
    values = sa.func.jsonb_array_elements(sa.bindparam(name, type_=postgresql.JSONB()))
    each = values.table_valued("value", with_ordinality="n").render_derived()
    in_order = postgresql.aggregate_order_by(each.c.value, each.c.n)
    return sa.select(sa.func.array_agg(in_order)).scalar_subquery()


class OneOf(sa.sql.expression.ColumnElement[bool]):
    """`column IN (:name)` of a list parameter `name`: on PostgreSQL `column = ANY(:name)`, one
    array parameter whatever the list's length. Why: an expanding IN renders a parameter per
    value, so the text changes with every count and psycopg parses it anew (in Python) when
    over 50; the batch prefetches read by lists of a hundred or more."""

    inherit_cache = True
    type = sa.Boolean()
    _traverse_internals = [
        ("column", sa.sql.visitors.InternalTraversal.dp_clauseelement),
        ("name", sa.sql.visitors.InternalTraversal.dp_string),
    ]

    def __init__(self, column: Any, name: str) -> None:
        self.column = column
        self.name = name


@compiles(OneOf)
def _in_list(element: OneOf, compiler: Any, **kw: Any) -> str:
    clause = element.column.in_(sa.bindparam(element.name, expanding=True))
    return str(compiler.process(clause, **kw))


@compiles(OneOf, "postgresql")
def _any_array(element: OneOf, compiler: Any, **kw: Any) -> str:
    array = sa.bindparam(element.name, type_=postgresql.ARRAY(element.column.type))
    return str(compiler.process(element.column == sa.any_(array), **kw))
