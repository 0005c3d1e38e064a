"""site.toml validation: every problem at once, named by dotted key and line."""

from __future__ import annotations

import pytest

from sitegen.config import load_config
from sitegen.diagnostics import ConfigError


def problems(site_factory, config: str) -> list[str]:
    root = site_factory({}, config=config)
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    return [d.format() for d in caught.value.diagnostics]


def test_valid_config_is_read_into_typed_fields(site_factory):
    root = site_factory({}, config='title = "س"\nbase_url = "https://example.org/akhbar"\n'
                        'paginate = 7\n[permalinks]\narticle = "/{year}/{slug}/"\n')
    config = load_config(root)
    assert (config.title, config.paginate, config.permalinks.article) == ("س", 7, "/{year}/{slug}/")
    assert config.base_path == "/akhbar/"
    assert config.locale == "ar" and config.digits == "latn"


def test_unknown_key_gets_line_and_suggestion(site_factory):
    assert problems(site_factory, 'title = "س"\nbase_url = "https://e.org/"\npaginat = 5\n') == [
        "site.toml:3:1: error: paginat: unknown key (did you mean 'paginate'?)"]


def test_every_problem_is_reported_at_once(site_factory):
    config = ('title = "س"\nbase_url = "example.org"\ndigits = "roman"\n\n'
              '[markdown]\ntoc_depth = "four"\n')
    assert problems(site_factory, config) == [
        'site.toml:2:1: error: base_url: expected an absolute http(s) URL like https://example.org/, '
        'got "example.org"',
        'site.toml:3:1: error: digits: expected "latn" or "arab", got "roman"',
        'site.toml:6:1: error: markdown.toc_depth: expected an integer, got "four"',
    ]


def test_missing_required_key(site_factory):
    assert problems(site_factory, 'base_url = "https://e.org/"\n') == [
        "site.toml: error: title: required key is missing"]


@pytest.mark.parametrize(("line", "message"), [
    ('timezone = "Mars/Olympus"',
     'timezone: expected an IANA time zone like Asia/Riyadh, got "Mars/Olympus"'),
    ('locale = "xx_YY"', 'locale: expected a locale known to Babel, like ar, ar_EG or ar_SY, got "xx_YY"'),
    ("paginate = 0", "paginate: expected a positive integer, got 0"),
    ("paginate = true", "paginate: expected an integer, got true"),
])
def test_wrong_values(site_factory, line, message):
    config = f'title = "س"\nbase_url = "https://e.org/"\n{line}\n'
    assert problems(site_factory, config) == [f"site.toml:3:1: error: {message}"]


def test_toml_syntax_error_has_line_and_column(site_factory):
    assert problems(site_factory, 'title = "س"\nbase_url = \n') == [
        "site.toml:2:12: error: TOML syntax: Invalid value"]


def test_menu_entries_are_validated_by_index(site_factory):
    config = 'title = "س"\nbase_url = "https://e.org/"\n[[menu]]\nname = "سياسة"\n'
    assert problems(site_factory, config) == [
        "site.toml:3:1: error: menu[0].url: required key is missing"]


@pytest.mark.parametrize("output", [".", "content", "themes", "..", "/"])
def test_output_folder_that_would_destroy_the_site_is_refused(site_factory, output):
    config = f'title = "س"\nbase_url = "https://e.org/"\noutput_dir = "{output}"\n'
    [message] = problems(site_factory, config)
    assert message.startswith("site.toml:3:1: error: output_dir: refusing to build into ")
