"""Which spellings of a tag, section or author name the same thing (design §5, issue 3).

Spellings are grouped by `arabic.matching_key`, so hamza and alef forms, ى/ي, ة/ه, tatweel,
invisible characters, Persian lookalikes, digits and Latin case never split a tag: «الإنتخابات» and
«الانتخابات» are one.

The matching key also drops harakat, and that alone would merge two different words that editors
tell apart *only* by their harakat: «عُمان» (Oman) and «عمّان» (Amman) both become «عمان». So inside
one key we also compare the harakat each spelling carries, letter by letter:

* two spellings are one word when the marks of one are a subset of the other's (partial vowelling
  is the norm: «غزّة» and «غزة» are one tag, so are «مِصر» and «مصر»);
* spellings whose marks differ both ways are different words and get different terms
  («عُمان» has a damma on ع, «عمّان» a shadda on م);
* a spelling without harakat, in a key that has two or more such readings, could be either word:
  it keeps a term of its own and is reported as ambiguous — never merged silently. Adding the
  harakat, or a `[tags.aliases]` entry, settles it.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .arabic import HARAKAT, INVISIBLE, TATWEEL, matching_key

Marks = frozenset[tuple[int, str]]  # (index of the letter they sit on, mark)

AMBIGUOUS = "?"


@dataclass(frozen=True)
class Ambiguity:
    """A bare spelling that could be any of several vowelled readings of the same letters."""

    spelling: str
    readings: tuple[str, ...]


@functools.lru_cache(maxsize=8192)  # asked several times per spelling per taxonomy, every build
def marks_of(spelling: str) -> Marks:
    """The harakat of `spelling`, each tied to the position of the letter it sits on.

    Positions count the letters the matching key keeps (no spaces, tatweel or invisible
    characters), so they line up between spellings that share a key.
    """
    marks: set[tuple[int, str]] = set()
    position = -1
    for char in unicodedata.normalize("NFKC", spelling):
        if char in HARAKAT:
            marks.add((position, char))
        elif char != TATWEEL and char not in INVISIBLE and not char.isspace():
            position += 1
    return frozenset(marks)


def identities(spellings: Iterable[str]) -> tuple[dict[str, str], list[Ambiguity]]:
    """Map every spelling to its identity key; spellings with equal keys name one term."""
    by_key: dict[str, set[str]] = {}
    for spelling in spellings:
        by_key.setdefault(matching_key(spelling), set()).add(spelling)
    result: dict[str, str] = {}
    ambiguities: list[Ambiguity] = []
    for key, group in sorted(by_key.items()):
        readings = _readings(sorted(s for s in group if marks_of(s)))
        if len(readings) <= 1:
            result.update(dict.fromkeys(group, key))
            continue
        for reading in readings:
            label = _reading_label(reading)
            result.update(dict.fromkeys(reading, f"{key}|{label}"))
        bare = sorted(s for s in group if not marks_of(s))
        result.update(dict.fromkeys(bare, f"{key}|{AMBIGUOUS}"))
        names = tuple(reading[0] for reading in readings)
        ambiguities += [Ambiguity(spelling, names) for spelling in bare]
    return result, ambiguities


def _readings(vowelled: list[str]) -> list[list[str]]:
    """Connected groups of vowelled spellings under "one's marks are a subset of the other's"."""
    parent = {s: s for s in vowelled}

    def root(s: str) -> str:
        while parent[s] != s:
            s = parent[s]
        return s

    marks = {s: marks_of(s) for s in vowelled}
    for i, first in enumerate(vowelled):
        for second in vowelled[i + 1:]:  # spellings of one key: a handful, so pairs are fine
            if marks[first] <= marks[second] or marks[second] <= marks[first]:
                parent[root(second)] = root(first)
    groups: dict[str, list[str]] = {}
    for spelling in vowelled:
        groups.setdefault(root(spelling), []).append(spelling)
    return sorted(groups.values())


def _reading_label(reading: list[str]) -> str:
    """A stable label for one reading: the union of its marks, in letter order."""
    union = sorted(set().union(*(marks_of(s) for s in reading)))
    return ",".join(f"{position}{mark}" for position, mark in union)
