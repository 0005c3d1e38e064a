"""How a parse result is written for the workers' replies and the build cache (cache_format.py)."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sitegen import cache_format, textsim
from sitegen.diagnostics import error
from sitegen.model import Article, Pin, Ref, SourceFile
from sitegen.parse_cache import Parsed


def test_a_parse_result_reads_back_with_the_callers_source_and_fields_in_order():
    written = SourceFile(Path("/old/content/articles/a.md"), "content/articles/a.md", "article")
    article = Article(written, "عنوان", "a", "/articles/a/", None, None, "<p>نص</p>", "<p>نص</p>", "نص",
                      "", 1, tags=("وسم",), pins=(Pin("b", 3),), refs=(Ref("b.md", 9, "link"),),
                      params={"source": "وكالة"}, key_lines={"title": 2})
    data = cache_format.dumps(Parsed(article, (), ("f", b"x")))
    assert b"/old/" not in data  # the source is not stored: the reader's own is put back
    reader = SourceFile(Path("/new/content/articles/a.md"), "content/articles/a.md", "article")
    back = cache_format.loads(data, reader)
    assert back.article.source is reader
    assert back.article == dataclasses.replace(article, source=reader) and tuple(back.features) == ("f", b"x")
    assert list(back.article.__dict__)[:3] == ["source", "title", "slug"]
    assert back.article.params == {"source": "وكالة"} and back.article.pins == (Pin("b", 3),)


def test_a_result_without_an_article_reads_back():
    source = SourceFile(Path("/s/content/pages/p.md"), "content/pages/p.md", "page")
    problem = error("content/pages/p.md", "front matter: missing required key 'title'", 1, 1)
    back = cache_format.loads(cache_format.dumps(Parsed(None, (problem,))), source)
    assert back == Parsed(None, (problem,))


@pytest.mark.parametrize("date", [
    datetime(2026, 3, 29, 2, 30, tzinfo=ZoneInfo("Asia/Beirut")),
    datetime(2025, 10, 26, 0, 30, fold=1, tzinfo=ZoneInfo("Asia/Beirut")),  # the second 00:30
    datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=3))),
    datetime(2024, 1, 1, tzinfo=UTC),
    datetime(2024, 1, 1, 12, 0),
])
def test_dates_read_back_as_pickling_them_would(date):
    """Dates are written without their time zone object (made once per process instead)."""
    source = SourceFile(Path("/s/content/articles/a.md"), "content/articles/a.md", "article")
    article = Article(source, "ع", "a", "/articles/a/", date, date + timedelta(days=1), "", "", "", "", 0)
    back = cache_format.loads(cache_format.dumps(Parsed(article)), source).article
    for found in (back.date, back.updated):
        expected = pickle.loads(pickle.dumps(found))
        assert (found, found.fold, found.tzinfo, found.utcoffset(), found.isoformat()) == (
            expected, expected.fold, expected.tzinfo, expected.utcoffset(), expected.isoformat())
        assert type(found) is datetime
    assert (back.date, back.updated) == (date, date + timedelta(days=1))


def test_features_read_back_in_place_with_the_digest_of_what_was_written():
    source = SourceFile(Path("/s/content/articles/a.md"), "content/articles/a.md", "article")
    article = Article(source, "ع", "a", "/articles/a/", None, None, "<p>جسم</p>", "", "", "<ul></ul>", 0)
    packed = textsim.pack(textsim.features("أعلنت الحكومة اليوم عن خطة جديدة للحكومة في عمّان"))
    back = cache_format.loads(cache_format.dumps(Parsed(article, (), packed)), source)
    names, counts = back.features
    assert (names, counts) == packed and back.features == textsim.Features.of(packed)
    assert back.features.digest == textsim.Features.of(packed).digest
    assert back.features.digest != textsim.Features.of((packed[0], packed[1][:-4])).digest
    assert (back.article.body_html, back.article.toc_html) == ("<p>جسم</p>", "<ul></ul>")
    # Written again from what was read: the same bytes.
    assert cache_format.dumps(back) == cache_format.dumps(Parsed(article, (), packed))
