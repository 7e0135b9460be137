"""Every webhook parser, fed malformed bodies, answers with its validation error and nothing
else (no KeyError, TypeError, RecursionError...), so the edges can turn it into a clear 4xx."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from plugin.saleor.payloads import PAYLOAD_MODELS, parse_envelope, parse_event
from plugin.saleor.webhooks import WEBHOOKS
from plugin.whatsapp.payloads.webhook import parse_webhook
from tests.support import PAYLOADS, WHATSAPP_SAMPLES, captured_payload_names

pytestmark = pytest.mark.sqlite

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)


def _captured(model: str) -> list[dict[str, Any]]:
    stems = {w.stem for w in WEBHOOKS if w.payload == model}
    return [
        json.loads((directory / f"{name}.json").read_bytes())
        for directory, name in captured_payload_names()
        if name.lower() in stems
    ] or [json.loads((PAYLOADS / "ORDER_CREATED.json").read_bytes())]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:3]):
            out += _paths(child, (*prefix, index))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(copy[path[0]], path[1:], new)
    return copy


@st.composite
def mutated(draw: st.DrawFn, model: str) -> Any:
    """A real payload with one node (anywhere, the root too) replaced by arbitrary JSON."""
    base = draw(st.sampled_from(_captured(model)))
    path = draw(st.sampled_from(_paths(base)))
    return _replace(base, path, draw(json_values))


def _parse_or_validation_error(parse: Any, data: Any) -> None:
    try:
        parse(data)
    except ValidationError:
        pass


@pytest.mark.parametrize("model", sorted(PAYLOAD_MODELS))
@FUZZ
@given(data=st.data())
def test_parse_event_raises_only_validation_errors(model, data):
    body = data.draw(mutated(model) | st.dictionaries(st.text(max_size=12), json_values))
    if isinstance(body, dict):
        _parse_or_validation_error(lambda b: parse_event(model, json.dumps(b)), body)
        _parse_or_validation_error(parse_envelope, body)


@FUZZ
@given(body=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_parse_webhook_raises_only_validation_errors_on_bytes(body):
    _parse_or_validation_error(parse_webhook, body)


def _samples() -> list[dict[str, Any]]:
    return [json.loads(p.read_bytes()) for p in sorted(WHATSAPP_SAMPLES.glob("*.json"))]


@FUZZ
@given(data=st.data())
def test_parse_webhook_raises_only_validation_errors_on_mutated_samples(data):
    base = data.draw(st.sampled_from(_samples()))
    path = data.draw(st.sampled_from(_paths(base)))
    body = _replace(base, path, data.draw(json_values))
    _parse_or_validation_error(parse_webhook, json.dumps(body).encode())


def test_deeply_nested_json_is_a_validation_error():
    body = b'{"object": "whatsapp_business_account", "entry": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    with pytest.raises(ValidationError):
        parse_webhook(body)


def test_a_signed_body_with_a_non_string_change_field_is_a_400_not_a_500(client):
    # given a genuinely signed body whose change names its field with a list (found by fuzzing:
    # the change discriminator hashed it and raised TypeError, a 500 that Meta retries for days)
    from plugin.settings import DEV_WHATSAPP_APP_SECRET
    from plugin.whatsapp.signature import sign_body
    from tests.hostile.support import row_counts

    body = json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": []}]}]}
    ).encode()
    before = row_counts()
    response = client.post(
        "/api/webhooks/whatsapp",
        content=body,
        headers={"x-hub-signature-256": sign_body(DEV_WHATSAPP_APP_SECRET, body)},
    )
    assert response.status_code < 500
    assert row_counts() == before
