"""Find the site's source files (design §4, `discover`)."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, error
from .model import Kind, SourceFile

CONTENT_KINDS: dict[str, Kind] = {"articles": "article", "pages": "page"}
STATIC_DIR = "content/static"
# Litter that operating systems and editors leave beside files; hidden (dot) files are skipped too.
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini"})
OUTSIDE = "refusing a symlink that points outside the site"
BROKEN = "broken symlink: the file it points to does not exist"


@dataclass(frozen=True)
class StaticFile:
    """A file copied as is: `dest` is its path inside the output folder (POSIX, NFC)."""

    src: Path
    dest: str
    origin: str  # site-relative source path, for diagnostics


def discover(root: Path) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Every Markdown source under content/articles and content/pages, in a stable order."""
    sources: list[SourceFile] = []
    problems: list[Diagnostic] = []
    real_root, prefix = os.path.realpath(root), str(root).rstrip("/") + "/"
    for folder, kind in CONTENT_KINDS.items():
        # Per file, strings only (but for the SourceFile's Path): pathlib's parsing, str() and
        # suffix, and a dirname per file, were most of discovering 10,000 files.
        texts: dict[Path, tuple[str, bool]] = {}  # per folder: its path as text, and if it is inside
        for here, name, regular in _walk_entries(root / "content" / folder, root):
            found = texts.get(here)
            if found is None:
                here_text = str(here)
                found = texts[here] = here_text, _inside_real(real_root, here_text)
            text = f"{found[0]}/{name}"
            rel = unicodedata.normalize("NFC", text[len(prefix):] if text.startswith(prefix)
                                        else _site_relative(root, here / name))
            # The usual case (a plain file in a real folder) is decided without resolving the path.
            plain = regular and found[1]
            if not plain and not _inside(root, here / name):
                problems.append(error(rel, OUTSIDE))
            elif not plain and not (here / name).exists():
                problems.append(error(rel, BROKEN))
            elif not _is_markdown(name):
                # Silently skipping it would lose an article saved as .markdown or .md.txt.
                problems.append(error(rel, f"not a Markdown file: only .md files are published from "
                                      f"content/{folder}/ (rename it to .md, or move images and "
                                      "other files to content/static/)"))
            else:
                sources.append(SourceFile(path=here / name, rel_path=rel, kind=kind))
    sources.sort(key=lambda s: s.rel_path)
    return sources, problems


def _is_markdown(name: str) -> bool:
    """PurePath(name).suffix.lower() == ".md", from the string: the suffix starts at the last dot,
    which is not the first character."""
    return len(name) > 3 and name[-3:].lower() == ".md"


def discover_static(root: Path, folder: Path, boundary: Path,
                    dest_prefix: str = "") -> tuple[list[StaticFile], list[Diagnostic]]:
    """Files below `folder` to copy into the output, skipping hidden files (.DS_Store, .git...).

    A symlink may not lead outside `boundary` (the site, or the theme's own folder).
    """
    files: list[StaticFile] = []
    problems: list[Diagnostic] = []
    for path in _walk(folder, boundary):
        rel = display_path(path, root)
        problem = OUTSIDE if not _inside(boundary, path) else None if path.exists() else BROKEN
        if problem:
            problems.append(error(rel, problem))
            continue
        dest = dest_prefix + unicodedata.normalize("NFC", path.relative_to(folder).as_posix())
        files.append(StaticFile(src=path, dest=dest, origin=rel))
    files.sort(key=lambda f: f.dest)
    return files, problems


def _walk(folder: Path, boundary: Path) -> Iterator[Path]:
    """Visible files below `folder`, sorted. Symlinked folders inside `boundary` are followed
    (once each, so a loop ends); one leading outside is yielded itself, for the caller to refuse."""
    return (here / name for here, name, _regular in _walk_entries(folder, boundary))


def _walk_entries(folder: Path, boundary: Path) -> Iterator[tuple[Path, str, bool]]:
    """`_walk` as (folder, name, regular): whether each is a regular file (not a symlink) is known
    from the folder listing itself, so no stat calls for the 10,000 files of a big site, and no
    Path is made here for a file."""
    if not folder.is_dir():
        return
    yield from _walk_folder(folder, boundary, set())


def _walk_folder(here: Path, boundary: Path, seen: set[Path]) -> Iterator[tuple[Path, str, bool]]:
    # os.walk(followlinks=True), top-down, errors ignored, with the DirEntry types kept.
    seen.add(here.resolve())
    try:
        with os.scandir(here) as listing:
            entries = list(listing)
    except OSError:
        return
    folders, files = [], []
    for entry in entries:
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        (folders if is_folder else files).append(entry)
    kept = []
    for entry in sorted((e for e in folders if not e.name.startswith(".")), key=lambda e: e.name):
        inner = here / entry.name
        if not _inside(boundary, inner):
            yield here, entry.name, False
        elif inner.resolve() not in seen:
            kept.append(inner)
    for entry in sorted(files, key=lambda e: e.name):
        name = entry.name
        if not name.startswith(".") and not name.endswith("~") and name.lower() not in IGNORED_NAMES:
            yield here, name, _regular(entry)
    for inner in kept:
        yield from _walk_folder(inner, boundary, seen)


def _regular(entry: os.DirEntry) -> bool:
    try:
        return not entry.is_symlink() and entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def _site_relative(root: Path, path: Path) -> str:
    return unicodedata.normalize("NFC", path.relative_to(root).as_posix())


def _inside_real(real_root: str, folder: str) -> bool:
    """True when the real path of `folder` is inside the site."""
    real = os.path.realpath(folder)
    return real == real_root or real.startswith(real_root.rstrip("/") + "/")


def display_path(path: Path, root: Path) -> str:
    """A path for diagnostics: relative to the site, else to sitegen's own folder (bundled themes)."""
    for base in (root, Path(__file__).resolve().parent.parent):
        if path.absolute().is_relative_to(base.absolute()):
            return unicodedata.normalize("NFC", path.absolute().relative_to(base.absolute()).as_posix())
    return str(path)


def _inside(root: Path, path: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())
