"""The catalogue of bad configuration (issue 8): exact diagnostics, exit code 2, and nothing
deleted or overwritten outside the output folder, least of all the site itself."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.diagnostics import ConfigError

from sitetools import SITE_TOML, article, build_site, run_cli, snapshot, write_site

GOOD = {"content/articles/good.md": article("خبر سليم")}
HEAD = 'title = "س"\nbase_url = "https://example.org/"\n'


def tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    """snapshot() that also sees the site's own files, excluding the build's output."""
    return {k: v for k, v in snapshot(folder).items() if not k.startswith("output/")}


def refused(root: Path, config: str, **overrides) -> list[str]:
    """Build a good site, swap in `config`, rebuild: the diagnostics; nothing may have changed."""
    build_site(root)
    (root / "site.toml").write_text(config, encoding="utf-8")
    before = snapshot(root)
    with pytest.raises(ConfigError) as caught:
        build_site(root, **overrides)
    assert caught.value.exit_code == 2
    assert snapshot(root) == before
    return [d.format() for d in caught.value.diagnostics]


CONFIG_CASES = {
    "TOML syntax: value missing": (
        HEAD + "paginate = \n", "site.toml:3:12: error: TOML syntax: Invalid value"),
    "TOML syntax: unclosed string": (
        'title = "س\nbase_url = "https://example.org/"\n',
        "site.toml:1:11: error: TOML syntax: Illegal character '\\n'"),
    "TOML syntax: duplicate key": (
        HEAD + 'title = "ص"\n', "site.toml:3:12: error: TOML syntax: Cannot overwrite a value"),
    "unknown key": (HEAD + "paginat = 5\n", "site.toml:3:1: error: paginat: unknown key (did you mean 'paginate'?)"),
    "unknown key in a section": (
        HEAD + "[markdown]\nsafe = true\n",
        "site.toml:4:1: error: markdown.safe: unknown key (did you mean 'safe_html'?)"),
    "wrong type: string for integer": (
        HEAD + 'paginate = "عشرة"\n', 'site.toml:3:1: error: paginate: expected an integer, got "عشرة"'),
    "wrong type: string for boolean": (
        HEAD + '[markdown]\nsafe_html = "yes"\n',
        'site.toml:4:1: error: markdown.safe_html: expected true or false, got "yes"'),
    "wrong type: number for title": (
        'title = 7\nbase_url = "https://example.org/"\n', "site.toml:1:1: error: title: expected a string, got 7"),
    "wrong type: value for a section": (
        HEAD + "markdown = true\n", "site.toml:3:1: error: markdown: expected a table, got true"),
    "base_url without scheme": (
        'title = "س"\nbase_url = "example.org"\n',
        'site.toml:2:1: error: base_url: expected an absolute http(s) URL like https://example.org/, '
        'got "example.org"'),
    "base_url as a path": (
        'title = "س"\nbase_url = "/akhbar/"\n',
        'site.toml:2:1: error: base_url: expected an absolute http(s) URL like https://example.org/, '
        'got "/akhbar/"'),
    "base_url with another scheme": (
        'title = "س"\nbase_url = "ftp://example.org/"\n',
        'site.toml:2:1: error: base_url: expected an absolute http(s) URL like https://example.org/, '
        'got "ftp://example.org/"'),
    "base_url with a query": (
        'title = "س"\nbase_url = "https://example.org/?a=1"\n',
        'site.toml:2:1: error: base_url: expected an absolute http(s) URL like https://example.org/, '
        'got "https://example.org/?a=1"'),
    "permalink escaping the output": (
        HEAD + '[permalinks]\narticle = "/../{slug}/"\n',
        'site.toml:4:1: error: permalinks.article: expected a path starting with "/" containing {slug}, '
        'got "/../{slug}/"'),
    "root is not a setting": (
        HEAD + 'root = "/etc"\n',
        "site.toml:3:1: error: root: unknown key (the site is the folder that holds site.toml; "
        "choose another with --site DIR)"),
}


def test_a_problem_in_the_second_menu_item_points_into_that_item(site_factory):
    menu = ('[[menu]]\nname = "الرئيسية"\nurl = "/"\n\n'
            '[[menu]]\nname = "عن الموقع"\nulr = "/about/"\n\n[[menu]]\nurl = "/contact/"\n')
    assert refused(site_factory(GOOD), HEAD + menu) == [
        "site.toml:9:1: error: menu[1].ulr: unknown key (did you mean 'url'?)",
        "site.toml:7:1: error: menu[1].url: required key is missing",
        "site.toml:11:1: error: menu[2].name: required key is missing",
    ]


@pytest.mark.parametrize("config,expected", CONFIG_CASES.values(), ids=CONFIG_CASES.keys())
def test_bad_config_is_reported_exactly_and_nothing_changes(site_factory, config, expected):
    assert refused(site_factory(GOOD), config) == [expected]


def test_site_toml_that_is_not_utf8(site_factory):
    root = site_factory(GOOD)
    build_site(root)
    (root / "site.toml").write_bytes('title = "س"\n'.encode("cp1256") + b'base_url = "https://e.org/"\n')
    before = snapshot(root)
    with pytest.raises(ConfigError) as caught:
        build_site(root)
    assert [d.format() for d in caught.value.diagnostics] == [
        "site.toml:1:10: error: not valid UTF-8: byte 0xd3 cannot be decoded (save the file as UTF-8)"]
    assert snapshot(root) == before


def test_missing_site_toml(tmp_path):
    with pytest.raises(ConfigError) as caught:
        build_site(tmp_path)
    assert [d.format() for d in caught.value.diagnostics] == [
        f"site.toml: error: no site.toml in {tmp_path} (is this a site folder? try --site DIR)"]


@pytest.mark.parametrize("output", [".", "./", "content", "content/static", "content/articles", "themes",
                                    "templates", "templates/x", "..", "../..", "/"])
def test_output_folder_that_would_replace_the_site_is_refused(site_factory, output):
    root = site_factory({**GOOD, "templates/article.html": "{% extends 'default:article.html' %}\n",
                         "themes/mine/templates/base.html": "<html></html>\n"})
    out = (root / output).resolve()
    assert refused(root, HEAD + f'output_dir = "{output}"\n') == [
        f"site.toml:3:1: error: output_dir: refusing to build into {out}: it would replace the site's "
        "own files; use a dedicated folder such as \"output\""]


def test_output_symlink_to_the_site_is_refused(site_factory):
    root = site_factory(GOOD)
    os.symlink(root, root / "public")
    assert refused(root, HEAD + 'output_dir = "public"\n') == [
        f"site.toml:3:1: error: output_dir: refusing to build into {root.resolve()}: it would replace "
        "the site's own files; use a dedicated folder such as \"output\""]


def test_output_override_that_is_a_parent_of_the_site_is_refused(site_factory, tmp_path):
    root = site_factory(GOOD)
    before = snapshot(tmp_path)
    with pytest.raises(ConfigError) as caught:
        build_site(root, output_dir=str(tmp_path))
    assert [d.format() for d in caught.value.diagnostics] == [
        f"site.toml: error: output_dir: refusing to build into {tmp_path.resolve()}: it would replace "
        "the site's own files; use a dedicated folder such as \"output\""]
    assert snapshot(tmp_path) == before


def test_folder_of_someone_elses_files_is_never_replaced(site_factory, tmp_path):
    """--output pointing at an existing folder that sitegen did not make: refused, untouched."""
    root = site_factory(GOOD)
    theirs = write_site(tmp_path / "theirs", {"thesis.txt": "فصل أول", "data/results.csv": "1,2\n"})
    before = snapshot(theirs)
    result = run_cli("build", "--site", str(root), "--output", str(theirs))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: refusing to build into {theirs}: it holds files that sitegen did not make (there is "
        "no .sitegen-output marker in it); choose a new or empty folder, or move those files away "
        "yourself",
        "build failed: 1 error"]
    assert snapshot(theirs) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "theirs"]  # no staging left beside


def test_output_that_is_a_file_is_refused(site_factory, tmp_path):
    root = site_factory(GOOD)
    target = tmp_path / "notes.txt"
    target.write_text("ملاحظات", encoding="utf-8")
    result = run_cli("build", "--site", str(root), "--output", str(target))
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        f"error: refusing to build into {target}: it is a file, not a folder")
    assert target.read_text(encoding="utf-8") == "ملاحظات"


def test_new_or_empty_folder_is_used_and_marked_then_rebuilt(site_factory, tmp_path):
    root = site_factory(GOOD)
    empty = tmp_path / "empty"
    empty.mkdir()
    for out in (empty, tmp_path / "new" / "deep"):
        build_site(root, output_dir=str(out))
        assert (out / ".sitegen-output").is_file() and (out / "articles/good/index.html").is_file()
        before = snapshot(out)
        assert build_site(root, output_dir=str(out)).report.written == 0
        assert snapshot(out) == before


def test_build_only_removes_its_own_stale_files(site_factory, tmp_path):
    """Stale pages inside output/ go; a sibling folder and files beside output/ stay."""
    root = write_site(tmp_path / "site", {**GOOD, "content/articles/old.md": article("قديم")},
                      SITE_TOML + 'output_dir = "../public"\n')
    (tmp_path / "public-notes.txt").write_text("x", encoding="utf-8")
    (tmp_path / "public-old").mkdir()
    build_site(root)
    (root / "content/articles/old.md").unlink()
    report = build_site(root).report
    assert report.removed == 1 and not (tmp_path / "public/articles/old").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".public.sitegen-previous", "public", "public-notes.txt", "public-old", "site"]


def test_missing_theme(site_factory):
    assert refused(site_factory(GOOD), SITE_TOML + 'theme = "نيوز"\n') == [
        "site.toml: error: theme: no theme named 'نيوز' (looked for themes/نيوز/templates/ in the site "
        "and in sitegen)"]


def test_theme_manifest_with_bad_toml(site_factory):
    root = site_factory({**GOOD, "themes/mine/templates/base.html": "x",
                         "themes/mine/theme.toml": 'name = "mine"\nextends = default\n'})
    assert refused(root, SITE_TOML + 'theme = "mine"\n') == [
        "themes/mine/theme.toml:2:11: error: TOML syntax: Invalid value"]


def test_theme_extending_a_missing_theme(site_factory):
    root = site_factory({**GOOD, "themes/mine/templates/base.html": "x",
                         "themes/mine/theme.toml": 'extends = "gone"\n'})
    assert refused(root, SITE_TOML + 'theme = "mine"\n') == [
        "themes/mine/theme.toml: error: theme: no theme named 'gone' (looked for themes/gone/templates/ "
        "in the site and in sitegen)"]


def test_theme_extending_itself(site_factory):
    root = site_factory({**GOOD, "themes/a/templates/x.html": "x", "themes/a/theme.toml": 'extends = "b"\n',
                         "themes/b/templates/x.html": "x", "themes/b/theme.toml": 'extends = "a"\n'})
    assert refused(root, SITE_TOML + 'theme = "a"\n') == [
        "themes/b/theme.toml: error: theme 'a' extends itself in a loop"]
