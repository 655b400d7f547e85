"""What a name looks like: the skeleton two names share when a reader could take one for
the other (pure: no database, no Flask).

Display names and model names live in one namespace (:mod:`app.store.names`): a name is
refused when its skeleton is taken. The skeleton is Unicode TR39's idea made small:
NFKC folds compatibility forms (full-width letters, ligatures, math alphabets), case
folding makes "Alice" and "alice" one name, and each character is replaced by one
prototype from the confusables table that confusable-homoglyphs ships (Unicode's
confusables.txt, as JSON): Cyrillic "а" reads as Latin "a", "0" as "o", "1" as "l". Invisible characters
(zero-width joiners, bidi marks) are dropped: they make no visible difference.
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from importlib import resources

# Characters a reader cannot see: format controls (ZWJ, bidi marks) and variation selectors.
_INVISIBLE_CATEGORIES = {"Cf", "Mn", "Me"}


def _visible(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES)


# confusables.txt's look-alikes within ASCII, as they stand after case folding ("0" reads
# as "o", "1" as "l"; "rn" as "m"). Case folding comes first, so "I" is "i", never "l".
_ASCII_PROTOTYPES = {"0": "o", "1": "l", "|": "l"}
_ASCII_SEQUENCES = (("rn", "m"),)


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """Each non-ASCII confusable character's prototype: its ASCII look-alike when it has
    one (Cyrillic "а" becomes Latin "a"), else the smallest code point among it and its
    direct look-alikes. Direct pairs only: a transitive closure chains "b" to "6" to "o"."""
    table = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    prototypes = {}
    for source, homoglyphs in table.items():
        if len(source) != 1 or source.isascii():
            continue
        alikes = {a for a in (_visible(entry["c"]) for entry in homoglyphs) if len(a) == 1}
        ascii_alikes = sorted(a for a in alikes if a.isascii())
        prototypes[source] = ascii_alikes[0] if ascii_alikes else min(alikes | {source})
    return prototypes


def _mapped(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(ch, ch) for ch in text)


def skeleton(name: str) -> str:
    """The form two look-alike names share, in any case: ``skeleton("Alice") ==
    skeleton("аlice")`` (Cyrillic а) ``== skeleton("ＡＬＩＣＥ") == skeleton("ALICE")``;
    names that look different keep different skeletons (``"bob"``, ``"bab"``)."""
    prototypes = _prototypes()
    # Non-ASCII letters first, in their own case (Cyrillic "Н" reads as "H", its "н" does not).
    text = _mapped(_visible(unicodedata.normalize("NFKC", name)), prototypes).casefold()
    text = _mapped(_mapped(text, prototypes).casefold(), _ASCII_PROTOTYPES)
    for sequence, prototype in _ASCII_SEQUENCES:
        text = text.replace(sequence, prototype)
    return text
