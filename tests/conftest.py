"""Fixtures shared by the tests; the helper functions live in sitetools.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sitetools import SITE_TOML, write_site


@pytest.fixture
def site_factory(tmp_path: Path) -> Callable[..., Path]:
    """Write a site from {path: text} into tmp_path/site (or tmp_path/<name>) and return its root."""

    def make(files: dict[str, str | bytes], config: str = SITE_TOML, name: str = "site") -> Path:
        return write_site(tmp_path / name, files, config)

    return make
