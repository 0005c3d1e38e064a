"""The catalogue of bad content (issue 8): each case names file, line and column, and a failed
build leaves the previous output/ byte for byte (and mtime for mtime) as it was."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from sitegen.diagnostics import BuildError, ContentError

from sitetools import article, build_site, snapshot, write_site

BAD = "content/articles/bad.md"
GOOD = {"content/articles/good.md": article("خبر سليم")}
DATE_HINT = "expected a date like 2025-10-15 or 2025-10-15T14:05:00+03:00"


def fm(*lines: str) -> str:
    """A source file whose front matter is `lines`, with a one-line body."""
    return "---\n" + "\n".join(lines) + "\n---\nنص الخبر.\n"


def failed_build_keeps_output(root: Path, files: dict[str, str | bytes]) -> list[str]:
    """Build a good site, add `files`, rebuild: return the diagnostics; output/ must be untouched."""
    build_site(root)
    before = snapshot(root / "output")
    write_site(root, files, (root / "site.toml").read_text(encoding="utf-8"))
    with pytest.raises(BuildError) as caught:
        build_site(root)
    assert isinstance(caught.value, ContentError) and caught.value.exit_code == 1
    assert snapshot(root / "output") == before
    return [d.format() for d in caught.value.diagnostics]


FRONT_MATTER_CASES = {
    "malformed YAML": (
        fm('title: "خبر"', "tags: [غزة, رفح", "date: 2026-11-01"),
        "4:5: error: front matter is not valid YAML: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence that starts on line 3)"),
    "unclosed quote": (
        fm('title: "خبر', "date: 2026-11-01"),
        "4:1: error: front matter is not valid YAML: found unexpected end of stream "
        "(while scanning a quoted scalar that starts on line 2)"),
    "a list instead of a mapping": (
        fm("- title", "- date"), "2:1: error: front matter must be a mapping of keys to values, got a list"),
    "a scalar instead of a mapping": (
        fm("خبر عاجل"),
        "2:1: error: front matter must be a mapping of keys to values, got a single value"),
    "no closing ---": (
        '---\ntitle: "خبر"\ndate: 2026-11-01\n\nنص الخبر.\n',
        "1:1: error: front matter is not closed: add a '---' line after it"),
    "no front matter": (
        "نص الخبر بلا عنوان.\n",
        "1:1: error: missing front matter: start the file with a '---' line, then 'title: ...', then '---'"),
    "missing title": (fm("date: 2026-11-01"), "1:1: error: front matter: missing required key 'title'"),
    "empty title": (
        fm('title: ""', "date: 2026-11-01"), "2:8: error: front matter 'title': must not be empty"),
    "null title": (
        fm("title:", "date: 2026-11-01"), "2:7: error: front matter 'title': expected text, got nothing"),
    "whitespace title": (
        fm('title: "   "', "date: 2026-11-01"), "2:8: error: front matter 'title': must not be empty"),
    "harakat-only title": (
        fm('title: "\u064e\u064b\u0651\u0640"', "date: 2026-11-01"),
        "2:8: error: front matter 'title': has no visible letters"),
    "list as title": (
        fm("title: [خبر, عاجل]", "date: 2026-11-01"),
        "2:8: error: front matter 'title': expected text, got a list"),
    "invalid date": (
        fm('title: "خبر"', "date: 2025-13-45"),
        f"3:7: error: front matter 'date': {DATE_HINT}, got '2025-13-45' (month must be in 1..12)"),
    "30 February": (
        fm('title: "خبر"', "date: 2026-02-30T10:00:00"),
        f"3:7: error: front matter 'date': {DATE_HINT}, got '2026-02-30T10:00:00' "
        "(day is out of range for month)"),
    "Arabic word as date": (
        fm('title: "خبر"', "date: أمس"), f"3:7: error: front matter 'date': {DATE_HINT}, got 'أمس'"),
    "Arabic month name": (
        fm('title: "خبر"', "date: 15 أكتوبر 2025"),
        f"3:7: error: front matter 'date': {DATE_HINT}, got '15 أكتوبر 2025'"),
    "year out of range": (
        fm('title: "خبر"', "date: 0225-10-15"),
        "3:7: error: front matter 'date': expected a year between 1900 and 2199, got 225"),
    "far future year overflowing time zones": (
        fm('title: "خبر"', "date: 9999-12-31T23:59:59-05:00"),
        "3:7: error: front matter 'date': expected a year between 1900 and 2199, got 9999"),
    "number as date": (
        fm('title: "خبر"', "date: 20251015"),
        f"3:7: error: front matter 'date': {DATE_HINT}, got '20251015'"),
    "updated not a date": (
        fm('title: "خبر"', "date: 2026-11-01", "updated: [2026-11-02]"),
        f"4:10: error: front matter 'updated': {DATE_HINT}, got a list"),
    "nested tag list": (
        fm('title: "خبر"', "date: 2026-11-01", "tags: [[غزة, رفح], سياسة]"),
        "4:7: error: front matter 'tags': expected a list of strings, but one item is a list"),
    "tags as mapping": (
        fm('title: "خبر"', "date: 2026-11-01", "tags: {غزة: 1}"),
        "4:7: error: front matter 'tags': expected a list of strings, got a mapping"),
    "true as a tag": (
        fm('title: "خبر"', "date: 2026-11-01", "tags: [غزة, true]"),
        "4:7: error: front matter 'tags': expected a list of strings, but one item is a true/false value"),
    "empty tag": (
        fm('title: "خبر"', "date: 2026-11-01", 'tags: [غزة, ""]'),
        "4:7: error: front matter 'tags': expected a list of strings, but one item is empty"),
    "duplicate key": (
        fm('title: "خبر"', "date: 2026-11-01", 'title: "خبر آخر"'),
        "4:1: error: front matter: duplicate key 'title' (first on line 2)"),
    "unknown key": (
        fm('title: "خبر"', "date: 2026-11-01", "autor: سارة"),
        "4:1: error: front matter: unknown key 'autor' (did you mean 'author'?)"),
    "key with a newline and a terminal escape": (
        fm('title: "خبر"', "date: 2026-11-01", '"tag\\n\\e[2J": x'),
        "4:1: error: front matter: unknown key 'tag\\n\\x1b[2J'"),
    "list as key": (
        fm('title: "خبر"', "date: 2026-11-01", "? [a, b]", ": c"),
        "4:3: error: front matter: a key must be a plain name like 'title', not a list or a mapping"),
    "python object tag": (
        fm('title: !!python/object/apply:os.system ["true"]', "date: 2026-11-01"),
        "2:8: error: front matter 'title': YAML could not read this value: could not determine a "
        "constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
    "binary value": (
        fm("title: !!binary 2LPZhNin2YU=", "date: 2026-11-01"),
        "2:8: error: front matter 'title': expected text, got binary data"),
    "control character": (
        fm('title: "خبر\x07"', "date: 2026-11-01"),
        "2:12: error: front matter contains the invisible control character U+0007; delete it "
        "(it often comes from copying text out of a word processor)"),
    "slug with /": (
        fm('title: "خبر"', "date: 2026-11-01", "slug: news/x"),
        "4:7: error: front matter 'slug': slug must not contain '/'"),
    "slug with ..": (
        fm('title: "خبر"', "date: 2026-11-01", "slug: .."),
        "4:7: error: front matter 'slug': slug must not contain '..'"),
    "slug with ../ traversal": (
        fm('title: "خبر"', "date: 2026-11-01", "slug: ../../etc"),
        "4:7: error: front matter 'slug': slug must not contain '/'"),
    "slug with backslash": (
        fm('title: "خبر"', "date: 2026-11-01", "slug: '..\\x'"),
        "4:7: error: front matter 'slug': slug must not contain a backslash"),
    "slug with NUL": (
        fm('title: "خبر"', "date: 2026-11-01", 'slug: "a\\0b"'),
        "4:7: error: front matter 'slug': slug must not contain a NUL byte"),
    "absolute slug": (
        fm('title: "خبر"', "date: 2026-11-01", "slug: /etc/passwd"),
        "4:7: error: front matter 'slug': slug must not be an absolute path"),
    "Windows absolute slug": (
        fm('title: "خبر"', "date: 2026-11-01", "slug: 'C:\\x'"),
        "4:7: error: front matter 'slug': slug must not be an absolute path"),
    "slug normalising to nothing": (
        fm('title: "خبر"', "date: 2026-11-01", 'slug: "\u064e\u0640 !؟"'),
        "4:7: error: front matter 'slug': slug is empty after normalisation"),
    "alias outside the site": (
        fm('title: "خبر"', "date: 2026-11-01", "aliases: [/../../etc/x]"),
        "4:10: error: front matter 'aliases': expected URL paths starting with '/', got '/../../etc/x'"),
    "alias with a newline": (
        fm('title: "خبر"', "date: 2026-11-01", 'aliases: ["/old/\\nx/"]'),
        "4:10: error: front matter 'aliases': expected URL paths starting with '/', got '/old/\\nx/'"),
    "javascript: image": (
        fm('title: "خبر"', "date: 2026-11-01", "image: javascript:alert(1)", "image_alt: صورة"),
        "4:8: error: front matter 'image': expected a path like /images/x.jpg or an https:// URL, got "
        "'javascript:alert(1)'"),
    "Windows path as image": (
        fm('title: "خبر"', "date: 2026-11-01", "image: 'C:\\صور\\a.jpg'", "image_alt: صورة"),
        "4:8: error: front matter 'image': expected a path like /images/x.jpg or an https:// URL, got "
        "'C:\\صور\\a.jpg'"),
    "template path traversal": (
        fm('title: "خبر"', "date: 2026-11-01", "template: ../../site.toml.html"),
        "4:11: error: front matter 'template': expected a template file name like 'article-wide.html', "
        "got '../../site.toml.html'"),
}


@pytest.mark.parametrize("source,expected", FRONT_MATTER_CASES.values(), ids=FRONT_MATTER_CASES.keys())
def test_bad_front_matter_is_reported_exactly_and_output_is_kept(site_factory, source, expected):
    root = site_factory(GOOD)
    assert failed_build_keeps_output(root, {BAD: source}) == [f"{BAD}:{expected}"]


EMPTY = "the file is empty: an article needs front matter with a title"
BAD_FILE_CASES = {
    "empty file": (b"", f":1:1: error: {EMPTY}"),
    "only blank lines": (b"\n \n\n", f":1:1: error: {EMPTY}"),
    "Latin-1 text": (
        '---\ntitle: "café"\n'.encode("latin-1"),
        ":2:12: error: not valid UTF-8: byte 0xe9 cannot be decoded (save the file as UTF-8; older "
        "Arabic files are often Windows-1256)"),
    "Windows-1256 Arabic": (
        '---\ntitle: "خبر"\n'.encode("cp1256"),
        ":2:9: error: not valid UTF-8: byte 0xce cannot be decoded (save the file as UTF-8; older "
        "Arabic files are often Windows-1256)"),
    "UTF-16 text": (
        fm('title: "خبر"', "date: 2026-11-01").encode("utf-16"),
        ":1:1: error: the file is saved as UTF-16; save it as UTF-8 instead"),
    "binary file named .md": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        ": error: this is a binary file, not UTF-8 Markdown text (images and other files belong in "
        "content/static/)"),
}


@pytest.mark.parametrize("data,expected", BAD_FILE_CASES.values(), ids=BAD_FILE_CASES.keys())
def test_unreadable_files_are_reported_and_output_is_kept(site_factory, data, expected):
    root = site_factory(GOOD)
    assert failed_build_keeps_output(root, {BAD: data}) == [BAD + expected]


@pytest.mark.parametrize("name", ["photo.jpg", "خبر.markdown", "خبر.md.txt"])
def test_non_markdown_file_among_articles_is_not_silently_skipped(site_factory, name):
    root = site_factory(GOOD)
    data = b"\xff\xd8\xff\xe0\x00\x10JFIF" if name.endswith(".jpg") else fm('title: "خبر"').encode()
    assert failed_build_keeps_output(root, {f"content/articles/{name}": data}) == [
        f"content/articles/{name}: error: not a Markdown file: only .md files are published from "
        "content/articles/ (rename it to .md, or move images and other files to content/static/)"]


def test_editor_litter_is_ignored(site_factory):
    root = site_factory({**GOOD, "content/articles/good.md~": "backup", "content/articles/Thumbs.db": b"\0",
                         "content/articles/.good.md.swp": b"\0", "content/pages/desktop.ini": "[x]"})
    assert [a.slug for a in build_site(root).site.articles] == ["good"]


def test_two_files_with_one_url(site_factory):
    root = site_factory(GOOD)
    files = {"content/articles/x.md": article("أ"), "content/articles/2026-11-01-x.md": article("ب")}
    assert failed_build_keeps_output(root, files) == [
        "error: /articles/x/ is produced by both content/articles/2026-11-01-x.md and content/articles/x.md"]


def test_explicit_slug_colliding_with_a_file_name(site_factory):
    root = site_factory(GOOD)
    assert failed_build_keeps_output(root, {BAD: article("أ", slug="good")}) == [
        "error: /articles/good/ is produced by both content/articles/bad.md and content/articles/good.md"]


def test_alias_colliding_with_a_page(site_factory):
    root = site_factory(GOOD)
    assert failed_build_keeps_output(root, {BAD: article("أ", aliases="[/articles/good/]")}) == [
        "error: /articles/good/ is produced by both content/articles/bad.md (alias) and "
        "content/articles/good.md"]


def test_page_colliding_with_a_static_file(site_factory):
    root = site_factory(GOOD)
    page = '---\ntitle: "عن الموقع"\nslug: about\n---\nنص.\n'
    files = {"content/pages/about.md": page, "content/static/about/index.html": "<p>old</p>"}
    assert failed_build_keeps_output(root, files) == [
        "error: /about/index.html is produced by both static file about/index.html and "
        "content/pages/about.md"]


def test_every_bad_file_is_reported_in_one_run(site_factory):
    root = site_factory(GOOD)
    files = {"content/articles/a.md": fm('title: ""', "date: 2026-11-01"),
             "content/articles/b.md": b"\xff\xfe", "content/pages/c.md": fm("tag: x", 'title: "ج"')}
    assert failed_build_keeps_output(root, files) == [
        "content/articles/a.md:2:8: error: front matter 'title': must not be empty",
        "content/articles/b.md:1:1: error: the file is saved as UTF-16; save it as UTF-8 instead",
        "content/pages/c.md:2:1: error: front matter: unknown key 'tag' (did you mean 'tags'?)",
    ]


# Accepted on purpose (a sane reading exists), each pinned by a test.

def test_only_front_matter_is_an_article_with_an_empty_body(site_factory):
    root = site_factory({BAD: '---\ntitle: "خبر"\ndate: 2026-11-01\n---'})
    [item] = build_site(root).site.articles
    assert (item.title, item.body_html, item.summary_text) == ("خبر", "", "")


def test_bom_crlf_and_old_mac_line_endings_are_accepted(site_factory):
    source = "\ufeff" + fm('title: "خبر"', "date: 2026-11-01", "tags: [غزة]").replace("\n", "\r\n")
    root = site_factory({BAD: source.encode("utf-8"), "content/articles/mac.md":
                         fm('title: "ماك"', "date: 2026-11-02").replace("\n", "\r").encode()})
    titles = {a.slug: (a.title, a.tags) for a in build_site(root).site.articles}
    assert titles == {"bad": ("خبر", ("غزة",)), "mac": ("ماك", ())}


def test_numbers_as_tags_are_read_as_text(site_factory):
    root = site_factory({BAD: fm('title: "خبر"', "date: 2026-11-01", "tags: [2026, كأس العالم]")})
    [item] = build_site(root).site.articles
    assert item.tags == ("2026", "كأس العالم")


def test_nfd_file_name_gives_an_nfc_url_and_file(site_factory):
    nfd_name = unicodedata.normalize("NFD", "أخبار-الإقتصاد")
    assert nfd_name != unicodedata.normalize("NFC", nfd_name)
    root = site_factory({f"content/articles/{nfd_name}.md": article("خبر")})
    [item] = build_site(root).site.articles
    nfc_slug = unicodedata.normalize("NFC", "أخبار-الإقتصاد")
    assert item.slug == nfc_slug and item.url == f"/articles/{nfc_slug}/"
    assert item.path == f"content/articles/{nfc_slug}.md"
    assert (root / "output" / "articles" / nfc_slug / "index.html").is_file()


def test_ten_megabyte_article_is_accepted(site_factory):
    paragraph = "فقرة من نص الخبر الطويل تتكرر كثيراً لتختبر الملفات الكبيرة. " * 20
    body = "\n\n".join([paragraph] * (10_000_000 // len(paragraph.encode()) + 1))
    root = site_factory({BAD: article("خبر طويل جداً", body=body)})
    assert (root / BAD).stat().st_size > 10_000_000
    [item] = build_site(root).site.articles
    assert item.word_count > 900_000
    html = (root / "output/articles/bad/index.html").read_bytes()
    assert len(html) > 10_000_000


def test_symlink_to_a_file_outside_the_site_is_refused(site_factory, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text(article("سر"), encoding="utf-8")
    root = site_factory(GOOD)
    build_site(root)
    before = snapshot(root / "output")
    os.symlink(secret, root / "content/articles/leak.md")
    (root / "content/pages").mkdir()
    os.symlink(secret, root / "content/pages/leak.md")
    (root / "content/static").mkdir()
    os.symlink("/etc/passwd", root / "content/static/passwd.txt")
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [d.format() for d in caught.value.diagnostics] == [
        f"content/{where}: error: refusing a symlink that points outside the site"
        for where in ("articles/leak.md", "pages/leak.md", "static/passwd.txt")]
    assert snapshot(root / "output") == before


def test_symlinked_folder_outside_the_site_is_refused(site_factory, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.md").write_text(article("سر"), encoding="utf-8")
    root = site_factory(GOOD)
    os.symlink(outside, root / "content/articles/more")
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [d.format() for d in caught.value.diagnostics] == [
        "content/articles/more: error: refusing a symlink that points outside the site"]


def test_symlinks_inside_the_site_are_followed_and_loops_end(site_factory):
    root = site_factory({**GOOD, "archive/old.md": article("قديم")})
    os.symlink(root / "archive", root / "content/articles/archive")
    os.symlink(root / "content/articles", root / "content/articles/loop")
    assert sorted(a.slug for a in build_site(root).site.articles) == ["good", "old"]


def test_broken_symlink_is_reported(site_factory):
    root = site_factory(GOOD)
    os.symlink(root / "content/articles/gone.md", root / "content/articles/link.md")
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [d.format() for d in caught.value.diagnostics] == [
        "content/articles/link.md: error: broken symlink: the file it points to does not exist"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_reported(site_factory):
    root = site_factory({**GOOD, BAD: article("أ")})
    (root / BAD).chmod(0)
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [d.format() for d in caught.value.diagnostics] == [
        f"{BAD}: error: cannot read this file: Permission denied"]


def _walk_by_os_walk(folder: Path, boundary: Path):
    """discovery._walk as it was written with os.walk (and a stat or two per file)."""
    from sitegen.discovery import IGNORED_NAMES, _inside

    if not folder.is_dir():
        return
    seen: set[Path] = set()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        here = Path(dirpath)
        seen.add(here.resolve())
        kept = []
        for name in sorted(d for d in dirnames if not d.startswith(".")):
            if not _inside(boundary, here / name):
                yield here / name
            elif (here / name).resolve() not in seen:
                kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if not name.startswith(".") and not name.endswith("~") and name.lower() not in IGNORED_NAMES:
                yield here / name


def test_the_folder_walk_from_listings_finds_what_os_walk_finds(tmp_path):
    """Discovery lists folders itself (file types from the listing, no stat per file): the same
    paths in the same order as os.walk, and regular files told apart from every kind of symlink."""
    from sitegen.discovery import _walk_entries

    root, outside = tmp_path / "site", tmp_path / "outside"
    top = root / "content/articles"
    for folder in (top / "b/deep", top / "a", top / ".hidden", root / "archive/x", outside / "o"):
        folder.mkdir(parents=True)
    for rel in ("z.md", "a.md", "b/deep/n.md", "a/m.md", ".hidden/h.md", "~tmp.md", "back.md~",
                "Thumbs.db", "notes.txt"):
        (top / rel).write_text("x", encoding="utf-8")
    (root / "archive/x/old.md").write_text("x", encoding="utf-8")
    (outside / "o/secret.md").write_text("x", encoding="utf-8")
    os.symlink(root / "archive", top / "archive")  # a folder inside the site: followed
    os.symlink(top, top / "b/loop")  # a loop: ends
    os.symlink(outside / "o", top / "away")  # a folder outside: yielded itself
    os.symlink(top / "a.md", top / "link.md")
    os.symlink(top / "gone.md", top / "broken.md")
    os.symlink(outside / "o", top / "a/away")
    found = [(here / name, regular) for here, name, regular in _walk_entries(top, root)]
    assert [path for path, _regular in found] == list(_walk_by_os_walk(top, root))
    regular = {path.relative_to(top).as_posix() for path, is_regular in found if is_regular}
    assert regular == {"z.md", "a.md", "b/deep/n.md", "a/m.md", "~tmp.md", "notes.txt", "archive/x/old.md"}
    assert list(_walk_entries(top / "missing", root)) == []


@pytest.mark.parametrize("name", ["a.md", "A.MD", "x.Md", "..md", "a.b.md", "md", "amd", "a.md.txt",
                                  "a.markdown", "خبر.md", "a.", "a.md.", "x.mdx", ".md.md", "a .md"])
def test_a_markdown_file_is_told_by_its_name_as_pathlib_tells_its_suffix(name):
    from pathlib import PurePosixPath

    from sitegen.discovery import _is_markdown

    assert _is_markdown(name) == (PurePosixPath(name).suffix.lower() == ".md")
