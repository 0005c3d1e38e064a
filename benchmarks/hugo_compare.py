"""Build bench.py's generated corpus with Hugo on this machine: cold, unchanged, one-article edit.

    python benchmarks/hugo_compare.py                       # 1,000 and 10,000 articles, 3 runs each
    python benchmarks/hugo_compare.py --sizes 10000 --runs 1 --json /tmp/hugo.json

Issue 7 compares sitegen with Hugo figures measured on another machine; this measures the `hugo` on
PATH (Debian's package: `apt-get install hugo`) on the very corpus bench.py builds, so both tools'
figures can come from one machine.

Each corpus (benchmarks/corpus.py, in --work) is converted once into a Hugo site beside it,
hugo-<size>-seed<seed>-v<generator version>/: articles in content/posts/ with their Markdown
bodies byte for byte and the front matter mapped (category → categories, author → the `authors`
taxonomy and `author`), the two static pages at the root, hugo.toml, and a small right-to-left
theme (benchmarks/hugo_layouts/, copied to layouts/) that makes the pages sitegen makes: every
article with five related stories, home, tag, category and author listings at 10 per page, RSS and
Atom feeds for home (20 whole articles) and every tag and category (10 summaries), a sitemap,
robots.txt and a 404 page. hugo.toml and layouts/ are written again on every run (cheap, and a
change to them must reach sites converted before).

Every build is a separate `hugo` process (no --renderToMemory: sitegen writes its files too),
timed like bench.py's builds: wall time, CPU time (user + system) and peak memory (max RSS; Hugo
is one process) from os.wait4. Scenarios: `cold` (public/ and resources/ moved to a trash folder
first: see bench.py's docstring for why they are moved, not deleted), `unchanged` (hugo again) and
`edit` (bench.edit_one_article's figure change at the end of the middle article, on the Hugo
copy). Hugo has no incremental mode outside `hugo server`, so every build renders and writes
everything. Before each build the disk is synced (untimed): see build_scenario.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import (  # noqa: E402 (script-relative import)
    corpus_arguments,
    corpus_folder,
    edit_one_article,
    make_work_folder,
    median,
    move_to_trash,
    run_timed,
)
from corpus import GENERATOR_VERSION  # noqa: E402

SCENARIOS = ("cold", "unchanged", "edit")
# Its own trash: bench.py deletes `trash` in --work when it ends, maybe while this benchmark runs.
TRASH = "trash-hugo"
OUTPUTS = ("public", "resources")  # what a cold build starts without

HUGO_TOML = """\
baseURL = {base_url}
title = {title}
languageCode = "ar"
defaultContentLanguage = "ar"
timeZone = {timezone}
paginate = {paginate}
# sitegen's benchmark builds "now" after the newest article; Hugo would skip articles dated after
# this machine's clock.
buildFuture = true
enableRobotsTXT = true

[params]
description = {description}

[taxonomies]
tag = "tags"
category = "categories"
author = "authors"

[mediaTypes."application/atom+xml"]
suffixes = ["xml"]

[outputFormats.RSS]
baseName = "rss"

[outputFormats.Atom]
mediaType = "application/atom+xml"
baseName = "atom"

# sitegen has no listing of all articles besides the home page (content/posts/_index.md is not
# rendered), and no feeds for authors (content/authors/_index.md).
[outputs]
home = ["HTML", "RSS", "Atom"]
section = ["HTML"]
taxonomy = ["HTML"]
term = ["HTML", "RSS", "Atom"]

