"""How good is «أخبار ذات صلة»? A seeded, labelled corpus and two measures (issue 3).

    python benchmarks/related_eval.py                      # the default labelled set
    python benchmarks/related_eval.py --articles 10000 --time-only   # cost at 10,000 articles
    python benchmarks/related_eval.py --articles 10000 --build       # a whole build, per stage

The corpus is made of story lines — runs of articles about one event, each with its own people,
places and names, spread over days or weeks — mixed with unrelated one-off articles. Tags are
written the way newsrooms write them: the story tag on only part of its articles, in spelling
variants (hamza forms, ة/ه, ى/ي, tatweel); generic tags («سياسة», «أخبار», «عاجل») across stories;
some articles with generic tags only. Stories of one section share its vocabulary, and some share
a city, so words alone do not give the answer away.

For every article whose story has other articles, with k = min(5, story size − 1):
precision@5 = same-story items among the first five / k; MRR = 1 / rank of the first same-story item.
Compared with a tags-only baseline: candidates ranked by the number of shared raw tags (as
Pelican's related-posts plugin and Hugo's default configuration effectively do).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen.config import SiteConfig  # noqa: E402
from sitegen.indexes import derive  # noqa: E402
from sitegen.model import Article, SourceFile  # noqa: E402
from sitegen.related import Relater  # noqa: E402
from sitegen.site import BuildOptions, Site, assemble  # noqa: E402

START = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)
NOW = datetime(2027, 1, 1, tzinfo=UTC)  # after every generated article
GENERIC_TAGS = ("سياسة", "أخبار", "عاجل")

SECTIONS = {
    "سياسة": ("البرلمان الحكومة الوزير النواب الجلسة القانون المعارضة الحزب الدستور الانتخابات "
              "التصويت المجلس الرئاسة الائتلاف الاستقالة اللجنة المرسوم السفير المفاوضات"),
    "اقتصاد": ("الأسعار الاستثمار التصدير الميزانية البنك التضخم الشركة المصنع الميناء الأسواق "
               "العقود الإنتاج الضرائب القروض الصادرات المستثمرين الرسوم الأرباح التمويل"),
    "رياضة": ("المباراة المنتخب البطولة الهدف المدرب النادي الملعب الجمهور الدوري اللاعبين "
              "التأهل النهائي الحكم الفوز التعادل الكأس الموسم الهجوم الدفاع"),
    "ثقافة": ("المهرجان المعرض المسرح الرواية الفنان الجمهور العرض الجائزة الكتاب المخرج "
              "الفيلم التراث المتحف الدورة الأمسية الشعر الموسيقى الترميم اللوحات"),
    "تكنولوجيا": ("التطبيق المنصة البيانات الشركة المستخدمين الثغرة الذكاء الشبكة البرمجيات "
                  "الهواتف الخوادم التحديث الخصوصية الرقمية الإنترنت النموذج الأمن الاشتراك"),
}
CITIES = ("اللاذقية طرطوس حلب حمص دمشق بيروت عمّان القاهرة الإسكندرية تونس صفاقس وهران "
          "الرباط فاس مسقط صحار الدوحة المنامة الكويت بغداد البصرة أربيل جدة الرياض صنعاء").split()
FIRST = ("أحمد ليلى يوسف سارة كريم هالة مازن رهف عماد نور سامر ريم وائل دينا طارق "
         "منى فادي سلمى باسل لينا جود حسان رنا عمر").split()
FAMILY = ("الخطيب منصور الحداد العطار السيد الأحمد عيسى الزين الحسيني النجار الشامي "
          "الصباغ الحلبي المصري الكردي التونسي الجزائري العلي البيطار الرفاعي").split()
FILLER = ("أعلن أكد أوضح أشار كشف بحث ناقش تابع شهد افتتح بدأ أنهى رفض قرر طالب "
          "مصادر مسؤول رسمي مؤتمر صحفي تقرير بيان خطوة مرحلة جديد أول آخر كبير "
          "المقبل الماضي الجاري المحلية الدولية الوطنية العامة الخاصة عدد نسبة").split()
NAME_SYLLABLES = ("سا را نو بي لا مي كو زا ري تا دو فا نا لي سي مو جا كا با ها").split()
NAME_CODAS = ("ن ر ل م س د ت ك").split()
HEADS = ("مشروع أزمة اتفاقية قضية مبادرة صفقة حملة ملف").split()


@dataclass(frozen=True)
class Item:
    slug: str
    story: int
    title: str
    body: str
    date: datetime
    tags: tuple[str, ...]
    category: str | None


def pseudo_name(rng: random.Random, used: set[str]) -> str:
    """A made-up proper noun (a company, a dam, a festival): unique, Arabic-looking."""
    while True:
        name = "".join(rng.choice(NAME_SYLLABLES) for _ in range(rng.randint(2, 3)))
        name += rng.choice(NAME_CODAS)
        if name not in used:
            used.add(name)
            return name


def variant(rng: random.Random, tag: str) -> str:
    """How another editor might type the same tag."""
    choice = rng.random()
    if choice < 0.3:
        return tag.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا")
    if choice < 0.5:
        return tag.replace("ة", "ه").replace("ى", "ي")
    if choice < 0.6 and len(tag) > 3:
        return tag[:2] + "ـ" + tag[2:]
    return tag


def prefixed(rng: random.Random, word: str) -> str:
    """Attach a clitic now and then (وطرطوس، بالميناء، للمنتخب): exact tokens differ, stems do not."""
    if rng.random() >= 0.25 or " " in word:
        return word
    clitic = rng.choice(("و", "ب", "ل", "وب"))
    if clitic.endswith("ل") and word.startswith("ال"):
        return clitic + word[1:]  # ل + الميناء → للميناء
    return clitic + word


def make_story(rng: random.Random, number: int, size: int, used: set[str],
               cast: dict[str, list[str]]) -> list[Item]:
    """One story line of `size` articles; `cast` holds each section's recurring cities and people."""
    section = rng.choice(sorted(SECTIONS))
    lexicon = SECTIONS[section].split()
    topic = rng.sample(lexicon, 4)  # shared with the section's other stories
    city = rng.choice(cast[section + ":cities"])  # so are the cities ...
    regulars = rng.sample(cast[section + ":people"], 2)  # ... and the ministers, coaches, CEOs
    people = [f"{rng.choice(FIRST)} {rng.choice(FAMILY)}" for _ in range(rng.randint(0, 2))]
    name = pseudo_name(rng, used)
    subject = f"{rng.choice(HEADS)} {name}"
    story_tag = rng.choice([subject, name, f"{city} {name}"])
    start = START + timedelta(days=rng.uniform(0, 480))
    items = []
    for index in range(size):
        date = start + timedelta(days=index * rng.uniform(0.3, 9), hours=rng.uniform(0, 12))
        # A follow-up names its story only now and then; it is often told through its people.
        mentions = [w for w in [subject, city, *people, *regulars] if rng.random() < 0.45]
        title = " ".join([rng.choice(FILLER), rng.choice(topic + lexicon[:3])] + mentions[:2]
                         + [rng.choice(lexicon)])
        sentences = []
        for _ in range(rng.randint(4, 9)):
            words = [rng.choice(FILLER) for _ in range(rng.randint(4, 7))]
            words += [prefixed(rng, rng.choice(topic)) for _ in range(rng.randint(0, 2))]
            words += [prefixed(rng, rng.choice(lexicon)) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.35:
                words.append(prefixed(rng, rng.choice([subject, name, city, *people, *regulars])))
            rng.shuffle(words)
            sentences.append(" ".join(words) + ".")
        tags = []
        if size > 1 and rng.random() < 0.5:
            tags.append(variant(rng, story_tag))
        if rng.random() < 0.3:
            tags.append(city)
        tags += [t for t in GENERIC_TAGS if rng.random() < 0.35]
        if not tags:
            tags.append(rng.choice(GENERIC_TAGS))
        category = section if rng.random() < 0.9 else None
        items.append(Item(f"s{number}-{index}", number, title, "\n\n".join(sentences), date,
                          tuple(dict.fromkeys(tags)), category))
    return items


def make_corpus(seed: int = 7, stories: int = 80, one_offs: int = 160,
                sizes: tuple[int, int] = (2, 12)) -> list[Item]:
    rng = random.Random(seed)
    used: set[str] = set()
    cast: dict[str, list[str]] = {}
    for section in sorted(SECTIONS):
        cast[section + ":cities"] = rng.sample(CITIES, 4)
        cast[section + ":people"] = [f"{rng.choice(FIRST)} {rng.choice(FAMILY)}" for _ in range(6)]
    items: list[Item] = []
    for number in range(stories):
        items += make_story(rng, number, rng.randint(*sizes), used, cast)
    for number in range(stories, stories + one_offs):
        items += make_story(rng, number, 1, used, cast)
    return items


def to_article(item: Item) -> Article:
    paragraphs = item.body.split("\n\n")
    body_html = "".join(f"<p>{p}</p>" for p in paragraphs)
    source = SourceFile(Path(f"content/articles/{item.slug}.md"), f"content/articles/{item.slug}.md",
                        "article")
    return Article(source=source, title=item.title, slug=item.slug, url=f"/articles/{item.slug}/",
                   date=item.date, updated=None, body_html=body_html,
                   summary_html=f"<p>{paragraphs[0]}</p>", summary_text=paragraphs[0], toc_html="",
                   word_count=len(item.body.split()), tags=item.tags, category=item.category)


def make_site(items: list[Item], **related: object) -> Site:
    config = SiteConfig(title="تقييم", base_url="https://example.org/")
    config = replace(config, related=replace(config.related, **related))
    site, problems = assemble([to_article(i) for i in items], config, NOW, BuildOptions())
    assert not problems, problems
    return site


@dataclass(frozen=True)
class Measures:
    precision: float
    mrr: float
    coverage: float  # share of articles with a same-story item available that got a block
    judged: int


def measure(items: list[Item], ranked: dict[str, list[str]]) -> Measures:
    """`ranked`: slug -> related slugs, best first (only the first five are judged)."""
    story = {i.slug: i.story for i in items}
    sizes: dict[int, int] = {}
    for item in items:
        sizes[item.story] = sizes.get(item.story, 0) + 1
    precisions, reciprocal, covered = [], [], 0
    for item in items:
        others = sizes[item.story] - 1
        if others == 0:
            continue
        top = ranked.get(item.slug, [])[:5]
        hits = [story[s] == item.story for s in top]
        precisions.append(sum(hits) / min(5, others))
        reciprocal.append(1 / (hits.index(True) + 1) if True in hits else 0.0)
        covered += bool(top)
    return Measures(statistics.mean(precisions), statistics.mean(reciprocal),
                    covered / len(precisions), len(precisions))


def ours(items: list[Item], **related: object) -> dict[str, list[str]]:
    site = make_site(items, **related)
    indexes, _ = derive(site)
    return {a.slug: [r.article.slug for r in indexes.related[a.path]] for a in site.articles}


def tags_only(items: list[Item]) -> dict[str, list[str]]:
    """The baseline: most shared raw tags first, then newer, then slug (an inverted index)."""
    by_tag: dict[str, list[Item]] = {}
    for item in items:
        for tag in item.tags:
            by_tag.setdefault(tag, []).append(item)
    dates = {i.slug: i.date.timestamp() for i in items}
    result = {}
    for item in items:
        shared: dict[str, int] = {}
        for tag in item.tags:
            for other in by_tag[tag]:
                if other.slug != item.slug:
                    shared[other.slug] = shared.get(other.slug, 0) + 1
        result[item.slug] = sorted(shared, key=lambda s: (-shared[s], -dates[s], s))[:5]
    return result


def report(name: str, m: Measures) -> str:
    return (f"{name:<12} precision@5 {m.precision:.3f}   MRR {m.mrr:.3f}   "
            f"block coverage {m.coverage:.1%}   ({m.judged} articles judged)")


def time_related(items: list[Item]) -> None:
    """Wall and CPU seconds of the related stage (CPU time is steadier on a busy machine), in one
    process: the text features, index and ranking of every article (Relater), then the blocks."""
    site = make_site(items)
    indexes, _ = derive(site)  # warms the stem cache, as parsing the same words would
    clocks = (time.perf_counter, time.process_time)
    started = [clock() for clock in clocks]
    relater = Relater(site, indexes.tags, indexes.categories)
    built = [clock() - start for clock, start in zip(clocks, started, strict=True)]
    started = [clock() for clock in clocks]
    for article in site.articles:
        relater.related(article)
    blocks = [clock() - start for clock, start in zip(clocks, started, strict=True)]
    n = len(site.articles)
    print(f"{n} articles, related stage: features, index and ranking {built[0]:.2f}s wall / "
          f"{built[1]:.2f}s CPU, blocks {blocks[0]:.2f}s wall / {blocks[1]:.2f}s CPU "
          f"({(built[1] + blocks[1]) / n * 1000:.2f} ms CPU per article)")


def time_build(items: list[Item]) -> None:
    from sitegen.build import build

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "site.toml").write_text('title = "تقييم"\nbase_url = "https://example.org/"\n',
                                        encoding="utf-8")
        articles = root / "content/articles"
        articles.mkdir(parents=True)
        for item in items:
            tags = ", ".join(f'"{t}"' for t in item.tags)
            category = f"category: {item.category}\n" if item.category else ""
            (articles / f"{item.slug}.md").write_text(
                f'---\ntitle: "{item.title}"\ndate: {item.date.isoformat()}\ntags: [{tags}]\n'
                f"{category}---\n{item.body}\n", encoding="utf-8")
        result = build(root, now=NOW)
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in result.stage_seconds.items())
        print(f"full build of {len(items)} articles ({result.pages} pages): {stages}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--stories", type=int, default=80)
    parser.add_argument("--one-offs", type=int, default=160)
    parser.add_argument("--articles", type=int, help="scale the corpus to about this many articles")
    parser.add_argument("--time-only", action="store_true", help="time the related stage, skip quality")
    parser.add_argument("--build", action="store_true", help="also time a whole build (writes a temp site)")
    args = parser.parse_args(argv)
    stories, one_offs = args.stories, args.one_offs
    if args.articles:  # stories average 7 articles; a third of the stories' count in one-offs
        stories = max(1, round(args.articles * 0.75 / 7))
        one_offs = args.articles - round(stories * 7)
    items = make_corpus(args.seed, stories, one_offs)
    print(f"corpus: {len(items)} articles, {stories} story lines, {one_offs} one-offs, seed {args.seed}")
    if not args.time_only:
        print(report("related", measure(items, ours(items))))
        print(report("tags-only", measure(items, tags_only(items))))
    if args.time_only or args.articles:
        time_related(items)
    if args.build:
        time_build(items)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
