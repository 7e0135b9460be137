"""GraphQL documents from graphql/, with the fragments they spread appended."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

GRAPHQL_DIR = Path(__file__).resolve().parents[2] / "graphql"
_SPREAD = re.compile(r"\.\.\.\s*([A-Z]\w*)")


@lru_cache(maxsize=1)
def _fragments() -> dict[str, str]:
    return {p.stem: p.read_text() for p in (GRAPHQL_DIR / "fragments").glob("*.graphql")}


def with_fragments(document: str) -> str:
    """Append every fragment the document needs, transitively, in a stable order."""
    fragments = _fragments()
    needed: set[str] = set()
    todo = [document]
    while todo:
        for name in _SPREAD.findall(todo.pop()):
            if name in fragments and name not in needed:
                needed.add(name)
                todo.append(fragments[name])
    parts = [document.strip(), *(fragments[n].strip() for n in sorted(needed))]
    return "\n\n".join(parts) + "\n"


@lru_cache(maxsize=64)
def load(relative: str) -> str:
    """A document by path under graphql/, e.g. 'subscriptions/order_created.graphql'."""
    return with_fragments((GRAPHQL_DIR / relative).read_text())
