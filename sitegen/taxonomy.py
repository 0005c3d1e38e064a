"""Tags, sections (categories) and authors: terms, their articles, names, slugs and URLs.

A term groups every spelling that names the same thing (see term_identity), plus the synonyms a
site merges in `[tags.aliases]`. It is shown under its most used spelling, lives at
`/<kind>/<slug>/`, and lists its articles newest first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .config import TermsConfig
from .diagnostics import Diagnostic, warning
from .model import Article
from .slugs import slugify, stable_id
from .term_identity import Ambiguity, identities, marks_of

CONFIG_PATH = "site.toml"


@dataclass(frozen=True)
class Term:
    kind: str  # "tags", "categories" or "authors"
    key: str  # identity (matching key, plus a reading when harakat tell words apart); never shown
    name: str  # the most used spelling, exactly as editors wrote it
    slug: str
    url: str  # site-relative, NFC, not encoded: '/tags/الانتخابات/'
    articles: tuple[Article, ...]  # newest first
    spellings: tuple[tuple[str, int], ...]  # variants of the name and their use, most used first

    @property
    def count(self) -> int:
        return len(self.articles)


@dataclass(frozen=True)
class Taxonomy:
    kind: str
    base_url: str  # '/tags/'
    terms: tuple[Term, ...]  # most articles first, then by name
    by_spelling: dict[str, Term]  # every spelling (and alias) seen on an article -> its term
    min_count: int = 1

    def term_for(self, spelling: str) -> Term | None:
        return self.by_spelling.get(spelling)

    @property
    def listed(self) -> tuple[Term, ...]:
        """The terms shown on the index page."""
        return tuple(t for t in self.terms if t.count >= self.min_count)

    @property
    def merged(self) -> tuple[Term, ...]:
        """Terms written in more than one way, for the build report."""
        return tuple(t for t in self.terms if len(t.spellings) > 1)


Values = Callable[[Article], Iterable[str]]


def build_taxonomy(kind: str, articles: Iterable[Article], values: Values, config: TermsConfig,
                   front_matter_keys: tuple[str, ...] = ()) -> tuple[Taxonomy, list[Diagnostic]]:
    """Group `values(article)` of every article (newest first) into the terms of one taxonomy."""
    articles = tuple(articles)
    # One pass over the articles: which use each spelling (their positions, newest first, once).
    users: dict[str, list[int]] = {}
    for position, article in enumerate(articles):
        for value in dict.fromkeys(values(article)):
            users.setdefault(value, []).append(position)
    uses = Counter({spelling: len(found) for spelling, found in users.items()})
    identity, ambiguities = identities([*uses, *config.aliases, *config.aliases.values(),
                                        *config.slugs])
    alias_of = {identity[source]: identity[target] for source, target in config.aliases.items()
                if identity[source] != identity[target]}

    def final(spelling: str) -> str:
        return alias_of.get(identity[spelling], identity[spelling])

    spellings: dict[str, list[str]] = {}
    for spelling in users:
        spellings.setdefault(final(spelling), []).append(spelling)
    members = {key: _articles_of(articles, [users[spelling] for spelling in found])
               for key, found in spellings.items()}
    names = _names(uses, identity, alias_of, config)
    slugs, problems = _slugs(kind, names, identity, config)
    terms = {key: Term(kind, key, names[key][0], slugs[key], f"/{kind}/{slugs[key]}/",
                       found, names[key][1])
             for key, found in members.items()}
    ordered = tuple(sorted(terms.values(), key=lambda t: (-t.count, t.key)))
    by_spelling = {spelling: terms[final(spelling)] for spelling in uses}
    for ambiguity in ambiguities:
        if ambiguity.spelling in users:
            oldest = articles[users[ambiguity.spelling][-1]]
            problems.append(_ambiguity_warning(kind, ambiguity, oldest, front_matter_keys))
    return Taxonomy(kind, f"/{kind}/", ordered, by_spelling, config.min_count), problems


def _articles_of(articles: tuple[Article, ...], positions: list[list[int]]) -> tuple[Article, ...]:
    """The articles at `positions` (lists in ascending order), in order, each once: the articles
    of a term from those of its spellings (usually one)."""
    merged = positions[0] if len(positions) == 1 else sorted(set().union(*positions))
    return tuple([articles[position] for position in merged])


def _names(uses: Counter[str], identity: dict[str, str], alias_of: dict[str, str],
           config: TermsConfig) -> dict[str, tuple[str, tuple[tuple[str, int], ...]]]:
    """Display name and spelling variants per term. Synonyms merged by an alias never name it."""
    variants: dict[str, list[tuple[str, int]]] = {}
    for spelling, count in uses.items():
        key = identity[spelling]
        if key not in alias_of:
            variants.setdefault(key, []).append((spelling, count))
    for target in config.aliases.values():
        # A term only its synonyms use takes the name the site configured.
        variants.setdefault(identity[target], [(target, 0)])
    result = {}
    for key, found in variants.items():
        # Most used first; among equals the spelling with more harakat (the editor took care),
        # then code point order, so the choice never depends on file order.
        ranked = sorted(found, key=lambda sc: (-sc[1], -len(marks_of(sc[0])), sc[0]))
        result[key] = (ranked[0][0], tuple(sc for sc in ranked if sc[1] > 0))
    return result


def _slugs(kind: str, names: dict[str, tuple[str, tuple]], identity: dict[str, str],
           config: TermsConfig) -> tuple[dict[str, str], list[Diagnostic]]:
    problems: list[Diagnostic] = []
    configured = {identity[name]: slug for name, slug in config.slugs.items()}
    for name in config.slugs:
        if identity[name] not in names:
            problems.append(warning(CONFIG_PATH, f"{kind}.slugs: no article uses «{name}»"))
    slugs = {key: configured.get(key) or slugify(name) or stable_id(name)
             for key, (name, _) in names.items()}
    claims: dict[str, list[str]] = {}
    for key in sorted(slugs, key=lambda k: (bool(marks_of(names[k][0])), k)):
        claims.setdefault(slugs[key], []).append(key)
    for slug, keys in sorted(claims.items()):
        # Words told apart only by harakat share a slug: the first keeps it, the others get a
        # suffix that depends on their own name only, so it never moves when content changes.
        for key in keys[1:]:
            slugs[key] = f"{slug}-{stable_id(names[key][0])[2:8]}"
        if len(keys) > 1:
            shown = "، ".join(f"«{names[k][0]}» → {slugs[k]}" for k in keys)
            problems.append(warning(CONFIG_PATH, f"{kind}: different names share the URL slug "
                                    f"'{slug}': {shown}; set [{kind}.slugs] to choose"))
    return slugs, problems


def _ambiguity_warning(kind: str, ambiguity: Ambiguity, article: Article,
                       keys: tuple[str, ...]) -> Diagnostic:
    """Points at the oldest article using the bare spelling: where an editor would fix it."""
    readings = " or ".join(f"«{r}»" for r in ambiguity.readings)
    line = next((article.key_lines[k] for k in keys if k in article.key_lines), None)
    return warning(article.path, f"{kind}: «{ambiguity.spelling}» could be {readings}; it is kept "
                   f"apart — add harakat, or a [{kind}.aliases] entry in site.toml", line)
