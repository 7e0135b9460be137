"""Engine, sessions and the column types every model shares (PostgreSQL and SQLite alike)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
from fastapi import Depends
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, create_engine

from plugin import db_compose
from plugin.db_compose import at_batch_end as at_batch_end  # the batch's end: db_compose

__all__ = [
    "JSONType",
    "SQLModel",
    "Session",
    "SessionDep",
    "UTCDateTime",
    "configure_engine",
    "get_engine",
    "session_scope",
]

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

_engine: Engine | None = None


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utc_column(*, nullable: bool = True, index: bool = False) -> Any:
    """A Field(sa_column=...) helper for aware timestamps."""
    return sa.Column(UTCDateTime(), nullable=nullable, index=index)


def make_engine(url: str, *, pool_size: int = 20) -> Engine:
    """One engine per process; SQLite gets WAL so the embedded worker and API can share it."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_pre_ping=True,
            hide_parameters=True,  # errors name no phone, name or token ciphertext
        )

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        pool_pre_ping=True,
        pool_recycle=1800,
        hide_parameters=True,  # errors name no phone, name or token ciphertext
    )


def configure_engine(url: str, *, pool_size: int = 20) -> Engine:
    """Set the process-wide engine (the API and the actors share it)."""
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = make_engine(url, pool_size=pool_size)
    return _engine


def get_engine() -> Engine:
    if _engine is None:
        from plugin.settings import get_settings

        return configure_engine(get_settings().database_url)
    return _engine


