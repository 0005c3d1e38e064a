"""Render the planned pages into the output folder, doing only the work that changed.

1. Page jobs are spread over every core (workers.py). For each, a worker computes its fingerprint
   (fingerprint.py); a job whose fingerprint equals the one recorded by the last successful build,
   and whose output file still has the recorded size and modification time, is not rendered at
   all: its file is already right.
2. The others are rendered, compared with the file in output/ (by the recorded hash, else byte for
   byte), and only pages that differ are staged (writer.py). Pages are never all held in memory.
3. Commit: staged files and changed static files go into place, stale files are removed, and the
   new record of the output folder is saved for the next build.

A template error anywhere stops the build before step 3, leaving output/ as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jinja2

from . import page_deps, workers
from .build_cache import BuildCache, forget_outputs
from .build_record import OutputRecord, Outputs, Recorded
from .cache_format import code_version
from .config import SiteConfig
from .diagnostics import Diagnostic, raise_if_errors
from .discovery import StaticFile
from .fingerprint import (
    Fingerprinter,
    files_digest,
    globals_digest,
    load_analyses,
    save_analyses,
    stamps_digest,
)
from .freshness import time_was_used
from .hashing import content_hash
from .indexes import Indexes
from .page_deps import SiteSnapshot
from .progress import Progress
from .rendering import PageJob, add_problem, render_job
from .site import Site
from .themes import Theme
from .writer import MARKER, FileState, Staging, WriteReport, commit, existing_files

Stage = Callable[[str], AbstractContextManager]
ANALYSES_FILE = "template-reads.pickle"  # in .sitegen-cache/: what each template reads (fingerprint.py)


@dataclass(frozen=True)
class Published:
    report: WriteReport
    rendered: tuple[str, ...]  # outputs rendered; the other pages were known to be unchanged
    outputs: Outputs  # the new record of the output folder (empty without a cache)
    snapshot: SiteSnapshot | None = None  # what the pages were made from (with a cache)
    checked: int = 0  # pages fingerprinted (or rendered without one); the others were skipped


@dataclass(frozen=True)
class _Task:
    """What render workers read (inherited when they are forked)."""

    jobs: Sequence[PageJob]
    env: jinja2.Environment
    root: Path
    staging: Staging
    previous: Outputs
    fingerprinter: Fingerprinter | None
    positions: dict[str, int]  # article path -> position in this build's SiteSnapshot
    todo: Sequence[int]  # the jobs to fingerprint (and render if they changed): all, or what an edit touched


@dataclass(frozen=True)
class _Outcome:
    index: int
    fingerprint: bytes | None
    state: FileState | None  # None: not rendered, the recorded file is still right
    staged: bool
    problem: Diagnostic | None = None
    articles: tuple[int, ...] | None = None  # the articles the fingerprint took in (page_deps.py)


def publish(jobs: Sequence[PageJob], env: jinja2.Environment, static: list[StaticFile],
            config: SiteConfig, inputs: bytes | None, *, cache: BuildCache | None, jobs_n: int,
            progress: Progress, stage: Stage, site: Site | None = None,
            indexes: Indexes | None = None, now: datetime | None = None) -> Published:
    """Render what changed into output/; with a cache, return the new record of the folder.

    `inputs`: `site_inputs` of this build (needed with a cache). `site`, `indexes` and `now` (the
    build's time, not the site's watched one) let a rebuild after body-only edits skip the pages
    that no edited article reached (page_deps.py).
    """
    output_dir = config.output_path
    recorded = cache.recorded(output_dir) if cache else Recorded()
    previous = recorded.outputs or {}
    staging = Staging(output_dir)
    with stage("render"):  # fingerprints, then rendering what they say changed: in the workers
        kept_analyses = bool(cache and not cache.fresh and load_analyses(cache.folder / ANALYSES_FILE))
        fingerprinter = _fingerprinter(env, inputs, config, cache)
        snapshot = None
        if fingerprinter and cache and site and indexes:
            snapshot = page_deps.snapshot(site, indexes, fingerprinter.base, cache.article_key)
        staging.open()
        try:
            kept = {} if staging.whole else previous
            edited = _edited(recorded, snapshot, now, site, cache)
            todo, skipped = _todo(jobs, kept, edited, output_dir)
            task = _Task(jobs, env, config.root, staging, kept, fingerprinter,
                         snapshot.position() if snapshot else {}, todo)
            outcomes = _render(task, jobs_n, progress)
        except BaseException:
            staging.discard()
            raise
        if fingerprinter and cache:
            save_analyses(cache.folder / ANALYSES_FILE, missing=not kept_analyses)
    with stage("write"):
        staged = [jobs[o.index].output for o in outcomes if o.staged]
        produced = {job.output for job in jobs} | {s.dest for s in static} | {MARKER}
        stale = _stale(output_dir, previous, produced, staging.whole, cache is not None)
        report = commit(staging, staged, len(jobs) - len(staged), static, stale)
        if cache is None and report.touched:
            forget_outputs(config.root, output_dir)
        records = _records(jobs, outcomes, skipped, previous, static, output_dir) if cache else {}
    rendered = tuple(jobs[o.index].output for o in outcomes if o.state is not None)
    return Published(report, rendered, records, snapshot, len(todo))


def _edited(recorded: Recorded, snapshot: SiteSnapshot | None, now: datetime | None, site: Site | None,
            cache: BuildCache | None) -> frozenset[int] | None:
    """The articles whose bodies alone changed since the last build (see page_deps.py), when
    nothing else did, time included: neither build used the current time, and no scheduled
    article became due meanwhile."""
    state = recorded.state
    if state is None or state.time_sensitive or time_was_used() or now is None or site is None \
            or cache is None or (state.valid_until is not None and now >= state.valid_until):
        return None
    return page_deps.edited_bodies(recorded.snapshot, snapshot, site.everything, cache.cached_article)


def _todo(jobs: Sequence[PageJob], previous: Outputs, edited: frozenset[int] | None,
          output_dir: Path) -> tuple[Sequence[int], list[str]]:
    """The jobs to fingerprint, and the outputs of the others: after edits of article bodies
    alone, the pages that recorded none of the edited articles and whose files are as recorded."""
    if edited is None or not previous:
        return range(len(jobs)), []
    todo, skipped = [], []
    folder = f"{output_dir}/"
    for index, job in enumerate(jobs):  # 18,000 pages at 10,000 articles: kept to one stat each
        output = job.output
        record = previous.get(output)
        if record is None or page_deps.may_have_changed(record.articles, edited) \
                or not _on_disk(folder + output, record):
            todo.append(index)
        else:
            skipped.append(output)
    return todo, skipped


def _fingerprinter(env: jinja2.Environment, inputs: bytes | None, config: SiteConfig,
                   cache: BuildCache | None) -> Fingerprinter | None:
    if cache is None or inputs is None:
        return None
    fingerprinter = Fingerprinter(b"", cache.article_key, config, env)
    shared = globals_digest(env.globals, fingerprinter)
    if shared is None:
        return None
    fingerprinter.base = inputs + shared
    return fingerprinter


def site_inputs(config: SiteConfig, chain: list[Theme], static: list[StaticFile]) -> bytes:
    """Everything every page depends on: sitegen's code, settings, templates, translations, theme
    files (also what Jinja's compile-time folding of filters on constants depends on)."""
    readable: list[Path] = []
    for folder in [config.root / "templates", config.root / "i18n"] + [t.path for t in chain]:
        readable += sorted(p for p in folder.rglob("*") if p.is_file() and "static" not in
                           p.relative_to(folder).parts[:1])
    stamped = [s.src for s in static]
    theme_and_settings = content_hash(repr(config).encode() + files_digest(readable) + stamps_digest(stamped))
    return code_version() + theme_and_settings


def _on_disk(path: str, record: OutputRecord) -> bool:
    try:
        info = os.stat(path)
    except OSError:
        return False
    return info.st_size == record.size and info.st_mtime_ns == record.mtime_ns


# Looked up once per build (and inherited by the workers): Jinja's own cache would check each
# template file's modification time again for every page.
_templates: dict[str, jinja2.Template] = {}


def _render(task: _Task, jobs_n: int, progress: Progress) -> list[_Outcome]:
    workers.state["publish"] = task
    task.env.auto_reload = False  # templates cannot change mid-build: no stat per {% include %}
    _templates.clear()  # a new environment each build
    # Compiled (and analysed, for fingerprints) once, before the workers fork: the templates of
    # the pages to do, not of all 18,000 when an edit touched ten.
    for name in {task.jobs[index].template for index in task.todo}:
        _template(task.env, name)
        if task.fingerprinter:
            task.fingerprinter.reads_of(name)
    try:
        outcomes = []
        for done, outcome in enumerate(workers.map_chunks(_render_chunk, task.todo, jobs_n), 1):
            outcomes.append(outcome)
            progress("render", done, len(task.todo))
    finally:
        workers.state.pop("publish", None)
    problems: dict[tuple, Diagnostic] = {}
    for outcome in outcomes:
        if outcome.problem:
            add_problem(problems, outcome.problem)
    raise_if_errors(list(problems.values()))
    return outcomes


def _template(env: jinja2.Environment, name: str) -> jinja2.Template | None:
    found = _templates.get(name)
    if found is None:
        try:
            found = _templates[name] = env.get_template(name)
        except Exception:  # reported with its position when the page is rendered
            return None
    return found


def _render_chunk(indexes: Sequence[int]) -> list[_Outcome]:
    task: _Task = workers.state["publish"]
    return [_render_one(task, index) for index in indexes]


def _render_one(task: _Task, index: int) -> _Outcome:
    job = task.jobs[index]
    fingerprint, articles = None, None
    if task.fingerprinter:
        fingerprint, paths = task.fingerprinter.job_and_articles(job)
        articles = _positions(paths, task.positions)
    record = task.previous.get(job.output)
    where = f"{task.staging.output_dir}/{job.output}"
    if fingerprint is not None and record is not None and record.fingerprint == fingerprint \
            and _on_disk(where, record):
        return _Outcome(index, fingerprint, None, False, articles=articles)
    data, problem = render_job(job, task.env, task.root, _template(task.env, job.template))
    if problem:
        return _Outcome(index, fingerprint, None, False, problem)
    if record is not None and record.size == len(data) and record.digest \
            and record.digest == content_hash(data) and _on_disk(where, record):
        state: FileState | None = FileState(record.size, record.mtime_ns, record.digest)
        return _Outcome(index, fingerprint, state, False, articles=articles)
    state = task.staging.same_as_output(job.output, data)
    if state is not None:
        return _Outcome(index, fingerprint, state, False, articles=articles)
    return _Outcome(index, fingerprint, task.staging.stage(job.output, data), True, articles=articles)


def _positions(paths: frozenset[str] | None, positions: dict[str, int]) -> tuple[int, ...] | None:
    """The articles a fingerprint took in, by position; None when not known (or not all are in
    the snapshot: a page that is never skipped)."""
    if paths is None:
        return None
    found = [positions.get(path) for path in paths]
    return None if None in found else tuple(sorted(found))  # type: ignore[type-var]


def _stale(output_dir: Path, previous: Outputs, produced: set[str], whole: bool, trusted: bool) -> list[str]:
    if whole:
        return []
    if trusted and previous:
        return sorted(path for path in previous if path not in produced)
    return sorted(existing_files(output_dir) - produced)


def _records(jobs: Sequence[PageJob], outcomes: list[_Outcome], skipped: list[str], previous: Outputs,
             static: list[StaticFile], output_dir: Path) -> Outputs:
    records: Outputs = {output: previous[output] for output in skipped}  # as they were
    for outcome in outcomes:
        output = jobs[outcome.index].output
        state = outcome.state
        if state is None:  # not rendered: the recorded file is still right
            record = previous[output]
            if record.articles != outcome.articles:
                record = record._replace(articles=outcome.articles)
            records[output] = record
        else:
            records[output] = OutputRecord(outcome.fingerprint, state.size, state.mtime_ns, state.digest,
                                           outcome.articles)
    for item in static:
        try:
            info = (output_dir / item.dest).stat()
        except OSError:
            continue
        records[item.dest] = OutputRecord(None, info.st_size, info.st_mtime_ns, b"")
    return records
