"""Property-based fuzz tests (Hypothesis) of the crawler's pure functions.

Properties, for any input: no exception escapes, every output keeps its type, and no date is in
the future. Functions under test: ``pipelines.article_from_html`` (arbitrary text and bytes,
random HTML trees with metadata and JSON-LD, Cyrillic and Kazakh prose), the date parsers of
``pipelines.dates`` (round trip through the Almaty offset of each day included),
``pipelines.attribution.find_citations``, ``pipelines.urls.url_key`` (idempotence and invariance
under tracking parameters, fragments, ``www.``, trailing slashes, scheme and host case),
``crawler.decoding.recover`` (never mojibake) and ``pipelines.clean.clean_paragraphs``
(every paragraph accounted for, long prose never removed).

Profiles live in tests/hypothesis_profiles.py: ``ci`` (default, derandomised, < 60 s for this
file) and ``nightly`` (5000 examples per test, random, failures kept in .hypothesis/):

    HYPOTHESIS_PROFILE=nightly .venv/bin/python -m pytest tests/test_fuzz.py

A test marked ``skip(reason="bug: ...")`` fails on a real bug of the code under test; its
``@example`` is the minimal failing input. Remove the skip once the bug is fixed.
"""

from __future__ import annotations

import functools
import html
import html.entities
import json
import logging
import re
import string
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from crawler.decoding import recover
from pipelines import article_from_html
from pipelines.attribution import find_citations
from pipelines.clean import clean_paragraphs, normalize_paragraph
from pipelines.dates import (
    EARLIEST,
    FUTURE_ALLOWANCE,
    MONTHS,
    RELATIVE_DAYS,
    is_plausible,
    parse_iso,
    parse_rfc822,
    parse_visible,
    to_iso,
)
from pipelines.outlets import load_registry
from pipelines.urls import url_key
from tests.hypothesis_profiles import budget

ALMATY = ZoneInfo("Asia/Almaty")
# The fetch time of every generated page: dates after NOW + FUTURE_ALLOWANCE must be refused.
NOW = datetime(2026, 3, 15, 9, 30, tzinfo=timezone.utc)

# --------------------------------------------------------------------------------------------------
# Alphabets and words
# --------------------------------------------------------------------------------------------------

RUSSIAN = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
KAZAKH = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
PUNCTUATION = ".,;:!?…-‐–—―()[]{}«»“”„‟\"'‘’‚‹›/\\|@#№%&*+=<>~^_`§©®°±•·"
# No-break, zero-width, soft hyphen, narrow and thin spaces, BOM.
INVISIBLE = "\u00a0\u200b\u200c\u200d\u2060\ufeff\u00ad\u202f\u2009"
ALPHABET = RUSSIAN + KAZAKH + string.digits + PUNCTUATION + INVISIBLE + " \n\t"
MONTH_NAMES = tuple(sorted(MONTHS))
GENITIVE = {
    1: "января", 2: "февраля", 3: "марта", 4: "апреля", 5: "мая", 6: "июня", 7: "июля",
    8: "августа", 9: "сентября", 10: "октября", 11: "ноября", 12: "декабря",
}  # fmt: skip
RU_WORDS = (
    "в", "на", "и", "с", "по", "для", "что", "это", "год", "город", "области", "жители", "власти",
    "сообщили", "время", "проект", "работы", "дороги", "новый", "большой", "строительство",
    "министерство", "здравоохранения", "республики", "казахстан", "алматы", "астана", "школа",
    "ученики", "учителя", "погода", "снег", "дождь", "температура", "воздуха", "градусов", "мороз",
    "акимат", "решение", "закон", "президент", "парламент", "депутаты", "вопрос", "рынок", "цены",
    "тенге", "доллар", "бюджет", "миллиардов", "рост", "экономика", "транспорт", "автобус",
    "маршрут", "станция", "метро", "полиция", "пожар", "спасатели", "больница", "врачи",
)  # fmt: skip
# Words that start boilerplate lines (cleaning rules), so that long prose starting with them is tried.
RULE_WORDS = (
    "фото", "фото:", "источник:", "реклама", "читайте также:", "подписывайтесь", "©", "теги:",
    "автор", "поделиться", "комментарии", "по теме:", "сурет:", "все права защищены",
)  # fmt: skip
TRIGGERS = (
    "сообщает", "со ссылкой на", "по данным", "хабарлайды", "деп хабарлайды", "reports citing",
    "Источник:", "в интервью", "цитирует", "мәліметінше", "according to", "сообщили в", "Фото:",
)  # fmt: skip
REGISTRY = load_registry()


def items(values: tuple[str, ...]) -> st.SearchStrategy[str]:
    """``st.sampled_from(values)`` for a long tuple, without a repr that lists every item
    (Hypothesis warns about large reprs, and warnings are errors in this suite)."""
    return st.integers(0, len(values) - 1).map(values.__getitem__)


OUTLET_NAMES = tuple(sorted({alias for outlet in REGISTRY.outlets for alias in outlet.aliases}))
OUTLET_DOMAINS = tuple(sorted({domain for outlet in REGISTRY.outlets for domain in outlet.domains}))
PAGE_URLS = (
    "https://vecher.kz/ru/article/situatsiya-seychas-ochen-sereznaya.html",
    "https://www.inform.kz/ru/novosti-1a2b3c4d",
    "https://kaz.inform.kz/news/zhanalyk-1a2b3c",
    "https://example.kz/news/2024/01/02/1",
    "http://127.0.0.1:8000/ru/a.html",
)
RELATIONS = {"cites", "interview", "statement", "quotes"}
CITATION_KEYS = {
    "position", "source", "source_name", "name", "cited_by", "relation", "evidence", "method",
    "confidence", "cited_url", "resolved_article_id",
}  # fmt: skip
DECODINGS = {"declared", "utf-8+cp1251 by line", "cp1251", "koi8_r"}

# Characters that Python's re.IGNORECASE treats as a case of a letter, beyond str.upper/lower
# (ſ for s, K for k, ᲀ for в, ...): what a page's «any case» can really hold.
_CASED = tuple(ch for ch in map(chr, range(0x10000)) if ch.lower() != ch or ch.upper() != ch)


@functools.cache
def _ignorecase_variants(letter: str) -> tuple[str, ...]:
    pattern = re.compile(re.escape(letter), re.IGNORECASE)
    return tuple(sorted({letter, *(ch for ch in _CASED if pattern.fullmatch(ch))}))


