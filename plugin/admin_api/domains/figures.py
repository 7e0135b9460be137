"""The outcome counts every figure of the admin shows (dashboard, funnels, campaigns), as one
GraphQL shape: each type that reports them extends `Engagement`, and fills it with
`plugin.analytics.aggregate.engagement`, so a new outcome is added in two places, not six."""

from __future__ import annotations

import strawberry


@strawberry.type
class Engagement:
    sent: int
    delivered: int
    read: int
    clicked: int = strawberry.field(description="Tracked link clicks, bots and previews excluded.")
    replied: int
    opted_out: int
