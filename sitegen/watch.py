"""Notice changes to a site's sources by polling file stamps: content/, templates, themes, site.toml.

A livereload Watcher whose examine() never triggers livereload's own (throttled) reloads: the dev
server reloads browsers itself, after a rebuild has finished. Polling needs no extra dependency and
works on every file system; the interval stretches on big sites so a scan never costs more than a
fifth of the time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from livereload.watcher import Watcher
from tornado.ioloop import PeriodicCallback

from .themes import BUNDLED_THEMES

POLL_SECONDS = 0.2
Stamps = dict[str, tuple[int, int, int]]


def watched_roots(root: Path) -> list[Path]:
    """What a change in means a rebuild: config, content (and its static files), templates, themes."""
    roots = [root / "site.toml", root / "content", root / "templates", root / "themes"]
    if not BUNDLED_THEMES.resolve().is_relative_to(root.resolve()):
        roots.append(BUNDLED_THEMES)  # the built-in theme, for people working on it
    return roots


def _ignored(name: str) -> bool:
    # Editors' swap, backup and lock files come and go on every save.
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))


def scan(roots: Iterable[Path]) -> Stamps:
    stamps: Stamps = {}
    for top in roots:
        if top.is_file():
            _stamp(stamps, top)
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if not _ignored(d)]
            for name in filenames:
                if not _ignored(name):
                    _stamp(stamps, Path(dirpath) / name)
    return stamps


def _stamp(stamps: Stamps, path: Path) -> None:
    try:
        info = path.stat()
    except OSError:
        return  # deleted between listing and stat: the next scan sees it gone
    stamps[str(path)] = (info.st_mtime_ns, info.st_size, info.st_ino)


def changed_paths(before: Stamps, after: Stamps) -> set[str]:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


class SiteWatcher(Watcher):
    """Calls `on_change(paths)` on the IOLoop when watched files are added, changed or removed."""

    def __init__(self, root: Path, on_change: Callable[[set[str]], None]):
        super().__init__()
        self.roots = watched_roots(root)
        self.on_change = on_change
        self.stamps = scan(self.roots)  # the baseline: taken before the first build starts
        self._next_scan = 0.0

    def start(self, callback: Callable[[], None]) -> bool:
        # Our own poll instead of livereload's 800 ms one; True tells livereload not to add its own.
        PeriodicCallback(self.poll, POLL_SECONDS * 1000).start()
        return True

    def examine(self) -> tuple[None, None]:
        return None, None  # livereload never decides to reload by itself

    def poll(self) -> None:
        if time.monotonic() >= self._next_scan:
            changed = self.rescan()
            if changed:
                self.on_change(changed)

    def rescan(self) -> set[str]:
        """Scan now; the paths changed since the previous scan."""
        started = time.monotonic()
        stamps = scan(self.roots)
        self._next_scan = started + max(POLL_SECONDS, 5 * (time.monotonic() - started))
        changed = changed_paths(self.stamps, stamps)
        self.stamps = stamps
        return changed
