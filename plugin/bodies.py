"""Request-body rules every HTTP edge shares: the per-route limits and the NUL check.

They live in the base layer so that both edges — handlers/ and plugin/admin_api/ — read one
copy without plugin importing handlers (DESIGN.md: imports run handlers -> plugin).
docs/security.md lists the limits.
"""

from __future__ import annotations

KIB = 1024
MIB = 1024 * KIB

# The body limits, one place. handlers/http.py maps route prefixes to them.
REGISTER_BODY_LIMIT = 64 * KIB
STOREFRONT_BODY_LIMIT = 16 * KIB
GRAPHQL_BODY_LIMIT = 256 * KIB  # far above any document the admin page sends
SANDBOX_BODY_LIMIT = MIB  # dev/test only: the fake Graph API's sends and template submissions
DEFAULT_BODY_LIMIT = 64 * KIB  # every other route (GETs take no body)
PRE_AUTH_BODY_LIMIT = 64 * KIB  # read before the sender is known to be one of ours


def has_nul(text: str | bytes) -> bool:
    """A NUL character, raw or as a JSON escape (PostgreSQL stores neither in text or jsonb)."""
    if isinstance(text, bytes):
        return b"\x00" in text or b"\\u0000" in text
    return "\x00" in text or "\\u0000" in text
