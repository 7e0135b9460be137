"""The contacts list the admin pages through: a total, and filters by marketing consent, tag,
segment and country; and a profile's activity (its orders and link clicks).

Filters reuse their owners: consent is the consent read model (`plugin.consent.state`), tags,
country and segments are the segment rule compiler (`plugin.segments.rules`), so "has tag VIP"
here matches exactly the contacts a campaign to that tag would."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
import strawberry
from sqlmodel import col, select

from plugin.admin_api.context import Info
from plugin.admin_api.domains.contacts import NEWEST_FIRST, Contact
from plugin.admin_api.errors import TooCostly, int_id
from plugin.admin_api.pagination import Edge, PageInfo, paginate
from plugin.admin_api.permissions import Allowed
from plugin.analytics.models import LinkClick
from plugin.consent import state as consent_state
from plugin.consent.models import ConsentAction, Purpose
from plugin.contacts import service as contacts_service
from plugin.contacts.models import Contact as ContactRow
from plugin.contacts.models import ContactOrder
from plugin.segments import service as segments_service
from plugin.segments.compiler import compile_rule
from plugin.stores import service as stores_service

RECENT_ORDERS = 20


@strawberry.enum(description="Marketing consent as the one read model decides it now.")
class ConsentFilter(Enum):
    GRANTED = "granted"
    NOT_GRANTED = "not_granted"
    REVOKED = "revoked"
    NONE = "none"


@strawberry.input(description="Every given filter must hold (AND).")
class ContactFilter:
    search: str | None = strawberry.field(
        default=None, description="The number, the email or a name."
    )
    consent: ConsentFilter | None = None
    tag: str | None = strawberry.field(default=None, description="Has this tag (any case).")
    segment_id: strawberry.ID | None = strawberry.field(
        default=None, description="Matches this saved segment's rule."
    )
    country: str | None = strawberry.field(default=None, description="ISO code, e.g. TR.")


@strawberry.type(description="A page of contacts and how many match in all.")
class ContactList:
    total_count: int
    edges: list[Edge[Contact]]
    page_info: PageInfo


@strawberry.type(description="One order of the contact (as Saleor sent it).")
class ContactOrderItem:
    order_id: str
    created_at: datetime
    total: str = strawberry.field(description="Decimal text.")
    currency: str
    status: str
    cancelled: bool


@strawberry.type(description="What the contact did: recent orders and tracked-link clicks.")
class ContactActivity:
    orders: list[ContactOrderItem] = strawberry.field(description="Newest first, at most 20.")
    clicks: int = strawberry.field(description="Counted clicks (bots and previews left out).")
    last_click_at: datetime | None


def _consent_condition(value: ConsentFilter) -> Any:
    action = sa.func.coalesce(consent_state.effective_action(Purpose.MARKETING), "")
    if value is ConsentFilter.GRANTED:
        return action == ConsentAction.GRANTED.value
    if value is ConsentFilter.NOT_GRANTED:
        return action != ConsentAction.GRANTED.value
    if value is ConsentFilter.REVOKED:
        return action == ConsentAction.REVOKED.value
    return action == ""


def _filtered(info: Info, f: ContactFilter | None) -> Any:
    """The store's contacts under `f`; an unknown (or another store's) segment is NOT_FOUND."""
    ctx = info.context
    f = f or ContactFilter()
    stmt = contacts_service.contacts_query(ctx.session, store_id=ctx.store_id, search=f.search)
    conditions: list[Any] = []
    if f.consent is not None:
        conditions.append(_consent_condition(f.consent))
    if f.tag and f.tag.strip():
        conditions.append({"field": "tags", "op": "has", "value": f.tag.strip()})
    if f.country and f.country.strip():
        conditions.append({"field": "country", "op": "eq", "value": f.country.strip().upper()})
    if f.segment_id is not None:
        segment = segments_service.get_segment(
            ctx.session, store_id=ctx.store_id, segment_id=int_id(f.segment_id)
        )
        conditions.append(segment.rule)
    if conditions:
        rule_ctx = segments_service.context_for(
            stores_service.get_settings(ctx.session, ctx.store_id)
        )
        for c in conditions:
            stmt = stmt.where(compile_rule(c, rule_ctx) if isinstance(c, dict) else c)
    return ctx.scoped(stmt)


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=[Allowed],
        description="Newest first, with the total matching `filter`. Erased contacts are not "
        "listed.",
    )
    def contact_list(
        self,
        info: Info,
        filter: ContactFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ContactList:
        stmt = _filtered(info, filter)
        count = stmt.with_only_columns(sa.func.count(col(ContactRow.id))).order_by(None)
        try:  # a consent or segment filter reads per contact: bounded like a segment count
            with segments_service.audience_budget(info.context.session) as deadline:
                total = info.context.session.execute(count).scalar_one()
                deadline.next_statement()
                page = paginate(
                    info.context,
                    stmt,
                    order=NEWEST_FIRST,
                    node=Contact.from_row,
                    first=first,
                    after=after,
                    last=last,
                    before=before,
                )
        except segments_service.AudienceTooCostly as exc:
            raise TooCostly(exc) from exc
        return ContactList(total_count=int(total), edges=page.edges, page_info=page.page_info)

    @strawberry.field(
        permission_classes=[Allowed],
        description="The contact's recent orders and link clicks (null for an unknown contact).",
    )
    def contact_activity(self, info: Info, contact_id: strawberry.ID) -> ContactActivity | None:
        ctx = info.context
        contact = ctx.get_owned(ContactRow, int_id(contact_id))
        if contact is None:
            return None
        orders = ctx.session.exec(
            select(ContactOrder)
            .where(
                col(ContactOrder.store_id) == ctx.store_id,
                col(ContactOrder.contact_id) == contact.id,
            )
            .order_by(col(ContactOrder.created_at).desc(), col(ContactOrder.id).desc())
            .limit(RECENT_ORDERS)
        ).all()
        clicks, last_at = ctx.session.execute(
            sa.select(sa.func.count(), sa.func.max(col(LinkClick.clicked_at))).where(
                col(LinkClick.store_id) == ctx.store_id,
                col(LinkClick.contact_id) == contact.id,
                col(LinkClick.filtered).is_(False),
            )
        ).one()
        return ContactActivity(
            orders=[
                ContactOrderItem(
                    order_id=o.order_id,
                    created_at=o.created_at,
                    total=str(o.total),
                    currency=o.currency,
                    status=o.status,
                    cancelled=o.cancelled,
                )
                for o in orders
            ],
            clicks=int(clicks),
            last_click_at=last_at,
        )
