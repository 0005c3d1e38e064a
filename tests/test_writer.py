"""The writer on its own: updates of an existing output folder, and a failed one leaving it untouched."""

from __future__ import annotations

import os

import pytest

from sitegen import writer
from sitegen.rendering import RenderedFile
from sitegen.writer import MARKER, staging_dirs, write

from sitetools import snapshot


def files(**pages: bytes) -> list[RenderedFile]:
    return [RenderedFile(name.replace("__", "/") + ".html", data) for name, data in pages.items()]


def test_a_new_output_folder_is_built_whole_then_updated_in_place(tmp_path):
    out = tmp_path / "output"
    report = write(files(a__index=b"A", b__index=b"B"), [], out)
    assert (report.written, report.unchanged, report.removed) == (2, 0, 0)
    assert (out / MARKER).is_file()
    before = snapshot(out)
    report = write(files(a__index=b"A", b__index=b"B2", c__d__index=b"C"), [], out)
    assert (report.written, report.unchanged, report.removed) == (2, 1, 0)
    after = snapshot(out)
    assert after["a/index.html"] == before["a/index.html"]  # not rewritten: same mtime
    assert after["b/index.html"][0] == b"B2" and after["c/d/index.html"][0] == b"C"
    assert staging_dirs(out) == []


def test_stale_files_go_and_so_do_the_folders_they_leave_empty(tmp_path):
    out = tmp_path / "output"
    write(files(a__index=b"A", deep__er__index=b"D", deep__other=b"O"), [], out)
    report = write(files(a__index=b"A", deep__other=b"O"), [], out)
    assert report.removed == 1
    assert not (out / "deep/er").exists() and (out / "deep/other.html").is_file()


def test_a_file_can_become_a_folder_and_back(tmp_path):
    out = tmp_path / "output"
    write([RenderedFile("x", b"file")], [], out)
    write([RenderedFile("x/index.html", b"folder")], [], out)
    assert (out / "x/index.html").read_bytes() == b"folder"
    write([RenderedFile("x", b"file again")], [], out)
    assert (out / "x").read_bytes() == b"file again"


def test_an_error_while_replacing_files_leaves_output_untouched(tmp_path, monkeypatch):
    out = tmp_path / "output"
    write(files(a__index=b"A", b__index=b"B", c=b"C"), [], out)
    before = snapshot(out)
    real_replace, calls = os.replace, []

    def failing_replace(source, target):
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(writer.os, "replace", failing_replace)
    with pytest.raises(OSError):
        write(files(a__index=b"A2", b__index=b"B2", new__index=b"N"), [], out)
    monkeypatch.undo()
    assert snapshot(out) == before
    assert not (out / "new").exists()
    assert staging_dirs(out) == []
    # The next build repairs the half-updated previous tree it keeps beside output/.
    write(files(a__index=b"A2", b__index=b"B2", new__index=b"N"), [], out)
    assert {k: v[0] for k, v in snapshot(out).items() if k != MARKER} == {
        "a/index.html": b"A2", "b/index.html": b"B2", "new/index.html": b"N"}


def test_the_previous_site_is_kept_beside_output_as_hard_links(tmp_path):
    out = tmp_path / "output"
    write(files(a__index=b"A", deep__er__index=b"D"), [], out)
    write(files(a__index=b"A", deep__er__index=b"D2"), [], out)  # mirrors output/ for the first time
    tree = tmp_path / ".output.sitegen-previous" / "tree"
    assert (tree / "deep/er/index.html").read_bytes() == b"D"  # the site before this build
    assert os.path.samefile(tree / "a/index.html", out / "a/index.html")  # unchanged: one file
    assert sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()) == [
        ".sitegen-output", "a/index.html", "deep/er/index.html"]
