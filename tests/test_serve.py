"""`sitegen serve` end to end: a real server in a subprocess, spoken to over HTTP and WebSocket."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from bs4 import BeautifulSoup
from tornado.websocket import websocket_connect

from sitegen.preview import Preview, PreviewBuilder

from sitetools import REPO, article, build_site, snapshot, write_site

T = TypeVar("T")
EDIT_DEADLINE = 2.0  # seconds from save to the new page (the promise)
START_DEADLINE = 60.0

ARTICLE = "content/articles/2026-11-20-port.md"
FILES = {
    ARTICLE: article("افتتاح الميناء الجديد", tags="[النقل]"),
    "content/articles/2026-11-21-draft.md": article("مسودة خبر الصيادين", draft="true"),
    "content/articles/2099-01-01-future.md": article("خبر مجدول للنشر", date="2099-01-01T09:00:00+03:00"),
    "content/articles/2026-11-19-خبر.md": article("خبر بعنوان عربي"),
}


@dataclass
class Served:
    root: Path
    port: int
    process: subprocess.Popen
    log: Path

    def rebuilds(self) -> int:
        return self.log.read_text(encoding="utf-8").count("rebuilt in ")

    def get(self, path: str) -> tuple[int, str]:
        """GET `path` exactly as written (no client-side normalisation of '..' or encoding)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()

    def page(self, path: str) -> BeautifulSoup:
        status, body = self.get(path)
        assert status == 200, body
        return BeautifulSoup(body, "lxml")

    @property
    def folder(self) -> Path:
        return self.root / ".sitegen-cache" / f"serve-{self.port}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def poll(fetch: Callable[[], T], ready: Callable[[T], bool], deadline: float, what: str) -> T:
    """Call `fetch` until `ready(value)`, failing after `deadline` seconds with the last value."""
    end = time.monotonic() + deadline
    while True:
        value = fetch()
        if ready(value):
            return value
        if time.monotonic() > end:
            raise AssertionError(f"{what}: not seen within {deadline}s; last: {str(value)[:800]}")
        time.sleep(0.05)


def start(root: Path, *extra: str) -> Iterator[Served]:
    port = free_port()
    logs = root.parent / f"serve-{port}.log"
    with open(logs, "w+", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "sitegen", "serve", "--site", str(root), "--port", str(port), *extra],
            stdout=log, stderr=subprocess.STDOUT,
            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
        served = Served(root, port, process, logs)

        def fetch_home() -> int | str:
            if process.poll() is not None:
                raise AssertionError(f"serve exited with {process.returncode}:\n{logs.read_text()}")
            try:
                return served.get("/")[0]
            except OSError:
                return "not listening yet"

        try:
            poll(fetch_home, lambda status: status == 200, START_DEADLINE, "the server answering")
            yield served
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)


@pytest.fixture
def served(site_factory) -> Iterator[Served]:
    """A server of its own, for a test that edits the site."""
    root = site_factory(FILES)
    build_site(root)  # a production build exists before serving; serve must leave it alone
    yield from start(root)


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Iterator[Served]:
    """One server for the tests that only read."""
    yield from start(write_site(tmp_path_factory.mktemp("shared") / "site", FILES))


def edit(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.write_text(text, encoding="utf-8")
    stat = path.stat()  # a fresh mtime even where timestamps are coarse
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))


def title_of(served: Served, path: str) -> str:
    status, body = served.get(path)
    heading = BeautifulSoup(body, "lxml").h1
    return f"{status} {heading.get_text() if heading else body[:200]}"


async def reload_after_edit(served: Served, rel: str, text: str) -> dict:
    """Connect as livereload.js does, save a file, and return the reload message it receives."""
    socket_ = await websocket_connect(f"ws://127.0.0.1:{served.port}/livereload")
    await socket_.write_message(json.dumps({"command": "hello",
                                            "protocols": ["http://livereload.com/protocols/official-7"]}))
    assert json.loads(await socket_.read_message())["command"] == "hello"
    await socket_.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{served.port}/"}))
    await asyncio.sleep(0.2)  # the server registers the browser after "info"
    edit(served.root, rel, text)
    message = await asyncio.wait_for(socket_.read_message(), timeout=30)
    socket_.close()
    return json.loads(message)


