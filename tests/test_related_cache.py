"""The related-news ranking kept in .sitegen-cache between builds: used again only when nothing it
reads has changed, and then giving exactly what ranking afresh gives."""

from __future__ import annotations

import pytest

from sitegen import related, related_cache
from sitegen.build import build
from sitegen.build_cache import CACHE_DIR, BuildCache
from sitegen.site import BuildOptions

from sitetools import NOW, SITE_TOML, article, snapshot

PORT = "وقعت هيئة المرافئ اتفاق توسعة ميناء طرطوس مع تحالف ميدلينك لتشغيل 3 محطات للحاويات."
PORT_2 = "ناقش النواب اتفاق توسعة ميناء طرطوس وطالبوا تحالف ميدلينك بضمانات لعمال محطة الحاويات."
CUP = "افتتحت بطولة كأس العرب للشباب في مسقط بمباراة بين منتخب عمان والعراق أمام جمهور كبير."
CUP_2 = "تأهل منتخب عمان إلى نصف نهائي بطولة كأس العرب للشباب بعد فوزه على العراق في مسقط."

FILES = {
    "content/articles/port.md": article("ميناء طرطوس", "2026-11-20T10:00:00+03:00", PORT,
                                        tags="[موانئ, سوريا]", category="اقتصاد"),
    "content/articles/port-2.md": article("نواب وميناء طرطوس", "2026-11-21T10:00:00+03:00", PORT_2,
                                          tags="[موانئ]", category="اقتصاد"),
    "content/articles/cup.md": article("كأس العرب", "2026-11-22T10:00:00+03:00", CUP,
                                       tags="[كرة القدم]", category="رياضة"),
    "content/articles/cup-2.md": article("عمان إلى نصف النهائي", "2026-11-23T10:00:00+03:00", CUP_2,
                                         tags="[كرة القدم, عمان]", category="رياضة"),
}
CONFIG = SITE_TOML + "[related]\nmin_score = 0.0\n"


@pytest.fixture
def rankings(monkeypatch) -> list[int]:
    """How many articles a build ranked, each time it ranked any instead of taking the stored
    ranking as it was."""
    calls: list[int] = []
    rank = related.Relater._rank

    def counted(self, docs, jobs):
        calls.append(len(docs))
        return rank(self, docs, jobs)

    monkeypatch.setattr(related.Relater, "_rank", counted)
    return calls


def _build(root, fresh: bool = False):
    return build(root, BuildOptions(), None, NOW, cache=BuildCache(root.resolve(), fresh=fresh))


def _blocks(result) -> dict[str, list[tuple[str, tuple]]]:
    return {path: [(r.article.path, tuple(r.score)) for r in items]
            for path, items in result.indexes.related.items()}


def _rebuilt_from_nothing_equals(root, result) -> None:
    """The cached build's related blocks and output equal those of a build without any cache."""
    output = snapshot(root / "output")
    fresh = _build(root, fresh=True)
    assert _blocks(result) == _blocks(fresh)
    assert {p: d for p, (d, _) in snapshot(root / "output").items()} == {p: d for p, (d, _) in output.items()}


def _rewrite(root, rel: str, old: str = "", new: str = "") -> None:
    """Write the test site's file `rel` again as FILES has it, with `old` replaced by `new`."""
    assert old in FILES[rel]
    (root / rel).write_text(FILES[rel].replace(old, new), encoding="utf-8")


def test_an_edit_that_ranking_does_not_read_reuses_the_stored_ranking(site_factory, rankings):
    root = site_factory(FILES, config=CONFIG)
    first = _build(root)
    assert len(rankings) == 1
    assert [r.article.slug for r in first.indexes.related["content/articles/port.md"]][0] == "port-2"
    # Figures are not words for related news (nor is a link or emphasis): the ranking stands.
    (root / "content/articles/port.md").write_text(
        FILES["content/articles/port.md"].replace("3 محطات", "4 **محطات**"), encoding="utf-8")
    second = _build(root)
    assert len(rankings) == 1
    assert _blocks(second) == _blocks(first)
    _rebuilt_from_nothing_equals(root, second)


def test_new_words_that_leave_the_text_index_as_it_was_reuse_the_ranking(site_factory, rankings):
    root = site_factory(FILES, config=CONFIG)
    first = _build(root)
    # A word no other article has links nothing (it is not even in the index): the features
    # changed, the index did not, and neither does the ranking.
    _rewrite(root, "content/articles/port.md", "3 محطات", "3 محطات زلزالية")
    second = _build(root)
    assert len(rankings) == 1
    assert _blocks(second) == _blocks(first)
    _rebuilt_from_nothing_equals(root, second)  # ranks, as a build without the cache does
    assert len(rankings) == 2
    # Back to the words of the first build, whose features digest is no longer the one stored:
    # the index is the same again, and the ranking is reused.
    _rewrite(root, "content/articles/port.md")
    third = _build(root)
    assert len(rankings) == 2
    assert _blocks(third) == _blocks(first)


