"""Triggered journeys: order updates, cart recovery, cash-on-delivery confirmation, reminders."""