# --------------------------------------------------------------------------------------------------
# Strategies: words, text, dates
# --------------------------------------------------------------------------------------------------


def any_case(word: str) -> st.SearchStrategy[str]:
    """``word`` with each letter in lower or upper case (str.lower / str.upper)."""
    return st.tuples(*(st.sampled_from(sorted({c, c.lower(), c.upper()})) for c in word)).map("".join)


def any_unicode_case(word: str) -> st.SearchStrategy[str]:
    """``word`` with each letter in any form that re.IGNORECASE matches (ſ, K, ᲀ included)."""
    return st.tuples(*(st.sampled_from(_ignorecase_variants(c)) for c in word)).map("".join)


def joined(tokens: st.SearchStrategy[str], max_size: int = 25) -> st.SearchStrategy[str]:
    separators = st.sampled_from([" ", " ", ", ", ". ", "\u00a0", "", "\n", " — ", "\u200b", "; ", "! "])
    pairs = st.lists(st.tuples(tokens, separators), max_size=max_size)
    return pairs.map(lambda items: "".join(token + separator for token, separator in items))


cyrillic_words = st.text(alphabet=RUSSIAN + KAZAKH, min_size=1, max_size=12)
tokens = st.one_of(
    cyrillic_words,
    st.sampled_from(MONTH_NAMES).flatmap(any_case),
    st.integers(0, 2100).map(str),
    st.sampled_from(PUNCTUATION + INVISIBLE),
    st.sampled_from(TRIGGERS),
    st.sampled_from(RU_WORDS),
)
#: Cyrillic and Kazakh text with digits, month names, punctuation of every kind, NBSP and
#: zero-width characters.
cyrillic_text = st.one_of(joined(tokens), st.text(alphabet=ALPHABET, max_size=200))


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


prose_sentence = st.lists(st.sampled_from(RU_WORDS), min_size=4, max_size=14).map(
    lambda words: capitalised(" ".join(words)) + "."
)


@st.composite
def visible_dates(
    draw: st.DrawFn, offsets: bool = False, max_offset_hours: int = 99, terminated: bool = False
) -> str:
    """Date-like text as readers see it: random day 0-40, any month name from MONTHS in any case,
    years 1900-2100, times with out-of-range hours and minutes, relative words; with ``offsets``,
    an explicit «GMT +N» after it (``N`` up to ``max_offset_hours``), ``terminated`` by a character
    that is not a digit (else digits of the next text node run on into the offset: bug B4)."""
    day = draw(st.integers(0, 40))
    day_text = draw(st.sampled_from([str(day), f"{day:02d}"]))
    month = draw(st.sampled_from(MONTH_NAMES).flatmap(any_case))
    month_number = draw(st.integers(0, 15))
    year = draw(st.integers(1900, 2100))
    hour, minute = draw(st.integers(0, 99)), draw(st.integers(0, 99))
    clock = draw(st.sampled_from([f"{hour}:{minute:02d}", f"{hour:02d}.{minute:02d}", f"{hour}:{minute}"]))
    suffix = draw(st.sampled_from(["", " года", " г.", " г", "г.", " жылы", " ж.", " жыл"]))
    relative = draw(st.sampled_from(sorted(RELATIVE_DAYS)).flatmap(any_case))
    text = draw(
        st.sampled_from(
            [
                f"{clock}, {day_text} {month} {year}{suffix}",
                f"{day_text} {month} {year}{suffix}, {clock}",
                f"{day_text} {month}. {year} в {clock}",
                f"{day_text} {month} {year}",
                f"{day_text}.{month_number:02d}.{year} {clock}",
                f"{clock}, {day_text}.{month_number}.{year}",
                f"{relative}, {clock}",
                f"{relative} в {clock}",
                f"{relative}",
            ]
        )
    )
    if offsets:
        sign = draw(st.sampled_from(["+", "-", "−", "", "+ "]))
        hours = draw(st.integers(0, max_offset_hours))
        zone = draw(st.sampled_from(["GMT", "UTC", "gmt"]))
        tail = draw(st.sampled_from([f"{hours}", f"{hours:02d}", f"{hours:02d}:30", f"{hours:02d}00"]))
        text += draw(st.sampled_from([" | ", " ", ""])) + f"{zone} {sign}{tail}"
        if terminated:
            text += draw(st.sampled_from([".", ",", " ", " |", "\u00a0"]))
    before = draw(st.sampled_from(["", "Автор Vecher.kz / ", "Опубликовано: ", "  ", "\u00a0"]))
    return before + text


@st.composite
def iso_like(draw: st.DrawFn, years: st.SearchStrategy[int] | None = None) -> str:
    """Machine dates: ISO 8601 and its variants with out-of-range fields and offsets."""
    year = draw(years if years is not None else st.integers(1900, 2100))
    month, day = draw(st.integers(0, 13)), draw(st.integers(0, 40))
    hour, minute, second = draw(st.integers(0, 25)), draw(st.integers(0, 61)), draw(st.integers(0, 61))
    stamp = f"{year:04d}-{month:02d}-{day:02d}"
    clock = draw(st.sampled_from(["", f"{hour:02d}:{minute:02d}", f"{hour:02d}:{minute:02d}:{second:02d}"]))
    if clock:
        clock += draw(st.sampled_from(["", ".123", ".123456", ",5"]))
        stamp += draw(st.sampled_from(["T", " ", "t", "  "])) + clock
    sign = draw(st.sampled_from(["+", "-"]))
    oh, om = draw(st.integers(0, 30)), draw(st.integers(0, 70))
    stamp += draw(
        st.sampled_from(
            [
                "",
                "Z",
                "z",
                f"{sign}{oh:02d}:{om:02d}",
                f"{sign}{oh:02d}{om:02d}",
                f" {sign}{oh:02d}{om:02d}",
                f"{sign}{oh:02d}",
                " UTC",
            ]
        )
    )
    return draw(st.sampled_from(["", " ", "\n"])) + stamp + draw(st.sampled_from(["", " ", "\t"]))