def test_an_edit_of_words_ranks_again_only_the_articles_it_can_reach(site_factory, rankings):
    root = site_factory(FILES, config=CONFIG)
    first = _build(root)
    # The cup story tells its words more often: its vector changes, and with it what the other
    # cup story finds; the port stories share none of its words and keep their rows.
    _rewrite(root, "content/articles/cup.md", "أمام جمهور كبير", "أمام جمهور كأس العرب")
    second = _build(root)
    assert rankings == [4, 2]
    assert _blocks(second) != _blocks(first)  # scores moved
    _rebuilt_from_nothing_equals(root, second)


def test_vectors_of_another_ranking_are_never_used_with_this_one(site_factory, rankings):
    root = site_factory(FILES, config=CONFIG)
    _build(root)
    vectors = root / CACHE_DIR / related_cache.VECTORS_FILE
    older = vectors.read_bytes()
    _rewrite(root, "content/articles/cup.md", "أمام جمهور كبير", "أمام جمهور كأس العرب")
    _build(root)
    vectors.write_bytes(older)  # as if the build had been killed between writing the two files
    _rewrite(root, "content/articles/cup.md", "أمام جمهور كبير", "أمام العراق في مسقط")
    result = _build(root)
    assert rankings == [4, 2, 4]  # all of them: the stored vectors are not the stored ranking's
    _rebuilt_from_nothing_equals(root, result)


@pytest.mark.parametrize("change", [
    ("content/articles/cup.md", "أمام جمهور كبير", "أمام جمهور ميناء طرطوس"),  # words
    ("content/articles/cup.md", "[كرة القدم]", "[كرة القدم, موانئ]"),  # tags
    ("content/articles/cup.md", "category: رياضة", "category: اقتصاد"),  # section
    ("content/articles/cup.md", "2026-11-22T10", "2026-11-24T10"),  # date (and order)
    ("content/articles/port-2.md", "tags: [موانئ]", "tags: [موانئ]\ndraft: true"),  # eligibility
    ("site.toml", "min_score = 0.0", "min_score = 0.0\nhalf_life_days = 3"),  # settings
])
def test_whatever_ranking_reads_makes_it_rank_again(site_factory, rankings, change):
    root = site_factory(FILES, config=CONFIG)
    _build(root)
    path, old, new = change
    text = (root / path).read_text(encoding="utf-8")
    assert old in text
    (root / path).write_text(text.replace(old, new), encoding="utf-8")
    result = _build(root)
    assert len(rankings) == 2
    _rebuilt_from_nothing_equals(root, result)


def test_a_damaged_stored_ranking_or_one_from_other_code_is_ignored(site_factory, rankings, monkeypatch):
    root = site_factory(FILES, config=CONFIG)
    first = _build(root)
    stored = root / CACHE_DIR / related_cache.FILE_NAME
    stored.write_bytes(stored.read_bytes()[:100])
    (root / "content/articles/port.md").write_text(FILES["content/articles/port.md"] + "\n", encoding="utf-8")
    assert _blocks(_build(root)) == _blocks(first)
    assert len(rankings) == 2
    monkeypatch.setattr(related_cache, "code_version", lambda: b"another sitegen")
    (root / "content/articles/port.md").write_text(FILES["content/articles/port.md"], encoding="utf-8")
    assert _blocks(_build(root)) == _blocks(first)
    assert len(rankings) == 3


def test_no_cache_ranks_again_and_leaves_a_stored_ranking_behind(site_factory, rankings):
    root = site_factory(FILES, config=CONFIG)
    _build(root)
    (root / CACHE_DIR / related_cache.FILE_NAME).touch()
    _build(root, fresh=True)  # the stored ranking would do, but --no-cache does not read it
    assert len(rankings) == 2
    assert (root / CACHE_DIR / related_cache.FILE_NAME).is_file()