def test_serve_previews_reloads_shows_errors_and_recovers_without_touching_output(served):
    output_before = snapshot(served.root / "output")

    page = served.page("/articles/port/")
    assert page.h1.get_text() == "افتتاح الميناء الجديد"
    scripts = " ".join(script.get_text() for script in page.find_all("script"))
    assert "/livereload.js?port=" in scripts
    on_disk = (served.folder / "articles/port/index.html").read_text(encoding="utf-8")
    assert "livereload" not in on_disk  # injected while serving only

    # Save → the browser is told to reload only once the new page is there to be fetched.
    message = asyncio.run(reload_after_edit(served, ARTICLE, article("افتتاح الميناء بعد التعديل")))
    assert message["command"] == "reload"
    assert served.page("/articles/port/").h1.get_text() == "افتتاح الميناء بعد التعديل"

    edit(served.root, ARTICLE, article("عنوان ثالث للخبر"))
    poll(lambda: title_of(served, "/articles/port/"), lambda t: t == "200 عنوان ثالث للخبر",
         EDIT_DEADLINE, "the edited title")

    edit(served.root, ARTICLE, article("عنوان ثالث للخبر", date="أمس"))
    status, body = poll(lambda: served.get("/articles/port/"), lambda r: r[0] == 500, EDIT_DEADLINE,
                        "the error page")
    error = BeautifulSoup(body, "lxml")
    assert error.h1.get_text() == "تعذّر بناء الموقع"
    assert error.select_one("pre.sitegen-diagnostics").get_text().splitlines() == [
        "content/articles/2026-11-20-port.md:3:7: error: front matter 'date': expected a date like "
        "2025-10-15 or 2025-10-15T14:05:00+03:00, got 'أمس'",
        "build failed: 1 error",
    ]
    assert "/livereload.js?port=" in body  # so the next good save reloads it
    assert served.get("/")[0] == 500  # every page shows the error ...
    assert served.get("/css/style.css")[0] == 200  # ... while other files are the last good ones

    edit(served.root, ARTICLE, article("عاد الخبر سليماً"))
    poll(lambda: title_of(served, "/articles/port/"), lambda t: t == "200 عاد الخبر سليماً",
         EDIT_DEADLINE, "the page after the fix")

    # A burst of saves (a "save all", a git checkout) is debounced into one or two rebuilds.
    before = served.rebuilds()
    for number in range(10):
        edit(served.root, f"content/articles/2026-11-1{number}-burst.md",
             article(f"خبر الدفعة {number}", slug=f"burst-{number}"))
    poll(lambda: title_of(served, "/articles/burst-9/"), lambda t: t == "200 خبر الدفعة 9",
         EDIT_DEADLINE, "the last page of the burst")
    # The page is there as soon as the files are swapped in; the log line follows on the server loop.
    poll(served.rebuilds, lambda count: count > before, EDIT_DEADLINE, "the rebuild log line")
    time.sleep(0.5)  # room for a stray extra rebuild to show up before counting
    assert served.rebuilds() - before <= 2

    assert snapshot(served.root / "output") == output_before
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=30) == 0
    # The preview folder is kept for a fast restart; it holds a plain build, without the script.
    kept = (served.folder / "articles/burst-9/index.html").read_text(encoding="utf-8")
    assert "خبر الدفعة 9" in kept and "livereload" not in kept


def test_serve_badges_drafts_and_scheduled_articles_and_serves_arabic_urls(shared):
    served = shared
    draft = served.page("/articles/draft/")
    assert draft.h1.select_one(".sitegen-preview-badge").get_text() == "مسودة"
    future = served.page("/articles/future/")
    assert future.h1.select_one(".sitegen-preview-badge").get_text() == "مجدول"
    home = served.page("/")
    badges = {a["href"]: a.select_one(".sitegen-preview-badge").get_text()
              for a in home.select("a[href]") if a.select_one(".sitegen-preview-badge")}
    assert badges == {"/articles/draft/": "مسودة", "/articles/future/": "مجدول"}
    assert served.page("/articles/port/").h1.select_one(".sitegen-preview-badge") is None
    assert served.page("/articles/%D8%AE%D8%A8%D8%B1/").h1.get_text() == "خبر بعنوان عربي"
    status, body = served.get("/articles/missing/")
    assert status == 404 and "/livereload.js?port=" in body


@pytest.mark.parametrize("path", [
    "/../site.toml", "/../../site.toml", "/%2e%2e/%2e%2e/site.toml", "/..%2f..%2fsite.toml",
    "/%2E%2E%2F%2E%2E%2Fsite.toml", "/articles/..%2f..%2f..%2fsite.toml", "/..%5c..%5csite.toml",
    "//etc/passwd", "/%2fetc%2fpasswd", "/articles/%00.html",
])
def test_serve_refuses_paths_outside_the_served_folder(shared, path):
    status, body = shared.get(path)
    assert status in (400, 403, 404)
    assert "base_url" not in body and "root:" not in body


def test_serve_no_drafts_hides_drafts_like_a_real_build(site_factory):
    root = site_factory(FILES)
    for served in start(root, "--no-drafts"):
        assert served.get("/articles/draft/")[0] == 404
        assert served.get("/articles/future/")[0] == 404
        assert served.page("/").select(".sitegen-preview-badge") == []


