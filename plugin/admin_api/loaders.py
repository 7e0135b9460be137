"""Per-request dataloaders: a list resolver's nested fields load in one query, not one per row.

Use `ctx.loaders.by_id(Model)` or `ctx.loaders.count_by(Model, Model.column, *where)`, or
`ctx.loaders.get(name, batch)` with your own sync batch function (keys -> values, same order).
Every loader query is store-scoped.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from strawberry.dataloader import DataLoader

if TYPE_CHECKING:
    from plugin.admin_api.context import AdminContext

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Loaders:
    """The request's dataloaders, created on first use and cached by name."""

    def __init__(self, ctx: AdminContext) -> None:
        self._ctx = ctx
        self._loaders: dict[str, DataLoader[Any, Any]] = {}

    def get(self, name: str, batch: Callable[[list[K]], Sequence[V]]) -> DataLoader[K, V]:
        """The loader `name`; `batch(keys)` returns one value per key, in the keys' order."""
        loader = self._loaders.get(name)
        if loader is None:

            async def load(keys: list[K]) -> Sequence[V]:
                return batch(keys)

            loader = DataLoader(load_fn=load)
            self._loaders[name] = loader
        return loader

    def by_id(self, model: type[V]) -> DataLoader[int, V | None]:
        """Rows of this store by primary key (None for a missing or foreign id)."""
        pk = sa.inspect(model).primary_key[0]

        def batch(keys: list[int]) -> list[V | None]:
            stmt = self._ctx.scoped(sa.select(model).where(pk.in_(keys)), model)
            rows = {getattr(r, pk.key): r for r in self._ctx.session.execute(stmt).scalars()}
            return [rows.get(k) for k in keys]

        return self.get(f"by_id:{model.__name__}", batch)

    def count_by(
        self, model: Any, column: Any, *where: Any, name: str | None = None
    ) -> DataLoader[Any, int]:
        """Rows of this store per value of `column` (0 when none), with extra criteria."""

        def batch(keys: list[Any]) -> list[int]:
            return self.count_rows(model, column, keys, *where)

        return self.get(name or f"count_by:{model.__name__}.{column.key}", batch)

    def count_rows(self, model: Any, column: Any, keys: list[Any], *where: Any) -> list[int]:
        """One grouped count for a batch (for batch functions that compute their criteria)."""
        stmt = self._ctx.scoped(
            sa.select(column, sa.func.count())
            .select_from(model)
            .where(column.in_(keys), *where)
            .group_by(column),
            model,
        )
        counts = {key: count for key, count in self._ctx.session.execute(stmt)}
        return [int(counts.get(k, 0)) for k in keys]
