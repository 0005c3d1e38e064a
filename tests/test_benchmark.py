"""benchmarks/bench.py end to end, on a tiny corpus: every scenario built, by the Python asked for."""

from __future__ import annotations

import json
import subprocess
import sys

import markdown

from sitetools import REPO

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
    assert "| 12 | 2 processes |" in done.stdout
    cold, unchanged = results["12/cold"]["timed"][0]["stats"], results["12/unchanged"]["timed"][0]["stats"]
    assert cold["rendered"] == cold["pages"] and cold["parsed"] >= 12
    assert unchanged["rendered"] == 0 and unchanged["written"] == 0
    for scenario in ("edit", "reword", "rewrite", "again"):
        edited = results[f"12/{scenario}"]["timed"][0]["stats"]
        assert edited["parsed"] == 1 and 1 <= edited["written"] < cold["written"], scenario


def test_markdown_floor_converts_every_body_without_its_front_matter(tmp_path):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import markdown_floor
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
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