# sitegen ranks by shared tags (0.5, weighted by rarity), same section (0.1), text similarity
# (2.0) and closeness in time. Hugo has no text or rarity signal: shared tags count most, then
# the section, then the same month; newer stories count too, as in sitegen. Hugo's default
# threshold: as sitegen's min_score, a shared section or month alone does not make a story related.
[related]
includeNewer = true
threshold = 80
toLower = false
[[related.indices]]
name = "tags"
weight = 100
[[related.indices]]
name = "categories"
weight = 20
[[related.indices]]
name = "date"
weight = 10
pattern = "2006-01"
"""

POSTS_INDEX = '---\ntitle: "الأخبار"\n_build:\n  render: never\n---\n'
AUTHORS_INDEX = '---\ntitle: "الكتّاب"\ncascade:\n  outputs: ["html"]\n---\n'

LAYOUTS = Path(__file__).resolve().parent / "hugo_layouts"  # copied into each Hugo site


@dataclass
class HugoRun:
    wall: float
    cpu: float
    max_rss_mb: float


@dataclass
class SizeResult:
    runs: dict[str, list[HugoRun]] = field(default_factory=dict)
    hugo_html: int = 0
    hugo_aliases: int = 0  # of those, the page/1/ redirects Hugo writes for every paginated list
    hugo_tags: int = 0  # tag folders: Hugo keeps spelling variants apart, sitegen merges them
    sitegen_html: int | None = None  # from the corpus's output/, when a sitegen build left one
    sitegen_tags: int | None = None


# --- Converting the corpus ------------------------------------------------------------------------

def hugo_site(corpus: Path, work: Path, size: int, seed: int) -> Path:
    """The Hugo copy of `corpus`: content converted once, theme and config written every time."""
    site = work / f"hugo-{size}-seed{seed}-v{GENERATOR_VERSION}"
    if not (site / "content").is_dir():
        print(f"converting {corpus} into {site} ...", flush=True)
        convert_content(corpus, site)
    write_theme(corpus, site)
    return site


def convert_content(corpus: Path, site: Path) -> None:
    """content/ of the Hugo site, made in a side folder and renamed, so that an interrupted
    conversion is never taken for a finished one."""
    partial = site / "content.partial"
    shutil.rmtree(partial, ignore_errors=True)
    posts = partial / "posts"
    posts.mkdir(parents=True)
    for source in sorted((corpus / "content" / "articles").glob("*.md")):
        (posts / source.name).write_bytes(hugo_article(source.read_bytes()))
    for source in sorted((corpus / "content" / "pages").glob("*.md")):
        shutil.copyfile(source, partial / source.name)  # a title and a line: the same in Hugo
    (posts / "_index.md").write_text(POSTS_INDEX, encoding="utf-8")
    (partial / "authors").mkdir()
    (partial / "authors" / "_index.md").write_text(AUTHORS_INDEX, encoding="utf-8")
    partial.rename(site / "content")


def split_front_matter(data: bytes) -> tuple[dict, bytes]:
    """The YAML front matter of a corpus file, and its body's bytes untouched."""
    if not data.startswith(b"---\n"):
        raise ValueError("no front matter")
    end = data.index(b"\n---\n", 3)
    return yaml.safe_load(data[4:end]) or {}, data[end + len(b"\n---\n"):]


def hugo_front_matter(meta: dict) -> dict[str, object]:
    """sitegen's fields as Hugo reads them: the section as a category, the author as a term of
    the `authors` taxonomy (sitegen makes author pages) and as `author` (the feeds name it)."""
    fields: dict[str, object] = {"title": str(meta["title"])}
    if "date" in meta:
        fields["date"] = meta["date"]
    if "category" in meta:
        fields["categories"] = [str(meta["category"])]
    if "tags" in meta:
        fields["tags"] = [str(tag) for tag in meta["tags"]]
    if "author" in meta:
        fields["authors"] = [str(meta["author"])]
        fields["author"] = str(meta["author"])
    return fields