@pytest.mark.parametrize(("edit", "numpy_imported"), [("figure", False), ("new word", True)])
def test_numpy_is_imported_only_when_related_news_is_ranked(site_factory, edit, numpy_imported):
    """A rebuild that takes the ranking from the store never imports numpy (0.14 s)."""
    import subprocess
    import sys

    from sitetools import REPO, run_cli

    root = site_factory(FILES, config=CONFIG)
    assert run_cli("build", "--site", str(root), "--now", NOW.isoformat(), "-q").returncode == 0
    path = root / "content/articles/port.md"
    text = path.read_text(encoding="utf-8")
    new = text.replace("3 محطات", "4 محطات") if edit == "figure" else text + "\nزلزال\n"
    path.write_text(new, encoding="utf-8")
    script = ("import sys, sitegen.cli\n"
              f"sitegen.cli.main(['build', '--site', {str(root)!r}, '--now', {NOW.isoformat()!r}, '-q'])\n"
              "print(type(sys.modules['numpy']).__name__)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("module" if numpy_imported else "_LazyModule")


def test_the_next_index_numbers_only_the_features_of_edited_articles(site_factory, monkeypatch):
    from sitegen import text_index

    numbered: list[tuple[int, int]] = []  # per index built: articles, and those numbered anew
    of, numbers_of = text_index.Numbering.of, text_index._numbers_of

    def counted(encoded, digests=None, before=None):
        numbered.append((len(encoded), 0))
        return of(encoded, digests, before)

    def counted_article(names, numbers):
        numbered[-1] = (numbered[-1][0], numbered[-1][1] + 1)
        return numbers_of(names, numbers)

    monkeypatch.setattr(text_index.Numbering, "of", counted)
    monkeypatch.setattr(text_index, "_numbers_of", counted_article)
    root = site_factory(FILES, config=CONFIG)
    _build(root)
    _rewrite(root, "content/articles/cup.md", "أمام جمهور كبير", "أمام جمهور كأس العرب")
    second = _build(root)
    assert numbered == [(4, 4), (4, 1)]
    _rebuilt_from_nothing_equals(root, second)  # numbered afresh: the same blocks and pages
    stored = root / CACHE_DIR / related_cache.NUMBERING_FILE
    for damage, words in [(stored.read_bytes()[:60], "أمام جمهور غفير"), (b"", "أمام حشد كبير")]:
        stored.write_bytes(damage)  # a damaged file is not used
        _rewrite(root, "content/articles/cup.md", "أمام جمهور كبير", words)
        numbered.clear()
        _build(root)
        assert numbered == [(4, 4)]
    monkeypatch.setattr(related_cache, "code_version", lambda: b"another sitegen")
    _rewrite(root, "content/articles/cup.md")
    numbered.clear()
    _build(root)
    assert numbered == [(4, 4)]  # kept by other code: not used


def test_a_rebuild_weighs_again_only_the_vectors_an_edit_can_move(site_factory, monkeypatch):
    from sitegen import text_index

    weighed: list[int] = []  # per build that weighed vectors: how many articles
    weigh = text_index._weighed

    def counted(doc, *rest):
        weighed.append(len(set(doc.tolist())))
        return weigh(doc, *rest)

    monkeypatch.setattr(text_index, "_weighed", counted)
    root = site_factory(FILES, config=CONFIG)
    _build(root)
    stored = root / CACHE_DIR / related_cache.VECTORS_FILE
    first = stored.read_bytes()
    # Words the cup story has told again, and one only it had taken out: its vector alone moves.
    _rewrite(root, "content/articles/cup.md", "أمام جمهور كبير", "أمام جمهور كأس العرب")
    second = _build(root)
    assert weighed == [4, 1]
    _rebuilt_from_nothing_equals(root, second)
    for vectors, words in [(first, "أمام جمهور غفير"), (first[:80], "أمام حشد كبير")]:
        # Vectors weighed from other features than the stored numbering's (the build killed
        # between writing the two), or damaged: weighed afresh.
        stored.write_bytes(vectors)
        _rewrite(root, "content/articles/cup.md", "أمام جمهور كبير", words)
        weighed.clear()
        result = _build(root)
        assert weighed == [4]
        _rebuilt_from_nothing_equals(root, result)


def test_a_stored_numbering_reads_back_as_kept_and_one_that_does_not_add_up_is_ignored(tmp_path):
    import pickle
    from array import array

    import numpy as np

    from sitegen import text_index, textsim

    found = [textsim.Features.of(textsim.pack(doc)) for doc in ({"نفط": 2, "سد": 1}, {}, {"سد": 3})]
    vectors, numbering = text_index.vectors_of([f.encoded for f in found], 0.5, [f.digest for f in found])
    store = related_cache.RankingStore(tmp_path)
    store.save((), related_cache.RankingRows([0, 0, 0, 0], [], array("d")), (b"frame", vectors, numbering, 0.5))
    kept = related_cache.RankingStore(tmp_path).numbering()
    assert (kept.names, kept.digests) == (numbering.names, numbering.digests)
    assert kept.size.tolist() == [2, 0, 1] and kept.feature.tolist() == numbering.feature.tolist()
    assert related_cache.RankingStore(tmp_path, read=False).numbering() is None
    parts = list(pickle.loads(store.numbering_path.read_bytes()))
    for index, wrong in [(6, np.array([0, 1, 2], dtype=np.int32).tobytes()),  # a number without a name
                         (5, np.array([2, 0, 2], dtype=np.int64).tobytes()),  # sizes beyond the features
                         (4, b"".join(numbering.digests[:2]))]:  # a document without a digest
        broken = parts.copy()
        broken[index] = wrong
        store.numbering_path.write_bytes(pickle.dumps(tuple(broken)))
        assert related_cache.RankingStore(tmp_path).numbering() is None, index
