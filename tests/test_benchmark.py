"""benchmarks/bench.py end to end, on a tiny corpus: every scenario built, by the Python asked for."""

from __future__ import annotations

import json
import subprocess
import sys

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
         "--python", str(wrapper), "--work", str(tmp_path / "work"), "--json", str(figures)],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    version = ".".join(map(str, sys.version_info[:3]))
    assert f"builds run by {wrapper} (Python {version})" in done.stdout

    builds = [line.split() for line in log.read_text(encoding="utf-8").splitlines()
              if line.startswith("-m sitegen build")]
    assert len(builds) == 2 * len(SCENARIOS)  # one timed run and one memory-sampled run of each
    assert all("--site" in argv and "--stats" in argv for argv in builds)

    results = json.loads(figures.read_text(encoding="utf-8"))
    assert list(results) == [f"12/{scenario}" for scenario in SCENARIOS]
    cold, unchanged = results["12/cold"]["timed"][0]["stats"], results["12/unchanged"]["timed"][0]["stats"]
    assert cold["rendered"] == cold["pages"] and cold["parsed"] >= 12
    assert unchanged["rendered"] == 0 and unchanged["written"] == 0
    for scenario in ("edit", "reword", "rewrite", "again"):
        edited = results[f"12/{scenario}"]["timed"][0]["stats"]
        assert edited["parsed"] == 1 and 1 <= edited["written"] < cold["written"], scenario