def yaml_value(value: object) -> str:
    """A date as YAML's timestamp (as the corpus writes it); anything else as JSON, which is YAML
    too and quotes whatever a title or tag holds."""
    if isinstance(value, date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def hugo_article(data: bytes) -> bytes:
    meta, body = split_front_matter(data)
    lines = [f"{key}: {yaml_value(value)}" for key, value in hugo_front_matter(meta).items()]
    return ("---\n" + "\n".join(lines) + "\n---\n").encode("utf-8") + body


def hugo_config(corpus: Path) -> str:
    settings = tomllib.loads((corpus / "site.toml").read_text(encoding="utf-8"))

    def text(key: str, default: str = "") -> str:  # a TOML basic string (JSON's escapes are TOML's)
        return json.dumps(str(settings.get(key, default)), ensure_ascii=False)

    return HUGO_TOML.format(base_url=text("base_url"), title=text("title"), timezone=text("timezone", "UTC"),
                            paginate=int(settings.get("paginate", 10)), description=text("description"))


def write_theme(corpus: Path, site: Path) -> None:
    (site / "hugo.toml").write_text(hugo_config(corpus), encoding="utf-8")
    shutil.rmtree(site / "layouts", ignore_errors=True)  # no layout left over from an older copy
    shutil.copytree(LAYOUTS, site / "layouts")


# --- Building ------------------------------------------------------------------------------------

def hugo_version(hugo: str) -> str:
    return subprocess.run([hugo, "version"], capture_output=True, text=True, check=True).stdout.strip()


def hugo_once(site: Path, hugo: str) -> HugoRun:
    """One `hugo` process writing the site to public/, timed as bench.py times a build."""
    run = run_timed([hugo, "--source", str(site), "--destination", str(site / "public"), "--quiet"])
    return HugoRun(run.wall, run.cpu, run.max_rss_mb)


def build_scenario(site: Path, scenario: str, number: int, hugo: str, trash: Path) -> HugoRun:
    if scenario == "cold":
        move_to_trash(site, trash, OUTPUTS)
    elif scenario == "edit":
        edit_one_article(site, number, "edit", folder=site / "content" / "posts")
    # Hugo writes every file again in every build. Overwriting files the kernel has not written out
    # yet (the cold build's, seconds later) cost ~1.3 s less at 1,000 articles than overwriting
    # files already on disk, as a rebuild minutes later or any second rebuild does: each build
    # starts with nothing left to write, so that its figure does not depend on what ran before it.
    os.sync()
    return hugo_once(site, hugo)


def bench_size(site: Path, size: int, runs: int, hugo: str, trash: Path) -> dict[str, list[HugoRun]]:
    results: dict[str, list[HugoRun]] = {scenario: [] for scenario in SCENARIOS}
    for number in range(1, runs + 1):
        for scenario in SCENARIOS:
            run = build_scenario(site, scenario, number, hugo, trash)
            results[scenario].append(run)
            print(f"  {size:>6} {scenario:<9} run {number}: {run.wall:6.2f}s wall {run.cpu:6.2f}s cpu "
                  f"{run.max_rss_mb:5.0f} MB max RSS", flush=True)
    return results


def count_html(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html")) if folder.is_dir() else 0


def count_aliases(public: Path) -> int:
    """Hugo writes /…/page/1/index.html, a redirect to the list's first page, for every paginated
    list; sitegen writes no such page."""
    return sum(1 for _ in public.rglob("page/1/index.html"))


def count_pages(result: SizeResult, public: Path, sitegen_output: Path) -> None:
    result.hugo_html, result.hugo_aliases = count_html(public), count_aliases(public)
    result.hugo_tags = count_folders(public / "tags")
    if sitegen_output.is_dir():  # bench.py may have moved it to its trash
        result.sitegen_html = count_html(sitegen_output)
        result.sitegen_tags = count_folders(sitegen_output / "tags")


def count_folders(folder: Path) -> int:
    return sum(1 for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else 0


# --- Reporting -----------------------------------------------------------------------------------

def report(results: dict[int, SizeResult]) -> str:
    lines = ["", "| articles | build | wall (s) | CPU (s) | max RSS (MB) |", "|---:|---|---:|---:|---:|"]
    for size, result in results.items():
        for scenario in SCENARIOS:
            runs = result.runs[scenario]
            wall, cpu = median([r.wall for r in runs]), median([r.cpu for r in runs])
            lines.append(f"| {size:,} | {scenario} | {wall:.2f} | {cpu:.2f} "
                         f"| {median([r.max_rss_mb for r in runs]):.0f} |")
    lines.append("")
    for size, result in results.items():
        lines.append(f"{size:,} articles, HTML files: Hugo {result.hugo_html:,} (of which "
                     f"{result.hugo_aliases:,} page/1/ redirects; {result.hugo_tags:,} tags), sitegen "
                     f"{_count_text(result.sitegen_html)} ({_count_text(result.sitegen_tags)} tags)")
    return "\n".join(lines)


def _count_text(count: int | None) -> str:
    return "?: no output/ in the corpus" if count is None else f"{count:,}"


def main(argv: list[str] | None = None) -> int:
    parser = corpus_arguments(__doc__.split("\n")[0])
    parser.add_argument("--hugo", default="hugo", help="the hugo binary (default: hugo on PATH)")
    args = parser.parse_args(argv)
    hugo = shutil.which(args.hugo)
    if hugo is None:
        parser.error(f"{args.hugo} not found (Debian: apt-get install hugo)")
    make_work_folder(parser, args.work)
    version = hugo_version(hugo)
    cores = len(os.sched_getaffinity(0))
    print(f"{cores} cores, load average {os.getloadavg()[0]:.2f} at start; {version}", flush=True)
    results: dict[int, SizeResult] = {}
    try:
        for size in args.sizes:
            corpus = corpus_folder(args.work, size, args.seed)
            site = hugo_site(corpus, args.work, size, args.seed)
            result = results[size] = SizeResult(bench_size(site, size, args.runs, hugo, args.work / TRASH))
            count_pages(result, site / "public", corpus / "output")
    finally:
        shutil.rmtree(args.work / TRASH, ignore_errors=True)
    print(report(results))
    print(f"\n{version}\nload average {os.getloadavg()[0]:.2f} at the end ({cores} cores; other work "
          "on the machine inflates wall times)")
    if args.json:
        figures = {"hugo": version, **{str(size): asdict(result) for size, result in results.items()}}
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
