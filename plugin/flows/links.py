"""The tracked-link seam: flows put a code of `<APP_URL>/r/<code>` in their URL buttons."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlmodel import Session

from plugin.analytics.links import attach_to_message, create_link
from plugin.analytics.models import LinkKind
from plugin.delivery.models import OutboundMessage


def tracked_code(
    session: Session, *, store_id: int, url: str, contact_id: int | None, kind: str
) -> str:
    """A short code for `url`; raises the analytics' LinkRefused (a ConfigurationError) when
    the URL's host is not one the store configured. A tracking page comes from the store's
    own signed fulfillment data, so its host is trusted for that link."""
    link_kind = LinkKind(kind)
    trusted = (urlsplit(url).hostname or "",) if link_kind == LinkKind.ORDER else ()
    return create_link(
        session,
        store_id=store_id,
        url=url,
        contact_id=contact_id,
        kind=link_kind,
        trusted_hosts=trusted,
    )


def attach(session: Session, *, codes: list[str], message: OutboundMessage) -> None:
    """Tie the step's links to its outbox row, made after the codes went into its buttons."""
    if codes:
        attach_to_message(session, codes=codes, message=message)
