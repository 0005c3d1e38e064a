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
import pickle
import sys
from pathlib import Path

from .config import SiteConfig
from .model import PACKED_FIELDS, Article, SourceFile, packed_field
from .parse_cache import Parsed

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


def _pack_article(article: Article) -> tuple:
    """An Article whose long HTML fields are stored as UTF-8 bytes, decoded only when read, and
    without its SourceFile: `loads` puts back the caller's own (rebuilding its Path on every load
    is slow)."""
    state = article.__dict__
    values = tuple(state[name] for name in _PLAIN_FIELDS)
    packed = {name: state[name].encode("utf-8", "surrogatepass") if name in state
              else packed_field(article, name) for name in PACKED_FIELDS}
    return _unpack_article, (values, packed)


def _unpack_article(values: tuple, packed: dict[str, bytes]) -> Article:
    article = Article.__new__(Article)
    found = article.__dict__
    found["source"] = None  # loads sets it
    found.update(zip(_PLAIN_FIELDS, values, strict=True))
    found["_packed"] = packed
    return article


class _Pickler(pickle.Pickler):
    # reducer_override is asked only about objects other than str, bytes, numbers, dict, list,
    # tuple...: a dozen per parse result. A persistent_id would be called for every object (a
    # hundred), and a dispatch_table is looked up for every other type too, each miss a KeyError
    # raised and caught inside pickle: either made writing a parse result a third slower.
    def reducer_override(self, obj: object) -> object:
        return _pack_article(obj) if type(obj) is Article else NotImplemented  # type: ignore[arg-type]


def dumps(parsed: Parsed) -> bytes:
    stream = io.BytesIO()
    _Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(parsed)
    return stream.getvalue()


def loads(data: bytes, source: SourceFile) -> Parsed:
    parsed = pickle.loads(data)
    if parsed.article is not None:
        parsed.article.__dict__["source"] = source  # frozen, but set here as it was made
    return parsed
