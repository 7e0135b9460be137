"""An A/B test decided by clicks counts the clicks people made on each variant's messages."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from plugin import clock
from plugin.analytics.links import create_shared_link, record_click
from plugin.analytics.models import LinkKind
from plugin.campaigns.ab import pick_winner, variant_rates
from plugin.campaigns.models import AbMetric, Campaign
from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.saleor.models import Store
from plugin.templates import tracking
from tests.analytics.factories import make_contact, make_message, make_store

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148 Safari/604.1"
WHATSAPP_PREVIEW = "WhatsApp/2.24.10.78 A"


def _sent(session: Session, store: Store, campaign: Campaign, variant: str) -> OutboundMessage:
    contact = make_contact(session, store)
    return make_message(
        session,
        store,
        contact,
        created_at=clock.now() - timedelta(hours=2),
        status=MessageStatus.DELIVERED,
        campaign_id=campaign.id,
        variant=variant,
    )


def _open(session: Session, link_id: int, message: OutboundMessage, user_agent: str) -> None:
    """A tap on the campaign button: the variant's shared link, signed for this message."""
    assert message.id is not None
    code = tracking.sign(link_id, message.id)
    assert record_click(session, code=code, user_agent=user_agent) is not None


def test_the_click_metric_picks_the_variant_people_clicked_most(session: Session) -> None:
    # given: A and B sent to three people each
    store = make_store(session)
    campaign = Campaign(
        store_id=store.id,  # type: ignore[arg-type]
        name="Bahar indirimi",
        variants=[{"key": "A", "share": 50}, {"key": "B", "share": 50}],
        ab_metric=AbMetric.CLICK,
    )
    session.add(campaign)
    session.flush()
    a = [_sent(session, store, campaign, "A") for _ in range(3)]
    b = [_sent(session, store, campaign, "B") for _ in range(3)]
    link = create_shared_link(
        session, store_id=store.id, url="https://shop.example.com/kampanya", kind=LinkKind.OTHER
    )
    # one A reader clicked twice, WhatsApp's link preview fetched another A link; two B readers
    _open(session, link, a[0], IPHONE)
    _open(session, link, a[0], IPHONE)
    _open(session, link, a[1], WHATSAPP_PREVIEW)
    _open(session, link, b[0], IPHONE)
    _open(session, link, b[2], IPHONE)
    session.flush()
    # when
    used, stats = variant_rates(session, campaign=campaign, metric=AbMetric.CLICK.value)
    winner = pick_winner(session, campaign=campaign)
    # then: a message counts once, a preview never
    assert used == "click"
    assert (stats["A"]["sent"], stats["A"]["hits"]) == (3, 1)
    assert (stats["B"]["sent"], stats["B"]["hits"]) == (3, 2)
    assert (winner, campaign.winner_metric_used) == ("B", "click")
