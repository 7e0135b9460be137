"""Imports every table model so SQLModel's metadata is complete (Alembic, tests)."""

from plugin import crypto  # noqa: F401  (app_secret)
from plugin.analytics import models as analytics_models  # noqa: F401
from plugin.campaigns import models as campaigns_models  # noqa: F401
from plugin.consent import models as consent_models  # noqa: F401
from plugin.consent import state as consent_state  # noqa: F401  (ix_consent_deciding)
from plugin.contacts import models as contacts_models  # noqa: F401
from plugin.delivery import models as delivery_models  # noqa: F401
from plugin.delivery import quality_models  # noqa: F401
from plugin.flows import models as flows_models  # noqa: F401
from plugin.inbox import models as inbox_models  # noqa: F401
from plugin.saleor import models as saleor_models  # noqa: F401
from plugin.segments import models as segments_models  # noqa: F401
from plugin.stores import models as stores_models  # noqa: F401
from plugin.templates import models as templates_models  # noqa: F401
from plugin.whatsapp import accounts as whatsapp_accounts  # noqa: F401
