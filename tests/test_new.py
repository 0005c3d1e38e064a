"""`sitegen new`: the file it creates, what it prints, and that it never overwrites."""

from __future__ import annotations

from sitetools import NOW, build_site, run_cli, soup

NEW_PATH = "content/articles/2026-11-30-توقيع-اتفاق-الميناء-الجديد.md"


def test_new_creates_a_dated_draft_in_the_site_time_zone_and_prints_its_path(site_factory):
    root = site_factory({})
    # 23:30 UTC is already the next day in Riyadh (UTC+3): the date follows the site's zone.
    result = run_cli("new", "--site", str(root), 'توقيع "اتفاق" الميناء: الجديد', "--category", "اقتصاد",
                     "--tag", "ميناء طرطوس", "--tag", "النقل البحري", "--now", "2026-11-29T23:30:45+00:00")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"{root / NEW_PATH}\n"
    assert (root / NEW_PATH).read_text(encoding="utf-8") == (
        "---\n"
        'title: "توقيع \\"اتفاق\\" الميناء: الجديد"\n'
        "date: 2026-11-30T02:30:00+03:00\n"
        'category: "اقتصاد"\n'
        'tags: ["ميناء طرطوس", "النقل البحري"]\n'
        "draft: true\n"
        "---\n\n"
    )
    # The new file is a valid draft: left out of a normal build, rendered with --drafts --future.
    assert not (build_site(root).site.articles)
    build_site(root, drafts=True, future=True)
    page = soup(root / "output/articles/توقيع-اتفاق-الميناء-الجديد/index.html")
    assert page.h1.get_text() == 'توقيع "اتفاق" الميناء: الجديد'


def test_new_refuses_to_overwrite_an_existing_article(site_factory):
    root = site_factory({NEW_PATH: "---\ntitle: قديم\n---\nنص كتبه محرر آخر.\n"})
    result = run_cli("--site", str(root), "new", "توقيع اتفاق الميناء الجديد",
                     "--now", "2026-11-30T08:00:00+03:00")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (f"{NEW_PATH}: error: already exists; not overwriting it (choose another "
                             "--slug, or edit the existing file)\n")
    assert (root / NEW_PATH).read_text(encoding="utf-8") == "---\ntitle: قديم\n---\nنص كتبه محرر آخر.\n"


def test_new_uses_the_given_slug_and_rejects_a_path_as_slug(site_factory):
    root = site_factory({})
    now = NOW.isoformat()
    result = run_cli("new", "--site", str(root), "عنوان طويل جداً", "--slug", "Port Deal 2", "--now", now)
    assert result.stdout == f"{root / 'content/articles/2026-11-29-port-deal-2.md'}\n"
    text = (root / "content/articles/2026-11-29-port-deal-2.md").read_text(encoding="utf-8")
    assert text.splitlines()[1:3] == ['title: "عنوان طويل جداً"', "date: 2026-11-29T15:00:00+03:00"]

    bad = run_cli("new", "--site", str(root), "عنوان", "--slug", "../../etc", "--now", now)
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr == "error: new: --slug: slug must not contain '/'\n"
    assert sorted(p.name for p in (root / "content/articles").iterdir()) == ["2026-11-29-port-deal-2.md"]


def test_new_without_a_site_says_so(tmp_path):
    result = run_cli("new", "--site", str(tmp_path), "عنوان")
    assert result.returncode == 2
    assert f"no site.toml in {tmp_path}" in result.stderr
