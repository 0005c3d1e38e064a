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


def test_a_build_leaves_the_collector_on(site_factory):
    from sitegen.build import build

    build(site_factory({"content/articles/2026-01-01-a.md": "---\ntitle: خبر\ndate: 2026-01-01\n---\nنص\n"}))
    assert gc.isenabled()
