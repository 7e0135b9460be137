"""A worker's copy of each store's configuration — its settings, flow settings and approved
templates — kept across batches of events and threads, and read again exactly when it changed.

Why: every batch of events read the same rarely-changing rows again (three statements and
their ORM loads a batch). Database triggers (migration 0028) bump `store.config_version` on any
insert, update or delete of a store's store_settings, flow_config and message_template rows,
whichever process or path writes them; a batch loads its Store row anyway, so the version
costs no statement. Copies are kept by (what, store id) with the version they were read at.

A copy is used or kept only when all of these hold, else the owner reads the database as before:
- the session acts on a batch of events (plugin.db.batch_scope);
- the Store row was loaded (or refreshed) in the current transaction: one kept from an earlier
  transaction of a long-lived session may show an old version;
- this transaction has written none of the three tables (any statement: ORM flush, Core or
  text): it must read its own writes, and what it read then must never be kept (it may roll
  back).
So a copy holds committed rows at least as new as its version (the deferred trigger bumps the
version as the writer commits), and a batch that read version v may use any copy of v or later.
The owners (stores.service, flows.config, templates.service) hand out copies no session holds.
"""

from __future__ import annotations

import re
import threading
from copy import deepcopy
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session

from plugin.db import batch_memo
from plugin.saleor.models import Store

_SEEN = "ulak.config_version"  # session.info: store id -> (version, transaction it was read in)
_WROTE = "ulak.config_written"  # connection.info: the transaction that wrote a config table
_WRITES = re.compile(
    r"(?:INSERT INTO|UPDATE|DELETE FROM) \"?(?:store_settings|flow_config|message_template)\b",
    re.IGNORECASE,
)

_Row = TypeVar("_Row")
_copies: dict[tuple[str, int], tuple[int, Any]] = {}
_lock = threading.Lock()


def version(session: Session, store_id: int) -> int | None:
    """The store's config version if this session may use or keep copies now, else None."""
    if batch_memo(session) is None:
        return None
    seen: tuple[int, Any] | None = session.info.get(_SEEN, {}).get(store_id)
    if seen is None or seen[1] is not session.get_transaction():
        return None
    connection = session.connection()
    if connection.info.get(_WROTE) is connection.get_transaction():
        return None
    return seen[0]


def lookup(session: Session, store_id: int, what: str) -> tuple[int | None, Any]:
    """(version, copy): the copy kept for `what` at `version` or later, None when there is none
    (then the caller reads the database and `keep`s what it read if version is not None)."""
    current = version(session, store_id)
    if current is None:
        return None, None
    kept = _copies.get((what, store_id))
    if kept is not None and kept[0] >= current:
        return current, kept[1]
    return current, None


def keep(session: Session, store_id: int, what: str, at: int, value: Any) -> None:
    """Keep `value`, read at version `at` in this session, unless the session wrote meanwhile."""
    if version(session, store_id) != at:
        return
    with _lock:
        kept = _copies.get((what, store_id))
        if kept is None or kept[0] <= at:
            _copies[(what, store_id)] = (at, value)


def copy_row(row: _Row) -> _Row:
    """A new row of the same model holding `row`'s column values (its lists and dicts copied),
    detached: in no session, as if loaded and then closed, so no session's flush writes it and
    no caller's change reaches another's copy."""
    model = type(row)
    columns = _columns.get(model) or _columns_of(model)
    copy: _Row = sa.inspect(model).class_manager.new_instance()
    values = sa.inspect(copy).dict  # set as a load sets them: no history, nothing to flush
    for key, is_json in columns:
        value = getattr(row, key)
        values[key] = deepcopy(value) if is_json and value is not None else value
    make_transient_to_detached(copy)
    return copy


_columns: dict[type, tuple[tuple[str, bool], ...]] = {}


def _columns_of(model: type) -> tuple[tuple[str, bool], ...]:
    mapper: Any = sa.inspect(model)
    found = tuple((key, isinstance(column.type, sa.JSON)) for key, column in mapper.columns.items())
    _columns[model] = found
    return found


def forget() -> None:
    """Drop every copy (tests that empty the database, whose store ids and versions restart)."""
    with _lock:
        _copies.clear()


def _remember(session: Session | None, store: Store) -> None:
    loaded = sa.inspect(store).dict  # never a lazy load from here
    if session is None or "config_version" not in loaded or store.id is None:
        return
    seen = session.info.setdefault(_SEEN, {})
    seen[store.id] = (loaded["config_version"], session.get_transaction())


@sa.event.listens_for(Store, "load")
def _loaded(store: Store, context: Any) -> None:
    _remember(context.session, store)


@sa.event.listens_for(Store, "refresh")
def _refreshed(store: Store, context: Any, attrs: Any) -> None:
    _remember(context.session, store)


@sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _written(
    conn: sa.Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    if statement[:1] in "IUDiud" and _WRITES.match(statement):
        conn.info[_WROTE] = conn.get_transaction()
