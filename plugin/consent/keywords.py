"""Whole-message keyword matching, insensitive to case, spacing, punctuation, Turkish casing
and look-alike letters.

"İptal!", " iptal ", "IPTAL", "ıptal" and "aboneli̇kten çık" (a lower-cased İ keeps a
combining dot) all read the same: letters are folded to their base form, dotted and
dotless i become one "i", and everything that is not a letter or a digit is dropped.

A customer who types STOP with a Cyrillic С or О, a Greek Τ or Ρ, or a zero for the O means
STOP: letters that look like a Latin letter are read as it (the "skeleton" idea of Unicode
TR39, restricted to the Cyrillic and Greek letters that are drawn like Latin ones, plus the
digit zero). Only the whole message is compared, so a word that merely contains such letters
("стоп", "STOPPED", "2000") is never a keyword.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from plugin.templates.variables import OPTIN_NO as OPTIN_NO_PAYLOAD  # noqa: F401 (re-exported)

# Quick-reply button payloads Ulak puts on its own messages.
STOP_PAYLOAD = "ULAK_STOP"
OPTIN_YES_PAYLOAD = "ULAK_OPTIN_YES"
RESUME_PAYLOAD = "ULAK_START"

# A text reply that declines the opt-in request (its "Hayır / No" button does the same).
DECLINE_KEYWORDS = ("HAYIR", "NO")

_I_FORMS = str.maketrans({"İ": "i", "I": "i", "ı": "i"})
# Lower-case Cyrillic and Greek letters drawn like a Latin letter (after casefold, so their
# capitals are covered too), and the digit zero read as the letter o.
CONFUSABLES = str.maketrans(
    {
        **dict(zip("аеорсухіјѕһԁӏԛԝвкмнт", "aeopcyxijshdlqwbkmht", strict=True)),
        **dict(zip("αβεζηικμνορτυχ", "abezhikmnoptyx", strict=True)),
        "0": "o",
    }
)


def fold(text: str) -> str:
    """The comparable form of a message: base Latin letters and digits only, lower case."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_I_FORMS))
    kept = (ch for ch in decomposed if not unicodedata.combining(ch))
    folded = "".join(kept).casefold().translate(_I_FORMS).translate(CONFUSABLES)
    return "".join(ch for ch in folded if ch.isalnum())


def matches(text: str | None, keywords: Iterable[str]) -> bool:
    """True when the whole message is one of the keywords (nothing else in it)."""
    if not text:
        return False
    folded = fold(text)
    return bool(folded) and any(folded == fold(k) for k in keywords if fold(k))
