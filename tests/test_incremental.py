"""The parse cache seam: rebuilds re-parse only changed files; progress and the build summary."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from sitegen import console
from sitegen.build import build
from sitegen.console import TerminalProgress
from sitegen.parse_cache import MemoryParseCache
from sitegen.site import BuildOptions

from sitetools import NOW, SITE_TOML, article, run_cli, snapshot, soup

FILES = {
    "content/articles/2026-11-01-a.md": article("الخبر الأول"),
    "content/articles/2026-11-02-b.md": article("الخبر الثاني"),
    "content/articles/2026-11-03-c.md": article("الخبر الثالث"),
}


def _build(root: Path, cache: MemoryParseCache, **kwargs):
    return build(root, BuildOptions(), None, NOW, cache=cache, **kwargs)


def _bump(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stat = path.stat()  # a later mtime even on file systems with coarse timestamps
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))


def test_second_build_parses_nothing_and_an_edit_parses_one_file(site_factory):
    # No «أخبار ذات صلة» blocks here: they would show b's new title on a and c too.
    root = site_factory(FILES, config=SITE_TOML + "[related]\nmax_items = 0\n")
    cache = MemoryParseCache()
    _build(root, cache)
    assert (cache.hits, cache.misses) == (0, 3)

    result = _build(root, cache)
    assert (cache.hits, cache.misses) == (3, 3)
    assert result.report.written == 0

    before = snapshot(root / "output")
    _bump(root / "content/articles/2026-11-02-b.md", article("الخبر الثاني بعد التعديل"))
    _build(root, cache)
    assert (cache.hits, cache.misses) == (5, 4)
    page = soup(root / "output/articles/b/index.html")
    assert page.h1.get_text() == "الخبر الثاني بعد التعديل"
    after = snapshot(root / "output")
    changed = {path for path in after if after[path] != before.get(path)}
    # The article and the listings that show its title changed; the other articles were not written.
    assert {"articles/b/index.html", "index.html"} <= changed
    assert not changed & {"articles/a/index.html", "articles/c/index.html"}


def test_touching_a_file_without_changing_it_is_still_a_hit(site_factory):
    root = site_factory(FILES)
    cache = MemoryParseCache()
    _build(root, cache)
    path = root / "content/articles/2026-11-01-a.md"
    _bump(path, path.read_text(encoding="utf-8"))
    _build(root, cache)
    assert (cache.hits, cache.misses) == (3, 3)


def test_a_template_change_re_renders_without_re_parsing(site_factory):
    root = site_factory({**FILES, "templates/article.html": "<h1>{{ article.title }}</h1>\n"})
    cache = MemoryParseCache()
    _build(root, cache)
    _bump(root / "templates/article.html", "<h1 class=\"new\">{{ article.title }}</h1>\n")
    result = _build(root, cache)
    assert (cache.hits, cache.misses) == (3, 3)
    assert result.report.written == 3
    assert soup(root / "output/articles/a/index.html").h1["class"] == ["new"]


def test_a_config_change_re_parses_everything(site_factory):
    root = site_factory(FILES)
    cache = MemoryParseCache()
    _build(root, cache)
    (root / "site.toml").write_text(SITE_TOML.replace("Asia/Riyadh", "Africa/Cairo"), encoding="utf-8")
    _build(root, cache)
    assert (cache.hits, cache.misses) == (0, 6)


def test_a_broken_file_stays_broken_when_cached(site_factory):
    root = site_factory({**FILES, "content/articles/bad.md": "---\ntitle: [\n---\n"})
    cache = MemoryParseCache()
    first = run_build_errors(root, cache)
    second = run_build_errors(root, cache)
    assert first == second and first[0].startswith("content/articles/bad.md:")
    assert (cache.hits, cache.misses) == (4, 4)  # the broken file is answered from the cache too


def run_build_errors(root: Path, cache: MemoryParseCache) -> list[str]:
    from sitegen.diagnostics import BuildError

    try:
        _build(root, cache)
    except BuildError as exc:
        return [d.format() for d in exc.diagnostics]
    raise AssertionError("the build should have failed")


def test_progress_is_reported_per_stage_through_the_callback(site_factory):
    root = site_factory(FILES)
    calls: list[tuple[str, int, int]] = []
    _build(root, MemoryParseCache(), progress=lambda *call: calls.append(call))
    assert [c for c in calls if c[0] == "parse"] == [("parse", 1, 3), ("parse", 2, 3), ("parse", 3, 3)]
    renders = [c for c in calls if c[0] == "render"]
    assert renders[-1][1] == renders[-1][2] == len(renders)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_is_drawn_only_on_a_terminal_after_the_delay(monkeypatch):
    monkeypatch.setattr(console, "SHOW_AFTER_SECONDS", 0.0)
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        with TerminalProgress(stream=stream) as progress:
            for done in range(1, 4):
                progress("render", done, 3)
    assert "render" in terminal.getvalue()
    assert pipe.getvalue() == ""
    quiet = _Terminal()
    with TerminalProgress(enabled=False, stream=quiet) as progress:
        progress("render", 1, 1)
    assert quiet.getvalue() == ""


def test_build_prints_a_summary_with_pages_by_kind_files_and_stage_times(site_factory):
    root = site_factory(FILES)
    result = run_cli("build", "--site", str(root), "--now", NOW.isoformat())
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"built (\d+) pages \(3 articles, 0 pages\) in \d+\.\d\ds: "
                        r"\d+ written, 0 unchanged, 0 removed", lines[0]), lines[0]
    kinds = dict(item.split(" ") for item in lines[1].removeprefix("pages by kind: ").split(", "))
    assert lines[1].startswith("pages by kind: ") and kinds["article"] == "3" and kinds["home"] == "1"
    stages = re.findall(r"(\w+) \d+\.\d\ds", lines[2])
    assert lines[2].startswith("time: ") and {"parse", "render", "write"} <= set(stages)
    assert result.stderr == ""  # not a terminal: no progress bar

    quiet = run_cli("build", "--site", str(root), "--now", NOW.isoformat(), "--quiet")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_files_without_a_suffix_are_counted_by_their_name_in_the_summary(site_factory):
    root = site_factory({**FILES, "content/articles/old.md": article("قديم", aliases="[/old/]")})
    result = run_cli("build", "--site", str(root), "--now", NOW.isoformat())
    assert result.returncode == 0, result.stderr
    kinds = dict(item.split(" ") for item in result.stdout.splitlines()[1].removeprefix("pages by kind: ").split(", "))
    assert kinds["_redirects"] == "1" and kinds["redirect"] == "1"
