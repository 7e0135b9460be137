"""One cost model: dated rate cards, one rate-table schema, the recipient's pricing country.

Estimates (plugin/campaigns) and analytics (plugin/analytics) both price through
`plugin.pricing.ratecards.rate_for`, so an estimate and the cost of what was delivered agree.
"""
