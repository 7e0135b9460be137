"""Imports every table model so SQLModel's metadata is complete (Alembic, tests)."""

from plugin.inbox import models as inbox_models  # noqa: F401
from plugin.saleor import models as saleor_models  # noqa: F401
