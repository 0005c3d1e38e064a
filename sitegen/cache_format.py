"""How build-cache entries are keyed and stored (build_cache.py).

A parse result is keyed by everything it is a function of: the source's bytes and path, the
settings parsing reads, and sitegen's own code. "Code" is more than the version number: a hash of
sitegen's source files and the versions of the libraries that shape the HTML, so a cache written by
any other code (a development checkout, an upgraded Markdown) simply never matches.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import os
import pickle
import struct
import sys
from datetime import datetime, tzinfo
from pathlib import Path

from .config import SiteConfig
from .model import BODY_HAS_REFS, PACKED_FIELDS, Article, SourceFile, packed_field
from .parse_cache import Parsed
from .refs import utf8_has_refs
from .textsim import Features

# Settings that only the templates read (they are part of every page's fingerprint instead);
# anything else in site.toml, including sections added later, is part of every parse key.
NOT_READ_BY_PARSE = frozenset({"title", "description", "base_url", "language", "locale", "digits",
                               "theme", "paginate", "output_dir", "dates", "menu"})


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


def write_cache_file(path: Path, data: bytes) -> None:
    """Put `data` at `path` whole (through a temporary file and one rename), or leave it as it
    was: a cache file that cannot be written is no cache, and the build goes on without it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)


def parse_settings(config: SiteConfig) -> bytes:
    """What a parse result depends on besides the file: code and the settings parsing reads."""
    read = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)
            if f.name not in NOT_READ_BY_PARSE}
    read["root"] = str(config.root)
    return hashlib.blake2b(code_version() + repr(sorted(read.items())).encode(), digest_size=16).digest()


# The fields stored as they are, in order, as a tuple of values (not a dict: each parse result
# would write and read back the names of twenty fields). The source, the first field, is not.
_PLAIN_FIELDS = tuple(f.name for f in dataclasses.fields(Article)
                      if f.name not in PACKED_FIELDS and f.name != "source")
_MOMENTS = tuple(i for i, name in enumerate(_PLAIN_FIELDS) if name in ("date", "updated"))

# An entry: this header, a pickle of the parse result without its bulky text, then that text as
# raw bytes — the article's body and table of contents (UTF-8), and its related-news features
# (names as UTF-8, counts, and their 16-byte digest). Loading an entry unpickles only the pickle;
# the text is read in place, from the entry's bytes, when first needed (model.Article.__getattr__,
# textsim.Features): an edit rebuild loads 10,000 results, reads the bodies of a few and, when
# the related ranking is stored, the features of none. Lengths of -1: absent.
_HEADER = struct.Struct("<6i")  # pickle, body_html, toc_html, feature names, feature counts, flags
assert PACKED_FIELDS == ("body_html", "toc_html")  # in the header's order (loads spells them out)
_ABSENT = -1
# Flags: whether the body has references (refs.body_has_refs asks of every article, every build:
# answered when written, it is not searched for in 10,000 bodies again).
_BODY_HAS_REFS, _BODY_HAS_NO_REFS = 1, 2
_DIGEST = 16


def _pack_article(article: Article) -> tuple:
    """An Article without its SourceFile (`loads` puts back the caller's own: rebuilding its Path
    on every load is slow), its packed fields (written after the pickle) nor tzinfo objects."""
    state = article.__dict__
    values = tuple(state[name] for name in _PLAIN_FIELDS)
    if any(values[i] is not None for i in _MOMENTS):
        values = tuple(_moment(v) if i in _MOMENTS else v for i, v in enumerate(values))
    return _unpack_article, (values,)


def _unpack_article(values: tuple) -> Article:
    article = Article.__new__(Article)
    found = article.__dict__
    found["source"] = None  # loads sets it
    found.update(zip(_PLAIN_FIELDS, values, strict=True))
    for i in _MOMENTS:
        if type(values[i]) is tuple:
            found[_PLAIN_FIELDS[i]] = _datetime(*values[i])
    return article


