"""Parallel builds (issue 7): worker processes give exactly the bytes of a one-process build."""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sitegen import related, shadow, workers
from sitegen.build import build
from sitegen.build_cache import BuildCache
from sitegen.diagnostics import ContentError
from sitegen.site import BuildOptions

from sitetools import NOW, SITE_TOML, article, snapshot

pytestmark = pytest.mark.skipif(not workers.can_fork(), reason="worker processes need fork (Linux)")


def corpus(count: int = 14) -> dict[str, str]:
    files = {}
    for n in range(1, count + 1):
        body = (f"مقدمة الخبر {n} عن Novatech و{n * 7}%.\n\n## تفاصيل {n}\n\n- بند أول\n- بند ثان\n\n"
                f"> «تصريح» قال John Smith.\n\nنص فيه [^1] حاشية.\n\n[^1]: الحاشية {n}.\n")
        if n > 1:
            body += f"\n[[شاهد أيضاً: 2026-11-{n - 1:02d}-n{n - 1}.md]]\n"
        files[f"content/articles/2026-11-{n:02d}-n{n}.md"] = article(
            f"خبر رقم {n}", date=f"2026-11-{n:02d}T09:00:00+03:00", body=body,
            tags=f"[وسم {n % 3}, الاقتصاد]", category="اقتصاد")
    files["content/pages/about.md"] = '---\ntitle: "من نحن"\n---\nنص.\n'
    return files


@pytest.fixture
def always_parallel(monkeypatch):
    monkeypatch.setattr(workers, "MIN_PARALLEL_ITEMS", 1)  # use the pool even for a tiny site
    monkeypatch.setattr(related, "RANK_BLOCK", 2)  # and rank related news in several blocks


def _bytes(folder) -> dict[str, bytes]:
    return {path: data for path, (data, _mtime) in snapshot(folder).items()}


@pytest.mark.parametrize("cached", [False, True])
def test_parallel_build_is_byte_identical_to_a_one_process_build(site_factory, always_parallel, cached):
    one = site_factory(corpus(), config=SITE_TOML + "paginate = 3\n", name="one")
    many = site_factory(corpus(), config=SITE_TOML + "paginate = 3\n", name="many")
    build(one, BuildOptions(), None, NOW, jobs=1, cache=BuildCache(one) if cached else None)
    build(many, BuildOptions(), None, NOW, jobs=3, cache=BuildCache(many) if cached else None)
    assert _bytes(one / "output") == _bytes(many / "output")
    assert len(_bytes(one / "output")) > 20


