"""Acting on a unit of work's WhatsApp webhooks together (issue 21's soak: status webhooks are
most of the worker's events): the same database outcome and the same status per webhook as
acting on them one at a time, and a small constant number of statements for a batch of
status webhooks.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plugin import clock
from plugin.db import get_engine
from plugin.delivery.models import MessageKind
from plugin.inbox.models import InboxStatus
from plugin.saleor.models import Store, StoreStatus
from tests.support import QueryCounter
from tests.test_inbox_batch import _batched, _one_at_a_time
from tests.whatsapp_world import (
    PERIOD_USED,
    World,
    account_update,
    campaign_statuses,
    make_world,
    record,
    ref_of,
    sample_status,
    sample_text,
    sandbox_status,
)

pytestmark = pytest.mark.sqlite

# Statements for a batch of 100 status-only webhooks: lock and read the rows, the store, its
# numbers, the messages, their UPDATE, the quota and rollup marks, the contacts' user ids and
# the rows' outcomes (a dozen on both backends).
STATUS_BATCH_BOUND = 15
ANSWERS = (MessageKind.SERVICE_REPLY.value, MessageKind.OPTIN_REQUEST.value)


def _rows(conn: sa.Connection, sql: str, world: World) -> list[tuple[Any, ...]]:
    """Rows with the store's wamid prefix taken out (each store has its own wamids)."""
    out = []
    for row in conn.execute(sa.text(sql), {"s": world.store_id, "t": f"{world.tag}.%"}):
        values = [_same_for_both(world, v) for v in tuple(row)]
        if "idempotency_key" in sql and values[2] in ANSWERS:
            values[0] = values[0].split(":", 1)[0]  # a consent answer's key names row ids
        out.append(tuple(values))
    return sorted(out, key=repr)


def _same_for_both(world: World, value: Any) -> Any:
    if isinstance(value, str) and value.startswith("{"):  # JSON as SQLite hands it back
        value = json.loads(value)
    if isinstance(value, str):
        return value.replace(f"{world.tag}.", "*.")
    if isinstance(value, dict):  # a pending status: the store is the world's
        return repr(
            sorted((k, _same_for_both(world, v)) for k, v in value.items() if k != "store_id")
        )
    return value


