"""Fingerprints of what a page is made from, so a rebuild can skip pages whose inputs are unchanged.

A page's bytes are a function of its template files, the site configuration, sitegen's own code
(all in the build-wide `base`) and the parts of its context that its templates can read:

- An Article counts by the key of the source it was parsed from, which determines its every field
  (build_cache.py): editing an article changes exactly the pages that carry it. Which articles a
  page took in is recorded too, so that a rebuild after edits of article texts can tell which
  pages to fingerprint again (page_deps.py).
- The templates (with everything they extend, include or import) are read once per build
  (template_reads): only context variables they name, and only the attributes they name of other
  objects (a tag page reads a Term's name and count, not the content of its 1,000 articles), count.
  A property they read counts by its value. A template that calls a function or filter we do not
  know, or includes a template by a computed name, makes whole objects count.
- Strings, numbers, dates, sequences, mappings and dataclasses count by content; anything else
  makes the page unfingerprintable, and it is always rendered: a new kind of context value costs
  speed, never correctness.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import pickle
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path, PurePath
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.defaults import DEFAULT_FILTERS, DEFAULT_NAMESPACE, DEFAULT_TESTS

from .cache_format import code_version, write_cache_file
from .config import SiteConfig
from .hashing import content_hash
from .model import Article
from .rendering import Deferred, PageJob

ArticleKey = Callable[[Article], bytes | None]

# Template functions and filters known to use only the values passed to them: Jinja's own and
# the ones template_api.install adds. Anything else might read any attribute of what it is given.
PURE_CALLABLES = (frozenset(DEFAULT_FILTERS) | frozenset(DEFAULT_TESTS) | frozenset(DEFAULT_NAMESPACE)
                  | {"url", "abs_url", "t", "date", "hijri", "iso", "digits", "number", "bdi"})


class Unfingerprintable(Exception):
    """A context value the hasher cannot vouch for."""


@dataclass(frozen=True)
class Reads:
    """What a template (with its parents, includes and imports) can read from a page context."""

    names: frozenset[str] | None  # top-level variables; None: any
    attributes: frozenset[str]  # attribute (and constant string) names used anywhere
    opaque: bool  # calls something unknown: every field of every object counts


def template_reads(env: jinja2.Environment, name: str, files: dict[str, FileReads] | None = None) -> Reads:
    """What template `name` reads, with every template it extends, includes or imports.

    `files` keeps what each template file reads by itself, so a file that many templates pull
    in (base.html, partials) is parsed once per build, not once per template using it.
    """
    files = {} if files is None else files
    result, pending, visited = Reads(frozenset(), frozenset(), False), [name], set()
    while pending:
        current = pending.pop()
        if current in visited:  # a loop adds nothing new
            continue
        visited.add(current)
        found = files.get(current)
        if found is None:
            found = files[current] = file_reads(env, current)
        result = _union(result, found.reads)
        pending += found.pulls_in
    return result


@dataclass(frozen=True)
class FileReads:
    """What one template file reads by itself, and the templates it pulls in by name."""

    reads: Reads
    pulls_in: tuple[str, ...]


def file_reads(env: jinja2.Environment, name: str) -> FileReads:
    try:
        source, _filename, _uptodate = env.loader.get_source(env, name)  # type: ignore[union-attr]
        found = _analyse(env, source)
    except Exception:  # missing or broken: reported when the page renders
        return FileReads(Reads(None, frozenset(), True), ())
    attributes = set(found.attributes)
    opaque = False
    for function in found.called:
        declared = _declared_reads(env, function)
        opaque = opaque or declared is None
        attributes |= declared or set()
    result = Reads(found.names, frozenset(attributes), opaque)
    if None in found.targets:  # a template name computed at render time: it could be anything
        result = Reads(None, result.attributes, True)
    return FileReads(result, tuple(t for t in found.targets if t is not None))


@dataclass(frozen=True)
class _Analysis:
    """What one template's own source uses (before following its parents and includes)."""

    names: frozenset[str]
    attributes: frozenset[str]
    called: frozenset[str]  # filters, tests and functions it calls, other than pure ones and its macros
    targets: tuple[str | None, ...]  # templates it extends, includes or imports (None: computed)


