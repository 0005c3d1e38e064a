"""What the last successful build wrote into an output folder, kept in `.sitegen-cache/`.

For every output file: its size, modification time, content hash and the fingerprint of the inputs
it was rendered from (publishing.py); and for the build as a whole, the digest of all its inputs
and until when it stays valid (freshness.py). Written only after the output folder was updated; a
record that cannot be read is ignored, and a build that writes without the cache deletes it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from .page_deps import SiteSnapshot

FORMAT = b"sitegen-outputs-3"  # 3: the articles each page took in, the site snapshot


class OutputRecord(NamedTuple):
    """One file in the output folder as the last successful build left it."""

    fingerprint: bytes | None  # of the page's inputs; None for static copies
    size: int
    mtime_ns: int
    digest: bytes
    # Positions (in the build's SiteSnapshot) of the articles the fingerprint took in; None: not
    # known which (page_deps.py), or a static copy.
    articles: tuple[int, ...] | None = None


Outputs = dict[str, OutputRecord]


class MergedTerm(NamedTuple):
    """A tag, section or author written in several ways, as the build report lists it."""

    kind: str
    name: str
    spellings: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class BuildState:
    """The last successful build as a whole."""

    inputs: bytes  # freshness.inputs_digest
    valid_until: datetime | None  # its earliest scheduled article, if any
    time_sensitive: bool  # something used the current time: never skip a build
    summary: dict[str, Any]  # counts and warnings, to report again when nothing changed


def record_file(cache_folder: Path, output_dir: Path) -> Path:
    name = hashlib.blake2b(str(output_dir).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return cache_folder / f"outputs-{name}.pickle"


@dataclass(frozen=True)
class Recorded:
    """The record of one output folder."""

    state: BuildState | None = None
    outputs: Outputs | None = None
    snapshot: SiteSnapshot | None = None


def load(cache_folder: Path, output_dir: Path) -> Recorded:
    try:
        with open(record_file(cache_folder, output_dir), "rb") as stream:
            saved = pickle.load(stream)
        if saved["format"] != FORMAT or saved["output"] != str(output_dir) \
                or saved["folder"] != _identity(output_dir):
            return Recorded()
        outputs = {path: OutputRecord(*record) for path, record in saved["records"].items()}
        state, snapshot = saved["state"], saved["snapshot"]
        return Recorded(state if isinstance(state, BuildState) else None, outputs,
                        snapshot if isinstance(snapshot, SiteSnapshot) else None)
    except Exception:  # missing, truncated, corrupt, another format: build without it
        return Recorded()


def save(cache_folder: Path, output_dir: Path, outputs: Outputs, state: BuildState | None,
         snapshot: SiteSnapshot | None = None) -> None:
    cache_folder.mkdir(exist_ok=True)
    target = record_file(cache_folder, output_dir)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    data = {"format": FORMAT, "output": str(output_dir), "folder": _identity(output_dir), "state": state,
            "snapshot": snapshot, "records": {path: tuple(record) for path, record in outputs.items()}}
    temporary.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(temporary, target)


def _identity(output_dir: Path) -> tuple[int, int]:
    """Every write swaps in a new output folder (shadow.py), so its inode says which build made it:
    a build killed between the swap and saving the record leaves a record of another folder."""
    info = output_dir.stat()
    return info.st_dev, info.st_ino


def forget(cache_folder: Path, output_dir: Path) -> None:
    """A build that wrote without the cache makes the record stale."""
    if cache_folder.is_dir():
        record_file(cache_folder, output_dir).unlink(missing_ok=True)
