"""The persistent build cache: `.sitegen-cache/` beside site.toml (git-ignored, safe to delete).

It remembers two things between builds:

- Parsed sources (a ParseCache, see parse_cache.py), keyed by the source's bytes, its path, the
  settings that parsing reads and sitegen's own code (its version, a hash of its source files and
  the versions of the libraries that shape the HTML). A cache written by another version or under
  other settings simply has no matching keys: it is ignored, never trusted. A source whose size
  and modification time are unchanged is not even read.
- What the last successful build wrote into each output folder: every file's size, modification
  time, content hash and the fingerprint of the inputs it was rendered from (publishing.py), so a
  rebuild renders only pages whose inputs changed and checks the rest with one stat each.

Entries are written only for results that are right whatever happens next (a parse result is a
function of its key), and the output record only after the output folder was written. A cache
file that cannot be read (corrupt, truncated, another format) is ignored and rebuilt.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sqlite3
import sys
from pathlib import Path
from typing import NamedTuple

from .config import SiteConfig
from .model import Article, SourceFile
from .parse_cache import Parsed

CACHE_DIR = ".sitegen-cache"
DATABASE = "parsed.sqlite3"
FORMAT = b"sitegen-cache-1"
# Settings that only the templates read (they are part of every page's fingerprint instead);
# anything else in site.toml, including sections added later, is part of every parse key.
NOT_READ_BY_PARSE = frozenset({"title", "description", "base_url", "language", "locale", "digits",
                               "theme", "paginate", "output_dir", "dates", "menu"})


class OutputRecord(NamedTuple):
    """One file in the output folder as the last successful build left it."""

    fingerprint: bytes | None  # of the page's inputs; None for static copies
    size: int
    mtime_ns: int
    digest: bytes


Outputs = dict[str, OutputRecord]


@functools.cache
def code_version() -> bytes:
    """sitegen's version, a hash of its own source files, and the libraries that shape output."""
    import babel
    import jinja2
    import markdown
    import yaml

    import sitegen

    h = hashlib.blake2b(digest_size=16)
    versions = (sitegen.__version__, sys.version_info[:2], markdown.__version__, jinja2.__version__,
                babel.__version__, yaml.__version__)
    h.update(repr(versions).encode())
    package = Path(sitegen.__file__).parent
    for path in sorted(package.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.digest()


def parse_settings(config: SiteConfig) -> bytes:
    """What a parse result depends on besides the file: code and the settings parsing reads."""
    import dataclasses

    read = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)
            if f.name not in NOT_READ_BY_PARSE}
    read["root"] = str(config.root)
    return hashlib.blake2b(code_version() + repr(sorted(read.items())).encode(), digest_size=16).digest()


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


Stamp = tuple[int, int, int]


def _stamp(path: Path) -> Stamp | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