_analysed: dict[tuple, _Analysis] = {}
_unsaved = [False]  # analyses made since the last save_analyses
_ANALYSES_FORMAT = 1


def load_analyses(path: Path) -> bool:
    """Take in the template analyses kept by an earlier build (`save_analyses`): parsing every
    template again took a tenth of a second of each rebuild. Keyed by source text, so an edited
    template is analysed again. False when there were none (anything unreadable is ignored)."""
    try:
        with open(path, "rb") as stream:
            version, found = pickle.load(stream)
    except Exception:  # missing, damaged, of another format
        return False
    if version != (_ANALYSES_FORMAT, code_version()) or not isinstance(found, dict):
        return False
    for key, analysis in found.items():
        _analysed.setdefault(key, analysis)
    return True


def save_analyses(path: Path, missing: bool) -> None:
    """Keep the analyses for the next build, if this build made any or the file was `missing`."""
    if not (_unsaved[0] or missing):
        return
    _unsaved[0] = False
    write_cache_file(path, pickle.dumps(((_ANALYSES_FORMAT, code_version()), _analysed)))


def _analyse(env: jinja2.Environment, source: str) -> _Analysis:
    # Parsing costs more than a small site's whole rebuild in the dev server, where every rebuild
    # has a new environment: remembered by source text (and the syntax settings that parse it).
    key = (source, env.block_start_string, env.variable_start_string, env.comment_start_string,
           env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks)
    found = _analysed.get(key)
    if found is None:
        if len(_analysed) > 512:
            _analysed.clear()
        found = _analysed[key] = _analyse_tree(env.parse(source))
        _unsaved[0] = True
    return found


def _analyse_tree(tree: nodes.Template) -> _Analysis:
    names = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
    attributes = {n.attr for n in tree.find_all(nodes.Getattr)}
    for const in tree.find_all(nodes.Const):  # getitem keys, map(attribute="x.y"), sort(...)
        if isinstance(const.value, str):
            attributes.update(part for part in const.value.split(".") if part.isidentifier())
    called = {n.name for n in tree.find_all((nodes.Filter, nodes.Test))}
    called |= {n.node.name for n in tree.find_all(nodes.Call) if isinstance(n.node, nodes.Name)}
    targets = tuple(node.template.value if isinstance(node.template, nodes.Const)
                    and isinstance(node.template.value, str) else None
                    for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)))
    return _Analysis(frozenset(names), frozenset(attributes),
                     frozenset(called - PURE_CALLABLES - names_set_locally(tree)), targets)


def reads(*attributes: str) -> Callable[[Any], Any]:
    """Declare which attributes a template global or filter reads of the objects passed to it,
    so pages calling it are fingerprinted by those only (else by whole objects)::

        env.globals["byline"] = reads("name", "url")(lambda authors: ...)
    """
    def declare(function: Any) -> Any:
        function.__template_reads__ = frozenset(attributes)
        return function

    return declare


def _declared_reads(env: jinja2.Environment, name: str) -> frozenset[str] | None:
    for table in (env.globals, env.filters, env.tests):
        if name in table:
            return getattr(table[name], "__template_reads__", None)
    return None


def names_set_locally(tree: nodes.Template) -> set[str]:
    """Macros defined in the template itself (their bodies are analysed with the template)."""
    return {n.name for n in tree.find_all(nodes.Macro)}


def _union(a: Reads, b: Reads) -> Reads:
    names = None if a.names is None or b.names is None else a.names | b.names
    return Reads(names, a.attributes | b.attributes, a.opaque or b.opaque)


_SCALARS = (bool, int, float, type(None), date, datetime, time, timedelta, range, PurePath, enum.Enum)
_SCALAR_TYPES = frozenset({bool, int, float, type(None), datetime, date})


class Memo(dict[int, bytes]):
    """id(object) -> digest, for one Reads. An object whose digest took in articles is kept in
    `with_articles` instead (id -> digest and the articles' paths), so that every page using it
    records those articles among its dependencies, not only the first."""

    __slots__ = ("with_articles",)

    def __init__(self) -> None:
        super().__init__()
        self.with_articles: dict[int, tuple[bytes, tuple[str | None, ...]]] = {}