@st.composite
def rfc822_like(draw: st.DrawFn, years: st.SearchStrategy[int] | None = None) -> str:
    """RSS ``pubDate`` values with out-of-range fields and zones."""
    weekday = draw(st.sampled_from(["", "Mon, ", "Fri, ", "Sun ", "Пн, "]))
    day = draw(st.integers(0, 40))
    month = draw(st.sampled_from(["Jan", "Feb", "Sep", "Dec", "dec", "Sept", "Янв", "Foo"]))
    year = draw(years if years is not None else st.one_of(st.integers(1900, 2100), st.integers(0, 99)))
    hour, minute, second = draw(st.integers(0, 30)), draw(st.integers(0, 70)), draw(st.integers(0, 70))
    zone = draw(
        st.one_of(
            st.sampled_from(["", "GMT", "UT", "Z", "EST", "+0600", "-0000", "MSK"]),
            st.tuples(st.sampled_from("+-"), st.integers(0, 9999)).map(lambda t: f"{t[0]}{t[1]:04d}"),
        )
    )
    return f"{weekday}{day:02d} {month} {year} {hour:02d}:{minute:02d}:{second:02d} {zone}".strip()


#: Any aware datetime the datetime type can hold, with any fixed UTC offset.
fixed_offsets = st.timedeltas(
    min_value=-timedelta(hours=23, minutes=59), max_value=timedelta(hours=23, minutes=59)
).map(lambda delta: timezone(timedelta(minutes=delta // timedelta(minutes=1))))
any_aware_datetime = st.one_of(
    st.datetimes(timezones=fixed_offsets),
    # The edges of the range, where a change of offset leaves it.
    st.builds(
        lambda year, last, hour, minute, zone: datetime(
            year, 12 if last else 1, 31 if last else 1, hour, minute, tzinfo=zone
        ),
        st.sampled_from([1, 9999]),
        st.booleans(),
        st.integers(0, 23),
        st.integers(0, 59),
        fixed_offsets,
    ),
)

# --------------------------------------------------------------------------------------------------
# Strategies: URLs
# --------------------------------------------------------------------------------------------------

HOST_LABEL = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=10).filter(
    lambda label: label not in {"www", "m", "mobile", "amp"}
)
TLD = st.sampled_from(["kz", "com", "ru", "org", "net", "media"])
PATH_SEGMENT = st.one_of(
    st.text(alphabet=string.ascii_letters + string.digits + "-_.~", min_size=1, max_size=12),
    st.text(alphabet=RUSSIAN + KAZAKH + string.digits + "-", min_size=1, max_size=10),
    st.text(alphabet=RUSSIAN + string.digits, min_size=1, max_size=8).map(quote),
).filter(lambda segment: segment not in {".", "..", "amp"})
QUERY_PAIR = st.tuples(
    st.sampled_from(
        ["id", "page", "p", "q", "tag", "lang", "sort", "type", "category", "region", "section", "year"]
    )
    | st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=8),
    st.text(alphabet=string.ascii_letters + string.digits + RUSSIAN + " -_.", max_size=8),
)
# Names html.unescape expands without a «;» (``&region`` -> ``®ion``): courlan unescapes URLs (bug B7).
LEGACY_ENTITIES = tuple(sorted(name for name in html.entities.html5 if not name.endswith(";")))
#: Query parameters whose names do not start with such an entity name.
ENTITY_FREE_QUERY_PAIR = QUERY_PAIR.filter(lambda pair: not pair[0].startswith(LEGACY_ENTITIES))
TRACKING_PAIR = st.tuples(
    st.sampled_from(
        ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "fbclid", "gclid"]
    ),
    st.text(alphabet=string.ascii_letters + string.digits + RUSSIAN + " -_.%", max_size=12),
)


def random_case(text: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda flips: "".join(c.upper() if flip else c.lower() for c, flip in zip(text, flips, strict=True))
    )


@st.composite
def url_parts(
    draw: st.DrawFn, pairs: st.SearchStrategy[tuple[str, str]] = QUERY_PAIR, unique_names: bool = False
) -> dict[str, Any]:
    labels = draw(st.lists(HOST_LABEL, min_size=1, max_size=3))
    return {
        "scheme": draw(st.sampled_from(["http", "https"])),
        "host": ".".join([*labels, draw(TLD)]),
        "segments": draw(st.lists(PATH_SEGMENT, max_size=4)),
        "query": draw(
            st.lists(pairs, max_size=3, unique_by=(lambda pair: pair[0]) if unique_names else None)
        ),
    }


def build_url(
    parts: dict[str, Any],
    *,
    scheme: str | None = None,
    host: str | None = None,
    slash: bool = False,
    query: list[tuple[str, str]] | None = None,
    fragment: str | None = None,
) -> str:
    path = "".join("/" + segment for segment in parts["segments"])
    if slash:
        path += "/"
    pairs = parts["query"] if query is None else query
    url = f"{scheme or parts['scheme']}://{host or parts['host']}{path}"
    if pairs:
        url += "?" + urlencode(pairs)
    if fragment is not None:
        url += "#" + fragment
    return url


@st.composite
def url_variants(
    draw: st.DrawFn, pairs: st.SearchStrategy[tuple[str, str]], unique_names: bool
) -> tuple[str, str]:
    """A URL and a variant of it: tracking parameters added, query reordered, a fragment, ``www.`` or
    ``m.``, a trailing slash, scheme and host in another case."""
    parts = draw(url_parts(pairs, unique_names))
    query = draw(st.permutations(parts["query"]))
    where = draw(st.integers(0, len(query)))
    query[where:where] = draw(st.lists(TRACKING_PAIR, max_size=3))
    variant = build_url(
        parts,
        scheme=draw(st.sampled_from(["http", "https"]).flatmap(random_case)),
        host=draw(st.sampled_from(["", "www.", "m.", "WWW."])) + draw(random_case(parts["host"])),
        slash=draw(st.booleans()),
        query=query,
        fragment=draw(
            st.none() | st.text(alphabet=string.ascii_letters + string.digits + RUSSIAN + "/-_=&?#!")
        ),
    )
    return build_url(parts), variant


#: Generated URLs (query parameter names clear of bug B7, which url_key_on_generated_urls would
#: otherwise find: see test_url_key_ignores_what_is_not_the_article_whatever_the_parameter_names).
urls = st.one_of(
    url_parts(ENTITY_FREE_QUERY_PAIR).map(build_url),
    st.builds(
        lambda parts, scheme, prefix, fragment: build_url(
            parts, scheme=scheme, host=prefix + parts["host"], fragment=fragment
        ),
        url_parts(ENTITY_FREE_QUERY_PAIR),
        st.sampled_from(["http", "https"]).flatmap(random_case),
        st.sampled_from(["", "www.", "m.", "WWW."]),
        st.none() | st.text(max_size=10),
    ),
)

