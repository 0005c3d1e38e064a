"""`sitegen serve`: build, serve on 127.0.0.1, rebuild on every save, reload the browser (design §9).

The site is built into its own folder (.sitegen-cache/serve-<port>/, kept between runs), never
output/, so a production build stays clean; the livereload script and the draft badges are added
to pages as they are served, not written to disk. Saves are debounced, one rebuild runs at a time
in a worker thread, and requests wait while it writes, so nobody sees a half-updated site. A
failed rebuild keeps the last good files and every page request gets the error page instead,
until a good save reloads the browser back to the site.

A save that changes one article first shows its page rendered against the last build (a "quick
page", kept in memory and served without waiting), then rebuilds the site as always; the browser
is reloaded for each. On a 10,000-article site the rebuild takes seconds, the quick page
milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import time
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from livereload import Server
from livereload.handlers import LiveReloadHandler, StaticFileHandler
from tornado.ioloop import IOLoop
from tornado.web import HTTPError

from .config import CONFIG_FILE
from .console import TerminalProgress, summary
from .diagnostics import ConfigError, error
from .preview import Outcome, PreviewBuilder, QuickPage, error_page
from .watch import SiteWatcher

GATE_SECONDS = 60.0  # longest a request waits for a running rebuild before it is served anyway
DEBOUNCE_SECONDS = 0.08  # quiet time after a save: a burst (git checkout, "save all") is one rebuild
SERVE_DIR = ".sitegen-cache"


class PreviewHandler(StaticFileHandler):
    """Static files from the preview folder; pages get badges, or the error page after a failure."""

    def initialize(self, path: str, default_filename: str | None = None,  # type: ignore[override]
                   server: DevServer | None = None) -> None:
        super().initialize(path, default_filename)
        self.server = server

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")  # every reload must show the latest build

    def compute_etag(self) -> None:
        return None  # no conditional requests: pages are decorated per request and never cached

    async def get(self, path: str, include_body: bool = True) -> None:
        if _refused(path):
            raise HTTPError(403)
        quick = self.server.quick_page(self.parse_url_path(path)) if self.server and _is_page(path) else None
        if quick is not None:  # not waiting for the rebuild: showing it early is the point
            return self._send(self.server.outcome.preview.decorate(quick.data, quick.output), 200,
                              include_body)
        if self.server:
            await self.server.idle()
        if not _is_page(path):
            return await super().get(path, include_body)
        outcome = self.server.outcome if self.server else Outcome()
        if not outcome.ok:
            return self._send(error_page(outcome), 500, include_body)
        self.path = self.parse_url_path(path)
        try:
            absolute = self.validate_absolute_path(self.root, self.get_absolute_path(self.root, self.path))
        except HTTPError as exc:
            if exc.status_code != 404:
                raise
            return self._send_file(os.path.join(self.root, "404.html"), 404, include_body)
        if absolute is None:  # a folder without its trailing slash: redirected
            return None
        if not absolute.endswith(".html"):
            return await super().get(path, include_body)
        return self._send_file(absolute, 200, include_body)

    def _send_file(self, absolute: str, status: int, include_body: bool) -> None:
        try:
            data = Path(absolute).read_bytes()
        except OSError:
            raise HTTPError(404) from None
        output = unicodedata.normalize(
            "NFC", os.path.relpath(os.path.realpath(absolute), os.path.realpath(self.root)))
        preview = self.server.outcome.preview if self.server else None
        self._send(preview.decorate(data, output.replace(os.sep, "/")) if preview else data,
                   status, include_body)

    def _send(self, data: bytes, status: int, include_body: bool) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        if include_body:
            self.finish(data)
        else:
            self.set_header("Content-Length", len(data))
            self.finish()


def _refused(path: str) -> bool:
    """Paths that try to leave the served folder, however they were encoded in the URL."""
    parts = path.split("/")
    return "\x00" in path or "\\" in path or path.startswith("/") or ".." in parts


def _is_page(path: str) -> bool:
    last = path.rsplit("/", 1)[-1]
    return last == "" or last.endswith(".html") or "." not in last


class _QuietErrorPages(logging.Filter):
    """The access log keeps 404s (a missing image is worth knowing) but not our own error pages."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.args, tuple) and record.args[:1] in ((403,), (500,)))


