"""The related-news ranking kept between builds: `.sitegen-cache/related.ranking`.

Ranking reads every article's words, tags, section and date, so it is computed for the whole site
at once. Yet many rebuilds leave all of that as it was: a template or setting changed, an
article's figures, links, images or formatting corrected, a front matter field other than the
ones ranking reads edited. So the ranking is stored with a digest of exactly what it was computed
from — sitegen's code, the `[related]` settings, and every article in order with its path, slug,
date, eligibility, tag and section keys and text features — and used again only when that digest
is the same. When only words changed, the text vectors are weighed again and the ranking still
used if they came out the same (a second digest, of the frame and the vectors). When they
changed, the text vectors the ranking was made from (`related.vectors`, beside it) tell which
articles the change can reach: only those are ranked again (related.Relater._ranked_again). And
the features those vectors were weighed from (`related.numbering`: every article's features by
number) let the next build number only the articles whose features it has not seen
(text_index.Numbering) and weigh again only the vectors that can have changed
(text_index.updated_vectors).
Anything else (another version, other settings, other articles, a damaged file) is ignored and
the ranking computed again; deleting the files only costs time.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import pickle
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from .cache_format import code_version, write_cache_file
from .config import RelatedConfig
from .lazy_numpy import np
from .model import Article
from .text_index import Numbering, Vectors
from .textsim import Features

FILE_NAME = "related.ranking"
VECTORS_FILE = "related.vectors"  # the text vectors the stored ranking was made from
# 2: with what the vectors were weighed from (the numbering's documents, the stem weight)
VECTORS_FORMAT = b"sitegen-vectors-2"
NUMBERING_FILE = "related.numbering"  # the features the stored vectors were weighed from, by number
NUMBERING_FORMAT = b"sitegen-numbering-1"
DIGEST_SIZE = 16  # of textsim.Features.digest
# 2: arrays of the standard library (no numpy to read them back); 3: kept under two digests
FORMAT = b"sitegen-ranking-3"
SCORES_PER_ROW = 6  # total, tags, category, tokens, stems, time


class RankingRows(NamedTuple):
    """Every article's ranked candidates: rows first[d]..first[d + 1] - 1 are article d's."""

    first: list[int]
    others: list[int]
    # SCORES_PER_ROW floats per row, one row after another. An array, made into Python floats
    # only for the rows a block shows (about half of them).
    scores: array


def ranking_frame(config: RelatedConfig, articles: Sequence[Article], eligible: Sequence[bool],
                  micros: Sequence[int], tag_keys: Sequence[frozenset[str]],
                  category_keys: Sequence[frozenset[str]]) -> bytes:
    """What a ranking is a function of besides the articles' words: sitegen's code, `[related]`,
    and per article (in order) its path, slug, eligibility, date (as the instant, `micros`), tag
    and section keys."""
    h = hashlib.blake2b(code_version() + repr(config).encode(), digest_size=16)
    # A few large updates rather than several per article. marshal's version 2 writes values
    # only (no references between equal objects, which later versions add): the same fields,
    # the same bytes; a third of the time of repr().
    fields = [(article.path, article.slug, sorted(tags), sorted(category))
              for article, tags, category in zip(articles, tag_keys, category_keys, strict=True)]
    h.update(marshal.dumps(fields, 2))
    h.update(bytes(eligible) + array("q", micros).tobytes())
    return h.digest()


def ranking_digest(frame: bytes, features: Sequence[Features]) -> bytes:
    """The frame and every article's text features (by their digests, which the build cache
    keeps: the features themselves are not even read)."""
    return hashlib.blake2b(frame + b"features" + b"".join([found.digest for found in features]),
                           digest_size=16).digest()


def vectors_digest(frame: bytes, vectors: bytes) -> bytes:
    """The frame and the text index made of the features (`Vectors.digest`): what ranking reads
    of them. Different features can make the same index (a new word no other article has, or
    one too common to be among an article's strongest), and then the same ranking."""
    return hashlib.blake2b(frame + b"vectors" + vectors, digest_size=16).digest()


class RankingStore:
    """Where one site's ranking is kept. `read=False` (`--no-cache`) only writes."""

    def __init__(self, folder: Path, read: bool = True):
        self.path = folder / FILE_NAME
        self.vectors_path = folder / VECTORS_FILE
        self.numbering_path = folder / NUMBERING_FILE
        self.read = read

    def load(self, digest: bytes) -> RankingRows | None:
        """The stored ranking if `digest` is one of those it was stored under."""
        stored = self._stored
        return stored[1] if stored is not None and digest in stored[0] else None

    @functools.cached_property
    def _stored(self) -> tuple[tuple[bytes, ...], RankingRows] | None:
        """The stored digests and rows, read once: a rebuild whose words changed asks under two
        digests, and then for the rows the stored vectors were made with."""
        parts = _kept(self.path, FORMAT) if self.read else None
        if parts is None:
            return None
        try:
            digests, first, others, scores = parts
            return tuple(digests), RankingRows(first.tolist(), others.tolist(), scores)
        except Exception:  # damaged or of another layout: ranked again
            return None

    def save(self, digests: tuple[bytes, ...], ranking: RankingRows,
             made_from: tuple[bytes, Vectors, Numbering, float] | None = None) -> None:
        """Keep `ranking` under `digests`, and what it was `made_from`: the frame, the vectors,
        the numbering of the features they were weighed from and the stem weight."""
        _keep(self.path, FORMAT, digests, array("q", ranking.first), array("q", ranking.others),
              ranking.scores)
        self.__dict__.pop("_stored", None)  # read again if asked
        if made_from is None:
            return
        frame, vectors, numbering, stem_weight = made_from
        # The numbering first: vectors are only used beside the numbering of their documents.
        self._save_numbering(numbering)
        _keep(self.vectors_path, VECTORS_FORMAT, frame, _weighing(numbering, stem_weight), len(vectors.names),
              b"\n".join(vectors.names), vectors.count.tobytes(), vectors.feature.tobytes(),
              vectors.weight.tobytes())
        self.__dict__.pop("_vectors", None)

    def numbering(self) -> Numbering | None:
        """The feature numbers of the articles the stored vectors were weighed from, if kept by
        this version of sitegen."""
        return self._numbering

    @functools.cached_property
    def _numbering(self) -> Numbering | None:
        parts = _kept(self.numbering_path, NUMBERING_FORMAT) if self.read else None
        if parts is None:
            return None
        try:
            version, size, names, digests, counts, feature = parts
            if version != code_version():
                return None
            numbering = Numbering(_names(names, size), _digests(digests),
                                  np.frombuffer(counts, dtype=np.int64),
                                  np.frombuffer(feature, dtype=np.int32).astype(np.int64))
        except Exception:  # damaged or of another layout: numbered again
            return None
        return numbering if _consistent(numbering) else None

    def _save_numbering(self, numbering: Numbering) -> None:
        """Keep `numbering` (if its documents' digests are known) for the next build's vectors."""
        if numbering.digests is None:
            return
        self.__dict__.pop("_numbering", None)
        kept = numbering.compacted()
        _keep(self.numbering_path, NUMBERING_FORMAT, code_version(), len(kept.names), b"\n".join(kept.names),
              b"".join(kept.digests or ()), kept.size.astype(np.int64).tobytes(),
              kept.feature.astype(np.int32).tobytes())

    def previous(self, frame: bytes) -> tuple[RankingRows, Vectors] | None:
        """The stored ranking and the vectors it was made from, if it was made for this `frame`
        (the same articles, in the same order, with the same tags, sections and dates): the
        vectors' digest must be one the ranking was stored under, so a ranking and vectors from
        different builds (one file written, the build killed before the other) never pair up."""
        stored = self._vectors
        if stored is None or stored[0] != frame:
            return None
        rows = self.load(vectors_digest(frame, stored[2].digest))
        return (rows, stored[2]) if rows is not None else None

    def weighed(self, stem_weight: float) -> tuple[Vectors, Numbering] | None:
        """The stored vectors and the numbering of the features they were weighed from, if they
        were weighed from that numbering's documents with `stem_weight` by this code."""
        stored, numbering = self._vectors, self.numbering()
        if stored is None or numbering is None or stored[1] != _weighing(numbering, stem_weight):
            return None
        return stored[2], numbering

    @functools.cached_property
    def _vectors(self) -> tuple[bytes, bytes, Vectors] | None:
        """The stored frame, weighing key (_weighing) and vectors."""
        parts = _kept(self.vectors_path, VECTORS_FORMAT) if self.read else None
        if parts is None:
            return None
        try:
            frame, weighing, size, names, count, feature, weight = parts
            return frame, weighing, Vectors(_names(names, size), np.frombuffer(count, dtype=np.int64),
                                            np.frombuffer(feature, dtype=np.int64),
                                            np.frombuffer(weight, dtype=np.float64))
        except Exception:  # damaged or of another layout: weighed and ranked again
            return None


def _weighing(numbering: Numbering, stem_weight: float) -> bytes:
    """What vectors are weighed from besides the features: this code, the stem weight, and which
    documents (by their features' digests, in order)."""
    return hashlib.blake2b(code_version() + repr(stem_weight).encode() + b"".join(numbering.digests or ()),
                           digest_size=16).digest()


def _keep(path: Path, kind: bytes, *parts: object) -> None:
    write_cache_file(path, pickle.dumps((kind, *parts), protocol=pickle.HIGHEST_PROTOCOL))


def _kept(path: Path, kind: bytes) -> tuple | None:
    """The parts `_keep` wrote at `path` after `kind`; None if missing, unreadable or of another kind."""
    try:
        with open(path, "rb") as stream:
            found, *parts = pickle.load(stream)
    except Exception:
        return None
    return tuple(parts) if found == kind else None


def _names(joined: bytes, count: int) -> list[bytes]:
    """Feature names kept one per line (whitespace never occurs in one)."""
    return joined.split(b"\n") if count else []


def _digests(joined: bytes) -> tuple[bytes, ...]:
    return tuple(joined[i:i + DIGEST_SIZE] for i in range(0, len(joined), DIGEST_SIZE))


def _consistent(numbering: Numbering) -> bool:
    """Every document has its digest and its features, and every number a name."""
    feature, names = numbering.feature, len(numbering.names)
    return (len(numbering.digests or ()) == len(numbering.size) and int(numbering.size.sum()) == len(feature)
            and (len(feature) == 0 or 0 <= int(feature.min()) <= int(feature.max()) < names))
