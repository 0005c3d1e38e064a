"""Inverted lists as flat arrays, and the windows of them that related-news ranking visits.

A postings list holds the documents having one key (a text feature, a tag), in ascending order:
documents are numbered newest first, so neighbours in a list are neighbours in time. All lists
live end to end in one array, which lets every article's windows be cut out at once by numpy
instead of one Python slice per article and key (design §6: no loop over all pairs; and at
10,000 articles, not even a Python loop over the 4 million visited entries).
"""

from __future__ import annotations

from dataclasses import dataclass

from .lazy_numpy import np


@dataclass(frozen=True)
class FlatPostings:
    docs: np.ndarray  # int64, the lists end to end, each ascending
    weights: np.ndarray  # float64, beside docs
    start: np.ndarray  # int64 per key: where its list begins in docs
    length: np.ndarray  # int64 per key
    position: np.ndarray  # per entry given to `build`, in input order: its index within its list

    @classmethod
    def build(cls, keys: np.ndarray, docs: np.ndarray, weights: np.ndarray, key_count: int) -> FlatPostings:
        """Lists of the entries (keys[i], docs[i], weights[i]); at most one entry per key and doc."""
        order = np.lexsort((docs, keys))  # by key, then document
        length = np.bincount(keys, minlength=key_count).astype(np.int64)
        start = np.cumsum(length) - length
        position = np.empty(len(keys), dtype=np.int64)
        position[order] = np.arange(len(keys)) - start[keys[order]]
        return cls(docs[order].astype(np.int64), weights[order], start, length, position)

    def windows(self, keys: np.ndarray, positions: np.ndarray, size: int, older_only: bool
                ) -> tuple[np.ndarray, np.ndarray]:
        """The entries visited for each (key, position-in-its-list) query, query by query in order.

        A list no longer than `size` is visited whole; a longer one only around the position: the
        `size` entries centred on it, or with `older_only` those from it onwards (which may be
        fewer at the end of the list). Returns, per visited entry, the index of its query and its
        index in `docs`/`weights`.
        """
        length = self.length[keys]
        centred = np.clip(positions - size // 2, 0, np.maximum(length - size, 0))
        first = np.where(length <= size, 0, positions if older_only else centred)
        count = np.minimum(length - first, size)
        query = np.repeat(np.arange(len(keys)), count)
        offset = np.arange(len(query)) - np.repeat(np.cumsum(count) - count, count)
        return query, self.start[keys][query] + first[query] + offset

    def near(self, keys: np.ndarray, positions: np.ndarray, reach: int) -> tuple[np.ndarray, np.ndarray]:
        """(key, doc) of every entry in a window of `reach` entries centred on each (key,
        position-in-its-list) query: all the entries fewer than reach // 2 + 1 places from it."""
        query, visited = self.windows(keys, positions, reach, older_only=False)
        return keys[query], self.docs[visited]


def rows_of(first: np.ndarray, count: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of each of `groups`, where group g holds rows first[g]..first[g] + count[g] - 1:
    per row, in order, the index of its group in `groups` and the row's index."""
    sizes = count[groups]
    owner = np.repeat(np.arange(len(groups)), sizes)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return owner, first[groups][owner] + offset


def rank_in_group(group: np.ndarray) -> np.ndarray:
    """0, 1, 2... within each run of equal values of a sorted array."""
    index = np.arange(len(group))
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if len(group) else index
    return index - np.repeat(starts, np.diff(np.r_[starts, len(group)]))
