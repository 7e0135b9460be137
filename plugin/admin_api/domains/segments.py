"""Segments: the merchant's saved segments with their sizes, audience previews (a rule, a
built-in or a saved segment), saving and deleting, and contact tags."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
import strawberry
from sqlmodel import col
from strawberry.scalars import JSON

from plugin.admin_api.context import Info
from plugin.admin_api.errors import AdminError, AdminErrorCode, domain_errors, int_id, not_found
from plugin.admin_api.permissions import Allowed
from plugin.contacts.models import Contact
from plugin.errors import InvalidPayload
from plugin.segments import service
from plugin.segments import tags as tag_service
from plugin.segments.builtin import BUILTIN_LABELS
from plugin.segments.compiler import compile_rule
from plugin.segments.models import Segment as SegmentRow
from plugin.segments.rules import InvalidRule
from plugin.stores import service as stores_service
from plugin.stores.plans import PlanLimitError

NO_SEGMENT = ("No such segment.", "Böyle bir segment yok.")


@strawberry.type(description="A merchant's own segment: a name and a rule (docs/segment-rules.md).")
class Segment:
    id: strawberry.ID
    name: str
    rule: JSON
    created_at: datetime
    updated_at: datetime

    @strawberry.field(
        description="Reachable contacts in it now (null if its rule is invalid, or if the "
        "store's segments take longer than the audience budget to count together)."
    )
    async def contact_count(self, info: Info) -> int | None:
        return await info.context.loaders.get("segment_count", _counter(info)).load(int(self.id))

    @classmethod
    def from_row(cls, row: SegmentRow) -> Segment:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            rule=JSON(dict(row.rule or {})),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


def _counter(info: Info) -> Callable[[list[int]], list[int | None]]:
    """Batch: every asked segment's size in ONE select over `contact`."""
    ctx = info.context

    def batch(ids: list[int]) -> list[int | None]:
        rows = (
            {
                r.id: r
                for r in ctx.session.execute(
                    ctx.scoped(sa.select(SegmentRow).where(col(SegmentRow.id).in_(ids)))
                ).scalars()
            }
            if ids
            else {}
        )
        rule_ctx = service.context_for(stores_service.get_settings(ctx.session, ctx.store_id))
        conditions: dict[int, Any] = {}
        for id_, row in rows.items():
            try:
                conditions[id_] = compile_rule(row.rule, rule_ctx)
            except InvalidRule:
                continue
        counts: dict[int, int] = {}
        if conditions:
            columns = [sa.func.count(sa.case((c, 1))).label(f"s{i}") for i, c in conditions.items()]
            try:
                with service.audience_budget(ctx.session):
                    result = ctx.session.execute(
                        sa.select(*columns)
                        .select_from(Contact)
                        .where(service.reachable(ctx.store_id))
                    ).one()
            except service.AudienceTooCostly:
                return [None for _ in ids]  # the list stays usable; each preview says why
            counts = {i: int(n) for i, n in zip(conditions, result, strict=True)}
        return [counts.get(i) for i in ids]

    return batch


@strawberry.type(description="A contact in a preview; the phone is masked.")
class AudienceContact:
    id: strawberry.ID
    first_name: str | None
    last_name: str | None
    phone: str | None
    country: str | None
    locale: str | None
    orders_count: int | None
    last_order_at: datetime | None

    @strawberry.field
    def name(self) -> str | None:
        return " ".join(p for p in (self.first_name, self.last_name) if p and p.strip()) or None


@strawberry.type(
    description="An audience's size and its first 20 contacts; `errors` when the "
    "rule is invalid (field = rule path) or the plan lacks the feature."
)
class SegmentPreview:
    count: int
    sample: list[AudienceContact]
    errors: list[AdminError]


@strawberry.type
class BuiltinSegment:
    key: str
    label: str
    label_tr: str


@strawberry.type
class SegmentPayload:
    segment: Segment | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type
class TagsPayload:
    tags: list[str] = strawberry.field(default_factory=list)
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type
class TagCsvRow:
    row: int
    status: str
    message: str
    message_tr: str
    tags: list[str]


@strawberry.type
class ImportTagsPayload:
    tagged: int = 0
    failed: int = 0
    rows: list[TagCsvRow] = strawberry.field(default_factory=list)
    errors: list[AdminError] = strawberry.field(default_factory=list)