# Recorded in place of an article path: the page used a value computed from something unknown
# (a deferred value that does not say which articles' bodies it reads).
UNTRACKED = None
SMALL = 16  # sequences up to this long are digested in place, not memoised
Digester = Callable[[Any, Reads, Memo], bytes]


class Fingerprinter:
    """Hashes page contexts; objects are hashed once per build (memoised by identity).

    Tens of thousands of pages are fingerprinted in every build, so the per-value work is kept
    small: how to digest a type is decided once per type (`_digester`), what counts of a
    dataclass once per type and template (`_plan`).
    """

    def __init__(self, base: bytes, article_key: ArticleKey, config: SiteConfig,
                 env: jinja2.Environment | None = None):
        self.base = base
        self.article_key = article_key
        self.config = config
        self.env = env
        self._reads: dict[str, Reads] = {}
        self._files: dict[str, FileReads] = {}
        self._memo: dict[int, Memo] = {}  # id(reads) -> id(object) -> digest
        self._alive: list[Any] = []  # keeps memoised objects alive, so their ids stay theirs
        self._plans: dict[tuple[type, int], tuple[bytes, tuple[tuple[str, bytes], ...]]] = {}
        self._digesters: dict[type, Digester] = {}
        self._articles: dict[int, bytes] = {}  # id(article) -> digest, under any Reads
        self._shared: dict[type, bool] = {}  # types digested once per object (_small_sequence)
        # The paths of the articles the current page's digest took in (UNTRACKED for a value made
        # from unknown sources): what an edit of one of them can change (page_deps.py).
        self._seen: list[str | None] = []
        self.last_articles: frozenset[str] | None = None

    def job_and_articles(self, job: PageJob) -> tuple[bytes | None, frozenset[str] | None]:
        """The job's fingerprint, and the paths of the articles it counts (None: not known which)."""
        fingerprint = self.job(job)
        return fingerprint, self.last_articles

    def job(self, job: PageJob) -> bytes | None:
        """The job's fingerprint, or None when its context holds something unknown."""
        reads = self._template_reads(job.template)
        names, memo, digest = reads.names, self._memo_of(reads), self._digest
        parts = [b"\x01" + self.base, _text(job.output), _text(job.template)]
        # An article page depends on its own article whatever its templates read: its related
        # news, tag links and title come from it (page_deps.py counts a new block as an edit).
        own = job.context.get("article")
        seen = self._seen = [own.path] if isinstance(own, Article) else []
        self.last_articles = None
        try:
            for key, value in job.context.items():
                if names is None or key in names:
                    parts.append(_SHORT_TEXTS.get(key) or _text(key))
                    parts.append(digest(value, reads, memo))
        except (Unfingerprintable, RecursionError):
            return None
        if UNTRACKED not in seen:
            self.last_articles = frozenset(seen)  # type: ignore[arg-type]
        return _hash(parts)

    def digest(self, value: Any, reads: Reads | None = None) -> bytes:
        """Any value's digest; raises Unfingerprintable for values it cannot vouch for.

        Every digest is self-delimiting (a tag byte, then a length or a fixed size), so a list
        of them can be joined and hashed at once.
        """
        reads = reads or _EVERYTHING
        return self._digest(value, reads, self._memo_of(reads))

    def _memo_of(self, reads: Reads) -> Memo:
        memo = self._memo.get(id(reads))
        if memo is None:
            memo = self._memo[id(reads)] = Memo()
        return memo

    def _digest(self, value: Any, reads: Reads, memo: Memo) -> bytes:
        kind = type(value)
        if kind is str:
            return _text(value)
        if kind in _SCALAR_TYPES:
            return _scalar(value)
        found = memo.get(id(value))
        if found is not None:
            return found
        with_articles = memo.with_articles.get(id(value))
        if with_articles is not None:
            self._seen += with_articles[1]
            return with_articles[0]
        digester = self._digesters.get(kind)
        if digester is None:
            digester = self._digesters[kind] = self._digester(kind)
        return digester(value, reads, memo)

    def _digester(self, kind: type) -> Digester:
        """How values of `kind` are digested (decided once per type)."""
        if issubclass(kind, str):  # Markup renders differently from str: the type counts
            return lambda value, reads, memo: _text(value)
        if issubclass(kind, _SCALARS):
            return lambda value, reads, memo: _scalar(value)
        if kind is Deferred:
            return self._deferred
        if issubclass(kind, Article):
            return self._article
        if issubclass(kind, Mapping):
            return self._memoised(self._mapping_parts)
        if issubclass(kind, list | tuple):
            memoised, small = self._memoised(self._sequence_parts), self._small_sequence
            return lambda value, reads, memo: small(value, reads, memo) or memoised(value, reads, memo)
        if issubclass(kind, set | frozenset):
            return self._memoised(self._set_parts)
        if dataclasses.is_dataclass(kind):  # an instance: `kind` is its type
            fields = self._memoised(self._fields)
            if kind is type(self.config):
                return lambda value, reads, memo: (b"\x04config" if value is self.config
                                                   else fields(value, reads, memo))
            return fields
        return _unknown

    def _memoised(self, parts: Callable[[Any, Reads, Memo], list[bytes]]) -> Digester:
        def digest(value: Any, reads: Reads, memo: Memo) -> bytes:
            start = len(self._seen)
            found = b"\x01" + _hash(parts(value, reads, memo))
            if len(self._seen) > start:  # (only the current page's list ever grows meanwhile)
                memo.with_articles[id(value)] = (found, tuple(self._seen[start:]))
            else:
                memo[id(value)] = found
            self._alive.append(value)
            return found

        return digest

    def _deferred(self, value: Deferred, reads: Reads, memo: Memo) -> bytes:
        if value.inputs is not None:  # counts by what it is made from
            return b"\x08" + self.digest(value.inputs)
        if value.reads_bodies_of is None:
            self._seen.append(UNTRACKED)
        else:
            self._seen += [article.path for article in value.reads_bodies_of]
        try:  # counts by its value, computed now (and kept for rendering)
            made = value.value
        except Exception as exc:  # reported when the page is rendered
            raise Unfingerprintable(repr(value)) from exc
        return self._digest(made, reads, memo)

    def _article(self, value: Article, reads: Reads, memo: Memo) -> bytes:
        # Counted whole, whatever the templates read, so one digest serves every page and template.
        found = self._articles.get(id(value))
        if found is None:
            article_key = self.article_key(value)
            if article_key is not None:  # it determines every field
                found = b"\x05%d:%s" % (len(article_key), article_key)
            else:
                found = b"\x01" + _hash(self._fields(value, _EVERYTHING, self._memo_of(_EVERYTHING)))
            self._articles[id(value)] = found
            self._alive.append(value)
        # Not put in `memo`: every page that counts an article must see it here, to record it.
        self._seen.append(value.path)
        return found

    def _small_sequence(self, value: list | tuple, reads: Reads, memo: Memo) -> bytes | None:
        """A few articles or records (a page's related stories, a listing page's ten articles, a
        tag list): mostly made for one page, so their digests are joined as they are instead of
        hashed and remembered. None for anything else (by type, so the same list always gets the
        same digest): a tuple of texts shared by many pages is worth remembering."""
        if len(value) > SMALL:
            return None
        shared = self._shared
        for item in value:
            kind = type(item)
            by_object = shared.get(kind)
            if by_object is None:
                by_object = shared[kind] = issubclass(kind, Article) or (
                    dataclasses.is_dataclass(kind) and kind is not type(self.config))
            if not by_object:
                return None
        digest, known = self._digest, memo.get
        return b"\x09%d:%s" % (len(value), b"".join([known(id(item)) or digest(item, reads, memo)
                                                      for item in value]))

    def _mapping_parts(self, value: Mapping, reads: Reads, memo: Memo) -> list[bytes]:
        digest = self._digest
        return [b"\x06{"] + [digest(part, reads, memo) for item in value.items() for part in item]

    def _sequence_parts(self, value: list | tuple, reads: Reads, memo: Memo) -> list[bytes]:
        # Items already digested (articles in listings, terms) are looked up here, without a call.
        digest, known = self._digest, memo.get
        return [b"\x06["] + [known(id(item)) or digest(item, reads, memo) for item in value]

    def _set_parts(self, value: set | frozenset, reads: Reads, memo: Memo) -> list[bytes]:
        return [b"\x06("] + sorted(self._digest(item, reads, memo) for item in value)

    def _fields(self, value: Any, reads: Reads, memo: Memo) -> list[bytes]:
        header, names = self._plan(type(value), reads)
        parts = [header]
        digest = self._digest
        for name, text in names:
            parts.append(text)
            parts.append(digest(getattr(value, name), reads, memo))
        return parts

    def _plan(self, cls: type, reads: Reads) -> tuple[bytes, tuple[tuple[str, bytes], ...]]:
        """Which attributes of `cls` count under `reads`: fields and properties the templates name,
        or every field when they may call a method or something unknown."""
        key = (cls, id(reads))
        plan = self._plans.get(key)
        if plan is None:
            fields = tuple(f.name for f in dataclasses.fields(cls))
            if reads.opaque:
                names, evaluated = fields, False
            else:
                named = sorted(n for n in reads.attributes if n in fields or hasattr(cls, n))
                methods = [n for n in named if n not in fields
                           and not isinstance(getattr(cls, n, None), property)]
                names, evaluated = (fields, False) if methods else (tuple(named), True)
            header = _text(cls.__qualname__) + (b"\x06+" if evaluated else b"\x06=")
            plan = self._plans[key] = (header, tuple((name, _text(name)) for name in names))
        return plan

    def reads_of(self, name: str) -> Reads:
        """What template `name` can read (analysed once; call before forking workers)."""
        return self._template_reads(name)

    def _template_reads(self, name: str) -> Reads:
        if self.env is None:
            return _EVERYTHING
        found = self._reads.get(name)
        if found is None:
            found = self._reads[name] = template_reads(self.env, name, self._files)
        return found


