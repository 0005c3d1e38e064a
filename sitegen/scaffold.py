"""`sitegen new`: start an article file with its front matter filled in.

The file is `content/articles/<date>-<slug>.md`, dated now in the site's time zone and marked
`draft: true`, so it shows up in `sitegen serve` at once but is never published by accident.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from .config import SiteConfig
from .diagnostics import ConfigError, ContentError, error
from .slugs import check_explicit_slug, slugify, stable_id

ARTICLES_DIR = "content/articles"


def new_article(config: SiteConfig, title: str, now: datetime, *, category: str | None = None,
                tags: Sequence[str] = (), slug: str | None = None) -> str:
    """Create the article file and return its path relative to the site root.

    Raises ConfigError for unusable arguments and ContentError when the file already exists:
    an existing article is never overwritten.
    """
    title = title.strip()
    if not title:
        raise ConfigError([error("", "new: the title must not be empty")])
    if slug is not None and (problem := check_explicit_slug(slug)):
        raise ConfigError([error("", f"new: --slug: {problem}")])
    local = now.astimezone(config.tz).replace(second=0, microsecond=0)
    chosen = slugify(slug if slug is not None else title) or stable_id(title)
    rel_path = f"{ARTICLES_DIR}/{local:%Y-%m-%d}-{chosen}.md"
    _create(config.root / rel_path, rel_path, front_matter(title, local, category, tags))
    return rel_path


def front_matter(title: str, date: datetime, category: str | None, tags: Sequence[str]) -> str:
    # JSON strings are valid YAML double-quoted scalars: quotes, colons and «» stay safe.
    lines = [f"title: {_quoted(title)}", f"date: {date.isoformat()}"]
    if category:
        lines.append(f"category: {_quoted(category.strip())}")
    cleaned = [tag.strip() for tag in tags if tag.strip()]
    if cleaned:
        lines.append("tags: [" + ", ".join(_quoted(tag) for tag in cleaned) + "]")
    lines.append("draft: true")
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _create(path: Path, rel_path: str, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: refuse atomically, even if another editor creates the same file at this moment.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise ContentError([error(rel_path, "already exists; not overwriting it (choose another "
                                  "--slug, or edit the existing file)")]) from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
