"""Render the planned pages into the output folder, doing only the work that changed.

1. Fingerprint every page job (fingerprint.py). A job whose fingerprint equals the one recorded by
   the last successful build, and whose output file still has the recorded size and modification
   time, is not rendered at all: its file is already right.
2. Render the other jobs on every core (workers.py); each worker compares its page with the file
   in output/ (by the recorded hash, else byte for byte) and stages only pages that differ
   (writer.py). Pages are never all held in memory.
3. Commit: staged files and changed static files go into place, stale files are removed, and the
   new record of the output folder is saved for the next build.

A template error anywhere stops the build before step 3, leaving output/ as it was.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import workers
from .build_cache import BuildCache, OutputRecord, Outputs, code_version, forget_outputs
from .config import SiteConfig
from .diagnostics import Diagnostic, raise_if_errors
from .discovery import StaticFile
from .fingerprint import Fingerprinter, digest_bytes, files_digest, globals_digest, stamps_digest
from .progress import Progress
from .rendering import PageJob, add_problem, render_job
from .themes import Theme
from .writer import MARKER, FileState, Staging, WriteReport, commit, existing_files

Stage = Callable[[str], AbstractContextManager]


@dataclass(frozen=True)
class Published:
    report: WriteReport
    rendered: tuple[str, ...]  # outputs rendered; the other pages were known to be unchanged


@dataclass(frozen=True)
class _Task:
    """What render workers read (inherited when they are forked)."""

    jobs: Sequence[PageJob]
    env: jinja2.Environment
    root: Path
    staging: Staging
    previous: Outputs


@dataclass(frozen=True)
class _Outcome:
    index: int
    state: FileState | None
    staged: bool
    problem: Diagnostic | None


def publish(jobs: Sequence[PageJob], env: jinja2.Environment, static: list[StaticFile],
            config: SiteConfig, chain: list[Theme], *, cache: BuildCache | None, jobs_n: int,
            progress: Progress, stage: Stage) -> Published:
    output_dir = config.output_path
    with stage("fingerprint"):
        previous = (cache.previous_outputs(output_dir) if cache else None) or {}
        prints = _fingerprints(jobs, env, static, config, chain, cache)
        staging = Staging(output_dir)
        todo = [i for i, job in enumerate(jobs) if staging.whole
                or not _reusable(output_dir, job.output, previous.get(job.output), prints[i])]
    with stage("render"):
        staging.open()
        try:
            outcomes = _render(_Task(jobs, env, config.root, staging, previous), todo, jobs_n, progress)
        except BaseException:
            staging.discard()
            raise
    with stage("write"):
        staged = [jobs[o.index].output for o in outcomes if o.staged]
        produced = {job.output for job in jobs} | {s.dest for s in static} | {MARKER}
        stale = _stale(output_dir, previous, produced, staging.whole, cache is not None)
        report = commit(staging, staged, len(jobs) - len(staged), static, stale)
        records = _records(jobs, prints, outcomes, previous, static, output_dir)
        if cache is None:
            if report.touched:
                forget_outputs(config.root, output_dir)
        elif records != previous:
            cache.record_outputs(output_dir, records)
    return Published(report, tuple(jobs[i].output for i in todo))


def _fingerprints(jobs: Sequence[PageJob], env: jinja2.Environment, static: list[StaticFile],
                  config: SiteConfig, chain: list[Theme], cache: BuildCache | None) -> list[bytes | None]:
    if cache is None:
        return [None] * len(jobs)
    fingerprinter = Fingerprinter(b"", cache.article_key, config)
    shared = globals_digest(env.globals, fingerprinter)
    if shared is None:
        return [None] * len(jobs)
    fingerprinter.base = code_version() + site_digest(config, chain, static) + shared
    return [fingerprinter.job(job) for job in jobs]


def site_digest(config: SiteConfig, chain: list[Theme], static: list[StaticFile]) -> bytes:
    """Everything every page depends on: settings, templates, translations, theme files."""
    readable: list[Path] = []
    for folder in [config.root / "templates", config.root / "i18n"] + [t.path for t in chain]:
        readable += sorted(p for p in folder.rglob("*") if p.is_file() and "static" not in
                           p.relative_to(folder).parts[:1])
    stamped = [s.src for s in static]
    return digest_bytes(repr(config).encode() + files_digest(readable) + stamps_digest(stamped))


def _reusable(output_dir: Path, output: str, record: OutputRecord | None,
              fingerprint: bytes | None) -> bool:
    if record is None or fingerprint is None or record.fingerprint != fingerprint:
        return False
    return _on_disk(output_dir / output, record)


def _on_disk(path: Path, record: OutputRecord) -> bool:
    try:
        info = path.stat()
    except OSError:
        return False
    return info.st_size == record.size and info.st_mtime_ns == record.mtime_ns


# Looked up once per build (and inherited by the workers): Jinja's own cache would check each
# template file's modification time again for every page.
_templates: dict[str, jinja2.Template] = {}


def _render(task: _Task, todo: list[int], jobs_n: int, progress: Progress) -> list[_Outcome]:
    workers.state["publish"] = task
    _templates.clear()  # a new environment each build
    for name in {task.jobs[i].template for i in todo}:  # compile once, before the workers fork
        _template(task.env, name)
    gc.freeze()  # forked workers then leave the parent's objects (and their memory pages) alone
    try:
        outcomes = []
        for done, outcome in enumerate(workers.map_chunks(_render_chunk, todo, jobs_n), 1):
            outcomes.append(outcome)
            progress("render", done, len(todo))
    finally:
        gc.unfreeze()
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
    data, problem = render_job(job, task.env, task.root, _template(task.env, job.template))
    if problem:
        return _Outcome(index, None, False, problem)
    record = task.previous.get(job.output)
    if record is not None and record.size == len(data) and record.digest == digest_bytes(data) \
            and _on_disk(task.staging.output_dir / job.output, record):
        return _Outcome(index, FileState(record.size, record.mtime_ns, record.digest), False, None)
    same = task.staging.same_as_output(job.output, data)
    if same is not None:
        return _Outcome(index, same, False, None)
    return _Outcome(index, task.staging.stage(job.output, data), True, None)


def _stale(output_dir: Path, previous: Outputs, produced: set[str], whole: bool, trusted: bool) -> list[str]:
    if whole:
        return []
    if trusted and previous:
        return sorted(path for path in previous if path not in produced)
    return sorted(existing_files(output_dir) - produced)


def _records(jobs: Sequence[PageJob], prints: list[bytes | None], outcomes: list[_Outcome],
             previous: Outputs, static: list[StaticFile], output_dir: Path) -> Outputs:
    records: Outputs = {}
    fresh = {o.index: o.state for o in outcomes}
    for index, job in enumerate(jobs):
        state = fresh.get(index)
        if state is None:  # reused unrendered: the record still holds
            records[job.output] = previous[job.output]
        else:
            records[job.output] = OutputRecord(prints[index], state.size, state.mtime_ns, state.digest)
    for item in static:
        try:
            info = (output_dir / item.dest).stat()
        except OSError:
            continue
        records[item.dest] = OutputRecord(None, info.st_size, info.st_mtime_ns, b"")
    return records