def outcome(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """What the webhooks wrote, compared by what the rows stand for; instants the app stamps
    itself are compared as set or not, instants Meta reported as they are."""
    who = "(SELECT c.phone_e164 FROM contact c WHERE c.id = {}.contact_id)"
    with get_engine().connect() as conn:
        return {
            "outbox": _rows(
                conn,
                f"SELECT idempotency_key, {who.format('m')}, kind, status, status_reason, wamid,"
                " error_code, error_message, pricing_category, pricing_type, billable,"
                " quota_period, sent_at, delivered_at, read_at, failed_at, lease_until"
                " FROM outbound_message m WHERE store_id = :s",
                world,
            ),
            "pending": _rows(
                conn,
                "SELECT wamid, " + '"update"' + " FROM delivery_pending_status WHERE wamid LIKE :t",
                world,
            ),
            "usage": _rows(conn, "SELECT period, used FROM plan_usage WHERE store_id = :s", world),
            "dirty": _rows(conn, "SELECT day FROM analytics_dirty_day WHERE store_id = :s", world),
            "contacts": _rows(
                conn,
                "SELECT phone_e164, bsuid, wa_id, last_inbound_at, undeliverable_at IS NOT NULL,"
                " marketing_limited_at IS NOT NULL FROM contact WHERE store_id = :s",
                world,
            ),
            "consent": _rows(
                conn,
                f"SELECT {who.format('e')}, purpose, action, source FROM consent_event e"
                " WHERE store_id = :s",
                world,
            ),
            "inbound": _rows(
                conn,
                f"SELECT wamid, type, text, {who.format('i')} FROM inbound_message i"
                " WHERE store_id = :s",
                world,
            ),
            "accounts": _rows(
                conn,
                "SELECT status, quality_rating FROM whatsapp_account WHERE store_id = :s",
                world,
            ),
            "templates": _rows(
                conn,
                "SELECT name, language, status FROM message_template WHERE store_id = :s",
                world,
            ),
            "inbox": [
                tuple(r)
                for r in conn.execute(
                    sa.text(
                        "SELECT status, error IS NOT NULL, attempts FROM inbox_event"
                        " WHERE store_id = :s ORDER BY id"
                    ),
                    {"s": world.store_id},
                )
            ],
        }


def _mixed(world: World, at: int) -> list[bytes]:
    """A campaign's statuses with what else arrives among them: Meta's captured shapes (PMP and
    CBP pricing, BSUIDs, failures), a status before its send result, a send known only by its
    callback ref, a STOP, a failure and a repriced status among a message's other statuses, a
    status of another store's number, a body that does not parse, redeliveries."""
    w = world.wamids
    tag = world.tag
    out = [
        sample_status(world, "status_sent_pmp", w[0], 0, at),
        sample_status(world, "status_sent_cbp_legacy", w[1], 0, at + 1),
        sample_status(world, "status_delivered_bsuid", w[0], 0, at + 2),
        sample_status(world, "status_delivered_cbp_legacy", w[1], 0, at + 3),
        sample_status(world, "status_delivered_bsuid", f"{tag}.early", 1, at + 4),  # not sent yet
        sample_status(world, "status_read_cbp_legacy", w[1], 0, at + 5),
        sample_status(world, "status_failed_131047", w[2], 1, at + 6),
        sample_status(world, "status_delivered_cbp_legacy", w[2], 1, at + 7),  # after its failure
        sample_status(world, "status_delivered_bsuid", f"{tag}.adopted", 5, at + 8),  # no ref yet
        sample_status(
            world,
            "status_sent_with_biz_opaque_callback_data",
            f"{tag}.adopted",
            5,
            at + 9,
            ref=ref_of(world),
            billable=True,
            category="marketing",
        ),
        sample_status(world, "status_sent_pmp", w[4], 2, at + 10),
        sample_status(
            world,
            "status_sent_pmp",
            w[4],
            2,
            at + 11,
            status="delivered",
            type="free_entry_point",
            billable=False,
        ),  # repriced: free, unit back
        sample_text(world, f"{tag}.in.1", 3, at + 12, "STOP"),
        sample_status(world, "status_sent_pmp", w[6], 3, at + 13),  # after the STOP
        sample_status(world, "status_failed_130472", w[8], 4, at + 14),
        sample_status(world, "status_sent_pmp", w[9], 4, at + 15, pnid="0000"),  # not its number
        b'{"object": "whatsapp_business_account", "entry": "not a list"}',
        sample_status(world, "status_failed_131047", w[10], 5, at + 16),
        sample_status(world, "status_sent_pmp", w[10], 5, at + 17),  # sent after its failure
        sample_text(world, f"{tag}.in.2", 6, at + 18, "Merhaba, siparişim nerede?"),
        sample_status(world, "status_delivered_bsuid", w[0], 0, at + 19),  # again, later
    ]
    out += campaign_statuses(world, 40, at + 20)
    out.append(sample_status(world, "status_read_cbp_legacy", w[12], 6, at + 200))
    out.append(sandbox_status(world, w[14], 7, "failed", at + 201, error=131049))
    out.append(sandbox_status(world, w[14], 7, "sent", at + 202))
    out.append(sandbox_status(world, w[16], 8, "failed", at + 203, error=131026))
    # a failure that suspends the number (an UPDATE), then Meta lifting a ban: the lifting
    # reads the number as suspended, as it would alone
    out.append(sandbox_status(world, w[18], 9, "failed", at + 204, error=131031))
    out.append(account_update(world, "ACCOUNT_UPDATE", "REINSTATE"))
    out.append(sandbox_status(world, w[18], 9, "delivered", at + 205))
    return out


def _both_ways(session: Session, bodies_of: Any, size: int) -> tuple[World, World]:
    alone, together = make_world(session, "wa-a"), make_world(session, "wa-b")
    at = int(clock.now().timestamp()) - 3600
    alone_ids = record(session, alone, bodies_of(alone, at))
    together_ids = record(session, together, bodies_of(together, at))
    assert len(alone_ids) == len(together_ids)
    _one_at_a_time(alone_ids)
    _batched(together_ids, size)
    return alone, together


@pytest.mark.parametrize("size", [100, 7])
def test_a_batch_of_whatsapp_webhooks_leaves_the_same_database_as_one_at_a_time(
    client: Any, session: Session, size: int
) -> None:
    # given the same webhooks for two like stores: statuses with a STOP, a customer's
    # question, failures, a status before its send result, another number's and a bad body
    # when one store's are acted on one at a time and the other's in batches
    alone, together = _both_ways(session, _mixed, size)
    # then both stores' rows say the same, each webhook's status included
    expected, got = outcome(alone), outcome(together)
    for table in expected:
        assert got[table] == expected[table], table
    # and the cases the webhooks were chosen for did happen
    statuses = [status for status, _, _ in got["inbox"]]
    assert statuses.count(InboxStatus.INVALID.value) == 1
    assert statuses.count(InboxStatus.IGNORED.value) == 1
    # (the adopted send's first status came without its ref: alone, it waited as pending)
    assert [w for w, _ in got["pending"]] == ["*.adopted", "*.early"]
    assert got["dirty"] and len(got["inbound"]) == 2
    assert [used for _, used in got["usage"]] == [PERIOD_USED - 7]  # failed or free: unit back
    assert ("+905321200003", "marketing", "revoked", "whatsapp_keyword") in got["consent"]
    assert [c[0] for c in got["contacts"] if c[4]] == ["+905321200008"]  # 131026
    assert [c[0] for c in got["contacts"] if c[5]] == ["+905321200007"]  # 131049
    assert got["accounts"][0][0] == "active"  # suspended by 131031, then reinstated


def test_a_whatsapp_batch_acted_on_twice_acts_once(client: Any, session: Session) -> None:
    # given a batch of webhooks acted on
    world = make_world(session, "wa-c")
    ids = record(session, world, _mixed(world, int(clock.now().timestamp()) - 3600))
    _batched(ids, 100)
    before = outcome(world)
    # when the same queue message is worked again
    _batched(ids, 100)
    # then nothing changed
    assert outcome(world) == before


def test_an_inactive_stores_webhooks_are_ignored_in_a_batch(client: Any, session: Session) -> None:
    # given an uninstalled store's recorded webhooks
    world = make_world(session, "wa-d")
    ids = record(session, world, _mixed(world, int(clock.now().timestamp()) - 3600)[:10])
    store = session.get(Store, world.store_id)
    assert store is not None
    store.status = StoreStatus.DISABLED
    session.commit()
    before = outcome(world)
    # when acted on as a batch
    _batched(ids, 100)
    # then each is ignored, and nothing else changed
    after = outcome(world)
    assert {s for s, _, _ in after.pop("inbox")} == {InboxStatus.IGNORED.value}
    before.pop("inbox")
    assert after == before


def test_a_batch_of_100_status_webhooks_runs_a_small_constant_number_of_statements(
    client: Any, session: Session
) -> None:
    # given 100 status webhooks of a campaign (the sandbox's), recorded for two like stores
    alone, together = (
        make_world(session, "wa-e", contacts=20),
        make_world(session, "wa-f", contacts=20),
    )
    at = int(clock.now().timestamp()) - 3600
    alone_ids = record(session, alone, campaign_statuses(alone, 100, at))
    together_ids = record(session, together, campaign_statuses(together, 100, at))
    # when acted on one at a time, and as one batch
    with QueryCounter(get_engine()) as one_by_one:
        _one_at_a_time(alone_ids)
    with QueryCounter(get_engine()) as batch:
        _batched(together_ids, 100)
    # then the batch sends a small constant number of statements, and leaves the same rows
    assert batch.count <= STATUS_BATCH_BOUND, (batch.count, batch.statements)
    assert batch.count * 20 <= one_by_one.count, (batch.count, one_by_one.count)
    assert outcome(together) == outcome(alone)
