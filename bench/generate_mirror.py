"""Generate a large synthetic mirror of Vecher.kz, for benchmarking the crawler at scale.

    python bench/generate_mirror.py OUT_DIR [--articles 20000] [--seed 1] [--source mirror/vecher]

The output has the layout of the recorded mirror (mirror/vecher) and is served the same way
(``python -m mirror.server OUT_DIR``): robots.txt, a sitemap index (sitemap.xml) with one sitemap per
5,000 articles plus a news sitemap, the RSS feed of the newest 50 (ru/rss.xml), four section
listings with 20 articles a page (ru/<section>/index.html, index@page=N.html), tag and author
pages, the home page, and the articles at /ru/article/<slug>-<n>.html.

The site's markup is not copied into this file: every page is built at run time from real pages
of the recorded mirror, cut into template parts (the two article templates, in each of their
metadata variants: JSON-LD, meta tags only, visible byline only; the listing, tag, author and home
pages; the feed and the sitemaps), and from the noise blocks found in them (menus, related news,
the popular widget, comments, cookie banners, share buttons, in-text ads and «Читайте также»
links, photo credits, the Telegram footer). The text is synthetic but Russian: paragraphs recombine
sentences of the recorded articles (mirror/vecher/_articles.json), each paragraph with a numbered
detail of its own, so no two articles share their text; 2% of the articles are deliberate
near-duplicates of an earlier one (the same paragraphs, one changed). Pages weigh 60-150 KB, like
real news pages: 10-20 related news, 2-20 comments, and (not in the recorded pages, so generated
here) an inline critical-CSS <style> and a front-end state <script> holding the latest news.

Ground truth: OUT_DIR/_articles.jsonl, one article a line: path, title, published, lead,
paragraphs (the text a reader sees, lead first), authors, section, tags, near_duplicate_of (the
path of the original, or null), template and machine_date (which metadata the page carries).
OUT_DIR/_non_articles.json lists the other pages. The output is the same, byte for byte, for the
same --articles and --seed. Pages are written one at a time: what stays in memory is each
article's plan (title, lead, date, section…) and feed entry, about 80 MB for 20,000 articles, which
take some 15-30 s to write (2 GB). The summary printed at the end gives the number of articles and
files, the total size, the article page sizes (mean, min, deciles, max) and the time taken.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO / "mirror" / "vecher"
MARKER = "_generated.json"  # an output folder holding it may be wiped and written again

KB = 1024
PAGE_MIN, PAGE_MODE, PAGE_MAX = 60 * KB, 90 * KB, 150 * KB
PARAGRAPHS_MIN, PARAGRAPHS_MAX = 4, 14  # lead included
PER_PAGE = 20  # articles per listing page
URLS_PER_SITEMAP = 5000
FEED_SIZE = 50
NEAR_DUPLICATE_SHARE = 0.02
NEAR_DUPLICATE_MIN_PARAGRAPHS = 8  # so that one changed paragraph still leaves a near-duplicate
METADATA_MIX = {"jsonld": 0.6, "meta": 0.2, "none": 0.2}

# Almaty: UTC+6 until 2024-03-01 00:00 local time, UTC+5 since (clocks went back one hour).
ALMATY_BEFORE, ALMATY_SINCE = timezone(timedelta(hours=6)), timezone(timedelta(hours=5))
OFFSET_CHANGE_DAY = date(2024, 3, 1)
FIRST_DAY = datetime(2022, 1, 1, 0, 0, tzinfo=ALMATY_BEFORE)
LAST_DAY = datetime(2025, 11, 30, 23, 59, tzinfo=ALMATY_SINCE)
MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip

# Numbered details, one in every paragraph: they make each paragraph of the site unique. Each one
# reads the same whatever the number (no noun agreement with it).
DETAILS = (
    "Общая сумма составила {v} тыс. тенге.",
    "Номер обращения в едином реестре – {v}.",
    "Длина участка – {v} м.",
    "Объем финансирования – {v} тыс. тенге.",
    "По данным на {d} {m}, в базе зарегистрировано обращений: {v}.",
    "Площадь территории – {v} кв. м.",
    "Стоимость работ оценивается в {v} тыс. тенге.",
    "Код проекта в городской программе – {v}.",
    "С начала года поступило заявок: {v}.",
    "Протяженность сетей составляет {v} м.",
)
ATTRIBUTIONS = (", сообщает Vecher.kz.", ", передает корреспондент Vecher.kz.", ".")
INTRODUCTIONS = re.compile(
    r"(?:по (?:данным|информации|словам|мнению|предварительным данным)|как (?:сообщили|пояснили|отметили|"
    r"рассказали|уточнили)|напомним|кроме того|при этом|также|в частности|таким образом|в результате|"
    r"поэтому|однако|впрочем|между тем|тем временем|ранее)\b",
    re.I,
)
TITLE_ENDINGS = (
    "",
    "",
    "",
    "",
    "",
    "",
    ": что известно",
    ": подробности",
    " – видео",
    " – фото",
    ": главное",
)
# Sentences that start like the lines the cleaner removes (credits, sources, «read also») stay out.
BOILERPLATE_START = re.compile(r"(?:фото|видео|источник|по теме|читайте|теги|автор|реклама)\b", re.I)
TRANSLIT = {  # the site's slugs: «smog-nad-almaty-pochemu-gorod-zadykhaetsya-zimoy»
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
SLOT = re.compile(r"@@([a-z_]+)@@")
# Words after which a period does not end the sentence.
ABBREVIATIONS = frozenset(
    ("ул", "пр", "им", "мкр", "тыс", "млн", "млрд", "трлн", "руб", "кв", "см", "др", "т", "г", "гг")
)


class TemplateError(ValueError):
    """A page of the recorded mirror does not have the part a template is cut from."""


# --- Templates: text with @@slot@@ holes ---------------------------------------------------------


class Tpl:
    """Text with ``@@slot@@`` holes, split once so that filling it is one join."""

    def __init__(self, text: str) -> None:
        parts = SLOT.split(text)
        self.literals = parts[0::2]
        self.slots = parts[1::2]

    def render(self, values: Mapping[str, str]) -> str:
        out = [self.literals[0]]
        for slot, literal in zip(self.slots, self.literals[1:], strict=True):
            out.append(values[slot])
            out.append(literal)
        return "".join(out)


def mark(text: str, pattern: str, *, required: bool = True, count: int = 1) -> str:
    """Replace each named group of the first ``count`` matches (0: all) with ``@@name@@``."""
    regex = re.compile(pattern, re.S)

    def fill(match: re.Match[str]) -> str:
        whole, base, pos, out = match.group(0), match.start(), 0, []
        for name in sorted(regex.groupindex, key=match.start):
            start, end = match.span(name)
            if start < 0:
                continue
            out += [whole[pos : start - base], f"@@{name}@@"]
            pos = end - base
        out.append(whole[pos:])
        return "".join(out)

    result, found = regex.subn(fill, text, count=count)
    if required and not found:
        raise TemplateError(f"no match for {pattern[:70]!r}")
    return result


def replace_value(text: str, value: str, slot: str) -> str:
    """Every occurrence of one of the exemplar's own values becomes a slot."""
    if not value or value not in text:
        raise TemplateError(f"value for @@{slot}@@ not found: {value[:60]!r}")
    return text.replace(value, f"@@{slot}@@")


@dataclass
class ListTpl:
    """A run of like items (related news, comments, cards, feed items) cut from a page."""

    item: Tpl
    sep: str
    date_style: str | None = None

    def render(self, items: Iterable[Mapping[str, str]]) -> str:
        return self.sep.join(self.item.render(values) for values in items)


def cut_list(
    text: str, item: str, slot: str, fields: Sequence[str], needed: Sequence[str] = ()
) -> tuple[str, list[str], ListTpl]:
    """Replace the first run of adjacent ``item`` matches with ``@@slot@@``.

    Returns the text, the items as they were, and the item template: each regex of ``fields`` that
    matches marks its named groups in the first item (a ``date`` group also records how dates are
    written); the ``needed`` slots must all be found.
    """
    matches = list(re.finditer(item, text, re.S))
    if not matches:
        raise TemplateError(f"no items {item[:60]!r} for @@{slot}@@")
    run = [matches[0]]
    for match in matches[1:]:
        if text[run[-1].end() : match.start()].strip():
            break
        run.append(match)
    sep = text[run[0].end() : run[1].start()] if len(run) > 1 else "\n"
    first = run[0].group(0)
    style = None
    template = first
    for pattern in fields:
        found = re.search(pattern, first, re.S)
        if found and "date" in found.groupdict():
            style = date_style(found.group("date"))
        template = mark(template, pattern, required=False)
    missing = set(needed) - set(Tpl(template).slots)
    if missing:
        raise TemplateError(f"items {item[:40]!r} without {sorted(missing)}")
    cut = text[: run[0].start()] + f"@@{slot}@@" + text[run[-1].end() :]
    return cut, [m.group(0) for m in run], ListTpl(Tpl(template), sep, style)


