"""A seeded generator of realistic Arabic news corpora for the benchmarks.

    python benchmarks/corpus.py 10000 /tmp/sitegen-bench/site-10000

writes a complete site folder (site.toml + content/articles/*.md + two static pages): articles of
~760 words in 8 sections, 4 tags each from ~580 tags drawn with a Zipf distribution and written with
the spelling variants editors really produce (إ/ا, ة/ه, tatweel), grouped in story lines (same
place, topic and vocabulary, so related news has something to find), with sub-headings, lists,
quotes, Latin names, numbers, «شاهد أيضاً» cards and links to earlier stories. Same seed, same bytes.
"""

from __future__ import annotations

import argparse
import bisect
import random
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from vocabulary import (  # noqa: E402 (script-relative import)
    ADJECTIVES,
    AUTHORS,
    CONNECTORS,
    FILLERS,
    LATIN_BRANDS,
    LATIN_PEOPLE,
    PAST_VERBS,
    PLACES,
    PREPOSITIONS,
    PRESENT_VERBS,
    ROLES,
    SECTIONS,
    TAG_TOPICS,
    TIMES,
)

GENERATOR_VERSION = "1"  # bump when the output changes, so cached corpora are regenerated
SIZES = (1_000, 10_000, 20_000)
TAG_COUNT = 580
WORDS_PER_ARTICLE = 760
LAST_DATE = datetime(2026, 11, 28, 18, 0, tzinfo=timezone(timedelta(hours=3)))
SITE_TOML = """\
title = "أخبار المعيار"
description = "موقع إخباري تجريبي لقياس سرعة البناء"
base_url = "https://bench.example.org/"
timezone = "Asia/Riyadh"
paginate = 10
"""
# Letters that join the next one: tatweel only makes sense after these.
_JOINING = set("بتثجحخسشصضطظعغفقكلمنهي")


@dataclass(frozen=True)
class Tag:
    name: str
    section: str


@dataclass(frozen=True)
class Story:
    section: str
    place: str
    topic: str
    tags: tuple[str, ...]
    nouns: tuple[str, ...]
    brand: str


class Zipf:
    """Draw indexes 0..n-1 with probability proportional to 1 / (rank + 1) ** s."""

    def __init__(self, n: int, s: float = 1.05):
        self._cumulative = list(accumulate(1 / (rank + 1) ** s for rank in range(n)))

    def draw(self, rng: random.Random) -> int:
        return bisect.bisect(self._cumulative, rng.random() * self._cumulative[-1])


def make_tags(rng: random.Random) -> list[Tag]:
    """~580 distinct tags: the bare topics, then topic + place combinations, in Zipf rank order."""
    bare = [Tag(topic, section) for section, topics in TAG_TOPICS.items() for topic in topics]
    combined = [Tag(f"{topic} {place}", section) for section, topics in TAG_TOPICS.items()
                for topic in topics for place in PLACES]
    rng.shuffle(bare)
    tags = bare + rng.sample(combined, TAG_COUNT - len(bare))
    head, tail = tags[:40], tags[40:]
    rng.shuffle(tail)  # the bare topics are the common tags; combinations form the long tail
    return head + tail


def variant(name: str, rng: random.Random) -> str:
    """The spellings editors produce for one tag: hamza dropped, ة as ه, a tatweel."""
    roll = rng.random()
    if roll < 0.05 and ("إ" in name or "أ" in name):
        return name.replace("إ", "ا").replace("أ", "ا")
    if roll < 0.09 and any(word.endswith("ة") for word in name.split()):
        return " ".join(w[:-1] + "ه" if w.endswith("ة") else w for w in name.split())
    if roll < 0.12:
        spots = [i for i in range(1, len(name) - 1) if name[i] in _JOINING and name[i + 1] != " "]
        if spots:
            i = rng.choice(spots)
            return name[: i + 1] + "ـ" + name[i + 1:]
    return name


