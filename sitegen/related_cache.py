"""The related-news ranking kept between builds: `.sitegen-cache/related.npz`.

Ranking reads every article's words, tags, section and date, so it is computed for the whole site
at once. Yet many rebuilds leave all of that as it was: a template or setting changed, an
article's figures, links, images or formatting corrected, a front matter field other than the
ones ranking reads edited. So the ranking is stored with a digest of exactly what it was computed
from — sitegen's code, the `[related]` settings, and every article in order with its path, slug,
date, eligibility, tag and section keys and text features — and used again only when that digest
is the same. Anything else (another version, other settings, a damaged file) is ignored and the
ranking computed again; deleting the file only costs time.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .cache_format import code_version
from .config import RelatedConfig
from .model import Article
from .textsim import Features

FILE_NAME = "related.npz"


class RankingRows(NamedTuple):
    """Every article's ranked candidates: rows first[d]..first[d + 1] - 1 are article d's."""

    first: list[int]
    others: list[int]
    # Per row: total, tags, category, tokens, stems, time. An array, made into Python floats only
    # for the rows a block shows (about half of them).
    scores: np.ndarray


def ranking_digest(config: RelatedConfig, articles: Sequence[Article], eligible: np.ndarray,
                   micros: np.ndarray, features: Sequence[Features],
                   tag_keys: Sequence[frozenset[str]], category_keys: Sequence[frozenset[str]]) -> bytes:
    """What a ranking is a function of: per article (in order) its path, slug, eligibility, date
    (as the instant, `micros`), tag and section keys and text features (by their digests, which
    the build cache keeps: the features themselves are not even read)."""
    h = hashlib.blake2b(code_version() + repr(config).encode(), digest_size=16)
    # A few large updates rather than several per article. marshal's version 2 writes values
    # only (no references between equal objects, which later versions add): the same fields,
    # the same bytes; a third of the time of repr().
    fields = [(article.path, article.slug, sorted(tags), sorted(category))
              for article, tags, category in zip(articles, tag_keys, category_keys, strict=True)]
    h.update(marshal.dumps(fields, 2))
    h.update(eligible.astype(np.bool_).tobytes() + micros.astype(np.int64).tobytes())
    h.update(b"".join([found.digest for found in features]))
    return h.digest()


class RankingStore:
    """Where one site's ranking is kept. `read=False` (`--no-cache`) only writes."""

    def __init__(self, folder: Path, read: bool = True):
        self.path = folder / FILE_NAME
        self.read = read

    def load(self, digest: bytes) -> RankingRows | None:
        if not self.read:
            return None
        try:
            with np.load(self.path, allow_pickle=False) as stored:
                if stored["digest"].tobytes() != digest:
                    return None
                return RankingRows(stored["first"].tolist(), stored["others"].tolist(), stored["scores"])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            return None  # missing, damaged or of another layout: ranked again

    def save(self, digest: bytes, ranking: RankingRows) -> None:
        temporary = self.path.with_name(f".{FILE_NAME}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as file:
                np.savez(file, digest=np.frombuffer(digest, dtype=np.uint8),
                         first=np.array(ranking.first, dtype=np.int64),
                         others=np.array(ranking.others, dtype=np.int64),
                         scores=ranking.scores)
            os.replace(temporary, self.path)
        except OSError:
            temporary.unlink(missing_ok=True)  # a cache that cannot be written is no cache
