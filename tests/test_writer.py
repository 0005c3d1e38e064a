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
    write(files(a__index=b"A", b=b"B", deep__er__index=b"D"), [], out)
    # Two changed files: output/ is mirrored for the first time (one changed file is only renamed)
    write(files(a__index=b"A", b=b"B2", deep__er__index=b"D2"), [], out)
    tree = tmp_path / ".output.sitegen-previous" / "tree"
    assert (tree / "deep/er/index.html").read_bytes() == b"D"  # the site before this build
    assert os.path.samefile(tree / "a/index.html", out / "a/index.html")  # unchanged: one file
    assert sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()) == [
        ".sitegen-output", "a/index.html", "b.html", "deep/er/index.html"]


def test_one_changed_file_is_renamed_into_place_and_the_previous_tree_catches_up(tmp_path):
    out = tmp_path / "output"
    tree = tmp_path / ".output.sitegen-previous" / "tree"
    write(files(a__index=b"A", b=b"B", c=b"C"), [], out)
    identity = out.stat().st_ino
    before = snapshot(out)
    report = write(files(a__index=b"A2", b=b"B", c=b"C"), [], out)
    assert (report.written, report.unchanged, report.removed) == (1, 2, 0)
    assert out.stat().st_ino == identity and not tree.exists()  # no tree: renamed in place
    after = snapshot(out)
    assert after["a/index.html"][0] == b"A2" and after["b.html"] == before["b.html"]
    # With a previous tree kept (after a swap), the renamed path is listed for it to catch up.
    write(files(a__index=b"A3", b=b"B3", c=b"C"), [], out)  # two files: a swap
    write(files(a__index=b"A3", b=b"B3", c=b"C4"), [], out)  # one file: renamed, c pending
    assert out.stat().st_ino != identity
    write(files(a__index=b"A5", b=b"B5", c=b"C4"), [], out)  # swap: the tree had to take c first
    assert {k: v[0] for k, v in snapshot(out).items() if k != MARKER} == {
        "a/index.html": b"A5", "b.html": b"B5", "c.html": b"C4"}
    assert {k: v[0] for k, v in snapshot(tree).items() if k != MARKER} == {
        "a/index.html": b"A3", "b.html": b"B3", "c.html": b"C4"}


@pytest.mark.parametrize("change", ["new folder", "removed", "file to folder"])
def test_one_change_that_a_single_rename_cannot_make_goes_through_the_tree(tmp_path, change):
    out = tmp_path / "output"
    write([RenderedFile("x", b"X"), RenderedFile("a/index.html", b"A")], [], out)
    identity = out.stat().st_ino
    new = {"new folder": [RenderedFile("x", b"X"), RenderedFile("a/index.html", b"A"),
                          RenderedFile("n/index.html", b"N")],
           "removed": [RenderedFile("x", b"X")],
           "file to folder": [RenderedFile("x/index.html", b"X"), RenderedFile("a/index.html", b"A")]}
    write(new[change], [], out)
    assert out.stat().st_ino != identity  # swapped whole
    assert {k: v[0] for k, v in snapshot(out).items() if k != MARKER} == {f.path: f.data for f in new[change]}


def test_mirroring_a_new_tree_links_every_file_and_symlink_and_makes_every_folder(tmp_path):
    from sitegen.shadow import _mirror_new

    source = tmp_path / "output"
    for rel in ("index.html", "a/index.html", "a/b/c/index.html", "empty/.keep", "ملف عربي/index.html"):
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        (source / rel).write_text(rel, encoding="utf-8")
    (source / "hollow").mkdir()
    os.symlink("index.html", source / "a/link.html")
    tree = tmp_path / "tree"
    _mirror_new(source, tree)
    found = sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*"))
    assert found == sorted(p.relative_to(source).as_posix() for p in source.rglob("*"))
    for path in source.rglob("*"):
        mirrored = tree / path.relative_to(source)
        if path.is_symlink():
            assert mirrored.is_symlink() and os.readlink(mirrored) == "index.html"
        elif path.is_file():
            assert os.path.samefile(path, mirrored)
