"""The build: one short chain of stages over immutable data (design §4).

Errors are collected within a stage and the build stops between stages, so a build with errors
never touches the output folder.
"""

from __future__ import annotations

import fcntl
import gc
import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import jinja2

from . import workers
from .build_cache import BuildCache
from .build_record import BuildState, MergedTerm
from .config import SiteConfig, load_config
from .diagnostics import ConfigError, Diagnostic, error, raise_if_errors
from .discovery import STATIC_DIR, StaticFile, discover, discover_static
from .freshness import Freshness, WatchedTime
from .gcpause import collector_paused
from .indexes import Indexes, derive
from .model import SourceFile
from .parse_cache import ParseCache
from .parsing import parse
from .planning import plan
from .progress import Progress, no_progress
from .publishing import publish, site_inputs
from .refs import Resolver
from .rendering import PageJob, RenderedFile, render
from .shadow import Shadow
from .site import BuildOptions, Site, assemble
from .template_api import install
from .themes import CompiledTemplates, Theme, create_environment, load_theme_chain
from .urls import UrlBuilder
from .workers import resolve_jobs
from .writer import WriteReport, check_output_folder

if TYPE_CHECKING:
    from .related_cache import RankingStore


@dataclass
class StageTimer:
    """Wall time per stage, for the build summary and the benchmarks."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


@dataclass(frozen=True)
class BuildResult:
    config: SiteConfig
    site: Site
    report: WriteReport
    pages: int
    stage_seconds: dict[str, float]
    warnings: tuple[Diagnostic, ...] = ()
    pages_by_kind: dict[str, int] = field(default_factory=dict)
    indexes: Indexes | None = None  # tags, sections, authors, related news (merged variants too)
    rendered: tuple[str, ...] = ()  # outputs rendered by this build; the rest were known unchanged
    checked: int = 0  # pages fingerprinted (publishing.py), or rendered without a fingerprint
    counts: tuple[int, int] | None = None  # (articles, pages) when `site` is not loaded (up to date)
    merged: tuple[MergedTerm, ...] = ()  # merged_terms, when `indexes` is not loaded (up to date)

    @property
    def up_to_date(self) -> bool:
        """Nothing was parsed or rendered: the last build's output is still current."""
        return self.counts is not None

    @property
    def merged_terms(self) -> tuple[MergedTerm, ...]:
        """Terms written in more than one way (the build report lists them)."""
        if self.indexes is None:
            return self.merged
        return tuple(MergedTerm(t.kind, t.name, t.spellings)
                     for taxonomy in self.indexes.taxonomies for t in taxonomy.merged)

    @property
    def article_count(self) -> int:
        return self.counts[0] if self.counts else len(self.site.articles)

    @property
    def page_count(self) -> int:
        return self.counts[1] if self.counts else len(self.site.pages)


@dataclass(frozen=True)
class PlannedSite:
    """Every stage up to `plan`: what will be rendered, with what."""

    site: Site
    jobs: list[PageJob]
    env: jinja2.Environment
    static: list[StaticFile]
    indexes: Indexes | None = None
    warnings: tuple[Diagnostic, ...] = ()
    inputs: bytes | None = None  # publishing.site_inputs, when there is a build cache

    @property
    def pages_by_kind(self) -> dict[str, int]:
        kinds = Counter(str(job.context.get("page_kind") or _kind_of_file(job.output)) for job in self.jobs)
        return dict(sorted(kinds.items()))


def _kind_of_file(output: str) -> str:
    """'xml' for feed.xml; a file without a suffix (`_redirects`) by its name."""
    path = PurePosixPath(output)
    return path.suffix.lstrip(".") or path.name


@dataclass(frozen=True)
class RenderedSite(PlannedSite):
    """A whole build held in memory, before anything is written (what `sitegen check` inspects)."""

    files: list[RenderedFile] = field(default_factory=list)


