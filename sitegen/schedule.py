"""Scheduled publishing on static hosting: when must the site be rebuilt next?

Future-dated articles are left out of a build (site.assemble). A static host cannot publish them
by itself, so every build writes `.sitegen/next-build.json` into the output, naming the moment the
earliest of them falls due (or null). A cron job or CI schedule reads it and rebuilds then; the
deploy workflow in .github/workflows/deploy.yml does exactly that.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

from .dates import iso
from .indexes import Indexes
from .rendering import PageJob
from .site import Site

NEXT_BUILD_FILE = ".sitegen/next-build.json"


def next_build(site: Site) -> dict[str, str | None]:
    due = site.next_scheduled
    return {
        "next_build": iso(due) if due else None,
        # The same moment in UTC with a Z: shell scripts can compare it with `date -u +%FT%TZ`.
        "next_build_utc": due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if due else None,
    }


def schedule_job(site: Site, indexes: Indexes) -> Iterator[PageJob]:
    yield PageJob(NEXT_BUILD_FILE, "data.json", {"data": next_build(site)}, "next-build schedule")
