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
    for folder, kind in CONTENT_KINDS.items():
        for path in _walk(root / "content" / folder):
            rel = _site_relative(root, path)
            if path.suffix.lower() != ".md":
                continue
            if not _inside(root, path):
                problems.append(error(rel, "refusing a symlink that points outside the site"))
                continue
            sources.append(SourceFile(path=path, rel_path=rel, kind=kind))
    sources.sort(key=lambda s: s.rel_path)
    return sources, problems


def discover_static(root: Path, folder: Path, boundary: Path,
                    dest_prefix: str = "") -> tuple[list[StaticFile], list[Diagnostic]]:
    """Files below `folder` to copy into the output, skipping hidden files (.DS_Store, .git...).

    A symlink may not lead outside `boundary` (the site, or the theme's own folder).
    """
    files: list[StaticFile] = []
    problems: list[Diagnostic] = []
    for path in _walk(folder):
        rel = display_path(path, root)
        if not _inside(boundary, path):
            problems.append(error(rel, "refusing a symlink that points outside the site"))
            continue
        dest = dest_prefix + unicodedata.normalize("NFC", path.relative_to(folder).as_posix())
        files.append(StaticFile(src=path, dest=dest, origin=rel))
    files.sort(key=lambda f: f.dest)
    return files, problems


def _walk(folder: Path) -> Iterator[Path]:
    if not folder.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _site_relative(root: Path, path: Path) -> str:
    return unicodedata.normalize("NFC", path.relative_to(root).as_posix())


def display_path(path: Path, root: Path) -> str:
    """A path for diagnostics: relative to the site, else to sitegen's own folder (bundled themes)."""
    for base in (root, Path(__file__).resolve().parent.parent):
        if path.absolute().is_relative_to(base.absolute()):
            return unicodedata.normalize("NFC", path.absolute().relative_to(base.absolute()).as_posix())
    return str(path)


def _inside(root: Path, path: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())
