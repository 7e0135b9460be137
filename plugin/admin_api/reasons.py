"""A reason code with its texts, as every admin type that shows a reason carries it."""

from __future__ import annotations

import strawberry

from plugin.delivery import reasons


@strawberry.type(description="A reason code, what it means and how to fix it (EN / TR).")
class ReasonText:
    code: str
    text: str = strawberry.field(description="English.")
    text_tr: str = strawberry.field(description="Turkish.")
    fix: str | None = strawberry.field(description="What the merchant can do (English).")
    fix_tr: str | None = strawberry.field(description="What the merchant can do (Turkish).")
    alerts: bool = strawberry.field(
        description="The store's setup is at fault: a switched-on flow that meets it alerts."
    )
    reached: bool = strawberry.field(
        default=False,
        description="A good outcome: the message was not needed because its goal came first "
        "(the cart was ordered, the customer replied).",
    )

    @classmethod
    def of(cls, reason: reasons.Reason) -> ReasonText:
        return cls(
            code=reason.code,
            text=reason.en,
            text_tr=reason.tr,
            fix=reason.fix_en,
            fix_tr=reason.fix_tr,
            alerts=reason.alerts,
            reached=reason.reached,
        )


def reason_text(code: str | None) -> ReasonText | None:
    return ReasonText.of(reasons.reason(code)) if code else None


def all_reasons() -> list[ReasonText]:
    return [ReasonText.of(r) for r in reasons.REASONS.values()]
