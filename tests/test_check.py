"""`sitegen check` end to end: exact reports, exit codes, --strict, --format json; nothing written."""

from __future__ import annotations

import json

from sitetools import article, run_cli

NOW = "2026-11-29T10:00:00+03:00"

BROKEN = {
    "content/articles/a.md": (
        "---\n"
        'title: "افتتاح ميناء طرطوس الجديد رسمياً"\n'
        "date: 2026-11-20T10:00:00+03:00\n"
        "tags: [الاقتصاد]\n"
        "---\n"
        "مقدمة. راجع [البنود](b.md#بنود-مفقودة) و[القسم](#قسم-غير-موجود) و[صفحة](/articles/missing/)"
        " و[موجود](b.md#بنود-الاتفاق) و[شعار](/images/logo.svg).\n"
        "\n"
        "![](/images/none.png)\n"
        "\n"
        '![ميناء](/images/logo.svg "الشعار")\n'
    ),
    "content/articles/b.md": (
        "---\n"
        'title: "افتتاح ميناء طرطوس الجديد"\n'
        "date: 2026-11-21T10:00:00+03:00\n"
        "tags:\n"
        "  - النقل\n"
        "  - الإقتصاد\n"
        "---\n"
        "نص [عودة](a.md) و[الحواشي](#fn:1).[^1]\n"
        "\n"
        "## بنود الاتفاق\n"
        "\n"
        "[^1]: حاشية.\n"
    ),
    "content/articles/c.md": article("خبر عن الاقتصاد", tags="[الاقتصاد]"),
    "content/articles/later.md": article("خبر لاحق", date="2026-12-20T10:00:00+03:00"),
    "content/static/images/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
}

EXPECTED = """\
content/articles/a.md:6:26: error: link to 'b.md#بنود-مفقودة': no heading or element with id 'بنود-مفقودة' on /articles/b/
content/articles/a.md:6:49: error: link to '#قسم-غير-موجود': no heading or element with id 'قسم-غير-موجود' on this page
content/articles/a.md:6:73: error: link to '/articles/missing/': nothing in the built site has that address
content/articles/a.md:8:5: error: image '/images/none.png': no such file in the built site (put it under content/static/)
content/articles/a.md:8:5: warning: image '/images/none.png' has no alt text: describe it for readers who cannot see it
content/articles/b.md:2:9: warning: title is nearly the same as content/articles/a.md («افتتاح ميناء طرطوس الجديد رسمياً»): a duplicate story?
content/articles/b.md:6:5: warning: tags: «الإقتصاد» is merged with «الاقتصاد» (1 article written this way, 3 articles in all); write it one way
content/articles/later.md:3:7: note: scheduled for 2026-12-20T10:00:00+03:00: not published until then
checked 4 files: 4 errors, 3 warnings, 1 note
"""


def test_check_reports_links_anchors_images_duplicates_spellings_and_schedule(site_factory):
    root = site_factory(BROKEN)
    result = run_cli("check", "--site", str(root), "--now", NOW)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout == EXPECTED
    assert sorted(p.name for p in root.iterdir()) == ["content", "site.toml"]  # nothing written


def test_check_json_for_ci(site_factory):
    root = site_factory(BROKEN)
    result = run_cli("--site", str(root), "check", "--now", NOW, "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert (report["files"], report["errors"], report["warnings"], report["notes"]) == (4, 4, 3, 1)
    assert report["diagnostics"][0] == {
        "path": "content/articles/a.md", "line": 6, "col": 26, "severity": "error",
        "message": "link to 'b.md#بنود-مفقودة': no heading or element with id 'بنود-مفقودة' on /articles/b/",
    }
    assert [d["severity"] for d in report["diagnostics"]] == [
        "error", "error", "error", "error", "warning", "warning", "warning", "note"]


def test_check_passes_a_clean_site_and_strict_fails_on_warnings(site_factory):
    clean = site_factory({"content/articles/a.md": article("خبر أول"),
                          "content/articles/b.md": article("نبأ مختلف تماماً")}, name="clean")
    result = run_cli("check", "--site", str(clean), "--now", NOW, "--strict")
    assert (result.returncode, result.stdout) == (0, "checked 2 files: 0 errors, 0 warnings, 0 notes\n")

    variants = {"content/articles/a.md": article("خبر أول", tags="[الإنتخابات]"),
                "content/articles/b.md": article("نبأ مختلف تماماً", tags="[الانتخابات, غزة]"),
                "content/articles/c.md": article("نبأ ثالث", tags="[الانتخابات]")}
    root = site_factory(variants, name="variants")
    lenient = run_cli("check", "--site", str(root), "--now", NOW)
    strict = run_cli("check", "--site", str(root), "--now", NOW, "--strict")
    expected = ("content/articles/a.md:4:8: warning: tags: «الإنتخابات» is merged with «الانتخابات» "
                "(1 article written this way, 3 articles in all); write it one way\n"
                "checked 3 files: 0 errors, 1 warning, 0 notes\n")
    assert (lenient.returncode, lenient.stdout) == (0, expected)
    assert (strict.returncode, strict.stdout) == (1, expected)


def test_check_reports_build_errors_and_pins_to_unknown_articles_in_the_same_format(site_factory):
    root = site_factory({
        "content/articles/a.md": article("خبر", related="[لا-يوجد]"),
        "content/articles/b.md": article("خبر آخر", date="أمس"),
    })
    result = run_cli("check", "--site", str(root), "--now", NOW)
    assert result.returncode == 1
    assert result.stdout == (
        "content/articles/b.md:3:7: error: front matter 'date': expected a date like 2025-10-15 or "
        "2025-10-15T14:05:00+03:00, got 'أمس'\n"
        "checked 2 files: 1 error, 0 warnings, 0 notes\n")

    (root / "content/articles/b.md").unlink()
    result = run_cli("check", "--site", str(root), "--now", NOW)
    assert result.returncode == 1
    assert result.stdout == (
        "content/articles/a.md:4: error: front matter 'related': unknown article 'لا-يوجد'\n"
        "checked 1 file: 1 error, 0 warnings, 0 notes\n")


def test_check_config_error_exits_2(site_factory):
    root = site_factory({}, config='title = "x"\nbase_url = "example.org"\n')
    result = run_cli("check", "--site", str(root), "--format", "json")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["errors"] == 1 and report["diagnostics"][0]["path"] == "site.toml"