# --------------------------------------------------------------------------------------------------
# Strategies: HTML pages
# --------------------------------------------------------------------------------------------------

#: URLs as pages hold them in og:image, canonical, src, isBasedOn: absolute, relative, odd.
SAFE_URL_VALUES = st.one_of(
    st.sampled_from(PAGE_URLS),
    st.sampled_from(
        [
            "/ru/news/1",
            "//cdn.example.kz/a.jpg",
            "image.jpg",
            "",
            " ",
            "javascript:void(0)",
            "mailto:a@b.kz",
            "data:image/png;base64,AAAA",
            "https://t.me/vecherkz",
            "https://tengrinews.kz/news/1/",
            "https://www.inform.kz/ru/x-1a2b3c4d",
        ]
    ),
    urls,
    st.text(alphabet=ALPHABET.replace("[", "").replace("]", ""), max_size=30),
)
#: ... and the ones with a broken host («http://[», an unclosed IPv6 literal).
BROKEN_URL_VALUES = st.sampled_from(["http://[", "https://[::1", "//[", "http://[x]y/", "https://a]b.kz/"])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=ALPHABET, max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def jsonld_node(
    url_values: st.SearchStrategy[str], crumbs: st.SearchStrategy[Any]
) -> st.SearchStrategy[dict]:
    """A JSON-LD node with the keys the metadata reader looks at, holding typical or random values."""
    names = st.one_of(cyrillic_text, items(OUTLET_NAMES))
    person = st.fixed_dictionaries(
        {"@type": st.sampled_from(["Person", "Organization"]), "name": names | json_values}
    )
    dates = st.one_of(iso_like(), visible_dates(), json_values)
    return st.fixed_dictionaries(
        {
            "@type": st.sampled_from(
                [
                    "NewsArticle",
                    "Article",
                    "WebPage",
                    "BreadcrumbList",
                    "ReportageNewsArticle",
                    "Organization",
                    "Person",
                ]
            )
            | st.just(["NewsArticle", "Article"])
            | json_values
        },
        optional={
            "headline": cyrillic_text | json_values,
            "description": st.lists(prose_sentence, min_size=1, max_size=3).map(" ".join) | json_values,
            "datePublished": dates,
            "dateModified": dates,
            "author": st.one_of(names, person, st.lists(person | names, max_size=3), json_values),
            "image": st.one_of(
                url_values,
                st.fixed_dictionaries({"url": url_values}),
                st.lists(url_values, max_size=2),
                json_values,
            ),
            "keywords": st.one_of(cyrillic_text, st.lists(cyrillic_text, max_size=3), json_values),
            "articleSection": cyrillic_text | json_values,
            "inLanguage": st.sampled_from(["ru", "kk", "kk-KZ", "en", ""]) | json_values,
            "isBasedOn": url_values
            | st.lists(url_values | st.fixed_dictionaries({"url": url_values}), max_size=2),
            "sourceOrganization": st.fixed_dictionaries(
                {"name": names | json_values, "url": url_values | json_values}
            ),
            "itemListElement": st.lists(crumbs, max_size=4) | json_values,
        },
    )


#: Breadcrumb items as CMSs write them, the name inside «item» or beside it.
WELL_FORMED_CRUMBS = st.fixed_dictionaries(
    {"@type": st.just("ListItem"), "position": st.integers(1, 5)},
    optional={
        "name": cyrillic_text,
        "item": st.fixed_dictionaries({"@id": SAFE_URL_VALUES}, optional={"name": cyrillic_text}),
    },
)
#: ... and as schema.org also allows: «item» a URL string, no «name», a name that is not a string.
ANY_CRUMBS = st.one_of(
    WELL_FORMED_CRUMBS,
    st.fixed_dictionaries(
        {"@type": st.just("ListItem")}, optional={"name": json_values, "item": SAFE_URL_VALUES | json_values}
    ),
    json_values,
)


def broken(text: str, cut: int, junk: str) -> str:
    """``text`` made invalid JSON: truncated, or with junk inside it."""
    position = cut % (len(text) + 1)
    return text[:position] + junk


def jsonld_scripts(
    url_values: st.SearchStrategy[str], crumbs: st.SearchStrategy[Any]
) -> st.SearchStrategy[str]:
    documents = st.one_of(
        jsonld_node(url_values, crumbs),
        st.lists(jsonld_node(url_values, crumbs), max_size=3),
        st.fixed_dictionaries(
            {
                "@context": st.just("https://schema.org"),
                "@graph": st.lists(jsonld_node(url_values, crumbs), max_size=3),
            }
        ),
        json_values,
    )
    valid = st.builds(
        lambda doc, ascii_only: json.dumps(doc, ensure_ascii=ascii_only), documents, st.booleans()
    )
    invalid = st.builds(
        broken, valid, st.integers(0, 10_000), st.sampled_from(["", ",", "}", "'", "\x00", "<!--", "{{"])
    )
    return st.builds(
        lambda body, kind: f'<script type="{kind}">{body}</script>',
        valid | invalid,
        st.sampled_from(["application/ld+json", "application/ld+json", "application/json"]),
    )


META_KEYS = (
    "og:title",
    "og:description",
    "og:type",
    "og:image",
    "og:site_name",
    "og:locale",
    "og:url",
    "article:published_time",
    "article:modified_time",
    "article:section",
    "article:tag",
    "article:author",
    "og:updated_time",
    "description",
    "author",
    "twitter:title",
    "twitter:image",
    "pubdate",
    "date",
    "datePublished",
    "keywords",
)


def attribute(value: str) -> str:
    return html.escape(value, quote=True)


