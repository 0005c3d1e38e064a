"""Write the build into the output folder (design §4, `write`).

Pages go into a staging folder beside output/ as they are rendered (a build never holds every page
in memory), and output/ does not change until the whole build has succeeded:

- A new (missing or empty) output folder is built whole in the staging folder and renamed into place.
- An existing output folder is replaced in one atomic step: only files whose bytes changed are
  staged; they go into the previous site's tree kept beside output/ (shadow.py, hard links to
  output/'s unchanged files), which is then exchanged with output/. A build killed at any moment
  leaves output/ the old site or the new one, never a mix; a failed one leaves it untouched.
  A build that changes a single file (most edits of an article's text) renames it into place
  instead: one rename is atomic by itself.
  Rebuilding the whole tree instead would mean a new directory per article plus deleting the old
  tree: on a 10,000-article site that costs far more than the rebuild itself.
- Unchanged files are never rewritten (they keep their modification time, so deploy tools upload
  only what changed), and when nothing changed, nothing is touched at all.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import ConfigError, error
from .discovery import StaticFile
from .hashing import content_hash
from .rendering import RenderedFile
from .shadow import Shadow, put, remove

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


@dataclass(frozen=True)
class FileState:
    """A file's size, modification time and content hash: enough to know it without reading it.
    The hash of a file a build wrote itself is not taken (b""): hashing every page of a cold build
    cost more than reading the few that a later build renders again (same_as_output)."""

    size: int
    mtime_ns: int
    digest: bytes


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


@dataclass
class Staging:
    """Where new and changed files wait until the build has succeeded.

    Worker processes call `stage` concurrently: each file has its own staged name, and folders are
    created with exist_ok, so they need no coordination.
    """

    output_dir: Path
    whole: bool = field(init=False)  # True: a brand-new output folder is built here
    path: Path = field(init=False)
    # Folders (relative, POSIX) this process has made in the staging folder, or found made by
    # another worker: a cold build stages 18,000 pages into some 18,000 folders, and
    # Path.mkdir(parents=True, exist_ok=True) asked the file system again for each page's parents.
    _made: set[str] = field(init=False, default_factory=set, repr=False)

    def __post_init__(self) -> None:
        self.whole = not self.output_dir.is_dir() or not any(self.output_dir.iterdir())
        self.path = self.output_dir.parent / f".{self.output_dir.name}{STAGING_PREFIX}{os.getpid()}"

    def open(self) -> Staging:
        for leftover in staging_dirs(self.output_dir):  # from a build that was killed
            shutil.rmtree(leftover, ignore_errors=True)
        self.path.mkdir(parents=True)
        return self

    def staged_file(self, rel: str) -> Path:
        if self.whole:
            return self.path / rel
        # Flat, one name per output path: no directories to create here and delete afterwards.
        return self.path / hashlib.blake2b(rel.encode("utf-8"), digest_size=16).hexdigest()

    def stage(self, rel: str, data: bytes) -> FileState:
        if self.whole:
            folder = rel.rpartition("/")[0]
            if folder:
                self._make_folder(folder)
            target = f"{self.path}/{rel}"  # a str: no Path object per page
        else:
            target = str(self.staged_file(rel))
        # As Path.write_bytes (same flags and mode), with the modification time taken from the open
        # file once everything is written: no second look-up of the path.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            written = 0
            while written < len(data):  # os.write may write less than asked
                written += os.write(fd, data[written:] if written else data)
            mtime_ns = os.fstat(fd).st_mtime_ns
        finally:
            os.close(fd)
        return FileState(len(data), mtime_ns, b"")

    def _make_folder(self, folder: str) -> None:
        """mkdir -p of `folder` (relative) inside the staging folder, asking only about folders
        this process has not made or seen yet."""
        if folder in self._made:
            return
        parent = folder.rpartition("/")[0]
        if parent:
            self._make_folder(parent)
        try:
            os.mkdir(f"{self.path}/{folder}")
        except FileExistsError:  # made by another worker, or a file in the way (as Path.mkdir)
            if not os.path.isdir(f"{self.path}/{folder}"):
                raise
        self._made.add(folder)

    def same_as_output(self, rel: str, data: bytes) -> FileState | None:
        """The output file's state when it already holds exactly `data`, else None."""
        if self.whole:
            return None
        path = self.output_dir / rel
        try:
            info = path.stat()
            if info.st_size != len(data) or path.read_bytes() != data:
                return None
        except OSError:
            return None
        return FileState(info.st_size, info.st_mtime_ns, content_hash(data))

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def commit(staging: Staging, staged: list[str], unchanged: int, static: list[StaticFile],
           stale: Iterable[str]) -> WriteReport:
    """Put the staged files and the static copies in place and remove `stale` output files.

    `unchanged` counts the rendered files already in place; the report counts static copies too.
    """
    shadow = Shadow(staging.output_dir)
    if staging.whole:
        for item in static:
            target = staging.staged_file(item.dest)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item.src, target)
        staging.staged_file(MARKER).write_bytes(MARKER_TEXT)
        shadow.discard()  # it mirrored an output folder that is gone
        _move_whole(staging.path, staging.output_dir)
        return WriteReport(len(staged) + len(static), 0, 0)
    copies = [item for item in static if not same_copy(staging.output_dir / item.dest, item.src)]
    static_kept = len(static) - len(copies)
    for item in copies:
        shutil.copy2(item.src, staging.staged_file(item.dest))
    stale = [rel for rel in stale if rel != MARKER]
    if not staged and not copies and not stale:
        staging.discard()
        return WriteReport(0, unchanged + static_kept, 0)
    replaced = staged + [c.dest for c in copies]
    if len(replaced) == 1 and not stale and _replaceable(staging.output_dir, replaced[0]):
        # One changed file (the usual edit of an article's text): a single rename is atomic by
        # itself, so output/ is the old site or the new one without swapping whole trees, and
        # the previous tree, if there is one, catches up with that path in the next build. On a
        # 10,000-article site, mirroring output/ for the first swap after a cold build costs
        # seconds (a mkdir per article page), far more than the rest of such a build's writing.
        shadow.will_change(replaced[0])
        os.replace(staging.staged_file(replaced[0]), staging.output_dir / replaced[0])
        staging.discard()
        return WriteReport(1, unchanged + static_kept, 0)
    # Every change goes into the previous site's tree, which then takes output/'s place at once.
    tree = shadow.prepare()
    for rel in replaced:
        put(tree, rel, staging.staged_file(rel))
    removed = sum(remove(tree, rel) for rel in stale)
    shadow.swap(replaced + stale)
    staging.discard()
    return WriteReport(len(staged) + len(copies), unchanged + static_kept, removed)


