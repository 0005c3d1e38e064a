"""The garbage collector paused while deriving and planning, and back on afterwards."""

from __future__ import annotations

import gc

import pytest

from sitegen.gcpause import collector_paused


def test_the_collector_is_paused_inside_and_restored_after_even_on_errors():
    assert gc.isenabled()
    with pytest.raises(KeyError), collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block leaves it paused for the outer one
        raise KeyError("x")
    assert gc.isenabled()


def test_a_collector_disabled_by_the_caller_stays_disabled():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_builds_leave_the_collector_on_and_nothing_frozen(site_factory):
    """Deriving and planning pause the collector; parsing freezes what the build cache loaded
    (as the build freezes every parsed article): the build undoes both when it ends."""
    from sitegen.build import build
    from sitegen.build_cache import BuildCache
    from sitegen.site import BuildOptions

    root = site_factory({f"content/articles/2026-01-0{day}-a{day}.md":
                         f"---\ntitle: خبر {day}\ndate: 2026-01-0{day}\n---\nنص {day}\n" for day in (1, 2)})
    for edit in ("", "تعديل"):
        path = root / "content/articles/2026-01-02-a2.md"
        path.write_text(path.read_text(encoding="utf-8") + edit, encoding="utf-8")
        cache = BuildCache(root.resolve())
        result = build(root, BuildOptions(), cache=cache)
        assert result.article_count == 2 and gc.isenabled() and gc.get_freeze_count() == 0
    assert cache.hits == 1  # the second build loaded one article from the cache