class BuildCache:
    """The cache of one site; implements the ParseCache seam. Opened lazily, inside the build lock.

    `fresh=True` (`sitegen build --no-cache`) starts from nothing: the old cache is not read, and
    the build leaves a new one behind.
    """

    def __init__(self, root: Path, fresh: bool = False):
        self.folder = root / CACHE_DIR
        self.fresh = fresh
        self.hits = 0
        self.misses = 0
        self._db: sqlite3.Connection | None = None
        self._opened = False
        self._index: dict[str, tuple[Stamp, bytes]] = {}
        self._seen: dict[str, Stamp | None] = {}
        self._keys: dict[str, bytes] = {}
        self._settings: tuple[SiteConfig, bytes] | None = None
        self._stored = 0

    # -- the ParseCache seam -------------------------------------------------------------------

    def lookup(self, source: SourceFile, config: SiteConfig) -> Parsed | None:
        db = self._database()
        stamp = self._seen[source.rel_path] = _stamp(source.path)
        if db is None or stamp is None:
            return self._miss()
        known = self._index.get(source.rel_path)
        if known is None:  # a new path: keys include the path, so nothing can match
            return self._miss()
        if known[0] == stamp:
            digest = known[1]
        else:  # touched, or checked out again: the bytes decide
            try:
                digest = _digest(source.path.read_bytes())
            except OSError:
                return self._miss()
        key = self._key(config, source, digest)
        parsed = self._load(db, key)
        if parsed is None:
            return self._miss()
        self._keys[source.rel_path] = key
        if known != (stamp, digest):
            self._remember_source(db, source.rel_path, stamp, digest)
        self.hits += 1
        return parsed

    def store(self, source: SourceFile, config: SiteConfig, data: bytes, parsed: Parsed) -> None:
        db = self._database()
        digest = _digest(data)
        key = self._key(config, source, digest)
        self._keys[source.rel_path] = key
        if db is None:
            return
        try:
            db.execute("INSERT OR REPLACE INTO parsed (key, value) VALUES (?, ?)",
                       (key, pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)))
        except (sqlite3.Error, pickle.PicklingError, TypeError, AttributeError):
            self._give_up()
            return
        stamp = self._seen.pop(source.rel_path, None)
        if stamp is not None:  # the stamp seen before reading: a file changed meanwhile is re-read
            self._remember_source(db, source.rel_path, stamp, digest)
        self._stored += 1

    # -- for page fingerprints -----------------------------------------------------------------

    def article_key(self, article: Article) -> bytes | None:
        """The parse key the Article came from: it determines every field of the Article."""
        return self._keys.get(article.source.rel_path)

    # -- the output record ---------------------------------------------------------------------

    def previous_outputs(self, output_dir: Path) -> Outputs | None:
        if self.fresh:
            return None
        try:
            with open(self._outputs_file(output_dir), "rb") as stream:
                saved = pickle.load(stream)
            if saved["format"] != FORMAT or saved["output"] != str(output_dir) \
                    or saved["folder"] != _identity(output_dir):
                return None
            return {path: OutputRecord(*record) for path, record in saved["records"].items()}
        except Exception:  # missing, truncated, corrupt, another format: build without it
            return None

    def record_outputs(self, output_dir: Path, records: Outputs) -> None:
        self.folder.mkdir(exist_ok=True)
        target = self._outputs_file(output_dir)
        temporary = target.with_name(target.name + f".{os.getpid()}.tmp")
        data = {"format": FORMAT, "output": str(output_dir), "folder": _identity(output_dir),
                "records": {path: tuple(record) for path, record in records.items()}}
        temporary.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, target)

    def forget_outputs(self, output_dir: Path) -> None:
        forget_outputs(self.folder.parent, output_dir)

    def _outputs_file(self, output_dir: Path) -> Path:
        return self.folder / f"outputs-{_digest(str(output_dir).encode()).hex()[:16]}.pickle"

    # -- housekeeping --------------------------------------------------------------------------

    def close(self) -> None:
        """Commit what was stored and drop entries no source uses any more."""
        db, self._db = self._db, None
        if db is None:
            return
        try:
            if self._stored or len(self._keys) != len(self._index):
                self._collect_garbage(db)
            db.commit()
        except sqlite3.Error:
            pass
        finally:
            db.close()

    def _collect_garbage(self, db: sqlite3.Connection) -> None:
        db.execute("CREATE TEMP TABLE used (key BLOB PRIMARY KEY)")
        db.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((k,) for k in self._keys.values()))
        db.execute("DELETE FROM parsed WHERE key NOT IN (SELECT key FROM used)")
        db.execute("DROP TABLE used")
        gone = [(path,) for path in self._index if path not in self._seen and path not in self._keys]
        db.executemany("DELETE FROM sources WHERE rel_path = ?", gone)

    def _database(self) -> sqlite3.Connection | None:
        if not self._opened:
            self._opened = True
            self._db = self._connect()
        return self._db

    def _connect(self) -> sqlite3.Connection | None:
        path = self.folder / DATABASE
        if self.fresh and path.exists():
            path.unlink()
        try:
            self.folder.mkdir(exist_ok=True)
            return self._prepare(sqlite3.connect(path, isolation_level="DEFERRED"))
        except (sqlite3.Error, OSError):
            pass
        try:  # unreadable: start again from an empty file
            path.unlink(missing_ok=True)
            return self._prepare(sqlite3.connect(path, isolation_level="DEFERRED"))
        except (sqlite3.Error, OSError):
            return None

    def _prepare(self, db: sqlite3.Connection) -> sqlite3.Connection:
        try:
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB)")
            db.execute("CREATE TABLE IF NOT EXISTS parsed (key BLOB PRIMARY KEY, value BLOB)")
            db.execute("CREATE TABLE IF NOT EXISTS sources (rel_path TEXT PRIMARY KEY, inode INTEGER, "
                       "mtime_ns INTEGER, size INTEGER, digest BLOB)")
            row = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
            if row is None:
                db.execute("DELETE FROM parsed")
                db.execute("DELETE FROM sources")
                db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
            elif row[0] != FORMAT:
                raise sqlite3.DatabaseError("another cache format")
            self._index = {path: ((inode, mtime, size), digest) for path, inode, mtime, size, digest
                           in db.execute("SELECT rel_path, inode, mtime_ns, size, digest FROM sources")}
            return db
        except sqlite3.Error:
            db.close()
            raise

    def _load(self, db: sqlite3.Connection, key: bytes) -> Parsed | None:
        try:
            row = db.execute("SELECT value FROM parsed WHERE key = ?", (key,)).fetchone()
            parsed = pickle.loads(row[0]) if row else None
        except sqlite3.Error:
            self._give_up()
            return None
        except Exception:  # a damaged entry: parse the file again
            return None
        return parsed if isinstance(parsed, Parsed) else None

    def _remember_source(self, db: sqlite3.Connection, rel_path: str, stamp: Stamp, digest: bytes) -> None:
        try:
            db.execute("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?)", (rel_path, *stamp, digest))
        except sqlite3.Error:
            self._give_up()

    def _key(self, config: SiteConfig, source: SourceFile, digest: bytes) -> bytes:
        if self._settings is None or self._settings[0] is not config:
            self._settings = (config, parse_settings(config))
        h = hashlib.blake2b(self._settings[1], digest_size=16)
        h.update(f"{source.kind}\0{source.rel_path}\0".encode("utf-8", "surrogatepass"))
        h.update(digest)
        return h.digest()

    def _give_up(self) -> None:
        """The database failed mid-build: carry on without it (and without its half-written state)."""
        db, self._db = self._db, None
        if db is not None:
            try:
                db.rollback()
                db.close()
            except sqlite3.Error:
                pass

    def _miss(self) -> None:
        self.misses += 1
        return None


def _identity(output_dir: Path) -> tuple[int, int]:
    """Every write swaps in a new output folder (shadow.py), so its inode says which build made it:
    a build killed between the swap and saving the record leaves a record of another folder."""
    info = output_dir.stat()
    return info.st_dev, info.st_ino


def forget_outputs(root: Path, output_dir: Path) -> None:
    """A build that wrote without the cache makes the output record stale: delete it."""
    folder = root / CACHE_DIR
    if folder.is_dir():
        (folder / f"outputs-{_digest(str(output_dir).encode()).hex()[:16]}.pickle").unlink(missing_ok=True)
