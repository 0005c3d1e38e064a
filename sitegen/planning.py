"""Decide every output file (design §4, `plan`): path, template and context, before any rendering.

Each planner turns the Site into PageJobs for one kind of page. Adding a kind of page means adding
a planner to PLANNERS; collisions between any two outputs are caught here, in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import jinja2
from markupsafe import Markup

from .diagnostics import Diagnostic, error
from .feeds import feed_jobs
from .gcpause import collector_paused
from .i18n import Translations, load_translations
from .indexes import ArticleTerms, Indexes, derive
from .model import Article
from .pagination import paginate
from .redirects import redirect_jobs, redirects_file_job
from .refs import SEE_ALSO_LABEL, body_has_refs
from .rendering import Deferred, PageJob
from .schedule import schedule_job
from .site import Site
from .sitemaps import news_sitemap_jobs, robots_jobs, sitemap_jobs
from .taxonomy_pages import term_jobs, terms_index_jobs
from .themes import check_template_exists
from .urls import output_file

RECENT_ON_404 = 6

Planner = Callable[[Site, Indexes], Iterable[PageJob]]
# A finisher sees every job the planners made (the sitemap lists whatever pages exist).
Finisher = Callable[[Site, Sequence[PageJob]], Iterable[PageJob]]


def see_also_label(site: Site, strings: Translations | None = None) -> str:
    """The «شاهد أيضاً» card label, from the theme's translation file like every theme string."""
    return (strings or load_translations(site.config)).get("see_also", SEE_ALSO_LABEL)


def article_context(site: Site, article: Article, see_also: str | None = None,
                    indexes: Indexes | None = None) -> dict[str, Any]:
    """An article page's context; `indexes` adds its tag/section/author links and related news."""
    return {
        "page_kind": article.kind,
        "article": article,
        "content": deferred_body(site, article, see_also or see_also_label(site)),
        "title": article.title,
        "description": article.summary_text,
        "canonical": article.url,
        # Made when the page is fingerprinted or rendered: after an edit, a rebuild plans every
        # page but fingerprints only those the edit can have changed (page_deps.py).
        "terms": Deferred(indexes.terms_of, article, reads_bodies_of=()) if indexes else ArticleTerms(),
        "related": Deferred(indexes.related_to, article, reads_bodies_of=()) if indexes else (),
    }


def deferred_body(site: Site, article: Article, see_also: str) -> Deferred:
    """The article's final HTML, made by the render worker (only for pages that are rendered).

    A body with links or cards to other articles shows their current URL and title, so its page
    counts them too: the articles they lead to, found when the page is fingerprinted (cheaper
    than resolving and hashing the whole body); one without (most) is a function of the article.
    """
    inputs: tuple = (article,)
    if body_has_refs(article):
        inputs = (article, Deferred(body_targets, site, article, reads_bodies_of=(article,)))
    return Deferred(resolved_body, site, article, see_also, inputs=inputs)


def body_targets(site: Site, article: Article) -> tuple[Article | None, ...]:
    return site.ref_targets(article, article.body_html)


def resolved_body(site: Site, article: Article, see_also: str) -> Markup:
    return Markup(site.resolve(article, article.body_html, see_also))


def article_jobs(site: Site, indexes: Indexes) -> Iterator[PageJob]:
    label = see_also_label(site)
    for article in site.everything:
        yield article_job(site, article, label, indexes)


def article_job(site: Site, article: Article, see_also: str, indexes: Indexes | None) -> PageJob:
    default = "article.html" if article.kind == "article" else "page.html"
    return PageJob(output_file(article.url), article.template or default,
                   article_context(site, article, see_also, indexes), article.path)


def home_jobs(site: Site, indexes: Indexes) -> Iterator[PageJob]:
    for page in paginate(site.articles, site.config.paginate, "/"):
        context = {"page_kind": "home", "paginator": page, "articles": page.items,
                   "title": site.config.title, "description": site.config.description,
                   "canonical": page.url}
        yield PageJob(output_file(page.url), "index.html", context, f"home page {page.number}")


def not_found_job(site: Site, indexes: Indexes) -> Iterator[PageJob]:
    title = load_translations(site.config).get("not_found_title", "404")
    context = {"page_kind": "404", "articles": site.articles[:RECENT_ON_404], "title": title,
               "description": "", "canonical": "/404.html"}
    yield PageJob("404.html", "404.html", context, "404 page")


PLANNERS: list[Planner] = [article_jobs, home_jobs, term_jobs, terms_index_jobs, not_found_job,
                           feed_jobs, news_sitemap_jobs, robots_jobs, redirect_jobs,
                           redirects_file_job, schedule_job]
FINISHERS: list[Finisher] = [sitemap_jobs]


def plan(site: Site, env: jinja2.Environment, static_outputs: Iterable[str] = (),
         planners: Iterable[Planner] = PLANNERS, indexes: Indexes | None = None,
         finishers: Iterable[Finisher] = FINISHERS) -> tuple[list[PageJob], list[Diagnostic]]:
    """Every output of the site; `indexes` come from the derive stage (computed here if omitted)."""
    if indexes is None:
        indexes, _ = derive(site)
    with collector_paused():  # 18,000 jobs and their contexts at 10,000 articles, all kept
        jobs = [job for planner in planners for job in planner(site, indexes)]
        jobs += [job for finisher in finishers for job in finisher(site, tuple(jobs))]
    problems = _missing_templates(site, jobs, env) + _collisions(jobs, static_outputs)
    return jobs, problems


def _missing_templates(site: Site, jobs: list[PageJob], env: jinja2.Environment) -> list[Diagnostic]:
    problems, checked = [], set()
    found: dict[str, bool] = {}  # one lookup per template, not per page (10,000 articles share one)
    by_path = {a.path: a for a in site.everything}
    for job in jobs:
        if job.template not in found:
            found[job.template] = check_template_exists(env, job.template, job.source, None) is None
        if found[job.template] or (job.template, job.source) in checked:
            continue
        checked.add((job.template, job.source))
        article = by_path.get(job.source)
        line = article.key_lines.get("template") if article and article.template else None
        problem = check_template_exists(env, job.template, job.source, line)
        if problem:
            problems.append(problem)
    return problems


def _collisions(jobs: list[PageJob], static_outputs: Iterable[str]) -> list[Diagnostic]:
    owners: dict[str, str] = {path: f"static file {path}" for path in static_outputs}
    problems = []
    for job in jobs:
        if job.output in owners:
            problems.append(error("", f"/{job.output} is produced by both {owners[job.output]} "
                                  f"and {job.source}"))
        owners[job.output] = job.source
    return problems
