"""A worker keeps a store's configuration between batches of events (plugin/stores/config_cache.py,
issue 21) and reads it again exactly when it changed: database triggers bump the store's
`config_version` on every write of its settings, flow settings and templates, in any process."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from plugin import clock
from plugin.db import batch_scope, get_engine, session_scope
from plugin.flows import config as flows_config
from plugin.flows.models import FlowConfig, FlowKey
from plugin.flows.recovery import CHECKOUT_URL_MISSING
from plugin.saleor.models import Store
from plugin.stores.service import SettingsChanges, get_settings, update_settings
from plugin.templates import service as templates_service
from plugin.templates.models import MessageTemplate, TemplateCategory, TemplateStatus
from tests.benchmarks.saleor_day import CHECKOUT_EVENTS, ORDER_EVENTS
from tests.factories import make_store
from tests.support import QueryCounter
from tests.test_inbox_batch import (
    _batched,
    _day,
    _dev_store,
    _one_at_a_time,
    _record,
    assert_same_outcome,
    outcome,
)

pytestmark = pytest.mark.sqlite

REMINDER, RECOVERY, PAUSED = FlowKey.REMINDER, FlowKey.CART_RECOVERY, TemplateStatus.PAUSED.value
CONFIG_TABLES = ("store_settings", "flow_config", "message_template")


def _version(store_id: int) -> int:
    with get_engine().connect() as conn:
        return int(
            conn.execute(
                sa.text("SELECT config_version FROM store WHERE id = :s"), {"s": store_id}
            ).scalar_one()
        )


def _in_another_session(change: Callable[[Session], Any]) -> None:
    with session_scope() as other:
        change(other)


def test_every_write_to_a_stores_configuration_moves_its_version_and_no_other(
    session: Session,
) -> None:
    # given two stores with settings
    store, other = make_store(session), make_store(session)
    session.commit()
    assert store.id is not None and other.id is not None
    sid = store.id
    template = MessageTemplate(
        store_id=sid, name="t", language="tr", category=TemplateCategory.UTILITY
    )
    writes: list[Callable[[Session], Any]] = [
        lambda s: update_settings(session=s, store_id=sid, changes=SettingsChanges(timezone="UTC")),
        lambda s: flows_config.save_config(
            s, store_id=sid, flow_key=FlowKey.REMINDER, enabled=True
        ),
        lambda s: flows_config.save_config(
            s, store_id=sid, flow_key=FlowKey.REMINDER, enabled=False
        ),
        lambda s: s.add(template),
        lambda s: s.execute(  # a Core write, as delivery's error effects pause a template
            sa.update(MessageTemplate)
            .where(MessageTemplate.store_id == sid)
            .values(status="PAUSED")
        ),
        lambda s: s.execute(sa.delete(FlowConfig).where(FlowConfig.store_id == sid)),
        lambda s: s.execute(sa.delete(MessageTemplate).where(MessageTemplate.store_id == sid)),
    ]
    for write in writes:
        before, others = _version(sid), _version(other.id)
        # when a write is committed in another session
        _in_another_session(write)
        # then the store's version moved, the other store's did not
        assert _version(sid) > before
        assert _version(other.id) == others
    # and a rolled back write leaves it where it was
    before = _version(sid)
    with Session(get_engine()) as rolled_back:
        update_settings(
            session=rolled_back, store_id=sid, changes=SettingsChanges(timezone="Europe/Paris")
        )
        rolled_back.rollback()
    assert _version(sid) == before


def _reads_of(queries: QueryCounter) -> list[str]:
    return [
        q
        for q in queries.statements
        if q.lstrip().upper().startswith("SELECT")
        and any(f"FROM {table}" in q for table in CONFIG_TABLES)
    ]


def _pause(store_id: int, name: str) -> Callable[[Session], Any]:
    def change(s: Session) -> None:
        row = s.exec(
            select(MessageTemplate).where(
                MessageTemplate.store_id == store_id, MessageTemplate.name == name
            )
        ).all()
        assert row, name
        for r in row:
            r.status = TemplateStatus.PAUSED
            r.updated_at = clock.now()
            s.add(r)

    return change


def _order_template_paused(store_id: int) -> Callable[[Session], Any]:
    return _pause(store_id, "ulak_order_created")


def _no_storefront(store_id: int) -> Callable[[Session], Any]:
    changes = SettingsChanges(storefront_url="", checkout_url_template="")
    return lambda s: update_settings(session=s, store_id=store_id, changes=changes)


def _order_updates_off(store_id: int) -> Callable[[Session], Any]:
    return lambda s: flows_config.save_config(
        s, store_id=store_id, flow_key=FlowKey.ORDER_CREATED, enabled=False
    )


def test_the_batch_after_a_change_in_another_session_acts_on_the_change(
    client: Any, session: Session
) -> None:
    # given a day of order and checkout events for two like stores, in five parts
    events = [e for e in _day(150, 7) if e.event in ORDER_EVENTS + CHECKOUT_EVENTS]
    parts = [events[i * len(events) // 5 : (i + 1) * len(events) // 5] for i in range(5)]
    alone, together = _dev_store(session), _dev_store(session)
    changes: list[Callable[[int], Callable[[Session], Any]] | None] = [
        None,  # two batches on an unchanged configuration: the second reads none of it
        _no_storefront,  # settings: cart recovery has nowhere to link
        _order_template_paused,  # a template: paused by Meta
        _order_updates_off,  # a flow switched off
        None,
    ]
    for number, (part, change) in enumerate(zip(parts, changes, strict=True)):
        if change is not None:  # when the configuration changes in another session
            for store_id in (alone, together):
                _in_another_session(change(store_id))
        # and the part's events are acted on one at a time for one store, in batches for the
        # other (whose worker keeps the configuration between batches)
        _one_at_a_time(_record(session, alone, part))
        ids = _record(session, together, part)
        with QueryCounter(get_engine()) as queries:
            _batched(ids, 100)
        if number == 4:  # nothing changed since the last batch: no configuration read
            assert _reads_of(queries) == []
        elif change is not None:  # changed: read again
            assert _reads_of(queries), number
    # then the batches acted on each change exactly as the events acted on alone did
    assert_same_outcome(alone, together)
    reasons = {row[-1] for row in outcome(together)["journal"]}
    assert {CHECKOUT_URL_MISSING, "template_not_approved"} <= reasons


def _batch(session: Session, store_id: int) -> Any:
    """A session acting on a batch of one store's events: its Store row loaded in the
    transaction, as the inbox loads it."""
    session.exec(select(Store).where(Store.id == store_id)).one()
    return batch_scope(session)


def test_a_batch_reads_its_own_writes_and_never_keeps_them(client: Any, session: Session) -> None:
    # given a store whose configuration a first batch has kept
    store_id = _dev_store(session)
    with Session(get_engine(), expire_on_commit=False) as first, _batch(first, store_id):
        assert get_settings(first, store_id).timezone == "Europe/Istanbul"
        flows_config.all_configs(first, store_id=store_id)
    # when a batch changes the settings and a flow, reads them, and rolls back
    with Session(get_engine(), expire_on_commit=False) as writer:
        with _batch(writer, store_id):
            update_settings(
                session=writer, store_id=store_id, changes=SettingsChanges(timezone="UTC")
            )
            flows_config.save_config(
                writer, store_id=store_id, flow_key=FlowKey.CART_RECOVERY, enabled=False
            )
            # then it reads its own writes
            assert get_settings(writer, store_id).timezone == "UTC"
            recovery = flows_config.flow_config(
                writer, store_id=store_id, flow_key=FlowKey.CART_RECOVERY
            )
            assert recovery.enabled is False
        writer.rollback()
    # and the next batch reads the committed configuration, not the rolled back one
    with Session(get_engine(), expire_on_commit=False) as after, _batch(after, store_id):
        assert get_settings(after, store_id).timezone == "Europe/Istanbul"
        recovery = flows_config.flow_config(
            after, store_id=store_id, flow_key=FlowKey.CART_RECOVERY
        )
        assert recovery.enabled is True


def test_the_copies_handed_out_belong_to_no_other_session(client: Any, session: Session) -> None:
    # given a store whose configuration a first batch has kept
    store_id = _dev_store(session)
    with Session(get_engine(), expire_on_commit=False) as first, _batch(first, store_id):
        get_settings(first, store_id)
        flows_config.all_configs(first, store_id=store_id)
        templates_service.prefetch_approved(first, store_id=store_id)
    # when the next batch reads it
    with Session(get_engine(), expire_on_commit=False) as s, _batch(s, store_id):
        with QueryCounter(get_engine()) as queries:
            settings = get_settings(s, store_id)
            flows = flows_config.all_configs(s, store_id=store_id)
            templates_service.prefetch_approved(s, store_id=store_id)
            template = templates_service.approved_template(
                s, store_id=store_id, name="ulak_cart_recovery_1", language="tr"
            )
        # then from the kept copies: the settings row is this session's own, the rest in none
        assert _reads_of(queries) == []
        assert sa.inspect(settings).session is s
        assert all(sa.inspect(f).session is None for f in flows)
        assert template is not None and sa.inspect(template).session is None
        # and a change a caller makes to its settings row is written as before
        settings.optout_keywords = [*settings.optout_keywords, "ENOUGH"]
        settings.optin_keywords.append("TAMAM")  # in place: reaches no other copy
        s.add(settings)
        s.commit()
    with get_engine().connect() as conn:
        stored = conn.execute(
            sa.text("SELECT optout_keywords FROM store_settings WHERE store_id = :s"),
            {"s": store_id},
        ).scalar_one()
    assert "ENOUGH" in (stored if isinstance(stored, list) else json.loads(stored))
    with Session(get_engine(), expire_on_commit=False) as after, _batch(after, store_id):
        settings = get_settings(after, store_id)
        assert "ENOUGH" in settings.optout_keywords
        assert "TAMAM" not in settings.optin_keywords
