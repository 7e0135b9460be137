"""Helpers for the admin API tests: dashboard tokens like Saleor's, GraphQL over HTTP."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from tests.support import REAL_APP_ID, SigningKey

ALL_PERMISSIONS = ["MANAGE_APPS", "MANAGE_USERS", "MANAGE_ORDERS", "MANAGE_CHECKOUTS"]


def dashboard_claims(
    api_url: str,
    *,
    permissions: list[str] | None = None,
    app: str = REAL_APP_ID,
    is_staff: bool = True,
    expires_in: int = 300,
    **extra: Any,
) -> dict[str, Any]:
    """Claims shaped like ../shared/saleor/app-access-token.claims.json."""
    now = int(time.time())
    return {
        "iat": now,
        "owner": "saleor",
        "iss": api_url,
        "exp": now + expires_in,
        "token": "user-key",
        "email": "admin@example.com",
        "type": "thirdparty",
        "user_id": "VXNlcjoyMQ==",
        "is_staff": is_staff,
        "app": app,
        "permissions": ["MANAGE_ORDERS", "MANAGE_CHECKOUTS", "MANAGE_USERS"],
        "user_permissions": ALL_PERMISSIONS if permissions is None else permissions,
        **extra,
    }


def token_for(key: SigningKey, api_url: str, **kwargs: Any) -> str:
    return key.token(dashboard_claims(api_url, **kwargs))


def gql(
    client: TestClient,
    token: str | None,
    query: str,
    variables: dict[str, Any] | None = None,
) -> Any:
    """POST /graphql; returns the httpx response."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


def ok(client: TestClient, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    """Run and assert no errors; returns `data`."""
    response = gql(client, token, query, variables)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


def seed_store_rows(
    session: Any,
    store_id: int,
    *,
    accounts: int = 1,
    inbox: int = 1,
    batch: int = 0,
    contacts: int = 1,
    messages: int = 1,
    templates: int = 1,
) -> int:
    """Rows of every type the admin API reads for one store: accounts with a delivered message
    each, inbox events, `contacts` more contacts with a consent fact each, `messages` inbound
    and `messages` suppressed outbound messages of the first contact, `templates` templates.
    Returns the first contact's id."""
    from datetime import timedelta

    from plugin import clock, crypto
    from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
    from plugin.contacts.models import Contact
    from plugin.delivery.models import (
        InboundMessage,
        MessageKind,
        MessagePurpose,
        MessageStatus,
        OutboundMessage,
    )
    from plugin.inbox.models import InboxEvent, InboxSource, InboxStatus
    from plugin.stores.service import get_settings
    from plugin.stores.usage import reserve
    from plugin.templates.models import MessageTemplate, TemplateCategory
    from plugin.whatsapp.accounts import WhatsAppAccount

    get_settings(session, store_id)
    now = clock.now()
    contact = Contact(store_id=store_id, phone_e164=f"+905550{batch:02d}{store_id:04d}")
    session.add(contact)
    session.flush()
    for i in range(accounts):
        account = WhatsAppAccount(
            store_id=store_id,
            phone_number_id=f"{store_id}{batch or ''}{i:04d}",
            waba_id=f"waba{store_id}",
            display_phone=f"+90 555 {store_id} {i}",
            access_token_encrypted=crypto.encrypt(f"secret-token-{store_id}-{i}"),
            is_default=i == 0 and not batch,
        )
        session.add(account)
        session.flush()
        session.add(
            OutboundMessage(
                store_id=store_id,
                contact_id=contact.id,
                account_id=account.id,
                purpose=MessagePurpose.TRANSACTIONAL,
                kind=MessageKind.ORDER_UPDATE,
                idempotency_key=f"k-{store_id}-{batch}-{i}",
                status=MessageStatus.DELIVERED,
                sent_at=now,
            )
        )
    # the plan's counter (what planUsage shows): one marketing unit per account this month
    reserve(session=session, store_id=store_id, want=accounts, now=now)
    for i in range(inbox):
        session.add(
            InboxEvent(
                store_id=store_id,
                source=InboxSource.SALEOR,
                event="order_created",
                dedupe_key=f"{store_id}-{batch}-{i}",
                payload="{}",
                status=InboxStatus.PROCESSED if i % 2 else InboxStatus.FAILED,
                received_at=now - timedelta(seconds=i),
            )
        )
    for i in range(contacts):
        other = Contact(
            store_id=store_id,
            phone_e164=f"+90554{batch}{store_id % 100:02d}{i:04d}",
            first_name=f"Name{i}",
            email=f"c{i}-{batch}@s{store_id}.example",
            created_at=now - timedelta(seconds=i),
        )
        session.add(other)
        session.flush()
        session.add(
            ConsentEvent(
                store_id=store_id,
                contact_id=other.id,
                purpose=Purpose.MARKETING,
                action=ConsentAction.GRANTED,
                source=ConsentSource.ADMIN,
                evidence={"seed": i},
            )
        )
    for i in range(messages):
        session.add(
            InboundMessage(
                store_id=store_id,
                contact_id=contact.id,
                wamid=f"wamid.in.{store_id}.{batch}.{i}",
                type="text",
                text=f"question {i}",
                received_at=now - timedelta(minutes=i),
            )
        )
        session.add(
            OutboundMessage(
                store_id=store_id,
                contact_id=contact.id,
                purpose=MessagePurpose.MARKETING,
                kind=MessageKind.CAMPAIGN,
                idempotency_key=f"s-{store_id}-{batch}-{i}",
                status=MessageStatus.SUPPRESSED,
                status_reason="quiet_hours",
                created_at=now - timedelta(minutes=i, seconds=30),
            )
        )
    for i in range(templates):
        session.add(
            MessageTemplate(
                store_id=store_id,
                name=f"seed_{batch}_{i}",
                language="tr",
                category=TemplateCategory.UTILITY,
                components=[{"type": "BODY", "text": f"Merhaba {{{{1}}}} {i}"}],
                variable_mapping={"body": ["first_name"]},
                updated_at=now - timedelta(seconds=i),
            )
        )
    session.commit()
    assert contact.id is not None
    return contact.id
