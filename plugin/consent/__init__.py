"""Consent: an append-only ledger, double opt-in, one-step opt-out, export and erase."""