def build(root: Path, options: BuildOptions | None = None, overrides: dict[str, Any] | None = None,
          now: datetime | None = None, *, cache: ParseCache | None = None,
          progress: Progress = no_progress, jobs: int | None = 1) -> BuildResult:
    """Build the site into its output folder.

    `cache` keeps parsed sources between builds; a BuildCache (the on-disk one) also lets the
    build skip pages whose inputs did not change, or the whole build when nothing did.
    `jobs`: worker processes for parsing and rendering (None: every core).
    """
    timer, workers_n = StageTimer(), resolve_jobs(jobs)
    options, now = options or BuildOptions(), now or datetime.now(UTC)
    with timer.stage("config"):
        config = load_config(root, overrides)
        chain = load_theme_chain(config.root, config.theme)
    store = cache if isinstance(cache, BuildCache) else None
    with site_lock(config.root, config.output_path):
        check_output_folder(config.output_path)  # before any work, so the refusal comes at once
        try:
            # What discovery and the up-to-date check make lives as long as the build: frozen, not
            # walked by the collector's full passes (0.06 s at 10,000 articles).
            with collector_paused():
                discovered = discover_site(config, chain, timer)
                fresh = Freshness(store, config, chain, options, *discovered) if store else None
                with timer.stage("up-to-date check"):
                    current = fresh.current(now) if fresh else None
                gc.freeze()
            if current:
                return _up_to_date(config, current, now, timer)
            if workers.in_parallel(len(discovered[0]), workers_n):
                # A core that this rebuild mostly leaves idle mirrors output/ meanwhile, if the
                # tree kept beside it is not made yet (the first rebuild after a cold build).
                Shadow(config.output_path).mirror_ahead()
            planned = plan_site(config, chain, options, now, timer=timer, cache=cache, progress=progress,
                                jobs=workers_n, discovered=discovered)
            published = publish(planned.jobs, planned.env, planned.static, config, planned.inputs,
                                cache=store, jobs_n=workers_n, progress=progress, stage=timer.stage,
                                site=planned.site, indexes=planned.indexes, now=now)
            result = BuildResult(config, planned.site, published.report, len(planned.jobs),
                                 dict(timer.seconds), planned.warnings, planned.pages_by_kind,
                                 planned.indexes, published.rendered, checked=published.checked)
            if store and fresh:
                store.record(config.output_path, published.outputs,
                             fresh.state(planned.site.next_scheduled, _summary(result)), published.snapshot)
        finally:
            Shadow(config.output_path).settle()  # no child outlives the build (and its lock)
            gc.unfreeze()
            if store:
                store.close()
    return result


def _summary(result: BuildResult) -> dict[str, Any]:
    """What an up-to-date rebuild reports again without loading the site."""
    return {"articles": result.article_count, "pages": result.page_count,
            "pages_by_kind": result.pages_by_kind, "warnings": result.warnings,
            "merged": result.merged_terms}


def _up_to_date(config: SiteConfig, state: BuildState, now: datetime, timer: StageTimer) -> BuildResult:
    """The result of a build that found the last one still current: nothing was done."""
    summary = state.summary
    site = Site(config, (), (), now, Resolver(()), state.valid_until)
    pages = sum(summary["pages_by_kind"].values())
    return BuildResult(config, site, WriteReport(0, pages, 0), pages, dict(timer.seconds),
                       summary["warnings"], summary["pages_by_kind"],
                       counts=(summary["articles"], summary["pages"]), merged=summary["merged"])


def render_site(config: SiteConfig, chain: list[Theme], options: BuildOptions, now: datetime, *,
                timer: StageTimer | None = None, cache: ParseCache | None = None,
                progress: Progress = no_progress, jobs: int = 1) -> RenderedSite:
    """Every stage but `write`, pages in memory; raises BuildError when a stage reported errors."""
    timer = timer or StageTimer()
    try:
        planned = plan_site(config, chain, options, now, timer=timer, cache=cache, progress=progress,
                            jobs=jobs)
        with timer.stage("render"):
            files, problems = render(planned.jobs, planned.env, config.root, progress)
            raise_if_errors(problems)
    finally:
        gc.unfreeze()
    return RenderedSite(planned.site, planned.jobs, planned.env, planned.static, planned.indexes,
                        planned.warnings, planned.inputs, files)


