"""The previous output folder, kept beside output/ so that a build replaces output/ in one step.

A build must never leave output/ half old and half new, even when it is killed while writing
(design §4). Replacing files one by one cannot promise that, and building a whole new tree every
time costs more than the build on a 10,000-page site. So the folder that the last build replaced
is kept as `.output.sitegen-previous/tree`: its files are hard links to the same files as
output/'s wherever they did not change. A build brings that tree up to date with output/ (only
the paths the last build changed, listed in `pending`), applies its own changes to the tree, then
exchanges the tree and output/ with one atomic rename (Linux renameat2 RENAME_EXCHANGE). A build
that changes a single file needs no tree: one rename replaces it (writer.py), and that path is
added to `pending` first.

The first tree is a mirror of all of output/ (a folder and a link per page: seconds at 10,000
articles, most of them in the kernel). A build that is not up to date starts making it at once in a
child process (`mirror_ahead`), on a core the rest of a rebuild leaves idle, and it is taken only
when the child has finished (`settle`, before anything touches the tree or output/).

Files are never written in place, only renamed over or unlinked, so the inodes output/ shares with
the tree are never modified. When `pending` is missing (the first time, or after a build was
killed half-way through updating the tree), the whole tree is compared with output/ instead.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import json
import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

from .workers import leave_signals_to_parent

SHADOW_SUFFIX = ".sitegen-previous"
PARTIAL_PREFIX = "tree.partial-"  # a tree being mirrored ahead, by the build with that process id

# Trees being mirrored ahead by a child process: container -> (its process id, the folder it fills).
_ahead: dict[Path, tuple[int, Path]] = {}


class Shadow:
    def __init__(self, output_dir: Path):
        self.output_dir = output_dir
        self.container = output_dir.parent / f".{output_dir.name}{SHADOW_SUFFIX}"
        self.tree = self.container / "tree"
        self.pending = self.container / "pending.json"

    def mirror_ahead(self) -> None:
        """Start mirroring output/ into a new tree in a child process, if there is no tree yet."""
        if self.container in _ahead or self.tree.exists() or self.tree.is_symlink() \
                or not self.output_dir.is_dir() or not hasattr(os, "fork"):
            return
        self.container.mkdir(exist_ok=True)
        for leftover in self.container.glob(f"{PARTIAL_PREFIX}*"):  # from a build that was killed
            shutil.rmtree(leftover, ignore_errors=True)
        partial = self.container / f"{PARTIAL_PREFIX}{os.getpid()}"
        for stream in (sys.stdout, sys.stderr):  # or the child flushes what they hold once more
            if stream is not None:
                stream.flush()
        # A bare fork, not multiprocessing's Process: forked from a thread other than the main one
        # (the dev server rebuilds on one), a Process exits with code 1 even when it succeeded.
        pid = os.fork()
        if pid == 0:  # the child: never returns into the build
            code = 1
            try:
                code = _mirror_child(os.fspath(self.output_dir), os.fspath(partial))
            finally:
                os._exit(code)
        _ahead[self.container] = (pid, partial)

    def settle(self) -> None:
        """Wait for the tree being mirrored ahead, if one is; take it if the child made it whole."""
        started = _ahead.pop(self.container, None)
        if started is None:
            return
        pid, partial = started
        try:
            code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        except ChildProcessError:  # reaped by someone else: whether it finished is not known
            code = -1
        if code == 0 and not self.tree.exists() and not self.tree.is_symlink():
            os.rename(partial, self.tree)
            self._write_pending([])  # output/ has not changed since: nothing to catch up with
        else:
            shutil.rmtree(partial, ignore_errors=True)

    def prepare(self) -> Path:
        """The tree, made equal to output/ file for file, ready to take this build's changes."""
        self.settle()
        changed = self._take_pending()
        if changed is None or not self.tree.is_dir():
            self.container.mkdir(exist_ok=True)
            sync_all(self.output_dir, self.tree)
            return self.tree
        for rel in changed:
            sync_path(self.output_dir, self.tree, rel)
        # Files dropped into output/ by hand (CNAME...) are usually at the top: mirror those too.
        sync_top_files(self.output_dir, self.tree)
        return self.tree

    def swap(self, changed: Iterable[str]) -> None:
        """Put the tree in output/'s place; the old output/ becomes the tree, `changed` behind."""
        changed = sorted(set(changed))
        if not exchange(self.tree, self.output_dir):
            # output/ is a mount point (a Docker volume, say): it cannot be renamed, so its files
            # are updated one by one instead, removals first. Not atomic, but it works.
            for rel in sorted(changed, key=lambda rel: (self.tree / rel).exists()):
                sync_path(self.tree, self.output_dir, rel)
            changed = []  # the tree already equals output/
        self._write_pending(changed)

    def will_change(self, rel: str) -> None:
        """output/ is about to change at `rel` without a swap (one rename): list it in `pending`
        first, so the tree catches up with it even if this build is killed right after."""
        self.settle()
        try:
            changed = json.loads(self.pending.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # no list: the next build compares the whole tree (or there is no tree)
        if not isinstance(changed, list) or rel in changed:
            return
        self._write_pending(changed + [rel])

    def _write_pending(self, changed: list[str]) -> None:
        temporary = self.pending.with_suffix(".tmp")
        temporary.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.pending)

    def discard(self) -> None:
        self.settle()
        shutil.rmtree(self.container, ignore_errors=True)

    def _take_pending(self) -> list[str] | None:
        # Removed before the tree is touched: if this build dies half-way, the next one
        # compares the whole tree instead of trusting a list that no longer describes it.
        try:
            changed = json.loads(self.pending.read_text(encoding="utf-8"))
            self.pending.unlink()
        except (OSError, ValueError):
            return None
        return changed if isinstance(changed, list) and all(isinstance(c, str) for c in changed) else None


