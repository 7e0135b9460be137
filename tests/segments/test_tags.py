"""Tags from the four sources, and that quick-reply answers enrich segments."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plugin.saleor.payloads import Customer
from plugin.segments import service, tags
from plugin.segments.models import ContactTag
from plugin.segments.service import Audience
from plugin.stores.models import Plan
from plugin.stores.plans import PlanLimitError
from tests.segments.factories import days_ago, make_contact, make_inbound, make_store

pytestmark = pytest.mark.sqlite


def test_a_quick_reply_answer_becomes_a_tag_and_replaces_the_previous_answer(
    session: Session,
) -> None:
    # given
    store = make_store(session)
    contact = make_contact(session, store)
    first = make_inbound(session, contact, at=days_ago(1), payload="TAG:colour:blue", text="Blue")
    # when
    tags.on_inbound(session=session, store=store, contact=contact, inbound=first)
    second = make_inbound(session, contact, at=days_ago(0), payload="TAG:Colour:Red", text="Red")
    tags.on_inbound(session=session, store=store, contact=contact, inbound=second)
    session.commit()
    # then
    assert tags.contact_tags(session, store_id=store.id, contact_id=contact.id) == ["colour:red"]
    rule = {"field": "tags", "op": "has", "value": "colour:red"}
    assert service.count_audience(session, store_id=store.id, audience=Audience(rule=rule)) == 1


def test_a_tag_question_without_an_answer_takes_the_button_text(session: Session) -> None:
    # given
    store = make_store(session)
    contact = make_contact(session, store)
    # when
    tag = tags.tag_from_button_answer(
        session, store_id=store.id, contact_id=contact.id, payload="TAG:size", text="Large"
    )
    # then
    assert tag == "size:large"


@pytest.mark.parametrize("payload", [None, "", "STOP", "OPTIN:yes", "TAG:", "TAG::blue"])
def test_other_payloads_tag_nobody(session: Session, payload: str | None) -> None:
    # given
    store = make_store(session)
    contact = make_contact(session, store)
    # when
    tag = tags.tag_from_button_answer(
        session, store_id=store.id, contact_id=contact.id, payload=payload, text=None
    )
    session.commit()
    # then
    assert tag is None
    assert session.execute(sa.select(sa.func.count()).select_from(ContactTag)).scalar() == 0


def test_other_answers_and_manual_tags_survive_a_new_answer(session: Session) -> None:
    # given
    store = make_store(session)
    contact = make_contact(session, store)
    tags.add_tags(session, store_id=store.id, contact_id=contact.id, tags=["colour:green", "VIP"])
    tags.tag_from_button_answer(
        session, store_id=store.id, contact_id=contact.id, payload="TAG:size:m", text=None
    )
    # when
    tags.tag_from_button_answer(
        session, store_id=store.id, contact_id=contact.id, payload="TAG:colour:blue", text=None
    )
    # then
    assert tags.contact_tags(session, store_id=store.id, contact_id=contact.id) == [
        "colour:blue",
        "colour:green",
        "size:m",
        "vip",
    ]


def test_saleor_metadata_tags_mirror_the_customer_and_leave_other_tags(session: Session) -> None:
    # given
    store = make_store(session)
    contact = make_contact(session, store)
    tags.add_tags(session, store_id=store.id, contact_id=contact.id, tags=["manual-one"])
    customer = Customer.model_validate(
        {"id": "VXNlcjox", "metadata": [{"key": "ulak.tags", "value": '["VIP", "b2b"]'}]}
    )
    # when
    first = tags.tags_from_customer(
        session, store_id=store.id, contact_id=contact.id, customer=customer
    )
    later = Customer.model_validate(
        {"id": "VXNlcjox", "metadata": [{"key": "ulak.tags", "value": "b2b, wholesale"}]}
    )
    second = tags.tags_from_customer(
        session, store_id=store.id, contact_id=contact.id, customer=later
    )
    untouched = tags.tags_from_customer(
        session,
        store_id=store.id,
        contact_id=contact.id,
        customer=Customer.model_validate({"id": "VXNlcjox"}),
    )
    # then
    assert first == ["b2b", "vip"]
    assert second == ["b2b", "wholesale"]
    assert untouched is None
    assert tags.contact_tags(session, store_id=store.id, contact_id=contact.id) == [
        "b2b",
        "manual-one",
        "wholesale",
    ]


def test_csv_import_tags_contacts_and_reports_every_row(session: Session) -> None:
    # given
    store = make_store(session, plan=Plan.SILVER)
    by_phone = make_contact(session, store, phone_e164="+905551234567")
    by_email = make_contact(session, store, email="ayse@example.com")
    data = (
        "phone,email,tags\n"
        '+90 555 123 45 67,,"vip, summer"\n'
        ",AYSE@example.com,b2b\n"
        "05551234567,,vip\n"
        "+905559999999,,vip\n"
        ",,vip\n"
        "+905551234567,,\n"
    )
    # when
    report = tags.import_tags_csv(session, store_id=store.id, data=data)
    # then
    assert (report.tagged, report.failed) == (2, 4)
    assert [(r.row, r.status) for r in report.rows] == [
        (2, "tagged"),
        (3, "tagged"),
        (4, "invalid"),
        (5, "not_found"),
        (6, "invalid"),
        (7, "invalid"),
    ]
    assert (
        report.rows[2].message_tr == "Telefon uluslararası biçimde değil (örneğin +905551112233)."
    )
    assert tags.contact_tags(session, store_id=store.id, contact_id=by_phone.id) == [
        "summer",
        "vip",
    ]
    assert tags.contact_tags(session, store_id=store.id, contact_id=by_email.id) == ["b2b"]


def test_manual_tags_and_csv_import_are_refused_on_free_and_nothing_is_written(
    session: Session,
) -> None:
    # given
    store = make_store(session, plan=Plan.FREE)
    contact = make_contact(session, store)
    # when / then
    with pytest.raises(PlanLimitError) as manual:
        tags.add_tags(session, store_id=store.id, contact_id=contact.id, tags=["vip"])
    with pytest.raises(PlanLimitError) as csv_import:
        tags.import_tags_csv(session, store_id=store.id, data="phone,tags\n+905551234567,vip\n")
    assert (
        manual.value.message_en == "Your plan does not include tags. Upgrade to Silver to use it."
    )
    assert csv_import.value.feature == "csv_import"
    assert session.execute(sa.select(sa.func.count()).select_from(ContactTag)).scalar() == 0
    # but a reply's answer is still recorded for later
    assert (
        tags.tag_from_button_answer(
            session, store_id=store.id, contact_id=contact.id, payload="TAG:colour:blue", text=None
        )
        == "colour:blue"
    )


def test_tags_of_another_store_contact_are_refused(session: Session) -> None:
    # given
    store = make_store(session)
    stranger = make_contact(session, make_store(session))
    # when / then
    from plugin.errors import InvalidPayload

    with pytest.raises(InvalidPayload):
        tags.add_tags(session, store_id=store.id, contact_id=stranger.id, tags=["vip"])
    assert session.execute(sa.select(sa.func.count()).select_from(ContactTag)).scalar() == 0
