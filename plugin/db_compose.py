"""A batch's kept writes: the one place that keeps a write and sends it at the end.

Acting on a batch of events changes the same rows event after event and ends with one write
per table: the contacts' and checkouts' changes, their orders' purchases, the journal lines,
the consent facts, the outbox rows' cancellations… Two ends keep them (a write an owner makes
only once, as the batch ends, is kept with `at_batch_end`):
- a run of events (`deferring`, plugin.events.saleor_batch): an owner keeps what it will
  write as the run's last change of each row left it (`later`: the stored rows' changes,
  plugin.db; an order's purchases, plugin.segments.orders), and the run has it written when
  it ends, or earlier when a reader needs the rows stored (`send_later`): one write per table
  instead of one per event and flush;
- a batch on PostgreSQL (`composing`, entered by plugin.db.batch_scope): a write handed here
  (`insert_rows`, `update_rows`, `delete_in`, or `insert`, `update`, `delete`) is kept, and
  the kept writes are sent in one statement (plugin.db_cte) when the batch ends, or at once
  before any other statement of the session's connection (a read, a flush), which must find
  them written.

What keeps the sequential meaning: every part of one statement sees the same snapshot, so a
write on a table the kept writes already change (an UPDATE of rows a kept INSERT adds, say)
sends the kept ones first; only an INSERT after a DELETE of the same table (a replacement)
joins them. Rows an owner expects all to be written (`expect`) are counted: a count short of
the rows raises RuntimeError with the owner's message, as its own statement would have. An
error in a run or a batch writes nothing it kept. Outside a batch, and on SQLite, the `…_rows`
helpers answer False (the owner writes) and `insert`, `update`, `delete` write at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from plugin import db_cte, db_fold
from plugin.db_cte import Write

_KEPT = "ulak.batch.composed"


class Later(Protocol):
    """An owner's writes kept for the run's end: `write` hands what it holds then (and
    forgets it) to `insert`, `update` and `delete`."""

    def write(self, session: Session) -> None: ...


_L = TypeVar("_L", bound=Later)


@dataclass(slots=True)
class _Kept:
    compose: bool  # a batch on PostgreSQL: writes are kept and sent in one statement
    writes: list[Write] = field(default_factory=list)
    ids: dict[Any, list[int]] = field(default_factory=dict)  # reserved, by table
    sending: bool = False
    later: dict[type, Later] | None = None  # while a run is on: its owners' kept writes
    at_end: dict[str, Callable[[], None]] | None = None  # in a batch: writes made as it ends


@contextmanager
def composing(session: Session) -> Iterator[None]:
    """A batch (plugin.db.batch_scope): the writes owners keep for its end (`at_batch_end`)
    are made when it ends without error; on PostgreSQL the writes handed to this module are
    kept and sent in one statement then, or before the connection's next statement."""
    postgres = session.get_bind().dialect.name == "postgresql"
    at_end: dict[str, Callable[[], None]] = {}
    kept = session.info[_KEPT] = _Kept(compose=postgres, at_end=at_end)
    connection = session.connection() if postgres else None

    def before(*_: Any) -> None:
        if kept.writes and not kept.sending and connection is not None:
            _send(connection, kept)

    if connection is not None:
        sa.event.listen(connection, "before_execute", before)
    try:
        yield
        for write in list(at_end.values()):
            write()
        if connection is not None:
            _send(connection, kept)
    finally:
        session.info.pop(_KEPT, None)
        if connection is not None:
            sa.event.remove(connection, "before_execute", before)


def at_batch_end(session: Session, name: str, write: Callable[[], None]) -> None:
    """In a batch: make the deferred write `name` when the batch ends (once per name)."""
    kept: _Kept | None = session.info.get(_KEPT)
    if kept is not None and kept.at_end is not None:
        kept.at_end.setdefault(name, write)


