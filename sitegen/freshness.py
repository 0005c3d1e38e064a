"""Is the last build still current? Then a rebuild is a few thousand stat calls, not a build.

Every input of a build is summed up in one digest before any parsing: sitegen's code, the
configuration and options, the templates, translations and theme files, the static files, and
the content of every source (known without reading it when its size and modification time match
the build cache's index). When that digest equals the one recorded by the last successful build
into the same output folder, and every output file still has its recorded size and modification
time, the output is already what this build would write.

Time is the one input that changes on its own: a scheduled article becomes due. The recorded
build says until when it stays valid (its earliest scheduled article). And if anything after
`assemble` used the current time (e.g. a "last 48 hours" list), the build is marked time-sensitive
and never skipped this way: `Site.now` is a WatchedTime that notices being used.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from .build_cache import BuildCache
from .build_record import BuildState, Outputs
from .cache_format import code_version
from .config import SiteConfig
from .discovery import StaticFile
from .model import SourceFile
from .site import BuildOptions
from .themes import Theme

_used = [False]  # set by any WatchedTime of the current build
_quiet = [0]  # inside time_window(): uses are declared, not counted
_horizons: list[datetime] = []  # what time_window() blocks declared this build


class WatchedTime(datetime):
    """A datetime that records that it was read: compared, formatted, subtracted from..."""

    @classmethod
    def watch(cls, moment: datetime) -> WatchedTime:
        _used[0], _quiet[0] = False, 0
        _horizons.clear()
        return cls(moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
                   moment.microsecond, moment.tzinfo, fold=moment.fold)

    def __getattribute__(self, name: str) -> Any:
        _used[0] = _used[0] or not _quiet[0]
        return super().__getattribute__(name)


def _noticing(name: str) -> Any:
    method = getattr(datetime, name)

    def noticed(self: datetime, *args: Any) -> Any:
        _used[0] = _used[0] or not _quiet[0]
        return method(self, *args)

    noticed.__name__ = name
    return noticed


for _name in ("__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__", "__hash__", "__add__",
              "__radd__", "__sub__", "__rsub__", "__format__", "__str__", "__repr__", "__reduce__",
              "__reduce_ex__"):
    setattr(WatchedTime, _name, _noticing(_name))


def unwatched(moment: datetime) -> datetime:
    """The same moment as a plain datetime: comparing with it costs no call to notice the use
    (for code inside a time_window, where uses are declared anyway)."""
    return datetime(moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
                    moment.microsecond, moment.tzinfo, fold=moment.fold)


def time_was_used() -> bool:
    return _used[0]


class TimeWindow:
    def __init__(self) -> None:
        self.until: datetime | None = None

    def valid_until(self, moment: datetime | None) -> None:
        """The result computed in the window may change at `moment` (None: not because of time)."""
        if moment is not None and (self.until is None or moment < self.until):
            self.until = datetime.fromtimestamp(moment.timestamp(), moment.tzinfo)


@contextmanager
def time_window() -> Iterator[TimeWindow]:
    """For code that uses Site.now and knows until when its result holds (a "last 48 hours"
    list): uses inside the block do not make the build time-sensitive; the moments given to
    `window.valid_until` bound how long an unchanged rebuild may be skipped instead.

    The block must not contain a `yield`: other planners would run inside it.
    """
    window = TimeWindow()
    _quiet[0] += 1
    try:
        yield window
    finally:
        _quiet[0] -= 1
        if window.until is not None:
            _horizons.append(window.until)


def declared_horizon() -> datetime | None:
    return min(_horizons, default=None)


class Freshness:
    """The inputs of this build, and whether the last build into the same folder had the same."""

    def __init__(self, cache: BuildCache, config: SiteConfig, chain: list[Theme], options: BuildOptions,
                 sources: list[SourceFile], static: list[StaticFile]):
        self.cache, self.sources, self.output_dir = cache, sources, config.output_path
        # Templates, settings and static files are summed up now, before they are used; sources
        # at the end, by the content this build actually read.
        self.frame = _frame_digest(config, chain, options, static)

    def current(self, now: datetime) -> BuildState | None:
        """The last build's state if its output is what this build would write, else None."""
        recorded = self.cache.recorded(self.output_dir)
        state, outputs = recorded.state, recorded.outputs
        if state is None or outputs is None or state.time_sensitive:
            return None
        if state.valid_until is not None and now >= state.valid_until:
            return None
        if state.inputs != self.inputs() or not _all_in_place(outputs, self.output_dir):
            return None
        return state

    def inputs(self) -> bytes:
        h = hashlib.blake2b(self.frame, digest_size=16)
        for source, digest in zip(self.sources, self.cache.source_digests(self.sources), strict=True):
            h.update(f"{source.kind}\0{source.rel_path}\0".encode("utf-8", "surrogatepass"))
            h.update(digest or b"<unreadable>")
        return h.digest()

    def state(self, scheduled: datetime | None, summary: dict[str, Any]) -> BuildState:
        """This build's state; `scheduled`: its earliest scheduled article, if any."""
        until = min((m for m in (scheduled, declared_horizon()) if m is not None), default=None)
        return BuildState(self.inputs(), until, time_was_used(), summary)


def _frame_digest(config: SiteConfig, chain: list[Theme], options: BuildOptions,
                  static: list[StaticFile]) -> bytes:
    h = hashlib.blake2b(code_version(), digest_size=16)
    h.update(repr((config, options)).encode("utf-8", "surrogatepass"))
    folders = [config.root / "templates", config.root / "i18n"] + [t.path for t in chain]
    for folder in folders:  # templates, translations, theme.toml, theme static files
        for path in sorted(_files(folder)):
            h.update(_stamp_line(path))
    for item in static:
        h.update(_stamp_line(item.src))
    return h.digest()


def _files(folder: Path) -> list[str]:
    found = []
    for dirpath, _dirnames, filenames in os.walk(folder, followlinks=True):
        found += [os.path.join(dirpath, name) for name in filenames]
    return found


def _stamp_line(path: Any) -> bytes:
    try:
        info = os.stat(path)
        line = f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n"
    except OSError:
        line = f"{path}\0<missing>\n"
    return line.encode("utf-8", "surrogatepass")


def _all_in_place(outputs: Outputs, output_dir: Path) -> bool:
    base = str(output_dir)
    for path, record in outputs.items():
        try:
            info = os.stat(f"{base}/{path}")
        except OSError:
            return False
        if info.st_size != record.size or info.st_mtime_ns != record.mtime_ns:
            return False
    return True
