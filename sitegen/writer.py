"""Write the build into the output folder atomically (design §4, `write`).

The new site is assembled in a staging folder beside output/ (files whose bytes are unchanged are
hard-linked from the old output, so they keep their modification time), then swapped in with one
atomic rename-exchange. A build killed at any moment leaves either the old site or the new one.
When nothing changed, nothing is touched at all.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import ConfigError, error
from .discovery import StaticFile
from .rendering import RenderedFile

STAGING_PREFIX = ".sitegen-staging-"
# Written into every output folder. A build replaces its output folder as a whole, so it only
# replaces a folder that carries this marker (or is empty): never someone's own files.
MARKER = ".sitegen-output"
MARKER_TEXT = (b"This folder is made by 'sitegen build', which replaces all of it on every build.\n"
               b"Do not keep other files here.\n")


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int

    @property
    def touched(self) -> bool:
        return bool(self.written or self.removed)


def check_output_folder(output_dir: Path) -> None:
    """Raise ConfigError unless `output_dir` is missing, empty, or an earlier sitegen output."""
    if not output_dir.exists() and not output_dir.is_symlink():
        return
    if not output_dir.is_dir():
        problem = "it is a file, not a folder"
    elif (output_dir / MARKER).is_file() or not any(output_dir.iterdir()):
        return
    else:
        problem = (f"it holds files that sitegen did not make (there is no {MARKER} marker in it); "
                   "choose a new or empty folder, or move those files away yourself")
    raise ConfigError([error("", f"refusing to build into {output_dir}: {problem}")])


def write(files: Iterable[RenderedFile], static: Iterable[StaticFile], output_dir: Path) -> WriteReport:
    check_output_folder(output_dir)
    rendered = {f.path: f.data for f in files}
    rendered[MARKER] = MARKER_TEXT
    copies = {s.dest: s.src for s in static if s.dest not in rendered}
    changed = [p for p, data in rendered.items() if not _same_bytes(output_dir / p, data)]
    changed += [p for p, src in copies.items() if not _same_copy(output_dir / p, src)]
    stale = _existing_files(output_dir) - rendered.keys() - copies.keys()
    # The marker is bookkeeping, not part of the site: leave it out of the counts.
    written = len([p for p in changed if p != MARKER])
    unchanged = len(rendered) - 1 + len(copies) - written
    if output_dir.is_dir() and not changed and not stale:
        return WriteReport(0, unchanged, 0)
    staging = _fresh_staging(output_dir)
    changed_set = set(changed)
    for path, data in rendered.items():
        _place(staging / path, output_dir / path, path in changed_set,
               lambda dest, d=data: dest.write_bytes(d))
    for path, src in copies.items():
        _place(staging / path, output_dir / path, path in changed_set,
               lambda dest, s=src: shutil.copy2(s, dest))
    _swap_into_place(staging, output_dir)
    return WriteReport(written, unchanged, len(stale))


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _same_copy(path: Path, src: Path) -> bool:
    # copy2 keeps the source's mtime, so size + mtime identify an unchanged copy without reading it.
    try:
        mine, theirs = path.stat(), src.stat()
    except OSError:
        return False
    return mine.st_size == theirs.st_size and int(mine.st_mtime) == int(theirs.st_mtime)


def _existing_files(output_dir: Path) -> set[str]:
    if not output_dir.is_dir():
        return set()
    found = set()
    for dirpath, _dirnames, filenames in os.walk(output_dir):
        base = Path(dirpath).relative_to(output_dir)
        found.update((base / name).as_posix() for name in filenames)
    return found


def _place(dest: Path, old: Path, changed: bool, produce) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not changed:
        try:
            os.link(old, dest)  # same inode: the unchanged file keeps its mtime
            return
        except OSError:
            pass
    produce(dest)


def staging_dirs(output_dir: Path) -> list[Path]:
    return sorted(output_dir.parent.glob(f".{output_dir.name}{STAGING_PREFIX}*"))


def _fresh_staging(output_dir: Path) -> Path:
    for leftover in staging_dirs(output_dir):  # from a build that was killed
        shutil.rmtree(leftover, ignore_errors=True)
    staging = output_dir.parent / f".{output_dir.name}{STAGING_PREFIX}{os.getpid()}"
    staging.mkdir(parents=True)
    return staging


def _swap_into_place(staging: Path, output_dir: Path) -> None:
    if output_dir.is_dir() and _exchange(staging, output_dir):
        shutil.rmtree(staging)  # now holds the previous site
        return
    if output_dir.is_dir():
        retired = staging.with_name(staging.name + "-old")
        os.rename(output_dir, retired)
        os.rename(staging, output_dir)
        shutil.rmtree(retired)
    else:
        os.rename(staging, output_dir)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
