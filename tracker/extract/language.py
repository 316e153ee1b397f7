"""A cheap language guess (en fr es ru zh ar): script counts, then stopwords for Latin script.
Good enough to label UN documents, which are in one of the six official languages."""

from __future__ import annotations

import re

_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "that", "is", "for", "on", "with", "its", "by"},
    "fr": {"le", "la", "les", "des", "et", "du", "une", "que", "est", "pour", "dans", "sur"},
    "es": {"el", "la", "los", "las", "y", "del", "que", "por", "una", "para", "con", "sus"},
}
_WORD = re.compile(r"[a-zà-ÿ]+")


def guess_language(text: str, sample: int = 20_000) -> str | None:
    text = text[:sample]
    arabic = cjk = cyrillic = latin = 0
    for ch in text:
        o = ord(ch)
        if 0x0600 <= o <= 0x06FF or 0xFB50 <= o <= 0xFEFF:
            arabic += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            cjk += 1
        elif 0x0400 <= o <= 0x04FF:
            cyrillic += 1
        elif ch.isalpha() and o < 0x250:
            latin += 1
    counts = {"ar": arabic, "zh": cjk * 2, "ru": cyrillic, "latin": latin}  # a CJK char ~ 2 letters
    best = max(counts, key=lambda k: counts[k])
    if counts[best] < 20:
        return None
    if best != "latin":
        return best
    scores = dict.fromkeys(_STOPWORDS, 0)
    for word in _WORD.findall(text.lower()):
        for lang, words in _STOPWORDS.items():
            if word in words:
                scores[lang] += 1
    lang = max(scores, key=lambda k: scores[k])
    return lang if scores[lang] >= 3 else None
