"""Relay-style connections over SQL keyset pagination, with opaque cursors.

    page = paginate(ctx, ctx.scoped(select(Model).where(...)),
                    order=[(Model.received_at, DESC), (Model.id, DESC)],
                    first=first, after=after, last=last, before=before, node=ModelType.from_row)

The order must end with a unique column (the id), so every row has one position. A cursor
holds the sort values of its row (base64 JSON, tied to the order's column names): paging costs
one indexed query whatever the depth, and rows inserted meanwhile never shift a page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
import strawberry

from plugin.admin_api.errors import InvalidArgument, InvalidCursor

T = TypeVar("T")
ASC = False
DESC = True
DEFAULT_PAGE = 20
MAX_PAGE = 100


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if hasattr(value, "value") and isinstance(value.value, str):  # StrEnum
        return value.value
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"}:
        return datetime.fromisoformat(value["dt"])
    return value


def encode_cursor(names: Sequence[str], values: Sequence[Any]) -> str:
    raw = json.dumps({"k": list(names), "v": [_encode_value(v) for v in values]})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, names: Sequence[str]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        values = data["v"]
        ok = data["k"] == list(names) and isinstance(values, list) and len(values) == len(names)
    except (ValueError, KeyError, TypeError, binascii.Error):
        ok = False
    if not ok:
        raise InvalidCursor("invalid cursor for this list / bu liste için geçersiz imleç")
    try:
        return [_decode_value(v) for v in values]
    except (ValueError, TypeError) as exc:
        raise InvalidCursor("invalid cursor / geçersiz imleç") from exc


def _beyond(order: Sequence[tuple[Any, bool]], values: Sequence[Any], *, forward: bool) -> Any:
    """Rows strictly after (forward) or before the position `values` in the sort order."""
    clauses = []
    for i, (column, descending) in enumerate(order):
        later = (column < values[i]) if descending == forward else (column > values[i])
        equal_prefix = [order[j][0] == values[j] for j in range(i)]
        clauses.append(sa.and_(*equal_prefix, later))
    return sa.or_(*clauses)


def paginate(
    ctx: Any,
    stmt: sa.Select[Any],
    *,
    order: Sequence[tuple[Any, bool]],
    node: Callable[[Any], T],
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    scalars: bool = True,
) -> Connection[T]:
    """One page of `stmt` (already store-scoped) as a Connection; one query.

    `scalars=False` pages a select of columns (e.g. over a union): `node` then gets the row,
    and the order's columns are read from it by name."""
    if first is not None and last is not None:
        raise InvalidArgument("give first or last, not both / first veya last, ikisi birden değil")
    size = last if last is not None else (first if first is not None else DEFAULT_PAGE)
    if not 0 <= size <= MAX_PAGE:
        raise InvalidArgument(
            f"page size must be between 0 and {MAX_PAGE} / sayfa boyutu 0 ile {MAX_PAGE} arası"
        )
    names = [column.key for column, _ in order]
    backward = last is not None
    if after is not None:
        stmt = stmt.where(_beyond(order, decode_cursor(after, names), forward=True))
    if before is not None:
        stmt = stmt.where(_beyond(order, decode_cursor(before, names), forward=False))
    ordering = [
        (column.desc() if descending != backward else column.asc()) for column, descending in order
    ]
    result = ctx.session.execute(stmt.order_by(*ordering).limit(size + 1))
    rows = list(result.scalars() if scalars else result.all())
    more = len(rows) > size
    rows = rows[:size]
    if backward:
        rows.reverse()
    edges = [
        Edge(node=node(row), cursor=encode_cursor(names, [getattr(row, n) for n in names]))
        for row in rows
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=more if not backward else before is not None,
            has_previous_page=more if backward else after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