class PreviewServer(Server):
    """livereload's Server with our handler and without its logging setup (we print our own)."""

    def __init__(self, dev: DevServer):
        super().__init__(watcher=dev.watcher)
        self.dev = dev

    def get_web_handlers(self, script: bytes) -> list:
        return [(r"/(.*)", PreviewHandler, {"path": str(self.dev.folder), "default_filename": "index.html",
                                            "server": self.dev})]

    def _setup_logging(self) -> None:
        logging.getLogger("tornado.access").addFilter(_QuietErrorPages())


class DevServer:
    """Owns the rebuild loop: debounce, one build at a time, then reload every connected browser."""

    def __init__(self, root: Path, host: str, port: int, drafts: bool, quiet: bool = False):
        self.root, self.host, self.port, self.quiet = root, host, port, quiet
        self.folder = (root / SERVE_DIR / f"serve-{port}").resolve()
        self.url = f"http://{host}:{port}/"
        self.builder = PreviewBuilder(root, self.folder, self.url, drafts)
        self.watcher = SiteWatcher(root, self.changed)
        self.outcome = Outcome()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitegen-rebuild")
        self._pending: set[str] = set()  # changed since the last rebuild began
        self._saved: set[str] = set()  # changed since the last save settled
        self._timer: object | None = None
        self._building = False
        # Quick pages by output path, each with the number of the save that made it: a rebuild
        # started after that save replaces it with the real page.
        self._quick: dict[str, tuple[int, QuickPage]] = {}
        self._saves = 0
        self._idle = asyncio.Event()  # cleared while a rebuild runs
        self._idle.set()

    async def idle(self) -> None:
        """Wait for a running rebuild: the writer updates files in place, so a page requested
        half-way could come from the new build and its stylesheet or links from the old one."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), GATE_SECONDS)

    def first_build(self) -> None:
        with TerminalProgress(enabled=not self.quiet) as progress:
            self.outcome = self.builder.rebuild(progress)
        if self.outcome.ok and not self.quiet:
            print(summary(self.outcome.result), flush=True)
        self._report_failure()

    def changed(self, paths: set[str]) -> None:
        """Files changed: wait until a quick rescan finds nothing new, then rebuild once."""
        self._pending |= paths
        self._saved |= paths
        loop = IOLoop.current()
        if self._timer is not None:
            loop.remove_timeout(self._timer)
        self._timer = loop.call_later(DEBOUNCE_SECONDS, self._settled)

    def _settled(self) -> None:
        self._timer = None
        more = self.watcher.rescan()
        if more:
            self.changed(more)  # still being written (a burst of saves): wait a little longer
            return
        self._saves += 1
        saved, self._saved = self._saved, set()
        self._show_quick_page(saved)  # this save's files (a running rebuild may leave others pending)
        self._rebuild()

    def quick_page(self, url_path: str) -> QuickPage | None:
        """The quick page for a request's path ('articles/x/' or 'articles/x/index.html'), if any."""
        path = unicodedata.normalize("NFC", url_path.replace(os.sep, "/"))
        found = self._quick.get(path + "index.html" if path.endswith("/") or not path else path)
        return found[1] if found and self.outcome.ok else None

    def _show_quick_page(self, paths: set[str]) -> None:
        """Render the one article a save changed and reload at once (the rebuild follows)."""
        if not self.outcome.ok:
            return  # the error page stays until a rebuild succeeds
        started = time.perf_counter()
        try:
            page = self.builder.quick(paths)
        except Exception:  # only a head start: the rebuild that follows reports what went wrong
            page = None
        if page is None:
            return
        self._quick[page.output] = (self._saves, page)
        LiveReloadHandler.reload_waiters("*")
        if not self.quiet:
            print(f"showed {_describe(paths, self.root)} in {time.perf_counter() - started:.2f}s "
                  f"(reloaded {_since_save(paths):.2f}s after the save); rebuilding the site",
                  flush=True)

    def _rebuild(self) -> None:
        if self._building:
            return  # picked up when the running build finishes
        paths, self._pending = self._pending, set()
        self._building = True
        self._idle.clear()
        future = self._executor.submit(self.builder.rebuild)
        saves = self._saves  # the rebuild reads every file saved so far
        IOLoop.current().add_future(future, lambda f: self._finished(f, paths, saves))

    def _finished(self, future: Future[Outcome], paths: set[str], saves: int) -> None:
        self._building = False
        self._idle.set()
        self._quick = {output: made for output, made in self._quick.items() if made[0] > saves}
        previous, self.outcome = self.outcome, future.result()
        if self.outcome.ok:
            self._report_success(paths, self.outcome.parsed)
        else:
            self._report_failure()
        touched = self.outcome.ok and self.outcome.result.report.touched
        if touched or previous.ok != self.outcome.ok or previous.failure != self.outcome.failure:
            LiveReloadHandler.reload_waiters("*")
        if self._pending:
            self._rebuild()

    def _report_success(self, paths: set[str], parsed: int) -> None:
        if self.quiet:
            return
        result = self.outcome.result
        report = result.report
        seconds = sum(result.stage_seconds.values())
        print(f"rebuilt in {seconds:.2f}s after {_describe(paths, self.root)} changed "
              f"(reloaded {_since_save(paths):.2f}s after the save): parsed {parsed} file"
              f"{'' if parsed == 1 else 's'}; {report.written} written, {report.unchanged} unchanged, "
              f"{report.removed} removed", flush=True)

    def _report_failure(self) -> None:
        if self.outcome.ok:
            return
        for diagnostic in self.outcome.failure:
            print(diagnostic.format(), file=sys.stderr)
        print(f"{self.outcome.summary}; the browser shows the errors, the last good site is kept",
              file=sys.stderr, flush=True)

    def close(self) -> None:
        self.watcher.stop()
        self._executor.shutdown(wait=True)  # the preview folder stays: the next start renders less


