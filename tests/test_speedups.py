"""pydantic's default-factory check is asked once per factory, and defaults stay fresh."""

from __future__ import annotations

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