def test_serve_reports_a_busy_port_and_a_missing_site(site_factory, tmp_path):
    root = site_factory(FILES)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "sitegen", "serve", "--site", str(root), "--port", str(port)],
            capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(REPO), "LANG": "C.UTF-8"})
    assert result.returncode == 2
    assert f"error: cannot serve on 127.0.0.1:{port}: Address already in use (try another --port)" \
        in result.stderr
    assert not (root / "output").exists() and not (root / ".sitegen-cache").exists()

    missing = subprocess.run([sys.executable, "-m", "sitegen", "serve", "--site", str(tmp_path / "nope")],
                             capture_output=True, text=True, timeout=60,
                             env={"PYTHONPATH": str(REPO), "LANG": "C.UTF-8"})
    assert missing.returncode == 2 and "no site.toml in" in missing.stderr


def test_preview_badges_links_and_the_article_heading():
    preview = Preview(by_href={"/articles/%D8%AE/": "مسودة"}, by_output={"articles/خ/index.html": "مسودة"})
    page = ('<html><body><h1 class="t">خ</h1><a class="x" href="/articles/%D8%AE/">خ</a>'
            '<a href="/other/">آخر</a></body></html>').encode()
    decorated = BeautifulSoup(preview.decorate(page, "articles/خ/index.html"), "lxml")
    assert decorated.h1.get_text() == "مسودة خ"
    assert [a.get_text() for a in decorated.select("a")] == ["مسودة خ", "آخر"]
    assert preview.decorate(page, "index.html").count(b"sitegen-preview-badge") == 1


def test_watcher_sees_additions_changes_and_removals_but_not_editor_swap_files(tmp_path):
    from sitegen.watch import changed_paths, scan, watched_roots

    root = write_site(tmp_path / "site", {"content/articles/a.md": "أ", "content/articles/b.md": "ب"})
    roots = watched_roots(root)
    before = scan(roots)
    (root / "content/articles/.a.md.swp").write_text("x")
    (root / "content/articles/a.md~").write_text("x")
    assert changed_paths(before, scan(roots)) == set()
    edit(root, "content/articles/a.md", "أأ")
    (root / "content/articles/b.md").unlink()
    (root / "content/articles/c.md").write_text("ج")
    edit(root, "site.toml", (root / "site.toml").read_text() + "\n")
    changed = {Path(p).relative_to(root).as_posix() for p in changed_paths(before, scan(roots))}
    assert changed == {"content/articles/a.md", "content/articles/b.md", "content/articles/c.md", "site.toml"}


QUICK_FILES = {
    ARTICLE: article("افتتاح الميناء الجديد", tags="[النقل, الموانئ]", body="نص عن الميناء والنقل البحري."),
    "content/articles/2026-11-18-ship.md": article("وصول أول سفينة إلى الميناء", tags="[النقل]",
                                                   body="نص عن السفينة والميناء والنقل البحري."),
    "content/articles/2026-11-17-bridge.md": article("جسر جديد", body="نص عن الجسر."),
}


def _builder(site_factory) -> tuple[Path, PreviewBuilder]:
    root = site_factory(QUICK_FILES)
    builder = PreviewBuilder(root, root / ".sitegen-cache" / "serve-test", "http://127.0.0.1:8000/")
    return root, builder


def test_a_saved_article_s_page_is_rendered_at_once_against_the_last_build(site_factory):
    """The quick page: the edited text, with the last build's tags and related news; nothing is
    written (the rebuild that follows writes the real page)."""
    root, builder = _builder(site_factory)
    assert builder.quick({str(root / ARTICLE)}) is None  # nothing built yet
    assert builder.rebuild().ok
    folder = root / ".sitegen-cache/serve-test"
    before = snapshot(folder)
    built = BeautifulSoup((folder / "articles/port/index.html").read_bytes(), "lxml")
    related = [a.get_text(strip=True) for a in built.select(".related-news a")]
    tags = [a.get_text(strip=True) for a in built.select("a[href*='/tags/']")]
    assert related and tags
    edit(root, ARTICLE, article("افتتاح الميناء بعد التعديل", tags="[النقل, الموانئ]",
                                body="نص جديد عن الميناء والنقل البحري."))
    page = builder.quick({str(root / ARTICLE)})
    assert page is not None and page.output == "articles/port/index.html"
    quick = BeautifulSoup(page.data, "lxml")
    assert quick.h1.get_text() == "افتتاح الميناء بعد التعديل"
    assert "نص جديد عن الميناء" in quick.select_one("article").get_text()
    assert [a.get_text(strip=True) for a in quick.select(".related-news a")] == related
    assert [a.get_text(strip=True) for a in quick.select("a[href*='/tags/']")] == tags
    assert snapshot(folder) == before
    # The rebuild makes the same page (here nothing else about it changed).
    assert builder.rebuild().ok
    assert (folder / page.output).read_bytes() == page.data


