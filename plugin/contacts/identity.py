"""Who a Saleor payload is about: its phone (billing, then shipping), Saleor user id, email
and name, read once here for customers, checkouts and orders."""

from __future__ import annotations

from dataclasses import dataclass

from plugin.saleor.payloads import Address, Checkout, Customer, Order


@dataclass(frozen=True)
class Identity:
    """What a Saleor object says about the person behind it."""

    phones: tuple[str | None, ...]
    country: str | None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    saleor_user_id: str | None = None
    language_code: str | None = None


def _address_identity(*addresses: Address | None) -> tuple[tuple[str | None, ...], str | None]:
    phones = tuple(a.phone for a in addresses if a is not None)
    country = next((a.country.code for a in addresses if a and a.country), None)
    return phones, country


def _name(*addresses: Address | None) -> tuple[str | None, str | None]:
    for address in addresses:
        if address is not None and (address.first_name or address.last_name):
            return address.first_name or None, address.last_name or None
    return None, None


def identity_of_customer(customer: Customer) -> Identity:
    billing, shipping = customer.default_billing_address, customer.default_shipping_address
    phones, country = _address_identity(billing, shipping)
    first, last = _name(billing, shipping)
    return Identity(
        phones=phones,
        country=country,
        email=customer.email,
        first_name=customer.first_name or first,
        last_name=customer.last_name or last,
        saleor_user_id=customer.id,
        language_code=customer.language_code,
    )


def identity_of_checkout(checkout: Checkout) -> Identity:
    phones, country = _address_identity(checkout.billing_address, checkout.shipping_address)
    first, last = _name(checkout.billing_address, checkout.shipping_address)
    user = checkout.user
    return Identity(
        phones=phones,
        country=country,
        email=checkout.email or (user.email if user else None),
        first_name=first,
        last_name=last,
        saleor_user_id=user.id if user else None,
        language_code=checkout.language_code or (user.language_code if user else None),
    )


def identity_of_order(order: Order) -> Identity:
    phones, country = _address_identity(order.billing_address, order.shipping_address)
    first, last = _name(order.billing_address, order.shipping_address)
    user = order.user
    return Identity(
        phones=phones,
        country=country,
        email=order.user_email or (user.email if user else None),
        first_name=first or (user.first_name if user else None),
        last_name=last or (user.last_name if user else None),
        saleor_user_id=user.id if user else None,
        language_code=order.language_code or (user.language_code if user else None),
    )
