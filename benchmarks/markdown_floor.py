"""Python-Markdown alone over a corpus's articles: the floor that issue 7's figures are set against.

The issue measured it on its machine at 10,000 articles: 24 s in one process, 13 s in two, and set
the cold build's target (20 s) from it. Machines of the same class differ in speed by more than
that margin, so bench.py (`--floor`) runs this on the machine that builds, with the Python that
builds, and prints the cold build as a multiple of it.

    python benchmarks/markdown_floor.py SITE [--processes 2]

Each article's body (its front matter cut off) goes through one `markdown.Markdown()` with no
extensions, reset between articles, as the cheapest use of the library: sitegen's own conversion
uses extensions (tables, footnotes, a table of contents, ...), so this floor is lower than any
build's Markdown. The bodies are read before the conversion starts, and their reading counts.
"""

from __future__ import annotations

import argparse
import multiprocessing
from pathlib import Path

import markdown

CHUNK = 100  # articles per task given to a worker process


def article_bodies(site: Path) -> list[str]:
    bodies = []
    for path in sorted((site / "content" / "articles").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            text = text[4:].partition("\n---\n")[2]
        bodies.append(text)
    return bodies


def convert_all(bodies: list[str]) -> int:
    """Converts every body; returns the HTML's total length, so that nothing can be skipped."""
    converter, total = markdown.Markdown(), 0
    for body in bodies:
        total += len(converter.reset().convert(body))
    return total


def convert_in(bodies: list[str], processes: int) -> int:
    if processes == 1:
        return convert_all(bodies)
    chunks = [bodies[start:start + CHUNK] for start in range(0, len(bodies), CHUNK)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return sum(pool.imap_unordered(convert_all, chunks))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path, help="a site folder with content/articles/*.md")
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args(argv)
    bodies = article_bodies(args.site)
    html_length = convert_in(bodies, args.processes)
    print(f"{len(bodies)} articles, {html_length} characters of HTML, {args.processes} process(es)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