@contextmanager
def session_scope() -> Iterator[Session]:
    """The unit of work of an actor or a script: commit on success, roll back on error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# deadlock_detected, serialization_failure: PostgreSQL rolled the transaction back to let a
# concurrent one through; the same work in a new transaction is expected to succeed
_LOST_RACE = frozenset({"40P01", "40001"})
_T = TypeVar("_T")


def lost_a_race(exc: BaseException) -> bool:
    """Whether `exc` is PostgreSQL breaking a deadlock or a serialization conflict."""
    return isinstance(exc, sa.exc.DBAPIError) and getattr(exc.orig, "sqlstate", None) in _LOST_RACE


def retried_scope(work: Callable[[Session], _T], *, attempts: int = 3) -> _T:
    """`work` in its own `session_scope`, run again in a new one when it lost a race
    (`lost_a_race`). Only for work whose every effect is in the transaction (or harmless to
    repeat): the rolled-back attempt left nothing behind."""
    for attempt in range(1, attempts + 1):
        try:
            with session_scope() as session:
                return work(session)
        except sa.exc.DBAPIError as exc:
            if attempt == attempts or not lost_a_race(exc):
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


BATCH_KEY = "ulak.batch"


@contextmanager
def batch_scope(session: Session) -> Iterator[dict[str, Any]]:
    """Mark a unit of work that acts on a batch of events: what its reads load once (a store's
    flow settings, the batch's contacts and checkouts, prefetched in set-based statements) is
    kept in this dict until the batch ends, and each owner keeps its own entries right as its
    writes change them. Writes an owner defers (`at_batch_end`) are made when the batch ends
    without error; on PostgreSQL the writes handed to plugin.db_compose are then sent in one
    statement. Outside a batch there is no memo and every read goes to the database."""
    memo: dict[str, Any] = {}
    session.info[BATCH_KEY] = memo
    try:
        with db_compose.composing(session):  # the writes it keeps are made as the batch ends
            yield memo
    finally:
        session.info.pop(BATCH_KEY, None)


def batch_memo(session: Session) -> dict[str, Any] | None:
    """The running batch's memo (`batch_scope`), None outside a batch."""
    memo: dict[str, Any] | None = session.info.get(BATCH_KEY)
    return memo


class _Updates:
    """A run's changes to stored rows of the deferred models (plugin.db_compose `later`): per
    model, each row's object and the columns changed since it was loaded."""

    def __init__(self) -> None:
        self.rows: dict[type, dict[Any, tuple[Any, set[str]]]] = {}

    def write(self, session: Session) -> None:
        """One UPDATE … WHERE id = ? per model, setting the union of the columns any of its
        rows changed, in id order: the batch locked its rows in id order (contacts,
        checkouts), and an UPDATE in another order could deadlock with a batch holding some."""
        _take_dirty(session, self)
        for model, rows in self.rows.items():
            if not rows:
                continue
            keys = sorted(set().union(*(changed for _, changed in rows.values())))
            ordered = sorted((obj for obj, _ in rows.values()), key=lambda obj: obj.id)
            rows.clear()
            values = [{"id": obj.id, **{k: getattr(obj, k) for k in keys}} for obj in ordered]
            db_compose.update(session, model.__table__, values)  # type: ignore[attr-defined]


@contextmanager
def deferred_updates(session: Session, *models: type) -> Iterator[None]:
    """Within the block, a run of events (plugin.db_compose `deferring`), changes to
    already-stored rows of `models` are not flushed one row at a time: each flush keeps them
    (the objects hold the new values), and the run writes them all in one statement per model
    when it ends. Why: acting on a run of events changes the same few columns of many contacts
    and checkouts, and every query's autoflush wrote them again one row and one column set at
    a time. A reader that selects such rows by a changed column calls `write_deferred` first."""
    updates: _Updates | None = None

    def keep(flushing: Session, _context: Any, _instances: Any) -> None:
        if updates is not None:
            _take_dirty(flushing, updates)

    sa.event.listen(session, "before_flush", keep)  # until the run's end has written them
    try:
        with db_compose.deferring(session):
            updates = db_compose.later(session, _Updates)
            assert updates is not None
            for model in models:
                updates.rows.setdefault(model, {})
            yield
    finally:
        sa.event.remove(session, "before_flush", keep)


def _take_dirty(session: Session, updates: _Updates) -> None:
    """Move the pending changes of the deferred models' stored rows into `updates` (the
    objects keep their values, now as if loaded, so no flush writes them)."""
    for obj in list(session.dirty):
        rows = updates.rows.get(type(obj))
        state = sa.inspect(obj)
        if rows is None or not state.persistent:
            continue
        # the attributes set since the row was loaded (SQLAlchemy keeps their loaded values
        # there); reading each attribute's history cost more CPU than the rest of the hook
        changed = set(state.committed_state)
        if not changed:
            continue
        for key in changed:
            set_committed_value(obj, key, getattr(obj, key))
        key = state.identity
        previous = rows.get(key)
        rows[key] = (obj, changed | (previous[1] if previous else set()))


def set_deferred(session: Session, obj: Any, values: dict[str, Any]) -> bool:
    """In a `deferred_updates` block of `obj`'s model: put `values` on the stored row `obj` as
    if loaded and keep them for the block's one UPDATE, as a change made by setting the
    attributes would be kept. Why: setting a model's attributes one by one (pydantic, then the
    ORM's change tracking) cost more CPU than the decision that changed them. Outside such a
    block, or for a row not stored in this session, nothing is set and False is returned (the
    caller sets them as usual)."""
    updates = db_compose.later(session, _Updates)
    rows = updates.rows.get(type(obj)) if updates is not None else None
    state = obj._sa_instance_state
    if rows is None or not state.persistent:  # a new row: the flush inserts it with its values
        return False
    obj.__dict__.update(values)
    key = state.identity
    previous = rows.get(key)
    rows[key] = (obj, previous[1].union(values) if previous else set(values))
    return True


def write_deferred(session: Session) -> None:
    """Write the changes `deferred_updates` kept now (no-op outside a run); in a batch on
    PostgreSQL kept with its other writes (plugin.db_compose)."""
    db_compose.send_later(session, _Updates)


def get_session() -> Iterator[Session]:
    """A request's session; the route decides when to commit."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def insert_ignoring_conflicts(session: Session, table: Any) -> Any:
    """`INSERT … ON CONFLICT DO NOTHING` for this session's backend (PostgreSQL or SQLite)."""
    module: Any = postgresql if dialect_name(session) == "postgresql" else sqlite
    return module.insert(table)


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name


def without_jit(session: Session) -> None:
    """No JIT compilation for the rest of this transaction (PostgreSQL). JIT starts above a
    cost estimate, and a query with correlated probes per row (an audience's consent reads)
    or an index range over a day or two is estimated far above what it costs: on 1M contacts
    the rule count spent about 1 s of its 3–4 s compiling ~90 functions."""
    if dialect_name(session) == "postgresql":
        session.execute(sa.text("SET LOCAL jit = off"))


class QueryTooCostly(Exception):
    """A statement ran past its `statement_budget` and PostgreSQL cancelled it."""


class Deadline:
    """What is left of a `statement_budget` for the block's next statement."""

    def __init__(self, session: Session, milliseconds: int) -> None:
        self.session = session
        self.ends = time.monotonic() + milliseconds / 1000
        self.active = dialect_name(session) == "postgresql"

    def next_statement(self) -> None:
        """The next statements may run only for what the earlier ones left."""
        if self.active:
            left = max(1, int((self.ends - time.monotonic()) * 1000))
            self.session.execute(sa.text(f"SET LOCAL statement_timeout = {left}"))


@contextmanager
def statement_budget(session: Session, milliseconds: int) -> Iterator[Deadline]:
    """The block's statements may run `milliseconds` in all (a block that builds its SQL or
    runs several statements calls
    `Deadline.next_statement` before each, so time spent in Python counts too), then
    raise QueryTooCostly with the transaction still usable: a savepoint holds the block, and a
    cancelled statement rolls back only to it. Why: a merchant's rule or filter is evaluated
    per contact, and on a large store one request could otherwise hold a database connection
    and a core for minutes."""
    deadline = Deadline(session, milliseconds)
    if dialect_name(session) == "sqlite":
        with _sqlite_deadline(session, deadline):
            yield deadline
        return
    try:
        with session.begin_nested():
            deadline.next_statement()
            yield deadline
            session.execute(sa.text("SET LOCAL statement_timeout TO DEFAULT"))
    except sa.exc.OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == "57014":  # query_canceled
            raise QueryTooCostly(str(milliseconds)) from exc
        raise


@contextmanager
def _sqlite_deadline(session: Session, deadline: Deadline) -> Iterator[None]:
    """SQLite's form: a progress handler interrupts the running statement once the deadline
    has passed (a read: SQLite rolls back only the statement)."""
    raw: Any = session.connection().connection.driver_connection
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline.ends), 1000)
    try:
        yield
    except sa.exc.OperationalError as exc:
        if "interrupted" in str(exc.orig):
            raise QueryTooCostly(str(int((deadline.ends - time.monotonic()) * 1000))) from exc
        raise
    finally:
        raw.set_progress_handler(None, 1000)


def locked_row(
    session: Session, table: Any, *, key: dict[str, Any], defaults: dict[str, Any]
) -> Any:
    """The row of `table` with primary `key`, created with `defaults` when missing and locked
    until the transaction ends, so workers that reserve from a counter queue here one at a
    time (PostgreSQL: `FOR UPDATE`; SQLite: the insert takes its one writer's lock)."""
    session.execute(
        insert_ignoring_conflicts(session, table).values(**key, **defaults).on_conflict_do_nothing()
    )
    query = sa.select(table).where(*(table.c[name] == value for name, value in key.items()))
    if dialect_name(session) == "postgresql":
        query = query.with_for_update()
    return session.execute(query).one()
