"""CPU savings applied at start-up: pydantic's default-factory check memoized; psycopg's text
arrays escaped in C; a worker's gc tuned.

Memoize pydantic's "does this default factory take the validated data?" check.

SQLModel builds a table model's defaults by calling `FieldInfo.get_default` for every field of
every instance, and pydantic (2.14) answers that question with `inspect.signature` each time —
uncached. For `list` it parses the builtin's text signature (~150 µs); a `FlowConfig` cost
~640 µs to construct, and the inbox worker spent a fifth of its CPU there (profiled under the
soak benchmark). The answer depends only on the factory, so it is cached per factory. The same
uncached call is pydantic/pydantic#13376 (fixed there for private attributes only).
"""

from __future__ import annotations

import functools
import gc
import re
from collections.abc import Callable
from typing import Any


def memoize_default_factory_check() -> None:
    """Wrap pydantic's check in a cache (idempotent; a pydantic without it is left alone)."""
    from pydantic._internal import _fields

    original: Callable[[Any], bool] | None = getattr(_fields, "takes_validated_data_argument", None)
    if original is None or hasattr(original, "cache_info"):
        return
    cached = functools.lru_cache(maxsize=4096)(original)

    @functools.wraps(original)
    def takes_validated_data_argument(default_factory: Any) -> bool:
        try:
            return cached(default_factory)
        except TypeError:  # an unhashable factory: ask pydantic every time, as before
            return original(default_factory)

    takes_validated_data_argument.cache_info = cached.cache_info  # type: ignore[attr-defined]
    _fields.takes_validated_data_argument = takes_validated_data_argument  # type: ignore[assignment]


memoize_default_factory_check()


class _ArrayEscape:
    """What psycopg's `ListDumper` does with `_re_esc.sub` to a quoted array item (a backslash
    before each backslash and double quote), with two `bytes.replace`: the same bytes, without
    the replacement template `re.sub` expands in Python per match (a JSON item has one per
    quote)."""

    @staticmethod
    def sub(_template: bytes, item: Any) -> bytes:
        return bytes(item).replace(b"\\", b"\\\\").replace(b'"', b'\\"')


def escape_text_arrays_in_c() -> None:
    """Dump text-format arrays with `_ArrayEscape` (idempotent; a psycopg that escapes some
    other way is left alone).

    A batch's writes go as one array per column (plugin/db_compose.py), JSON values as their
    text, and psycopg escaped each quote of each item with `re.sub`: 6.5 ms per 200 JSON
    items, 8% of a batch of Saleor events' CPU (py-spy, bench_events' day). Registered on
    psycopg's global adapters, which each new connection copies."""
    import psycopg
    from psycopg.types.array import ListDumper

    class EscapingListDumper(ListDumper):
        _re_esc = _ArrayEscape()  # type: ignore[assignment]

    if isinstance(getattr(ListDumper, "_re_esc", None), re.Pattern):
        psycopg.adapters.register_dumper(list, EscapingListDumper)


escape_text_arrays_in_c()


# Allocations between two young-generation collections in a worker (CPython's default: 700).
WORKER_GC_THRESHOLD = (50_000, 50, 100)


def tune_gc_for_worker() -> None:
    """Collect cycles less often in a worker process, and never scan what start-up loaded.

    Acting on a batch of events allocates tens of thousands of short-lived ORM and pydantic
    objects, and CPython's default young-generation threshold (700 allocations) ran the cyclic
    collector several times per batch, each pass walking the whole young generation and, now
    and then, the process's modules, models and compiled statements. Measured on a batch of
    Saleor events in one process (bench_events' day, 1,200 events after warm-up): 1.87–1.94 →
    1.62–1.68 ms CPU per event. Reference counting still frees almost everything at once; the
    collector only finds cycles, later. `gc.freeze` moves the objects alive after boot (imports,
    mappers, settings) out of every future collection, the pattern CPython documents for forking
    servers (https://docs.python.org/3/library/gc.html#gc.freeze)."""
    freeze_start_up()
    gc.set_threshold(*WORKER_GC_THRESHOLD)


def freeze_start_up() -> None:
    """Move every object alive after start-up out of the cyclic collector's passes (what is
    garbage now is collected first). An API process (`ulak serve`) holds ~236,000 objects once
    its app is built, and a full collection walked them all: 140 ms on a 2-core machine, with
    the event loop and the group-commit writer stopped (measured in session 22; CPython runs
    one whenever enough objects outlived the younger generations). The soak's slow windows
    turned out to be PostgreSQL's, not these pauses (docs/benchmarks.md, "Soak", session 22),
    but each would still stop every webhook in flight. Frozen, those objects are still freed
    by reference counting; only a cycle among them is never collected."""
    gc.collect()
    gc.freeze()
