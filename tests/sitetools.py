"""Test helpers: a tiny site written from a dict of files, built in-process or by the CLI.

Import them in tests with `from sitetools import ...` (pytest puts tests/ on sys.path)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from bs4 import BeautifulSoup

from sitegen.build import BuildResult, build
from sitegen.site import BuildOptions

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def benchmark_module(name: str) -> ModuleType:
    """benchmarks/<name>.py, imported as module `name` (the benchmarks are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


SITE_TOML = """\
title = "موقع الاختبار"
base_url = "https://example.org/"
timezone = "Asia/Riyadh"
"""


def article(title: str, date: str = "2026-11-20T10:00:00+03:00", body: str = "نص الخبر.",
            **fields: str) -> str:
    """Markdown source of an article; extra front-matter lines come from `fields` (YAML values)."""
    lines = [f'title: "{title}"', f"date: {date}"] + [f"{key}: {value}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + textwrap.dedent(body).strip() + "\n"


def write_site(root: Path, files: dict[str, str | bytes], config: str = SITE_TOML) -> Path:
    """Write `files` (site-relative path → text or bytes) plus site.toml into `root`."""
    root.mkdir(parents=True, exist_ok=True)
    all_files: dict[str, str | bytes] = {"site.toml": config, **files}
    for rel, data in all_files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def build_site(root: Path, drafts: bool = False, future: bool = False, **overrides) -> BuildResult:
    return build(root, BuildOptions(drafts=drafts, future=future), overrides or None, NOW)


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m sitegen ...` as a user would, capturing output."""
    return subprocess.run([sys.executable, "-m", "sitegen", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=120,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and mtime (ns): equal snapshots mean nothing was touched."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}
