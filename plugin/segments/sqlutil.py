"""Small dialect switches for the bulk statements segments and campaigns run."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def insert_ignoring_conflicts(session: Session, table: Any) -> Any:
    """`INSERT … ON CONFLICT DO NOTHING` for this session's backend (PostgreSQL or SQLite)."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name