@contextmanager
def deferring(session: Session) -> Iterator[None]:
    """A run of events: the writes its owners keep (`later`) are made when it ends without
    error, in the order they were first kept (in a batch on PostgreSQL, kept again to go out
    with the batch's others; else written then). A run within a run is the outer one."""
    kept: _Kept | None = session.info.get(_KEPT)
    own = kept is None
    if kept is None:
        kept = session.info[_KEPT] = _Kept(compose=False)
    if kept.later is not None:
        yield
        return
    kept.later = {}
    try:
        yield
        send_later(session)
    finally:
        kept.later = None
        if own:
            session.info.pop(_KEPT, None)


def later(session: Session, kind: type[_L]) -> _L | None:
    """The running run's `kind` (made on first ask): where its owner keeps the writes it
    makes when the run ends. None outside a run: the owner writes at once."""
    kept: _Kept | None = session.info.get(_KEPT)
    if kept is None or kept.later is None:
        return None
    found = kept.later.get(kind)
    if found is None:
        found = kept.later[kind] = kind()
    return found  # type: ignore[return-value]  # stored under its own type


def send_later(session: Session, kind: type | None = None) -> None:
    """Make the run's kept writes now (those of `kind`, or all): a reader that selects rows
    they change needs them stored first. No-op outside a run."""
    kept: _Kept | None = session.info.get(_KEPT)
    if kept is None or kept.later is None:
        return
    owners = list(kept.later.values()) if kind is None else [kept.later.get(kind)]
    for owner in owners:
        if owner is not None:
            owner.write(session)


def insert_rows(
    session: Session,
    table: Any,
    rows: list[dict[str, Any]],
    *,
    conflict: Sequence[str] | None = None,
    expect: str | None = None,
) -> bool:
    """Keep `INSERT INTO table` of `rows` (all with the same keys); `conflict`: the unique
    columns of ON CONFLICT DO NOTHING (empty: any). False when no batch composes (the caller
    writes)."""
    return _keep(session, Write(table, "insert", rows, conflict=conflict, expect=expect))


def insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT `rows` into `table`: kept in a batch that composes, else at once (executemany)."""
    if rows and not insert_rows(session, table, rows):
        session.execute(sa.insert(table), rows)


def update(
    session: Session,
    table: Any,
    rows: list[dict[str, Any]],
    *,
    key: str = "id",
    locked: bool = False,
) -> None:
    """UPDATE each row matched on `key`, setting its other values: kept in a batch that
    composes, else at once (executemany: row by row, in the rows' order). `locked`: the caller
    already holds the rows' locks, so on PostgreSQL they go as one statement (their values as
    one parameter, plugin.db_cte); it would take the locks in its plan's order, not the rows'."""
    if not rows or update_rows(session, table, rows, key=key):
        return
    if locked and session.get_bind().dialect.name == "postgresql":
        db_cte.execute(session.connection(), [Write(table, "update", rows, key=key)])
        return
    stmt = (
        sa.update(table)
        .where(table.c[key] == sa.bindparam(f"_{key}", type_=table.c[key].type))
        .values({k: sa.bindparam(f"_{k}", type_=table.c[k].type) for k in rows[0] if k != key})
    )
    session.execute(stmt, [{f"_{k}": v for k, v in row.items()} for row in rows])


def delete(session: Session, table: Any, column: str, values: Sequence[Any]) -> None:
    """DELETE the rows whose `column` is one of `values`: kept in a batch that composes,
    else at once."""
    if values and not delete_in(session, table, column, values):
        session.execute(sa.delete(table).where(table.c[column].in_(values)))


def update_rows(
    session: Session,
    table: Any,
    rows: list[dict[str, Any]],
    *,
    key: str = "id",
    where: tuple[Any, ...] = (),
    expect: str | None = None,
) -> bool:
    """Keep an UPDATE of each row matched on `key` (and `where`, on the table's columns)
    setting its other values (all rows with the same keys)."""
    write = Write(table, "update", rows, key=key, where=where, expect=expect)
    return _keep(session, write)


def delete_in(session: Session, table: Any, column: str, values: Sequence[Any]) -> bool:
    """Keep `DELETE FROM table WHERE column = ANY(values)`."""
    return _keep(session, Write(table, "delete", [{column: v} for v in values], key=column))


def reserve(session: Session, wanted: dict[Any, int]) -> None:
    """Reserve ids of tables' sequences in one statement, `n` per table, for the rows the
    batch is about to write beyond those `reserving` reserved; `take_ids` hands them out. A
    row that other kept rows name needs its id before it is written, and an INSERT …
    RETURNING of its own would cost a statement per table. No-op when no batch composes;
    ids reserved and not taken are gaps, as a rollback leaves."""
    kept = _composing(session)
    if kept is None:
        return
    short = {
        table: n - len(kept.ids.get(table, ()))
        for table, n in wanted.items()
        if n > len(kept.ids.get(table, ()))
    }
    if short:
        db_fold.alone(session, reserving(session, {t: n for t, n in short.items()}))


def reserving(session: Session, wanted: dict[Any, int | Any]) -> db_fold.Reader:
    """`reserve` as a reader (plugin.db_fold: a batch folds it with its other reads), each
    table's count a number or a SELECT whose rows are counted (`nextval(…)` once per row)."""
    kept = _composing(session)
    if kept is None or not wanted:
        return
    parts = []
    for i, (table, n) in enumerate(wanted.items()):
        rows = sa.func.generate_series(1, n) if isinstance(n, int) else n.subquery()
        nextval = sa.func.nextval(sa.func.pg_get_serial_sequence(table.name, "id"))
        parts.append(sa.select(sa.literal(i).label("t"), nextval.label("id")).select_from(rows))
    tables = list(wanted)
    for i, row_id in (yield db_fold.Read(sa.union_all(*parts))):
        kept.ids.setdefault(tables[i], []).append(int(row_id))
    for ids in kept.ids.values():
        ids.sort()


def absent(table: Any, *, store_id: int, column: str, values: Iterable[str]) -> Any:
    """A SELECT with a row per value among `values` that no row of the store's in `table`
    has in `column`: the rows a batch may insert for them (`reserving` counts it)."""
    given = (
        sa.func.unnest(
            sa.bindparam(
                f"absent_{table.name}", sorted(set(values)), type_=postgresql.ARRAY(sa.String)
            )
        )
        .table_valued(column)
        .render_derived()
    )
    stored = sa.select(table.c.id).where(
        table.c.store_id == store_id, table.c[column] == given.c[column]
    )
    return sa.select(given.c[column]).where(~stored.exists())


def take_ids(session: Session, table: Any, n: int) -> list[int] | None:
    """`n` ids `reserve` reserved for `table`, in increasing order; None when it holds fewer
    (the caller writes with RETURNING as usual)."""
    kept = _composing(session)
    pool = kept.ids.get(table) if kept is not None else None
    if not pool or len(pool) < n:
        return None
    taken, pool[:n] = pool[:n], []
    return taken


def _composing(session: Session) -> _Kept | None:
    kept: _Kept | None = session.info.get(_KEPT)
    return kept if kept is not None and kept.compose else None


def _keep(session: Session, write: Write) -> bool:
    kept = _composing(session)
    if kept is None:
        return False
    if not write.rows:
        return True
    if not all(_apart(w, write) for w in kept.writes if w.table is write.table):
        _send(session.connection(), kept)  # it must see what the kept writes change
    kept.writes.append(write)
    return True


def _apart(earlier: Write, later: Write) -> bool:
    """Whether `later` can share a statement with `earlier` of the same table and mean what
    it means after it: an INSERT after a DELETE (a replacement), or a write of other rows
    than `earlier` names by the key `later` matches on."""
    if later.kind == "insert":
        return earlier.kind == "delete"
    if earlier.kind == "delete" or not earlier.rows or later.key not in earlier.rows[0]:
        return False
    named = {row[later.key] for row in earlier.rows}
    return not any(row[later.key] in named for row in later.rows)


def _send(connection: sa.Connection, kept: _Kept) -> None:
    """The kept writes in one statement (plugin.db_cte), each write's count checked where
    expected."""
    writes, kept.writes = kept.writes, []
    if not writes:
        return
    kept.sending = True
    try:
        done = db_cte.execute(connection, writes)
    finally:
        kept.sending = False
    for write, n in zip(writes, done, strict=True):
        if write.expect is not None and n != len(write.rows):
            raise RuntimeError(write.expect)
