"""The tracked-link seam: flows put a code of `<APP_URL>/r/<code>` in their URL buttons.

Tracked links belong to analytics (`plugin.analytics.links:create_link`); it is called by name
so the flows work before and after it is merged. Without it the code is a keyed hash of the
URL (stable, so redeliveries agree), which /r/ cannot resolve yet.
"""

from __future__ import annotations

from plugin import crypto
from plugin.whatsapp.hooks import resolve

CREATE_LINK = "plugin.analytics.links:create_link"


def tracked_code(
    session: object, *, store_id: int, url: str, contact_id: int | None, kind: str
) -> str:
    """A short code for `url`; raises the analytics' LinkRefused (a ConfigurationError) when
    the URL's host is not one the store configured."""
    create = resolve(CREATE_LINK)
    if create is not None:
        from plugin.analytics.models import LinkKind  # type: ignore[import-not-found]

        return str(
            create(session, store_id=store_id, url=url, contact_id=contact_id, kind=LinkKind(kind))
        )
    return crypto.keyed_hash(f"{store_id}:{url}", purpose="tracked-link")[:16]