def test_template_errors_from_workers_are_reported_once_and_touch_nothing(site_factory, always_parallel):
    root = site_factory(corpus())
    build(root, BuildOptions(), None, NOW, jobs=2)
    before = snapshot(root / "output")
    (root / "templates").mkdir()
    (root / "templates/article.html").write_text("<h1>\n{{ article.nothing_here }}</h1>\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        build(root, BuildOptions(), None, NOW, jobs=2)
    lines = [d.format() for d in caught.value.diagnostics]
    assert len(lines) == 1
    assert lines[0].startswith("templates/article.html:2: error: ")
    assert "nothing_here" in lines[0]
    assert snapshot(root / "output") == before


def _pids(chunk: Sequence[int]) -> list[tuple[int, int]]:
    return [(item, os.getpid()) for item in chunk]


def test_map_chunks_uses_worker_processes_and_keeps_the_order(always_parallel):
    results = list(workers.map_chunks(_pids, list(range(100)), jobs=2, chunk_size=7))
    assert [item for item, _pid in results] == list(range(100))
    assert os.getpid() not in {pid for _item, pid in results}
    serial = list(workers.map_chunks(_pids, list(range(10)), jobs=1))
    assert {pid for _item, pid in serial} == {os.getpid()}


def _signal_handlers(chunk: Sequence[int]) -> list[tuple[object, object]]:
    return [(signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) for _ in chunk]


def test_workers_leave_ctrl_c_to_the_parent_and_die_quietly_when_stopped(always_parallel):
    """`sitegen serve` turns SIGTERM into KeyboardInterrupt; its build workers must not inherit
    that (the pool stops them with SIGTERM, and each printed a traceback), nor answer Ctrl+C."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        handlers = set(workers.map_chunks(_signal_handlers, list(range(100)), jobs=2, chunk_size=10))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert handlers == {(signal.SIG_IGN, signal.SIG_DFL)}


def test_map_chunks_hands_out_the_last_chunk_first(always_parallel, monkeypatch):
    handed_out = []

    class Pool:  # records the order in which chunks are handed to the workers
        def __init__(self, processes, initializer=None, initargs=()):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            return False

        def imap(self, work, chunks):
            handed_out.extend(chunk[0] for chunk in chunks)
            return (work(chunk) for chunk in chunks)

    class Context:
        pass

    Context.Pool = Pool
    monkeypatch.setattr(workers.multiprocessing, "get_context", lambda method: Context)
    results = list(workers.map_chunks(_pids, list(range(50)), jobs=2, chunk_size=10))
    assert [item for item, _pid in results] == list(range(50))
    assert handed_out == [40, 0, 10, 20, 30]


# -- The previous tree mirrored ahead (shadow.py) ---------------------------------------------


# Article 5 of 14 is not among the feeds' newest five: a change to its body alone changes one file.
FEEDS_OF_FIVE = SITE_TOML + "[feeds]\nitems = 5\n"


def _tree(root):
    return root / ".output.sitegen-previous" / "tree"


def _leftovers(root) -> list[str]:
    """Half-made trees, and child processes not waited for, after a build has returned."""
    partial = [p.name for p in (root / ".output.sitegen-previous").glob("tree.partial-*")]
    tasks = Path(f"/proc/{os.getpid()}/task")  # Linux: each thread's children
    children = [pid for task in (tasks.iterdir() if tasks.is_dir() else ())
                for pid in (task / "children").read_text().split()]
    return partial + children


def _cached_build(root, jobs: int) -> None:
    build(root, BuildOptions(), None, NOW, jobs=jobs, cache=BuildCache(root))


def _reword_body(root, n: int) -> str:
    """Edit article n's body only: its own page is the one output file that changes."""
    path = root / f"content/articles/2026-11-{n:02d}-n{n}.md"
    path.write_text(path.read_text(encoding="utf-8").replace(f"[^1]: الحاشية {n}.", f"[^1]: الحاشية {n} هنا."),
                    encoding="utf-8")
    return f"articles/n{n}/index.html"


def _retitle(root, n: int) -> None:
    """Change article n's headline: its listings and related blocks change too (several files)."""
    path = root / f"content/articles/2026-11-{n:02d}-n{n}.md"
    path.write_text(path.read_text(encoding="utf-8").replace(f"خبر رقم {n}", f"خبر رقم {n} معدّل"),
                    encoding="utf-8")


def test_the_first_rebuild_mirrors_output_into_the_previous_tree_on_another_core(site_factory,
                                                                                always_parallel):
    root = site_factory(corpus(), config=FEEDS_OF_FIVE)
    _cached_build(root, jobs=2)
    assert not _tree(root).exists()  # a cold build keeps no previous tree
    before = _bytes(root / "output")
    changed = _reword_body(root, 5)
    _cached_build(root, jobs=2)
    after = _bytes(root / "output")
    assert [rel for rel in after if after[rel] != before[rel]] == [changed]
    # One file changed (renamed into place), yet the tree is there: mirrored while the build ran,
    # before output/ changed, with that file listed for it to catch up with.
    tree = _tree(root)
    assert _bytes(tree) == before
    assert json.loads((tree.parent / "pending.json").read_text(encoding="utf-8")) == [changed]
    assert all(os.path.samefile(tree / rel, root / "output" / rel) for rel in before if rel != changed)
    assert _leftovers(root) == []
    # The next multi-file change swaps that tree in: the same site as a build from nothing.
    _retitle(root, 3)
    _cached_build(root, jobs=2)
    fresh = site_factory({}, config=FEEDS_OF_FIVE, name="fresh")
    shutil.rmtree(fresh / "content", ignore_errors=True)
    shutil.copytree(root / "content", fresh / "content")
    build(fresh, BuildOptions(), None, NOW, jobs=1)
    assert _bytes(root / "output") == _bytes(fresh / "output")
    assert _bytes(tree) == after  # the tree is now the site before that change


def test_a_rebuild_on_another_thread_mirrors_ahead_too(site_factory, always_parallel):
    """The dev server rebuilds on a worker thread: the child forked there must report its
    success (a multiprocessing Process forked from such a thread exits with code 1 regardless)."""
    root = site_factory(corpus(), config=FEEDS_OF_FIVE)
    _cached_build(root, jobs=2)
    before = _bytes(root / "output")
    _reword_body(root, 5)
    with ThreadPoolExecutor(max_workers=1) as rebuilds:
        rebuilds.submit(_cached_build, root, 2).result()
    assert _bytes(_tree(root)) == before and _leftovers(root) == []


def test_a_one_process_build_mirrors_nothing_ahead(site_factory, always_parallel):
    root = site_factory(corpus(), config=FEEDS_OF_FIVE)
    _cached_build(root, jobs=1)
    _reword_body(root, 5)
    _cached_build(root, jobs=1)
    assert not _tree(root).exists()


def test_a_failed_rebuild_leaves_output_alone_and_no_half_made_tree(site_factory, always_parallel):
    root = site_factory(corpus(), config=FEEDS_OF_FIVE)
    _cached_build(root, jobs=2)
    before = snapshot(root / "output")
    (root / "content/articles/2026-11-04-n4.md").write_text("---\ntitle: [\n---\nنص.\n", encoding="utf-8")
    with pytest.raises(ContentError):
        _cached_build(root, jobs=2)
    assert snapshot(root / "output") == before
    assert _leftovers(root) == []
    assert _bytes(_tree(root)) == _bytes(root / "output")  # finished meanwhile: kept for next time


def test_a_mirror_that_fails_is_thrown_away_and_the_build_mirrors_itself(site_factory, always_parallel,
                                                                        monkeypatch):
    root = site_factory(corpus(), config=FEEDS_OF_FIVE)
    _cached_build(root, jobs=2)

    def full_disk(source: str, tree: str) -> None:  # runs in the forked child
        os.mkdir(tree)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shadow, "_mirror_folder", full_disk)
    _reword_body(root, 5)
    _cached_build(root, jobs=2)
    assert not _tree(root).exists() and _leftovers(root) == []
    monkeypatch.undo()
    before = _bytes(root / "output")
    _retitle(root, 3)
    _cached_build(root, jobs=1)  # several files: the tree is mirrored by the build itself
    assert _bytes(_tree(root)) == before and _leftovers(root) == []
