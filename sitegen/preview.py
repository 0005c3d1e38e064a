"""What the dev server shows besides the built files: draft badges, quick pages, the error page.

`PreviewBuilder.rebuild()` builds the site into the server's own folder (never output/) and
returns either a good `Preview` or the failure; `PreviewBuilder.quick()` renders the page of an
article just saved against the last build, to show before the rebuild has finished. Nothing here
prints or serves: serve.py does that, so this part is tested without a server.
"""

from __future__ import annotations

import html
import os
import re
import traceback
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import jinja2

from .build import BuildResult, build
from .build_cache import BuildCache
from .diagnostics import BuildError, Diagnostic, error
from .markup import MarkdownRenderer
from .model import Article
from .parsing import parse_source
from .planning import article_job, see_also_label
from .progress import Progress, no_progress
from .rendering import render_job
from .site import BuildOptions
from .template_api import install
from .themes import create_environment, load_theme_chain
from .urls import UrlBuilder, output_file

DRAFT_LABEL = "مسودة"
SCHEDULED_LABEL = "مجدول"

_BADGE_STYLE = ("display:inline-block;margin-inline-end:.4em;padding:0 .45em;border-radius:.3em;"
                "background:#b45309;color:#fff;font-size:.65em;font-weight:bold;vertical-align:middle;"
                "line-height:1.6")
_LINK = re.compile(r'<a\b[^>]*?\bhref="([^"]+)"[^>]*>')
_HEADING = re.compile(r"<h1\b[^>]*>")
_BODY = re.compile(r"<body\b[^>]*>")


def badge(label: str) -> str:
    return f'<span class="sitegen-preview-badge" style="{_BADGE_STYLE}">{html.escape(label)}</span> '


@dataclass(frozen=True)
class Preview:
    """Which articles are drafts or scheduled, by the link that reaches them and by output file."""

    by_href: dict[str, str] = field(default_factory=dict)
    by_output: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, result: BuildResult) -> Preview:
        urls = UrlBuilder(result.config.base_url)
        by_href, by_output = {}, {}
        for article in result.site.everything:
            label = label_for(article.draft, article.date, result.site.now)
            if label:
                by_href[urls.href(article.url)] = label
                by_output[output_file(article.url)] = label
        return cls(by_href, by_output)

    def decorate(self, page: bytes, output: str) -> bytes:
        """Badges on the draft's own page (in its headline) and on every link to a draft."""
        if not self.by_href:
            return page
        text = page.decode("utf-8", errors="replace")
        text = _LINK.sub(self._badge_link, text)
        label = self.by_output.get(output)
        if label:
            anchor = _HEADING.search(text) or _BODY.search(text)
            if anchor:
                text = text[:anchor.end()] + badge(label) + text[anchor.end():]
        return text.encode("utf-8")

    def _badge_link(self, match: re.Match[str]) -> str:
        label = self.by_href.get(html.unescape(match.group(1)))
        return match.group(0) + badge(label) if label else match.group(0)


def label_for(draft: bool, date: datetime | None, now: datetime) -> str | None:
    if draft:
        return DRAFT_LABEL
    if date is not None and date > now:
        return SCHEDULED_LABEL
    return None


@dataclass(frozen=True)
class Outcome:
    """One rebuild: a good build with its preview, or the diagnostics of a failed one."""

    result: BuildResult | None = None
    preview: Preview = field(default_factory=Preview)
    failure: tuple[Diagnostic, ...] = ()
    summary: str = ""
    parsed: int = 0  # sources parsed (not answered by the cache)

    @property
    def ok(self) -> bool:
        return self.result is not None


