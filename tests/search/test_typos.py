"""Typo tolerance's rules on their own: Meilisearch's word sizes, the first letter counting twice."""

from __future__ import annotations

import pytest

from search.typos import allowed_typos, closest, first_letter_changed, typos


@pytest.mark.parametrize(("word", "allowed"), [("miel", 0), ("mezcl", 1), ("vainilla", 1), ("artesania", 2)])
def test_longer_words_allow_more_typos(word: str, allowed: int) -> None:
    assert allowed_typos(word) == allowed


def test_typos_are_edits_and_a_first_letter_counts_twice() -> None:
    assert typos("vainila", "vainilla") == 1
    assert typos("vainlila", "vainilla") == 1  # a swap
    assert typos("bainilla", "vainilla") == 2
    assert typos("ainilla", "vainilla") == 2


def test_closest_keeps_the_words_within_the_budget_nearest_first() -> None:
    terms = ["vainilla", "vainillas", "vainas", "vainillales", "bainilla"]
    assert closest("vainila", terms) == ["vainilla"]  # 7 letters: one typo
    assert closest("vainillla", terms) == ["vainilla", "vainillas"]  # 9 letters: two, the nearer first
    assert closest("vaina", ["vainas", "vainilla"]) == ["vainas"]
    assert closest("miel", ["mil", "mieles"]) == []
    assert closest("vainillla", ["vainilla"] * 3 + [f"vainilla{n}" for n in range(20)], limit=3) == [
        "vainilla",
        "vainilla0",
        "vainilla1",
    ]


def test_a_wrong_first_letter_leaves_only_those_words() -> None:
    changed = first_letter_changed("bainilla")
    assert {"vainilla", "ainilla", "abinilla", "xbainilla"} <= set(changed)
    assert all(typos("bainilla", word) <= 2 for word in changed)