def sync_all(source: Path, tree: Path) -> None:
    """Make `tree` hold the same files (hard links) as `source`, and nothing else."""
    if not tree.exists() and not tree.is_symlink():
        _mirror_new(source, tree)
        return
    _make_folder(tree)
    with os.scandir(source) as entries:
        wanted = {entry.name: entry for entry in entries}
    for name in set(os.listdir(tree)) - wanted.keys():
        _remove(tree / name)
    for name, entry in wanted.items():
        if entry.is_dir(follow_symlinks=False):
            sync_all(Path(entry.path), tree / name)
        else:
            _link(Path(entry.path), tree / name)


def _mirror_new(source: Path, tree: Path) -> None:
    """`sync_all` into a folder that does not exist yet: nothing to compare or replace, so plain
    mkdir and link calls (the first multi-file update after a cold build mirrors the whole site
    this way). Names are resolved against open folders, without a Path object per file: a third
    of the time of linking full paths, about what `cp -al` takes."""
    _mirror_folder(os.fspath(source), os.fspath(tree))


def _mirror_child(source: str, tree: str) -> int:
    """Shadow.mirror_ahead's child process: `tree` made a mirror of `source` (exit code 0), or 1."""
    # Ctrl+C stops the build, which then waits for this child: finishing is as quick as stopping.
    leave_signals_to_parent()
    try:
        _mirror_folder(source, tree)
    except OSError:  # a full disk, say: the build mirrors output/ itself if it needs the tree
        return 1
    return 0


def _mirror_folder(source: str, tree: str) -> None:
    os.mkdir(tree)
    folders = []
    source_fd = os.open(source, os.O_RDONLY | os.O_DIRECTORY)
    try:
        tree_fd = os.open(tree, os.O_RDONLY | os.O_DIRECTORY)
        try:
            with os.scandir(source_fd) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.name)
                        continue
                    try:
                        os.link(entry.name, entry.name, src_dir_fd=source_fd, dst_dir_fd=tree_fd,
                                follow_symlinks=False)
                    except OSError:  # a file system without hard links
                        shutil.copy2(os.path.join(source, entry.name), os.path.join(tree, entry.name),
                                     follow_symlinks=False)
        finally:
            os.close(tree_fd)
    finally:
        os.close(source_fd)
    for name in folders:
        _mirror_folder(os.path.join(source, name), os.path.join(tree, name))


def sync_path(source: Path, tree: Path, rel: str) -> None:
    """Make `tree/rel` what `source/rel` is now: the same file, a folder, or nothing."""
    have, want = tree / rel, source / rel
    if want.is_file():
        _make_parents(have, tree)
        _link(want, have)
    elif want.is_dir():
        _make_parents(have, tree)
        _make_folder(have)
    else:
        _remove(have)
        prune_empty_parents(have, tree)


def sync_top_files(source: Path, tree: Path) -> None:
    with os.scandir(source) as entries:
        files = {e.name: Path(e.path) for e in entries if not e.is_dir(follow_symlinks=False)}
    with os.scandir(tree) as entries:
        extra = [Path(e.path) for e in entries if not e.is_dir(follow_symlinks=False) and e.name not in files]
    for path in extra:
        path.unlink()
    for name, path in files.items():
        _link(path, tree / name)


def put(tree: Path, rel: str, new_file: Path) -> None:
    """Rename `new_file` to `tree/rel`, replacing a file or a folder that is there."""
    target = tree / rel
    _make_parents(target, tree)
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)  # links only: output/'s files are untouched
    os.replace(new_file, target)


def remove(tree: Path, rel: str) -> int:
    """Remove the file `tree/rel` (a stale page) and folders left empty; 1 when it was there."""
    target = tree / rel
    if target.is_dir() and not target.is_symlink():
        return 0  # a stale file's path now holds a new folder
    try:
        target.unlink()
    except (FileNotFoundError, NotADirectoryError):
        return 0
    prune_empty_parents(target, tree)
    return 1


def prune_empty_parents(path: Path, top: Path) -> None:
    folder = path.parent
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _link(source: Path, target: Path) -> None:
    """`target` becomes a hard link to `source` (a copy where links are not possible)."""
    try:
        if os.path.samefile(source, target):
            return
    except OSError:
        pass
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    temporary = target.with_name(f".{target.name}.sitegen-link")
    temporary.unlink(missing_ok=True)
    try:
        os.link(source, temporary)
    except OSError:
        shutil.copy2(source, temporary)
    os.replace(temporary, target)


def _make_parents(path: Path, top: Path) -> None:
    missing = []
    for parent in path.parents:
        if parent == top or top not in parent.parents:
            break
        missing.append(parent)
    for folder in reversed(missing):
        _make_folder(folder)


def _make_folder(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        return
    if path.exists() or path.is_symlink():
        path.unlink()  # a file where a folder now belongs
    path.mkdir()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically; where the kernel cannot, output/ is missing for one rename.
    False, with nothing changed, when the folders cannot be renamed at all (a mount point)."""
    if _renameat2_exchange(a, b):
        return True
    parked = a.with_name(a.name + ".parked")
    try:
        os.rename(b, parked)
    except OSError:
        return False
    try:
        os.rename(a, b)
    except OSError:
        os.rename(parked, b)
        return False
    os.rename(parked, a)
    return True


def _renameat2_exchange(a: Path, b: Path) -> bool:
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


@functools.cache
def _renameat2():  # find_library runs ldconfig: once per process is enough
    libc_name = ctypes.util.find_library("c")
    return getattr(ctypes.CDLL(libc_name, use_errno=True), "renameat2", None) if libc_name else None