def _describe(paths: set[str], root: Path) -> str:
    shown = sorted(os.path.relpath(p, root) for p in paths)
    return shown[0] if len(shown) == 1 else f"{len(shown)} files"


def _since_save(paths: set[str]) -> float:
    """Seconds from the latest save among `paths` to now (the save→reload latency)."""
    stamps = [os.stat(p).st_mtime for p in paths if os.path.exists(p)]
    return max(0.0, time.time() - max(stamps)) if stamps else 0.0


def _check_port(host: str, port: int) -> None:
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise ConfigError([error("", f"cannot serve on {host}:{port}: {exc.strerror or exc} "
                                 "(try another --port)")]) from None


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, drafts: bool = True,
          quiet: bool = False) -> int:
    if not (root / CONFIG_FILE).is_file():
        raise ConfigError([error(CONFIG_FILE, f"no {CONFIG_FILE} in {root} (is this a site folder? "
                                 "try --site DIR)")])
    _check_port(host, port)  # before building, so a busy port is reported at once
    dev = DevServer(root, host, port, drafts, quiet)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop cleanly like Ctrl+C
    try:
        dev.first_build()
        shown = "drafts and scheduled articles shown" if drafts else "drafts hidden"
        print(f"serving {root.resolve()} at {dev.url} ({shown}); Ctrl+C to stop", flush=True)
        PreviewServer(dev).serve(port=port, host=host, root=str(dev.folder), restart_delay=0)
    except OSError as exc:
        raise ConfigError([error("", f"cannot serve on {host}:{port}: {exc.strerror or exc} "
                                 "(try another --port)")]) from None
    except KeyboardInterrupt:
        pass
    finally:
        dev.close()
    return 0
