"""A campaign's message as its recipients' phones show it, for the review before launch: each
variant goes through the one message builder with the inputs launch gives it (personalise.py)
and is drawn by the template preview's renderer, so the merchant reviews the message itself."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from plugin.campaigns import personalise
from plugin.campaigns.config import CampaignError, approved_template_of, get_campaign
from plugin.templates.render import RenderedMessage
from plugin.templates.variables import CATALOGUE


@dataclass(frozen=True)
class VariantPreview:
    key: str
    template_name: str
    template_language: str
    message: RenderedMessage | None  # None when the variant cannot be filled (see `problem`)
    problem: tuple[str, str] | None = None  # (English, Turkish)


def sample_person(language: str) -> dict[str, str | None]:
    """The catalogue's sample contact in the template's language ("Ayşe" / "Emma"); a field
    the catalogue has no sample for is empty, so the preview shows its fallback."""
    return {
        f: (CATALOGUE[f].sample(language) if f in CATALOGUE else None)
        for f in personalise.PERSONAL_FIELDS
    }


def preview_variants(session: Session, *, store_id: int, campaign_id: int) -> list[VariantPreview]:
    """Every variant of one of the store's campaigns, rendered for the catalogue's sample
    contact; a variant whose template is gone, unapproved or unfillable says why instead."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id)
    shop = personalise.Shop.load(session, store_id)
    out = []
    for variant in campaign.variants:
        name = str(variant.get("template_name") or "")
        language = str(variant.get("template_language") or "")
        try:
            template = approved_template_of(session, store_id, variant)
            message = personalise.render(shop, variant, template, sample_person(language))
        except (CampaignError, personalise.VariantUnfillable) as exc:
            problem = (exc.message_en, exc.message_tr)
            out.append(VariantPreview(str(variant.get("key")), name, language, None, problem))
            continue
        out.append(VariantPreview(str(variant.get("key")), name, language, message))
    return out
