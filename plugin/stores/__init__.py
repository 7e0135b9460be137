"""Per-store settings a merchant controls: time zone, quiet hours, caps, plan, keywords."""
