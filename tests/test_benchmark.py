"""benchmarks/bench.py end to end, on a tiny corpus: every scenario built, by the Python asked for;
benchmarks/hugo_compare.py's Hugo copy of a corpus, and (where hugo is installed) its builds."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from urllib.parse import unquote

import markdown
import pytest
import yaml

from sitetools import REPO, benchmark_module, soup

SCENARIOS = ["cold", "unchanged", "edit", "reword", "rewrite", "again"]


def test_every_scenario_is_built_by_the_python_given(tmp_path):
    log = tmp_path / "invocations.log"
    wrapper = tmp_path / "python-wrapper"
    # Another "interpreter": this one, recording each command line it is started with.
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench.py"), "--sizes", "12", "--runs", "1",
         "--python", str(wrapper), "--work", str(tmp_path / "work"), "--json", str(figures), "--floor"],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    version = ".".join(map(str, sys.version_info[:3]))
    assert f"builds run by {wrapper} (Python {version})" in done.stdout

    builds = [line.split() for line in log.read_text(encoding="utf-8").splitlines()
              if line.startswith("-m sitegen build")]
    assert len(builds) == 2 * len(SCENARIOS)  # one timed run and one memory-sampled run of each
    floors = [line.split()[1:] for line in log.read_text(encoding="utf-8").splitlines()
              if "markdown_floor.py" in line]
    assert [argv[-2:] for argv in floors] == [["--processes", "1"], ["--processes", "2"]]
    assert all("--site" in argv and "--stats" in argv for argv in builds)

    results = json.loads(figures.read_text(encoding="utf-8"))
    assert list(results) == [f"12/{scenario}" for scenario in SCENARIOS] + [
        "12/markdown-alone-1", "12/markdown-alone-2"]
    floor_rows = [line for line in done.stdout.splitlines() if line.startswith("| 12 | 2 processes |")]
    assert len(floor_rows) == 1 and floor_rows[0].endswith("|  |")  # the targets are at 10,000
    cold, unchanged = results["12/cold"]["timed"][0]["stats"], results["12/unchanged"]["timed"][0]["stats"]
    assert cold["rendered"] == cold["pages"] and cold["parsed"] >= 12
    assert unchanged["rendered"] == 0 and unchanged["written"] == 0
    for scenario in ("edit", "reword", "rewrite", "again"):
        edited = results[f"12/{scenario}"]["timed"][0]["stats"]
        assert edited["parsed"] == 1 and 1 <= edited["written"] < cold["written"], scenario


def test_markdown_floor_converts_every_body_without_its_front_matter(tmp_path):
    markdown_floor = benchmark_module("markdown_floor")
    articles = tmp_path / "content" / "articles"
    articles.mkdir(parents=True)
    for number in range(150):  # more than one chunk for the worker processes
        (articles / f"{number:03}.md").write_text(
            f'---\ntitle: "خبر {number}"\ntags: [أ, ب]\n---\n## عنوان {number}\n\nنص *الخبر* {number}.\n',
            encoding="utf-8")
    bodies = markdown_floor.article_bodies(tmp_path)
    assert bodies[7] == "## عنوان 7\n\nنص *الخبر* 7.\n"
    html = markdown.markdown(bodies[7])
    assert html == "<h2>عنوان 7</h2>\n<p>نص <em>الخبر</em> 7.</p>"
    one_process = markdown_floor.convert_in(bodies, 1)
    assert one_process == sum(len(markdown.markdown(body)) for body in bodies)
    assert markdown_floor.convert_in(bodies, 2) == one_process


def test_the_hugo_copy_keeps_bodies_and_maps_the_front_matter(tmp_path):
    hugo_compare = benchmark_module("hugo_compare")
    corpus = hugo_compare.corpus_folder(tmp_path, 12, 7)
    site = hugo_compare.hugo_site(corpus, tmp_path, 12, 7)
    assert site.name.startswith("hugo-12-seed7-v")

    sources = sorted((corpus / "content" / "articles").glob("*.md"))
    posts = site / "content" / "posts"
    assert sorted(p.name for p in posts.glob("*.md")) == sorted([s.name for s in sources] + ["_index.md"])
    assert {p.name for p in (site / "content").glob("*.md")} == {"about.md", "contact.md"}
    for source in sources:
        meta, body = hugo_compare.split_front_matter(source.read_bytes())
        hugo_meta, hugo_body = hugo_compare.split_front_matter((posts / source.name).read_bytes())
        assert hugo_body == body  # the Markdown bytes as they are
        assert hugo_meta["title"] == meta["title"]
        assert hugo_meta["date"] == meta["date"]  # the same instant and offset
        assert hugo_meta["categories"] == [meta["category"]]
        assert hugo_meta["tags"] == meta["tags"]
        assert hugo_meta["authors"] == [meta["author"]] and hugo_meta["author"] == meta["author"]
    assert yaml.safe_load((posts / "_index.md").read_text(encoding="utf-8").split("---")[1]) == {
        "title": "الأخبار", "_build": {"render": "never"}}  # no listing sitegen does not make

    config = tomllib.loads((site / "hugo.toml").read_text(encoding="utf-8"))
    assert config["baseURL"] == "https://bench.example.org/" and config["paginate"] == 10
    assert config["taxonomies"] == {"tag": "tags", "category": "categories", "author": "authors"}
    assert [index["name"] for index in config["related"]["indices"]] == ["tags", "categories", "date"]
    assert config["related"]["includeNewer"] is True
    assert config["outputs"]["term"] == config["outputs"]["home"] == ["HTML", "RSS", "Atom"]
    single = (site / "layouts" / "_default" / "single.html").read_text(encoding="utf-8")
    assert "{{- $related := .Site.RegularPages.Related . | first 5 }}" in single
    assert '<html lang="ar" dir="rtl">' in (site / "layouts" / "_default" / "baseof.html").read_text()

    # Converted once: a second run keeps the content as it is (the edit scenario changes it).
    (posts / sources[0].name).write_bytes(b"edited")
    hugo_compare.hugo_site(corpus, tmp_path, 12, 7)
    assert (posts / sources[0].name).read_bytes() == b"edited"


@pytest.mark.skipif(shutil.which("hugo") is None, reason="hugo is not installed (apt-get install hugo)")
def test_hugo_builds_every_scenario_with_the_pages_sitegen_makes(tmp_path):
    work, figures = tmp_path / "work", tmp_path / "hugo.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "hugo_compare.py"), "--sizes", "30", "--runs", "1",
         "--work", str(work), "--json", str(figures)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads(figures.read_text(encoding="utf-8"))
    assert results["hugo"].startswith("hugo v")
    assert set(results["30"]["runs"]) == {"cold", "unchanged", "edit"}
    assert "| 30 | edit |" in done.stdout

    site = next(work.glob("hugo-30-seed7-v*"))
    public = site / "public"
    articles = sorted(p for p in (public / "posts").iterdir() if p.is_dir())
    assert len(articles) == 30 and all((p / "index.html").is_file() for p in articles)
    assert not (public / "posts" / "index.html").exists()
    assert len(list((public / "page").iterdir())) == 3  # 30 articles, 10 a page: page/1 (a redirect), 2, 3
    tags = [p for p in (public / "tags").iterdir() if p.is_dir()]
    assert len(tags) > 10 and all((p / "index.html").is_file() for p in tags)
    assert "<item>" in (tags[0] / "rss.xml").read_text(encoding="utf-8")
    assert "<entry>" in (tags[0] / "atom.xml").read_text(encoding="utf-8")
    assert not list((public / "authors").glob("*/rss.xml"))  # sitegen has no author feeds
    assert (public / "sitemap.xml").is_file() and (public / "404.html").is_file()

    # The edit scenario's sentence reached the middle article's page; its related block is full.
    middle = soup(articles[len(articles) // 2] / "index.html")
    assert "تعديل" in middle.select_one(".article-body").get_text()
    related = middle.select(".related-news .related-item a")
    assert len(related) == 5 and all(a["href"].startswith("/posts/") for a in related)
    # Term links are made from the front matter (not .GetTerms): each must reach its term's page.
    terms = [unquote(a["href"]) for a in middle.select(".article-terms a, .byline a")]
    assert len(terms) == 6 and all((public / href.strip("/") / "index.html").is_file() for href in terms)