def make_stories(rng: random.Random, tags: list[Tag], count: int) -> list[Story]:
    by_section: dict[str, list[str]] = {}
    for tag in tags:
        by_section.setdefault(tag.section, []).append(tag.name)
    stories = []
    for _ in range(count):
        section = rng.choice(list(SECTIONS))
        own = by_section[section]
        story_tags = tuple(rng.sample(own[: max(8, len(own) // 3)], 2))
        stories.append(Story(section, rng.choice(PLACES), rng.choice(TAG_TOPICS[section]), story_tags,
                             tuple(rng.sample(SECTIONS[section], 6)), rng.choice(LATIN_BRANDS)))
    return stories


class Writer:
    """Text for one article: sentences from the story's vocabulary plus the common words."""

    def __init__(self, rng: random.Random, story: Story):
        self.rng, self.story = rng, story
        self.nouns = list(story.nouns) + rng.sample(SECTIONS[story.section], 6)

    def noun(self) -> str:
        return self.rng.choice(self.nouns)

    def number(self) -> str:
        rng = self.rng
        return rng.choice([f"{rng.randint(2, 98)}%", f"{rng.randint(12, 950)} مليون دولار",
                           f"{rng.randint(3, 400)} ألف", str(rng.randint(1990, 2026)),
                           f"{rng.randint(2, 60)} شخصاً", f"{rng.randint(1, 9)}.{rng.randint(1, 9)}%"])

    def sentence(self) -> str:
        rng = self.rng
        words = [rng.choice(PAST_VERBS), self.noun(), rng.choice(ADJECTIVES), rng.choice(PREPOSITIONS),
                 self.noun(), "في", self.story.place, rng.choice(TIMES)]
        for _ in range(rng.randint(3, 9)):
            words.append(rng.choice([self.noun, lambda: rng.choice(FILLERS),
                                     lambda: rng.choice(PREPOSITIONS), lambda: rng.choice(ADJECTIVES)])())
        if rng.random() < 0.35:
            words += [rng.choice(PREPOSITIONS), self.number()]
        if rng.random() < 0.15:
            words += ["بحسب", rng.choice(LATIN_BRANDS + [self.story.brand])]
        text = " ".join(words)
        if rng.random() < 0.4:
            text += "، " + rng.choice(CONNECTORS) + " " + " ".join(
                [self.noun(), rng.choice(ADJECTIVES), rng.choice(PREPOSITIONS), self.noun()])
        return text + "."

    def paragraph(self, low: int = 2, high: int = 4) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(low, high)))

    def quote(self) -> str:
        person, role = self.rng.choice(LATIN_PEOPLE), self.rng.choice(ROLES)
        return f"> «{self.sentence()[:-1]}»، قال {person}، {role} {self.story.brand}."

    def bullets(self) -> str:
        return "\n".join(f"- {self.noun()} {self.rng.choice(ADJECTIVES)}: {self.number()}"
                         for _ in range(self.rng.randint(3, 5)))

    def heading(self) -> str:
        rng = self.rng
        return f"## {self.noun()} {rng.choice(ADJECTIVES)} {rng.choice(PREPOSITIONS)} {self.story.place}"

    def title(self) -> str:
        rng, story = self.rng, self.story
        subject = rng.choice([self.noun(), story.brand]) if rng.random() < 0.12 else self.noun()
        verb, adjective = rng.choice(PRESENT_VERBS), rng.choice(ADJECTIVES)
        title = f"{subject} {verb} {self.noun()} {adjective} في {story.place}"
        if rng.random() < 0.3:
            title += f" بقيمة {rng.randint(12, 950)} مليون دولار"
        return title


def body(writer: Writer, earlier: list[str]) -> str:
    """Lede, then sections with sub-headings, a list, a quote, and links to earlier stories."""
    rng = writer.rng
    blocks = [writer.paragraph(2, 3)]
    target = int(rng.gauss(WORDS_PER_ARTICLE, 60)) - 85  # the last section overshoots
    count = len(blocks[0].split())
    while count < target:
        blocks.append(writer.heading())
        for _ in range(rng.randint(1, 3)):
            blocks.append(writer.paragraph())
        if rng.random() < 0.35:
            blocks.append(writer.bullets())
        if rng.random() < 0.3:
            blocks.append(writer.quote())
        count = sum(len(b.split()) for b in blocks)
    if earlier and rng.random() < 0.3:
        blocks.insert(2, f"[[شاهد أيضاً: {rng.choice(earlier)}]]")
    if earlier and rng.random() < 0.3:
        target_file = rng.choice(earlier)
        blocks.insert(1, f"{writer.sentence()[:-1]}، كما [ورد سابقاً]({target_file}).")
    return "\n\n".join(blocks) + "\n"


def front_matter(title: str, date: datetime, story: Story, tags: list[str], author: str) -> str:
    tag_list = ", ".join(f'"{t}"' for t in tags)
    return (f'---\ntitle: "{title}"\ndate: {date.isoformat()}\ncategory: {story.section}\n'
            f"tags: [{tag_list}]\nauthor: {author}\n---\n")


def generate(size: int, folder: Path, seed: int = 7) -> Path:
    """Write a site of `size` articles into `folder` (replacing it) and return the folder."""
    rng = random.Random(seed)
    tags = make_tags(rng)
    tag_zipf = Zipf(len(tags))
    stories = make_stories(rng, tags, max(20, size // 12))
    story_zipf = Zipf(len(stories), 0.6)
    if folder.exists():
        shutil.rmtree(folder)
    articles_dir = folder / "content" / "articles"
    articles_dir.mkdir(parents=True)
    (folder / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    _write_pages(folder / "content" / "pages")
    files_by_story: dict[int, list[str]] = {}
    spacing = timedelta(days=3 * 365) / size
    for index in range(size):
        story_index = story_zipf.draw(rng)
        story = stories[story_index]
        writer = Writer(rng, story)
        names = list(story.tags)
        while len(names) < 4:
            candidate = tags[tag_zipf.draw(rng)].name
            if candidate not in names:
                names.append(candidate)
        date = LAST_DATE - spacing * (size - 1 - index) - timedelta(minutes=rng.randint(0, 59))
        name = f"{date:%Y-%m-%d}-{index:05d}.md"
        earlier = files_by_story.setdefault(story_index, [])
        text = front_matter(writer.title(), date.replace(microsecond=0), story,
                            [variant(n, rng) for n in names], rng.choice(AUTHORS))
        (articles_dir / name).write_text(text + body(writer, earlier[-5:]), encoding="utf-8")
        earlier.append(name)
    return folder


def _write_pages(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "about.md").write_text('---\ntitle: "من نحن"\n---\nموقع تجريبي لقياس سرعة البناء.\n',
                                     encoding="utf-8")
    (folder / "contact.md").write_text('---\ntitle: "اتصل بنا"\n---\nراسلونا على bench@example.org.\n',
                                       encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("size", type=int, help=f"number of articles (the benchmark uses {SIZES})")
    parser.add_argument("folder", type=Path, help="where to write the site (replaced); under /tmp")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    generate(args.size, args.folder, args.seed)
    print(f"wrote {args.size} articles into {args.folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
