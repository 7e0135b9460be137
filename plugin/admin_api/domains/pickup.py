"""The store's pickup point: where a LOCATION-header template mapped to `pickup_location`
points (plugin.stores.pickup decides; this translates)."""

from __future__ import annotations

import strawberry

from plugin.admin_api.context import Info
from plugin.admin_api.errors import AdminError, admin_errors
from plugin.admin_api.permissions import Allowed
from plugin.errors import InvalidInput
from plugin.stores import pickup
from plugin.stores.service import get_settings


@strawberry.type(description="Where a LOCATION header mapped to pickup_location points.")
class PickupPoint:
    latitude: float
    longitude: float
    name: str
    address: str


@strawberry.type
class PickupPointPayload:
    pickup_point: PickupPoint | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=[Allowed],
        description="The store's pickup point: what a LOCATION header mapped to "
        "pickup_location shows (null until set).",
    )
    def pickup_point(self, info: Info) -> PickupPoint | None:
        point = pickup.pickup_point(get_settings(info.context.session, info.context.store_id))
        return PickupPoint(**point) if point else None


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[Allowed],
        description="Set the store's pickup point (latitude, longitude, name, address).",
    )
    def set_pickup_point(
        self, info: Info, latitude: float, longitude: float, name: str, address: str
    ) -> PickupPointPayload:
        ctx = info.context
        try:
            point = pickup.set_pickup_point(
                ctx.session,
                store_id=ctx.store_id,
                latitude=latitude,
                longitude=longitude,
                name=name,
                address=address,
            )
        except InvalidInput as exc:
            return PickupPointPayload(errors=admin_errors(exc))
        return PickupPointPayload(pickup_point=PickupPoint(**point))

    @strawberry.mutation(
        permission_classes=[Allowed],
        description="Forget the store's pickup point: templates mapped to pickup_location then "
        "cannot be sent until it is set again (the flow's alert says so).",
    )
    def clear_pickup_point(self, info: Info) -> PickupPointPayload:
        pickup.clear_pickup_point(info.context.session, store_id=info.context.store_id)
        return PickupPointPayload()