@pytest.mark.parametrize("change", ["two files", "new file", "new url", "error", "settings", "missing"])
def test_a_save_that_is_more_than_one_article_s_text_waits_for_the_rebuild(site_factory, change):
    root, builder = _builder(site_factory)
    assert builder.rebuild().ok
    paths = {str(root / ARTICLE)}
    if change == "two files":
        edit(root, ARTICLE, article("عنوان آخر"))
        paths.add(str(root / "content/articles/2026-11-18-ship.md"))
    elif change == "new file":
        edit(root, "content/articles/2026-11-22-new.md", article("خبر جديد"))
        paths = {str(root / "content/articles/2026-11-22-new.md")}
    elif change == "new url":
        edit(root, ARTICLE, article("افتتاح الميناء الجديد", slug="harbour"))
    elif change == "error":
        edit(root, ARTICLE, article("افتتاح الميناء الجديد", date="أمس"))
    elif change == "settings":
        paths = {str(root / "site.toml")}
    else:
        (root / ARTICLE).unlink()
    assert builder.quick(paths) is None


def test_quick_pages_give_way_to_the_rebuild_that_read_their_save(site_factory, monkeypatch):
    """A rebuild that began before a save must not take that save's quick page away (the reader
    would see the old text until the next rebuild); one that began after it does."""
    from concurrent.futures import Future

    from livereload.handlers import LiveReloadHandler

    from sitegen.preview import Outcome, QuickPage
    from sitegen.serve import DevServer

    monkeypatch.setattr(LiveReloadHandler, "reload_waiters", classmethod(lambda cls, path=None: None))
    root = site_factory(QUICK_FILES)
    dev = DevServer(root, "127.0.0.1", free_port(), drafts=True, quiet=True)
    try:
        dev.outcome = dev.builder.rebuild()
        dev._quick = {"articles/port/index.html": (2, QuickPage("articles/port/index.html", b"<h1>2</h1>"))}
        assert dev.quick_page("articles/port/").data == b"<h1>2</h1>"
        assert dev.quick_page("articles/port/index.html").data == b"<h1>2</h1>"
        assert dev.quick_page("articles/ship/") is None
        done: Future[Outcome] = Future()
        done.set_result(dev.outcome)
        dev._building = True
        dev._finished(done, set(), saves=1)  # began before save 2
        assert dev.quick_page("articles/port/") is not None
        dev._building = True
        dev._finished(done, set(), saves=2)
        assert dev.quick_page("articles/port/") is None
    finally:
        dev.close()


def test_the_watcher_hears_saves_as_they_happen_without_scanning(tmp_path):
    from sitegen.watch import SiteWatcher

    root = write_site(tmp_path / "site", {"content/articles/a.md": "أ"})
    heard: list[set[str]] = []
    watcher = SiteWatcher(root, heard.append)
    try:
        assert watcher.uses_events
        (root / "content/articles/.a.md.swp").write_text("x")
        edit(root, "content/articles/a.md", "أأ")
        (root / "content/articles/b.md").write_text("ب")
        edit(root, "site.toml", (root / "site.toml").read_text() + "\n")
        (root / "output").mkdir()
        (root / "output/x.html").write_text("x")
        wanted = {"content/articles/a.md", "content/articles/b.md", "site.toml"}
        deadline = time.monotonic() + 10
        seen: set[str] = set()
        while not wanted <= seen and time.monotonic() < deadline:
            time.sleep(0.05)
            watcher._deliver()  # what the server's loop does when woken
            seen = {Path(p).relative_to(root).as_posix() for batch in heard for p in batch}
        time.sleep(0.2)
        watcher._deliver()
        seen = {Path(p).relative_to(root).as_posix() for batch in heard for p in batch}
        assert seen == wanted
        assert watcher.rescan() == set()
    finally:
        watcher.stop()


def test_the_watcher_polls_where_events_cannot_be_had(tmp_path, monkeypatch):
    import sitegen.watch as watch

    class Refusing(watch.Observer):
        def schedule(self, *args, **kwargs):
            raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watch, "Observer", Refusing)
    root = write_site(tmp_path / "site", {"content/articles/a.md": "أ"})
    watcher = watch.SiteWatcher(root, lambda paths: None)
    assert not watcher.uses_events
    edit(root, "content/articles/a.md", "أأ")
    assert {Path(p).relative_to(root).as_posix() for p in watcher.rescan()} == {"content/articles/a.md"}
