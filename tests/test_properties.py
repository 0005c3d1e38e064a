"""Property and fuzz tests (issue 8) beyond test_slugs.py / test_arabic.py: an article's URL is
always a safe, non-empty path, normalisation is stable across processes, and no front matter or
file content, however odd, crashes parsing: it loads, or it yields diagnostics inside the file."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import unicodedata
from pathlib import Path, PurePosixPath

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.arabic import HARAKAT, matching_key
from sitegen.config import SiteConfig
from sitegen.markup import MarkdownRenderer
from sitegen.metadata import KNOWN_KEYS, Metadata
from sitegen.model import SourceFile
from sitegen.parsing import choose_slug, parse_source
from sitegen.urls import output_file, permalink

from sitetools import REPO

TRICKY = list("أإآٱاىيةؤئءـًٌٍَُِّْٰ\u200b\u200c\u200d\u202b\u202e\u2066\u061c\ufeff٠١٩۰۹ \t«»،؛؟!./\\\x00-_~:."
              "😀\u0301\r\n\x07\x1b")
TEXT = st.text(alphabet=st.one_of(st.sampled_from(TRICKY), st.characters()), max_size=40)
CONFIG = SiteConfig(title="موقع", base_url="https://example.org/")
RENDERER = MarkdownRenderer()
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def source(stem: str = "x") -> SourceFile:
    rel = f"content/articles/{stem}.md"
    return SourceFile(path=Path(rel), rel_path=rel, kind="article")


@FUZZ
@given(title=TEXT, stem=TEXT, explicit=st.one_of(st.none(), TEXT))
def test_article_url_is_a_safe_nonempty_path(title, stem, explicit):
    stem = unicodedata.normalize("NFC", stem.replace("/", "").replace("\x00", "")) or "x"
    slug = choose_slug(source(stem), Metadata(title=title or "x", slug=explicit))
    assert slug and unicodedata.is_normalized("NFC", slug)
    assert not {"/", "\\", "\x00"} & set(slug) and ".." not in slug
    url = permalink("/articles/{slug}/", slug, None)
    parts = PurePosixPath(output_file(url)).parts
    assert parts[0] == "articles" and ".." not in parts and "" not in parts and len(parts) == 3


@FUZZ
@given(TEXT)
def test_matching_key_is_nfc_without_marks_and_stable(text):
    key = matching_key(text)
    assert unicodedata.is_normalized("NFC", key)
    assert not set(key) & HARAKAT
    assert matching_key(key) == key


def test_slugs_and_keys_are_the_same_in_every_process():
    """No hash-seeded iteration anywhere: another process, another PYTHONHASHSEED, same results."""
    rng = random.Random(8)
    samples = ["".join(rng.choice(TRICKY + list("خبرعاجلغزةالاقتصاد ")) for _ in range(rng.randint(0, 30)))
               for _ in range(300)]
    script = ("import json, sys\nfrom sitegen.slugs import slugify, stable_id\n"
              "from sitegen.arabic import matching_key, tokenize\n"
              "samples = json.load(sys.stdin)\n"
              "print(json.dumps([[slugify(s), stable_id(s), matching_key(s), tokenize(s)] for s in samples]))\n")
    results = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        done = subprocess.run([sys.executable, "-c", script], input=json.dumps(samples), env=env,
                              capture_output=True, text=True, check=True, timeout=120)
        results.append(json.loads(done.stdout))
    assert results[0] == results[1]


def check_parse(data: bytes, stem: str = "x") -> None:
    """parse_source must return an Article, or diagnostics that point inside this file."""
    article, problems = parse_source(source(stem), data, CONFIG, RENDERER)
    # A lone CR ends a line too (old Mac files; editors show it so): read_text turns it into \n.
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
    if article is None:
        assert problems
    for problem in problems:
        assert problem.path == f"content/articles/{stem}.md"
        assert problem.line is None or 1 <= problem.line <= lines, (problem.format(), lines)
        assert problem.message and "\n" not in problem.format()


YAML_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXT,
    st.dates(min_value=dt.date(1, 1, 1)), st.datetimes(timezones=st.sampled_from([None, dt.UTC])),
    st.binary(max_size=8))
YAML_VALUES = st.recursive(YAML_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(TEXT, st.integers()), inner, max_size=4)),
    max_leaves=12)
KEYS = st.one_of(st.sampled_from(sorted(KNOWN_KEYS | {"params"})), TEXT)


@FUZZ
@given(st.dictionaries(KEYS, YAML_VALUES, max_size=8), TEXT)
def test_any_yaml_values_load_or_give_diagnostics(front, body):
    text = yaml.safe_dump(front, allow_unicode=True) if front else ""
    check_parse(f"---\n{text}---\n{body}\n".encode("utf-8", "surrogatepass"))


YAML_SYNTAX = list(":-?[]{},&*!|>'\"%@`#\\ \t\n") + ["---", "...", "!!str", "!!binary", "<<", "&a", "*a",
                                                      "title:", "date:", "tags:", "\n  - ", "\ufeff"]


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(YAML_SYNTAX), TEXT), max_size=30))
def test_any_front_matter_text_loads_or_gives_diagnostics(pieces):
    check_parse(("---\n" + "".join(pieces) + "\n---\nنص.\n").encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.binary(max_size=200), st.sampled_from([b"", b"---\n", b"\xef\xbb\xbf---\r\ntitle: x\r\n"]))
def test_any_bytes_load_or_give_diagnostics(data, prefix):
    check_parse(prefix + data)


NAMES = st.lists(st.sampled_from(["a", ".", "خ", "md", " ", ".md"]), min_size=1, max_size=6).map("".join)


@given(st.lists(NAMES.filter(lambda name: name not in (".", "..")), min_size=1, max_size=3).map("/".join))
def test_a_file_stem_is_what_pathlib_says(rel_path):
    """As discovery gives them: names joined by single slashes, none of them '.' or '..'."""
    from pathlib import PurePosixPath

    from sitegen.parsing import file_stem

    assert file_stem(rel_path) == PurePosixPath(rel_path).stem