def _moment(value: object) -> object:
    """A datetime as the state its own pickling writes and its time zone pickled apart: unpickling
    a time zone (a timezone and a timedelta, or a ZoneInfo) per date was a sixth of reading an
    entry, and `_datetime` makes each zone once per process."""
    if type(value) is not datetime:
        return value
    state, *zone = value.__reduce_ex__(4)[1]  # (10 bytes, tzinfo) or (10 bytes,)
    return state, pickle.dumps(zone[0], protocol=pickle.HIGHEST_PROTOCOL) if zone else None


@functools.lru_cache(maxsize=64)
def _zone(pickled: bytes) -> tzinfo:
    return pickle.loads(pickled)


def _datetime(state: bytes, zone: bytes | None) -> datetime:
    # datetime(state, tzinfo) is how unpickling makes one (the C and Python implementations).
    return datetime(state, _zone(zone)) if zone is not None else datetime(state)  # type: ignore[call-overload]


class _Pickler(pickle.Pickler):
    # reducer_override is asked only about objects other than str, bytes, numbers, dict, list,
    # tuple...: a dozen per parse result. A persistent_id would be called for every object (a
    # hundred), and a dispatch_table is looked up for every other type too, each miss a KeyError
    # raised and caught inside pickle: either made writing a parse result a third slower.
    def reducer_override(self, obj: object) -> object:
        if type(obj) is Article:
            return _pack_article(obj)  # type: ignore[arg-type]
        if type(obj) is Parsed:  # its features are written after the pickle
            return Parsed, (obj.article, obj.problems)  # type: ignore[attr-defined]
        return NotImplemented


def dumps(parsed: Parsed) -> bytes:
    stream = io.BytesIO()
    stream.write(bytes(_HEADER.size))
    _Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(parsed)
    pickled = stream.tell() - _HEADER.size
    article, lengths, flags = parsed.article, [], 0
    for name in PACKED_FIELDS:
        raw = None if article is None else packed_field(article, name)
        if raw is None and article is not None and name in article.__dict__:
            raw = article.__dict__[name].encode("utf-8", "surrogatepass")
        lengths.append(_ABSENT if raw is None else stream.write(raw))
        if name == "body_html" and raw is not None:
            flags |= _BODY_HAS_REFS if utf8_has_refs(raw) else _BODY_HAS_NO_REFS
    found = parsed.features
    if found is None:
        lengths += [_ABSENT, _ABSENT]
    else:
        found = found if isinstance(found, Features) else Features.of(found)
        names, counts = found.encoded
        lengths += [stream.write(names), stream.write(counts)]
        stream.write(found.digest)
    stream.seek(0)
    stream.write(_HEADER.pack(pickled, *lengths, flags))
    return stream.getvalue()


def loads(data: bytes, source: SourceFile) -> Parsed:
    # Spelled out field by field: this runs for every article of every rebuild.
    pickled, body, toc, names, counts, flags = _HEADER.unpack_from(data)
    at = _HEADER.size + pickled
    parsed = pickle.loads(data[_HEADER.size:at])
    body_end = at if body == _ABSENT else at + body
    toc_end = body_end if toc == _ABSENT else body_end + toc
    article = parsed.article
    if article is not None:
        found = article.__dict__
        found["source"] = source  # frozen, but set here as it was made
        packed = found["_packed"] = {}
        if body != _ABSENT:
            packed["body_html"] = (data, at, body_end)
        if toc != _ABSENT:
            packed["toc_html"] = (data, body_end, toc_end)
        if flags:
            found[BODY_HAS_REFS] = flags == _BODY_HAS_REFS
    at = toc_end
    if names != _ABSENT:
        split, end = at + names, at + names + counts
        features = Features(data, at, split, end, data[end:end + _DIGEST])
        object.__setattr__(parsed, "features", features)  # frozen, but set here as it was made
    return parsed
