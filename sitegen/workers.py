"""Spread a stage's work over the machine's cores: a process pool with per-worker state.

Markdown conversion and Jinja rendering are pure Python, so threads would not help; processes do.
Workers are forked (Linux), so they start with the parent's state (configuration, page jobs, the
Jinja environment with its compiled templates) without pickling it: a stage puts what its workers
need into `state` before the pool starts, and each worker builds its own expensive objects (one
Markdown instance, its own template cache) once, in `setup`. Only chunks of indexes or small
records go to the workers, and small results come back, in order, so the output is the same as a
one-process run. `jobs=1` runs everything in this process (tests, debugging, small builds).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items, starting processes costs more than it saves.
MIN_PARALLEL_ITEMS = 64

# What the current stage's workers read; set before forking, inherited by the children.
state: dict[str, Any] = {}


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def resolve_jobs(requested: int | None) -> int:
    """`--jobs`: None or 0 means every available core."""
    return available_cores() if not requested else max(1, requested)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def in_parallel(items: int, jobs: int, min_items: int | None = None) -> bool:
    """Whether work on `items` items is spread over processes: more than one job, enough items
    to be worth starting them, and a system that forks."""
    return jobs > 1 and items >= (min_items or MIN_PARALLEL_ITEMS) and can_fork()


def leave_signals_to_parent() -> None:
    """In a forked child: the parent alone answers Ctrl+C and stops its children (a pool ends its
    workers with SIGTERM); `sitegen serve` turns SIGTERM into KeyboardInterrupt for itself, which
    a child would inherit and answer with a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _start_worker(setup: Callable[[], None] | None) -> None:
    leave_signals_to_parent()
    # Forked while the parent may have paused its collector (it does while it reads the parse
    # workers' results): a worker's own leftovers are collected as usual.
    gc.enable()
    if setup:
        setup()


def map_chunks(work: Callable[[Sequence[T]], list[R]], items: Sequence[T], jobs: int,
               setup: Callable[[], None] | None = None, chunk_size: int = 0,
               min_items: int | None = None) -> Iterator[R]:
    """`work` over `items` in chunks, results in the order of `items`.

    `work` takes a chunk and returns one result per item; it runs in worker processes when there
    are at least `min_items` (default MIN_PARALLEL_ITEMS) items and more than one job, else here.
    `setup` runs once per worker (or once here) before any chunk.
    """
    if not in_parallel(len(items), jobs, min_items):
        if setup:
            setup()
        size = chunk_size or 64
        for start in range(0, len(items), size):
            yield from work(items[start:start + size])
        return
    size = chunk_size or max(1, min(64, len(items) // (jobs * 8)))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    context = multiprocessing.get_context("fork")
    # Frozen: a forked worker's garbage collector would otherwise walk every object it inherited
    # (all the site's articles, indexes...), costing seconds and copying memory pages it never
    # writes to otherwise.
    # When the caller has frozen what it keeps for the whole build (build.py does after parsing),
    # it stays frozen: unfreezing it here would put the collector back on every parsed article.
    frozen_by_caller = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        with context.Pool(jobs, initializer=_start_worker, initargs=(setup,)) as pool:
            # The last chunk is handed out first, its results kept until the others are out: a
            # stage's last items can be its biggest (rendering ends with the sitemap, made from
            # every page: half a second at 10,000 articles), and started last such an item would
            # leave the other cores idle meanwhile.
            in_order = pool.imap(work, chunks[-1:] + chunks[:-1])
            last = next(in_order)
            for results in in_order:
                yield from results
            yield from last
    finally:
        if not frozen_by_caller:
            gc.unfreeze()

