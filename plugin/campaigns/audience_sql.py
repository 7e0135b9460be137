"""The audience as SQL: one chunk of the store's contacts as launched, with each contact's
variant, holdout and due instant (send now, at a time, or at a local time per time zone)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from plugin import clock
from plugin.campaigns.models import Campaign, CampaignRecipient, SendMode
from plugin.campaigns.personalise import PERSONAL_FIELDS
from plugin.contacts.models import Contact
from plugin.segments.service import Audience, audience_condition, context_for
from plugin.stores.models import StoreSettings
from plugin.stores.plans import CAMPAIGN_MAX_RECIPIENTS


def _zone(name: str | None, fallback: str) -> ZoneInfo:
    for candidate in (name, fallback, "UTC"):
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def local_instants(
    session: Session, campaign: Campaign, settings: StoreSettings
) -> dict[str | None, datetime]:
    """For a local-time campaign: the UTC instant of local_date local_time in each time zone
    the store's contacts have (None: contacts without one, who get the store's zone)."""
    day = date.fromisoformat(campaign.local_date or "")
    hh, mm = (int(x) for x in (campaign.local_time or "00:00").split(":"))
    zones = session.execute(
        sa.select(col(Contact.timezone))
        .where(col(Contact.store_id) == campaign.store_id)
        .distinct()
    ).scalars()
    out: dict[str | None, datetime] = {}
    for name in {*zones, None}:
        local = datetime.combine(day, time(hh, mm), tzinfo=_zone(name, settings.timezone))
        out[name] = local.astimezone(ZoneInfo("UTC"))
    return out


def _due_expr(session: Session, campaign: Campaign, settings: StoreSettings) -> ColumnElement[Any]:
    due_type = CampaignRecipient.__table__.c.due_at.type  # type: ignore[attr-defined]
    if campaign.send_mode == SendMode.LOCAL_TIME:
        instants = local_instants(session, campaign, settings)
        default = instants.pop(None)
        if not instants:
            return sa.literal(default, due_type)
        return sa.case(
            *(
                (col(Contact.timezone) == name, sa.literal(at, due_type))
                for name, at in instants.items()
            ),
            else_=sa.literal(default, due_type),
        )
    return sa.literal(start_instant(campaign), due_type)


def start_instant(campaign: Campaign) -> datetime:
    """When a campaign sends from (its local-time recipients wait for their own instant)."""
    at = (
        campaign.send_at
        if campaign.send_mode == SendMode.AT and campaign.send_at
        else campaign.started_at
    )
    return at or clock.now()


def _assignment(campaign: Campaign) -> tuple[ColumnElement[Any], ColumnElement[bool]]:
    """Variant and holdout per contact from a stable bucket 0–99 of (contact, campaign):
    [0, holdout) is the holdout, then each variant's share; the rest waits for the winner."""
    contact_id: Any = Contact.id
    bucket = (contact_id * 37 + (campaign.id or 0) * 11) % 100
    holdout = campaign.holdout_percent
    whens: list[tuple[Any, Any]] = [(bucket < holdout, sa.literal(""))] if holdout else []
    edge = holdout
    for v in campaign.variants:
        edge += v["share"]
        whens.append((bucket < edge, sa.literal(v["key"])))
    variant = (
        sa.case(*whens, else_=sa.null())
        if edge < 100
        else sa.case(*whens[:-1], else_=whens[-1][1])
        if len(whens) > 1
        else whens[-1][1]
    )
    return variant, (bucket < holdout) if holdout else sa.false()


def chunk_end(
    session: Session, campaign: Campaign, size: int, *, after: int | None = None
) -> int | None:
    """The id of the `size`-th store contact after `after` (default: the snapshot checkpoint);
    None when fewer remain. A chunk is a range of the store's contact ids, so each turn reads a
    bounded slice of `contact` (never the rest of the table sorted again) whatever the
    audience's density."""
    contact_id: Any = Contact.id
    store_id: Any = Contact.store_id
    start = campaign.snapshot_checkpoint if after is None else after
    end = session.execute(
        sa.select(contact_id)
        .where(store_id == campaign.store_id, contact_id > start)
        .order_by(contact_id)
        .offset(size - 1)
        .limit(1)
    ).scalar()
    return None if end is None else int(end)


def audience_ranges(
    session: Session,
    campaign: Campaign,
    settings: StoreSettings,
    ranges: list[tuple[int, int | None]],
) -> list[Any]:
    """The audience among the store contacts of each id range (after, upto], as launched: a
    SELECT each of (campaign_id, contact_id, variant, holdout, due_at, personal fields…)."""
    ctx = context_for(settings)
    ctx = type(ctx)(
        store_id=ctx.store_id,
        currency=ctx.currency,
        now=campaign.audience_as_of or ctx.now,
        abandoned_idle=ctx.abandoned_idle,
    )
    audience = (
        Audience(builtin=campaign.builtin_segment, rule=None)
        if campaign.builtin_segment
        else Audience(rule=campaign.audience_rule)
    )
    where = audience_condition(session, settings=settings, audience=audience, ctx=ctx)
    contact_id: Any = Contact.id
    variant, holdout = _assignment(campaign)
    columns = (
        sa.literal(campaign.id).label("campaign_id"),
        contact_id.label("contact_id"),
        variant.label("variant"),
        holdout.label("holdout"),
        _due_expr(session, campaign, settings).label("due_at"),
        *(getattr(Contact, f).label(f) for f in PERSONAL_FIELDS),
    )
    selects = []
    for after, upto in ranges:
        bounds = [contact_id > after]
        if upto is not None:
            bounds.append(contact_id <= upto)
        selects.append(sa.select(*columns).where(where, *bounds))
    return selects


def audience_chunk(
    session: Session, campaign: Campaign, settings: StoreSettings, size: int
) -> tuple[Any, int | None, int | None]:
    """The audience among the next `size` store contacts, as launched (`audience_ranges`), the
    chunk's last contact id (None: to the end) and the plan's row limit (None: none)."""
    end = chunk_end(session, campaign, size)
    (chunk,) = audience_ranges(session, campaign, settings, [(campaign.snapshot_checkpoint, end)])
    plan_limit = CAMPAIGN_MAX_RECIPIENTS[settings.plan]
    limit = None if plan_limit is None else max(0, plan_limit - campaign.recipients_total)
    if limit is not None:  # the plan's first N of the audience, by contact id
        contact_id: Any = Contact.id
        chunk = chunk.order_by(contact_id).limit(limit)
    return chunk, end, limit