class PreviewBuilder:
    """Rebuilds one site into `folder` with the site's build cache (.sitegen-cache/).

    The cache keeps parsed sources on disk and records what each build wrote, so a rebuild parses
    only the files that changed and renders only the pages whose inputs changed; it also makes a
    restarted server fast, since the preview folder is kept between runs.
    """

    def __init__(self, root: Path, folder: Path, base_url: str, drafts: bool = True):
        self.root = root
        self.overrides = {"output_dir": str(folder.resolve()), "base_url": base_url}
        self.options = BuildOptions(drafts=drafts, future=drafts)
        self._last: BuildResult | None = None  # the last good build that loaded the whole site
        self._env: jinja2.Environment | None = None  # its templates, for quick pages
        self._renderer: MarkdownRenderer | None = None
        self._by_path: dict[str, Article] | None = None  # its articles by source path

    def rebuild(self, progress: Progress = no_progress) -> Outcome:
        cache = BuildCache(self.root.resolve())  # one per build: the build closes it
        try:
            # Every core, as `sitegen build` does: workers are forked from this thread and only
            # run the build's own code (no printing, no logging), so the server's other threads
            # holding a lock at that moment cannot block them.
            result = build(self.root, self.options, self.overrides, datetime.now(UTC),
                           cache=cache, progress=progress, jobs=None)
        except BuildError as exc:
            return Outcome(failure=exc.diagnostics, summary=exc.summary())
        except Exception as exc:  # a bug must not stop the server: show it in the browser instead
            detail = "".join(traceback.format_exception_only(exc)).strip()
            return Outcome(failure=(error("", f"internal error while building: {detail}"),),
                           summary="build failed: internal error (please report it)")
        if not result.up_to_date:
            # Settings and templates may have changed: what quick pages are made with is made
            # again, now, while nobody waits (compiling the templates takes a tenth of a second).
            self._last, self._env, self._renderer, self._by_path = result, None, None, None
            self._warm(result)
        return Outcome(result=result, preview=Preview.of(result), parsed=cache.misses)

    def quick(self, paths: set[str]) -> QuickPage | None:
        """The page of the one article that `paths` changed, rendered at once against the last
        build: its tags, related news and the pages listing it stay as they were until the
        rebuild that always follows. On a 10,000-article site that rebuild takes seconds; this
        takes milliseconds. None when a save is more than that (several files, a new or deleted
        one, settings or templates, a changed URL) or the article has errors: the rebuild tells."""
        last = self._last
        if last is None or len(paths) != 1:
            return None
        old = self._article_at(last, Path(next(iter(paths))))
        if old is None:
            return None
        try:
            data = old.source.path.read_bytes()
        except OSError:
            return None
        # Read into locals: a rebuild on the server's worker thread may reset these meanwhile.
        renderer = self._renderer = self._renderer or MarkdownRenderer(last.config.markdown.toc_depth)
        article, problems = parse_source(old.source, data, last.config, renderer)
        if article is None or problems or article.url != old.url:
            return None
        job = article_job(last.site, article, see_also_label(last.site), last.indexes)
        page, problem = render_job(job, self._environment(last), last.config.root)
        return None if problem else QuickPage(job.output, page)

    def _warm(self, last: BuildResult) -> None:
        env = self._environment(last)
        for name in env.list_templates(filter_func=lambda name: name.endswith(".html") and ":" not in name):
            try:
                env.get_template(name)
            except jinja2.TemplateError:
                continue  # reported by the build when a page uses it

    def _article_at(self, last: BuildResult, path: Path) -> Article | None:
        """The article or page of the last build read from `path` (a Markdown file)."""
        if path.suffix.lower() != ".md":
            return None
        by_path = self._by_path = self._by_path or {a.source.rel_path: a for a in last.site.everything}
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(self.root))
        return by_path.get(unicodedata.normalize("NFC", Path(rel).as_posix()))

    def _environment(self, last: BuildResult) -> jinja2.Environment:
        env = self._env
        if env is None:
            config = last.config
            env = create_environment(config.root, load_theme_chain(config.root, config.theme))
            install(env, config, UrlBuilder(config.base_url))
            self._env = env
        return env


@dataclass(frozen=True)
class QuickPage:
    output: str  # the page's path in the output folder
    data: bytes


def error_page(outcome: Outcome) -> bytes:
    """A page shown for every page request while the last rebuild is broken."""
    problems = "\n".join(html.escape(d.format()) for d in outcome.failure)
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<title>تعذّر بناء الموقع</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; line-height: 1.8; background: #fff7ed; }}
h1 {{ color: #9a3412; }}
pre {{ background: #1f2937; color: #f9fafb; padding: 1rem; overflow-x: auto; line-height: 1.6;
      white-space: pre-wrap; }}
</style>
</head>
<body>
<main class="sitegen-build-error">
<h1>تعذّر بناء الموقع</h1>
<p>صحّح الخطأ واحفظ الملف، وستُحدَّث هذه الصفحة تلقائياً. آخر نسخة سليمة من الموقع باقية كما هي.</p>
<pre dir="ltr" class="sitegen-diagnostics">{problems}
{html.escape(outcome.summary)}</pre>
</main>
</body>
</html>
""".encode()
