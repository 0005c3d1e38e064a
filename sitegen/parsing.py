"""Source files to Articles (design §4, `parse`): front matter, Markdown, slug and URL."""

from __future__ import annotations

import gc
import html
from collections.abc import Sequence

from . import textsim, workers
from .cache_format import dumps, loads
from .config import SiteConfig
from .diagnostics import Diagnostic, error
from .frontmatter_yaml import decode, split
from .gcpause import collector_paused
from .hashing import content_hash
from .markup import MarkdownRenderer, plain_text, summary_of
from .metadata import Metadata, validate
from .model import Article, SourceFile, unpack_fields
from .parse_cache import ParseCache, Parsed
from .progress import Progress, no_progress
from .slugs import slug_from_filename, slugify, stable_id
from .urls import permalink


def parse(sources: Sequence[SourceFile], config: SiteConfig, cache: ParseCache | None = None,
          progress: Progress = no_progress, jobs: int = 1) -> tuple[list[Article], list[Diagnostic]]:
    """Every source to an Article; `cache` answers for files that did not change since it saw them.

    Files the cache does not know are parsed by `jobs` worker processes (workers.py); the result
    does not depend on how many. The articles are left frozen (gc.freeze): callers unfreeze when
    they are done with them.
    """
    # The collector paused while the cache loads what it knows (10,000 articles after an edit)
    # and the workers' results are read (10,000 after a cold start), all kept for the whole build:
    # it only walked the ones loaded so far again and again. Then frozen, as build.plan_site
    # freezes every parsed article (and unfreezes them when the build ends): otherwise the
    # collector's first passes afterwards walk them all once or twice more.
    with collector_paused():
        articles, problems = _parsed(sources, config, cache, progress, jobs)
        gc.freeze()
    return articles, problems


def _parsed(sources: Sequence[SourceFile], config: SiteConfig, cache: ParseCache | None,
            progress: Progress, jobs: int) -> tuple[list[Article], list[Diagnostic]]:
    found: list[Parsed | None] = [cache.lookup(s, config) if cache else None for s in sources]
    if any(parsed is not None for parsed in found):
        gc.freeze()  # before the workers are forked: they need not walk what they inherit
    missing = [s for s, parsed in zip(sources, found, strict=True) if parsed is None]
    workers.state["parse_config"] = config
    textsim.forget_features()
    fresh = workers.map_chunks(_parse_chunk, missing, jobs, setup=_setup_worker)
    articles: list[Article] = []
    problems: list[Diagnostic] = []
    for done, (source, parsed) in enumerate(zip(sources, found, strict=True), 1):
        if parsed is None:
            digest, encoded = next(fresh)
            parsed = loads(encoded, source)
            if cache and digest is not None:
                cache.store(source, config, digest, parsed, encoded)
            if parsed.article is not None:
                # Parsed now, so its page is rendered in this build: decoded once here and shared
                # by the render workers, instead of each worker decoding (and keeping) its own
                # copy of every body it reads — 2 x 160 MB at 10,000 articles.
                unpack_fields(parsed.article)
        problems.extend(parsed.problems)
        if parsed.article is not None:
            articles.append(parsed.article)
            if parsed.features is not None:
                textsim.remember_features(parsed.article, parsed.features)
        progress("parse", done, len(sources))
    return articles, problems


_renderer: MarkdownRenderer | None = None  # one per worker process, made by _setup_worker


def _setup_worker() -> None:
    global _renderer
    _renderer = MarkdownRenderer(workers.state["parse_config"].markdown.toc_depth)


def _parse_chunk(chunk: Sequence[SourceFile]) -> list[tuple[bytes | None, bytes]]:
    """Per source: the digest of its bytes (None: unreadable) and the Parsed in cache_format.

    Encoded here, in the worker, because the parent needs those bytes for the build cache
    anyway: the parent then decodes each result once and never encodes one.
    """
    config = workers.state["parse_config"]
    assert _renderer is not None
    results = []
    for source in chunk:
        try:
            data = source.path.read_bytes()
        except OSError as exc:  # a file deleted meanwhile, or without read permission
            problem = error(source.rel_path, f"cannot read this file: {exc.strerror}")
            results.append((None, dumps(Parsed(None, (problem,)))))
            continue
        article, problems = parse_source(source, data, config, _renderer)
        is_article = article is not None and article.kind == "article"
        found = textsim.pack(textsim.features(textsim.plain_text(article))) if is_article else None
        results.append((content_hash(data), dumps(Parsed(article, tuple(problems), found))))
    return results


def parse_source(source: SourceFile, data: bytes, config: SiteConfig,
                 renderer: MarkdownRenderer) -> tuple[Article | None, list[Diagnostic]]:
    text, problems = decode(data, source.rel_path)
    if text is None:
        return None, problems
    split_source, problems = split(text, source.rel_path)
    if split_source is None:
        return None, problems
    meta, meta_problems = validate(split_source.entries, source.rel_path, config.tz)
    problems = problems + meta_problems
    if meta is None or problems:
        return None, problems
    rendered = renderer.render(split_source.body, split_source.body_first_line)
    body_html = _sanitise(rendered.html) if config.markdown.safe_html else rendered.html
    return _article(source, meta, body_html, rendered, config), []


def _article(source: SourceFile, meta: Metadata, body_html: str, rendered, config: SiteConfig) -> Article:
    slug = choose_slug(source, meta)
    pattern = config.permalinks.article if source.kind == "article" else config.permalinks.page
    if meta.summary:
        summary_html, summary_text = f"<p>{html.escape(meta.summary)}</p>", meta.summary
    else:
        summary_html = summary_of(body_html)
        summary_text = plain_text(summary_html)
    return Article(
        source=source, title=meta.title, slug=slug, url=permalink(pattern, slug, meta.date),
        date=meta.date, updated=meta.updated, body_html=body_html, summary_html=summary_html,
        summary_text=summary_text, toc_html=rendered.toc_html, word_count=rendered.word_count,
        tags=meta.tags, category=meta.category, authors=meta.authors, image=meta.image,
        image_alt=meta.image_alt, draft=meta.draft, pins=meta.pins, aliases=meta.aliases,
        template=meta.template, params=meta.params, refs=rendered.refs, key_lines=meta.key_lines,
    )


def choose_slug(source: SourceFile, meta: Metadata) -> str:
    """Explicit slug, else the file name (date prefix dropped), else the title, else a stable id."""
    if meta.slug:
        explicit = slugify(meta.slug)
        if explicit:
            return explicit
    return (slug_from_filename(file_stem(source.rel_path))
            or slugify(meta.title)
            or stable_id(source.rel_path))


def file_stem(rel_path: str) -> str:
    """PurePosixPath(rel_path).stem without making a path object (10 µs a file)."""
    name = rel_path.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _sanitise(body_html: str) -> str:
    from .sanitise import sanitise_html

    return sanitise_html(body_html)
