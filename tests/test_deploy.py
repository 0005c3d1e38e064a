"""The GitHub Pages workflow: it publishes output/ with its dot-folder, and its schedule check reads
the deployed .sitegen/next-build.json correctly (run here against a local HTTP server)."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from sitetools import REPO

WORKFLOW = REPO / ".github/workflows/deploy.yml"


def steps() -> list[dict]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["build"]["steps"]


def test_workflow_builds_with_the_pages_address_and_uploads_output_with_dot_folders():
    by_action = {s.get("uses", "").split("@")[0]: s for s in steps()}
    upload = by_action["actions/upload-pages-artifact"]
    # v4 of the upload action drops dot-folders, and with them .sitegen/next-build.json.
    assert upload["uses"].endswith("@v3") and upload["with"]["path"] == "output"
    build = next(s for s in steps() if s.get("name") == "Build")
    assert 'sitegen build --base-url "$BASE_URL"' in build["run"]
    assert build["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}/"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", tmp_path
    finally:
        httpd.shutdown()
        httpd.server_close()


def is_due(event: str, url: str, tmp_path: Path) -> str:
    script = next(s for s in steps() if s.get("id") == "due")["run"]
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    env = {"EVENT": event, "SCHEDULE_URL": url, "GITHUB_OUTPUT": str(output),
           "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    subprocess.run(["bash", "-e", "-c", script], env=env, check=True, capture_output=True, timeout=60)
    return output.read_text(encoding="utf-8").strip()


@pytest.mark.skipif(not shutil.which("curl") or not shutil.which("bash"), reason="needs bash and curl")
@pytest.mark.parametrize(("next_build_utc", "event", "expected"), [
    ("2020-01-01T00:00:00Z", "schedule", "due=true"),  # a scheduled article fell due
    ("2999-01-01T00:00:00Z", "schedule", "due=false"),  # not yet
    (None, "schedule", "due=false"),  # nothing scheduled
    ("missing", "schedule", "due=true"),  # never deployed: build to be safe
    ("2999-01-01T00:00:00Z", "push", "due=true"),  # a push always builds
])
def test_schedule_check_reads_next_build_json(server, tmp_path, next_build_utc, event, expected):
    base, folder = server
    if next_build_utc != "missing":
        (folder / ".sitegen").mkdir()
        (folder / ".sitegen/next-build.json").write_text(
            json.dumps({"next_build": None, "next_build_utc": next_build_utc}), encoding="utf-8")
    assert is_due(event, f"{base}/.sitegen/next-build.json", tmp_path) == expected