_EVERYTHING = Reads(None, frozenset(), True)


def _unknown(value: Any, reads: Reads, memo: Memo) -> bytes:
    raise Unfingerprintable(type(value).__qualname__)


def _text(value: str) -> bytes:
    found = _SHORT_TEXTS.get(value) if type(value) is str and len(value) <= 48 else None
    if found is None:
        if len(value) > 256:  # long texts (article bodies): UTF-16 encodes twice as fast as UTF-8
            data = value.encode("utf-16-le", "surrogatepass")
            found = b"\x07%s%d:%s" % (type(value).__name__.encode(), len(data), data)
        else:
            data = value.encode("utf-8", "surrogatepass")
            found = b"\x03%s%d:%s" % (type(value).__name__.encode(), len(data), data)
        if type(value) is str and len(value) <= 48 and len(_SHORT_TEXTS) < 100_000:
            _SHORT_TEXTS[value] = found  # context keys, field names, page kinds, tag names...
    return found


def _scalar(value: Any) -> bytes:
    text = repr(value).encode("utf-8")
    return b"\x02%d:%s" % (len(text), text)


_SHORT_TEXTS: dict[str, bytes] = {}


def _hash(parts: list[bytes]) -> bytes:
    return hashlib.blake2b(b"".join(parts), digest_size=16).digest()