def meta_tags(url_values: st.SearchStrategy[str], dates: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    content = st.one_of(dates, cyrillic_text, url_values, st.sampled_from(["article", "website", "profile"]))
    return st.builds(
        lambda attr, key, value: f'<meta {attr}="{key}" content="{attribute(value)}">',
        st.sampled_from(["property", "name", "itemprop"]),
        st.sampled_from(META_KEYS).flatmap(any_case),
        content,
    )


CLASSES = (
    "",
    "article",
    "content",
    "news-text",
    "byline",
    "date",
    "post-date",
    "meta",
    "info",
    "author",
    "tags",
    "article__tags",
    "breadcrumb",
    "rubric",
    "category",
    "related",
    "sidebar",
    "footer",
    "comments",
    "lead",
    "tag-cloud",
    "read-also",
)
TAGS = ("div", "p", "span", "a", "ul", "li", "h1", "h2", "h3", "section", "article", "strong", "blockquote")


def render(tag: str, css: str, href: str, children: list[str]) -> str:
    attributes = f' class="{css}"' if css else ""
    if tag == "a":
        attributes += f' href="{attribute(href)}"'
    return f"<{tag}{attributes}>{''.join(children)}</{tag}>"


#: Dates a page can hold: machine and visible, realistic years and offsets.
PAGE_DATES = st.one_of(
    iso_like(),
    visible_dates(offsets=True, max_offset_hours=14, terminated=True),
    visible_dates(),
    cyrillic_text,
)


def html_pages(
    url_values: st.SearchStrategy[str] = SAFE_URL_VALUES,
    dates: st.SearchStrategy[str] | None = None,
    crumbs: st.SearchStrategy[Any] = WELL_FORMED_CRUMBS,
    extra_head: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[str]:
    """Whole pages: a head of title / meta / canonical / JSON-LD, a random tree of tags as body.

    The defaults keep clear of the bugs reported for the skipped tests; each of those tests widens
    one argument: URLs with a broken host, dates at the edges of datetime's range, any «GMT +N»,
    schema.org breadcrumbs with URL items, JSON-LD nested deeper than Python's recursion limit."""
    dates = PAGE_DATES if dates is None else dates
    texts = st.one_of(
        cyrillic_text,
        dates,
        prose_sentence,
        joined(st.sampled_from(TRIGGERS) | items(OUTLET_NAMES) | tokens, 12),
    )
    leaves = st.one_of(
        texts.map(lambda text: html.escape(text, quote=False)),
        st.builds(
            lambda stamp, text: (
                f'<time datetime="{attribute(stamp)}">{html.escape(text, quote=False)}</time>'
            ),
            dates,
            texts,
        ),
        st.builds(lambda src: f'<img src="{attribute(src)}">', url_values),
        st.just("<br>"),
    )
    body = st.recursive(
        leaves,
        lambda children: st.builds(
            render,
            st.sampled_from(TAGS),
            st.sampled_from(CLASSES),
            url_values,
            st.lists(children, max_size=5),
        ),
        max_leaves=30,
    )
    head_items = st.one_of(
        cyrillic_text.map(lambda text: f"<title>{html.escape(text, quote=False)}</title>"),
        meta_tags(url_values, dates),
        url_values.map(lambda href: f'<link rel="canonical" href="{attribute(href)}">'),
        jsonld_scripts(url_values, crumbs),
        extra_head if extra_head is not None else st.nothing(),
    )
    return st.builds(
        lambda prolog, lang, head, tree: (
            f"{prolog}<html{lang}><head>{''.join(head)}</head><body>{''.join(tree)}</body></html>"
        ),
        st.sampled_from(["", "<!DOCTYPE html>", '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>']),
        st.sampled_from(
            ["", ' lang="ru"', ' lang="kk"', ' lang="kz-KZ"', ' lang="en"', ' lang=""', ' xml:lang="ru"']
        ),
        st.lists(head_items, max_size=8),
        st.lists(body, max_size=6),
    )


# --------------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------------


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def no_swallowed_errors() -> Iterator[None]:
    """find_citations catches every exception and logs it: a logged exception is a bug all the same."""
    collector = _Collector()
    logger = logging.getLogger("pipelines.attribution")
    logger.addHandler(collector)
    try:
        yield
    finally:
        logger.removeHandler(collector)
    if collector.records:
        record = collector.records[0]
        trace = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        raise AssertionError(f"exception swallowed and logged: {record.getMessage()}\n{trace}")


def check_date(value: Any, name: str) -> None:
    if value is None:
        return
    assert isinstance(value, str), name
    moment = datetime.fromisoformat(value)
    assert moment.utcoffset() is not None, f"{name} without an offset: {value}"
    assert moment <= NOW + FUTURE_ALLOWANCE, f"{name} in the future: {value}"
    assert moment >= EARLIEST, f"{name} before {EARLIEST}: {value}"


def check_citations(citations: Any) -> None:
    assert isinstance(citations, list)
    for position, citation in enumerate(citations, 1):
        assert isinstance(citation, dict)
        assert set(citation) >= CITATION_KEYS, set(citation) ^ CITATION_KEYS
        assert citation["position"] == position
        assert citation["relation"] in RELATIONS, citation
        assert isinstance(citation["confidence"], float | int) and 0 <= citation["confidence"] <= 1, citation
        assert isinstance(citation["evidence"], str) and len(citation["evidence"]) <= 300, citation
        for key in ("source", "name", "cited_by", "cited_url", "source_name", "method"):
            assert citation[key] is None or isinstance(citation[key], str), (key, citation)


def check_record(record: Any) -> None:
    """The record of article_from_html keeps its types, and its dates are in the past."""
    assert isinstance(record, dict)
    for key in ("title", "lead", "text", "section", "lang", "image_url"):
        assert record[key] is None or isinstance(record[key], str), (key, record[key])
    for key in ("paragraphs", "authors", "tags", "problems"):
        assert isinstance(record[key], list) and all(isinstance(item, str) for item in record[key]), key
    check_date(record["published"], "published")
    check_date(record["modified"], "modified")
    paragraphs = record["paragraphs"]
    assert all(paragraph.strip() and "\n" not in paragraph for paragraph in paragraphs), paragraphs
    assert record["text"] == ("\n".join(paragraphs) or None)
    assert record["lead"] == (paragraphs[0] if paragraphs else None)
    assert isinstance(record["removals"], list)
    for removal in record["removals"]:
        assert isinstance(removal, dict) and {"rule", "text", "position"} <= set(removal), removal
        assert isinstance(removal["rule"], str) and isinstance(removal["text"], str)
        assert isinstance(removal["position"], int) and removal["position"] >= 0
    check_citations(record["citations"])


def extract(page: str, url: str = PAGE_URLS[0]) -> dict[str, Any]:
    with no_swallowed_errors():
        record = article_from_html(page, url, now=NOW)
    check_record(record)
    return record


def check_moment(moment: Any) -> None:
    """None, or an aware datetime in the Almaty zone; plausible only when not in the future."""
    if moment is None:
        return
    assert isinstance(moment, datetime)
    assert moment.tzinfo is not None and moment.utcoffset() is not None
    assert moment.utcoffset() == moment.astimezone(ALMATY).utcoffset()
    if moment > NOW + FUTURE_ALLOWANCE:
        assert not is_plausible(moment, NOW)
    elif moment >= EARLIEST:
        assert is_plausible(moment, NOW)


# --------------------------------------------------------------------------------------------------
# article_from_html
# --------------------------------------------------------------------------------------------------


@budget(100)
@given(st.text(max_size=2000), st.sampled_from(PAGE_URLS))
def test_article_from_arbitrary_text(page: str, url: str) -> None:
    extract(page, url)


@budget(100)
@given(st.binary(max_size=3000), st.sampled_from(["utf-8", "cp1251", "latin-1"]))
def test_article_from_arbitrary_bytes_decoded_leniently(body: bytes, codec: str) -> None:
    extract(body.decode(codec, errors="replace"))


@budget(80)
@given(st.lists(cyrillic_text, max_size=8), st.booleans())
def test_article_from_cyrillic_and_kazakh_text(paragraphs: list[str], as_html: bool) -> None:
    if as_html:
        body = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
        extract(
            f"<html><head><title>{html.escape(paragraphs[0] if paragraphs else '')}</title></head>"
            f"<body><h1>Заголовок</h1>{body}</body></html>"
        )
    else:
        extract("\n".join(paragraphs))


@budget(150)
@given(html_pages())
def test_article_from_random_html_trees(page: str) -> None:
    extract(page)


@budget(100)
@example('<html><head><link rel="canonical" href="http://["></head><body></body></html>')
@example('<html><head><meta property="og:image" content="//["></head><body></body></html>')
@given(html_pages(url_values=SAFE_URL_VALUES | BROKEN_URL_VALUES))
def test_article_from_random_html_trees_with_broken_urls(page: str) -> None:
    extract(page)


@budget(100)
@example(
    '<html><head><script type="application/ld+json">{"@type": "BreadcrumbList", '
    '"itemListElement": [{"item": "https://example.kz/"}]}</script></head><body></body></html>'
)
@example(
    '<html><head><script type="application/ld+json">{"@type": "BreadcrumbList", '
    '"itemListElement": [{"name": 0}]}</script></head><body></body></html>'
)
@given(
    html_pages(
        crumbs=ANY_CRUMBS,
        extra_head=st.lists(ANY_CRUMBS, max_size=4).map(
            lambda crumbs: (
                '<script type="application/ld+json">'
                + json.dumps({"@type": "BreadcrumbList", "itemListElement": crumbs})
                + "</script>"
            )
        ),
    )
)
def test_article_from_random_html_trees_with_schema_org_breadcrumbs(page: str) -> None:
    extract(page)


@budget(100)
@example(
    '<html><head><meta property="article:published_time" content="0001-01-01T00:00:00+00:01">'
    "</head><body></body></html>"
)
@given(html_pages(dates=PAGE_DATES | any_aware_datetime.map(datetime.isoformat)))
def test_article_from_random_html_trees_with_dates_at_the_edges(page: str) -> None:
    extract(page)


@budget(100)
@example('<html><body><div class="date">08 сентября 2023 GMT +24</div></body></html>')
@given(html_pages(dates=PAGE_DATES | visible_dates(offsets=True)))
def test_article_from_random_html_trees_with_any_gmt_offset(page: str) -> None:
    extract(page)


@budget(30)
@example(
    '<html><head><script type="application/ld+json">' + "[" * 1000 + "</script></head><body></body></html>"
)
@given(
    html_pages(
        extra_head=st.builds(
            lambda opening, depth: f'<script type="application/ld+json">{opening * depth}</script>',
            st.sampled_from(["[", '{"a":', '{"@graph":[']),
            st.integers(1, 100_000),
        )
    )
)
def test_article_from_random_html_trees_with_deep_jsonld(page: str) -> None:
    extract(page)


# --------------------------------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------------------------------


@budget(150)
@given(st.text(max_size=300))
def test_date_parsers_on_arbitrary_text(text: str) -> None:
    check_moment(parse_visible(text, now=NOW))
    check_moment(parse_visible(text))
    check_moment(parse_iso(text))
    check_moment(parse_rfc822(text))


@budget(150)
@given(visible_dates(), st.none() | st.just(NOW))
def test_parse_visible_on_date_like_text(text: str, now: datetime | None) -> None:
    check_moment(parse_visible(text, now=now))


@budget(100)
@example("08 сентября 2023 GMT +24")
@example("08 сентября 2023 UTC 99")
@given(visible_dates(offsets=True))
def test_parse_visible_with_any_explicit_offset(text: str) -> None:
    check_moment(parse_visible(text, now=NOW))


@budget(60)
@given(visible_dates(offsets=True, max_offset_hours=23))
def test_parse_visible_with_real_explicit_offsets(text: str) -> None:
    check_moment(parse_visible(text, now=NOW))


@budget(60)
@example("yeſterday, 10:00")
@given(
    st.one_of(
        st.sampled_from(sorted(RELATIVE_DAYS)).flatmap(any_unicode_case).map(lambda word: f"{word}, 10:00"),
        st.sampled_from(MONTH_NAMES).flatmap(any_unicode_case).map(lambda month: f"08 {month} 2023"),
    )
)
def test_parse_visible_in_any_unicode_case(text: str) -> None:
    check_moment(parse_visible(text, now=NOW))


@budget(150)
@example(date(2024, 2, 29), 23, 59)
@example(date(2024, 3, 1), 0, 0)
@given(st.dates(date(2000, 1, 1), date(2025, 12, 31)), st.integers(0, 23), st.integers(0, 59))
def test_parse_visible_round_trip_with_the_almaty_offset_of_the_day(
    day: date, hour: int, minute: int
) -> None:
    assert MONTHS[GENITIVE[day.month]] == day.month
    moment = parse_visible(f"{hour:02d}:{minute:02d}, {day.day} {GENITIVE[day.month]} {day.year}")
    wall = datetime(day.year, day.month, day.day, hour, minute)
    if day >= date(2005, 1, 1):
        offset = timedelta(hours=6 if day < date(2024, 3, 1) else 5)
    else:  # Kazakhstan kept summer time (+07:00) until October 2004: tzdata is the reference there
        offset = ALMATY.utcoffset(wall) or timedelta(0)
        assert offset in {timedelta(hours=6), timedelta(hours=7)}
    expected = wall.replace(tzinfo=timezone(offset))
    # Not ``moment == expected``: 23:00-23:59 of 2024-02-29 happened twice in Almaty (the clocks went
    # back at midnight), and PEP 495 makes a wall time in a repeated hour unequal to any other zone's.
    assert moment is not None
    assert moment.replace(tzinfo=None) == wall
    assert moment.utcoffset() == offset
    assert to_iso(moment) == expected.isoformat()


@budget(150)
@given(st.one_of(iso_like(), rfc822_like()))
def test_machine_date_parsers_on_date_like_text(text: str) -> None:
    check_moment(parse_iso(text))
    check_moment(parse_rfc822(text))


@budget(100)
@example(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))))
@example(datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-1))))
@given(any_aware_datetime)
def test_machine_date_parsers_across_the_datetime_range(moment: datetime) -> None:
    check_moment(parse_iso(moment.isoformat()))
    check_moment(parse_iso(moment.replace(tzinfo=None).isoformat()))
    check_moment(parse_rfc822(format_datetime(moment)))


