"""Render page jobs through Jinja into bytes, in memory (design §4, `render`)."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from .diagnostics import Diagnostic, error
from .progress import Progress, no_progress
from .themes import display_template_path


@dataclass(frozen=True)
class PageJob:
    """One output file: where it goes, which template renders it, with what, and why it exists."""

    output: str  # path inside the output folder, POSIX, NFC
    template: str
    context: Mapping[str, Any] = field(hash=False, compare=False)
    source: str  # what produced it, for diagnostics ('content/articles/x.md', 'tag «غزة»' ...)


class Deferred:
    """A context value computed when a page is fingerprinted or rendered, not while planning.

    Planning runs in the parent process before the workers start, for every page; a deferred value
    (an article's resolved body, a feed, the sitemap's entries) is computed in the worker that
    handles the page, in parallel, and only when its template reads it. `make(*args)` must be a
    pure function of its arguments, like the rest of a page's context; it runs at most once.

    `inputs`, when given, is everything the value is made from besides what every page depends on
    (settings, templates, translations, sitegen's code): the page's fingerprint counts the inputs
    instead of the value, so a page found unchanged never computes it. Without them, the
    fingerprint computes the value and counts that.

    `reads_bodies_of`, for a value without `inputs`: the articles whose body fields (page_deps.py)
    `make` reads; the page then depends on them, besides the articles found in the value. None
    (not declared): the page is not skipped by a body-only edit (page_deps.py) of any article.
    """

    __slots__ = ("_make", "_args", "_value", "inputs", "reads_bodies_of")
    _PENDING = object()

    def __init__(self, make: Callable[..., Any], *args: Any, inputs: tuple[Any, ...] | None = None,
                 reads_bodies_of: tuple[Any, ...] | None = None):
        self._make, self._args, self._value = make, args, Deferred._PENDING
        self.inputs = inputs
        self.reads_bodies_of = reads_bodies_of

    @property
    def value(self) -> Any:
        if self._value is Deferred._PENDING:
            self._value = self._make(*self._args)
            self._make, self._args = None, ()  # let what it was made from go
        return self._value

    def __repr__(self) -> str:
        return f"Deferred({getattr(self._make, '__name__', self._make)})"


def template_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """The context as templates see it: deferred values computed."""
    return {key: value.value if isinstance(value, Deferred) else value for key, value in context.items()}


@dataclass(frozen=True)
class RenderedFile:
    path: str
    data: bytes


def render(jobs: Sequence[PageJob], env: jinja2.Environment, root: Path,
           progress: Progress = no_progress) -> tuple[list[RenderedFile], list[Diagnostic]]:
    files: list[RenderedFile] = []
    problems: dict[tuple, Diagnostic] = {}
    for done, job in enumerate(jobs, 1):
        progress("render", done, len(jobs))
        data, problem = render_job(job, env, root)
        if problem:
            add_problem(problems, problem)
        else:
            files.append(RenderedFile(job.output, data))
    return files, list(problems.values())


def render_job(job: PageJob, env: jinja2.Environment, root: Path,
               template: jinja2.Template | None = None) -> tuple[bytes, Diagnostic | None]:
    """One page's bytes, or the diagnostic that stopped it. `template`: already looked up."""
    try:
        html = (template or env.get_template(job.template)).render(template_context(job.context))
    except Exception as exc:  # a theme bug must name its template line, not crash the build
        return b"", template_diagnostic(exc, job, root)
    return html.encode("utf-8"), None


def add_problem(problems: dict[tuple, Diagnostic], problem: Diagnostic) -> None:
    """One broken template breaks many pages: report each template line once."""
    problems.setdefault((problem.path, problem.line, problem.message.split(" (while")[0]), problem)


_OBJECT_NAME = re.compile(r"'(?:[\w.]+\.)?(\w+) object'")


def template_diagnostic(exc: Exception, job: PageJob, root: Path) -> Diagnostic:
    """`themes/default/templates/article.html:14: error: ... (while rendering content/x.md)`."""
    while_rendering = f" (while rendering {job.source})"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        path = display_template_path(exc.filename, root)
        return error(path, f"template syntax: {exc.message}{while_rendering}", exc.lineno)
    filename, line = _innermost_template_frame(exc)
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template '{exc.name}' not found in the site's templates/ or the theme"
        if filename is None:  # the page's own template: the page names it
            return error(job.source, message)
        return error(display_template_path(filename, root), message + while_rendering, line)
    if isinstance(exc, jinja2.TemplateError):
        message = _OBJECT_NAME.sub(r"'\1'", str(exc))
    else:  # a filter, test or global raised: say what it raised
        message = f"{type(exc).__name__}: {exc}"
    return error(display_template_path(filename, root), message + while_rendering, line)


def _innermost_template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    # Jinja rewrites tracebacks so template frames carry the template file and line.
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt", ".j2")):
            found = (frame.filename, frame.lineno)
    return found
