"""A cost in the store's currency, only at the rate the merchant set and dated.

Costs are priced with rate cards in USD (ratecards.CARD_CURRENCY), whatever currency Meta bills
the account in (plugin/pricing/billing.py); Ulak has no exchange rate of its own and never
guesses one. A merchant who wants to see costs in the store's currency (`default_currency`)
sets a rate: 1 unit of the card's currency = `rate` units of the store's currency, on a day
not in the future. The admin then shows both amounts
and the rate's date; without a rate, or after either currency changed, it converts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from plugin import clock
from plugin.errors import FieldError, InvalidInput
from plugin.pricing.ratecards import CARD_CURRENCY
from plugin.stores.models import StoreSettings
from plugin.stores.service import get_settings

MAX_RATE = Decimal("1000000")  # more than any currency pair quotes; a typo beyond it
DECIMALS = 6  # the column's scale


@dataclass(frozen=True)
class ExchangeRate:
    """1 `base` = `rate` `quote`, as the merchant set it for `on`."""

    rate: Decimal
    on: date
    base: str
    quote: str


@dataclass(frozen=True)
class Converted:
    """An amount of the billing currency in the store's currency, with the rate used."""

    amount: Decimal
    currency: str
    rate: ExchangeRate


def exchange_rate(settings: StoreSettings) -> ExchangeRate | None:
    """The rate the merchant set, while it still joins today's two currencies; else None."""
    rate, on = settings.exchange_rate, settings.exchange_rate_date
    if rate is None or on is None or rate <= 0:
        return None
    base, quote = settings.exchange_rate_base, settings.exchange_rate_quote
    if base != CARD_CURRENCY or quote != settings.default_currency:
        return None
    return ExchangeRate(Decimal(rate), on, base, quote)


def convert(settings: StoreSettings, amount: Decimal) -> Converted | None:
    """`amount` (the card's currency) in the store's currency at the merchant's rate; None when
    no rate is set or the two currencies are the same."""
    rate = exchange_rate(settings)
    if rate is None or rate.base == rate.quote:
        return None
    return Converted((amount * rate.rate).quantize(Decimal("0.01")), rate.quote, rate)


def _today(settings: StoreSettings) -> date:
    """Today on the store's calendar (a merchant east of UTC may date a rate 'today' first)."""
    try:
        zone = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return clock.now().date()
    return datetime.fromtimestamp(clock.now().timestamp(), zone).date()


def _rate_error(text: str) -> FieldError | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        value = Decimal("NaN")
    if not value.is_finite():
        return FieldError(
            "rate",
            "INVALID",
            "Give the rate as a decimal number, e.g. 34.12.",
            "Kuru ondalık bir sayı olarak girin, örneğin 34.12.",
        )
    if value <= 0 or value > MAX_RATE:
        return FieldError(
            "rate",
            "OUT_OF_RANGE",
            "The rate is a positive number up to 1,000,000.",
            "Kur, en fazla 1.000.000 olan pozitif bir sayıdır.",
        )
    if -value.as_tuple().exponent > DECIMALS:  # type: ignore[operator]  # finite: int exponent
        return FieldError(
            "rate",
            "INVALID",
            f"The rate has at most {DECIMALS} decimal places.",
            f"Kurun en fazla {DECIMALS} ondalık basamağı olabilir.",
        )
    return None


def _errors(settings: StoreSettings, rate: str, on: date | None) -> list[FieldError]:
    errors: list[FieldError] = []
    if CARD_CURRENCY == settings.default_currency:
        errors.append(
            FieldError(
                None,
                "NOT_ALLOWED",
                f"Costs are priced in {CARD_CURRENCY}, the store's own currency: "
                "there is nothing to convert.",
                f"Maliyetler mağazanın kendi para birimi olan {CARD_CURRENCY} ile "
                "hesaplanıyor: çevrilecek bir tutar yok.",
            )
        )
    rate_error = _rate_error(rate)
    if rate_error is not None:
        errors.append(rate_error)
    if on is None:
        errors.append(
            FieldError(
                "rateDate",
                "REQUIRED",
                "Give the date the rate is for.",
                "Kurun geçerli olduğu tarihi girin.",
            )
        )
    elif on > _today(settings):
        errors.append(
            FieldError(
                "rateDate",
                "FUTURE_DATE",
                "The rate's date cannot be in the future: use a rate you already know.",
                "Kurun tarihi gelecekte olamaz: bilinen bir kuru girin.",
            )
        )
    return errors


def set_exchange_rate(
    session: Session, *, store_id: int, rate: str | None, on: date | None
) -> StoreSettings:
    """Set the store's rate (1 card currency = `rate` store currency on `on`), or forget it
    when `rate` is empty. Raises InvalidInput with every problem; nothing changes then."""
    settings = get_settings(session, store_id)
    if rate is None or not rate.strip():
        settings.exchange_rate = settings.exchange_rate_date = None
        settings.exchange_rate_base = settings.exchange_rate_quote = None
    else:
        errors = _errors(settings, rate, on)
        if errors:
            raise InvalidInput(errors)
        settings.exchange_rate = Decimal(rate.strip())
        settings.exchange_rate_date = on
        settings.exchange_rate_base = CARD_CURRENCY
        settings.exchange_rate_quote = settings.default_currency
    settings.updated_at = clock.now()
    session.add(settings)
    session.flush()
    return settings
