"""Whole-message keyword matching, insensitive to case, spacing, punctuation and Turkish casing.

"İptal!", " iptal ", "IPTAL", "ıptal" and "aboneli̇kten çık" (a lower-cased İ keeps a
combining dot) all read the same: letters are folded to their base form, dotted and
dotless i become one "i", and everything that is not a letter or a digit is dropped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# Quick-reply button payloads Ulak puts on its own messages.
STOP_PAYLOAD = "ULAK_STOP"
OPTIN_YES_PAYLOAD = "ULAK_OPTIN_YES"
RESUME_PAYLOAD = "ULAK_START"

_I_FORMS = str.maketrans({"İ": "i", "I": "i", "ı": "i"})


def fold(text: str) -> str:
    """The comparable form of a message: base letters and digits only, lower case."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_I_FORMS))
    kept = (ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in "".join(kept).casefold().translate(_I_FORMS) if ch.isalnum())


def matches(text: str | None, keywords: Iterable[str]) -> bool:
    """True when the whole message is one of the keywords (nothing else in it)."""
    if not text:
        return False
    folded = fold(text)
    return bool(folded) and any(folded == fold(k) for k in keywords if fold(k))