# --------------------------------------------------------------------------------------------------
# find_citations
# --------------------------------------------------------------------------------------------------

publishers = st.one_of(
    st.none(),
    items(OUTLET_DOMAINS),
    st.builds(
        lambda prefix, host: prefix + host,
        st.sampled_from(["", "www.", "https://", "http://www."]),
        url_parts().map(lambda parts: parts["host"]),
    ),
    st.text(max_size=20),
)
FORMULAS = (
    "{a} сообщает {b}",
    "сообщает {a}",
    "{a} со ссылкой на {b}",
    "со ссылкой на {a}",
    "По данным {a}",
    "по данным {a},",
    "{a} хабарлайды",
    "деп хабарлайды {a}",
    "{a} reports citing {b}",
    "{a} reports, citing {b}",
    "Источник: {a}",
    "в интервью {a}",
    "цитирует {a}",
    "Об этом сообщили в {a}",
    "{a} мәліметінше",
    "according to {a}",
    "{a} сообщает со ссылкой на {b}",
    "Фото: {a}",
)
source_names = st.one_of(
    items(OUTLET_NAMES),
    st.lists(cyrillic_words.map(capitalised), min_size=1, max_size=3).map(" ".join),
    items(OUTLET_DOMAINS),
    st.text(alphabet=ALPHABET, max_size=15),
).flatmap(lambda name: st.sampled_from([name, f"«{name}»", f"“{name}”", f"„{name}“", f'"{name}"']))
attributed_sentences = st.builds(
    lambda before, formula, a, b, after: before + formula.format(a=a, b=b) + after,
    st.sampled_from(["", "— ", "«Цитата», — ", "Жители жалуются. ", "\u00a0"])
    | prose_sentence.map(lambda s: s + " "),
    st.sampled_from(FORMULAS),
    source_names,
    source_names,
    st.sampled_from(["", ".", ",", "!", "?", "…", " —", ":", ";", "»"])
    | st.text(alphabet=PUNCTUATION, max_size=3),
)
attributed_texts = st.lists(
    st.tuples(attributed_sentences | prose_sentence, st.sampled_from([" ", "\n", "\n\n", ". ", " — "])),
    min_size=1,
    max_size=8,
).map(lambda items: "".join(sentence + separator for sentence, separator in items))


