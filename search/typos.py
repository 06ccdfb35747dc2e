"""Typo tolerance for the embedded engine, by Meilisearch's rules: a word of 5 letters or more may have one
typo, of 9 or more two (its `minWordSizeForTypos` defaults, which search/meili.py sets); a typo on the first
letter counts as two; a swap of two neighbouring letters is one typo."""

from __future__ import annotations

import string
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

ONE_TYPO, TWO_TYPOS = 5, 9  # minWordSizeForTypos: oneTypo, twoTypos
MAX_VARIANTS = 8  # the closest indexed words a misspelled word stands for: keeps the MATCH small
LETTERS = string.ascii_lowercase + string.digits  # what the index holds once folded (ñ is n there)


def allowed_typos(word: str) -> int:
    return 2 if len(word) >= TWO_TYPOS else 1 if len(word) >= ONE_TYPO else 0


def typos(word: str, term: str) -> int:
    """Edits from `word` to `term` (optimal string alignment: a swap is one), the first letter's twice."""
    return OSA.distance(word, term) + (1 if word[:1] != term[:1] else 0)


def first_letter_changed(word: str) -> list[str]:
    """The words that differ from `word` only at its first letter: with the first letter counting twice,
    those are all a word of two typos can be when that letter is wrong."""
    rest = word[1:]
    return sorted(
        {rest, word[1:2] + word[0] + word[2:]}
        | {letter + rest for letter in LETTERS}
        | {letter + word for letter in LETTERS}
    )


def closest(word: str, terms: Iterable[str], limit: int = MAX_VARIANTS) -> list[str]:
    """The indexed `terms` within the typos `word` allows, closest first (then the shorter, then by name)."""
    budget = allowed_typos(word)
    if not budget:
        return []
    candidates = {t for t in terms if t != word and abs(len(t) - len(word)) <= budget}
    # OSA on the rest first (fast, in C), then the first letter's surcharge on the few left.
    near = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=budget, limit=None)
    scored = sorted((typos(word, t), len(t), t) for t, _d, _i in near)
    return [t for distance, _n, t in scored if distance <= budget][:limit]
