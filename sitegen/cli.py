"""The `sitegen` command line. Only this module (and the dev server) prints."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .build import BuildResult, build
from .build_cache import CACHE_DIR, BuildCache
from .checker import CheckReport, check
from .config import load_config
from .console import TerminalProgress, summary
from .diagnostics import BuildError, ExitCode
from .scaffold import new_article
from .site import BuildOptions

Command = Callable[[argparse.Namespace], int]
SIGPIPE_STATUS = 128 + 13  # how a shell reports a command that SIGPIPE stopped


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return ExitCode.USAGE_ERROR
    try:
        return args.run(args)
    except BuildError as exc:
        report_failure(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        # The output folder is swapped in one step, so it holds one complete site either way.
        print("interrupted: output/ holds the previous site whole (or the new one, if writing "
              "had finished)", file=sys.stderr)
        return 130


def run() -> None:
    """The `sitegen` command: main(), then exit at once.

    A build leaves tens of thousands of objects (a 10,000-article site) that the interpreter would
    free one by one on the way out, a quarter of a second that a rebuild after an edit does not
    need to spend: everything is written and closed by now (the build cache, the output record,
    --stats), so only the standard streams are flushed before leaving.

    A reader that stops reading (`sitegen build | head -1`) ends the command without a traceback,
    with the status a shell gives a command stopped by SIGPIPE; output/ is whole either way (it
    is replaced in one step).
    """
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        code = SIGPIPE_STATUS
    try:
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)


def make_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand's own default must not undo `sitegen --site DIR <command>`.
    common.add_argument("--site", type=Path, default=argparse.SUPPRESS, metavar="DIR",
                        help="the site folder, holding site.toml (default: the current folder)")
    parser = argparse.ArgumentParser(
        prog="sitegen", description="Build right-to-left Arabic news sites from Markdown.")
    parser.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                        help="the site folder, holding site.toml (default: the current folder)")
    parser.add_argument("--version", action="version", version=f"sitegen {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_build(commands, common)
    _add_new(commands, common)
    _add_serve(commands, common)
    _add_check(commands, common)
    _add_related(commands, common)
    return parser


def _add_build(commands: Any, common: argparse.ArgumentParser) -> None:
    build_parser = commands.add_parser(
        "build", parents=[common], help="build the site into its output folder",
        description="Render the site into output/ (updated only when the whole build succeeds).")
    build_parser.add_argument("--output", type=Path, metavar="DIR",
                              help="output folder (default: output_dir from site.toml, 'output')")
    build_parser.add_argument("--drafts", action="store_true", help="include articles marked draft")
    build_parser.add_argument("--future", action="store_true", help="include future-dated articles")
    build_parser.add_argument("--base-url", metavar="URL", help="override base_url (preview deploys)")
    build_parser.add_argument("--now", type=_timestamp, metavar="ISO",
                              help="pretend the build runs at this time (reproducible builds)")
    build_parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    build_parser.add_argument("-v", "--verbose", action="store_true",
                              help="list every merged tag, section and author spelling")
    build_parser.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N",
                              help="worker processes for Markdown and page rendering "
                                   "(default: every core; 1: all in this process)")
    build_parser.add_argument("--no-cache", action="store_true",
                              help=f"ignore {CACHE_DIR}/ and build everything from scratch "
                                   "(a new cache is left behind)")
    build_parser.add_argument("--stats", type=Path, metavar="FILE",
                              help="write the build's figures (seconds per stage, pages rendered, "
                                   "files written) to FILE as JSON")
    build_parser.set_defaults(run=run_build)


def _add_new(commands: Any, common: argparse.ArgumentParser) -> None:
    new_parser = commands.add_parser(
        "new", parents=[common], help="start a new article (a draft) and print its path",
        description="Create content/articles/<date>-<slug>.md with its front matter filled in: "
                    "dated now in the site's time zone, marked draft. Never overwrites a file.")
    new_parser.add_argument("title", help="the headline, in quotes")
    new_parser.add_argument("--category", metavar="NAME", help="the section, e.g. سياسة")
    new_parser.add_argument("--tag", action="append", default=[], metavar="TAG", dest="tags",
                            help="a tag (repeat for several)")
    new_parser.add_argument("--slug", metavar="SLUG", help="the URL slug (default: from the title)")
    new_parser.add_argument("--now", type=_timestamp, metavar="ISO",
                            help="date the article at this time instead of now")
    new_parser.set_defaults(run=run_new)


def run_new(args: argparse.Namespace) -> int:
    config = load_config(args.site)
    try:
        rel_path = new_article(config, args.title, args.now or datetime.now(UTC),
                               category=args.category, tags=args.tags, slug=args.slug)
    except BuildError as exc:  # nothing was built, so no "build failed" line
        for diagnostic in exc.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        return exc.exit_code
    print(args.site / rel_path)
    return ExitCode.OK


def _add_serve(commands: Any, common: argparse.ArgumentParser) -> None:
    serve_parser = commands.add_parser(
        "serve", parents=[common], help="preview the site in the browser, rebuilding on every save",
        description="Build the site into its own folder (output/ is not touched), serve it and "
                    "reload the browser on every change to content/, templates, themes or site.toml.")
    serve_parser.add_argument("--host", default="127.0.0.1",
                              help="address to listen on (default: 127.0.0.1, this computer only)")
    serve_parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve_parser.add_argument("--no-drafts", dest="drafts", action="store_false",
                              help="hide drafts and scheduled articles, as a real build would")
    serve_parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    serve_parser.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    from .serve import serve  # the web server stack is only loaded for this command

    return serve(args.site, args.host, args.port, args.drafts, args.quiet)


def _add_check(commands: Any, common: argparse.ArgumentParser) -> None:
    check_parser = commands.add_parser(
        "check", parents=[common], help="build in memory and report problems (nothing is written)",
        description="Report broken links and anchors, missing images or alt text, merged tag "
                    "spellings, near-duplicate titles, pins to unknown articles and scheduled "
                    "articles, as path:line:col. Exit 1 on errors (and on warnings with --strict).")
    check_parser.add_argument("--strict", action="store_true", help="warnings fail the check too")
    check_parser.add_argument("--format", choices=("text", "json"), default="text",
                              help="text (default) or json, for CI")
    check_parser.add_argument("--drafts", action="store_true", help="check as if drafts were published")
    check_parser.add_argument("--future", action="store_true", help="check as if future articles were due")
    check_parser.add_argument("--now", type=_timestamp, metavar="ISO",
                              help="check as if it were this time")
    check_parser.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    options = BuildOptions(drafts=args.drafts, future=args.future)
    try:
        report = check(args.site, options, args.now)
    except BuildError as exc:  # site.toml or theme unusable: nothing could be checked
        report, exit_code = CheckReport(exc.diagnostics, 0), exc.exit_code
    else:
        exit_code = ExitCode.CONTENT_ERROR if report.failed(args.strict) else ExitCode.OK
    print(report.json() if args.format == "json" else report.text())
    return exit_code


def _add_related(commands: Any, common: argparse.ArgumentParser) -> None:
    related_parser = commands.add_parser(
        "related", parents=[common], help="show an article's «أخبار ذات صلة» and why",
        description="List the stories the build places under an article, best first, with each "
                    "score broken down by signal (tags, section, text, stems, time). Nothing is "
                    "written.")
    related_parser.add_argument("target", help="the article's slug, URL or file path")
    related_parser.add_argument("--drafts", action="store_true", help="include articles marked draft")
    related_parser.add_argument("--future", action="store_true", help="include future-dated articles")
    related_parser.add_argument("--now", type=_timestamp, metavar="ISO",
                                help="pretend it is this time (which articles are published)")
    related_parser.set_defaults(run=run_related)


def run_related(args: argparse.Namespace) -> int:
    from .related_report import explain_related

    report = explain_related(args.site, args.target, BuildOptions(args.drafts, args.future),
                             args.now or datetime.now(UTC))
    print(f"«{report.article.title}» ({report.article.path})")
    if not report.items:
        print("  no related stories" + (" (related.max_items = 0)" if report.max_items == 0 else ""))
    for rank, item in enumerate(report.items, 1):
        s = item.score
        print(f"{rank:>3}. «{item.article.title}» ({item.article.path})")
        print(f"     {'pinned by the editor; ' if s.pinned else ''}score {s.total:.3f} = (tags {s.tags:.3f}"
              f" + section {s.category:.3f} + text {s.text:.3f} + stems {s.stems:.3f}) × time {s.time:.3f}")
    return ExitCode.OK


def _timestamp(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an ISO 8601 time like 2025-10-15T14:05:00+03:00, got {value!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("--now needs a UTC offset, e.g. 2025-10-15T14:05:00+03:00")
    return moment


def _jobs(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a number of processes (0: every core), got {value!r}")
    return number


def build_overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if getattr(args, "output", None):
        overrides["output_dir"] = str(args.output.resolve())
    if getattr(args, "base_url", None):
        overrides["base_url"] = args.base_url
    return overrides


def run_build(args: argparse.Namespace) -> int:
    options = BuildOptions(drafts=args.drafts, future=args.future)
    cache = BuildCache(args.site.resolve(), fresh=args.no_cache)
    with TerminalProgress(enabled=not args.quiet) as progress:
        result = build(args.site, options, build_overrides(args), args.now, progress=progress,
                       cache=cache, jobs=args.jobs or None)
    for diagnostic in result.warnings:
        print(diagnostic.format(), file=sys.stderr)
    if args.stats:
        args.stats.write_text(json.dumps(build_stats(result, cache), indent=2) + "\n", encoding="utf-8")
    if not args.quiet:
        print(summary(result))
        merged = merged_report(result, getattr(args, "verbose", False))
        if merged:
            print(merged)
    return ExitCode.OK


def _merged_terms(result: BuildResult) -> list:
    return list(result.merged_terms)


def _merge_line(term: Any) -> str:
    variants = " + ".join(f"«{spelling}» ({count})" for spelling, count in term.spellings)
    return f"{variants} → «{term.name}»"


def merged_report(result: BuildResult, verbose: bool) -> str:
    """Spelling variants merged into one tag/section/author, so editors can tidy them up.

    A count by default; `build -v` lists every one: «الاقتصاد» (2) + «الإقتصاد» (1) → «الاقتصاد».
    """
    merged = _merged_terms(result)
    if not merged:
        return ""
    head = f"merged spelling variants of {len(merged)} tags, sections or authors"
    if not verbose:
        return head + " (sitegen build -v lists them)"
    return "\n".join([head + ":"] + [f"  {t.kind}: {_merge_line(t)}" for t in merged])


def build_stats(result: BuildResult, cache: BuildCache) -> dict[str, Any]:
    """The figures the benchmarks read (benchmarks/bench.py)."""
    report = result.report
    return {"pages": result.pages, "checked": result.checked, "rendered": len(result.rendered),
            "written": report.written,
            "unchanged": report.unchanged, "removed": report.removed,
            "parsed": cache.misses, "parse_cache_hits": cache.hits,
            "articles": len(result.site.articles), "stage_seconds": result.stage_seconds}


def report_failure(exc: BuildError) -> None:
    for diagnostic in exc.diagnostics:
        print(diagnostic.format(), file=sys.stderr)
    print(exc.summary(), file=sys.stderr)