@budget(150)
@given(st.text(max_size=500) | cyrillic_text, publishers)
def test_find_citations_on_arbitrary_text(text: str, publisher: str | None) -> None:
    with no_swallowed_errors():
        check_citations(find_citations(text, publisher))


@budget(150)
@given(attributed_texts, publishers)
def test_find_citations_on_attribution_formulas(text: str, publisher: str | None) -> None:
    with no_swallowed_errors():
        check_citations(find_citations(text, publisher))


# --------------------------------------------------------------------------------------------------
# url_key
# --------------------------------------------------------------------------------------------------


def is_web_url(text: str) -> bool:
    try:
        parts = urlsplit(text.strip())
        host = parts.hostname or ""
        return (
            parts.scheme.lower() in {"http", "https"}
            and re.fullmatch(r"[\w-]+(?:\.[\w-]+)*\.?", host) is not None
        )
    except ValueError:
        return False


def check_key(url: str) -> str:
    """url_key returns a str; for a web URL (http/https, a host of dot-separated labels of letters,
    digits and hyphens) the key is a fixed point:
    the key of ``https://`` + key is the key. (A bare word or a ``mailto:`` gets a key that is no
    URL: «example.kz» gives «example.kz» but «https://example.kz» gives «example.kz/».)"""
    key = url_key(url)
    assert isinstance(key, str)
    if is_web_url(url) and "://" not in key:
        assert url_key("https://" + key) == key, key
        assert url_key("http://" + key) == key, key
    return key


@budget(150)
@given(st.text(max_size=200) | st.text(alphabet=string.printable, max_size=100).map(lambda s: "http://" + s))
def test_url_key_on_arbitrary_strings(text: str) -> None:
    check_key(text)


@budget(150)
@given(urls)
def test_url_key_on_generated_urls(url: str) -> None:
    check_key(url)


@budget(150)
@given(url_variants(ENTITY_FREE_QUERY_PAIR, unique_names=True))
def test_url_key_ignores_what_is_not_the_article(urls: tuple[str, str]) -> None:
    url, variant = urls
    assert url_key(variant) == check_key(url), variant


@pytest.mark.skip(
    reason="bug: url_key unescapes «&region=» into «®ion=» (B7) and keeps one value of a repeated "
    "parameter (B8), see report"
)
@budget(150)
@example(("https://example.kz/list?page=2&region=5", "https://example.kz/list?region=5&page=2"))
@example(("http://0.kz?gt=0", "http://0.kz?utm_source=&gt=0"))
@example(("http://0.kz?_=0&_=00", "http://0.kz?_=00&_=0"))
@example(("http://0.kz?region=0&id=0", "http://0.kz?region=0&id=0"))
@given(url_variants(QUERY_PAIR, unique_names=False))
def test_url_key_ignores_what_is_not_the_article_whatever_the_parameter_names(urls: tuple[str, str]) -> None:
    url, variant = urls
    assert url_key(variant) == check_key(url), variant