def _replaceable(output_dir: Path, rel: str) -> bool:
    """Whether one rename puts `rel` in place: its folder exists (making one would be a step of
    its own) and a plain file or nothing is there now (not a folder, not a symlink)."""
    target = output_dir / rel
    try:
        if not stat.S_ISDIR(os.lstat(target.parent).st_mode):
            return False
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.lstat(target).st_mode)
    except FileNotFoundError:
        return True  # a new file in an existing folder
    except OSError:
        return False


def _move_whole(staging: Path, output_dir: Path) -> None:
    try:
        if output_dir.is_dir():
            output_dir.rmdir()  # empty, or `whole` would be False
        os.rename(staging, output_dir)
    except OSError:  # an empty mount point (a Docker volume): fill it instead
        output_dir.mkdir(parents=True, exist_ok=True)
        for entry in sorted(staging.iterdir()):
            shutil.move(entry, output_dir / entry.name)
        staging.rmdir()


def same_copy(path: Path, src: Path) -> bool:
    # copy2 keeps the source's mtime, so size + mtime identify an unchanged copy without reading it.
    try:
        mine, theirs = path.stat(), src.stat()
    except OSError:
        return False
    return mine.st_size == theirs.st_size and int(mine.st_mtime) == int(theirs.st_mtime)


def existing_files(output_dir: Path) -> set[str]:
    if not output_dir.is_dir():
        return set()
    found = set()
    for dirpath, _dirnames, filenames in os.walk(output_dir):
        base = Path(dirpath).relative_to(output_dir)
        found.update((base / name).as_posix() for name in filenames)
    return found


def write(files: Iterable[RenderedFile], static: Iterable[StaticFile], output_dir: Path) -> WriteReport:
    """Write in-memory files (the whole site) into `output_dir`; see the module docstring."""
    check_output_folder(output_dir)
    files, static = list(files), list(static)
    staging = Staging(output_dir).open()
    try:
        staged, unchanged = [], 0
        for item in files:
            if staging.same_as_output(item.path, item.data):
                unchanged += 1
            else:
                staging.stage(item.path, item.data)
                staged.append(item.path)
        produced = {f.path for f in files} | {s.dest for s in static} | {MARKER}
        stale = sorted(existing_files(output_dir) - produced)
        return commit(staging, staged, unchanged, static, stale)
    except BaseException:
        staging.discard()
        raise


def staging_dirs(output_dir: Path) -> list[Path]:
    return sorted(output_dir.parent.glob(f".{output_dir.name}{STAGING_PREFIX}*"))