def _audience(
    rule: JSON | None, builtin: str | None, segment_id: strawberry.ID | None
) -> service.Audience:
    return service.Audience(
        builtin=builtin,
        segment_id=int_id(segment_id) if segment_id is not None else None,
        rule=rule if rule is None or isinstance(rule, dict) else {"invalid": rule},
    )


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[Allowed], description="By name.")
    def segments(self, info: Info) -> list[Segment]:
        ctx = info.context
        return [
            Segment.from_row(r) for r in service.list_segments(ctx.session, store_id=ctx.store_id)
        ]

    @strawberry.field(permission_classes=[Allowed])
    def segment(self, info: Info, id: strawberry.ID) -> Segment | None:
        row = info.context.get_owned(SegmentRow, int_id(id))
        return Segment.from_row(row) if row is not None else None

    @strawberry.field(permission_classes=[Allowed])
    def builtin_segments(self) -> list[BuiltinSegment]:
        return [
            BuiltinSegment(key=k.value, label=en, label_tr=tr)
            for k, (en, tr) in BUILTIN_LABELS.items()
        ]

    @strawberry.field(
        permission_classes=[Allowed],
        description="Give exactly one of `rule`, `builtin` (a builtinSegments key) or `segmentId`.",
    )
    def segment_preview(
        self,
        info: Info,
        rule: JSON | None = None,
        builtin: str | None = None,
        segment_id: strawberry.ID | None = None,
    ) -> SegmentPreview:
        ctx = info.context
        try:
            found = service.preview_audience(
                ctx.session, store_id=ctx.store_id, audience=_audience(rule, builtin, segment_id)
            )
        except (InvalidPayload, PlanLimitError) as exc:
            return SegmentPreview(count=0, sample=[], errors=domain_errors(exc, "rule"))
        return SegmentPreview(
            count=found["count"],
            sample=[
                AudienceContact(
                    id=strawberry.ID(str(c["id"])),
                    first_name=c["first_name"],
                    last_name=c["last_name"],
                    phone=c["phone"],
                    country=c["country"],
                    locale=c["locale"],
                    orders_count=c["orders_count"],
                    last_order_at=c["last_order_at"],
                )
                for c in found["sample"]
            ],
            errors=[],
        )


def _save(info: Info, name: str, rule: JSON, segment_id: int | None) -> SegmentPayload:
    ctx = info.context
    if segment_id is not None and ctx.get_owned(SegmentRow, segment_id) is None:
        return SegmentPayload(errors=not_found("id", *NO_SEGMENT))
    try:
        with ctx.session.begin_nested():  # a duplicate name leaves the request usable
            row = service.save_segment(
                ctx.session,
                store_id=ctx.store_id,
                name=name,
                rule=rule if isinstance(rule, dict) else {"invalid": rule},
                segment_id=segment_id,
            )
    except sa.exc.IntegrityError:
        return SegmentPayload(
            errors=[
                AdminError(
                    field="name",
                    code=AdminErrorCode.UNIQUE,
                    message="A segment with this name exists.",
                    message_tr="Bu adla bir segment zaten var.",
                )
            ]
        )
    except (InvalidPayload, PlanLimitError) as exc:
        field = "name" if exc.code == "INVALID_NAME" else "rule"
        return SegmentPayload(errors=domain_errors(exc, field))
    return SegmentPayload(segment=Segment.from_row(row))


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[Allowed], description="Silver and up.")
    def create_segment(self, info: Info, name: str, rule: JSON) -> SegmentPayload:
        return _save(info, name, rule, None)

    @strawberry.mutation(permission_classes=[Allowed])
    def update_segment(
        self, info: Info, id: strawberry.ID, name: str, rule: JSON
    ) -> SegmentPayload:
        return _save(info, name, rule, int_id(id))

    @strawberry.mutation(permission_classes=[Allowed])
    def delete_segment(self, info: Info, id: strawberry.ID) -> SegmentPayload:
        ctx = info.context
        row = ctx.get_owned(SegmentRow, int_id(id))
        if row is None:
            return SegmentPayload(errors=not_found("id", *NO_SEGMENT))
        gone = Segment.from_row(row)
        service.delete_segment(ctx.session, store_id=ctx.store_id, segment_id=row.id)  # type: ignore[arg-type]
        return SegmentPayload(segment=gone)

    @strawberry.mutation(permission_classes=[Allowed], description="Returns the tags added.")
    def add_contact_tags(
        self, info: Info, contact_id: strawberry.ID, tags: list[str]
    ) -> TagsPayload:
        return _tagging(
            info,
            contact_id,
            lambda ctx, cid: tag_service.add_tags(
                ctx.session, store_id=ctx.store_id, contact_id=cid, tags=tags
            ),
        )

    @strawberry.mutation(permission_classes=[Allowed], description="Returns the tag if removed.")
    def remove_contact_tag(self, info: Info, contact_id: strawberry.ID, tag: str) -> TagsPayload:
        return _tagging(
            info,
            contact_id,
            lambda ctx, cid: (
                [tag]
                if tag_service.remove_tag(
                    ctx.session, store_id=ctx.store_id, contact_id=cid, tag=tag
                )
                else []
            ),
        )

    @strawberry.mutation(
        permission_classes=[Allowed],
        description='CSV with a header: "phone" or "email", and "tags" (comma-separated).',
    )
    def import_tags_csv(self, info: Info, csv: str) -> ImportTagsPayload:
        ctx = info.context
        try:
            report = tag_service.import_tags_csv(ctx.session, store_id=ctx.store_id, data=csv)
        except (InvalidPayload, PlanLimitError) as exc:
            return ImportTagsPayload(errors=domain_errors(exc, "csv"))
        return ImportTagsPayload(
            tagged=report.tagged,
            failed=report.failed,
            rows=[
                TagCsvRow(
                    row=r.row,
                    status=r.status,
                    message=r.message_en,
                    message_tr=r.message_tr,
                    tags=list(r.tags),
                )
                for r in report.rows
            ],
        )


def _tagging(info: Info, contact_id: strawberry.ID, action: Any) -> TagsPayload:
    ctx = info.context
    contact = ctx.get_owned(Contact, int_id(contact_id))
    if contact is None:
        return TagsPayload(errors=not_found("contactId", "No such contact.", "Böyle bir kişi yok."))
    try:
        return TagsPayload(tags=list(action(ctx, contact.id)))
    except (InvalidPayload, PlanLimitError) as exc:
        return TagsPayload(errors=domain_errors(exc, "tags"))
