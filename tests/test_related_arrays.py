"""Related-news ranking over flat arrays against the per-article dictionaries it replaced: the same
windows, the same vectors and the same float sums, on random small corpora."""

from __future__ import annotations

import math
from array import array
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen import text_index, textsim
from sitegen.postings import FlatPostings, rank_in_group, rows_of

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEATURES = ["نفط", "~نفط", "عمان", "~عمان", "الانتخابات", "~انتخاب", "Hugo", "مدرسة", "~مدرس", "سد"]
DOCUMENTS = st.lists(st.dictionaries(st.sampled_from(FEATURES), st.integers(1, 6), max_size=8),
                     min_size=1, max_size=14)


def index_from(encoded: list[text_index.EncodedFeatures], stem_weight: float) -> text_index.TextIndex:
    return text_index.TextIndex.of(text_index.vectors_of(encoded, stem_weight)[0])


def plain_window(docs: list[int], doc: int, older_only: bool, size: int) -> list[int]:
    """The window of one postings list as first written, with a bisect on a Python list."""
    if len(docs) <= size:
        return docs
    at = docs.index(doc)
    start = at if older_only else max(0, min(at - size // 2, len(docs) - size))
    return docs[start: start + size]


@FUZZ
@given(st.lists(st.sets(st.integers(0, 5), max_size=6), min_size=1, max_size=40),
       st.integers(1, 6), st.booleans())
def test_windows_are_the_slices_of_each_list(keys_per_doc, size, older_only):
    entries = [(key, doc) for doc, keys in enumerate(keys_per_doc) for key in sorted(keys)]
    if not entries:
        return
    keys = np.array([key for key, _ in entries])
    docs = np.array([doc for _, doc in entries])
    postings = FlatPostings.build(keys, docs, docs * 0.5, 6)
    query, visited = postings.windows(keys, postings.position, size, older_only)
    for number, (key, doc) in enumerate(entries):
        wanted = plain_window([d for k, d in entries if k == key], doc, older_only, size)
        assert postings.docs[visited[query == number]].tolist() == wanted
        assert postings.weights[visited[query == number]].tolist() == [d * 0.5 for d in wanted]


def test_rows_of_groups_and_ranks_within_runs():
    first, count = np.array([0, 2, 2, 5]), np.array([2, 0, 3, 1])
    owner, row = rows_of(first, count, np.array([2, 0, 1, 3]))
    assert owner.tolist() == [0, 0, 0, 1, 1, 3]
    assert row.tolist() == [2, 3, 4, 0, 1, 5]
    assert rank_in_group(np.array([4, 4, 4, 7, 9, 9])).tolist() == [0, 1, 2, 0, 0, 1]
    assert rank_in_group(np.array([], dtype=np.int64)).tolist() == []


def plain_index(raw: list[dict[str, int]], stem_weight: float):
    """TextIndex as first written: a dict of normalised weights per document, strongest first."""
    df = Counter(f for doc in raw for f in doc)
    idf = {f: math.log(1 + len(raw) / count) * (stem_weight if f[0] == textsim.STEM else 1.0)
           for f, count in df.items() if count > 1}
    ranked = []
    for doc in raw:
        weights = sorted([(-(1 + math.log(tf)) * idf[f], f) for f, tf in doc.items() if f in idf])
        weights = weights[: text_index.INDEX_FEATURES]
        norm = math.sqrt(sum(w * w for w, _ in weights)) or 1.0
        ranked.append([(f, -w / norm) for w, f in weights if w < 0])
    return ranked


@FUZZ
@given(DOCUMENTS, st.sampled_from([0.0, 0.5, 1.0]), st.booleans())
def test_text_index_keeps_the_same_vectors_neighbours_and_cosines(raw, stem_weight, older_only):
    check_index(raw, stem_weight, older_only)


@FUZZ
@given(DOCUMENTS, st.sampled_from([0.5, 1.0]), st.booleans())
def test_the_same_when_limits_cut_vectors_queries_and_windows(raw, stem_weight, older_only):
    # Small limits, so that ties in weight at the cut (broken by feature name) are exercised.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_index, "INDEX_FEATURES", 4)
        patch.setattr(text_index, "QUERY_FEATURES", 2)
        patch.setattr(text_index, "POSTINGS_WINDOW", 3)
        check_index(raw, stem_weight, older_only)


def check_index(raw: list[dict[str, int]], stem_weight: float, older_only: bool) -> None:
    index = index_of(raw, stem_weight)
    ranked = plain_index(raw, stem_weight)
    for doc, vector in enumerate(ranked):
        rows = index.doc == doc
        assert index.weight[rows].tolist() == [w for _, w in vector]
    docs = np.arange(len(raw))
    doc, other, similarity = index.neighbours(docs, older_only)
    for d, vector in enumerate(ranked):
        expected: dict[int, float] = {}
        for feature, weight in vector[: text_index.QUERY_FEATURES]:
            having = [o for o, v in enumerate(ranked) if feature in dict(v)]
            for o in plain_window(having, d, older_only, text_index.POSTINGS_WINDOW):
                expected[o] = expected.get(o, 0.0) + weight * dict(ranked[o])[feature]
        found: dict[int, float] = {}
        for o, s in zip(other[doc == d].tolist(), similarity[doc == d].tolist(), strict=True):
            found[o] = found.get(o, 0.0) + s
        assert found == expected
    pairs = np.array([(d, o) for d in docs for o in docs]).reshape(-1, 2)
    tokens, stems = index.explain(pairs[:, 0], pairs[:, 1])
    for (d, o), t, s in zip(pairs.tolist(), tokens.tolist(), stems.tolist(), strict=True):
        theirs = dict(ranked[o])
        shared = [(f, w * theirs[f]) for f, w in ranked[d][: text_index.QUERY_FEATURES] if f in theirs]
        assert (t, s) == (sum(p for f, p in shared if f[0] != textsim.STEM),
                          sum(p for f, p in shared if f[0] == textsim.STEM))



def test_a_related_story_makes_its_score_from_the_ranking_when_asked():
    from sitegen.related import Ranking, Related

    scores = np.arange(18, dtype=float).reshape(3, 6) / 7
    ranking = Ranking([0, 3], [0, 1, 2], array("d", scores.tobytes()))  # as ranked or stored: flat
    lazy = Related("article", None, ranking, 1)  # type: ignore[arg-type]
    assert lazy._score is None
    assert lazy.score == ranking.score(1) == tuple(scores[1].tolist()) + (False,)
    assert lazy == Related("article", ranking.score(1)) != Related("article", ranking.score(2))  # type: ignore[arg-type]


def halves(places: int) -> st.SearchStrategy[float]:
    """Floats next to k + 0.5 units of the last place kept: where scaling can tip the rounding."""
    middle = st.integers(-(10 ** 15), 10 ** 15).map(lambda k: (k + 0.5) / 10.0 ** places)
    return st.tuples(middle, st.sampled_from([-2, -1, 0, 1, 2])).map(
        lambda pair: _step(pair[0], pair[1]))


def _step(value: float, steps: int) -> float:
    for _ in range(abs(steps)):
        value = math.nextafter(value, math.inf if steps > 0 else -math.inf)
    return value


@FUZZ
@given(st.lists(st.floats(allow_nan=False) | halves(9) | st.floats(-10, 10), min_size=1, max_size=50))
def test_scores_are_rounded_bit_for_bit_as_python_rounds_them(values):
    from sitegen.related import rounded_as_python

    got = rounded_as_python(np.array(values), 9)
    assert [float(v).hex() for v in got] == [round(v, 9).hex() for v in values]


def test_the_index_digest_names_features_whatever_their_numbers():
    docs = [{"نفط": 3, "عمان": 1, "سد": 2}, {"سد": 1, "نفط": 2}, {"عمان": 2, "مدرسة": 1, "سد": 1}]

    def digest(documents: list[dict[str, int]]) -> bytes:
        encoded = [textsim.Features.of(textsim.pack(doc)).encoded for doc in documents]
        return index_from(encoded, 0.5).vectors.digest

    # The same vectors with the features met in another order (so numbered otherwise): the same.
    reordered = [dict(reversed(list(doc.items()))) for doc in docs]
    assert text_index.Numbering.of([textsim.Features.of(textsim.pack(d)).encoded for d in reordered]).names \
        != text_index.Numbering.of([textsim.Features.of(textsim.pack(d)).encoded for d in docs]).names
    assert digest(reordered) == digest(docs)
    # A word only one document has is not in the index: the same.
    assert digest([{**docs[0], "زلزال": 4}, *docs[1:]]) == digest(docs)
    # A weight, a feature or the documents' order changed: another digest.
    assert digest([{**docs[0], "نفط": 4}, *docs[1:]]) != digest(docs)
    assert digest([{**docs[0], "مدرسة": 1}, *docs[1:]]) != digest(docs)
    assert digest(list(reversed(docs))) != digest(docs)


def index_of(raw: list[dict[str, int]], stem_weight: float) -> text_index.TextIndex:
    return index_from([textsim.Features.of(textsim.pack(doc)).encoded for doc in raw], stem_weight)


def edit(doc: dict[str, int], how: str, data: st.DataObject) -> dict[str, int]:
    """`doc` kept, with its words counted otherwise (the same features), or replaced."""
    if how == "keep":
        return doc
    if how == "recount":
        return {feature: data.draw(st.integers(1, 6)) for feature in doc}
    return data.draw(st.dictionaries(st.sampled_from(FEATURES), st.integers(1, 6), max_size=8))


def what_ranking_reads(index: text_index.TextIndex, doc: int, older_only: bool,
                       others: np.ndarray | None = None) -> tuple:
    """Of one document: its neighbours (visited entries, in order) and its partial cosines with
    `others` (every document): all that ranking reads of the text index."""
    others = np.arange(len(index.first)) if others is None else others
    _, other, similarity = index.neighbours(np.array([doc]), older_only)
    tokens, stems = index.explain(np.full(len(others), doc), others)
    return other.tolist(), similarity.tolist(), tokens.tolist(), stems.tolist()


@FUZZ
@given(DOCUMENTS, st.data(), st.sampled_from([0.5, 1.0]), st.booleans(), st.booleans())
def test_documents_not_affected_by_an_edit_read_the_same_from_the_index(raw, data, stem_weight,
                                                                         older_only, small_limits):
    """TextIndex.affected_by: every document it does not reach has the same neighbours, none of
    them changed, and the same scores with every unchanged document."""
    edited = [edit(doc, data.draw(st.sampled_from(["keep", "keep", "recount", "replace"])), data)
              for doc in raw]
    with pytest.MonkeyPatch.context() as patch:
        if small_limits:  # windows and cut vectors exercised on small corpora too
            patch.setattr(text_index, "INDEX_FEATURES", 4)
            patch.setattr(text_index, "QUERY_FEATURES", 2)
            patch.setattr(text_index, "POSTINGS_WINDOW", 3)
        before, after = index_of(raw, stem_weight), index_of(edited, stem_weight)
        changed, reached = after.affected_by(before.vectors)
        assert set(changed.tolist()) == {doc for doc in range(len(raw))
                                         if vector_of(after, doc) != vector_of(before, doc)}
        unchanged = np.setdiff1d(np.arange(len(raw)), changed)
        for doc in np.setdiff1d(np.arange(len(raw)), reached).tolist():
            now = what_ranking_reads(after, doc, older_only, unchanged)
            assert now == what_ranking_reads(before, doc, older_only, unchanged)
            assert not set(now[0]) & set(changed.tolist())
        assert [found.tolist() for found in after.affected_by(after.vectors)] == [[], []]


def test_an_edit_reaches_a_document_whose_window_at_the_start_of_a_list_holds_it(monkeypatch):
    """A window cut at the start of a list runs POSTINGS_WINDOW - 1 places past the document."""
    monkeypatch.setattr(text_index, "POSTINGS_WINDOW", 3)
    monkeypatch.setattr(text_index, "QUERY_FEATURES", 2)
    raw = [{}, {"نفط": 1}, {"نفط": 1, "~نفط": 1}, {"نفط": 1, "~نفط": 2}, {"نفط": 1}]
    before = index_of(raw, 0.5)
    after = index_of([*raw[:3], {"نفط": 1, "~نفط": 1}, raw[4]], 0.5)
    _, other, _ = after.neighbours(np.array([1]))
    assert other.tolist() == [1, 2, 3]  # the list of نفط is 1, 2, 3, 4: document 1 sees 3
    assert [found.tolist() for found in after.affected_by(before.vectors)] == [[3], [1, 2, 3, 4]]


def vector_of(index: text_index.TextIndex, doc: int) -> list[tuple[bytes, float]]:
    rows = slice(index.first[doc], index.first[doc] + index.vectors.count[doc])
    return [(index.vectors.names[f], w) for f, w in zip(index.feature[rows].tolist(), index.weight[rows].tolist(),
                                                        strict=True)]


def test_an_edit_far_from_a_document_leaves_it_unaffected():
    raw = [{"نفط": 3, "عمان": 2}, {"نفط": 2, "عمان": 1}, {"مدرسة": 2, "سد": 1}, {"مدرسة": 1, "سد": 2}]
    before = index_of(raw, 0.5)
    after = index_of([raw[0], raw[1], raw[2], {"مدرسة": 3, "سد": 2}], 0.5)
    assert [found.tolist() for found in after.affected_by(before.vectors)] == [[3], [2, 3]]


def encoded_and_digests(raw: list[dict[str, int]]) -> tuple[list[text_index.EncodedFeatures], list[bytes]]:
    found = [textsim.Features.of(textsim.pack(doc)) for doc in raw]
    return [f.encoded for f in found], [f.digest for f in found]


@FUZZ
@given(DOCUMENTS, st.data(), st.sampled_from([0.5, 1.0]), st.booleans(), st.booleans())
def test_an_index_numbered_as_an_earlier_one_reads_the_same_as_one_numbered_afresh(
        raw, data, stem_weight, older_only, compact):
    """Features numbered by an earlier build's numbering (text_index.Numbering), with documents
    edited, added and dropped since: the same vectors, neighbours and cosines as numbered anew."""
    edited = [edit(doc, data.draw(st.sampled_from(["keep", "keep", "recount", "replace"])), data)
              for doc in raw]
    edited = data.draw(st.permutations(edited + data.draw(DOCUMENTS)))[: data.draw(st.integers(1, 20))]
    before = text_index.Numbering.of(*encoded_and_digests(raw))
    before = before.compacted() if compact else before
    encoded, digests = encoded_and_digests(edited)
    fresh = index_from(encoded, stem_weight)
    vectors, numbering = text_index.vectors_of(encoded, stem_weight, digests, before)
    again = text_index.TextIndex.of(vectors)
    assert again.vectors.digest == fresh.vectors.digest
    assert again.weight.tolist() == fresh.weight.tolist() and again.first.tolist() == fresh.first.tolist()
    for doc in range(len(edited)):
        assert what_ranking_reads(again, doc, older_only) == what_ranking_reads(fresh, doc, older_only)
    # What it took from the earlier numbering: the numbers of documents with the same features.
    ends = np.cumsum(numbering.size)
    for doc, digest in enumerate(digests):
        rows = slice(ends[doc] - numbering.size[doc], ends[doc])
        assert [numbering.names[f] for f in numbering.feature[rows]] == \
            (encoded[doc][0].split(b"\n") if encoded[doc][0] else [])
        if digest in before.position:
            start, end = before.position[digest]
            assert numbering.feature[rows].tolist() == before.feature[start:end].tolist()


def test_a_compacted_numbering_names_only_the_features_in_use():
    first = text_index.Numbering.of(*encoded_and_digests([{"نفط": 1, "سد": 2}, {"عمان": 1}]))
    then = text_index.Numbering.of(*encoded_and_digests([{"نفط": 2, "سد": 2}, {"عمان": 1}]), first)
    assert [name.decode() for name in then.names] == ["نفط", "سد", "عمان"]
    assert then.position.keys() == set(encoded_and_digests([{"نفط": 2, "سد": 2}, {"عمان": 1}])[1])
    edited = text_index.Numbering.of(*encoded_and_digests([{"سد": 2}, {"عمان": 1}]), then)
    assert [name.decode() for name in edited.names] == ["نفط", "سد", "عمان"]  # نفط left behind
    compact = edited.compacted()
    assert [name.decode() for name in compact.names] == ["سد", "عمان"]
    assert [compact.names[f].decode() for f in compact.feature.tolist()] == ["سد", "عمان"]
    assert compact.size.tolist() == edited.size.tolist() and compact.digests == edited.digests


@FUZZ
@given(DOCUMENTS, st.data(), st.sampled_from([0.0, 0.5, 1.0]), st.booleans(), st.booleans())
def test_vectors_updated_from_earlier_ones_are_the_vectors_weighed_afresh(raw, data, stem_weight,
                                                                         small_limits, compact):
    """text_index.updated_vectors: the same names, entries and weights, bit for bit, as weighing
    every document's features again; and the same numbering as vectors_of gives."""
    edited = [edit(doc, data.draw(st.sampled_from(["keep", "keep", "recount", "replace"])), data)
              for doc in raw]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_index, "REWEIGH_SHARE", 1.0)  # never weighed afresh instead
        if small_limits:  # ties at the cut exercised on small corpora too
            patch.setattr(text_index, "INDEX_FEATURES", 2)
        encoded, digests = encoded_and_digests(raw)
        basis, numbering = text_index.vectors_of(encoded, stem_weight, digests)
        encoded, digests = encoded_and_digests(edited)
        updated = text_index.updated_vectors(basis, numbering.compacted() if compact else numbering,
                                             encoded, digests, stem_weight)
        fresh = text_index.vectors_of(encoded, stem_weight)[0]
        renumbered = text_index.vectors_of(encoded, stem_weight, digests, numbering)[1]
    assert updated is not None
    vectors, numbering = updated
    assert (vectors.names, vectors.count.tolist(), vectors.feature.tolist()) == \
        (fresh.names, fresh.count.tolist(), fresh.feature.tolist())
    assert [w.hex() for w in vectors.weight.tolist()] == [w.hex() for w in fresh.weight.tolist()]
    assert vectors.digest == fresh.digest
    if not compact:
        assert numbering.names == renumbered.names and numbering.feature.tolist() == renumbered.feature.tolist()


def test_only_documents_whose_weights_can_move_are_weighed_again(monkeypatch):
    weighed: list[list[int]] = []
    weigh = text_index._weighed

    def counted(doc, *rest):
        weighed.append(sorted(set(doc.tolist())))
        return weigh(doc, *rest)

    docs = [{"نفط": 3, "عمان": 1}, {"نفط": 2, "سد": 1}, {"عمان": 2, "مدرسة": 1}, {"مدرسة": 1, "سد": 2}]
    encoded, digests = encoded_and_digests(docs)
    basis, numbering = text_index.vectors_of(encoded, 0.5, digests)
    monkeypatch.setattr(text_index, "_weighed", counted)

    def updated(edited: list[dict[str, int]]) -> list[int]:
        weighed.clear()
        found = text_index.updated_vectors(basis, numbering, *encoded_and_digests(edited), 0.5)
        assert found is not None and found[0].digest == text_index.vectors_of(encoded_and_digests(edited)[0],
                                                                               0.5)[0].digest
        return weighed[0]

    # A word no other document has, or counted again: only that document.
    assert updated([docs[0], {**docs[1], "زلزال": 2}, *docs[2:]]) == [1]
    assert updated([docs[0], {"نفط": 1, "سد": 1}, *docs[2:]]) == [1]
    # ... and when its entries come out as they were, the vectors are those it started from.
    unmoved = text_index.updated_vectors(basis, numbering, *encoded_and_digests([docs[0], {**docs[1], "زلزال": 2},
                                                                                *docs[2:]]), 0.5)
    assert unmoved is not None and unmoved[0] is basis
    # A word taken out: every document having it (its document frequency moved).
    assert updated([docs[0], {"نفط": 2}, *docs[2:]]) == [1, 3]
    # Documents not as many as then: none updated, every IDF moved.
    assert text_index.updated_vectors(basis, numbering, *encoded_and_digests(docs[:3]), 0.5) is None
    # More than REWEIGH_SHARE of them to weigh again: weighed afresh instead.
    monkeypatch.setattr(text_index, "REWEIGH_SHARE", 0.4)
    assert text_index.updated_vectors(basis, numbering, *encoded_and_digests(
        [docs[0], {"نفط": 2}, *docs[2:]]), 0.5) is None


@FUZZ
@given(st.lists(st.sets(st.sampled_from(["سياسة", "اقتصاد", "عمان", "Hugo"]), max_size=3), min_size=1, max_size=30),
       st.booleans())
def test_the_articles_near_one_in_its_terms_lists_are_all_that_can_see_it(keys, older_only):
    """related._Terms.near: every article whose tag windows hold an article is near it."""
    from sitegen import related

    terms = related._Terms([frozenset(found) for found in keys], idf=True)
    doc, other, _ = terms.windows(np.arange(len(keys)), older_only)
    for seen in range(len(keys)):
        assert set(doc[other == seen].tolist()) <= set(terms.near(np.array([seen])).tolist())
