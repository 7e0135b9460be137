"""Bulk reads of the suppression list for the send path: one query per batch, never one per row.

The list itself belongs to the people (plugin/contacts/suppression.py); consent itself is read
through the one read model, plugin/consent/state.py.
"""

from __future__ import annotations

from plugin.contacts.suppression import SUPPRESSION_HASH_PURPOSE, phone_hash, suppressed_phones

__all__ = ["SUPPRESSION_HASH_PURPOSE", "phone_hash", "suppressed_phones"]
