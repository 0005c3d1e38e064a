"""How a parse result is written for the workers' replies and the build cache (cache_format.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sitegen import cache_format
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
    assert back.article == dataclasses.replace(article, source=reader) and back.features == ("f", b"x")
    assert list(back.article.__dict__)[:3] == ["source", "title", "slug"]
    assert back.article.params == {"source": "وكالة"} and back.article.pins == (Pin("b", 3),)


def test_a_result_without_an_article_reads_back():
    source = SourceFile(Path("/s/content/pages/p.md"), "content/pages/p.md", "page")
    problem = error("content/pages/p.md", "front matter: missing required key 'title'", 1, 1)
    back = cache_format.loads(cache_format.dumps(Parsed(None, (problem,))), source)
    assert back == Parsed(None, (problem,))
