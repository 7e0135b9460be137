"""The store's pickup point: where a LOCATION-header template points when it maps
`pickup_location` (kept in the settings' `extra`, so no table changes)."""

from __future__ import annotations

import math
from typing import Any

from sqlmodel import Session

from plugin import clock
from plugin.errors import FieldError, InvalidInput
from plugin.stores.models import StoreSettings
from plugin.stores.service import get_settings, set_extra_key

KEY = "pickup_point"
NAME_LIMIT = 100  # what WhatsApp shows under the map; longer is cut by the phone anyway
ADDRESS_LIMIT = 300


def pickup_point(settings: StoreSettings) -> dict[str, Any] | None:
    """{"latitude", "longitude", "name", "address"} or None when the store set none."""
    extra = settings.extra if isinstance(settings.extra, dict) else {}
    point = extra.get(KEY)
    return dict(point) if isinstance(point, dict) else None


def _errors(latitude: float, longitude: float, name: str, address: str) -> list[FieldError]:
    errors = []
    if not (math.isfinite(latitude) and -90 <= latitude <= 90):
        errors.append(
            FieldError(
                "latitude",
                "OUT_OF_RANGE",
                "Latitude is between -90 and 90.",
                "Enlem -90 ile 90 arasındadır.",
            )
        )
    if not (math.isfinite(longitude) and -180 <= longitude <= 180):
        errors.append(
            FieldError(
                "longitude",
                "OUT_OF_RANGE",
                "Longitude is between -180 and 180.",
                "Boylam -180 ile 180 arasındadır.",
            )
        )
    for field, value, limit, en, tr in (
        ("name", name, NAME_LIMIT, "name", "ad"),
        ("address", address, ADDRESS_LIMIT, "address", "adres"),
    ):
        if not value or len(value) > limit:
            errors.append(
                FieldError(
                    field,
                    "INVALID",
                    f"Give the pickup point's {en} (1 to {limit} characters).",
                    f"Teslim noktasının {tr} bilgisini girin (1 ile {limit} karakter).",
                )
            )
    return errors


def set_pickup_point(
    session: Session,
    *,
    store_id: int,
    latitude: float,
    longitude: float,
    name: str,
    address: str,
) -> dict[str, Any]:
    """Save the pickup point; `InvalidInput` (nothing changed) when a value is out of range."""
    name, address = " ".join(name.split()), " ".join(address.split())
    errors = _errors(latitude, longitude, name, address)
    if errors:
        raise InvalidInput(errors)
    row = get_settings(session, store_id)
    point = {"latitude": latitude, "longitude": longitude, "name": name, "address": address}
    set_extra_key(session, store_id, KEY, point)
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    return point


def clear_pickup_point(session: Session, *, store_id: int) -> None:
    set_extra_key(session, store_id, KEY, None)
