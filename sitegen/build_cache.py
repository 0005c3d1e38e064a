"""The persistent build cache: `.sitegen-cache/` beside site.toml (git-ignored, safe to delete).

It remembers two things between builds:

- Parsed sources (a ParseCache, see parse_cache.py), keyed by the source's bytes, its path, the
  settings that parsing reads and sitegen's own code (its version, a hash of its source files and
  the versions of the libraries that shape the HTML). A cache written by another version or under
  other settings simply has no matching keys: it is ignored, never trusted. A source whose size
  and modification time are unchanged is not even read.
- What the last successful build wrote into each output folder (build_record.py), so a rebuild
  renders only pages whose inputs changed and checks the rest with one stat each.

Entries are written only for results that are right whatever happens next (a parse result is a
function of its key), and the output record only after the output folder was written. A cache
file that cannot be read (corrupt, truncated, another format) is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from pathlib import Path

from . import build_record
from .build_record import BuildState, Outputs, Recorded
from .cache_format import dumps, loads, parse_settings
from .config import SiteConfig
from .hashing import content_hash
from .model import Article, SourceFile
from .page_deps import SiteSnapshot
from .parse_cache import Parsed

CACHE_DIR = ".sitegen-cache"
DATABASE = "parsed.sqlite3"
FORMAT = b"sitegen-cache-3"  # 2: 64 KiB pages; 3: entries of cache_format's header, pickle and text


Stamp = tuple[int, int, int]
_NOT_TAKEN = object()


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
        self._seen: dict[str, Stamp | None] = {}  # stamps of sources looked up, until stored
        self._looked_up = False  # this build parsed: every source in use was looked up
        self._stamps: dict[str, Stamp | None] = {}  # taken by source_digests, for lookup
        self._keys: dict[str, bytes] = {}
        self._known: dict[str, bytes] = {}  # content hashes of the sources this build read or knew
        self._values: dict[bytes, bytes] | None = None  # every stored entry, fetched at once
        self._bulk = False
        self._settings: tuple[SiteConfig, bytes] | None = None
        self._stored = 0
        self._rows = 0  # entries in the database when it was opened
        self._previous: dict[Path, Recorded] = {}

    # -- the ParseCache seam -------------------------------------------------------------------

    def lookup(self, source: SourceFile, config: SiteConfig) -> Parsed | None:
        db = self._database()
        # The stamp the up-to-date check took moments ago, if it did (the file is still read
        # after it, so it is a stamp seen before reading all the same): one stat per source.
        stamp = self._stamps.pop(source.rel_path, _NOT_TAKEN)
        if stamp is _NOT_TAKEN:
            stamp = _stamp(source.path)
        self._seen[source.rel_path] = stamp
        self._looked_up = True
        if db is None or stamp is None:
            return self._miss()
        known = self._index.get(source.rel_path)
        if known is None:  # a new path: keys include the path, so nothing can match
            return self._miss()
        if known[0] == stamp:
            digest = known[1]
        else:  # touched, or checked out again: the bytes decide
            try:
                digest = content_hash(source.path.read_bytes())
            except OSError:
                return self._miss()
        key = self._key(config, source, digest)
        parsed = self._load(db, key, source)
        if parsed is None:
            return self._miss()
        self._keys[source.rel_path] = key
        self._known[source.rel_path] = digest
        if known != (stamp, digest):
            self._remember_source(db, source.rel_path, stamp, digest)
        self.hits += 1
        return parsed

    def store(self, source: SourceFile, config: SiteConfig, digest: bytes, parsed: Parsed,
              encoded: bytes | None = None) -> None:
        db = self._database()
        key = self._key(config, source, digest)
        self._keys[source.rel_path] = key
        self._known[source.rel_path] = digest
        if db is None:
            return
        try:
            value = encoded or dumps(parsed)
            db.execute("INSERT OR REPLACE INTO parsed (key, value) VALUES (?, ?)", (key, value))
        except (sqlite3.Error, pickle.PicklingError, TypeError, AttributeError):
            self._give_up()
            return
        stamp = self._seen.pop(source.rel_path, None)
        if stamp is not None:  # the stamp seen before reading: a file changed meanwhile is re-read
            self._remember_source(db, source.rel_path, stamp, digest)
        self._stored += 1

    def templates_folder(self) -> Path | None:
        """Where compiled templates are kept (themes.create_environment); None with --no-cache."""
        folder = self.folder / "templates"
        if self.fresh:
            return None
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return folder

    # -- for page fingerprints -----------------------------------------------------------------

    def article_key(self, article: Article) -> bytes | None:
        """The parse key the Article came from: it determines every field of the Article."""
        return self._keys.get(article.source.rel_path)

    # -- the output record ---------------------------------------------------------------------

    def recorded(self, output_dir: Path) -> Recorded:
        if self.fresh:
            return Recorded()
        # Read once per build (the up-to-date check, then publishing): 18,000 records at 10k articles.
        found = self._previous.get(output_dir)
        if found is None:
            found = self._previous[output_dir] = build_record.load(self.folder, output_dir)
        return found

    def record(self, output_dir: Path, outputs: Outputs, state: BuildState | None,
               snapshot: SiteSnapshot | None = None) -> None:
        self._previous.pop(output_dir, None)
        build_record.save(self.folder, output_dir, outputs, state, snapshot)

    def source_digests(self, sources: list[SourceFile]) -> list[bytes | None]:
        """Each source's content hash: as seen by this build, else from the index when its size and
        modification time match, else read now."""
        self._database()
        digests: list[bytes | None] = []
        for source in sources:
            known = self._known.get(source.rel_path)
            if known is None:
                stamp, indexed = _stamp(source.path), self._index.get(source.rel_path)
                self._stamps[source.rel_path] = stamp
                if indexed is not None and indexed[0] == stamp:
                    known = indexed[1]
                else:
                    try:
                        known = content_hash(source.path.read_bytes())
                    except OSError:
                        known = None
            digests.append(known)
        return digests

    # -- housekeeping --------------------------------------------------------------------------

    def close(self) -> None:
        """Commit what was stored and drop entries no source uses any more."""
        db, self._db, self._values = self._db, None, None
        self._stamps.clear()
        if db is None:
            return
        try:
            # Only after a parse (it knows every source in use; `_seen` alone would miss one that
            # parsed every source again, as after an upgrade), and only once entries no source
            # uses any more are worth a sweep: an edit leaves just one behind.
            unused = self._rows + self._stored - len(self._keys)
            if self._looked_up and unused > max(64, len(self._keys) // 10):
                self._collect_garbage(db)
                db.commit()
                self._shrink(db)
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

    @staticmethod
    def _shrink(db: sqlite3.Connection) -> None:
        """Give the space of swept entries back when it is over a third of the file.

        SQLite keeps deleted pages for later inserts, so after a sitegen upgrade (every entry
        parsed again, the old ones swept) the file would stay twice its size for good. VACUUM
        rewrites the file (2 s at 10,000 articles, 150 MB), after a build that parsed
        everything anyway.
        """
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        if free * 3 > db.execute("PRAGMA page_count").fetchone()[0]:
            db.execute("VACUUM")

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
            # 64 KiB pages: a parsed article (~14 KB) fits in one page instead of a chain of
            # four, which made reading them all back (every rebuild) six times dearer. Takes
            # effect when the file is new (FORMAT changed with it, so older files are replaced).
            db.execute("PRAGMA page_size = 65536")
            # No fsync: this is a cache. A crash can at worst leave a damaged file, which is
            # noticed and replaced like any unreadable cache; syncing cost ~0.4 s per cold build.
            db.execute("PRAGMA synchronous = OFF")
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
            self._rows = db.execute("SELECT count(*) FROM parsed").fetchone()[0]
            self._index = {path: ((inode, mtime, size), digest) for path, inode, mtime, size, digest
                           in db.execute("SELECT rel_path, inode, mtime_ns, size, digest FROM sources")}
            return db
        except sqlite3.Error:
            db.close()
            raise

    def _load(self, db: sqlite3.Connection, key: bytes, source: SourceFile) -> Parsed | None:
        try:
            if self._values is None:
                # One query for all entries is far faster than one per source, but only worth it
                # (and their memory) when they are this build's: the first lookup decides.
                first = db.execute("SELECT value FROM parsed WHERE key = ?", (key,)).fetchone()
                self._values = dict(db.execute("SELECT key, value FROM parsed")) if first else {}
                self._bulk = bool(first)
            if self._bulk:
                value = self._values.pop(key, None)
            else:
                row = db.execute("SELECT value FROM parsed WHERE key = ?", (key,)).fetchone()
                value = row[0] if row else None
            parsed = loads(value, source) if value is not None else None
        except sqlite3.Error:
            self._give_up()
            return None
        except Exception:  # a damaged entry: parse the file again
            return None
        return parsed if isinstance(parsed, Parsed) else None

    def cached_article(self, key: bytes, now: Article) -> Article | None:
        """The article that `now`'s source gave under parse key `key` (an earlier version of it),
        if the cache still has that entry; it is not counted as this build's."""
        db = self._database()
        parsed = self._load(db, key, now.source) if db is not None else None
        return parsed.article if parsed is not None else None

    def _remember_source(self, db: sqlite3.Connection, rel_path: str, stamp: Stamp, digest: bytes) -> None:
        try:
            db.execute("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?)", (rel_path, *stamp, digest))
        except sqlite3.Error:
            self._give_up()

    def _key(self, config: SiteConfig, source: SourceFile, digest: bytes) -> bytes:
        if self._settings is None or self._settings[0] is not config:
            self._settings = (config, parse_settings(config))
        # One call: the same digest as feeding blake2b the three parts one after the other.
        named = f"{source.kind}\0{source.rel_path}\0".encode("utf-8", "surrogatepass")
        return hashlib.blake2b(self._settings[1] + named + digest, digest_size=16).digest()

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


def forget_outputs(root: Path, output_dir: Path) -> None:
    """A build that wrote without the cache makes the output record stale: delete it."""
    build_record.forget(root / CACHE_DIR, output_dir)
