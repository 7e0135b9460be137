"""The store's staff test numbers: the only numbers test sends go to (plugin.contacts.staff_numbers
decides; this translates)."""

from __future__ import annotations

import strawberry

from plugin.admin_api.context import Info
from plugin.admin_api.errors import AdminError, admin_errors
from plugin.admin_api.permissions import Allowed
from plugin.contacts import staff_numbers
from plugin.errors import InvalidInput
from plugin.stores.service import get_settings


@strawberry.type
class StaffTestNumbersPayload:
    numbers: list[str] | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=[Allowed],
        description="The store's staff test numbers (E.164): test sends go only to these, at "
        "once and past quiet hours, caps and quota, and record no consent.",
    )
    def staff_test_numbers(self, info: Info) -> list[str]:
        settings = get_settings(info.context.session, info.context.store_id)
        return staff_numbers.staff_test_numbers(settings)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[Allowed],
        description="Replace the store's staff test numbers (normalised with the store's "
        "default region; at most 20).",
    )
    def set_staff_test_numbers(self, info: Info, numbers: list[str]) -> StaffTestNumbersPayload:
        ctx = info.context
        try:
            saved = staff_numbers.set_staff_test_numbers(
                ctx.session, store_id=ctx.store_id, numbers=numbers
            )
        except InvalidInput as exc:
            return StaffTestNumbersPayload(errors=admin_errors(exc))
        return StaffTestNumbersPayload(numbers=saved)