def discover_site(config: SiteConfig, chain: list[Theme],
                  timer: StageTimer) -> tuple[list[SourceFile], list[StaticFile]]:
    with timer.stage("discover"):
        sources, problems = discover(config.root)
        static, static_problems = collect_static(config.root, chain)
        raise_if_errors(problems + static_problems)
    return sources, static


def plan_site(config: SiteConfig, chain: list[Theme], options: BuildOptions, now: datetime, *,
              timer: StageTimer, cache: ParseCache | None = None, progress: Progress = no_progress,
              jobs: int = 1, discovered: tuple[list[SourceFile], list[StaticFile]] | None = None
              ) -> PlannedSite:
    """discover → parse → assemble → derive → plan; raises BuildError between stages."""
    sources, static = discovered or discover_site(config, chain, timer)
    with timer.stage("parse"):
        articles, problems = parse(sources, config, cache, progress, jobs)
        raise_if_errors(problems)
    # The parsed articles live as long as the build: frozen, the garbage collector stops walking
    # them again and again while derive and plan allocate (callers unfreeze when the build ends).
    gc.freeze()
    # So do the site, indexes and page jobs made next: the collector is paused while they are
    # made and they are frozen before it is back, or its first pass walks them all (0.1 s at
    # 10,000 articles, more than a rebuild's other work in publishing).
    with collector_paused():
        with timer.stage("assemble"):
            site, problems = assemble(articles, config, now, options)
            raise_if_errors(problems)
        # From here on, any use of the current time makes the build time-sensitive (freshness.py).
        site = replace(site, now=WatchedTime.watch(site.now))
        with timer.stage("derive"):
            indexes, warnings = derive(site, jobs, _ranking_store(cache))
        inputs = site_inputs(config, chain, static) if isinstance(cache, BuildCache) else None
        env = create_environment(config.root, chain, _compiled_templates(cache, inputs))
        install(env, config, UrlBuilder(config.base_url))
        with timer.stage("plan"):
            page_jobs, problems = plan(site, env, [s.dest for s in static], indexes=indexes)
            raise_if_errors(problems)
        gc.freeze()
    return PlannedSite(site, page_jobs, env, static, indexes, tuple(warnings), inputs)


def _ranking_store(cache: ParseCache | None) -> RankingStore | None:
    from .related_cache import RankingStore  # numpy: only once a build gets this far

    return RankingStore(cache.folder, read=not cache.fresh) if isinstance(cache, BuildCache) else None


def _compiled_templates(cache: ParseCache | None, inputs: bytes | None) -> CompiledTemplates | None:
    folder = cache.templates_folder() if isinstance(cache, BuildCache) else None
    if folder is None or inputs is None:
        return None
    return CompiledTemplates(folder, inputs.hex())  # folded constants depend on the site's inputs


def collect_static(root: Path, chain: list[Theme]) -> tuple[list[StaticFile], list[Diagnostic]]:
    """Theme static files (parents first, so a child theme overrides), then the site's own."""
    by_dest: dict[str, StaticFile] = {}
    problems: list[Diagnostic] = []
    folders = [(theme.static, theme.path) for theme in reversed(chain)] + [(root / STATIC_DIR, root)]
    for folder, boundary in folders:
        files, found_problems = discover_static(root, folder, boundary)
        problems += found_problems
        by_dest.update((f.dest, f) for f in files)
    return sorted(by_dest.values(), key=lambda f: f.dest), problems


@contextmanager
def site_lock(root: Path, output_dir: Path | None = None) -> Iterator[None]:
    """One build per site at a time: a second one refuses instead of interleaving writes.

    The output folder's parent is locked too (staging folders live there), so two sites that
    share an --output cannot trample each other either.
    """
    folders = [root.resolve()]
    if output_dir is not None and output_dir.parent.is_dir():
        folders.append(output_dir.parent.resolve())
    with ExitStack() as stack:
        for folder in dict.fromkeys(folders):  # one flock per folder: a second one would conflict
            stack.enter_context(_exclusive(folder))
        yield


@contextmanager
def _exclusive(folder: Path) -> Iterator[None]:
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError([error("", f"another sitegen build is running for {folder}; "
                                     "wait for it to finish and try again")]) from None
        yield
    finally:
        os.close(fd)
