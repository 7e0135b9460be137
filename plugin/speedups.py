"""Memoize pydantic's "does this default factory take the validated data?" check.

SQLModel builds a table model's defaults by calling `FieldInfo.get_default` for every field of
every instance, and pydantic (2.14) answers that question with `inspect.signature` each time —
uncached. For `list` it parses the builtin's text signature (~150 µs); a `FlowConfig` cost
~640 µs to construct, and the inbox worker spent a fifth of its CPU there (profiled under the
soak benchmark). The answer depends only on the factory, so it is cached per factory. The same
uncached call is pydantic/pydantic#13376 (fixed there for private attributes only).
"""

from __future__ import annotations

import functools
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
