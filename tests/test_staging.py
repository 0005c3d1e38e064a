"""Staging.stage writes each page as Path.write_bytes would, making each folder once per process."""

from __future__ import annotations

import os

import pytest

from sitegen.writer import Staging


def opened(tmp_path, existing_output: bool = False) -> Staging:
    output = tmp_path / "output"
    if existing_output:
        output.mkdir()
        (output / "old.html").write_bytes(b"old")
    return Staging(output).open()


def test_pages_go_into_nested_folders_made_once(tmp_path, monkeypatch):
    staging = opened(tmp_path)
    made = []
    real_mkdir = os.mkdir
    monkeypatch.setattr(os, "mkdir", lambda path, *a, **k: (made.append(path), real_mkdir(path, *a, **k)))
    pages = {"index.html": b"home", "tags/غزة/index.html": "غزة".encode(), "tags/غزة/page/2/index.html": b"2",
             "tags/غزة/feed.xml": b"<feed/>", "tags/سوريا/index.html": b"s", "robots.txt": b""}
    for rel, data in pages.items():
        state = staging.stage(rel, data)
        path = staging.path / rel
        assert path.read_bytes() == data
        # Not hashed: a later build that renders the page again compares it with the file.
        assert (state.size, state.mtime_ns, state.digest) == (len(data), path.stat().st_mtime_ns, b"")
    root = str(staging.path)
    assert made == [f"{root}/tags", f"{root}/tags/غزة", f"{root}/tags/غزة/page", f"{root}/tags/غزة/page/2",
                    f"{root}/tags/سوريا"]
    (tmp_path / "reference").write_bytes(b"x")  # the permissions Path.write_bytes gives
    assert (staging.path / "index.html").stat().st_mode == (tmp_path / "reference").stat().st_mode


def test_a_folder_made_by_another_worker_is_used(tmp_path):
    staging = opened(tmp_path)
    (staging.path / "articles" / "x").mkdir(parents=True)  # as a worker forked from the same state
    staging.stage("articles/x/index.html", b"page")
    assert (staging.path / "articles/x/index.html").read_bytes() == b"page"


def test_a_file_where_a_folder_must_go_is_an_error(tmp_path):
    staging = opened(tmp_path)
    staging.stage("about", b"a file")
    with pytest.raises(FileExistsError):
        staging.stage("about/index.html", b"page")


def test_a_file_staged_again_is_replaced(tmp_path):
    staging = opened(tmp_path)
    staging.stage("a/index.html", b"a longer first version")
    state = staging.stage("a/index.html", b"short")
    assert (staging.path / "a/index.html").read_bytes() == b"short" and state.size == 5


def test_large_pages_are_written_whole(tmp_path):
    staging = opened(tmp_path)
    data = os.urandom(3 * 1024 * 1024)
    assert staging.stage("big/index.html", data).size == len(data)
    assert (staging.path / "big/index.html").read_bytes() == data


def test_updating_an_existing_output_stages_flat_files(tmp_path):
    staging = opened(tmp_path, existing_output=True)
    state = staging.stage("tags/غزة/index.html", b"changed")
    target = staging.staged_file("tags/غزة/index.html")
    assert target.parent == staging.path and target.read_bytes() == b"changed"
    assert state.mtime_ns == target.stat().st_mtime_ns
    assert sorted(p.name for p in staging.path.iterdir()) == [target.name]
