"""Arabic text similarity over sparse vectors and an inverted index (for «أخبار ذات صلة»).

Every article's text features (sitegen.textsim) become a sparse TF-IDF vector, L2-normalised,
keeping its INDEX_FEATURES strongest features. Similar articles are found through postings lists,
never by comparing all pairs: an article's strongest features are looked up, and for a feature so
common that its list is long, only the entries nearest in time are visited. Cost per article is
bounded, so the whole is linear in the number of articles.

A module of its own because of numpy: parsing needs the features, and a build with nothing to do
should not pay for importing numpy.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .lazy_numpy import np
from .postings import FlatPostings, rank_in_group, rows_of
from .textsim import STEM

INDEX_FEATURES = 64  # strongest features kept per article vector
QUERY_FEATURES = 20  # strongest features of an article used to look for neighbours
POSTINGS_WINDOW = 20  # entries visited per feature, nearest in time (all of them for rarer ones)
DENSE_UNIQUE_MIN = 1 << 22  # a table of this many keys is always small enough (20 MB)
REWEIGH_SHARE = 0.5  # updated_vectors weighs at most this share of documents again, else all
STEM_BYTE = ord(STEM)

# An article's features as the build cache keeps them (textsim.Features.encoded): the names in
# UTF-8, one per line, and their counts. Numbered as bytes, never decoded: UTF-8 sorts as the
# code points do, so ties broken by name fall the same way.
EncodedFeatures = tuple[bytes, bytes]


@dataclass(frozen=True)
class TextIndex:
    """The normalised vectors of documents 0..n-1 (in time order), as flat arrays.

    Entries are each document's strongest features, strongest first, documents in order; the
    first QUERY_FEATURES of a document are its query. Floats are computed in the order the
    original per-dict version summed them (bincount adds in input order), so scores do not move
    with the implementation.
    """

    doc: np.ndarray  # per entry (int64)
    feature: np.ndarray  # per entry, feature number (int64)
    weight: np.ndarray  # per entry, L2-normalised TF-IDF weight
    first: np.ndarray  # per document, index of its first entry
    queried: np.ndarray  # per document, how many of its entries form its query
    is_stem: np.ndarray  # per feature
    postings: FlatPostings  # per feature, over all entries
    lookup: np.ndarray  # doc * feature_count + feature, per entry, sorted; for pairwise scores
    lookup_weight: np.ndarray  # beside lookup
    vectors: Vectors  # what it was made of, as another build can compare it

    @classmethod
    def of(cls, vectors: Vectors) -> TextIndex:
        """The index of documents with text vectors `vectors` (its features numbered as there, in
        order of their names)."""
        features, count = len(vectors.names), vectors.count
        doc = np.repeat(np.arange(len(count)), count)
        feature, weight = vectors.feature, vectors.weight
        lookup = doc * features + feature
        by_key = np.argsort(lookup)  # keys are unique (a feature once per document): any sort will do
        is_stem = np.array([name[0] == STEM_BYTE for name in vectors.names], dtype=bool)
        return cls(doc, feature, weight, np.cumsum(count) - count, np.minimum(count, QUERY_FEATURES),
                   is_stem, FlatPostings.build(feature, doc, weight, features),
                   lookup[by_key], weight[by_key], vectors)

    def neighbours(self, docs: np.ndarray, older_only: bool = False
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Documents sharing a strong feature with each of `docs`: (doc, other, weight product)
        per visited postings entry, to be summed per pair into a partial cosine similarity.

        Partial: over each document's strongest features only, which are its most distinctive
        words (the names of the story's people, places and things); that is both cheaper and a
        better measure of "the same story" than the full cosine, where common words add noise.
        Visited in query order, then postings order; the document itself is among the others.
        """
        _, entry = rows_of(self.first, self.queried, docs)
        query, visited = self.postings.windows(self.feature[entry], self.postings.position[entry],
                                               POSTINGS_WINDOW, older_only)
        entry = entry[query]
        similarity = self.weight[entry] * self.postings.weights[visited]
        return self.doc[entry], self.postings.docs[visited], similarity

    def explain(self, docs: np.ndarray, others: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The partial cosine of each pair over the first one's query: (exact tokens, stems)."""
        pair, entry = rows_of(self.first, self.queried, docs)
        wanted = others[pair] * len(self.is_stem) + self.feature[entry]
        found = np.minimum(np.searchsorted(self.lookup, wanted), len(self.lookup) - 1)
        shared = self.lookup[found] == wanted
        pair, entry, found = pair[shared], entry[shared], found[shared]
        product = self.weight[entry] * self.lookup_weight[found]
        stem = self.is_stem[self.feature[entry]]
        return (np.bincount(pair[~stem], weights=product[~stem], minlength=len(docs)),
                np.bincount(pair[stem], weights=product[stem], minlength=len(docs)))

    def affected_by(self, before: Vectors) -> tuple[np.ndarray, np.ndarray]:
        """(changed, reached): the documents whose vectors differ from `before`'s (of the same
        documents), and every document that can see one of them in the text index: the changed
        ones, and each one within reach of a changed one (near enough to share a window) in the
        postings list of a feature it queries, as the lists are now or were then.

        For any other document, its query, the entries its windows visit (documents and weights)
        and its pairwise scores (`explain`) with every unchanged document are as they were; none
        of the changed ones is among its neighbours, now or then (a changed document can still be
        its candidate through a tag: related.Relater._ranked_again adds those)."""
        names = self.vectors.names
        if len(before.count) != len(self.first):  # not the same documents: every one changed
            everyone = np.arange(len(self.first))
            return everyone, everyone
        renamed = before.renamed(names)
        changed = self.vectors.changed_since(before, renamed)
        if len(changed) == 0:
            return changed, changed
        # A window holds the document's own entry and is at most POSTINGS_WINDOW long: anyone in
        # it is fewer than POSTINGS_WINDOW places away, and those are all in a window of twice that.
        reach = 2 * POSTINGS_WINDOW - 1
        _, entry = rows_of(self.first, self.vectors.count, changed)
        feature_now, near_now = self.postings.near(self.feature[entry], self.postings.position[entry], reach)
        lists_then, keys_then, entries_then = _lists_then(before, renamed, changed, len(names))
        feature_then, near_then = lists_then.near(keys_then, lists_then.position[entries_then], reach)
        feature = np.concatenate([feature_now, feature_then])
        near = np.concatenate([near_now, near_then])
        # Of those, the ones whose query holds the feature.
        queried = self._query_entries
        queries = np.sort(self.doc[queried] * len(self.is_stem) + self.feature[queried])
        wanted = near * len(self.is_stem) + feature
        found = np.minimum(np.searchsorted(queries, wanted), max(len(queries) - 1, 0))
        querying = queries[found] == wanted if len(queries) else np.zeros(len(wanted), dtype=bool)
        return changed, np.union1d(changed, near[querying])

    @functools.cached_property
    def _query_entries(self) -> np.ndarray:
        return rows_of(self.first, self.queried, np.arange(len(self.first)))[1]


def _lists_then(before: Vectors, renamed: np.ndarray, changed: np.ndarray, features: int
                ) -> tuple[FlatPostings, np.ndarray, np.ndarray]:
    """The postings lists, as they were in `before`, of the features the `changed` documents had
    then (numbered by `renamed` into `features` numbers; a feature no document has now is left
    out: only a changed document can have had it); and the keys of the changed documents'
    entries in them and where those entries are in the lists' input."""
    doc = np.repeat(np.arange(len(before.count)), before.count)
    feature = renamed[before.feature]
    is_changed = np.zeros(len(before.count), dtype=bool)
    is_changed[changed] = True
    theirs = np.zeros(features + 1, dtype=bool)  # the last: features gone (-1)
    theirs[feature[is_changed[doc]]] = True
    theirs[-1] = False
    listed = theirs[feature]
    doc, feature = doc[listed], feature[listed]
    lists = FlatPostings.build(feature, doc, np.zeros(len(doc)), features)
    mine = np.flatnonzero(is_changed[doc])
    return lists, feature[mine], mine


def vectors_of(encoded: Sequence[EncodedFeatures], stem_weight: float, digests: Sequence[bytes] | None = None,
               before: Numbering | None = None) -> tuple[Vectors, Numbering]:
    """The text vectors of documents whose features are known (`Features.of(pack(features(text)))
    .encoded` of each, and their `Features.digest`s if known), and their features numbered as
    `before` did where it can (Numbering.of)."""
    numbering = Numbering.of(encoded, digests, before)
    n = len(encoded)
    doc, feature, weight, by_name = _weighed(np.repeat(np.arange(n), numbering.size), numbering.feature,
                                             _term_frequencies(encoded), numbering, _frequencies(numbering),
                                             stem_weight)
    return Vectors.named(numbering.names, by_name, feature, weight, np.bincount(doc, minlength=n)), numbering


def updated_vectors(basis: Vectors, basis_numbering: Numbering, encoded: Sequence[EncodedFeatures],
                    digests: Sequence[bytes], stem_weight: float) -> tuple[Vectors, Numbering] | None:
    """`vectors_of(encoded, stem_weight, digests, basis_numbering)`, from `basis`: the vectors
    weighed, with that stem weight and this code, when the documents' features were those of
    `basis_numbering`. Only the documents whose features changed since, and those having a
    feature whose document frequency changed, are weighed again; the others keep their entries,
    which are what weighing them again would give (an entry is a function of the document's
    features and their document frequencies). None when that is not much less than weighing all
    (or the documents are not as many as then: every IDF moves)."""
    n = len(encoded)
    if len(basis.count) != n or len(basis_numbering.digests or ()) != n:
        return None
    numbering = Numbering.of(encoded, digests, basis_numbering)
    df = _frequencies(numbering)
    moved = df != np.bincount(basis_numbering.feature, minlength=len(df))  # per feature number
    doc = np.repeat(np.arange(n), numbering.size)
    changed = [d for d, (now, then) in enumerate(zip(digests, basis_numbering.digests or (), strict=True))
               if now != then]
    again = np.union1d(np.array(changed, dtype=np.int64), doc[moved[numbering.feature]])
    if len(again) > n * REWEIGH_SHARE:
        return None
    owner, rows = rows_of(np.cumsum(numbering.size) - numbering.size, numbering.size, again)
    doc, feature, weight, _ = _weighed(again[owner], numbering.feature[rows],
                                       _term_frequencies([encoded[d] for d in again.tolist()]),
                                       numbering, df, stem_weight)
    return basis.with_rows(again, doc, [numbering.names[f] for f in feature.tolist()], weight), numbering


def _frequencies(numbering: Numbering) -> np.ndarray:
    """Per feature number, how many documents have it."""
    return np.bincount(numbering.feature, minlength=len(numbering.names))


def _weighed(doc: np.ndarray, feature: np.ndarray, tf: np.ndarray, numbering: Numbering, df: np.ndarray,
             stem_weight: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The entries of documents `doc` (each document's features, in its own order, with their
    counts `tf`): each document's INDEX_FEATURES strongest features, strongest first, with their
    TF-IDF weights normalised, IDF counted over all of `numbering`'s documents (`df`: their
    _frequencies); and per feature number the rank of its name among those present (_name_ranks)."""
    present = np.flatnonzero(np.bincount(feature, minlength=len(numbering.names)))
    present_names = [numbering.names[f] for f in present.tolist()]
    idf = np.full(len(numbering.names), -1.0)
    idf[present] = _idf(present_names, df[present], len(numbering.size), stem_weight)
    by_name = np.zeros(len(numbering.names), dtype=np.int64)
    by_name[present] = _name_ranks(present_names)
    kept = idf[feature] >= 0
    doc, feature, raw = _strongest(doc[kept], feature[kept], tf[kept], idf, by_name)
    norm = np.sqrt(np.bincount(doc, weights=raw * raw))
    norm[norm == 0] = 1.0
    strong = raw > 0  # a zero weight (stem_weight = 0) counts in the norm but links nothing
    return doc[strong], feature[strong], raw[strong] / norm[doc[strong]], by_name


def _idf(names: list[bytes], df: np.ndarray, n: int, stem_weight: float) -> np.ndarray:
    """Per feature: its IDF (stems weigh less), or -1 for a feature no other document has, which
    cannot link anything and would only dilute the norm."""
    return np.array([math.log(1 + n / count) * (stem_weight if name[0] == STEM_BYTE else 1.0)
                     if count > 1 else -1.0 for name, count in zip(names, df.tolist(), strict=True)])


def _name_ranks(names: list[bytes]) -> np.ndarray:
    """Per feature number, the rank of its name in sorted order."""
    by_name = np.empty(len(names), dtype=np.int64)
    by_name[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    return by_name


def _strongest(doc: np.ndarray, feature: np.ndarray, tf: np.ndarray, idf: np.ndarray, by_name: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each document's INDEX_FEATURES strongest entries with their TF-IDF weight, strongest first;
    equal weights by feature name, as sorting (-weight, name) pairs did.

    A weight depends only on (feature, tf), and a corpus has far fewer distinct pairs than
    entries: the pairs are ranked once, and the entries then sorted by one integer, document and
    rank, which is several times faster than a three-key lexsort of millions of entries.
    """
    width = int(tf.max(initial=0)) + 1
    pairs, pair_of_entry = _unique(feature * width + tf, len(by_name) * width)
    pair_feature, pair_tf = np.divmod(pairs, width)
    log_tf = np.array([0.0] + [math.log(count) for count in range(1, width)])
    pair_weight = (1 + log_tf[pair_tf]) * idf[pair_feature]
    strongest = np.lexsort((by_name[pair_feature], -pair_weight))
    rank = np.empty(len(pairs), dtype=np.int64)
    rank[strongest] = np.arange(len(pairs))
    key = np.sort(doc * len(pairs) + rank[pair_of_entry])
    doc, pair = np.divmod(key, len(pairs))
    pair = strongest[pair]
    top = rank_in_group(doc) < INDEX_FEATURES
    return doc[top], pair_feature[pair[top]], pair_weight[pair[top]]


@dataclass(frozen=True)
class Vectors:
    """Every document's entries, in order, as (feature name, weight): what ranking reads of an
    index. Features are numbered in order of first appearance, which another build may not repeat
    (a word met earlier now, even one too rare to be kept), so here they are numbered in order of
    their names instead, which a build with the same vectors repeats."""

    names: list[bytes]  # of the features in use, sorted
    count: np.ndarray  # per document, its number of entries (int64)
    feature: np.ndarray  # per entry, its feature's index in `names` (int64)
    weight: np.ndarray  # per entry (float64)

    @classmethod
    def named(cls, names: list[bytes], by_name: np.ndarray, feature: np.ndarray, weight: np.ndarray,
              count: np.ndarray) -> Vectors:
        used = np.flatnonzero(np.bincount(feature, minlength=len(names)))  # np.unique without sorting
        in_name_order = used[np.argsort(by_name[used])]
        renumbered = np.empty(len(names), dtype=np.int64)
        renumbered[in_name_order] = np.arange(len(used))
        return cls([names[f] for f in in_name_order.tolist()], count.astype(np.int64),
                   renumbered[feature], weight.astype(np.float64))

    def with_rows(self, docs: np.ndarray, doc: np.ndarray, names: list[bytes], weight: np.ndarray) -> Vectors:
        """These vectors with the entries of documents `docs` (ascending) replaced by the entries
        (doc, feature name, weight) given, documents ascending, each one's strongest first.
        These very vectors if those are the entries they have (a word no other document has)."""
        owner, entry = self._entries(docs)
        if (np.array_equal(docs[owner], doc) and np.array_equal(self.weight[entry], weight)
                and [self.names[f] for f in self.feature[entry].tolist()] == names):
            return self
        n = len(self.count)
        old_doc = np.repeat(np.arange(n), self.count)
        replaced = np.zeros(n, dtype=bool)
        replaced[docs] = True
        kept = ~replaced[old_doc]
        new_names = set(names).difference(self.names)
        if new_names:  # numbered anew in name order (a sort of two sorted runs)
            all_names = sorted(self.names + sorted(new_names))
            number = {name: index for index, name in enumerate(all_names)}
            old_feature = np.array([number[name] for name in self.names], dtype=np.int64)[self.feature[kept]]
        else:  # the same names, the same numbers: each given one looked up in the sorted names
            all_names, old_feature = self.names, self.feature[kept]
            number = {name: bisect.bisect_left(all_names, name) for name in set(names)}
        new_feature = np.fromiter(map(number.__getitem__, names), dtype=np.int64, count=len(names))
        every_doc = np.concatenate([old_doc[kept], doc])
        # Two runs, each ascending by document: a stable sort merges them, entries keeping their order.
        order = np.argsort(every_doc, kind="stable")
        feature = np.concatenate([old_feature, new_feature])[order]
        weight = np.concatenate([self.weight[kept], weight])[order]
        return Vectors.named(all_names, np.arange(len(all_names)), feature, weight,
                             np.bincount(every_doc, minlength=n))

    @functools.cached_property
    def digest(self) -> bytes:
        """Equal digests, equal vectors."""
        h = hashlib.blake2b(digest_size=16)
        h.update(b"%d %d\n" % (len(self.count), len(self.names)) + b"\n".join(self.names))
        for part in (self.count, self.feature, self.weight):
            h.update(np.ascontiguousarray(part).tobytes())
        return h.digest()

    def changed_since(self, before: Vectors, renamed: np.ndarray) -> np.ndarray:
        """The documents whose entries differ from `before`'s, of the same documents (`renamed`:
        before.renamed(self.names))."""
        same_count = np.flatnonzero(before.count == self.count)
        _, now = self._entries(same_count)
        owner, then = before._entries(same_count)  # row for row beside `now`
        differs = renamed[before.feature[then]] != self.feature[now]
        differs |= before.weight[then] != self.weight[now]
        return np.union1d(np.flatnonzero(before.count != self.count), same_count[owner[differs]])

    def renamed(self, names: list[bytes]) -> np.ndarray:
        """Per feature here, its index in `names`, or -1 if it is not there (which matches nothing)."""
        position = {name: index for index, name in enumerate(names)}
        return np.array([position.get(name, -1) for name in self.names], dtype=np.int64)

    def _entries(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return rows_of(np.cumsum(self.count) - self.count, self.count, docs)


def _numbers_of(names: bytes, numbers: defaultdict[bytes, int]) -> np.ndarray:
    """The numbers of one document's features (`names`, one per line)."""
    split = names.split(b"\n") if names else []
    return np.fromiter(map(numbers.__getitem__, split), dtype=np.int64, count=len(split))


def _term_frequencies(encoded: Sequence[EncodedFeatures]) -> np.ndarray:
    """Per entry (documents in order), the count of its feature in its document."""
    return np.frombuffer(b"".join(counts for _, counts in encoded), dtype=np.dtype("I")).astype(np.int64)


def _unique(keys: np.ndarray, domain: int) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(keys, return_inverse=True) for keys in range(domain): a table of the keys
    present instead of sorting them, several times faster (millions of entries) while the table
    stays small beside the keys (10,000 articles: 1.7 million keys, a table of 55,000)."""
    if domain > max(DENSE_UNIQUE_MIN, 2 * len(keys)):
        return np.unique(keys, return_inverse=True)
    present = np.zeros(domain, dtype=bool)
    present[keys] = True
    return np.flatnonzero(present), (np.cumsum(present, dtype=np.int32) - 1)[keys]


@dataclass(frozen=True)
class Numbering:
    """Every document's features by number: the names, numbered in order of first appearance
    (after those of the numbering it continues), and per document the numbers of its features,
    in its own order.

    Numbering 10,000 articles' 1.7 million features is half of building their index, and an edit
    changes the features of one or two: so a build keeps its numbering (related_cache.py) and the
    next numbers only documents whose features it has not seen, known by their digest
    (textsim.Features.digest: equal digests, equal names in the same order). Feature numbers are
    only ever compared with each other, never ordered (ties go by name, see _name_ranks): an index
    numbered otherwise has the same vectors, neighbours and scores.
    """

    names: list[bytes]
    digests: tuple[bytes, ...] | None  # per document (None: not known, nothing to keep)
    size: np.ndarray  # per document, its number of features (int64)
    feature: np.ndarray  # per entry, documents in order (int64)

    @classmethod
    def of(cls, encoded: Sequence[EncodedFeatures], digests: Sequence[bytes] | None = None,
           before: Numbering | None = None) -> Numbering:
        """The documents' features numbered; those of a document `before` has (by digest) are
        taken from it, and its names keep their numbers. A new name gets the next number as it is
        first looked up, all of it in C."""
        reused = before if before is not None and digests is not None else None
        names_before = reused.names if reused is not None else []
        numbers: defaultdict[bytes, int] = defaultdict(itertools.count(len(names_before)).__next__,
                                                       zip(names_before, itertools.count()))
        known = reused.position if reused is not None else {}
        stored = reused.feature if reused is not None else np.zeros(0, np.int64)
        parts = []
        for (names, _), digest in zip(encoded, digests if digests is not None else [b""] * len(encoded),
                                      strict=True):
            where = known.get(digest)
            parts.append(stored[where[0]:where[1]] if where is not None else _numbers_of(names, numbers))
        size = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        feature = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        return cls(list(numbers), tuple(digests) if digests is not None else None, size, feature)

    @functools.cached_property
    def position(self) -> dict[bytes, tuple[int, int]]:
        """Per document digest, where its features are in `feature`."""
        end = np.cumsum(self.size)
        return dict(zip(self.digests or (), zip((end - self.size).tolist(), end.tolist(), strict=True),
                        strict=True))

    def compacted(self) -> Numbering:
        """The same, numbering only the names some document has (an edit leaves names behind)."""
        used = np.zeros(len(self.names), dtype=bool)
        used[self.feature] = True
        if used.all():
            return self
        renumbered = np.cumsum(used) - 1
        kept = np.flatnonzero(used).tolist()
        return Numbering([self.names[f] for f in kept], self.digests, self.size, renumbered[self.feature])