# --- Dates ---------------------------------------------------------------------------------------


def local_time(day: date, minute: int) -> datetime:
    """A time of day in Almaty with the offset of that day: +06:00 before 2024-03-01, +05:00 since.

    Local 23:00-23:59 of 2024-02-29 happened twice (clocks went back at midnight); it gets +06:00,
    the first time, which is also how a parser reads such a visible date (fold 0).
    """
    offset = ALMATY_BEFORE if day < OFFSET_CHANGE_DAY else ALMATY_SINCE
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=offset)


def byline_date(d: datetime) -> str:
    return f"{d:%H:%M}, {d.day:02d} {MONTHS_GENITIVE[d.month - 1]} {d.year}"


DATE_STYLES: dict[str, tuple[str, Callable[[datetime], str]]] = {
    "dmy": (r"\d\d\.\d\d\.\d{4}", lambda d: f"{d:%d.%m.%Y}"),
    "dmy_hm": (r"\d\d\.\d\d\.\d{4} \d\d:\d\d", lambda d: f"{d:%d.%m.%Y %H:%M}"),
    "hm_dmy": (r"\d\d:\d\d, \d\d \w+ \d{4}", byline_date),
    "dmy_words_hm": (
        r"\d\d \w+ \d{4}, \d\d:\d\d",
        lambda d: f"{d.day:02d} {MONTHS_GENITIVE[d.month - 1]} {d.year}, {d:%H:%M}",
    ),
    "iso": (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", lambda d: d.isoformat()),
    "rfc2822": (r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}", format_datetime),
}


def date_style(sample: str) -> str:
    """How a page writes its dates, recognised from one it wrote."""
    for name, (pattern, _) in DATE_STYLES.items():
        if re.fullmatch(pattern, sample.strip()):
            return name
    raise TemplateError(f"unknown date format: {sample!r}")


def show_date(d: datetime, style: str | None) -> str:
    return DATE_STYLES[style or "dmy"][1](d)


# --- The text corpus and the site's vocabulary, from the recorded mirror ------------------------


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph; never inside «quotes» nor after abbreviations («ул.», «млн.»)."""
    out, start, depth = [], 0, 0
    for i, char in enumerate(paragraph):
        if char == "«":
            depth += 1
        elif char == "»":
            depth = max(0, depth - 1)
        elif char in ".!?…" and depth == 0 and paragraph[i + 1 : i + 2] == " ":
            following = paragraph[i + 2 : i + 3]
            word = re.search(r"(\w+)$", paragraph[start:i])
            abbreviation = word is None or len(word.group(1)) < 2 or word.group(1).lower() in ABBREVIATIONS
            if following.isupper() and following.isalpha() and not abbreviation:
                out.append(paragraph[start : i + 1].strip())
                start = i + 2
    out.append(paragraph[start:].strip())
    return [s for s in out if s]


def usable(sentence: str) -> bool:
    return (
        40 <= len(sentence) <= 350
        and sentence[-1] in ".!?…»"
        and sentence.count("«") == sentence.count("»")
        and (sentence[0].isupper() or sentence.startswith("«"))
        and not BOILERPLATE_START.match(sentence)
    )


def fold(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


@dataclass
class Corpus:
    sentences: list[str]
    statements: list[int]  # the others: titles and leads come from them
    authors: list[tuple[str, str | None]]  # (name, slug); slug None: the outlet itself
    tags: list[tuple[str, str]]  # (name, slug)
    sections: list[tuple[str, str]]  # (slug, name)
    credits: list[str]
    comment_authors: list[str]
    comment_texts: list[str]
    new_template_since: datetime
    folded: list[str] = field(default_factory=list)  # the sentences, case- and punctuation-folded
    first_words: dict[str, list[int]] = field(default_factory=dict)  # sentences by their first word


def article_kind(page: str) -> str:
    """The newer template prints the lead in its own block, outside the body."""
    return "new" if 'class="article__lead"' in page else "old"


def load_corpus(source: Path, records: list[dict[str, Any]], pages: dict[str, str]) -> Corpus:
    pool: dict[str, None] = {}
    for record in records:
        for paragraph in record["paragraphs"]:
            for sentence in split_sentences(paragraph):
                if usable(sentence):
                    pool[sentence] = None
    sentences = list(pool)
    statements = [i for i, s in enumerate(sentences) if not s.startswith("«")]
    joined = "\n".join(pages.values())
    linked = dict(re.findall(r'<a href="/ru/author/([^"]+)\.html">([^<]+)</a>', joined))
    by_name = {name: slug for slug, name in linked.items()}
    names = sorted({name for record in records for name in record["authors"]})
    authors = [(name, by_name.get(name)) for name in names]
    tags = sorted(set(re.findall(r'<a href="/ru/tag/([^".]+)\.html"[^>]*>#?([^<]+)</a>', joined)))
    home = (source / "index.html").read_text("utf-8")
    sections = [
        (slug, name)
        for slug, name in dict.fromkeys(re.findall(r'<a href="/ru/([a-z]+)">([^<]+)</a>', home))
        if (source / "ru" / slug / "index.html").is_file()
    ][:4]
    if len(sections) < 4:
        raise TemplateError(f"the home page menu names {len(sections)} section listings, not 4")
    news = [r["published"] for r in records if article_kind(pages[r["path"]]) == "new"]
    corpus = Corpus(
        sentences=sentences,
        statements=statements,
        authors=authors,
        tags=[(name, slug) for slug, name in tags],
        sections=sections,
        credits=sorted(set(re.findall(r'class="[\w-]*credit">([^<]+)<', joined))),
        comment_authors=sorted(set(re.findall(r'<div class="comment__author">([^<]+)<', joined))),
        comment_texts=sorted(set(re.findall(r'<p class="comment__text">([^<]+)<', joined))),
        new_template_since=min(datetime.fromisoformat(p) for p in news),
    )
    corpus.folded = [fold(sentence) for sentence in sentences]
    for i, folded in enumerate(corpus.folded):
        corpus.first_words.setdefault(folded.split(" ")[0], []).append(i)
    return corpus


# --- Article page templates ----------------------------------------------------------------------

RELATED_ITEMS = (
    r'<li><a href="/ru/article/[^"]+">[^<]*</a> <span class="date">[^<]*</span></li>',
    r'<a class="news-related__item" href="[^"]+"><img src="[^"]+" alt=""><span>[^<]*</span></a>',
)
POPULAR_ITEMS = (
    r'<li><a href="/ru/article/[^"]+">[^<]*</a> <span class="views">\d+</span></li>',
    r'<a class="popular__item" href="[^"]+"><span class="popular__num">\d+</span> [^<]*</a>',
)
# Title last: it is the text of the link, once the other fields are slots (no «@» in it).
ITEM_FIELDS = (
    r'href="(?P<href>/ru/article/[^"]+)"',
    r'<img src="(?P<thumb>/uploads/thumbnail/[^"]+)"',
    r'<span class="date">(?P<date>[^<]*)</span>',
    r'<span class="views">(?P<views>\d+)</span>',
    r'<span class="popular__num">(?P<num>\d+)</span>',
    r'(?:<span>|">|</span> )(?P<title>[^<>@]+)</(?:a|span)>',
)
COMMENT_ITEM = r'<div class="comment">.*?<a class="comment__reply"[^>]*>[^<]*</a></div>'
COMMENT_FIELDS = (
    r'<div class="comment__author">(?P<author>[^<]*)</div>',
    r'<div class="comment__date">(?P<date>[^<]*)</div>',
    r'<p class="comment__text">(?P<text>[^<]*)</p>',
)
TAG_ITEM = r'<a href="/ru/tag/[^".]+\.html"[^>]*>[^<]*</a>'
TAG_FIELDS = (r'<a href="/ru/tag/(?P<slug>[^".]+)\.html"[^>]*>#?(?P<name>[^<]*)</a>',)
AUTHOR_LINK = r'<a href="/ru/author/(?P<slug>[^"]+)\.html">(?P<name>[^<]+)</a>'
META_LINE = r'<meta property="article:(?:published_time|modified_time|section|tag)" content="[^"]*">\n'
BODY = (
    r'<div class="(?:news-detail__text|article__body)">\n(?P<body>.*?)\n</div>\n'
    r'(?=<div class="(?:news-detail__tags|article__tags))'
)
LD_SCRIPT = r'<script type="application/ld\+json">(.*?)</script>'


@dataclass
class BodyParts:
    """How one template prints the article body, and the noise blocks it puts in it."""

    lead: list[Tpl]  # wrappers of the lead (@@text@@)
    quote: list[Tpl]  # wrappers of a quotation paragraph
    read_more: list[Tpl]  # «Читайте также» links (@@href@@, @@title@@)
    ads: list[str]
    figures: list[str]  # in-text photos with their captions and credits
    telegram: list[str]  # the Telegram footer


def body_parts(kind: str, records: list[dict[str, Any]], pages: dict[str, str]) -> BodyParts:
    parts = BodyParts([], [], [], [], [], [])
    for record in records:
        page = pages[record["path"]]
        found = re.search(BODY, page, re.S)
        if article_kind(page) != kind or not found:
            continue
        lead = record["paragraphs"][0]
        lines = found.group("body").split("\n")
        if kind == "new":
            lines += re.findall(r'<div class="article__lead">.*?</div>', page)
        paragraphs = set(record["paragraphs"])
        for line in lines:
            text = html.unescape(re.sub(r"<[^>]+>", "", line)).strip()
            if text in paragraphs:  # the article's own text: only its wrapper is of use
                if text == lead and (kind == "old" or "article__lead" in line):
                    parts.lead.append(Tpl(line.replace(text, "@@text@@")))
                elif line.startswith("<blockquote") and text in line:
                    parts.quote.append(Tpl(line.replace(text, "@@text@@")))
            elif "t.me/" in line:
                parts.telegram.append(line)
            elif line.startswith("<figure"):
                parts.figures.append(line)
            elif "/ru/article/" in line:
                parts.read_more.append(
                    Tpl(
                        mark(
                            line, r'href="(?:https?://[^/"]+)?(?P<href>/ru/article/[^"]+)">(?P<title>[^<]*)<'
                        )
                    )
                )
            elif 'rel="nofollow"' in line:
                parts.ads.append(line)
    for name in ("lead", "telegram"):
        if not getattr(parts, name):
            raise TemplateError(f"no {name} block in the {kind} article template")
    # One copy of each distinct block; their order is the mirror's, so the choice is seeded.
    parts.lead = list({t.render({"text": "\0"}): t for t in parts.lead}.values())
    parts.quote = list({t.render({"text": "\0"}): t for t in parts.quote}.values())
    parts.ads, parts.figures = list(dict.fromkeys(parts.ads)), list(dict.fromkeys(parts.figures))
    parts.telegram = list(dict.fromkeys(parts.telegram))
    return parts


@dataclass
class ArticleTemplate:
    kind: str
    metadata: str
    exemplar: str  # the page of the recorded mirror it was cut from
    page: Tpl
    jsonld: dict[str, Any] | None
    jsonld_indent: int | None
    breadcrumb_ld: dict[str, Any] | None
    meta_props: list[str]  # the article:* meta tags the exemplar has, in order
    meta_line: Tpl | None
    related: ListTpl
    popular: ListTpl
    comments: ListTpl
    tags: ListTpl
    byline: Tpl  # @@names@@ inside the exemplar's byline words
    author_link: Tpl


def cut_article(
    page: str, record: dict[str, Any], author_link: Tpl, corpus: Corpus, css: str
) -> ArticleTemplate:
    """Cut one recorded article page into a template (raises TemplateError when a part is missing)."""
    kind = article_kind(page)
    page = mark(page, BODY)
    if kind == "new":
        page = mark(page, r'(?P<lead_block><div class="article__lead">.*?</div>)')
    jsonld, indent, breadcrumb = None, None, None
    for found in list(re.finditer(LD_SCRIPT, page, re.S)):
        data = json.loads(found.group(1))
        types = {node.get("@type") for node in data.get("@graph", [data])}
        if "NewsArticle" in types:
            jsonld, indent = data, 2 if "\n  " in found.group(1) else None
            page = page.replace(found.group(1).strip(), "@@jsonld@@")
        elif "BreadcrumbList" in types:
            breadcrumb = data
            page = page.replace(found.group(1).strip(), "@@breadcrumb_ld@@")
    lines = re.findall(META_LINE, page)
    props = list(dict.fromkeys(re.findall(r'article:(\w+)"', "".join(lines))))
    props = [p for p in props if p != "modified_time"]  # no article is modified after publication
    meta_line = None
    if lines:
        meta_line = Tpl(mark(lines[0], r'article:(?P<prop>\w+)" content="(?P<value>[^"]*)"'))
        page = page.replace(lines[0], "@@article_meta@@", 1)
        page = re.sub(META_LINE, "", page)
    slug = {name: slug for slug, name in corpus.sections}.get(record["section"])
    if slug is None:
        raise TemplateError(f"section {record['section']!r} is not one of the listed sections")
    page = mark(
        page,
        rf'<(?:ol class="breadcrumbs"|nav class="breadcrumb")>.*?href="/ru/(?P<section_slug>{slug})">'
        rf"(?P<section>[^<]+)</a>",
    )
    words = re.search(r'<span class="(?:author|article__author)">(.*?)</span>', page)
    if not words:
        raise TemplateError("no byline")
    # «Автор <a…>Name</a> /» or «Автор Vecher.kz /»: the words around the names are kept.
    byline = Tpl(re.sub(r"<a .*</a>|Vecher\.kz", "@@names@@", words.group(1), count=1))
    page = mark(page, r'<span class="(?:author|article__author)">(?P<byline>.*?)</span>')
    page, _, tags = cut_list(page, TAG_ITEM, "tags", TAG_FIELDS, ("slug", "name"))
    related = popular = None
    for pattern in RELATED_ITEMS:
        if re.search(pattern, page):
            page, _, related = cut_list(page, pattern, "related_items", ITEM_FIELDS, ("href", "title"))
    for pattern in POPULAR_ITEMS:
        if re.search(pattern, page):
            page, _, popular = cut_list(page, pattern, "popular_items", ITEM_FIELDS, ("href", "title"))
    if related is None or popular is None:
        raise TemplateError("no related news or no popular widget")
    page, _, comments = cut_list(
        page, COMMENT_ITEM, "comment_items", COMMENT_FIELDS, ("author", "date", "text")
    )
    page = mark(
        page, r'<section id="comments"[^>]*><h3>[^<(]*\((?P<comment_count>\d+)\)</h3>', required=False
    )
    page = mark(page, r'<span class="views" title="[^"]*">(?P<views>\d+)</span>', required=False)
    page = mark(page, r'class="[\w-]*credit">(?P<credit>[^<]+)<', required=False)
    # The exemplar's own values, wherever they are printed (head, headline, figure, share links).
    published = datetime.fromisoformat(record["published"])
    page = replace_value(page, record["path"], "path")
    page = replace_value(page, html.escape(record["lead"]), "lead")
    page = replace_value(page, html.escape(record["title"]), "title")
    if f'"{record["published"]}"' in page:
        page = replace_value(page, record["published"], "published")
    page = replace_value(page, byline_date(published), "byline_date")
    if record.get("image_url"):
        page = replace_value(page, record["image_url"].removeprefix("__BASE__"), "image")
    page = page.replace("</head>", f"<style>{css}</style>\n</head>", 1)
    page = page.replace("</body>", "@@inline_script@@</body>", 1)
    slug_word = record["path"].rsplit("/", 1)[-1].removesuffix(".html")
    if slug_word in page or "@@body@@" not in page:
        raise TemplateError("the exemplar's own values are still in the template")
    return ArticleTemplate(
        kind=kind,
        metadata=record["machine_date"],
        exemplar=record["path"],
        page=Tpl(page),
        jsonld=jsonld,
        jsonld_indent=indent,
        breadcrumb_ld=breadcrumb,
        meta_props=props,
        meta_line=meta_line,
        related=related,
        popular=popular,
        comments=comments,
        tags=tags,
        byline=byline,
        author_link=author_link,
    )


# --- The plan: what every article is, decided before any page is written ------------------------


@dataclass(slots=True)
class Plan:
    index: int  # 0-based, oldest first
    path: str
    title: str
    lead: str
    published: datetime
    section: int
    authors: tuple[int, ...]
    tags: tuple[int, ...]
    kind: str
    metadata: str
    paragraphs: int
    image: str
    excluded: tuple[int, ...]  # sentences used by the lead and the title
    duplicate_of: int | None = None


def slugify(title: str) -> str:
    words = re.findall(r"\w+", title.casefold().replace("ё", "е"))[:8]
    latin = ["".join(TRANSLIT.get(c, c) for c in word) for word in words]
    return "-".join(w for w in latin if w) or "news"


def detail(rng: random.Random, index: int, position: int) -> str:
    """A sentence with a number no other paragraph of the site has."""
    value = (index + 1) * 16 + position
    text = rng.choice(DETAILS)
    return text.format(v=f"{value:,}".replace(",", " "), d=rng.randint(1, 28), m=rng.choice(MONTHS_GENITIVE))


def make_title(rng: random.Random, corpus: Corpus) -> tuple[str, int]:
    """A headline: the first whole clause (4-14 words) of a statement, after any «По данным …,»
    before it; sometimes with an ending such as «: что известно»."""
    while True:
        sid = rng.choice(corpus.statements)
        clauses = re.split(r"(?<=,)\s+", corpus.sentences[sid].rstrip(".!?…"))
        while len(clauses) > 1 and INTRODUCTIONS.match(clauses[0]):
            clauses.pop(0)
        words: list[str] = []
        for clause in clauses:
            if clause.startswith(("сообщает", "передает")):
                break
            words += clause.split()
            if len(words) >= 4:
                break
        title = " ".join(words).rstrip(",:;–-.!?…")
        # A whole clause or nothing: a headline cut mid-phrase («…и сезонным») reads as an error.
        if (
            4 <= len(words) <= 14
            and not re.search(r"[.!?…]\s", title)
            and title.count("«") == title.count("»")
        ):
            return title[0].upper() + title[1:] + rng.choice(TITLE_ENDINGS), sid


def make_lead(rng: random.Random, corpus: Corpus, index: int) -> tuple[str, int]:
    """The first paragraph: a statement, often attributed to the site, and its numbered detail."""
    while True:
        sid = rng.choice(corpus.statements)
        sentence = corpus.sentences[sid]
        if len(sentence) >= 60:
            break
    if "Vecher.kz" not in sentence and sentence.endswith("."):
        sentence = sentence[:-1] + rng.choice(ATTRIBUTIONS)
    return f"{sentence} {detail(rng, index, 0)}", sid


def starts_alike(text: str, other: str, words: int) -> bool:
    """``text`` opens with the first ``words`` words of ``other``."""
    return fold(text).startswith(" ".join(fold(other).split(" ")[:words]))


def choose(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def plan_articles(corpus: Corpus, count: int, seed: int) -> list[Plan]:
    rng = random.Random(seed)
    days = (LAST_DAY.date() - FIRST_DAY.date()).days + 1
    moments = []
    for _ in range(count):
        day = FIRST_DAY.date() + timedelta(days=rng.randrange(days))
        # Most news is published in the working day; some at night.
        minute = rng.randrange(7 * 60, 22 * 60) if rng.random() < 0.85 else rng.randrange(24 * 60)
        moments.append(local_time(day, minute))
    moments.sort()
    persons = [i for i, (_, slug) in enumerate(corpus.authors) if slug]
    outlets = [i for i, (_, slug) in enumerate(corpus.authors) if not slug] or persons
    plans = []
    for index, published in enumerate(moments):
        lead, lead_sid = make_lead(rng, corpus, index)
        roll = rng.random()
        if roll < 0.25:
            authors: tuple[int, ...] = (rng.choice(outlets),)
        elif roll < 0.9:
            authors = (rng.choice(persons),)
        else:
            authors = tuple(rng.sample(persons, 2))
        plans.append(
            Plan(
                index=index,
                path="",
                title="",
                lead=lead,
                published=published,
                section=rng.randrange(len(corpus.sections)),
                authors=authors,
                tags=tuple(sorted(rng.sample(range(len(corpus.tags)), rng.randint(1, 4)))),
                kind="new" if published >= corpus.new_template_since else "old",
                metadata=choose(rng, METADATA_MIX),
                paragraphs=rng.randint(PARAGRAPHS_MIN, PARAGRAPHS_MAX),
                image=f"/uploads/images/{published:%Y/%m}/image_750x_{rng.getrandbits(52):013x}.jpg",
                excluded=(lead_sid,),
            )
        )
    mark_near_duplicates(rng, plans)
    for plan in plans:  # titles last: a near-duplicate's must not open like the lead it copied
        while True:
            title, title_sid = make_title(rng, corpus)
            # The cleaner drops a paragraph that repeats the title: the lead must not start like it.
            if title_sid not in plan.excluded and not starts_alike(plan.lead, title, 3):
                break
        plan.title, plan.excluded = title, (*plan.excluded, title_sid)
        plan.path = f"/ru/article/{slugify(title)}-{plan.index + 1}.html"
    return plans


def mark_near_duplicates(rng: random.Random, plans: list[Plan]) -> None:
    """2% of the articles republish an earlier one (one of the 200 before it) with one paragraph changed."""
    wanted = max(1, round(len(plans) * NEAR_DUPLICATE_SHARE)) if len(plans) >= 10 else 0
    originals: set[int] = set()
    candidates = list(range(1, len(plans)))
    rng.shuffle(candidates)
    for index in candidates:
        if wanted == 0:
            break
        if index in originals:
            continue
        earlier = [
            i
            for i in range(max(0, index - 200), index)
            if i not in originals
            and plans[i].duplicate_of is None
            and plans[i].paragraphs >= NEAR_DUPLICATE_MIN_PARAGRAPHS
        ]
        if not earlier:
            continue
        original = rng.choice(earlier)
        originals.add(original)
        plan = plans[index]
        plan.duplicate_of, plan.paragraphs = original, plans[original].paragraphs
        plan.lead, plan.excluded = plans[original].lead, plans[original].excluded
        wanted -= 1


# --- Article pages ---------------------------------------------------------------------------------


def esc(text: str) -> str:
    return html.escape(text, quote=True)


class Writer:
    """Writes the files of the mirror and counts them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = 0
        self.bytes = 0

    def write(self, relative: str, text: str) -> int:
        data = text.encode("utf-8")
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb", buffering=256 * KB) as handle:
            handle.write(data)
        self.files += 1
        self.bytes += len(data)
        return len(data)


@dataclass
class Site:
    """Everything the pages are made from."""

    corpus: Corpus
    plans: list[Plan]
    articles: dict[tuple[str, str], ArticleTemplate]
    parts: dict[str, BodyParts]
    templates: SiteTemplates
    feed_items: list[str]  # one JSON object per article for the state script
    feed_sizes: list[int]
    by_section: list[list[int]]
    section_position: list[int]
    seed: int


class Generator:
    """Builds article bodies and pages; keeps the sentence mixes seen and the originals awaiting
    their near-duplicate, nothing else."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.seen_mixes: set[tuple[int, ...]] = set()
        self.waiting: dict[int, list[str]] = {}
        self.originals = {p.duplicate_of for p in site.plans if p.duplicate_of is not None}

    def paragraphs(self, plan: Plan, rng: random.Random) -> list[str]:
        if plan.duplicate_of is not None:
            paragraphs = list(self.waiting.pop(plan.duplicate_of))
            # The changed paragraph is the one that starts like this article's own title, if any.
            title = fold(plan.title)
            starts = [i for i, p in enumerate(paragraphs) if i and fold(p).startswith(title)]
            changed = starts[0] if starts else rng.randrange(1, len(paragraphs))
            kept = " ".join(p for i, p in enumerate(paragraphs) if i != changed)
            paragraphs[changed] = self.fresh_paragraphs(plan, rng, [changed], avoid=kept)[0]
        else:
            paragraphs = [plan.lead, *self.fresh_paragraphs(plan, rng, range(1, plan.paragraphs))]
        if plan.index in self.originals:
            self.waiting[plan.index] = paragraphs
        return paragraphs

    def fresh_paragraphs(
        self, plan: Plan, rng: random.Random, positions: Sequence[int], avoid: str = ""
    ) -> list[str]:
        """New paragraphs: 1-3 sentences each, a sentence mix no other article has, and the numbered
        detail of each position; no sentence of ``avoid`` (the rest of the article) again."""
        corpus = self.site.corpus
        # No paragraph may start like the title (the cleaner would take it for the title again) nor
        # like the lead (an article does not open two paragraphs with the same words).
        banned = set(plan.excluded)
        if avoid:
            banned |= {i for i, sentence in enumerate(corpus.sentences) if sentence in avoid}
        for text, words in ((plan.title, 3), (plan.lead, 5)):
            head = " ".join(fold(text).split(" ")[:words])
            first = head.split(" ")[0]
            banned |= {i for i in corpus.first_words.get(first, ()) if corpus.folded[i].startswith(head)}
        # Short articles get longer paragraphs, so that two of them never share much of their text.
        weights = (3, 4, 2) if plan.paragraphs > 6 else (0, 3, 2)
        while True:
            sizes = [rng.choices((1, 2, 3), weights=weights)[0] for _ in positions]
            drawn = [
                s
                for s in rng.sample(range(len(corpus.sentences)), sum(sizes) + len(banned))
                if s not in banned
            ]
            mix = tuple(sorted(drawn[: sum(sizes)]))
            if mix not in self.seen_mixes:
                self.seen_mixes.add(mix)
                break
        out, start = [], 0
        for position, size in zip(positions, sizes, strict=True):
            chosen = [corpus.sentences[s] for s in drawn[start : start + size]]
            start += size
            chosen.insert(rng.randint(1, len(chosen)), detail(rng, plan.index, position))
            out.append(" ".join(chosen))
        return out

    def body(self, plan: Plan, paragraphs: list[str], rng: random.Random) -> tuple[str, str]:
        """The body's HTML and, for the newer template, the lead block above it."""
        parts = self.site.parts[plan.kind]
        lead = rng.choice(parts.lead).render({"text": esc(paragraphs[0])})
        blocks = [lead] if plan.kind == "old" else []
        last = len(paragraphs) - 1
        noise_after = {
            "read_more": rng.randint(1, last) if parts.read_more and rng.random() < 0.5 else -1,
            "ad": rng.randint(1, last) if parts.ads and rng.random() < 0.6 else -1,
            "figure": rng.randint(1, last) if parts.figures and rng.random() < 0.3 else -1,
        }
        for position, paragraph in enumerate(paragraphs[1:], start=1):
            if paragraph.startswith("«") and parts.quote and rng.random() < 0.6:
                blocks.append(rng.choice(parts.quote).render({"text": esc(paragraph)}))
            else:
                blocks.append(f"<p>{esc(paragraph)}</p>")
            if noise_after["read_more"] == position:
                for other in (self.site.plans[i] for i in self.earlier_same_section(plan, rng, 1)):
                    link = {"href": other.path, "title": esc(other.title)}
                    blocks.append(rng.choice(parts.read_more).render(link))
            if noise_after["ad"] == position:
                blocks.append(rng.choice(parts.ads))
            if noise_after["figure"] == position:
                blocks.append(rng.choice(parts.figures))
        blocks.append(rng.choice(parts.telegram))
        return "\n".join(blocks), (lead if plan.kind == "new" else "")

    def earlier_same_section(self, plan: Plan, rng: random.Random, count: int) -> list[int]:
        """Up to ``count`` articles of the same section published shortly before this one (the
        first articles of a section, which have too few before them, take any of the section)."""
        members = self.site.by_section[plan.section]
        position = self.site.section_position[plan.index]
        window = members[max(0, position - 300) : position]
        if len(window) < count:
            window = [i for i in members[:300] if i != plan.index]
        if len(window) < count:
            window = [i for i in range(min(len(self.site.plans), 300)) if i != plan.index]
        return rng.sample(window, min(count, len(window)))

    def page(self, plan: Plan, paragraphs: list[str], rng: random.Random) -> str:
        site, template = self.site, self.site.articles[(plan.kind, plan.metadata)]
        section_slug, section = site.corpus.sections[plan.section]
        tags = [site.corpus.tags[i] for i in plan.tags]
        authors = [site.corpus.authors[i] for i in plan.authors]
        body, lead_block = self.body(plan, paragraphs, rng)
        names = ", ".join(
            template.author_link.render({"slug": slug, "name": esc(name)}) if slug else esc(name)
            for name, slug in authors
        )
        values = {
            "path": plan.path,
            "title": esc(plan.title),
            "lead": esc(plan.lead),
            "published": plan.published.isoformat(),
            "byline_date": byline_date(plan.published),
            "image": plan.image,
            "credit": esc(rng.choice(site.corpus.credits)) if site.corpus.credits else "",
            "views": str(rng.randint(150, 25000)),
            "section_slug": section_slug,
            "section": esc(section),
            "byline": template.byline.render({"names": names}),
            "body": body,
            "lead_block": lead_block,
            "tags": template.tags.render({"slug": slug, "name": esc(name)} for name, slug in tags),
            "article_meta": self.meta_lines(template, plan, section, tags),
            "jsonld": self.jsonld(template, plan, section, tags, authors),
            "breadcrumb_ld": self.breadcrumb_ld(template, section_slug, section),
            "related_items": self.related(template, plan, rng),
            "popular_items": self.popular(template, plan, rng),
            "inline_script": "",
        }
        values.update(self.comments(template, plan, rng))
        page = template.page.render(values)
        target = int(rng.triangular(PAGE_MIN, PAGE_MAX - 2 * KB, PAGE_MODE))
        values["inline_script"] = self.state_script(plan, section_slug, target - len(page.encode("utf-8")))
        return template.page.render(values)

    def meta_lines(
        self, template: ArticleTemplate, plan: Plan, section: str, tags: list[tuple[str, str]]
    ) -> str:
        if template.meta_line is None:
            return ""
        values = {
            "published_time": [plan.published.isoformat()],
            "section": [section],
            "tag": [name for name, _ in tags],
        }
        return "".join(
            template.meta_line.render({"prop": prop, "value": esc(value)})
            for prop in template.meta_props
            for value in values.get(prop, [])
        )

    def jsonld(
        self,
        template: ArticleTemplate,
        plan: Plan,
        section: str,
        tags: list[tuple[str, str]],
        authors: list[tuple[str, str | None]],
    ) -> str:
        if template.jsonld is None:
            return ""
        people = [
            {"@type": "Person", "name": name, "url": f"__BASE__/ru/author/{slug}.html"}
            if slug
            else {"@type": "Organization", "name": name}
            for name, slug in authors
        ]
        url = f"__BASE__{plan.path}"
        # The exemplar's own object is refilled in place: every field that differs is set below.
        for node in template.jsonld.get("@graph", [template.jsonld]):
            if node.get("@type") == "NewsArticle":
                node.update(
                    headline=plan.title,
                    datePublished=plan.published.isoformat(),
                    dateModified=plan.published.isoformat(),
                    author=people[0] if len(people) == 1 else people,
                    keywords=", ".join(name for name, _ in tags),
                    description=plan.lead,
                    articleSection=section,
                    mainEntityOfPage={"@type": "WebPage", "@id": url},
                )
                if isinstance(node.get("image"), dict):
                    node["image"]["url"] = f"__BASE__{plan.image}"
            elif node.get("@type") == "WebPage":
                node.update({"@id": url, "url": url, "name": plan.title})
        return json.dumps(template.jsonld, ensure_ascii=False, indent=template.jsonld_indent)

    def breadcrumb_ld(self, template: ArticleTemplate, slug: str, section: str) -> str:
        if template.breadcrumb_ld is None:
            return ""
        items = template.breadcrumb_ld.get("itemListElement", [])
        if items:
            items[-1].update(name=section, item=f"__BASE__/ru/{slug}")
        return json.dumps(template.breadcrumb_ld, ensure_ascii=False)

    def related(self, template: ArticleTemplate, plan: Plan, rng: random.Random) -> str:
        chosen = self.earlier_same_section(plan, rng, rng.randint(10, 20))
        return template.related.render(
            self.item_values(i, n, template.related) for n, i in enumerate(chosen, 1)
        )

    def popular(self, template: ArticleTemplate, plan: Plan, rng: random.Random) -> str:
        recent = (
            range(max(0, plan.index - 500), plan.index) if plan.index >= 10 else range(len(self.site.plans))
        )
        pool = [i for i in recent if i != plan.index]
        chosen = rng.sample(pool, min(rng.randint(5, 10), len(pool)))
        return template.popular.render(
            self.item_values(i, n, template.popular, rng) for n, i in enumerate(chosen, 1)
        )

    def item_values(
        self, index: int, number: int, tpl: ListTpl, rng: random.Random | None = None
    ) -> dict[str, str]:
        other = self.site.plans[index]
        return {
            "href": other.path,
            "title": esc(other.title),
            "date": show_date(other.published, tpl.date_style),
            "thumb": f"/uploads/thumbnail/{int(other.published.timestamp())}_big.webp",
            "views": str(rng.randint(1000, 20000) if rng else 0),
            "num": str(number),
        }

    def comments(self, template: ArticleTemplate, plan: Plan, rng: random.Random) -> dict[str, str]:
        corpus = self.site.corpus
        count = rng.randint(2, 20)
        when = plan.published
        items = []
        for _ in range(count):
            when += timedelta(minutes=rng.randint(20, 400))
            items.append(
                {
                    "author": esc(rng.choice(corpus.comment_authors)),
                    "date": show_date(when, template.comments.date_style),
                    "text": esc(rng.choice(corpus.comment_texts)),
                }
            )
        return {"comment_items": template.comments.render(items), "comment_count": str(count)}

    def state_script(self, plan: Plan, section_slug: str, room: int) -> str:
        """The page state a JavaScript front end would hydrate: the news feed, as much as fits."""
        page = {"type": "article", "id": plan.index + 1, "section": section_slug, "path": plan.path}
        head = f'<script>window.__INITIAL_STATE__={{"page":{json.dumps(page)},"user":null,"feed":['
        tail = "]};</script>\n"
        room -= len(head.encode("utf-8")) + len(tail)
        items, sizes, total = self.site.feed_items, self.site.feed_sizes, len(self.site.feed_items)
        chosen: list[str] = []
        step = 1
        while room > 0 and total:
            index = (plan.index - step) % total
            chosen.append(items[index])
            room -= sizes[index] + 1
            step += 1
        return head + ",".join(chosen) + tail


def feed_item(plan: Plan, corpus: Corpus) -> str:
    return json.dumps(
        {
            "id": plan.index + 1,
            "url": plan.path,
            "title": plan.title,
            "lead": plan.lead,
            "section": corpus.sections[plan.section][0],
            "published": plan.published.isoformat(),
            "image": plan.image,
            "tags": [corpus.tags[i][1] for i in plan.tags],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


# --- Listings, feed, sitemaps --------------------------------------------------------------------

CARD_ITEM = r'<article class="card">.*?</article>'
CARD_FIELDS = (
    r'href="(?P<href>[^"]+)"',
    r'<img src="(?P<image>[^"]+)"',
    r'<h3 class="card__title">(?P<title>[^<]*)</h3>',
    r'<div class="card__lead">(?P<lead>[^<]*)</div>',
    r'<div class="card__date">(?P<date>[^<]*)</div>',
)
NEWS_ITEM = r'<div class="news-item">.*?</span></div>'
NEWS_FIELDS = (
    r'href="(?P<href>[^"]+)">(?P<title>[^<]*)</a>',
    r'<p class="news-item__teaser">(?P<lead>[^<]*)</p>',
    r'<span class="news-item__date">(?P<date>[^<]*)</span>',
)
TOP_ITEM = r'<div class="top-news__item[^"]*">.*?</span></div>'
TOP_FIELDS = (
    r'href="(?P<href>[^"]+)"',
    r'<img src="(?P<image>[^"]+)"',
    r'<span class="top-news__title">(?P<title>[^<]*)</span>',
    r'<span class="top-news__date">(?P<date>[^<]*)</span>',
)
FEED_FIELDS = (
    r"<title>(?P<title>[^<]*)</title>",
    r"<link>__BASE__(?P<path>[^<]*)</link>",
    r"<guid[^>]*>__BASE__(?P<path>[^<]*)</guid>",
    r"<pubDate>(?P<date>[^<]*)</pubDate>",
    r"<description>(?P<lead>[^<]*)</description>",
    r"<category>(?P<section>[^<]*)</category>",
    r"<dc:creator>(?P<authors>[^<]*)</dc:creator>",
    r'<enclosure url="__BASE__(?P<image>[^"]*)"',
)
SITEMAP_FIELDS = (
    r"<loc>__BASE__(?P<path>[^<]*)</loc>",
    r"<lastmod>(?P<lastmod>[^<]*)</lastmod>",
    r"<news:publication_date>(?P<lastmod>[^<]*)</news:publication_date>",
    r"<news:title>(?P<title>[^<]*)</news:title>",
)
# Pages that are the same whatever the articles: copied as recorded.
COPIED = ("robots.txt", "ru/about.html", "ru/contacts.html", "ru/advertising.html", "ru/search/index.html")
COPIED_DIRS = ("static", "ru/photo")


@dataclass
class PageTpl:
    """A page (or feed, or sitemap) with one list of items cut out of it."""

    page: Tpl
    items: ListTpl


@dataclass
class ListingTpl(PageTpl):
    """A section listing, and how its pages are titled and linked to each other."""

    popular: ListTpl
    title_suffix: str  # «– новости Алматы» after the section's name
    page_suffix: Tpl  # «, страница @@page@@» from the second page on
    previous: Tpl
    next: Tpl
    pager_sep: str


@dataclass
class HomeTpl:
    page: Tpl
    big: Tpl  # the first top story
    small: Tpl  # the others
    count: int
    date_style: str
    popular: ListTpl


@dataclass
class SiteTemplates:
    """Every template but the article pages', cut before anything is written."""

    listing: ListingTpl
    tag: PageTpl
    author: PageTpl
    home: HomeTpl
    feed: PageTpl
    sitemap: PageTpl
    news_sitemap: PageTpl
    sitemap_index: PageTpl


def with_css(page: str, css: str) -> str:
    return page.replace("</head>", f"<style>{css}</style>\n</head>", 1)


def cut_popular(page: str) -> tuple[str, ListTpl]:
    for pattern in POPULAR_ITEMS:
        if re.search(pattern, page):
            page, _, tpl = cut_list(page, pattern, "popular_items", ITEM_FIELDS, ("href", "title"))
            return page, tpl
    raise TemplateError("no popular widget")


def listing_template(source: Path, slug: str, name: str, css: str) -> ListingTpl:
    """Cut from one section's first two pages (the second has both pager links)."""
    first = (source / "ru" / slug / "index.html").read_text("utf-8")
    second = (source / "ru" / slug / "index@page=2.html").read_text("utf-8")
    title1 = re.search(r"<title>([^<]*)</title>", first)
    title2 = re.search(r"<title>([^<]*)</title>", second)
    pager = re.search(r'<div class="pager">(.*?)</div>', second)
    if not (title1 and title2 and pager):
        raise TemplateError("listing pages without a title or a pager")
    previous = re.search(r'<a class="pager__prev"[^>]*>[^<]*</a>', pager.group(1))
    following = re.search(r'<a class="pager__next"[^>]*>[^<]*</a>', pager.group(1))
    if not (previous and following):
        raise TemplateError("the second listing page has no previous and next links")
    page, _, cards = cut_list(first, CARD_ITEM, "cards", CARD_FIELDS, ("href", "title"))
    page, popular = cut_popular(page)
    page = mark(page, r"<title>(?P<page_title>[^<]*)</title>")
    page = mark(page, r'<meta property="og:title" content="(?P<page_title>[^"]*)">', required=False)
    page = mark(page, r'<link rel="canonical" href="__BASE__(?P<canonical>[^"]*)">')
    lower = re.escape(name.lower())
    page = mark(page, rf'<meta name="description" content="[^"]*?(?P<section_lower>{lower})">')
    page = mark(page, r'<h1 class="section-title">(?P<section>[^<]*)</h1>')
    page = mark(page, r'<div class="pager">(?P<pager>.*?)</div>')
    return ListingTpl(
        page=Tpl(with_css(page, css)),
        items=cards,
        popular=popular,
        title_suffix=title1.group(1).removeprefix(name),
        page_suffix=Tpl(re.sub(r"\d+", "@@page@@", title2.group(1).removeprefix(title1.group(1)))),
        previous=Tpl(mark(previous.group(0), r'href="(?P<href>[^"]+)"')),
        next=Tpl(mark(following.group(0), r'href="(?P<href>[^"]+)"')),
        pager_sep=pager.group(1)[previous.end() : following.start()],
    )


def named_page_template(file: Path, item: str, fields: Sequence[str], name: str, css: str) -> PageTpl:
    """A tag or author page: its items cut out, its name and address made slots."""
    page, _, items = cut_list(file.read_text("utf-8"), item, "items", fields, ("href", "title"))
    page = replace_value(page, f"/ru/{file.parent.name}/{file.name}", "path")
    page = replace_value(page, name, "name")
    return PageTpl(Tpl(with_css(page, css)), items)


def first_template(files: Iterable[Path], build: Callable[[Path], PageTpl]) -> PageTpl:
    """The template of the first recorded page it can be cut from."""
    errors = []
    for file in sorted(files):
        try:
            return build(file)
        except (TemplateError, KeyError) as error:
            errors.append(f"{file.name}: {error}")
    raise TemplateError("no usable page: " + "; ".join(errors[:5]))


def home_template(source: Path, css: str) -> HomeTpl:
    page = (source / "index.html").read_text("utf-8")
    # The recorded home page also links a special project and an archive redirect: not generated.
    page = re.sub(r'<section class="(?:special|archive)">.*?</section>\n?', "", page, flags=re.S)
    page, items, first = cut_list(page, TOP_ITEM, "top_items", TOP_FIELDS, ("href", "title", "date"))
    _, _, others = cut_list(items[-1], TOP_ITEM, "top_items", TOP_FIELDS, ("href", "title", "date"))
    page, popular = cut_popular(page)
    return HomeTpl(
        Tpl(with_css(page, css)), first.item, others.item, len(items), first.date_style or "", popular
    )


def xml_template(file: Path, item: str, slot: str, fields: Sequence[str]) -> PageTpl:
    text, _, items = cut_list(file.read_text("utf-8"), item, slot, fields)
    text = mark(text, r"<lastBuildDate>(?P<built>[^<]*)</lastBuildDate>", required=False)
    return PageTpl(Tpl(text), items)


def site_templates(source: Path, corpus: Corpus, css: str) -> SiteTemplates:
    tags = {slug: "#" + name for name, slug in corpus.tags}
    authors = {slug: name for name, slug in corpus.authors if slug}
    robots = (source / "robots.txt").read_text("utf-8")
    if "Sitemap: __BASE__/sitemap.xml" not in robots:
        raise TemplateError("robots.txt does not name __BASE__/sitemap.xml")
    return SiteTemplates(
        listing=listing_template(source, *corpus.sections[0], css),
        tag=first_template(
            (source / "ru" / "tag").glob("*.html"),
            lambda f: named_page_template(f, NEWS_ITEM, NEWS_FIELDS, tags[f.stem], css),
        ),
        author=first_template(
            (source / "ru" / "author").glob("*.html"),
            lambda f: named_page_template(f, CARD_ITEM, CARD_FIELDS, authors[f.stem], css),
        ),
        home=home_template(source, css),
        feed=xml_template(source / "ru" / "rss.xml", r"<item>.*?</item>", "items", FEED_FIELDS),
        sitemap=xml_template(
            sorted((source / "sitemaps").glob("articles-*.xml"))[0], r"<url>.*?</url>", "urls", SITEMAP_FIELDS
        ),
        news_sitemap=xml_template(
            source / "sitemaps" / "news.xml", r"<url>.*?</url>", "urls", SITEMAP_FIELDS
        ),
        sitemap_index=xml_template(
            source / "sitemap.xml", r"<sitemap>.*?</sitemap>", "sitemaps", SITEMAP_FIELDS
        ),
    )


# --- The whole site --------------------------------------------------------------------------------


def inline_css(classes: Iterable[str], rng: random.Random) -> str:
    """Critical CSS inlined in every page, as real sites do: rules for the classes the pages use."""
    properties = (
        "display:flex", "display:block", "display:grid", "margin:0 auto", "padding:8px 16px",
        "padding:0", "font-size:14px", "font-size:16px", "font-size:18px", "line-height:1.5",
        "color:#1a1a1a", "color:#6b6b6b", "background:#fff", "background:#f4f5f7", "border:0",
        "border-bottom:1px solid #e5e5e5", "border-radius:4px", "font-weight:700", "position:relative",
        "overflow:hidden", "text-decoration:none", "gap:12px", "align-items:center", "max-width:100%",
        "transition:color .2s ease-in-out", "box-sizing:border-box", "white-space:nowrap",
    )  # fmt: skip
    rules = []
    for media in ("", "@media (max-width:991px){", "@media (max-width:575px){"):
        block = []
        for name in sorted(classes):
            chosen = rng.sample(properties, rng.randint(3 if not media else 1, 8 if not media else 3))
            block.append(f".{name}{{{';'.join(chosen)}}}")
            if not media and rng.random() < 0.5:
                block.append(f".{name}:hover,.{name}:focus{{{rng.choice(properties)}}}")
        rules.append(media + "".join(block) + ("}" if media else ""))
    return "\n".join(rules)


def article_templates(
    records: list[dict[str, Any]], pages: dict[str, str], corpus: Corpus, css: str
) -> dict[tuple[str, str], ArticleTemplate]:
    """One template per (template, metadata variant), cut from the first recorded page that has all
    the parts."""
    links = re.search(AUTHOR_LINK, "\n".join(pages.values()))
    if not links:
        raise TemplateError("no author link in the recorded articles")
    author_link = Tpl(mark(links.group(0), AUTHOR_LINK))
    templates: dict[tuple[str, str], ArticleTemplate] = {}
    errors: list[str] = []
    for record in sorted(records, key=lambda r: r["path"]):
        key = (article_kind(pages[record["path"]]), record["machine_date"])
        if key in templates:
            continue
        try:
            templates[key] = cut_article(pages[record["path"]], record, author_link, corpus, css)
        except TemplateError as error:
            errors.append(f"{record['path']}: {error}")
    missing = [(k, m) for k in ("old", "new") for m in METADATA_MIX if (k, m) not in templates]
    if missing:
        raise TemplateError(f"no article page to cut templates {missing} from: {errors}")
    return templates


def build_site(source: Path, count: int, seed: int) -> Site:
    """Read the recorded mirror, cut every template and plan every article."""
    records = json.loads((source / "_articles.json").read_text("utf-8"))
    pages = {r["path"]: (source / r["path"].lstrip("/")).read_text("utf-8") for r in records}
    corpus = load_corpus(source, records, pages)
    classes = {
        name
        for page in pages.values()
        for value in re.findall(r'class="([^"]+)"', page)
        for name in value.split()
    }
    css = inline_css(classes, random.Random(seed))
    plans = plan_articles(corpus, count, seed)
    by_section: list[list[int]] = [[] for _ in corpus.sections]
    position = []
    for plan in plans:
        position.append(len(by_section[plan.section]))
        by_section[plan.section].append(plan.index)
    items = [feed_item(plan, corpus) for plan in plans]
    return Site(
        corpus=corpus,
        plans=plans,
        articles=article_templates(records, pages, corpus, css),
        parts={kind: body_parts(kind, records, pages) for kind in ("old", "new")},
        templates=site_templates(source, corpus, css),
        feed_items=items,
        feed_sizes=[len(item.encode("utf-8")) for item in items],
        by_section=by_section,
        section_position=position,
        seed=seed,
    )


def ground_truth(plan: Plan, paragraphs: list[str], site: Site, size: int, in_rss: bool) -> str:
    corpus = site.corpus
    original = site.plans[plan.duplicate_of].path if plan.duplicate_of is not None else None
    template = site.articles[(plan.kind, plan.metadata)]
    return json.dumps(
        {
            "path": plan.path,
            "title": plan.title,
            "published": plan.published.isoformat(),
            "lead": paragraphs[0],
            "paragraphs": paragraphs,
            "authors": [corpus.authors[i][0] for i in plan.authors],
            "section": corpus.sections[plan.section][1],
            "tags": [corpus.tags[i][0] for i in plan.tags],
            "image_url": f"__BASE__{plan.image}" if "image" in template.page.slots else None,
            "lang": "ru",
            "near_duplicate_of": original,
            "template": plan.kind,
            "machine_date": plan.metadata,
            "in_sitemap": True,
            "in_rss": in_rss,
            "in_listing": True,
            "page_bytes": size,
        },
        ensure_ascii=False,
    )


def write_articles(site: Site, writer: Writer) -> list[int]:
    """The article pages and the ground truth, one article at a time."""
    generator = Generator(site)
    sizes = []
    newest = len(site.plans) - FEED_SIZE
    with (writer.root / "_articles.jsonl").open("w", encoding="utf-8", buffering=1024 * KB) as truth:
        for plan in site.plans:
            rng = random.Random(f"{site.seed}:{plan.index}")
            paragraphs = generator.paragraphs(plan, rng)
            size = writer.write(plan.path.lstrip("/"), generator.page(plan, paragraphs, rng))
            sizes.append(size)
            truth.write(ground_truth(plan, paragraphs, site, size, plan.index >= newest) + "\n")
    return sizes


def short_lead(lead: str, limit: int = 110) -> str:
    """A card's teaser: the lead cut at a word, with an ellipsis, like the listings print it."""
    if len(lead) <= limit + 10:
        return lead
    return lead[:limit].rsplit(" ", 1)[0].rstrip(",;:–- ") + "…"


def card_values(plan: Plan, date_style: str | None, teaser: bool = True) -> dict[str, str]:
    return {
        "href": plan.path,
        "image": plan.image,
        "title": esc(plan.title),
        "lead": esc(short_lead(plan.lead) if teaser else plan.lead),
        "date": show_date(plan.published, date_style),
    }


def popular_items(site: Site, tpl: ListTpl, rng: random.Random) -> str:
    recent = range(max(0, len(site.plans) - 300), len(site.plans))
    chosen = rng.sample(list(recent), min(5, len(recent)))
    return tpl.render(
        {
            **card_values(site.plans[i], None),
            "views": str(rng.randint(1000, 20000)),
            "num": str(n),
            "thumb": "",
        }
        for n, i in enumerate(chosen, 1)
    )


def write_listings(site: Site, writer: Writer, rng: random.Random) -> list[str]:
    """Each section's articles, newest first, 20 a page: /ru/<section>, /ru/<section>?page=N."""
    tpl, written = site.templates.listing, []
    for section, (slug, name) in enumerate(site.corpus.sections):
        members = site.by_section[section][::-1]
        pages = max(1, -(-len(members) // PER_PAGE))
        for number in range(1, pages + 1):
            address = f"/ru/{slug}" if number == 1 else f"/ru/{slug}?page={number}"
            links = []
            if number > 1:
                links.append(
                    tpl.previous.render(
                        {"href": f"/ru/{slug}" if number == 2 else f"/ru/{slug}?page={number - 1}"}
                    )
                )
            if number < pages:
                links.append(tpl.next.render({"href": f"/ru/{slug}?page={number + 1}"}))
            suffix = tpl.page_suffix.render({"page": str(number)}) if number > 1 else ""
            chunk = members[(number - 1) * PER_PAGE : number * PER_PAGE]
            values = {
                "page_title": esc(name + tpl.title_suffix + suffix),
                "canonical": address,
                "section_lower": esc(name.lower()),
                "section": esc(name),
                "cards": tpl.items.render(card_values(site.plans[i], tpl.items.date_style) for i in chunk),
                "pager": tpl.pager_sep.join(links),
                "popular_items": popular_items(site, tpl.popular, rng),
            }
            file = f"ru/{slug}/index.html" if number == 1 else f"ru/{slug}/index@page={number}.html"
            writer.write(file, tpl.page.render(values))
            written.append(address)
    return written


def write_named_pages(site: Site, writer: Writer) -> list[str]:
    """Tag pages and author pages: the newest 20 articles of each."""
    corpus = site.corpus
    lists: dict[tuple[str, str, str], list[int]] = {}  # (kind, slug, name) -> articles
    for plan in site.plans:
        for tag in plan.tags:
            name, slug = corpus.tags[tag]
            lists.setdefault(("tag", slug, "#" + name), []).append(plan.index)
        for author in plan.authors:
            name, person = corpus.authors[author]
            if person:
                lists.setdefault(("author", person, name), []).append(plan.index)
    written = []
    for (kind, slug, name), members in sorted(lists.items()):
        tpl = site.templates.tag if kind == "tag" else site.templates.author
        path = f"/ru/{kind}/{slug}.html"
        newest = [
            card_values(site.plans[i], tpl.items.date_style, kind != "tag") for i in members[::-1][:PER_PAGE]
        ]
        writer.write(
            path.lstrip("/"),
            tpl.page.render({"path": path, "name": esc(name), "items": tpl.items.render(newest)}),
        )
        written.append(path)
    return written


def write_home(site: Site, writer: Writer, rng: random.Random) -> None:
    home = site.templates.home
    newest = site.plans[::-1][: home.count]
    top = [
        (home.big if n == 0 else home.small).render(card_values(plan, home.date_style))
        for n, plan in enumerate(newest)
    ]
    values = {"top_items": "\n".join(top), "popular_items": popular_items(site, home.popular, rng)}
    writer.write("index.html", home.page.render(values))


def write_feed(site: Site, writer: Writer) -> None:
    """The RSS feed of the newest 50."""
    corpus, tpl = site.corpus, site.templates.feed
    newest = site.plans[::-1][:FEED_SIZE]
    items = tpl.items.render(
        {
            "title": esc(plan.title),
            "path": plan.path,
            "date": format_datetime(plan.published),
            "lead": esc(plan.lead),
            "section": esc(corpus.sections[plan.section][1]),
            "authors": esc(", ".join(corpus.authors[i][0] for i in plan.authors)),
            "image": plan.image,
        }
        for plan in newest
    )
    built = format_datetime(newest[0].published + timedelta(minutes=5))
    writer.write("ru/rss.xml", tpl.page.render({"items": items, "built": built}))


def write_sitemaps(site: Site, writer: Writer) -> None:
    """One sitemap per 5,000 articles and a news sitemap of the newest 50, in a sitemap index."""
    templates = site.templates

    def url(plan: Plan) -> dict[str, str]:
        return {"path": plan.path, "lastmod": plan.published.isoformat(), "title": esc(plan.title)}

    entries = []
    for start in range(0, len(site.plans), URLS_PER_SITEMAP):
        plans = site.plans[start : start + URLS_PER_SITEMAP]
        path = f"/sitemaps/articles-{start // URLS_PER_SITEMAP + 1}.xml"
        urls = templates.sitemap.items.render(url(p) for p in plans)
        writer.write(path.lstrip("/"), templates.sitemap.page.render({"urls": urls}))
        entries.append({"path": path, "lastmod": max(p.published for p in plans).isoformat()})
    newest = site.plans[::-1][:FEED_SIZE]
    urls = templates.news_sitemap.items.render(url(p) for p in newest)
    writer.write("sitemaps/news.xml", templates.news_sitemap.page.render({"urls": urls}))
    entries.append({"path": "/sitemaps/news.xml", "lastmod": newest[0].published.isoformat()})
    sitemaps = templates.sitemap_index.items.render(entries)
    writer.write("sitemap.xml", templates.sitemap_index.page.render({"sitemaps": sitemaps}))


def copy_site_pages(source: Path, writer: Writer) -> list[str]:
    copied = []
    for name in COPIED:
        writer.write(name, (source / name).read_text("utf-8"))
        copied.append(name)
    for folder in COPIED_DIRS:
        for file in sorted((source / folder).rglob("*")):
            if file.is_file():
                relative = file.relative_to(source).as_posix()
                writer.write(relative, file.read_text("utf-8"))
                copied.append(relative)
    return copied


def prepare(out: Path) -> None:
    """An empty folder to write into; a previous output of this script is replaced."""
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise SystemExit(f"error: {out} is not empty and was not written by this script")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    # Written first, so that the folder of an interrupted run is recognised and replaced too.
    (out / MARKER).write_text('{"complete": false}\n', "utf-8")


def generate(
    out: Path, articles: int = 20000, seed: int = 1, source: Path = DEFAULT_SOURCE
) -> dict[str, Any]:
    """Write the mirror into ``out``; returns the summary figures."""
    started = time.perf_counter()
    site = build_site(source, articles, seed)  # before touching ``out``: a template may be missing
    prepare(out)
    writer = Writer(out)
    rng = random.Random(seed)
    sizes = write_articles(site, writer)
    non_articles = ["/", *write_listings(site, writer, rng), *write_named_pages(site, writer)]
    write_home(site, writer, rng)
    write_feed(site, writer)
    write_sitemaps(site, writer)
    copied = copy_site_pages(source, writer)
    non_articles += [f"/{name}" for name in copied if name.endswith(".html") and "search" not in name]
    writer.write("_non_articles.json", json.dumps(non_articles, ensure_ascii=False, indent=1))
    complete = {"complete": True, "articles": articles, "seed": seed}
    (out / MARKER).write_text(json.dumps(complete) + "\n", "utf-8")
    return {
        "articles": len(sizes),
        "near_duplicates": sum(1 for p in site.plans if p.duplicate_of is not None),
        "templates": {f"{k}/{m}": t.exemplar for (k, m), t in sorted(site.articles.items())},
        "files": writer.files + 2,  # and the ground truth and the marker
        "total_mb": round((writer.bytes + (out / "_articles.jsonl").stat().st_size) / KB / KB, 1),
        "page_kb": size_figures(sizes),
        "seconds": round(time.perf_counter() - started, 1),
    }


def size_figures(sizes: list[int]) -> dict[str, float]:
    kb = sorted(s / KB for s in sizes)
    deciles = statistics.quantiles(kb, n=10, method="inclusive") if len(kb) > 1 else [kb[0]] * 9
    return {
        "mean": round(statistics.fmean(kb), 1),
        "min": round(kb[0], 1),
        "p10": round(deciles[0], 1),
        "median": round(statistics.median(kb), 1),
        "p90": round(deciles[-1], 1),
        "max": round(kb[-1], 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a large synthetic mirror of Vecher.kz.")
    parser.add_argument("out", type=Path, help="the folder to write (replaced if this script wrote it)")
    parser.add_argument("--articles", type=int, default=20000, help="how many articles (default 20000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--source", type=Path, default=DEFAULT_SOURCE, help="the recorded mirror to build from"
    )
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    try:
        summary = generate(args.out, args.articles, args.seed, args.source)
    except TemplateError as error:
        print(f"error: cannot cut templates from {args.source}: {error}", file=sys.stderr)
        return 2
    kb = summary["page_kb"]
    print(
        f"articles {summary['articles']} (near-duplicates {summary['near_duplicates']}), "
        f"files {summary['files']}, total {summary['total_mb']} MB, article page KB: mean {kb['mean']} "
        f"min {kb['min']} p10 {kb['p10']} median {kb['median']} p90 {kb['p90']} max {kb['max']}, "
        f"{summary['seconds']} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