# --------------------------------------------------------------------------------------------------
# recover
# --------------------------------------------------------------------------------------------------

russian_sentences = st.lists(st.sampled_from(RU_WORDS), min_size=5, max_size=20).map(
    lambda words: capitalised(" ".join(words)) + "."
)
short_russian_sentences = st.lists(st.sampled_from(RU_WORDS), min_size=1, max_size=4).map(
    lambda words: capitalised(" ".join(words)) + "."
)
TEMPLATES = ("{}", "<html><body><p>{}</p></body></html>", "<p>{}</p>\n<div>footer</div>")


def cyrillic_letters(text: str) -> int:
    return len(re.findall(r"[а-яёА-ЯЁ]", text))


def recovered(body: bytes) -> str | None:
    result = recover(body, body.decode("utf-8", errors="replace"))
    assert result is None or (isinstance(result[0], str) and result[1] in DECODINGS), result
    return result[0] if result else None


@budget(150)
@given(st.binary(max_size=2000))
def test_recover_on_arbitrary_bytes(body: bytes) -> None:
    result = recover(body, body.decode("utf-8", errors="replace"))
    assert result is None or (isinstance(result[0], str) and result[1] in DECODINGS)


@budget(150)
@given(
    st.lists(russian_sentences, min_size=1, max_size=4).filter(lambda s: cyrillic_letters("".join(s)) >= 20),
    st.sampled_from(["utf-8", "cp1251", "koi8_r"]),
    st.sampled_from(TEMPLATES),
)
def test_recover_never_returns_mojibake(sentences: list[str], codec: str, template: str) -> None:
    """Text of 20 Cyrillic letters or more: below that, reads_as_text does not judge (bug B10)."""
    text = template.format("\n".join(sentences))
    result = recovered(text.encode(codec))
    assert result is None or text in result, (codec, result)


@pytest.mark.skip(
    reason="bug: recover returns mojibake for a text of fewer than 20 Cyrillic letters (B10), see report"
)
@budget(100)
@example("В.", "cp1251", "{}")
@example("Город жители власти.", "koi8_r", "{}")
@given(short_russian_sentences, st.sampled_from(["utf-8", "cp1251", "koi8_r"]), st.sampled_from(TEMPLATES))
def test_recover_never_returns_mojibake_for_short_texts(sentence: str, codec: str, template: str) -> None:
    text = template.format(sentence)
    result = recovered(text.encode(codec))
    assert result is None or text in result, (codec, result)


def paste_cp1251(sentences: list[str], pasted: str, where: int, filler: int) -> bytes:
    """A UTF-8 page (``filler`` characters of ASCII markup first) with one windows-1251 line."""
    lines = [line.encode("utf-8") for line in sentences]
    lines.insert(where % (len(lines) + 1), pasted.encode("cp1251"))
    head = f"<html><head><script>{'x' * filler}</script></head><body>".encode() if filler else b""
    return head + b"\n".join(lines)


@budget(100)
@given(st.lists(russian_sentences, min_size=1, max_size=4), russian_sentences, st.integers(0, 10))
def test_recover_reads_a_cp1251_line_inside_utf8(sentences: list[str], pasted: str, where: int) -> None:
    """A pasted line of 2 % of the page or more: a smaller one is kept as U+FFFD (bug B9)."""
    body = paste_cp1251(sentences, pasted, where, filler=0)
    assume(cyrillic_letters(pasted) >= max(4, 0.02 * len(body)))
    result = recovered(body)
    assert result is None or all(line in result for line in [*sentences, pasted]), result


@pytest.mark.skip(
    reason="bug: recover keeps U+FFFD for a cp1251 line under 1 % of a UTF-8 page (B9), see report"
)
@budget(100)
@example(["Жители города сообщили о новом маршруте."], "Власти приняли решение.", 1, 5000)
@given(
    st.lists(russian_sentences, min_size=1, max_size=4),
    russian_sentences | short_russian_sentences,
    st.integers(0, 10),
    st.integers(0, 50_000),
)
def test_recover_reads_a_cp1251_line_inside_a_utf8_page_of_any_size(
    sentences: list[str], pasted: str, where: int, filler: int
) -> None:
    result = recovered(paste_cp1251(sentences, pasted, where, filler))
    assert result is None or all(line in result for line in [*sentences, pasted]), result


# --------------------------------------------------------------------------------------------------
# clean_paragraphs
# --------------------------------------------------------------------------------------------------

long_prose = st.builds(
    lambda first, sentences: capitalised(first + " " + " ".join(sentences)),
    st.sampled_from(RULE_WORDS + RU_WORDS),
    st.lists(prose_sentence, min_size=1, max_size=12),
).filter(lambda text: len(normalize_paragraph(text)) > 300)


@budget(150)
@given(
    st.lists(st.text(max_size=200) | cyrillic_text | st.sampled_from(RULE_WORDS), max_size=12),
    st.none() | cyrillic_text,
    st.sampled_from([None, "vecher_kz", "kazinform", "unknown"]),
)
def test_clean_paragraphs_accounts_for_every_paragraph(
    paragraphs: list[str], title: str | None, site: str | None
) -> None:
    kept, removals = clean_paragraphs(paragraphs, title=title, site=site)
    assert isinstance(kept, list) and all(isinstance(p, str) for p in kept)
    by_position = {removal["position"]: removal for removal in removals}
    assert len(by_position) == len(removals)
    remaining = iter(kept)
    for position, raw in enumerate(paragraphs):
        text = normalize_paragraph(raw)
        if not text:
            assert position not in by_position
        elif position in by_position:
            assert by_position[position]["text"] == text
            assert isinstance(by_position[position]["rule"], str) and by_position[position]["rule"]
        else:
            assert next(remaining) == text
    assert next(remaining, None) is None


@budget(100)
@given(
    st.lists(long_prose, min_size=1, max_size=4),
    st.none() | prose_sentence,
    st.sampled_from([None, "vecher_kz", "kazinform"]),
)
def test_clean_paragraphs_never_removes_long_prose(
    paragraphs: list[str], title: str | None, site: str | None
) -> None:
    kept, removals = clean_paragraphs(paragraphs, title=title, site=site)
    assert removals == []
    assert kept == [normalize_paragraph(p) for p in paragraphs]