def files_digest(paths: Iterable[Any]) -> bytes:
    """Content hash of files (templates, translation files), in the order given."""
    h = hashlib.blake2b(digest_size=16)
    for path in paths:
        h.update(str(path).encode("utf-8", "surrogatepass") + b"\0")
        try:
            h.update(content_hash(path.read_bytes()))
        except OSError:
            h.update(b"<missing>")
    return h.digest()


def stamps_digest(paths: Iterable[Any]) -> bytes:
    """Hash of files' sizes and modification times, for files too big to read on every build."""
    h = hashlib.blake2b(digest_size=16)
    for path in paths:
        try:
            info = path.stat()
            h.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode("utf-8", "surrogatepass"))
        except OSError:
            h.update(f"{path}\0<missing>\n".encode("utf-8", "surrogatepass"))
    return h.digest()


def globals_digest(globals_: Mapping[str, Any], fingerprinter: Fingerprinter) -> bytes | None:
    """Template globals that are data (not functions) take part in every page; None if unknown."""
    parts = []
    for name in sorted(globals_):
        value = globals_[name]
        if callable(value) or value is fingerprinter.config:
            continue
        try:
            parts += [_text(name), fingerprinter.digest(value)]
        except Unfingerprintable:
            return None
    return _hash(parts)
