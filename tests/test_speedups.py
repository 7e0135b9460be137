"""pydantic's default-factory check is asked once per factory, and defaults stay fresh."""

from __future__ import annotations

import json

from pydantic._internal import _fields

from plugin.flows.models import FlowConfig, FlowKey


def test_building_models_reuses_the_default_factory_check_and_never_shares_defaults() -> None:
    check = _fields.takes_validated_data_argument
    FlowConfig(store_id=1, flow_key=FlowKey.ORDER_CREATED)
    before = check.cache_info()  # type: ignore[attr-defined]
    # when two more rows are built with their defaults
    first = FlowConfig(store_id=1, flow_key=FlowKey.ORDER_CREATED)
    second = FlowConfig(store_id=2, flow_key=FlowKey.ORDER_CREATED)
    after = check.cache_info()  # type: ignore[attr-defined]
    # then every factory's answer came from the cache (no inspect.signature per instance)
    assert after.misses == before.misses
    assert after.hits > before.hits
    # and each instance still got its own empty containers from the factories
    first.channels.append("default-channel")
    first.options["x"] = 1
    assert second.channels == [] and second.options == {}


AWKWARD_ITEMS = ['{"a": "say \\"hi\\", {x}"}', "C:\\dir\\", "plain", "two words", "", "NULL", None]


def test_text_arrays_dump_the_bytes_psycopg_would_and_come_back_whole() -> None:
    import psycopg
    from psycopg.adapt import PyFormat, Transformer
    from psycopg.types.array import ListDumper

    from tests.services import PG_ADMIN

    items = [json.dumps({"text": 'say "hi", {x}', "path": "C:\\dir\\"}), *AWKWARD_ITEMS]
    transformer = Transformer()
    ours = transformer.get_dumper(items, PyFormat.TEXT)
    theirs = ListDumper(list, transformer).upgrade(items, PyFormat.TEXT)
    # the dumper psycopg picks is ours, and it writes the bytes psycopg's own writes
    assert type(ours).__name__ == "EscapingListDumper"
    assert bytes(ours.dump(items)) == bytes(theirs.dump(items))
    # and PostgreSQL reads back every item as given
    with psycopg.connect(PG_ADMIN) as conn:
        back = conn.execute("SELECT %t::text[]", [items]).fetchone()
    assert back is not None and back[0] == items
