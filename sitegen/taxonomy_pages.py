"""Planners for taxonomy pages: one paginated listing per term, and an index page per taxonomy.

`/tags/<slug>/` (then `/tags/<slug>/page/2/` ...), `/tags/`; the same for `/categories/` (sections)
and `/authors/`. Items are newest first, each with title, date and summary (the article card).
"""

from __future__ import annotations

from collections.abc import Iterator

from .i18n import load_translations
from .indexes import Indexes
from .pagination import paginate
from .rendering import PageJob
from .site import Site
from .taxonomy import Taxonomy
from .urls import output_file

# Translation keys (and fallbacks) of the headings: (one term, the whole taxonomy).
LABELS = {
    "tags": (("tag_label", "وسم"), ("tags_index", "الوسوم")),
    "categories": (("section_label", "القسم"), ("sections_index", "الأقسام")),
    "authors": (("author_label", "الكاتب"), ("authors_index", "الكتّاب")),
}
PAGE_KINDS = {"tags": "tag", "categories": "category", "authors": "author"}


def _label(site: Site, kind: str, which: int) -> str:
    key, default = LABELS[kind][which]
    return load_translations(site.config).get(key, default)


def term_jobs(site: Site, indexes: Indexes) -> Iterator[PageJob]:
    for taxonomy in indexes.taxonomies:
        label = _label(site, taxonomy.kind, 0)
        for term in taxonomy.terms:
            for page in paginate(term.articles, site.config.paginate, term.url):
                context = {"page_kind": PAGE_KINDS[taxonomy.kind], "taxonomy": taxonomy,
                           "term": term, "label": label, "paginator": page,
                           "articles": page.items, "title": term.name,
                           "description": f"{label}: {term.name}", "canonical": page.url}
                yield PageJob(output_file(page.url), "taxonomy.html", context,
                              f"{taxonomy.kind} «{term.name}» page {page.number}")


def terms_index_jobs(site: Site, indexes: Indexes) -> Iterator[PageJob]:
    for taxonomy in indexes.taxonomies:
        yield _index_job(site, taxonomy)


def _index_job(site: Site, taxonomy: Taxonomy) -> PageJob:
    heading = _label(site, taxonomy.kind, 1)
    context = {"page_kind": "terms", "taxonomy": taxonomy, "terms": taxonomy.listed,
               "label": heading, "title": heading, "description": f"{heading} — {site.config.title}",
               "canonical": taxonomy.base_url}
    return PageJob(output_file(taxonomy.base_url), "terms.html", context, f"{taxonomy.kind} index")
